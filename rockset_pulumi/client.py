"""A small synchronous client for the parts of Rockset's REST API that rockset-pulumi uses.

Built on one :class:`httpx.Client` per :class:`RocksetClient` (a keep-alive pool, closed by
:meth:`RocksetClient.close` or the ``with`` block). TLS verification is always on. Failures become
the exceptions of :mod:`rockset_pulumi.errors`; each message names the endpoint and what to check,
and never contains the API key.
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import random
import re
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote, urlsplit

import certifi
import httpx

from rockset_pulumi.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)

__all__ = ["IpAllowlistEntry", "Organization", "RetryPolicy", "RocksetClient", "User"]

logger = logging.getLogger(__name__)

_ALLOWLIST_PATH = "/v1/orgs/self/ip/allowlist"
_PING_MESSAGE = "GO ROCKSET!"
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_REDACTED = "<redacted>"

_T = TypeVar("_T")


def _user_agent() -> str:
    try:
        version = metadata.version("rockset-pulumi")
    except metadata.PackageNotFoundError:
        # Running from a source checkout that was never pip-installed.
        version = "0+unknown"
    return f"rockset-pulumi/{version}"


class _ShapeError(Exception):
    """A JSON document without the fields Rockset always sends."""


def _field(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _ShapeError(f"field {key!r} is {type(value).__name__}, not a string")
    return value


def _required(data: Mapping[str, Any], key: str) -> str:
    value = _field(data, key)
    if value is None:
        raise _ShapeError(f"field {key!r} is missing")
    return value


def _object(payload: object, what: str) -> Mapping[str, Any]:
    if not isinstance(payload, dict):
        raise _ShapeError(f"{what} is {type(payload).__name__}, not a JSON object")
    return payload


def _data(payload: object) -> object:
    """The ``data`` member of Rockset's ``{"data": ...}`` envelope."""
    envelope = _object(payload, "the response")
    if "data" not in envelope:
        raise _ShapeError("field 'data' is missing")
    return envelope["data"]


@dataclass(frozen=True)
class User:
    """The user an API key belongs to (``GET /v1/orgs/self/users/self``)."""

    email: str
    created_at: str | None
    first_name: str | None
    last_name: str | None
    roles: tuple[str, ...]
    state: str | None

    @classmethod
    def _from_api(cls, payload: object) -> User:
        data = _object(payload, "the user")
        roles = data.get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            raise _ShapeError("field 'roles' is not a list of strings")
        return cls(
            email=_required(data, "email"),
            created_at=_field(data, "created_at"),
            first_name=_field(data, "first_name"),
            last_name=_field(data, "last_name"),
            roles=tuple(roles),
            state=_field(data, "state"),
        )


@dataclass(frozen=True)
class Organization:
    """The organization an API key belongs to (``GET /v1/orgs/self``)."""

    id: str
    display_name: str | None
    created_at: str | None
    external_id: str | None
    rockset_user: str | None
    clusters: tuple[Mapping[str, Any], ...]
    sso_only: bool | None

    @classmethod
    def _from_api(cls, payload: object) -> Organization:
        data = _object(payload, "the organization")
        clusters = data.get("clusters") or []
        if not isinstance(clusters, list) or not all(isinstance(c, dict) for c in clusters):
            raise _ShapeError("field 'clusters' is not a list of objects")
        sso_only = data.get("sso_only")
        if sso_only is not None and not isinstance(sso_only, bool):
            raise _ShapeError("field 'sso_only' is not a boolean")
        return cls(
            id=_required(data, "id"),
            display_name=_field(data, "display_name"),
            created_at=_field(data, "created_at"),
            external_id=_field(data, "external_id"),
            rockset_user=_field(data, "rockset_user"),
            clusters=tuple(clusters),
            sso_only=sso_only,
        )


