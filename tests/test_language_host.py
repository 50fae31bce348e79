"""The Python language host (``devtools/bin-lang/pulumi-language-python``) over gRPC, as the CLI
talks to it; ``Run`` itself is exercised through the CLI (tests/test_engine_project.py)."""

from __future__ import annotations

import platform
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import LanguageRuntimeStub, language_pb2

from devtools.language_host import ProjectPython
from devtools.projects import REPO, write_project

LAUNCHER = REPO / "devtools" / "bin-lang" / "pulumi-language-python"
PROGRAM = "import pulumi\n"


@dataclass
class Host:
    process: subprocess.Popen[str]
    stub: Any

    def stop(self) -> tuple[int, str]:
        """SIGINT, as the CLI ends a plugin; returns the exit code and stderr."""
        self.process.send_signal(signal.SIGINT)
        _, stderr = self.process.communicate(timeout=30)
        return self.process.returncode, stderr


def start_host() -> tuple[Host, grpc.Channel]:
    process = subprocess.Popen(
        [str(LAUNCHER), "127.0.0.1:1"],  # the engine's address, which the host never calls
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    assert port.isdigit(), process.communicate(timeout=30)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    return Host(process, LanguageRuntimeStub(channel)), channel


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    running, channel = start_host()
    yield running
    channel.close()
    running.stop()


def program_info(project: Path) -> language_pb2.ProgramInfo:
    """What the CLI sends for a project whose Pulumi.yaml has the example's runtime options."""
    options = struct_pb2.Struct()
    options.update({"toolchain": "pip", "virtualenv": ".venv"})
    return language_pb2.ProgramInfo(
        root_directory=str(project),
        program_directory=str(project),
        entry_point=".",
        options=options,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("langhost") / "project", PROGRAM)


@pytest.fixture
def no_virtualenv(tmp_path: Path) -> Path:
    bare = write_project(tmp_path / "project", PROGRAM)
    (bare / ".venv").unlink()
    return bare


def test_required_packages_name_the_plugin_pulumi_aws_declares(host: Host, project: Path) -> None:
    info = program_info(project)
    packages = host.stub.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info))
    plugins = host.stub.GetRequiredPlugins(language_pb2.GetRequiredPluginsRequest(info=info))
    expected = [("aws", "resource", metadata.version("pulumi_aws"))]
    assert [(p.name, p.kind, p.version) for p in packages.packages] == expected
    assert [(p.name, p.kind, p.version) for p in plugins.plugins] == expected


def test_about_names_the_virtualenv_python(host: Host, project: Path) -> None:
    about = host.stub.About(language_pb2.AboutRequest(info=program_info(project)))
    assert about.executable == str(project / ".venv" / "bin" / "python")
    assert about.version == platform.python_version()
    assert about.metadata["virtualenv"] == str(project / ".venv")


def test_program_dependencies_are_what_was_installed_unless_transitive(
    host: Host, project: Path
) -> None:
    def names(transitive: bool) -> set[str]:
        request = language_pb2.GetProgramDependenciesRequest(
            info=program_info(project), transitiveDependencies=transitive
        )
        found = host.stub.GetProgramDependencies(request).dependencies
        return {d.name.lower().replace("_", "-") for d in found}

    top_level = names(transitive=False)
    assert {"rockset-pulumi", "moto"} <= top_level
    assert "pulumi-aws" not in top_level  # rockset-pulumi requires it
    assert "grpcio" not in top_level  # pulumi does
    assert {"pulumi-aws", "grpcio"} <= names(transitive=True)


def test_install_dependencies_installs_nothing_and_says_which_python(
    host: Host, project: Path
) -> None:
    request = language_pb2.InstallDependenciesRequest(info=program_info(project))
    said = b"".join(r.stdout for r in host.stub.InstallDependencies(request)).decode()
    assert f"Using {project}/.venv/bin/python" in said
    assert "installs nothing" in said


def test_plugin_info_is_the_sdk_version(host: Host) -> None:
    assert host.stub.GetPluginInfo(empty_pb2.Empty()).version == metadata.version("pulumi")


def test_a_missing_virtualenv_is_refused_with_the_commands_that_make_it(
    host: Host, no_virtualenv: Path
) -> None:
    info = program_info(no_virtualenv)
    with pytest.raises(grpc.RpcError) as err:
        host.stub.GetRequiredPackages(language_pb2.GetRequiredPackagesRequest(info=info))
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert f"python3 -m venv {no_virtualenv}/.venv" in err.value.details()
    response = host.stub.Run(language_pb2.RunRequest(info=info))
    assert "python3 -m venv" in response.error


def test_without_a_virtualenv_option_the_program_runs_with_python3_on_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to("/bin/true")
    monkeypatch.setenv("PATH", str(bin_dir))
    python = ProjectPython.of(language_pb2.ProgramInfo(root_directory=str(tmp_path)))
    assert python == ProjectPython(bin_dir / "python3", None)


def test_sigint_from_the_cli_ends_the_host_quietly() -> None:
    running, channel = start_host()
    channel.close()
    assert running.stop() == (0, "")
