"""A minimal HTTP CONNECT proxy that tunnels every CONNECT to one fixed address.

The official ``rockset`` client only accepts hosts matching ``https://*.rockset.com``. Pointed at
this proxy (its ``Configuration.proxy``), it keeps its own host check, sends SNI and checks the
certificate against that host name as usual, while the bytes reach the local emulator, whose
certificate also names the host (``--tls-name``). TLS runs end to end; the proxy sees ciphertext.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading

__all__ = ["ConnectProxy"]

_MAX_HEAD = 8192


class _TunnelHandler(socketserver.BaseRequestHandler):
    server: _ProxyServer
    request: socket.socket

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(1024)
            if not chunk or len(head) > _MAX_HEAD:
                return
            head += chunk
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = request_line.partition(" ")
        if method != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.authorities.append(rest.split(" ", 1)[0])
        upstream = socket.create_connection(self.server.target, timeout=10)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        backward = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
        backward.start()
        _pump(self.request, upstream)
        backward.join(timeout=10)
        upstream.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, target: tuple[str, int]) -> None:
        super().__init__(("127.0.0.1", 0), _TunnelHandler)
        self.target = target
        self.authorities: list[str] = []


class ConnectProxy:
    """``with ConnectProxy(("127.0.0.1", port)) as proxy: ... proxy.url ...``"""

    def __init__(self, target: tuple[str, int]) -> None:
        self._server = _ProxyServer(target)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def authorities(self) -> list[str]:
        """The ``host:port`` of every CONNECT received."""
        return list(self._server.authorities)

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
