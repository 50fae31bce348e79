"""An HTTPS server that misbehaves on purpose, for the bounds a client must keep.

A behaviour is a function of the request returning what to send: ``bytes`` are written as they
come, a ``float`` is a pause in seconds. So a trickle is a generator alternating one byte and a
pause, and an endless answer a generator that never ends; the server stops it when the client
hangs up or the server closes. Use as ``with HostileServer(tmp_path) as server``, then set
``server.behaviour``.
"""

from __future__ import annotations

import gzip
import json
import socketserver
import ssl
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme

__all__ = [
    "Behaviour",
    "HostileServer",
    "Request",
    "answer",
    "endless_processing",
    "gzip_bomb",
    "gzipped",
    "huge_body",
    "json_answer",
    "trickled_body",
    "trickled_headers",
]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    """Names lower-cased."""

    @property
    def api_key(self) -> str:
        return self.headers.get("authorization", "").removeprefix("ApiKey ")


Behaviour = Callable[[Request], Iterable[bytes | float]]

TRICKLE = 0.05
"""Seconds between two bytes of a trickle: far shorter than any per-read timeout."""


def answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    head = [f"HTTP/1.1 {status} Whatever", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + body


def json_answer(status: int, document: object, headers: dict[str, str] | None = None) -> bytes:
    body = json.dumps(document).encode("utf-8")
    return answer(status, body, {"Content-Type": "application/json", **(headers or {})})


def trickled_headers(_: Request) -> Iterator[bytes | float]:
    """A status line, then header lines a byte at a time, forever."""
    yield b"HTTP/1.1 200 OK\r\n"
    while True:
        for byte in b"X-Slow: yes\r\n":
            yield bytes([byte])
            yield TRICKLE


def trickled_body(_: Request) -> Iterator[bytes | float]:
    """Headers at once, then a (long) JSON body a byte at a time."""
    yield b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    while True:
        yield b" "
        yield TRICKLE


def endless_processing(_: Request) -> Iterator[bytes | float]:
    """``102 Processing``, again and again, and never a final answer."""
    while True:
        yield b"HTTP/1.1 102 Processing\r\n\r\n"
        yield TRICKLE


def huge_body(size: int, *, declared: bool) -> Behaviour:
    """``size`` bytes of JSON white space, with a Content-Length saying so or chunked."""
    chunk = b" " * 65536
    if not declared:
        chunk = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    framing = f"Content-Length: {size}" if declared else "Transfer-Encoding: chunked"
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"

    def behaviour(_request: Request) -> Iterator[bytes | float]:
        yield head.encode()
        # The same chunk object every time: the server itself allocates nothing as it sends.
        for _ in range(size // 65536):
            yield chunk
        if not declared:
            yield b"0\r\n\r\n"

    return behaviour


def gzip_bomb(mebibytes: int) -> bytes:
    """A gzip stream of ``mebibytes`` MiB of JSON white space, about a thousandth of that."""
    block = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = [compressor.compress(block) for _ in range(mebibytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


def gzipped(status: int, body: bytes) -> bytes:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    return answer(status, gzip.compress(body) if body else body, headers)


def _read_request(stream: Iterator[bytes]) -> Request | None:
    try:
        method, path, _ = next(stream).decode("latin-1").split(" ", 2)
    except (StopIteration, ValueError):
        return None
    headers: dict[str, str] = {}
    for line in stream:
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        lines = iter(self.rfile.readline, b"")
        while (request := _read_request(lines)) is not None:
            self.rfile.read(int(request.headers.get("content-length", "0")))
            try:
                self._perform(self.server.behaviour(request))
            except OSError:
                return  # The client hung up, which is what a client bounding a call does.

    def _perform(self, steps: Iterable[bytes | float]) -> None:
        for step in steps:
            if isinstance(step, bytes):
                self.wfile.write(step)
                self.wfile.flush()
            elif self.server.closing.wait(step):
                return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    behaviour: Behaviour
    closing: threading.Event


class HostileServer:
    def __init__(self, directory: Path) -> None:
        ca = trustme.CA()
        self.ca_bundle = str(directory / "hostile-ca.pem")
        ca.cert_pem.write_to_path(self.ca_bundle)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.behaviour = lambda _: [json_answer(200, {"message": "GO ROCKSET!"})]
        self._server.closing = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def behaviour(self) -> Behaviour:
        return self._server.behaviour

    @behaviour.setter
    def behaviour(self, behaviour: Behaviour) -> None:
        self._server.behaviour = behaviour

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.closing.set()
        self._server.shutdown()
        self._server.server_close()
