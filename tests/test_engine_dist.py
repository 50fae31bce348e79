"""The plugin archive of ``make dist`` installed as a user would: ``pulumi plugin install resource
rockset <version> --file <archive>`` into a fresh ``PULUMI_HOME``, then served by the engine
with nothing of this project on PATH (no virtualenv, no ambient plugin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from devtools.dist import archive_name, build_wheel, constraints, plugin_archive
from devtools.engine import pulumi_cli
from devtools.projects import REPO
from devtools.schema import SCHEMA_FILE
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

RELEASE = version("rockset-pulumi")


def _user_env(home: Path) -> dict[str, str]:
    """A user's shell: the CLI and the system's tools on PATH, nothing of this checkout or of
    its virtualenv."""
    cli = pulumi_cli()
    assert cli is not None
    ours = (str(REPO), sys.prefix)
    system = [p for p in os.environ.get("PATH", "").split(os.pathsep) if not p.startswith(ours)]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PULUMI_PYTHON_CMD")
    }
    return {
        **env,
        "PATH": os.pathsep.join([str(cli.parent), *system]),
        "PULUMI_HOME": str(home),
        "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }


def _pulumi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulumi", *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_installed_archive_serves_the_schema_from_its_own_virtualenv(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    archive = tmp_path / "dist" / archive_name(RELEASE, "linux-amd64")
    archive.write_bytes(plugin_archive(wheel, constraints()))
    env = _user_env(tmp_path / "pulumi-home")

    installed = _pulumi(
        env, "plugin", "install", "resource", "rockset", RELEASE, "--file", str(archive)
    )
    assert installed.returncode == 0, installed.stderr
    served = _pulumi(env, "package", "get-schema", "rockset")

    assert served.returncode == 0, served.stderr
    assert json.loads(served.stdout) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    plugin_dir = tmp_path / "pulumi-home" / "plugins" / f"resource-rockset-v{RELEASE}"
    ready = plugin_dir / "venv" / ".ready"
    assert ready.read_text(encoding="utf-8") == f"{wheel.name}\n"
    made = ready.stat().st_mtime_ns
    # Started again, the plugin runs from the virtualenv made the first time.
    again = _pulumi(env, "package", "get-schema", "rockset")
    assert again.returncode == 0, again.stderr
    assert ready.stat().st_mtime_ns == made
