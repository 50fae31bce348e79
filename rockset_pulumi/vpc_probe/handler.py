"""The probe function's code: relays one HTTPS request to the PrivateLink host, from inside the VPC.

Standard library only: the component uploads this file alone (``pulumi.AssetArchive``), with no
dependencies, to a Python runtime of AWS Lambda. The runner's
:mod:`rockset_pulumi.vpc_probe.relay` invokes it once per request with a payload of::

    {"method": "GET", "url": "https://<host>[:port]/path?query", "headers": [[name, value], ...],
     "body": "<base64>", "deadline": <seconds>, "ca_bundle_pem": "<PEM text>" (optional)}

and gets back either the answer, ``{"status": 200, "headers": [[name, value], ...], "body":
"<base64>"}``, or why there is none, ``{"error": {"kind": ..., "message": ..., "sent": bool}}``,
``kind`` one of :data:`ERROR_KINDS` and ``sent`` whether the request may have reached the host.

It is not an open relay: the only host and port it talks to are those of ``ROCKSET_PROBE_TARGET``
in its environment (``host:port``, set by the component; the environment holds nothing secret),
over HTTPS, with TLS verified against the system's CAs or the PEM text the caller passes (the
component's ``ca_bundle``, read on the runner), and without following redirects. The answer is
bounded in size (:data:`MAX_BODY`, :data:`MAX_HEADERS`) and the whole exchange in time: by the
payload's deadline and by what is left of the invocation. The API key travels in the payload's
``Authorization`` header only; nothing here logs a header, a body or an error text (which could
echo them), a header HTTP cannot carry is refused by its position, and an unforeseen failure of
the exchange is named by its type alone.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import logging
import os
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "ERROR_KINDS",
    "MAX_BODY",
    "MAX_DEADLINE",
    "MAX_HEADERS",
    "MAX_REQUEST_BODY",
    "METHODS",
    "TARGET_ENV",
    "handler",
]

TARGET_ENV = "ROCKSET_PROBE_TARGET"
"""The environment variable naming the one ``host:port`` this function relays to."""
MAX_BODY = 1 << 20
"""Bytes of an answer's body relayed, as sent (the client's own cap); more is ``too_large``."""
MAX_REQUEST_BODY = 64 << 10
"""Bytes of a request body accepted: Rockset's allowlist writes are a few hundred."""
MAX_DEADLINE = 60.0
"""Most seconds one relayed exchange may take."""
MAX_HEADERS = 64 << 10
"""Bytes of an answer's header names and values relayed; more is ``too_large``. http.client
alone admits 100 lines of 64 KiB, more than Lambda can return."""
METHODS = frozenset({"GET", "POST", "DELETE"})
"""The methods rockset-pulumi uses."""
ERROR_KINDS = ("refused", "dns", "connect", "tls", "timeout", "protocol", "too_large")
"""Why there is no answer: refused by this function, or the exchange with the host failed."""

# Time kept back from the invocation's remaining time to return the answer before Lambda stops us.
_MARGIN = 0.5
_CHUNK = 64 << 10
_SHOWN = 300
# Hop-by-hop headers and those http.client writes itself: a caller cannot choose the Host.
_DROPPED_REQUEST_HEADERS = frozenset(
    {"host", "connection", "content-length", "transfer-encoding", "keep-alive", "te", "upgrade"}
)
# The relayed body is the decoded message body, so its framing does not travel with it.
_DROPPED_RESPONSE_HEADERS = frozenset({"connection", "transfer-encoding", "keep-alive"})
# What HTTP allows in a header name (a token) and value (visible Latin-1 text, spaces and tabs),
# checked here: http.client refuses the rest with a ValueError that repeats the value, which may
# be the key, and that a worker thread would print to the log.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
_REQUEST_TARGET = re.compile(r"[!-~]+")
_DIGITS = re.compile(r"[0-9]+", re.ASCII)

logger = logging.getLogger("rockset_probe")


class _Refused(Exception):
    """A payload this function does not relay."""


