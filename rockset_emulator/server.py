"""The emulator's two HTTPS listeners ("public" and "privatelink"), fault injection and readiness.

Built on the standard library's ``socketserver`` so that transport-level behaviour a real endpoint
shows (a refused connection while a VPC endpoint is Pending, a connection reset, a slow answer)
is plain socket code, and the client's source address is at hand for IP allowlisting.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import shutil
import socket
import socketserver
import ssl
import struct
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rockset_emulator.app import (
    DEFAULT_READ_LIMIT_PER_MINUTE,
    DEFAULT_UPDATE_LIMIT_PER_MINUTE,
    Listener,
    Request,
    Response,
    RocksetApp,
    error_response,
    is_allowlist_write,
)
from rockset_emulator.faults import Fault, FaultConfig, FaultInjector
from rockset_emulator.state import OrgState
from rockset_emulator.tls import prepare_tls

__all__ = ["Emulator", "EmulatorConfig"]

logger = logging.getLogger("rockset_emulator")

_MAX_BODY = 1 << 20
_HANDSHAKE_TIMEOUT = 10.0
# Idle keep-alive connections are dropped after this, as load balancers do.
_IDLE_TIMEOUT = 30.0


@dataclass(frozen=True)
class EmulatorConfig:
    api_keys: tuple[str, ...]
    read_only_api_keys: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    public_port: int = 0
    privatelink_port: int = 0
    state_file: Path | None = None
    ready_after: float = 0.0
    user_email: str = "admin@example.com"
    faults: FaultConfig = field(default_factory=FaultConfig)
    request_log: Path | None = None
    ca_dir: Path | None = None
    tls_names: tuple[str, ...] = ()
    read_limit_per_minute: int = DEFAULT_READ_LIMIT_PER_MINUTE
    update_limit_per_minute: int = DEFAULT_UPDATE_LIMIT_PER_MINUTE


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rockset-emulator"
    sys_version = ""
    timeout = _IDLE_TIMEOUT
    server: _ListenerServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def version_string(self) -> str:
        return self.server_version

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests go to the JSON request log instead."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s: " + format, self.server.listener, self.client_address[0], *args)

    def _dispatch(self) -> None:
        emulator = self.server.emulator
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self.close_connection = True
            emulator.log_request(self.server.listener, self, 400, None, None)
            self._send(error_response(400, "Invalid or too large Content-Length", "BADREQUEST"))
            return
        body = self.rfile.read(length) if length else b""

        write: int | None = None
        # Drawn for every request, so a seed gives the same random faults with or without
        # write faults configured.
        fault = emulator.faults.draw()
        if is_allowlist_write(self.command, self.path):
            write, write_fault = emulator.faults.next_write()
            if write_fault is not None:
                fault = write_fault.fault
        if emulator.config.faults.latency:
            time.sleep(emulator.config.faults.latency)
        if fault == "dropped_write":
            emulator.log_request(self.server.listener, self, None, fault, write, body=body)
            self._reset_connection()
            return
        if fault == "error":
            response = error_response(503, "Service temporarily unavailable", "SERVICEUNAVAILABLE")
        elif fault == "rate_limit":
            response = error_response(
                429, "Rate limit exceeded; retry later", "RATELIMITEXCEEDED", [("Retry-After", "1")]
            )
        else:
            response = emulator.app.handle(
                Request(
                    listener=self.server.listener,
                    method=self.command,
                    target=self.path,
                    authorization=self.headers.get("Authorization"),
                    content_type=self.headers.get("Content-Type"),
                    body=body,
                    client_ip=self.client_address[0],
                )
            )
            if fault == "malformed":
                response = Response(200, response.body[: len(response.body) // 2])
            elif fault in ("reset", "lost_write_answer"):
                # The request took effect and only its answer is lost: the case that makes a
                # client's retry of a create meet its own earlier success.
                emulator.log_request(self.server.listener, self, None, fault, write, body=body)
                self._reset_connection()
                return
        # Logged before the answer leaves, so a client that has its answer can read the log line.
        emulator.log_request(self.server.listener, self, response.status, fault, write, body=body)
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)

    def _reset_connection(self) -> None:
        # Linger 0 makes close() send a TCP RST instead of a FIN: the client sees a reset.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class _ListenerServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, emulator: Emulator, listener: Listener, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler, bind_and_activate=False)
        self.emulator = emulator
        self.listener: Listener = listener
        self._connections: set[ssl.SSLSocket] = set()
        self._connections_lock = threading.Lock()

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The handshake runs here, in the connection's own thread, so a slow or broken client
        # cannot hold up accept() for everyone else.
        raw: socket.socket = request
        raw.settimeout(_HANDSHAKE_TIMEOUT)
        try:
            conn = self.emulator.tls_context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            logger.debug("%s: TLS handshake with %s failed: %s", self.listener, client_address, exc)
            return
        with self._connections_lock:
            self._connections.add(conn)
        try:
            _Handler(conn, client_address, self)
        except (ConnectionError, TimeoutError, ssl.SSLError) as exc:
            logger.debug("%s: connection from %s ended: %s", self.listener, client_address, exc)
        finally:
            with self._connections_lock:
                self._connections.discard(conn)
            conn.close()

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Emulator:
    """A running emulated Rockset organization: ``Emulator(config).start()`` ... ``.stop()``."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.app = RocksetApp(
            OrgState(user_email=config.user_email, state_file=config.state_file),
            api_keys=config.api_keys,
            read_only_api_keys=config.read_only_api_keys,
            read_limit_per_minute=config.read_limit_per_minute,
            update_limit_per_minute=config.update_limit_per_minute,
        )
        self.faults = FaultInjector(config.faults)
        self._log_lock = threading.Lock()
        self._log_file: Any = None
        self._temp_ca_dir: Path | None = None
        self._servers: dict[Listener, _ListenerServer] = {}
        self._threads: list[threading.Thread] = []
        self._serving: set[Listener] = set()
        self._state_lock = threading.Lock()
        self._stopping = threading.Event()
        self.tls_context: ssl.SSLContext
        self.ca_bundle: Path
        self.privatelink_ready = threading.Event()

    def start(self) -> Emulator:
        ca_dir = self.config.ca_dir
        if ca_dir is None:
            ca_dir = self._temp_ca_dir = Path(tempfile.mkdtemp(prefix="rockset-emulator-ca-"))
        names = [self.config.host, *self.config.tls_names]
        tls = prepare_tls(ca_dir, [name for name in names if name not in ("0.0.0.0", "::")])  # noqa: S104
        self.tls_context, self.ca_bundle = tls.context, tls.ca_bundle
        if self.config.request_log is not None:
            self._log_file = self.config.request_log.open("a", encoding="utf-8")
        ports: dict[Listener, int] = {
            "public": self.config.public_port,
            "privatelink": self.config.privatelink_port,
        }
        try:
            for listener, port in ports.items():
                server = _ListenerServer(self, listener, self.config.host, port)
                self._servers[listener] = server
                server.server_bind()
        except BaseException:
            self.stop()
            raise
        self._start_serving("public", delay=0.0)
        self._start_serving("privatelink", delay=self.config.ready_after)
        return self

    def _activate(self, listener: Listener) -> bool:
        """listen() on the bound port; False once stopping."""
        with self._state_lock:
            if self._stopping.is_set():
                return False
            self._servers[listener].server_activate()
            self._serving.add(listener)
        if listener == "privatelink":
            self.privatelink_ready.set()
        logger.info("%s listener accepting on %s", listener, self.url(listener))
        return True

    def _start_serving(self, listener: Listener, *, delay: float) -> None:
        server = self._servers[listener]
        # A listener due now listens before start() returns, so whoever is told the URLs can
        # connect at once.
        active = delay <= 0 and self._activate(listener)

        def serve() -> None:
            # Until listen() the port is bound but not listening: the kernel refuses connections,
            # as a VPC endpoint does while it is Pending.
            if not active and (self._stopping.wait(delay) or not self._activate(listener)):
                return
            server.serve_forever(poll_interval=0.2)

        thread = threading.Thread(target=serve, name=f"emulator-{listener}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def url(self, listener: Listener) -> str:
        port = self._servers[listener].server_address[1]
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"https://{shown}:{port}"

    @property
    def public_url(self) -> str:
        return self.url("public")

    @property
    def privatelink_url(self) -> str:
        return self.url("privatelink")

    def stop(self) -> None:
        with self._state_lock:
            self._stopping.set()
            serving = set(self._serving)
        for listener, server in self._servers.items():
            if listener in serving:
                server.shutdown()
            server.drop_connections()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5.0)
        if self._log_file is not None:
            with self._log_lock:
                self._log_file.close()
                self._log_file = None
        if self._temp_ca_dir is not None:
            shutil.rmtree(self._temp_ca_dir, ignore_errors=True)
            self._temp_ca_dir = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def writes(self) -> int:
        """How many allowlist writes (POST or DELETE, either listener) have arrived so far.

        A test can read it before an operation and after, to number the operation's writes for
        :class:`~rockset_emulator.faults.WriteFault`; the request log's ``write`` field says the
        same of each logged request.
        """
        return self.faults.writes

    def log_request(
        self,
        listener: Listener,
        handler: http.server.BaseHTTPRequestHandler,
        status: int | None,
        fault: Fault | None,
        write: int | None,
        *,
        body: bytes = b"",
    ) -> None:
        """One JSON line per request; headers (and so the API key) are never written. An
        allowlist write's line carries its body too (what a test compares across runs)."""
        if self._log_file is None:
            return
        record: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "listener": listener,
            "method": handler.command,
            "path": urlsplit(handler.path).path,
            "status": status,
            "client": handler.client_address[0],
        }
        if write is not None:
            record["write"] = write
            if body:
                record["body"] = body.decode("utf-8", errors="replace")
        if fault is not None:
            record["fault"] = fault
        line = json.dumps(record) + "\n"
        with self._log_lock:
            if self._log_file is not None:
                self._log_file.write(line)
                self._log_file.flush()
