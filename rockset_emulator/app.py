"""HTTP semantics of the emulated Rockset API: routes, authentication, IP allowlisting, rate limits.

:meth:`RocksetApp.handle` turns one parsed request into one response and knows nothing of sockets,
so the server layer can add transport faults around it.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from rockset_emulator.state import (
    AllowlistConflictError,
    AllowlistInvalidError,
    AllowlistNotFoundError,
    OrgState,
)

__all__ = [
    "ALLOWLIST_PATH",
    "DEFAULT_READ_LIMIT_PER_MINUTE",
    "DEFAULT_UPDATE_LIMIT_PER_MINUTE",
    "Listener",
    "Request",
    "Response",
    "RocksetApp",
    "error_response",
    "is_allowlist_write",
]

Listener = Literal["public", "privatelink"]

ALLOWLIST_PATH = "/v1/orgs/self/ip/allowlist"
DEFAULT_READ_LIMIT_PER_MINUTE = 500
DEFAULT_UPDATE_LIMIT_PER_MINUTE = 50


@dataclass(frozen=True)
class Request:
    listener: Listener
    method: str
    target: str
    authorization: str | None
    content_type: str | None
    body: bytes
    client_ip: str


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())


def _json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, json.dumps(payload).encode("utf-8"), tuple(headers))


def error_response(
    status: int, message: str, error_type: str, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """A Rockset ``ErrorModel`` body with every key the live service sends."""
    return _json_response(
        status,
        {
            "message": message,
            "message_key": None,
            "type": error_type,
            "line": None,
            "column": None,
            "trace_id": None,
            "error_id": None,
            "query_id": None,
            "virtual_instance_rrn": None,
            "virtual_instance_id": None,
            "internal_errors": None,
        },
        headers,
    )


def _entry_name(path: str) -> str | None:
    """The entry name in ``/v1/orgs/self/ip/allowlist/{name}``; None for any other path."""
    if not path.startswith(ALLOWLIST_PATH + "/"):
        return None
    name = unquote(path[len(ALLOWLIST_PATH) + 1 :])
    return name if name and "/" not in name else None


def is_allowlist_write(method: str, target: str) -> bool:
    """Whether a request would add or remove an allowlist entry, however it is then answered."""
    path = urlsplit(target).path
    if method == "POST":
        return path == ALLOWLIST_PATH
    return method == "DELETE" and _entry_name(path) is not None


_AUTH_FAILURE = error_response(401, "Authentication Failure", "AUTHEXCEPTION")


class _SlidingWindowLimiter:
    """At most ``limit`` admissions in any 60-second window; reports how long until the next."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self._limit = limit
        self._clock = clock
        self._admitted: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> float | None:
        """``None`` when admitted, else the seconds to wait before one more would be."""
        with self._lock:
            now = self._clock()
            while self._admitted and now - self._admitted[0] >= 60.0:
                self._admitted.popleft()
            if len(self._admitted) < self._limit:
                self._admitted.append(now)
                return None
            return 60.0 - (now - self._admitted[0])


