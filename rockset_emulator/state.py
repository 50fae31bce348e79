"""The emulated organization: its user, its settings and its IP allowlist, with no HTTP in sight.

One :class:`OrgState` is shared by both listeners, as one Rockset organization answers on its
public and its PrivateLink endpoint alike. Every method is thread-safe; mutations are persisted at
once (temp file, fsync, rename) when a state file is configured, so a restarted emulator serves
the same organization and allowlist.
"""

from __future__ import annotations

import contextlib
import copy
import ipaddress
import json
import os
import secrets
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "AllowlistConflictError",
    "AllowlistInvalidError",
    "AllowlistNotFoundError",
    "OrgState",
    "StateError",
    "utc_now_iso",
]

_STATE_VERSION = 1


def utc_now_iso() -> str:
    """ISO-8601 in UTC with a ``Z`` suffix and whole seconds, as Rockset writes ``created_at``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StateError(Exception):
    """A request the organization refuses; the HTTP layer maps each subclass to a status."""


class AllowlistNotFoundError(StateError):
    """No allowlist entry has that name."""


class AllowlistConflictError(StateError):
    """An allowlist entry with that name already exists."""


class AllowlistInvalidError(StateError):
    """The entry is malformed: missing name, bad IP address or CIDR range, wrong types."""


def _parse_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        # strict=False: "10.1.2.3/16" names a range as readily as "10.1.0.0/16" does.
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as exc:
        raise AllowlistInvalidError(
            f"ip_address {value!r} is not an IP address or a CIDR range"
        ) from exc


class OrgState:
    """The organization, its one user and its IP allowlist."""

    def __init__(self, *, user_email: str, state_file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._state_file = state_file
        loaded = self._load(state_file) if state_file is not None else None
        if loaded is None:
            self._data = self._new_state(user_email)
            self._save()
        else:
            self._data = loaded
        self._networks = {
            entry["name"]: _parse_network(entry["ip_address"]) for entry in self._data["allowlist"]
        }

    @staticmethod
    def _new_state(user_email: str) -> dict[str, Any]:
        now = utc_now_iso()
        return {
            "version": _STATE_VERSION,
            "organization": {
                "id": "emulated-org",
                "display_name": "Emulated Organization",
                "created_at": now,
                "external_id": secrets.token_hex(16),
                "rockset_user": "rockset-emulated-org",
                "clusters": [
                    {
                        "id": "euc1a1",
                        "cluster_type": "PUBLIC",
                        "aws_region": "eu-central-1",
                        "domain": "rockset",
                        "top_level_domain": ".com",
                        "apiserver_url": "api.euc1a1.rockset.com",
                    }
                ],
                "sso_only": False,
            },
            "user": {
                "email": user_email,
                "created_at": now,
                "first_name": "Emulated",
                "last_name": "Admin",
                "roles": ["admin"],
                "state": "ACTIVE",
            },
            "allowlist": [],
        }

    @staticmethod
    def _load(path: Path) -> dict[str, Any] | None:
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
            raise ValueError(f"{path} is not an emulator state file (version 1)")
        return data

    def _save(self) -> None:
        if self._state_file is None:
            return
        directory = self._state_file.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as tmp:
                json.dump(self._data, tmp, indent=2, sort_keys=True)
                tmp.flush()
                os.fsync(tmp.fileno())
            Path(tmp_name).replace(self._state_file)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                Path(tmp_name).unlink()
            raise
        # The rename is durable only once the directory entry is.
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def current_user(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._data["user"])

    def organization(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._data["organization"])

    def list_allowlist(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._data["allowlist"])

    def get_allowlist(self, name: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._find(name))

    def create_allowlist(self, body: object) -> dict[str, Any]:
        """Add an entry from a request body ``{"name", "ip_address", "description"?}``."""
        if not isinstance(body, dict):
            raise AllowlistInvalidError("the request body must be a JSON object")
        name = body.get("name")
        ip_address = body.get("ip_address")
        description = body.get("description")
        if not isinstance(name, str) or not name.strip():
            raise AllowlistInvalidError("name is required and must be a non-empty string")
        if not isinstance(ip_address, str) or not ip_address.strip():
            raise AllowlistInvalidError("ip_address is required and must be a non-empty string")
        if description is not None and not isinstance(description, str):
            raise AllowlistInvalidError("description must be a string")
        network = _parse_network(ip_address)
        with self._lock:
            if name in self._networks:
                raise AllowlistConflictError(f"IP allowlist entry {name!r} already exists")
            entry: dict[str, Any] = {
                "name": name,
                "ip_address": ip_address.strip(),
                "description": description,
                "creator_email": self._data["user"]["email"],
                "created_at": utc_now_iso(),
            }
            self._data["allowlist"].append(entry)
            self._networks[name] = network
            self._save()
            return copy.deepcopy(entry)

    def delete_allowlist(self, name: str) -> dict[str, Any]:
        with self._lock:
            entry = self._find(name)
            self._data["allowlist"].remove(entry)
            del self._networks[name]
            self._save()
            return copy.deepcopy(entry)

    def address_allowed(self, address: str) -> bool:
        """Whether a client may use the public endpoint: an empty allowlist allows everyone."""
        ip = ipaddress.ip_address(address)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        with self._lock:
            if not self._networks:
                return True
            return any(ip in network for network in self._networks.values())

    def _find(self, name: str) -> dict[str, Any]:
        entries: list[dict[str, Any]] = self._data["allowlist"]
        for entry in entries:
            if entry["name"] == name:
                return entry
        raise AllowlistNotFoundError(f"IP allowlist entry {name!r} not found")
