"""A stand-in for AWS Lambda's Invoke call, running a function's real uploaded zip.

moto stores Lambda functions, but invoking one needs docker. :class:`LambdaInvokeServer` serves
Lambda's ``Invoke`` REST call instead (``POST /2015-03-31/functions/{name}/invocations``) on
loopback; boto3 reaches it through ``AWS_ENDPOINT_URL_LAMBDA``, which the engine's environment
sets (``devtools.engine.engine_env``) while every other call goes to moto.

For each invocation it reads the function's configuration from moto (``GetFunction``, in the
region of the request's signature: handler, environment, timeout, ``CodeSha256``), takes the zip
the AWS stand-in plugin kept for that ``CodeSha256`` (moto does not serve code: the plugin keeps
each upload as ``<code_dir>/<sha256 hex>.zip``, see ``devtools.aws_double.lambda_functions``),
unpacks it once, and runs the handler in a subprocess (``devtools/lambda_bootstrap.py``, without
site-packages) with the function's environment, within the function's timeout. The subprocess,
and only it, is inside the offline VPC: the names in ``vpc_hosts`` resolve there (see
``devtools.vpc``).

Answers are Lambda's: 200 with the function's result, or with ``X-Amz-Function-Error: Unhandled``
and ``{"errorMessage", "errorType"}`` for an error or ``Task timed out after N seconds``;
``ResourceNotFoundException`` (404) for an unknown function, ``InvalidRequestContentException``
(400) for a payload that is not JSON, ``RequestTooLargeException`` (413) over 6 MB. Each
invocation is recorded (function, outcome, duration: never the payload, which holds the API key)
in :attr:`LambdaInvokeServer.invocations` and, with ``log``, as a JSON line; the function's own
log output goes to ``<log dir>/<function>.log``.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import re
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from devtools.aws_double.lambda_functions import code_file

__all__ = ["LambdaInvokeServer"]

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
_SIGNED_REGION = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/lambda/")
_MAX_PAYLOAD = 6 * 1000 * 1000
_FAKE = "testing"
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
"""What Lambda's Python runtime adds to the standard library: boto3 and its dependencies."""


