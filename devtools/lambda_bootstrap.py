"""The stand-in Lambda runtime: runs one invocation of a function's handler, as a script.

``python -S lambda_bootstrap.py <code dir> <module.function> <timeout s> [--runtime DIR]
[--host NAME=ADDRESS]...``
reads the event (JSON) from stdin and writes one JSON line to stdout: ``{"result": ...}`` or
``{"error": {"errorMessage", "errorType", "stackTrace"}}``, as Lambda's Python runtime reports an
unhandled error. ``-S`` leaves site-packages off the path, so the function sees the standard
library and its own zip only, and ``--runtime DIR`` after them: what Lambda's runtime adds (boto3).
What the function prints or logs goes to stderr (Lambda sends it to CloudWatch Logs).

``--host NAME=ADDRESS`` makes ``NAME`` resolve to ``ADDRESS`` in this process only: the offline
VPC, whose PrivateLink host resolves nowhere else (see ``devtools/vpc.py``). Run by
``devtools.lambda_invoke``; it imports nothing of this repository.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback
from typing import Any


class _Context:
    """The part of Lambda's context object a handler uses."""

    def __init__(self, timeout: float) -> None:
        self._ends_at = time.monotonic() + timeout
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = os.environ.get("AWS_LAMBDA_REQUEST_ID", "")

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._ends_at - time.monotonic()) * 1000))


def _map_hosts(hosts: dict[str, str]) -> None:
    original = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.lower() in hosts:
            host = hosts[host.lower()]
        return original(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def main(argv: list[str]) -> int:
    code_dir, handler_name, timeout = argv[0], argv[1], float(argv[2])
    hosts = {}
    rest = argv[3:]
    runtime = None
    if rest[:1] == ["--runtime"]:
        runtime, rest = rest[1], rest[2:]
    while rest[:1] == ["--host"]:
        name, _, address = rest[1].partition("=")
        hosts[name.lower()] = address
        rest = rest[2:]
    _map_hosts(hosts)
    result_out = sys.stdout
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    sys.path.insert(0, code_dir)
    if runtime is not None:
        sys.path.append(runtime)
    context = _Context(timeout)
    try:
        module_name, _, function_name = handler_name.rpartition(".")
        handler = getattr(importlib.import_module(module_name), function_name)
        result = handler(json.loads(sys.stdin.read() or "null"), context)
        line = json.dumps({"result": result})
    except Exception as exc:
        error = {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_tb(exc.__traceback__),
        }
        line = json.dumps({"error": error})
    result_out.write(line + "\n")
    result_out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