class RocksetApp:
    """The request handler shared by both listeners of one emulated organization."""

    def __init__(
        self,
        state: OrgState,
        *,
        api_keys: Iterable[str],
        read_only_api_keys: Iterable[str] = (),
        read_limit_per_minute: int = DEFAULT_READ_LIMIT_PER_MINUTE,
        update_limit_per_minute: int = DEFAULT_UPDATE_LIMIT_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = state
        self._keys = [key.encode("utf-8") for key in api_keys]
        self._read_only_keys = [key.encode("utf-8") for key in read_only_api_keys]
        if not self._keys and not self._read_only_keys:
            raise ValueError("at least one API key is required")
        self._reads = _SlidingWindowLimiter(read_limit_per_minute, clock)
        self._updates = _SlidingWindowLimiter(update_limit_per_minute, clock)

    def handle(self, request: Request) -> Response:
        path = urlsplit(request.target).path
        if path == "/":
            if request.method != "GET":
                return self._method_not_allowed(request)
            return _json_response(200, {"message": "GO ROCKSET!"})

        read_only = self._authenticate(request.authorization)
        if read_only is None:
            return _AUTH_FAILURE
        # Allowlisting guards only the public endpoint; PrivateLink traffic never passes it.
        if request.listener == "public" and not self.state.address_allowed(request.client_ip):
            return _AUTH_FAILURE

        is_read = request.method == "GET"
        wait = (self._reads if is_read else self._updates).admit()
        if wait is not None:
            return error_response(
                429,
                "Rate limit exceeded for "
                + ("metadata reads" if is_read else "metadata updates")
                + "; retry later",
                "RATELIMITEXCEEDED",
                [("Retry-After", str(max(1, math.ceil(wait))))],
            )

        if path == "/v1/orgs/self/users/self":
            return self._only(request, "GET") or _json_response(200, self.state.current_user())
        if path == "/v1/orgs/self":
            # Unlike users/self, this one is wrapped: OrganizationResponse in both OpenAPI specs.
            return self._only(request, "GET") or _json_response(
                200, {"data": self.state.organization()}
            )
        if path == ALLOWLIST_PATH:
            if request.method == "GET":
                return _json_response(200, {"data": self.state.list_allowlist()})
            if request.method == "POST":
                return self._create_allowlist(request, read_only=read_only)
            return self._method_not_allowed(request)
        name = _entry_name(path)
        if name is not None:
            return self._allowlist_entry(request, name, read_only=read_only)
        return self._not_found(path)

    def _authenticate(self, authorization: str | None) -> bool | None:
        """``False`` for a full key, ``True`` for a read-only key, ``None`` for no valid key."""
        if authorization is None:
            return None
        scheme, _, key = authorization.strip().partition(" ")
        if scheme.lower() != "apikey" or not key.strip():
            return None
        candidate = key.strip().encode("utf-8")
        if any(hmac.compare_digest(candidate, known) for known in self._keys):
            return False
        if any(hmac.compare_digest(candidate, known) for known in self._read_only_keys):
            return True
        return None

    def _create_allowlist(self, request: Request, *, read_only: bool) -> Response:
        if read_only:
            return self._forbidden("CREATE_NETWORK_CONFIGURATION_GLOBAL")
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return error_response(
                415, "Content-Type must be application/json", "UNSUPPORTEDMEDIATYPE"
            )
        try:
            body = json.loads(request.body)
        except ValueError:
            return error_response(400, "The request body is not valid JSON", "BADREQUEST")
        try:
            entry = self.state.create_allowlist(body)
        except AllowlistInvalidError as exc:
            return error_response(400, str(exc), "BADREQUEST")
        except AllowlistConflictError as exc:
            return error_response(409, str(exc), "CONFLICT")
        return _json_response(200, {"data": entry})

    def _allowlist_entry(self, request: Request, name: str, *, read_only: bool) -> Response:
        try:
            if request.method == "GET":
                return _json_response(200, {"data": self.state.get_allowlist(name)})
            if request.method == "DELETE":
                if read_only:
                    return self._forbidden("DELETE_NETWORK_CONFIGURATION_GLOBAL")
                return _json_response(200, {"data": self.state.delete_allowlist(name)})
        except AllowlistNotFoundError as exc:
            return error_response(404, str(exc), "NOTFOUND")
        return self._method_not_allowed(request)

    def _only(self, request: Request, method: str) -> Response | None:
        return None if request.method == method else self._method_not_allowed(request)

    @staticmethod
    def _method_not_allowed(request: Request) -> Response:
        return error_response(
            405,
            f"Method {request.method} is not allowed on {urlsplit(request.target).path}",
            "METHODNOTALLOWED",
        )

    @staticmethod
    def _not_found(path: str) -> Response:
        return error_response(404, f"Resource {path} not found", "NOTFOUND")

    @staticmethod
    def _forbidden(privilege: str) -> Response:
        return error_response(403, f"This API key lacks the privilege {privilege}", "FORBIDDEN")