@dataclass
class LambdaInvokeServer:
    """Lambda's Invoke call on loopback, for the functions in the moto server at
    ``aws_endpoint_url``. Use as a context manager, or :meth:`start` and :meth:`stop`."""

    aws_endpoint_url: str
    code_dir: Path
    vpc_hosts: Mapping[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    python: str = sys.executable
    invocations: list[dict[str, Any]] = field(default_factory=list)
    _server: http.server.ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the Lambda Invoke server is not running")
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> LambdaInvokeServer:
        server = self

        class Handler(_InvokeHandler):
            owner = server

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> LambdaInvokeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.invocations.append(entry)
            if self.log_dir is not None:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                with (self.log_dir / "invocations.jsonl").open("a", encoding="utf-8") as log:
                    log.write(json.dumps(entry) + "\n")

    def function(self, region: str, name: str) -> Mapping[str, Any] | None:
        """The function's configuration as moto has it; None when there is no such function."""
        client = boto3.client(
            "lambda",
            region_name=region,
            endpoint_url=self.aws_endpoint_url,
            aws_access_key_id=_FAKE,
            aws_secret_access_key=_FAKE,
            config=Config(ignore_configured_endpoint_urls=True),
        )
        try:
            found: Mapping[str, Any] = client.get_function(FunctionName=name)["Configuration"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise
        return found

    def unpacked(self, code_sha256: str) -> Path:
        """The function's code, unpacked once per zip."""
        zipped = code_file(self.code_dir, code_sha256)
        target = zipped.with_suffix("")
        with self._lock:
            if not target.is_dir():
                with zipfile.ZipFile(zipped) as bundle:
                    bundle.extractall(target)
        return target

    def runtime(self) -> Path:
        """A directory holding only :data:`RUNTIME_MODULES` (links to this interpreter's), as
        Lambda's runtime provides them to a function."""
        target = self.code_dir / "runtime"
        with self._lock:
            if not target.is_dir():
                target.mkdir(parents=True)
                for name in RUNTIME_MODULES:
                    spec = importlib.util.find_spec(name)
                    if spec is None or spec.origin is None:
                        continue
                    origin = Path(spec.origin)
                    source = origin.parent if origin.name == "__init__.py" else origin
                    (target / source.name).symlink_to(source)
        return target

    def run(self, config: Mapping[str, Any], region: str, payload: bytes) -> tuple[Any, str | None]:
        """``(result, None)``, or ``(error document, "Unhandled")``."""
        name = config["FunctionName"]
        timeout = float(config.get("Timeout", 3))
        request_id = str(uuid.uuid4())
        env = {
            **((config.get("Environment") or {}).get("Variables") or {}),
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.get("MemorySize", 128)),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(timeout)),
            "AWS_LAMBDA_REQUEST_ID": request_id,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "PATH": "/usr/bin:/bin",
            # The role's credentials, as Lambda gives them; its AWS calls go to moto.
            "AWS_ACCESS_KEY_ID": _FAKE,
            "AWS_SECRET_ACCESS_KEY": _FAKE,
            "AWS_SESSION_TOKEN": _FAKE,
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
        }
        hosts = [
            arg
            for host, address in self.vpc_hosts.items()
            for arg in ("--host", f"{host}={address}")
        ]
        command = [
            self.python,
            "-S",
            str(BOOTSTRAP),
            str(self.unpacked(config["CodeSha256"])),
            str(config["Handler"]),
            str(timeout),
            "--runtime",
            str(self.runtime()),
            *hosts,
        ]
        log_path = None if self.log_dir is None else self.log_dir / f"{name}.log"
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
        with (log_path or Path("/dev/null")).open("ab") as function_log:
            try:
                done = subprocess.run(
                    command,
                    input=payload,
                    stdout=subprocess.PIPE,
                    stderr=function_log,
                    env=env,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                message = f"{stamp} {request_id} Task timed out after {timeout:.2f} seconds"
                return {"errorMessage": message}, "Unhandled"
        try:
            outcome = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: "
                f"exit status {done.returncode}",
            }, "Unhandled"
        if "error" in outcome:
            return outcome["error"], "Unhandled"
        return outcome["result"], None


class _InvokeHandler(http.server.BaseHTTPRequestHandler):
    owner: LambdaInvokeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_PAYLOAD:
            # The body stays unread, so the connection cannot carry another request.
            self.close_connection = True
            self._error(
                413,
                "RequestTooLargeException",
                f"Request must be smaller than {_MAX_PAYLOAD} bytes for the InvokeFunction "
                "operation",
            )
            return
        payload = self.rfile.read(length)
        match = _INVOKE_PATH.match(self.path.split("?", 1)[0])
        if match is None:
            self._error(404, "UnknownOperationException", f"no such operation: {self.path}")
            return
        name = unquote(match["name"]).split(":function:")[-1].split(":")[0]
        signed = _SIGNED_REGION.search(self.headers.get("Authorization", ""))
        region = signed["region"] if signed else "us-east-1"
        config = self.owner.function(region, name)
        if config is None:
            self._error(
                404,
                "ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:{region}:123456789012:function:{name}",
            )
            self.owner.record({"function": name, "outcome": "ResourceNotFoundException"})
            return
        try:
            json.loads(payload or b"null")
        except ValueError:
            self._error(
                400, "InvalidRequestContentException", "Could not parse request body into json"
            )
            return
        kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if kind == "DryRun":
            self._send(204, b"", {})
            return
        result, function_error = self.owner.run(config, region, payload)
        self.owner.record(
            {
                "function": name,
                "outcome": function_error or "ok",
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            }
        )
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if function_error is not None:
            headers["X-Amz-Function-Error"] = function_error
        self._send(200, json.dumps(result).encode("utf-8"), headers)

    def _error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"Type": "User", "message": message}).encode("utf-8")
        self._send(status, body, {"x-amzn-ErrorType": code})

    def _send(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
