"""The release artifacts (``make dist``): the plugin archive's layout and pins, and the
launcher's refusals. Installing the archive into the engine: ``tests/test_engine_dist.py``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from importlib.metadata import version
from pathlib import Path

import pytest

from devtools.dist import archive_name, constraints, plugin_archive
from devtools.projects import REPO
from devtools.schema import SCHEMA_FILE
from rockset_pulumi.plugin import launcher

LAUNCHER = Path(launcher.__file__)


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    path = tmp_path / "rockset_pulumi-0.1.0-py3-none-any.whl"
    path.write_bytes(b"not really a wheel")
    return path


def test_archive_holds_the_launcher_the_wheel_and_the_pins_at_its_root(wheel: Path) -> None:
    archive = plugin_archive(wheel, ["pulumi==3.272.0"])
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        members = {m.name: (m.mode, tar.extractfile(m).read()) for m in tar}  # type: ignore[union-attr]
    assert members == {
        "pulumi-resource-rockset": (0o755, LAUNCHER.read_bytes()),
        wheel.name: (0o644, wheel.read_bytes()),
        "constraints.txt": (0o644, b"pulumi==3.272.0\n"),
    }


def test_archive_is_the_same_bytes_each_time(wheel: Path) -> None:
    assert plugin_archive(wheel, ["a==1"]) == plugin_archive(wheel, ["a==1"])


def test_constraints_pin_the_installed_runtime_dependencies_and_no_test_tools() -> None:
    pins = constraints()
    assert f"pulumi=={version('pulumi')}" in pins
    assert f"pulumi-aws=={version('pulumi-aws')}" in pins
    assert f"grpcio=={version('grpcio')}" in pins  # pulumi's, transitively
    names = {pin.split("==")[0] for pin in pins}
    assert names.isdisjoint({"pytest", "moto", "trustme", "ruff", "mypy", "rockset-pulumi"})


def test_the_plugin_creates_aws_resources_with_the_typescript_examples_aws_version() -> None:
    # One AWS provider for the program and the component, not two (docs/performance.md, P7).
    checkout_pins = {
        line.split("==")[0]: line.split("==")[1]
        for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    example = json.loads((REPO / "examples/typescript/package.json").read_bytes())
    program_aws = example["dependencies"]["@pulumi/aws"]

    assert checkout_pins["pulumi-aws"] == program_aws
    assert f"pulumi-aws=={program_aws}" in constraints()


def test_launcher_names_an_unusable_python_setting_on_stderr_only(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(LAUNCHER)],
        env={"PATH": "/usr/bin:/bin", launcher.PYTHON_ENV: str(tmp_path / "python9")},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    # The engine reads the plugin's port from stdout: nothing else may be written there.
    assert result.stdout == ""
    assert f"{launcher.PYTHON_ENV}='{tmp_path / 'python9'}' cannot be run" in result.stderr


@pytest.mark.parametrize("count", [0, 2])
def test_launcher_refuses_a_plugin_directory_without_exactly_one_wheel(
    tmp_path: Path, count: int
) -> None:
    for n in range(count):
        (tmp_path / f"rockset_pulumi-0.{n}-py3-none-any.whl").write_bytes(b"")
    with pytest.raises(launcher.LaunchError, match=rf"holds {count} wheels.*--reinstall"):
        launcher.ensure_virtualenv(tmp_path)
    assert not (tmp_path / "venv").exists()


def test_the_schema_names_where_a_release_puts_each_archive() -> None:
    """The engine fills in ``${VERSION}`` of the schema's ``pluginDownloadURL`` and appends the
    archive's name for its platform: that is a GitHub release's download of ``make dist``'s file."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    release = version("rockset-pulumi")
    url = schema["pluginDownloadURL"].replace("${VERSION}", release)
    assert url + archive_name(release, "linux-amd64") == (
        "https://github.com/rockset-pulumi/rockset-pulumi/releases/download/"
        f"v{release}/pulumi-resource-rockset-v{release}-linux-amd64.tar.gz"
    )
