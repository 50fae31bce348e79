"""Run the Rockset API emulator as a subprocess, as a test or a ``pulumi`` run would meet it.

``start_emulator(workdir, ready_after=5, ...)`` turns keyword flags into CLI options
(``ready_after=5`` -> ``--ready-after 5``, a list repeats the option, ``True`` is a bare flag) and
returns once the emulator printed its one JSON line, without fixed sleeps.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from rockset_pulumi.api import RocksetApi
from rockset_pulumi.client import RocksetClient

__all__ = [
    "DEFAULT_API_KEY",
    "RunningEmulator",
    "api_props",
    "restart_emulator",
    "start_emulator",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
# Distinctive, so a test can assert it never shows up in an error, a repr or a log.
DEFAULT_API_KEY = "rs-emulated-key-8Qz4TnW2vK7pXc9LmY3dF6hJ"
STARTUP_TIMEOUT = 30.0


def api_props(api: RocksetApi) -> dict[str, Any]:
    """``api`` as a check resource's properties, plain (the key too), with the probe on the
    runner: what the component registers, before the SDK makes the key a secret."""
    return {
        "public_url": api.public_url,
        "privatelink_url": api.privatelink_url,
        "api_key": api.api_key,
        "ca_bundle": api.ca_bundle,
        "probe": None,
    }


@dataclass
class RunningEmulator:
    public_url: str
    privatelink_url: str
    ca_bundle: str
    api_key: str
    request_log: Path
    state_file: Path | None
    ca_dir: Path
    stderr_path: Path
    process: subprocess.Popen[str]
    stdout_lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def api(self) -> RocksetApi:
        """Where this emulator answers, as the package's steps and providers take it."""
        return RocksetApi(self.public_url, self.privatelink_url, self.api_key, self.ca_bundle)

    def url(self, listener: Literal["public", "privatelink"]) -> str:
        return self.public_url if listener == "public" else self.privatelink_url

    def client(
        self, listener: Literal["public", "privatelink"] = "public", **options: Any
    ) -> RocksetClient:
        """A :class:`RocksetClient` for one listener; close it (``with``) when done."""
        options.setdefault("ca_bundle", self.ca_bundle)
        return RocksetClient(self.url(listener), self.api_key, **options)

    def allowlist(self) -> dict[str, str]:
        """The IP allowlist as Rockset holds it: entry name -> address."""
        with self.client("privatelink") as client:
            return {e.name: e.ip_address for e in client.list_ip_allowlist()}

    def requests(self) -> list[dict[str, Any]]:
        """The request log so far, one dict per request."""
        if not self.request_log.exists():
            return []
        lines = self.request_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def writes(self) -> int:
        """How many allowlist writes the emulator numbered so far, as its request log shows."""
        return max((r["write"] for r in self.requests() if "write" in r), default=0)

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then wait; returns the exit code. Safe to call twice."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=timeout)
        return self.process.returncode


def _flag_args(flags: dict[str, Any]) -> list[str]:
    args: list[str] = []
    for name, value in flags.items():
        option = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(option)
        elif isinstance(value, list | tuple):
            for item in value:
                args += [option, str(item)]
        else:
            args += [option, str(value)]
    return args


def start_emulator(
    workdir: Path, *, api_key: str = DEFAULT_API_KEY, **flags: Any
) -> RunningEmulator:
    workdir.mkdir(parents=True, exist_ok=True)
    flags.setdefault("request_log", workdir / "requests.jsonl")
    flags.setdefault("ca_dir", workdir / "ca")
    extra_keys = flags.pop("api_keys", [])
    command = [
        sys.executable,
        "-m",
        "rockset_emulator",
        *_flag_args({"api_key": [api_key, *extra_keys]}),
        *_flag_args(flags),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    stderr_path = workdir / f"emulator-stderr-{len(list(workdir.glob('emulator-stderr-*')))}.log"
    with stderr_path.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
    lines: queue.Queue[str | None] = queue.Queue()
    stdout_lines: list[str] = []

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            stdout_lines.append(line)
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    try:
        first = lines.get(timeout=STARTUP_TIMEOUT)
    except queue.Empty:
        process.kill()
        process.wait()
        raise RuntimeError(
            f"emulator printed nothing in {STARTUP_TIMEOUT} s: {stderr_path.read_text()}"
        ) from None
    if first is None:
        process.wait()
        raise RuntimeError(f"emulator exited with {process.returncode}: {stderr_path.read_text()}")
    ready = json.loads(first)
    state_file = flags.get("state_file")
    return RunningEmulator(
        public_url=ready["public_url"],
        privatelink_url=ready["privatelink_url"],
        ca_bundle=ready["ca_bundle"],
        api_key=api_key,
        request_log=Path(flags["request_log"]),
        state_file=Path(state_file) if state_file is not None else None,
        ca_dir=Path(flags["ca_dir"]),
        stderr_path=stderr_path,
        process=process,
        stdout_lines=stdout_lines,
        _reader=reader,
    )


def restart_emulator(emu: RunningEmulator, **flags: Any) -> RunningEmulator:
    """``emu`` stopped and started again at the same addresses, with the same organization (its
    state file), CA and request log, and ``flags`` (write faults, say), whose write numbers count
    from 1 again: to a stack, the same Rockset that now fails some writes, or no longer does."""
    if emu.state_file is None:
        raise ValueError("restart_emulator needs an emulator started with a state_file")
    emu.stop()
    return start_emulator(
        emu.stderr_path.parent,
        api_key=emu.api_key,
        state_file=emu.state_file,
        ca_dir=emu.ca_dir,
        request_log=emu.request_log,
        public_port=urlsplit(emu.public_url).port,
        privatelink_port=urlsplit(emu.privatelink_url).port,
        **flags,
    )
