"""A tiny HTTPS server answering every request with one canned response.

For the answers the emulator never gives but a client must still classify: an ``AUTHEXCEPTION``
under a status other than 401, an HTML page from a gateway, a redirect.
"""

from __future__ import annotations

import http.server
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

import trustme

__all__ = ["CannedResponse", "CannedServer"]


@dataclass(frozen=True)
class CannedResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        canned = self.server.canned
        self.send_response(canned.status)
        for name, value in canned.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(canned.body)))
        self.end_headers()
        self.wfile.write(canned.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest shows a failing test's own output."""


class _Server(http.server.ThreadingHTTPServer):
    canned: CannedResponse


class CannedServer:
    """Use as ``with CannedServer(tmp_path) as server``, then set ``server.canned``."""

    def __init__(self, directory: Path) -> None:
        ca = trustme.CA()
        self.ca_bundle = str(directory / "canned-ca.pem")
        ca.cert_pem.write_to_path(self.ca_bundle)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._server.canned = CannedResponse(200, b'{"message":"GO ROCKSET!"}')
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def canned(self) -> CannedResponse:
        return self._server.canned

    @canned.setter
    def canned(self, response: CannedResponse) -> None:
        self._server.canned = response

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> CannedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
