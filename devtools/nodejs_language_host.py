"""A Node.js language host for the Pulumi CLI: ``pulumi up`` on a TypeScript project, offline.

Pulumi's own ``pulumi-language-nodejs`` is a Go module the proxy here does not serve, so the
CLI built here has none; ``devtools/bin-lang/pulumi-language-nodejs`` puts this one on PATH
(for the tests and benchmarks only). It does what the Go host does, on the project's own
``@pulumi/pulumi``:

- ``Run`` starts ``node <project>/node_modules/@pulumi/pulumi/cmd/run`` (the SDK's own runner)
  with the engine's request as its flags, the config and its secret keys in ``PULUMI_CONFIG`` /
  ``PULUMI_CONFIG_SECRET_KEYS``, and, unless ``runtime.options.typescript`` is false,
  ``PULUMI_NODEJS_TYPESCRIPT=true``: the runner then compiles the program with the project's
  ``ts-node`` and ``typescript`` and its ``tsconfig.json``;
- ``GetRequiredPackages``/``GetRequiredPlugins`` name the provider plugin of every installed
  package whose ``package.json`` says ``"pulumi": {"resource": true}`` (with its ``server``, the
  schema's ``pluginDownloadURL``), so the engine looks them up, ambient or installed;
- ``InstallDependencies`` runs ``npm install`` in the project; ``About`` and
  ``GetProgramDependencies`` report ``node`` and the installed packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import LanguageRuntimeServicer, language_pb2, plugin_pb2

from devtools.language_host import Children, serve

__all__ = ["NodePackage", "NodejsLanguageHost", "installed_packages", "main", "run_command"]

RUNNER = Path("node_modules", "@pulumi", "pulumi", "cmd", "run")
# The runner's exit code when it has already told the engine why the program failed.
EXITED_AFTER_LOGGING = 32
NPM_INSTALL_TIMEOUT = 900.0


@dataclass(frozen=True)
class NodePackage:
    """An installed package: its name, version and, for a Pulumi package, its plugin."""

    name: str
    version: str
    plugin: plugin_pb2.PackageDependency | None


def _package(manifest: Path) -> NodePackage | None:
    try:
        data: dict[str, Any] = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return None
    name, version = data.get("name"), data.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    pulumi = data.get("pulumi")
    if not isinstance(pulumi, dict) or pulumi.get("resource") is not True:
        return NodePackage(name, version, None)
    # As the Go host names them: `@pulumi/aws` is `aws`, another scope keeps its name.
    plugin_name = pulumi.get("name") or name.removeprefix("@pulumi/").lstrip("@")
    plugin = plugin_pb2.PackageDependency(
        name=plugin_name,
        kind="resource",
        version=pulumi.get("version") or version,
        server=pulumi.get("server", ""),
    )
    return NodePackage(name, version, plugin)


def installed_packages(directory: Path) -> list[NodePackage]:
    """Every package under ``directory``'s ``node_modules``, nested ones included, in
    ``node_modules`` order (only each package's ``package.json`` is read)."""
    found: list[NodePackage] = []
    pending = [directory / "node_modules"]
    while pending:
        modules = pending.pop()
        if not modules.is_dir():
            continue
        for entry in sorted(modules.iterdir()):
            homes = sorted(entry.iterdir()) if entry.name.startswith("@") else [entry]
            for home in homes:
                package = _package(home / "package.json")
                if package is not None:
                    found.append(package)
                    pending.append(home / "node_modules")
    return found


def _plugins(info: language_pb2.ProgramInfo) -> list[plugin_pb2.PackageDependency]:
    seen: dict[tuple[str, str], plugin_pb2.PackageDependency] = {}
    for package in installed_packages(Path(info.program_directory)):
        if package.plugin is not None:
            seen.setdefault((package.plugin.name, package.plugin.version), package.plugin)
    return list(seen.values())


def _runner(program_directory: Path) -> Path | None:
    """``@pulumi/pulumi``'s runner, found as Node resolves a package: here or in a parent."""
    for directory in (program_directory, *program_directory.parents):
        if (directory / RUNNER).is_dir():
            return directory / RUNNER
    return None


def run_command(
    request: language_pb2.RunRequest, node: str, runner: Path, engine_address: str
) -> tuple[list[str], dict[str, str]]:
    """The runner's command line and environment for ``request``, as the Go host makes them."""
    info = request.info
    flags = {
        "monitor": request.monitor_address,
        "engine": engine_address,
        "organization": request.organization,
        "project": request.project,
        "stack": request.stack,
        "pwd": info.program_directory,
        "root-directory": info.root_directory,
        "parallel": str(request.parallel),
    }
    command = [node, str(runner)]
    command += [f"--{name}={value}" for name, value in flags.items() if value]
    if request.dryRun:
        command.append("--dry-run")
    command += [info.entry_point or ".", *request.args]
    options: dict[str, Any] = json_format.MessageToDict(info.options)
    env = {
        **os.environ,
        "PULUMI_CONFIG": json.dumps(dict(request.config)),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(request.configSecretKeys)),
    }
    if options.get("typescript", True):
        env["PULUMI_NODEJS_TYPESCRIPT"] = "true"
    if options.get("tsconfig"):
        env["PULUMI_NODEJS_TSCONFIG_PATH"] = str(options["tsconfig"])
    return command, env


