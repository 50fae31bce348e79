"""The Node.js language host (``devtools/bin-lang/pulumi-language-nodejs``) over gRPC, as the CLI
talks to it, and the runner command it makes; ``Run`` itself is exercised through the CLI
(tests/test_engine_typescript.py)."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import LanguageRuntimeStub, language_pb2

from devtools.nodejs_language_host import installed_packages, run_command
from devtools.projects import REPO

LAUNCHER = REPO / "devtools" / "bin-lang" / "pulumi-language-nodejs"
URL = "https://example.test/releases/v${VERSION}/"


def write_package(home: Path, manifest: dict[str, Any]) -> None:
    home.mkdir(parents=True)
    (home / "package.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with a Pulumi package at the top, a scoped one with a download URL nested
    under another package, a plain package and a broken manifest."""
    modules = tmp_path / "node_modules"
    write_package(
        modules / "@pulumi" / "aws",
        {"name": "@pulumi/aws", "version": "7.48.0", "pulumi": {"resource": True, "name": "aws"}},
    )
    write_package(modules / "left-pad", {"name": "left-pad", "version": "1.3.0"})
    write_package(
        modules / "left-pad" / "node_modules" / "@acme" / "widgets",
        {
            "name": "@acme/widgets",
            "version": "2.0.0",
            "pulumi": {"resource": True, "server": URL},
        },
    )
    (modules / "broken").mkdir()
    (modules / "broken" / "package.json").write_text("{", encoding="utf-8")
    (tmp_path / "package.json").write_text(
        json.dumps({"dependencies": {"@pulumi/aws": "7.48.0", "left-pad": "^1"}}), encoding="utf-8"
    )
    return tmp_path


def program_info(project: Path, **options: Any) -> language_pb2.ProgramInfo:
    struct = struct_pb2.Struct()
    struct.update(options)
    return language_pb2.ProgramInfo(
        root_directory=str(project),
        program_directory=str(project),
        entry_point=".",
        options=struct,
    )


@pytest.fixture(scope="module")
def stub() -> Iterator[Any]:
    process = subprocess.Popen(
        [str(LAUNCHER), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    assert port.isdigit(), process.communicate(timeout=30)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield LanguageRuntimeStub(channel)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert process.returncode == 0


def test_required_packages_are_the_pulumi_packages_nested_ones_included(
    stub: Any, project: Path
) -> None:
    response = stub.GetRequiredPackages(
        language_pb2.GetRequiredPackagesRequest(info=program_info(project))
    )
    found = {(p.name, p.kind, p.version, p.server) for p in response.packages}
    assert found == {("aws", "resource", "7.48.0", ""), ("acme/widgets", "resource", "2.0.0", URL)}


def test_program_dependencies_are_the_direct_ones_unless_transitive_is_asked(
    stub: Any, project: Path
) -> None:
    def names(transitive: bool) -> list[str]:
        response = stub.GetProgramDependencies(
            language_pb2.GetProgramDependenciesRequest(
                info=program_info(project), transitiveDependencies=transitive
            )
        )
        return [d.name for d in response.dependencies]

    assert names(False) == ["@pulumi/aws", "left-pad"]
    assert names(True) == ["@acme/widgets", "@pulumi/aws", "left-pad"]


def test_no_node_modules_means_no_packages(tmp_path: Path) -> None:
    assert installed_packages(tmp_path) == []


def test_run_hands_the_runner_the_request_config_secrets_and_typescript(tmp_path: Path) -> None:
    request = language_pb2.RunRequest(
        project="p",
        stack="dev",
        monitor_address="127.0.0.1:5",
        dryRun=True,
        parallel=8,
        config={"p:apiKey": "s3cret", "aws:region": "eu-central-1"},
        configSecretKeys=["p:apiKey"],
        info=program_info(tmp_path),
    )
    runner = tmp_path / "node_modules" / "@pulumi" / "pulumi" / "cmd" / "run"

    command, env = run_command(request, "/usr/bin/node", runner, "127.0.0.1:7")

    assert command == [
        "/usr/bin/node",
        str(runner),
        "--monitor=127.0.0.1:5",
        "--engine=127.0.0.1:7",
        "--project=p",
        "--stack=dev",
        f"--pwd={tmp_path}",
        f"--root-directory={tmp_path}",
        "--parallel=8",
        "--dry-run",
        ".",
    ]
    assert json.loads(env["PULUMI_CONFIG"]) == {"p:apiKey": "s3cret", "aws:region": "eu-central-1"}
    assert json.loads(env["PULUMI_CONFIG_SECRET_KEYS"]) == ["p:apiKey"]
    assert env["PULUMI_NODEJS_TYPESCRIPT"] == "true"


def test_typescript_off_in_the_runtime_options_runs_javascript(tmp_path: Path) -> None:
    request = language_pb2.RunRequest(info=program_info(tmp_path, typescript=False))
    _, env = run_command(request, "node", tmp_path, "")
    assert "PULUMI_NODEJS_TYPESCRIPT" not in env