@dataclass(frozen=True)
class IpAllowlistEntry:
    """One IP allowlist entry: an address or CIDR range allowed to use the public endpoint."""

    name: str
    ip_address: str
    description: str | None
    creator_email: str | None
    created_at: str | None

    @classmethod
    def _from_api(cls, payload: object) -> IpAllowlistEntry:
        data = _object(payload, "the allowlist entry")
        return cls(
            name=_required(data, "name"),
            ip_address=_required(data, "ip_address"),
            description=_field(data, "description"),
            creator_email=_field(data, "creator_email"),
            created_at=_field(data, "created_at"),
        )


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried: capped exponential backoff with jitter.

    The n-th retry waits ``min(max_backoff, initial_backoff * multiplier ** (n - 1))``, less a
    random part of up to ``jitter`` of it (so concurrent clients spread out). A 429's
    ``Retry-After`` is honoured, up to ``max_retry_after`` seconds.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    multiplier: float = 2.0
    jitter: float = 0.5
    max_retry_after: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("RetryPolicy.max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.max_retry_after < 0:
            raise ConfigurationError("RetryPolicy backoff times must not be negative")
        if self.multiplier < 1:
            raise ConfigurationError("RetryPolicy.multiplier must be at least 1")
        if not 0 <= self.jitter <= 1:
            raise ConfigurationError("RetryPolicy.jitter must be within [0, 1]")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.max_backoff, self.initial_backoff * self.multiplier ** (retry - 1))
        return ceiling * (1 - self.jitter * rng.random())


