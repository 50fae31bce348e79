"""A small synchronous client for the parts of Rockset's REST API that rockset-pulumi uses.

Built on one :class:`httpx.Client` per :class:`RocksetClient` (a keep-alive pool, closed by
:meth:`RocksetClient.close` or the ``with`` block). TLS verification is always on. Failures become
the exceptions of :mod:`rockset_pulumi.errors`; each message names the endpoint and what to check,
and never contains the API key.

A call is sent in layers that each do one thing:

* ``_send_once``: one attempt, the request out and a whole answer in, within what the deadline
  leaves (:mod:`rockset_pulumi.transport` bounds every socket operation, so a server trickling
  its headers or body cannot stretch it) and within ``_MAX_BODY`` bytes, raw or decompressed;
* ``_judge``: whether that answer is final, and how long the server asked to be left alone;
* ``_pause``: the wait before the next attempt (:func:`rockset_pulumi.polling.poll` runs the loop);
* ``_give_up``: the error for the last answer once the attempts or the deadline run out.

What the other side sends (error messages and types, transport errors) reaches a message only
through :func:`rockset_pulumi.text.clean`, which makes it one short line and redacts the key; the
whole message goes through it again as it is raised, so that redaction is the last thing done to
it. Numbers in headers (``Retry-After``, ``Content-Length``) are read as ASCII digits only, and
bounded. No exception keeps the httpx request (whose headers hold the key): transport errors are
raised from their root cause (an ``OSError``, say), stripped of its traceback.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import re
import reprlib
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote

import certifi
import httpx

from rockset_pulumi import validate
from rockset_pulumi.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestRejectedError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from rockset_pulumi.polling import Attempt, Polled, PollPolicy, poll
from rockset_pulumi.text import clean
from rockset_pulumi.transport import BoundedTransport, time_limit

__all__ = ["IpAllowlistEntry", "RocksetClient", "User"]

logger = logging.getLogger(__name__)

_ALLOWLIST_PATH = "/v1/orgs/self/ip/allowlist"
_PING_MESSAGE = "GO ROCKSET!"
_RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Rockset's answers here are a few kilobytes; anything near this is not Rockset.
_MAX_BODY = 1 << 20
# Bodies this client can decode itself, output bounded, so it asks for no other.
_CONTENT_CODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_MAX_RETRY_AFTER = 30.0
_SHOWN = 300
_MESSAGE_LIMIT = 1500
"""Characters of a whole message: the longest (a relayed transport failure) is about 800."""
# HTTP's numbers are ASCII digits; str.isdigit() also admits "²" and "①", which int() refuses.
_DIGITS = re.compile(r"[0-9]+", re.ASCII)
# Past this many digits a number exceeds every bound here; int() would refuse thousands of them.
_MAX_DIGITS = 15
# Longer than any HTTP-date (29 characters, 30 for RFC 850's).
_MAX_DATE = 40
_ACTION = "create the Rockset client"
"""What a refused argument stops (the message's ``Cannot ...:``)."""

_AUTH_HINT = (
    "check the API key, or the caller's address is outside the IP allowlist "
    "(allowlisting applies to the public endpoint only)"
)
# Which error a status raises, and what to check. Rockset's error type is looked up first (it
# answers AUTHEXCEPTION under 403 too), then the status, then its class (4xx, 5xx).
_ERRORS_BY_TYPE: dict[str, tuple[type[ApiError], str]] = {
    "AUTHEXCEPTION": (AuthenticationError, _AUTH_HINT),
}
_ERRORS_BY_STATUS: dict[int, tuple[type[ApiError], str]] = {
    401: (AuthenticationError, _AUTH_HINT),
    403: (PermissionDeniedError, "check that the key's role has the privilege"),
    404: (NotFoundError, "check the name, and that the base URL is a Rockset API"),
    429: (RateLimitedError, "Rockset's per-organization rate limit; slow down"),
}
_ERRORS_BY_CLASS: dict[int, tuple[type[ApiError], str]] = {
    4: (RequestRejectedError, "the request was refused as sent"),
    5: (ServerError, "a failure on Rockset's side; try again later"),
}
_UNEXPECTED_STATUS = (UnexpectedResponseError, "Rockset answers only 2xx or an error status")

_REACHABLE = "is the endpoint reachable from here (VPC, security group allowing 443, DNS)?"
_REACHABLE_RELAYED = (
    "the request went through {sent_from}: is the endpoint reachable from there (the "
    "function's subnets, the endpoint's security group admitting the function's on 443, the "
    "endpoint's private DNS)?"
)
# How a request that got no answer failed: the first row whose exception type is in the error's
# chain gives whether another attempt can help and the message, formatted with ``method``,
# ``url``, ``reason``, ``ca_bundle`` and ``reachable`` (the question for where it was sent from).
_TRANSPORT_FAILURES: tuple[tuple[type[BaseException], bool, str], ...] = (
    (
        ssl.SSLError,
        False,
        "TLS verification of {url} failed ({reason}); check ca_bundle ({ca_bundle}): it must "
        "hold the CA that signed the endpoint's certificate, and the host name must match the "
        "certificate",
    ),
    (
        socket.gaierror,
        True,
        "could not resolve the host of {url} ({reason}); check the host name and DNS "
        "(for PrivateLink: the VPC endpoint's private DNS)",
    ),
    (httpx.TimeoutException, True, "{method} {url} timed out ({reason}); {reachable}"),
    (httpx.ConnectError, True, "could not connect to {url} ({reason}); {reachable}"),
    (
        httpx.NetworkError,
        True,
        "{method} {url} failed before an answer arrived ({reason}); the connection was dropped",
    ),
    (
        httpx.RemoteProtocolError,
        True,
        "{method} {url} failed before an answer arrived ({reason}); the connection was dropped "
        "or the answer was not HTTP/1.1",
    ),
    (httpx.HTTPError, False, "{method} {url} failed ({reason})"),
)

_T = TypeVar("_T")
_BRIEF = reprlib.Repr()  # keyword arguments need Python 3.12
_BRIEF.maxlevel = 4


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


def _ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    context = (
        ssl.create_default_context(cafile=certifi.where())
        if ca_bundle is None
        else validate.ca_context(ca_bundle, action=_ACTION)
    )
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _header_number(value: str | None) -> int | None:
    """A header's value as HTTP writes numbers (ASCII digits), held to 10**15; None otherwise."""
    if value is None:
        return None
    value = value.strip(" \t")
    if not _DIGITS.fullmatch(value):
        return None
    return int(value) if len(value) <= _MAX_DIGITS else 10**_MAX_DIGITS


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` asks for, from 0 to ``_MAX_RETRY_AFTER``: delay-seconds or an
    HTTP-date; None for anything else (which the server cannot have meant)."""
    if value is None:
        return None
    seconds = _header_number(value)
    if seconds is None:
        value = value.strip(" \t")
        if len(value) > _MAX_DATE or not value.isascii() or not value.isprintable():
            return None
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return min(_MAX_RETRY_AFTER, max(0.0, (when - datetime.now(UTC)).total_seconds()))
    return float(min(seconds, _MAX_RETRY_AFTER))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _root_cause(chain: list[BaseException]) -> BaseException | None:
    """The error at the bottom of an httpx error's chain, without the request it was part of.

    httpx errors hold the request (and so its Authorization header); the root (an ``OSError``,
    an ``ssl.SSLError``, an h11 or httpcore error) does not, once its traceback, whose frames do,
    is dropped.
    """
    root = chain[-1]
    if isinstance(root, httpx.HTTPError):
        return None
    return root.with_traceback(None)


def _json(body: bytes) -> tuple[bool, object]:
    """``(True, document)``, or ``(False, None)`` for a body that is not JSON.

    A flag rather than an exception, so that the error raised for a bad body is not chained to a
    ``JSONDecodeError``, which holds the whole body.
    """
    try:
        return True, json.loads(body)
    # Deep nesting exhausts the parser's recursion rather than failing as invalid JSON.
    except (ValueError, RecursionError):
        return False, None


def _error_fields(body: bytes) -> tuple[str | None, str | None]:
    """``(type, message)`` of an ``ErrorModel`` body, as sent; ``None`` where the body has none."""
    _, document = _json(body)
    if not isinstance(document, dict):
        return None, None
    error_type = document.get("type")
    message = document.get("message")
    return (
        error_type if isinstance(error_type, str) else None,
        message if isinstance(message, str) else None,
    )


@dataclass(frozen=True)
class _Answer:
    """A whole HTTP answer, read within the size cap and decompressed; nothing of the request."""

    status: int
    content_type: str | None
    retry_after: str | None
    body: bytes

    @property
    def summary(self) -> str:
        return f"status {self.status}"


@dataclass(frozen=True)
class _Failure:
    """An attempt that got no answer, told without the httpx error (which holds the request)."""

    message: str
    summary: str
    retryable: bool
    sent: bool
    """True when the request may have reached the server before the failure."""
    cause: BaseException | None


_Outcome = _Answer | _Failure


@dataclass
class _Call:
    """One call's request and what its attempts so far have shown."""

    method: str
    path: str
    request: httpx.Request = field(repr=False)
    attempts: int = 0
    last_summary: str = ""
    maybe_applied: bool = False
    """True once an attempt failed after its request may have reached the server."""


@dataclass(frozen=True)
class _Exchange:
    """The final answer to a call, and whether an earlier attempt may have taken effect."""

    answer: _Answer
    maybe_applied: bool


class RocksetClient:
    """A client for one Rockset API endpoint (public or PrivateLink), authenticated by an API key.

    ``timeout`` bounds each attempt, from connecting to the last byte of the answer; ``deadline``
    bounds a whole call, retries included (``None`` for no overall bound): a call returns or
    raises by then, whatever the server does. ``retry`` says how transient failures (connection
    errors, timeouts, 429, 502, 503, 504) are retried; its ``timeout`` is capped at ``deadline``,
    and a 429's ``Retry-After`` is honoured up to 30 s. ``local_address`` binds outgoing
    connections to a source address. ``sent_from`` names what sends the requests when
    ``transport`` relays them from elsewhere (``probe: vpc``'s function), for the messages of
    requests that got no answer; None for this machine.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        ca_bundle: str | None = None,
        timeout: float = 10.0,
        deadline: float | None = 60.0,
        retry: PollPolicy | None = None,
        local_address: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        sent_from: str | None = None,
    ) -> None:
        self._base_url = validate.https_base_url(base_url, ("base_url",), action=_ACTION)
        self._sent_from = sent_from
        validate.api_key(api_key, action=_ACTION)
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
        self._ca_bundle = ca_bundle
        self._timeout = timeout
        if retry is None:
            retry = PollPolicy(
                max_attempts=5,
                timeout=deadline,
                initial=0.5,
                ceiling=8.0,
                multiplier=2.0,
                jitter=0.5,
            )
        if deadline is not None and (retry.timeout is None or retry.timeout > deadline):
            retry = replace(retry, timeout=deadline)
        self._retry = retry
        self._sleep = sleep
        # trust_env=False: a proxy from the environment would hide which network path (public or
        # PrivateLink) actually answered, which is what this client exists to find out.
        if transport is None:
            transport = BoundedTransport(
                ssl_context=_ssl_context(ca_bundle), local_address=local_address
            )
        self._http = httpx.Client(
            base_url=self._base_url,
            transport=transport,
            headers={
                "User-Agent": _user_agent(),
                "Accept": "application/json",
                "Accept-Encoding": ", ".join(sorted(_CONTENT_CODINGS - {"x-gzip"})),
            },
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
            # reprlib: a bounded depth and length, where repr() of deep JSON would recurse.
            raise UnexpectedResponseError(
                self._said(
                    f"GET {self._base_url}/ answered {self._shown(_BRIEF.repr(payload), 200)} "
                    f'instead of {{"message": "{_PING_MESSAGE}"}}: is this a Rockset API endpoint?'
                ),
                base_url=self._base_url,
                status=200,
            )
        return _PING_MESSAGE

    def current_user(self) -> User:
        path = "/v1/orgs/self/users/self"
        return self._parse(path, User._from_api, self._call("GET", path))

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
        if exchange.answer.status == 409 and exchange.maybe_applied:
            # An earlier attempt whose answer was lost may have created the entry: if what
            # exists is what was asked for, the create did succeed.
            existing = self.get_ip_allowlist(name)
            if (existing.ip_address, existing.description) == (ip_address, description):
                return existing
        payload = self._payload("POST", _ALLOWLIST_PATH, exchange.answer)
        return self._parse(_ALLOWLIST_PATH, self._entry, payload)

    def delete_ip_allowlist(self, name: str) -> IpAllowlistEntry:
        """Remove an entry and return it as it was."""
        path = self._entry_path(name)
        exchange = self._exchange("DELETE", path)
        note = None
        if exchange.answer.status == 404 and exchange.maybe_applied:
            note = "an earlier attempt whose answer was lost may have deleted it"
        payload = self._payload("DELETE", path, exchange.answer, note=note)
        return self._parse(path, self._entry, payload)

    @staticmethod
    def _entry(payload: object) -> IpAllowlistEntry:
        return IpAllowlistEntry._from_api(_data(payload))

    @staticmethod
    def _entry_path(name: str) -> str:
        if not name:
            raise ConfigurationError("an allowlist entry name must not be empty")
        return f"{_ALLOWLIST_PATH}/{quote(name, safe='')}"

    def _shown(self, text: str, limit: int = _SHOWN) -> str:
        """Text from the other side as it may appear in a message or log line."""
        return clean(text, limit, secret=self._api_key)

    def _said(self, message: str) -> str:
        """A whole message as it is raised: cleaned again once put together, so that redaction
        is the last thing done to it."""
        return clean(message, _MESSAGE_LIMIT, secret=self._api_key)

    def _parse(self, path: str, parse: Callable[[object], _T], payload: object) -> _T:
        try:
            return parse(payload)
        except _ShapeError as exc:
            raise UnexpectedResponseError(
                self._said(
                    f"{self._base_url}{path} answered JSON that is not what Rockset sends: {exc}"
                ),
                base_url=self._base_url,
                status=200,
            ) from None

    def _call(
        self, method: str, path: str, *, auth: bool = True, json_body: object = None
    ) -> object:
        exchange = self._exchange(method, path, auth=auth, json_body=json_body)
        return self._payload(method, path, exchange.answer)

    def _payload(
        self, method: str, path: str, answer: _Answer, *, note: str | None = None
    ) -> object:
        """The JSON of a 2xx answer; any other answer raises the matching error."""
        if not 200 <= answer.status < 300:
            self._raise_for_status(method, path, answer, note=note)
        is_json, payload = _json(answer.body)
        if not is_json:
            content_type = self._shown(answer.content_type or "no Content-Type", 100)
            raise UnexpectedResponseError(
                self._said(
                    f"{method} {self._base_url}{path} answered {answer.status} with a body that "
                    f"is not JSON ({content_type}): is this a Rockset API endpoint, or is "
                    "something in between rewriting answers?"
                ),
                base_url=self._base_url,
                status=answer.status,
            )
        return payload

    def _raise_for_status(
        self,
        method: str,
        path: str,
        answer: _Answer,
        *,
        note: str | None = None,
        gave_up: str | None = None,
    ) -> NoReturn:
        raw_type, raw_message = _error_fields(answer.body)
        # Upper-cased before it is cleaned: upper-casing after redaction could join letters into
        # the key ("ß" is "SS").
        error_type = self._shown(raw_type.upper(), 60) or None if raw_type else None
        status = answer.status
        cls, hint = (
            _ERRORS_BY_TYPE.get(error_type or "")
            or _ERRORS_BY_STATUS.get(status)
            or _ERRORS_BY_CLASS.get(status // 100, _UNEXPECTED_STATUS)
        )
        described = f"{status} {error_type}" if error_type else str(status)
        detail = f": {self._shown(raw_message)}" if raw_message else ""
        parts = [f"{method} {self._base_url}{path} failed with {described}{detail}", hint]
        if note:
            parts.append(note)
        if gave_up:
            parts.append(gave_up)
        raise cls(
            self._said("; ".join(parts)),
            base_url=self._base_url,
            status=status,
            error_type=error_type,
        )

    def _exchange(
        self, method: str, path: str, *, auth: bool = True, json_body: object = None
    ) -> _Exchange:
        """Send with retries until an answer that is final, or the attempts or deadline run out."""
        headers = {"Authorization": f"ApiKey {self._api_key}"} if auth else {}
        request = self._http.build_request(method, path, headers=headers, json=json_body)
        call = _Call(method, path, request)
        polled = poll(partial(self._judge, call), self._retry, sleep=partial(self._pause, call))
        if not polled.final or isinstance(polled.value, _Failure):
            self._give_up(call, polled)
        return _Exchange(polled.value, call.maybe_applied)

    def _judge(self, call: _Call, remaining: float | None) -> Attempt[_Outcome]:
        """One attempt, and whether its outcome is final or worth another (and after how long)."""
        outcome = self._send_once(call, remaining)
        call.attempts += 1
        call.last_summary = outcome.summary
        if isinstance(outcome, _Failure):
            call.maybe_applied = call.maybe_applied or outcome.sent
            return Attempt(outcome, final=not outcome.retryable)
        if outcome.status not in _RETRY_STATUSES:
            return Attempt(outcome, final=True)
        asked = _retry_after(outcome.retry_after) if outcome.status == 429 else None
        return Attempt(outcome, final=False, wait_at_least=asked or 0.0)

    def _pause(self, call: _Call, wait: float) -> None:
        """The wait before the next attempt."""
        logger.warning(
            "%s %s%s: attempt %d failed (%s); retrying in %.2f s",
            call.method,
            self._base_url,
            call.path,
            call.attempts,
            call.last_summary,
            wait,
        )
        self._sleep(wait)

    def _give_up(self, call: _Call, polled: Polled[_Outcome]) -> NoReturn:
        """The error for the last outcome of a call that got no final answer."""
        gave_up = None
        if not polled.final:
            why = (
                f"{polled.attempts} attempts allowed"
                if polled.out_of == "attempts"
                else f"the {self._retry.timeout:g} s deadline leaves no time for another"
            )
            gave_up = (
                f"gave up after {polled.attempts} attempt(s) in {polled.elapsed:.1f} s ({why})"
            )
        outcome = polled.value
        if isinstance(outcome, _Answer):
            self._raise_for_status(call.method, call.path, outcome, gave_up=gave_up)
        message = outcome.message if gave_up is None else f"{outcome.message}; {gave_up}"
        raise TransportError(self._said(message), base_url=self._base_url) from outcome.cause

    def _send_once(self, call: _Call, remaining: float | None) -> _Outcome:
        """One attempt: the request out and a whole answer in, within the time it may take."""
        if remaining is not None and remaining < self._timeout:
            budget, bound = remaining, f"the {self._retry.timeout:g} s deadline"
        else:
            budget, bound = self._timeout, f"the {self._timeout:g} s timeout"
        with time_limit(budget):
            try:
                response = self._http.send(call.request, stream=True)
                try:
                    return self._read(call, response)
                finally:
                    response.close()
            except httpx.HTTPError as exc:
                return self._failure(call, exc, bound)

    def _read(self, call: _Call, response: httpx.Response) -> _Answer:
        """The whole answer, raw and decompressed body each at most ``_MAX_BODY`` bytes."""
        status = response.status_code
        declared = _header_number(response.headers.get("Content-Length"))
        if declared is not None and declared > _MAX_BODY:
            self._too_large(call, status, f"its Content-Length is {declared}")
        raw = bytearray()
        for chunk in response.iter_raw():
            raw += chunk
            if len(raw) > _MAX_BODY:
                self._too_large(call, status, f"more than {_MAX_BODY} bytes arrived")
        return _Answer(
            status=status,
            content_type=response.headers.get("Content-Type"),
            retry_after=response.headers.get("Retry-After"),
            body=self._decompressed(call, status, bytes(raw), response.headers),
        )

    def _decompressed(self, call: _Call, status: int, raw: bytes, headers: httpx.Headers) -> bytes:
        coding = headers.get("Content-Encoding", "identity").strip().lower()
        if coding == "identity" or not raw:
            return raw
        where = f"{call.method} {self._base_url}{call.path}"
        if coding not in _CONTENT_CODINGS:
            raise UnexpectedResponseError(
                self._said(
                    f"{where} answered {status} in Content-Encoding {self._shown(coding, 40)}, "
                    "which this client does not ask for: is something in between rewriting "
                    "answers?"
                ),
                base_url=self._base_url,
                status=status,
            )
        # Both zlib and gzip headers are accepted: "deflate" is sent either way in practice.
        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 32)
        try:
            body: bytes | None = decompressor.decompress(raw, _MAX_BODY + 1)
        except zlib.error:
            body = None
        if body is not None and len(body) > _MAX_BODY:
            self._too_large(call, status, f"more than {_MAX_BODY} bytes once decompressed")
        if body is None or not decompressor.eof:
            raise UnexpectedResponseError(
                self._said(
                    f"{where} answered {status} with a {self._shown(coding, 40)} body that does "
                    "not decompress: is something in between rewriting answers?"
                ),
                base_url=self._base_url,
                status=status,
            )
        return body

    def _too_large(self, call: _Call, status: int, what: str) -> NoReturn:
        raise ResponseTooLargeError(
            self._said(
                f"{call.method} {self._base_url}{call.path} answered {status} with a body over "
                f"{_MAX_BODY // (1 << 20)} MiB ({what}); Rockset's answers are far smaller: is "
                "this a Rockset API endpoint?"
            ),
            base_url=self._base_url,
            status=status,
        )

    def _failure(self, call: _Call, exc: httpx.HTTPError, bound: str) -> _Failure:
        """What went wrong, in words and without ``exc``, which holds the request."""
        chain = _chain(exc)
        retryable, template = next(
            (retryable, template)
            for kind, retryable, template in _TRANSPORT_FAILURES
            if any(isinstance(link, kind) for link in chain)
        )
        if isinstance(exc, httpx.TimeoutException):
            reason = f"no complete answer within {bound}"
            if self._sent_from is not None and str(exc):
                # The relay says which leg ran out of time: invoking, or the function's request.
                reason += f": {self._shown(str(exc), 200)}"
        else:
            reason = self._shown(str(exc) or type(exc).__name__, 200)
        reachable = (
            _REACHABLE
            if self._sent_from is None
            else _REACHABLE_RELAYED.format(sent_from=self._sent_from)
        )
        message = template.format(
            method=call.method,
            url=f"{self._base_url}{call.path}",
            reason=reason,
            ca_bundle=self._ca_bundle or "the certifi default",
            reachable=reachable,
        )
        return _Failure(
            message=message,
            summary=f"{type(exc).__name__}: {reason}",
            retryable=retryable,
            sent=not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout),
            cause=_root_cause(chain),
        )
