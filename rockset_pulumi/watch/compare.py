"""What the listed allowlist says about the lockdown: the wanted entries, and what should not be
there.

The stack wants its admin entries (name -> CIDR) and nothing else of its own. An entry found is:

- **present** when it has a wanted name and that name's CIDR;
- **ours but unwanted** when it carries this component's owner mark otherwise (a leftover, or a
  wanted name whose CIDR was changed): unexpected;
- **another resource's** when it carries another rockset-pulumi owner's mark: that resource's
  stack wants it, and its own watch judges it; not unexpected here;
- **foreign** when it carries no mark (a console or API user's): unexpected only if it widens
  access, that is, admits an address that no wanted entry admits. A foreign entry inside a
  wanted CIDR changes nothing; one whose address cannot be read is taken as widening.

The lockdown holds when every wanted entry is present and nothing is unexpected. An empty
allowlist is allowlisting off (the public endpoint open to everyone): every entry is missing.

Standard library only (and :mod:`rockset_pulumi.allowlist`'s mark, which is too): uploaded with
the watcher's handler.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..allowlist import mark_of

__all__ = ["AllowlistAnswerError", "Finding", "Listed", "Unexpected", "compare", "entries_of"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AllowlistAnswerError(ValueError):
    """The listing is not the shape Rockset sends."""


@dataclass(frozen=True)
class Listed:
    """One entry as Rockset listed it."""

    name: str
    ip_address: str
    description: str | None


@dataclass(frozen=True)
class Unexpected:
    """An entry that should not be there, and whose it is (``ours`` or ``unmarked``)."""

    name: str
    ip_address: str
    whose: str


@dataclass(frozen=True)
class Finding:
    """The allowlist against what the stack wants."""

    missing: tuple[str, ...]
    """Wanted entry names absent, or present with another CIDR."""
    unexpected: tuple[Unexpected, ...]

    @property
    def holds(self) -> bool:
        return not self.missing and not self.unexpected


def entries_of(document: object) -> list[Listed]:
    """The entries of a ``GET /v1/orgs/self/ip/allowlist`` answer (``{"data": [...]}``)."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise AllowlistAnswerError("the answer has no list of entries under 'data'")
    found = []
    for entry in data:
        if not isinstance(entry, dict):
            raise AllowlistAnswerError("an entry is not an object")
        name, address, description = (
            entry.get("name"),
            entry.get("ip_address"),
            entry.get("description"),
        )
        if not isinstance(name, str) or not isinstance(address, str):
            raise AllowlistAnswerError("an entry lacks a string name or ip_address")
        found.append(Listed(name, address, description if isinstance(description, str) else None))
    return found


def _network(text: str) -> _Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _widens(address: str, wanted: Sequence[_Network]) -> bool:
    network = _network(address)
    return network is None or not any(
        network.version == w.version and network.subnet_of(w)  # type: ignore[arg-type]
        for w in wanted
    )


def compare(listed: Sequence[Listed], wanted: Mapping[str, str], mark: str) -> Finding:
    """``listed`` against ``wanted`` (name -> CIDR) for the component whose owner mark is
    ``mark``."""
    networks = [n for n in (_network(cidr) for cidr in wanted.values()) if n is not None]
    present: set[str] = set()
    unexpected = []
    for entry in listed:
        wanted_cidr = wanted.get(entry.name)
        if wanted_cidr is not None and _network(entry.ip_address) == _network(wanted_cidr):
            present.add(entry.name)
            continue
        owner = mark_of(entry.description)
        if owner == mark:
            unexpected.append(Unexpected(entry.name, entry.ip_address, "ours"))
        elif owner is None and _widens(entry.ip_address, networks):
            unexpected.append(Unexpected(entry.name, entry.ip_address, "unmarked"))
    return Finding(
        missing=tuple(sorted(set(wanted) - present)),
        unexpected=tuple(sorted(unexpected, key=lambda u: u.name)),
    )
