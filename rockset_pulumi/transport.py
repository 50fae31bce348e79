"""An httpx transport on which a time limit bounds a whole exchange, not each read.

httpx's timeouts apply to one socket operation at a time, so a server that trickles its headers
or body a byte at a time, or sends ``102 Processing`` forever, holds a request for as long as it
likes. :class:`BoundedTransport` is an HTTP/1.1 transport (httpcore's connection pool, as in
httpx's own transport, whose pool cannot be given a network backend) over a network backend that
gives every socket operation (connect, TLS handshake, write, read) at most the time left until
the end set by :func:`time_limit`, and fails the operation once that end has passed. No thread
watches the clock: every place that can block already waits at most until the end. (Name
resolution is not a socket operation and is bounded by the resolver alone.)
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

__all__ = ["BoundedTransport", "time_left", "time_limit"]

# Set per exchange in the calling thread, which is also the thread that does the socket I/O.
_ENDS_AT: ContextVar[float | None] = ContextVar("rockset_pulumi_ends_at", default=None)

# Most specific first: the first class in an error's MRO found here gives its httpx class.
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Within the block, I/O on a :class:`BoundedTransport` ends ``seconds`` from now at the latest.

    An operation still waiting then fails with the matching httpx timeout error.
    """
    token = _ENDS_AT.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _ENDS_AT.reset(token)


def time_left() -> float | None:
    """Seconds left of the current :func:`time_limit` (0 once it has passed); None outside one."""
    ends_at = _ENDS_AT.get()
    return None if ends_at is None else max(0.0, ends_at - time.monotonic())


def _bounded(timeout: float | None, error: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` shortened to what the time limit leaves; ``error`` when nothing is left."""
    ends_at = _ENDS_AT.get()
    if ends_at is None:
        return timeout
    left = ends_at - time.monotonic()
    if left <= 0:
        raise error("the time limit of the exchange has passed")
    return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # The socket timeout bounds the whole handshake, not each of its reads.
        timeout = _bounded(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _bounded(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _BoundedStream(stream)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
        mapped = next(_HTTPX_ERRORS[kind] for kind in type(exc).__mro__ if kind in _HTTPX_ERRORS)
        raise mapped(str(exc)) from exc


class _ResponseBody(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._response.iter_stream()

    def close(self) -> None:
        self._response.close()


class BoundedTransport(httpx.BaseTransport):
    """HTTP/1.1 over a keep-alive pool, honouring :func:`time_limit`; no proxy, no retries."""

    def __init__(self, *, ssl_context: ssl.SSLContext, local_address: str | None = None) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            local_address=local_address,
            network_backend=_BoundedBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = self._pool.handle_request(core_request)
        return httpx.Response(
            response.status,
            headers=response.headers,
            stream=_ResponseBody(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