@dataclass(frozen=True)
class _Request:
    method: str
    host: str
    port: int
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    deadline: float
    ca_bundle_pem: str | None


def _target(configured: str) -> tuple[str, int]:
    host, _, port = configured.rpartition(":")
    if not host or not port.isdigit():
        raise _Refused(
            f"the function's {TARGET_ENV} is {configured!r}, not host:port; it is set by the "
            "rockset-pulumi component, so redeploy it with `pulumi up`"
        )
    return host.lower(), int(port)


def _headers(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise _Refused("headers must be a list of [name, value] pairs")
    pairs = []
    for index, item in enumerate(value):
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise _Refused("headers must be a list of [name, value] pairs of strings")
        # Named by position only: a name or value may be the key, pasted in the wrong place.
        if not _HEADER_NAME.fullmatch(item[0]):
            raise _Refused(f"the name of headers[{index}] is not an HTTP token")
        if not _HEADER_VALUE.fullmatch(item[1]):
            raise _Refused(
                f"the value of headers[{index}] has control or non-Latin-1 characters (not shown)"
            )
        if item[0].lower() not in _DROPPED_REQUEST_HEADERS:
            pairs.append((item[0], item[1]))
    return tuple(pairs)


def _body(value: object) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Refused("body must be a base64 string")
    try:
        body = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Refused("body is not valid base64") from None
    if len(body) > MAX_REQUEST_BODY:
        raise _Refused(f"the request body is over {MAX_REQUEST_BODY} bytes")
    return body


def _deadline(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise _Refused("deadline must be a positive number of seconds")
    # min before float: a JSON integer of hundreds of digits overflows a float.
    return float(min(value, MAX_DEADLINE))


def _parse(event: object, configured: str) -> _Request:
    """The request ``event`` asks for, if it is one this function relays."""
    host, port = _target(configured)
    if not isinstance(event, dict):
        raise _Refused("the payload must be a JSON object")
    method, url = event.get("method"), event.get("url")
    if not isinstance(method, str) or method not in METHODS:
        raise _Refused(f"method must be one of {sorted(METHODS)}")
    if not isinstance(url, str):
        raise _Refused("url must be a string")
    try:
        parts = urlsplit(url)
        asked_port = parts.port or 443
    except ValueError:
        raise _Refused("url is not a valid URL") from None
    if parts.scheme != "https":
        raise _Refused("only https:// URLs are relayed")
    if parts.username is not None or parts.password is not None:
        raise _Refused("url must not carry credentials")
    if (parts.hostname or "", asked_port) != (host, port):
        raise _Refused(f"this function relays to {host}:{port} only")
    pem = event.get("ca_bundle_pem")
    if pem is not None and not isinstance(pem, str):
        raise _Refused("ca_bundle_pem must be PEM text")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not _REQUEST_TARGET.fullmatch(target):
        raise _Refused("the url's path and query must be percent-encoded ASCII")
    return _Request(
        method=method,
        host=host,
        port=port,
        target=target,
        headers=_headers(event.get("headers", [])),
        body=_body(event.get("body")),
        deadline=_deadline(event.get("deadline")),
        ca_bundle_pem=pem,
    )


def _error(kind: str, message: str, *, sent: bool) -> dict[str, Any]:
    return {"error": {"kind": kind, "message": message[:_SHOWN], "sent": sent}}


def _ssl_context(pem: str | None) -> ssl.SSLContext:
    context = (
        ssl.create_default_context() if pem is None else ssl.create_default_context(cadata=pem)
    )
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _Exchange:
    """One request and its answer, on a worker thread that the caller stops waiting for at the
    deadline: every blocking step (name resolution included) is then bounded as a whole."""

    def __init__(self, request: _Request) -> None:
        self._request = request
        self._sent = False
        self._connection: http.client.HTTPSConnection | None = None
        self._outcome: dict[str, Any] | None = None

    def run(self, budget: float) -> dict[str, Any]:
        worker = threading.Thread(target=self._work, args=(budget,), daemon=True)
        worker.start()
        worker.join(budget)
        if self._outcome is not None:
            return self._outcome
        self._abandon()
        return _error("timeout", f"no complete answer within {budget:.1f} s", sent=self._sent)

    def _abandon(self) -> None:
        connection = self._connection
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                return

    def _work(self, budget: float) -> None:
        try:
            self._outcome = self._exchange(budget)
        except ssl.SSLError as exc:
            self._outcome = _error("tls", f"TLS: {exc}", sent=False)
        except socket.gaierror as exc:
            self._outcome = _error("dns", f"could not resolve the host: {exc}", sent=False)
        except TimeoutError as exc:
            self._outcome = _error("timeout", f"timed out: {exc}", sent=self._sent)
        except http.client.HTTPException as exc:
            what = type(exc).__name__
            self._outcome = _error("protocol", f"not an HTTP/1.1 answer ({what})", sent=True)
        except OSError as exc:
            kind = "protocol" if self._sent else "connect"
            self._outcome = _error(kind, f"{type(exc).__name__}: {exc}", sent=self._sent)
        except Exception as exc:
            # Anything else would end the thread with a traceback in the log, its text (which
            # may repeat a header) included; the kind of failure is all that is said.
            what = type(exc).__name__
            self._outcome = _error("protocol", f"the exchange failed ({what})", sent=self._sent)

    def _exchange(self, budget: float) -> dict[str, Any]:
        request = self._request
        connection = http.client.HTTPSConnection(
            request.host,
            request.port,
            timeout=budget,
            context=_ssl_context(request.ca_bundle_pem),
        )
        self._connection = connection
        try:
            connection.connect()
            self._sent = True
            connection.request(
                request.method, request.target, body=request.body, headers=dict(request.headers)
            )
            response = connection.getresponse()
            declared = response.getheader("Content-Length", "").strip(" \t")
            # ASCII digits only: str.isdigit() admits "²", which int() refuses; and a number
            # too long for int() is too large anyway.
            if _DIGITS.fullmatch(declared) and (len(declared) > 15 or int(declared) > MAX_BODY):
                return _error("too_large", f"Content-Length is {declared[:20]}", sent=True)
            body = bytearray()
            while chunk := response.read(_CHUNK):
                body += chunk
                if len(body) > MAX_BODY:
                    return _error("too_large", f"more than {MAX_BODY} bytes arrived", sent=True)
            headers = [
                [name, value]
                for name, value in response.getheaders()
                if name.lower() not in _DROPPED_RESPONSE_HEADERS
            ]
            if sum(len(name) + len(value) for name, value in headers) > MAX_HEADERS:
                return _error("too_large", f"headers of more than {MAX_HEADERS} bytes", sent=True)
            return {
                "status": response.status,
                "headers": headers,
                "body": base64.b64encode(bytes(body)).decode("ascii"),
            }
        finally:
            connection.close()


def _remaining(context: object) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return MAX_DEADLINE if remaining is None else float(remaining()) / 1000.0


def handler(event: object, context: object) -> dict[str, Any]:
    """Lambda's entry point (``handler.handler``): relay the request ``event`` describes."""
    started = time.monotonic()
    try:
        request = _parse(event, os.environ.get(TARGET_ENV, ""))
    except _Refused as exc:
        logger.warning("refused a request: %s", exc)
        return _error("refused", str(exc), sent=False)
    budget = min(request.deadline, _remaining(context) - _MARGIN)
    if budget <= 0:
        return _error("timeout", "the invocation has no time left for the request", sent=False)
    outcome = _Exchange(request).run(budget)
    # The path and the outcome only: headers and bodies hold the key, error texts may echo it.
    result = outcome.get("status") or outcome.get("error", {}).get("kind")
    logger.info(
        "%s %s -> %s in %.0f ms",
        request.method,
        request.target.split("?", 1)[0],
        result,
        (time.monotonic() - started) * 1000,
    )
    return outcome