def _normalize_base_url(base_url: str) -> str:
    if not isinstance(base_url, str):
        raise ConfigurationError("base_url must be a string such as https://api.euc1a1.rockset.com")
    try:
        parts = urlsplit(base_url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError(f"base_url is not a valid URL: {exc}") from None
    if parts.scheme.lower() != "https":
        raise ConfigurationError(
            "base_url must start with https:// (Rockset serves its API over HTTPS only)"
        )
    if not parts.hostname:
        raise ConfigurationError("base_url has no host name")
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("base_url must not contain credentials; pass api_key instead")
    if parts.query or parts.fragment:
        raise ConfigurationError("base_url must not have a query or fragment")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port is None else f"{host}:{port}"
    return f"https://{netloc}{parts.path.rstrip('/')}"


def _check_api_key(api_key: str) -> None:
    # A key with spaces, control or non-ASCII characters would make httpx raise an error that
    # quotes the header value, so such a key is refused here, before it reaches any message.
    if (
        not isinstance(api_key, str)
        or not api_key
        or not all("!" <= char <= "~" for char in api_key)
    ):
        raise ConfigurationError(
            "api_key must be a non-empty string of printable ASCII characters without spaces"
        )


def _ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    cafile = certifi.where() if ca_bundle is None else ca_bundle
    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(
            f"ca_bundle {ca_bundle!r} could not be loaded as PEM CA certificates: {exc}"
        ) from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _error_fields(response: httpx.Response) -> tuple[str | None, str | None]:
    """``(type, message)`` of an ``ErrorModel`` body; ``None`` where the body has none."""
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    error_type = body.get("type")
    message = body.get("message")
    return (
        error_type.upper() if isinstance(error_type, str) else None,
        message if isinstance(message, str) else None,
    )


@dataclass
class _Exchange:
    """The answer to a request after retries, and whether an earlier try may have taken effect."""

    response: httpx.Response
    maybe_applied: bool


class RocksetClient:
    """A client for one Rockset API endpoint (public or PrivateLink), authenticated by an API key.

    ``timeout`` bounds each attempt; ``deadline`` bounds a whole call, retries included (``None``
    for no overall bound). ``local_address`` binds outgoing connections to a source address.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        ca_bundle: str | None = None,
        timeout: float = 10.0,
        deadline: float | None = 60.0,
        retry: RetryPolicy | None = None,
        local_address: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._base_url = _normalize_base_url(base_url)
        _check_api_key(api_key)
        if timeout <= 0:
            raise ConfigurationError("timeout must be positive")
        if deadline is not None and deadline <= 0:
            raise ConfigurationError("deadline must be positive, or None for no overall bound")
        if local_address is not None:
            try:
                ipaddress.ip_address(local_address)
            except ValueError:
                raise ConfigurationError(
                    f"local_address {local_address!r} is not an IP address"
                ) from None
        self._api_key = api_key
        # Whole tokens only, so that a short key cannot mangle the words of a message.
        self._key_pattern = re.compile(rf"(?<![\w-]){re.escape(api_key)}(?![\w-])")
        self._ca_bundle = ca_bundle
        self._timeout = timeout
        self._deadline = deadline
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        # Jitter only spreads retries out; it needs no unpredictability.
        self._rng = random.Random()  # noqa: S311
        transport = httpx.HTTPTransport(
            verify=_ssl_context(ca_bundle), local_address=local_address, retries=0
        )
        # trust_env=False: a proxy from the environment would hide which network path (public or
        # PrivateLink) actually answered, which is what this client exists to find out.
        self._http = httpx.Client(
            base_url=self._base_url,
            transport=transport,
            headers={"User-Agent": _user_agent(), "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
        )

    @property
    def base_url(self) -> str:
        return self._base_url

    def __repr__(self) -> str:
        return f"RocksetClient(base_url={self._base_url!r})"

    def __enter__(self) -> RocksetClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool; the client cannot be used afterwards."""
        self._http.close()

    def ping(self) -> str:
        """``GET /`` without authentication: proves the endpoint is reachable, not the key."""
        payload = self._call("GET", "/", auth=False)
        if payload != {"message": _PING_MESSAGE}:
            raise UnexpectedResponseError(
                f"GET {self._base_url}/ answered {self._redact(repr(payload)[:200])} instead of "
                f'{{"message": "{_PING_MESSAGE}"}}: is this a Rockset API endpoint?',
                endpoint=self._base_url,
                status=200,
            )
        return _PING_MESSAGE

    def current_user(self) -> User:
        path = "/v1/orgs/self/users/self"
        return self._parse(path, User._from_api, self._call("GET", path))

    def organization(self) -> Organization:
        """``GET /v1/orgs/self``, whose answer is ``{"data": Organization}``."""
        path = "/v1/orgs/self"
        return self._parse(
            path, lambda payload: Organization._from_api(_data(payload)), self._call("GET", path)
        )

    def list_ip_allowlist(self) -> list[IpAllowlistEntry]:
        def parse(payload: object) -> list[IpAllowlistEntry]:
            entries = _data(payload)
            if not isinstance(entries, list):
                raise _ShapeError("field 'data' is not a list")
            return [IpAllowlistEntry._from_api(entry) for entry in entries]

        return self._parse(_ALLOWLIST_PATH, parse, self._call("GET", _ALLOWLIST_PATH))

    def get_ip_allowlist(self, name: str) -> IpAllowlistEntry:
        path = self._entry_path(name)
        return self._parse(path, self._entry, self._call("GET", path))

    def create_ip_allowlist(
        self, name: str, ip_address: str, description: str | None = None
    ) -> IpAllowlistEntry:
        """Add an entry; Rockset has no update, so a change is a delete and a create."""
        if not name or not ip_address:
            raise ConfigurationError("an allowlist entry needs a name and an ip_address")
        body: dict[str, str] = {"name": name, "ip_address": ip_address}
        if description is not None:
            body["description"] = description
        exchange = self._exchange("POST", _ALLOWLIST_PATH, json_body=body)
        if exchange.response.status_code == 409 and exchange.maybe_applied:
            # An earlier attempt whose answer was lost may have created the entry: if what
            # exists is what was asked for, the create did succeed.
            existing = self.get_ip_allowlist(name)
            if (existing.ip_address, existing.description) == (ip_address, description):
                return existing
        payload = self._payload("POST", _ALLOWLIST_PATH, exchange.response)
        return self._parse(_ALLOWLIST_PATH, self._entry, payload)

    def delete_ip_allowlist(self, name: str) -> IpAllowlistEntry:
        """Remove an entry and return it as it was."""
        path = self._entry_path(name)
        exchange = self._exchange("DELETE", path)
        note = None
        if exchange.response.status_code == 404 and exchange.maybe_applied:
            note = "an earlier attempt whose answer was lost may have deleted it"
        payload = self._payload("DELETE", path, exchange.response, note=note)
        return self._parse(path, self._entry, payload)

    @staticmethod
    def _entry(payload: object) -> IpAllowlistEntry:
        return IpAllowlistEntry._from_api(_data(payload))

    @staticmethod
    def _entry_path(name: str) -> str:
        if not name:
            raise ConfigurationError("an allowlist entry name must not be empty")
        return f"{_ALLOWLIST_PATH}/{quote(name, safe='')}"

    def _redact(self, text: str) -> str:
        return self._key_pattern.sub(_REDACTED, text)

    def _parse(self, path: str, parse: Callable[[object], _T], payload: object) -> _T:
        try:
            return parse(payload)
        except _ShapeError as exc:
            raise UnexpectedResponseError(
                f"{self._base_url}{path} answered JSON that is not what Rockset sends: {exc}",
                endpoint=self._base_url,
                status=200,
            ) from None

    def _call(
        self, method: str, path: str, *, auth: bool = True, json_body: object = None
    ) -> object:
        exchange = self._exchange(method, path, auth=auth, json_body=json_body)
        return self._payload(method, path, exchange.response)

    def _payload(
        self, method: str, path: str, response: httpx.Response, *, note: str | None = None
    ) -> object:
        """The JSON of a 2xx answer; any other answer raises the matching error."""
        if not 200 <= response.status_code < 300:
            self._raise_for_status(method, path, response, note=note)
        try:
            return response.json()
        except ValueError:
            raise UnexpectedResponseError(
                f"{method} {self._base_url}{path} answered {response.status_code} with a body that "
                f"is not JSON ({response.headers.get('Content-Type', 'no Content-Type')}): "
                "is this a Rockset API endpoint, or is something in between rewriting answers?",
                endpoint=self._base_url,
                status=response.status_code,
            ) from None

    def _raise_for_status(
        self,
        method: str,
        path: str,
        response: httpx.Response,
        *,
        note: str | None = None,
        gave_up: str | None = None,
    ) -> NoReturn:
        status = response.status_code
        error_type, server_message = _error_fields(response)
        cls: type[ApiError]
        if status == 401 or error_type == "AUTHEXCEPTION":
            cls, hint = (
                AuthenticationError,
                "check the API key, or the caller's address is outside the IP allowlist "
                "(allowlisting applies to the public endpoint only)",
            )
        elif status == 403:
            cls, hint = PermissionDeniedError, "check that the key's role has the privilege"
        elif status == 404:
            cls, hint = NotFoundError, "check the name, and that the base URL is a Rockset API"
        elif status == 429:
            cls, hint = RateLimitedError, "Rockset's per-organization rate limit; slow down"
        elif status >= 500:
            cls, hint = ServerError, "a failure on Rockset's side; try again later"
        elif 400 <= status < 500:
            cls, hint = RequestRejectedError, "the request was refused as sent"
        else:
            cls, hint = UnexpectedResponseError, "Rockset answers only 2xx or an error status"
        described = f"{status} {error_type}" if error_type else str(status)
        detail = f": {server_message}" if server_message else ""
        parts = [f"{method} {self._base_url}{path} failed with {described}{detail}", hint]
        if note:
            parts.append(note)
        if gave_up:
            parts.append(gave_up)
        raise cls(
            self._redact("; ".join(parts)),
            endpoint=self._base_url,
            status=status,
            error_type=error_type,
        )

    def _transport_error(self, method: str, path: str, exc: httpx.HTTPError) -> TransportError:
        url = f"{self._base_url}{path}"
        reason = str(exc) or type(exc).__name__
        chain = _chain(exc)
        if any(isinstance(link, ssl.SSLError) for link in chain):
            message = (
                f"TLS verification of {url} failed ({reason}); check ca_bundle "
                f"({self._ca_bundle or 'the certifi default'}): it must hold the CA that signed "
                "the endpoint's certificate, and the host name must match the certificate"
            )
        elif any(isinstance(link, socket.gaierror) for link in chain):
            message = (
                f"could not resolve the host of {url} ({reason}); check the host name and DNS "
                "(for PrivateLink: the VPC endpoint's private DNS)"
            )
        elif isinstance(exc, httpx.TimeoutException):
            message = (
                f"{method} {url} timed out ({type(exc).__name__}: {reason}); is the endpoint "
                "reachable from here (VPC, security group allowing 443, DNS)?"
            )
        elif isinstance(exc, httpx.ConnectError):
            message = (
                f"could not connect to {url} ({reason}); is the endpoint reachable from here "
                "(VPC, security group, DNS)?"
            )
        else:
            message = (
                f"{method} {url} failed before an answer arrived ({type(exc).__name__}: "
                f"{reason}); the connection was dropped or reset"
            )
        return TransportError(self._redact(message), endpoint=self._base_url)

    @staticmethod
    def _retryable(exc: httpx.HTTPError) -> bool:
        if any(isinstance(link, ssl.SSLError) for link in _chain(exc)):
            return False
        return isinstance(
            exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
        )

    def _exchange(
        self, method: str, path: str, *, auth: bool = True, json_body: object = None
    ) -> _Exchange:
        """Send with retries until an answer that is final, or the attempts or deadline run out."""
        headers = {"Authorization": f"ApiKey {self._api_key}"} if auth else {}
        started = time.monotonic()
        deadline_at = None if self._deadline is None else started + self._deadline
        maybe_applied = False
        attempt = 0
        while True:
            attempt += 1
            timeout = self._timeout
            if deadline_at is not None:
                timeout = max(0.001, min(timeout, deadline_at - time.monotonic()))
            outcome: httpx.Response | httpx.HTTPError
            try:
                outcome = self._http.request(
                    method, path, headers=headers, json=json_body, timeout=timeout
                )
            except httpx.HTTPError as exc:
                if not self._retryable(exc):
                    raise self._transport_error(method, path, exc) from exc
                outcome = exc
                if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    maybe_applied = True
            if isinstance(outcome, httpx.Response) and outcome.status_code not in _RETRY_STATUSES:
                return _Exchange(outcome, maybe_applied)

            wait = self._retry.backoff(attempt, self._rng)
            if isinstance(outcome, httpx.Response) and outcome.status_code == 429:
                retry_after = _retry_after(outcome)
                if retry_after is not None:
                    wait = min(max(wait, retry_after), self._retry.max_retry_after)
            out_of_attempts = attempt >= self._retry.max_attempts
            out_of_time = deadline_at is not None and time.monotonic() + wait >= deadline_at
            if out_of_attempts or out_of_time:
                why = (
                    f"{self._retry.max_attempts} attempts allowed"
                    if out_of_attempts
                    else f"the {self._deadline:g} s deadline leaves no time for another"
                )
                gave_up = (
                    f"gave up after {attempt} attempt(s) in {time.monotonic() - started:.1f} s "
                    f"({why})"
                )
                if isinstance(outcome, httpx.Response):
                    self._raise_for_status(method, path, outcome, gave_up=gave_up)
                error = self._transport_error(method, path, outcome)
                raise TransportError(f"{error}; {gave_up}", endpoint=self._base_url) from outcome

            summary = (
                f"status {outcome.status_code}"
                if isinstance(outcome, httpx.Response)
                else self._redact(f"{type(outcome).__name__}: {outcome}")
            )
            logger.warning(
                "%s %s%s: attempt %d failed (%s); retrying in %.2f s",
                method,
                self._base_url,
                path,
                attempt,
                summary,
                wait,
            )
            self._sleep(wait)
