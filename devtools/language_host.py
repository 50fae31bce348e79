"""A Python language host for the Pulumi CLI: ``pulumi up`` on a project directory, offline.

The CLI starts any executable named ``pulumi-language-python`` on PATH (``devtools/bin-lang`` puts
this one there, for the tests and ``make demo`` only) and talks ``LanguageRuntime`` gRPC to the
port it prints. Pulumi's own host is a Go module this machine cannot fetch; this one is built on
the SDK instead. Everything that must see the project's packages runs with the Python of the
``virtualenv`` runtime option, in a subprocess (``program_server.py``, ``program_inventory.py``):

- ``Run`` starts that Python serving the program through the SDK's ``LanguageServer`` and
  forwards the engine's request to it unchanged (config, secrets, monitor address, dry run);
- ``GetRequiredPackages``/``GetRequiredPlugins`` name the provider plugin of every installed
  package SDK (its ``pulumi-plugin.json``), as found ambient on PATH, so nothing is downloaded;
- ``About`` and ``GetProgramDependencies`` report that interpreter and its distributions;
- ``InstallDependencies`` installs nothing: it says which virtualenv it uses, or how to make it.

The CLI passes the runtime options to the dynamic-provider host itself, as
``PULUMI_RUNTIME_VIRTUALENV`` with the project directory as working directory, so dynamic
resources run in the same virtualenv without ``PULUMI_PYTHON_CMD``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import (
    LanguageRuntimeServicer,
    LanguageRuntimeStub,
    language_pb2,
    language_pb2_grpc,
    plugin_pb2,
)

__all__ = ["Children", "LanguageHost", "ProjectPython", "VirtualenvMissingError", "main", "serve"]

PROGRAM_SERVER = Path(__file__).resolve().with_name("program_server.py")
PROGRAM_INVENTORY = Path(__file__).resolve().with_name("program_inventory.py")
# The distribution name at the start of a requirement such as `pulumi<4.0.0,>=3.231.0`.
REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# How long a cancelled or finished program's Python gets to exit before it is killed.
CHILD_EXIT_TIMEOUT = 10.0


class VirtualenvMissingError(Exception):
    """The ``virtualenv`` runtime option names a directory without a Python in it."""


@dataclass(frozen=True)
class ProjectPython:
    """The interpreter a project's program runs with, from its ``runtime.options``."""

    executable: Path
    virtualenv: Path | None

    @classmethod
    def of(cls, info: language_pb2.ProgramInfo) -> ProjectPython:
        options: dict[str, Any] = json_format.MessageToDict(info.options)
        option = options.get("virtualenv")
        if not option:
            found = shutil.which("python3")
            if found is None:
                raise VirtualenvMissingError(
                    "No `virtualenv` runtime option in Pulumi.yaml and no python3 on PATH."
                )
            return cls(Path(found), None)
        venv = Path(info.root_directory, option)
        python = venv / "bin" / "python"
        if not python.exists():
            raise VirtualenvMissingError(
                f"The `virtualenv` runtime option in Pulumi.yaml is {option!r}, but {python} does"
                f" not exist. Create it and install the program's packages:\n"
                f"    python3 -m venv {venv}\n"
                f"    {venv}/bin/pip install -r requirements.txt   (or your package, e.g. -e .)"
            )
        return cls(python, venv)

    def environment(self) -> dict[str, str]:
        """The caller's environment, as an activated virtualenv would make it."""
        env = dict(os.environ)
        if self.virtualenv is not None:
            env["VIRTUAL_ENV"] = str(self.virtualenv)
            env["PATH"] = os.pathsep.join([str(self.virtualenv / "bin"), env.get("PATH", "")])
            env.pop("PYTHONHOME", None)
        return env

    def inventory(self, directory: str) -> dict[str, Any]:
        """``program_inventory.py`` in this interpreter: itself and its packages."""
        result = subprocess.run(
            [str(self.executable), str(PROGRAM_INVENTORY)],
            cwd=directory,
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{self.executable} could not list its packages:\n{result.stderr}")
        found: dict[str, Any] = json.loads(result.stdout)
        return found


@dataclass(frozen=True)
class DeclaredPlugin:
    """A provider plugin a package SDK declares in its ``pulumi-plugin.json``."""

    name: str
    version: str
    server: str


def _declared_plugins(inventory: dict[str, Any]) -> list[DeclaredPlugin]:
    return [
        DeclaredPlugin(d["plugin"]["name"], d["plugin"]["version"], d["plugin"].get("server", ""))
        for d in inventory["distributions"]
        if d["plugin"]
    ]


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _top_level(distributions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distributions no other installed distribution requires: what the user installed. A
    requirement of an extra (``moto; extra == "test"``) does not count: which extras were
    installed is not recorded."""
    required = {
        _normalized(match.group())
        for dist in distributions
        for requirement in dist["requires"]
        if "extra ==" not in requirement and (match := REQUIREMENT_NAME.match(requirement))
    }
    return [d for d in distributions if _normalized(d["name"]) not in required]


def _pump(source: IO[bytes], sink: IO[bytes]) -> None:
    for line in source:
        sink.write(line)
        sink.flush()


def _project_python(info: language_pb2.ProgramInfo, context: grpc.ServicerContext) -> ProjectPython:
    try:
        return ProjectPython.of(info)
    except VirtualenvMissingError as exc:
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        raise  # abort() raised already; grpc's missing stubs hide that from the type checker


def _program_plugins(
    info: language_pb2.ProgramInfo, context: grpc.ServicerContext
) -> list[DeclaredPlugin]:
    """The plugins the program's installed packages declare (plugins and packages alike)."""
    python = _project_python(info, context)
    return _declared_plugins(python.inventory(info.program_directory))


class Children:
    """The programs a host is running, stopped when they finish or the CLI cancels."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()

    def add(self, child: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.add(child)

    def stop(self, child: subprocess.Popen[bytes]) -> None:
        """Terminate ``child`` if it still runs; kill it if it does not exit in time."""
        with self._lock:
            self._running.discard(child)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=CHILD_EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def stop_all(self) -> None:
        with self._lock:
            running = list(self._running)
        for child in running:
            self.stop(child)


class LanguageHost(LanguageRuntimeServicer):
    """The ``LanguageRuntime`` service; one process serves one CLI operation."""

    def __init__(self, children: Children) -> None:
        self._children = children

    def GetRequiredPlugins(
        self, request: language_pb2.GetRequiredPluginsRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPluginsResponse:
        return language_pb2.GetRequiredPluginsResponse(
            plugins=[
                plugin_pb2.PluginDependency(
                    name=p.name, kind="resource", version=p.version, server=p.server
                )
                for p in _program_plugins(request.info, context)
            ]
        )

    def GetRequiredPackages(
        self, request: language_pb2.GetRequiredPackagesRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPackagesResponse:
        return language_pb2.GetRequiredPackagesResponse(
            packages=[
                plugin_pb2.PackageDependency(
                    name=p.name, kind="resource", version=p.version, server=p.server
                )
                for p in _program_plugins(request.info, context)
            ]
        )

    def Run(
        self, request: language_pb2.RunRequest, context: grpc.ServicerContext
    ) -> language_pb2.RunResponse:
        try:
            python = ProjectPython.of(request.info)
        except VirtualenvMissingError as exc:
            return language_pb2.RunResponse(error=str(exc))
        info = request.info
        child = subprocess.Popen(
            [
                str(python.executable),
                "-u",
                str(PROGRAM_SERVER),
                info.program_directory,
                info.entry_point,
            ],
            cwd=info.program_directory,
            env=python.environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )
        self._children.add(child)
        try:
            return self._forward(request, child, python)
        finally:
            self._children.stop(child)

    def _forward(
        self,
        request: language_pb2.RunRequest,
        child: subprocess.Popen[bytes],
        python: ProjectPython,
    ) -> language_pb2.RunResponse:
        assert child.stdout is not None
        port = child.stdout.readline().strip()
        if not port.isdigit():
            code = child.wait()
            return language_pb2.RunResponse(
                error=f"{python.executable} exited with code {code} before running the program"
                " (see its output above)."
            )
        # What the program prints reaches the CLI as this host's output.
        threading.Thread(target=_pump, args=(child.stdout, sys.stdout.buffer), daemon=True).start()
        with grpc.insecure_channel(f"127.0.0.1:{port.decode()}") as channel:
            response: language_pb2.RunResponse = LanguageRuntimeStub(channel).Run(request)
        if response.error:
            # The SDK logged the error to the engine before returning it: say it once, not twice.
            return language_pb2.RunResponse(bail=True)
        return response

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        self._children.stop_all()
        return empty_pb2.Empty()

    def GetPluginInfo(
        self, request: empty_pb2.Empty, context: grpc.ServicerContext
    ) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=metadata.version("pulumi"))

    def InstallDependencies(
        self, request: language_pb2.InstallDependenciesRequest, context: grpc.ServicerContext
    ) -> Iterator[language_pb2.InstallDependenciesResponse]:
        python = _project_python(request.info, context)
        about = python.inventory(request.info.program_directory)
        yield language_pb2.InstallDependenciesResponse(
            stdout=(
                f"Using {about['executable']} (Python {about['version']}) as it is: this language"
                " host installs nothing. Add packages with its pip.\n"
            ).encode()
        )

    def About(
        self, request: language_pb2.AboutRequest, context: grpc.ServicerContext
    ) -> language_pb2.AboutResponse:
        python = _project_python(request.info, context)
        about = python.inventory(request.info.program_directory)
        return language_pb2.AboutResponse(
            executable=about["executable"],
            version=about["version"],
            metadata={"virtualenv": str(python.virtualenv or "")},
        )

    def GetProgramDependencies(
        self, request: language_pb2.GetProgramDependenciesRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetProgramDependenciesResponse:
        python = _project_python(request.info, context)
        distributions = python.inventory(request.info.program_directory)["distributions"]
        if not request.transitiveDependencies:
            distributions = _top_level(distributions)
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[
                language_pb2.DependencyInfo(name=d["name"], version=d["version"])
                for d in sorted(distributions, key=lambda d: _normalized(d["name"]))
            ]
        )


def serve(host: LanguageRuntimeServicer, children: Children) -> int:
    """Serve ``host`` on a loopback port, print the port for the CLI, and at its SIGINT stop
    ``children`` (the programs ``host`` runs) and the server. The Node.js host
    (:mod:`devtools.nodejs_language_host`) is served the same way."""
    server = grpc.server(ThreadPoolExecutor(max_workers=8))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    done = threading.Event()
    # The CLI ends a plugin with SIGINT when the operation is over: an ordinary exit, not an
    # error to print a traceback for.
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    server.start()
    print(port, flush=True)
    done.wait()
    children.stop_all()
    server.stop(grace=None)
    return 0


def main() -> int:
    # The CLI passes the engine's address as the only argument; this host never calls the
    # engine (the program does, through the monitor address in RunRequest), so it is unused.
    children = Children()
    return serve(LanguageHost(children), children)


if __name__ == "__main__":
    sys.exit(main())
