"""The plugin archive of ``make dist`` installed as a user would: ``pulumi plugin install resource
rockset <version> --file <archive>`` into a fresh ``PULUMI_HOME``, then served by the engine
with nothing of this project on PATH (no virtualenv, no ambient plugin): its schema, and the
TypeScript example end to end.

What Pulumi itself ships stays a stand-in from ``devtools``: the aws plugin (the moto-backed
double) is installed into the same ``PULUMI_HOME`` the same way, and the Node.js language host,
which Pulumi bundles beside its CLI, is the one thing of this project on PATH."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

from devtools.dist import archive_name, build_wheel, constraints, plugin_archive
from devtools.engine import PASSPHRASE, LocalAws, engine_env, local_aws, open_stack, pulumi_cli
from devtools.node_projects import copy_typescript_example
from devtools.projects import REPO
from devtools.schema import SCHEMA_FILE
from tests.support.emulator import start_emulator
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


@dataclass(frozen=True)
class Release:
    wheel: Path
    archive: Path


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """``make dist``'s wheel and linux-amd64 archive."""
    out = tmp_path_factory.mktemp("dist")
    wheel = build_wheel(out)
    archive = out / archive_name(RELEASE, "linux-amd64")
    archive.write_bytes(plugin_archive(wheel, constraints()))
    return Release(wheel, archive)


def _install(env: dict[str, str], kind: str, name: str, version: str, file: Path) -> None:
    installed = _pulumi(env, "plugin", "install", kind, name, version, "--file", str(file))
    assert installed.returncode == 0, installed.stderr


@pytest.fixture(scope="module")
def user_pulumi(release: Release, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's Pulumi directory: its ``home`` (``PULUMI_HOME``) has the archive installed. The
    module's tests share it, so the plugin's virtualenv is made once, by whichever starts it
    first."""
    pulumi_dir = tmp_path_factory.mktemp("user") / "pulumi"
    _install(_user_env(pulumi_dir / "home"), "resource", "rockset", RELEASE, release.archive)
    return pulumi_dir


def _plugin_dir(pulumi_dir: Path) -> Path:
    return pulumi_dir / "home" / "plugins" / f"resource-rockset-v{RELEASE}"


def test_installed_archive_serves_the_schema_from_its_own_virtualenv(
    release: Release, user_pulumi: Path
) -> None:
    env = _user_env(user_pulumi / "home")

    served = _pulumi(env, "package", "get-schema", "rockset")

    assert served.returncode == 0, served.stderr
    assert json.loads(served.stdout) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    ready = _plugin_dir(user_pulumi) / "venv" / ".ready"
    assert ready.read_text(encoding="utf-8") == f"{release.wheel.name}\n"
    made = ready.stat().st_mtime_ns
    # Started again, the plugin runs from the virtualenv made the first time.
    again = _pulumi(env, "package", "get-schema", "rockset")
    assert again.returncode == 0, again.stderr
    assert ready.stat().st_mtime_ns == made


def _stand_in_for_aws(directory: Path) -> Path:
    """An executable ``pulumi-resource-aws`` that starts the moto-backed double, for ``pulumi
    plugin install`` (which copies the file, so a link to the launcher would lose its checkout)."""
    directory.mkdir(parents=True)
    script = directory / "pulumi-resource-aws"
    launcher = REPO / "devtools" / "bin" / "pulumi-resource-aws"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(str(launcher))} "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


def _typescript_user_env(aws: LocalAws, home: Path, scratch: Path) -> dict[str, str]:
    """:func:`_user_env` with the local AWS's settings, and on PATH beside the CLI only the
    Node.js language host, as Pulumi's installation has it; ambient plugins are allowed, so that
    the host is found, and none other is there to find."""
    user = _user_env(home)
    del user["PULUMI_IGNORE_AMBIENT_PLUGINS"]
    aws_settings = {k: v for k, v in engine_env(aws).items() if k.startswith("AWS_")}
    host_dir = scratch / "pulumi-bundled"
    host_dir.mkdir()
    (host_dir / "pulumi-language-nodejs").symlink_to(
        REPO / "devtools" / "bin-lang" / "pulumi-language-nodejs"
    )
    path = user["PATH"].split(os.pathsep)
    return {
        **user,
        **aws_settings,
        "PATH": os.pathsep.join([path[0], str(host_dir), *path[1:]]),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
    }


def test_the_typescript_example_runs_on_the_installed_plugin(
    user_pulumi: Path, tmp_path: Path
) -> None:
    project = copy_typescript_example(tmp_path)
    program_aws = json.loads(
        (project / "node_modules" / "@pulumi" / "aws" / "package.json").read_bytes()
    )["version"]
    emu = start_emulator(tmp_path / "emulator")
    try:
        with local_aws(tmp_path) as aws:
            workdir = user_pulumi
            env = _typescript_user_env(aws, workdir / "home", tmp_path)
            for plugin in ("pulumi-resource-rockset", "pulumi-resource-aws"):
                assert shutil.which(plugin, path=env["PATH"]) is None
            # Only the program's AWS version is installed: the plugin's component asks for the
            # same one (constraints.txt), so the engine needs no second AWS plugin.
            _install(env, "resource", "aws", program_aws, _stand_in_for_aws(tmp_path / "aws"))
            config = {
                "aws:region": aws.region,
                "vpcCidr": "10.40.0.0/16",
                "apiKey": emu.api.api_key,
                "publicUrl": emu.api.public_url,
                "privatelinkUrl": emu.api.privatelink_url,
                "caBundle": emu.api.ca_bundle,
            }
            stack = open_stack(workdir, env, config, name="dev", project=project)

            up = stack.up()

            assert up.outputs["lockdownStatus"].value["holds"] is True
            text = "\n".join(stack.output)
            assert "pulumi-resource-rockset from $PATH" not in text
            assert (_plugin_dir(workdir) / "venv" / ".ready").is_file()
            stack.destroy()
            with emu.client("privatelink") as client:
                assert client.list_ip_allowlist() == []
    finally:
        emu.stop()