class NodejsLanguageHost(LanguageRuntimeServicer):
    """The ``LanguageRuntime`` service for ``runtime: nodejs``; one process per CLI operation."""

    def __init__(self, engine_address: str, children: Children) -> None:
        self._engine_address = engine_address
        self._children = children

    def GetRequiredPlugins(
        self, request: language_pb2.GetRequiredPluginsRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPluginsResponse:
        return language_pb2.GetRequiredPluginsResponse(
            plugins=[
                plugin_pb2.PluginDependency(
                    name=p.name, kind=p.kind, version=p.version, server=p.server
                )
                for p in _plugins(request.info)
            ]
        )

    def GetRequiredPackages(
        self, request: language_pb2.GetRequiredPackagesRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPackagesResponse:
        return language_pb2.GetRequiredPackagesResponse(packages=_plugins(request.info))

    def Run(
        self, request: language_pb2.RunRequest, context: grpc.ServicerContext
    ) -> language_pb2.RunResponse:
        node = shutil.which("node")
        if node is None:
            return language_pb2.RunResponse(
                error="node is not on PATH: install Node.js 20 or newer."
            )
        program_directory = Path(request.info.program_directory)
        runner = _runner(program_directory)
        if runner is None:
            return language_pb2.RunResponse(
                error=f"@pulumi/pulumi is not installed in {program_directory}: run `npm install`"
                " there."
            )
        command, env = run_command(request, node, runner, self._engine_address)
        # The program's output is this host's output, which the CLI shows.
        child = subprocess.Popen(command, cwd=program_directory, env=env, stdin=subprocess.DEVNULL)
        self._children.add(child)
        try:
            code = child.wait()
        finally:
            self._children.stop(child)
        if code == 0:
            return language_pb2.RunResponse()
        if code == EXITED_AFTER_LOGGING:
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=f"Program exited with non-zero exit code: {code}")

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
        result = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund"],
            cwd=request.info.program_directory or request.directory,
            capture_output=True,
            timeout=NPM_INSTALL_TIMEOUT,
            check=False,
        )
        yield language_pb2.InstallDependenciesResponse(stdout=result.stdout, stderr=result.stderr)
        if result.returncode != 0:
            context.abort(grpc.StatusCode.UNKNOWN, f"npm install failed (exit {result.returncode})")

    def About(
        self, request: language_pb2.AboutRequest, context: grpc.ServicerContext
    ) -> language_pb2.AboutResponse:
        node = shutil.which("node") or ""
        version = ""
        if node:
            version = subprocess.run(
                [node, "--version"], capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
        return language_pb2.AboutResponse(executable=node, version=version.removeprefix("v"))

    def GetProgramDependencies(
        self, request: language_pb2.GetProgramDependenciesRequest, context: grpc.ServicerContext
    ) -> language_pb2.GetProgramDependenciesResponse:
        directory = Path(request.info.program_directory)
        packages = installed_packages(directory)
        if not request.transitiveDependencies:
            manifest: dict[str, Any] = json.loads((directory / "package.json").read_bytes())
            direct = {*manifest.get("dependencies", {}), *manifest.get("devDependencies", {})}
            top: dict[str, NodePackage] = {}
            for package in packages:  # the project's own node_modules come first
                if package.name in direct:
                    top.setdefault(package.name, package)
            packages = list(top.values())
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[
                language_pb2.DependencyInfo(name=p.name, version=p.version)
                for p in sorted(packages, key=lambda p: p.name)
            ]
        )


def main() -> int:
    # The CLI passes the engine's address last; the runner logs the program's errors there.
    engine_address = sys.argv[-1] if len(sys.argv) > 1 else ""
    children = Children()
    return serve(NodejsLanguageHost(engine_address, children), children)


if __name__ == "__main__":
    sys.exit(main())
