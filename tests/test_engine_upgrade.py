"""Upgrading the package under an existing stack, on the real Pulumi engine: a stack that the
released code created previews under this code with no change but the probe function's new code,
``up`` deploys that code in place and writes nothing to Rockset, and this code destroys it.

The stack is the example project's ``local`` stack (checks and lockdown on), with the probe on
this machine and, in a second stack, in the VPC (``probe: vpc``). It is created by the package as
it was at :data:`RELEASED`, installed from git into a directory first on the ``PYTHONPATH`` of
the program and of the dynamic-provider host; then this checkout's package replaces it there, as
``pip install --upgrade`` replaces it in a user's virtualenv. The probe function uploads this
package's own files, so where they changed since :data:`RELEASED` its code is updated, as
pulumi-aws updates it; nothing else may change. The dynamic resources' state names their
providers by module path (``rockset_pulumi.providers``) and holds their property names, so this
is where a rename or a dropped input shows.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devtools.engine import LocalStack, engine_env, live_config, local_aws, open_stack
from devtools.projects import REPO
from devtools.vpc import VPC_ONLY_HOST, inside_vpc
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

RELEASED = "0e5976119e00c0a1b891a26a5deae7fc7472e47f"
"""main as last released, before issue 18's simplification (the check resources declared once,
step 5 without its ``admin_cidrs`` input): the code existing stacks were created with. Fixed, so
that this test keeps proving that upgrade."""

PACKAGE = "rockset_pulumi"
LOCKDOWN_TYPE = "pulumi-python:dynamic/rockset:LockdownCheck"


def install_released(site: Path) -> None:
    """The package as of :data:`RELEASED`, into ``site``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", RELEASED, PACKAGE],
        capture_output=True,
        check=False,
        timeout=60,
    )
    if archive.returncode != 0:
        pytest.fail(
            f"git cannot read commit {RELEASED} of {REPO} ({archive.stderr.decode().strip()}): "
            "this test needs the repository's history (a full clone, or `git fetch --unshallow`)."
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(site, filter="data")


def upgrade(site: Path) -> None:
    """This checkout's package in place of the one in ``site``."""
    shutil.rmtree(site / PACKAGE)
    shutil.copytree(REPO / PACKAGE, site / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))


def imported_from(env: Mapping[str, str], cwd: Path) -> Path:
    """Where the program's Python (this virtualenv's, as the project's) imports the package
    from under ``env``, run in ``cwd`` (not the checkout, whose package it would find first)."""
    found = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"],
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=cwd,
        check=True,
        timeout=60,
    )
    return Path(found.stdout.strip()).parent


def changed(preview: str) -> list[tuple[str, str, str]]:
    """(resource type, operation, changed input) of each change a ``--diff`` preview shows."""
    found: list[tuple[str, str, str]] = []
    resource = ("", "")
    for line in preview.splitlines():
        if match := re.match(r"\s*[~+-]*\s*([\w:/-]+): \((\w[\w-]*)\)", line):
            resource = (match[1], match[2])
        elif "--outputs:--" in line:
            resource = ("", "same")  # what follows are outputs, not inputs
        elif (match := re.match(r"\s*[~+-] (\w+)\s*:", line)) and resource[1] != "same":
            found.append((*resource, match[1]))
    return found


@dataclass
class World:
    emu: RunningEmulator
    stack: LocalStack
    site: Path
    probe: str

    def new_probe_code(self) -> list[tuple[str, str, str]]:
        """The change an upgrade brings: the probe function's code, with ``probe: vpc``."""
        function = ("aws:lambda/function:Function", "update", "sourceCodeHash")
        return [function] if self.probe == "vpc" else []

    def rockset_writes(self) -> list[dict[str, Any]]:
        return [r for r in self.emu.requests() if r["method"] in ("POST", "DELETE")]

    def lockdown_inputs(self) -> dict[str, Any]:
        [lockdown] = [r for r in self.stack.deployment()["resources"] if r["type"] == LOCKDOWN_TYPE]
        return dict(lockdown["inputs"])


@pytest.fixture(scope="module", params=["runner", "vpc"], ids=lambda p: f"probe-{p}")
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    probe: str = request.param
    workdir = tmp_path_factory.mktemp(f"engine-upgrade-{probe}")
    site = workdir / "site-packages"
    install_released(site)
    emu = start_emulator(
        workdir / "emulator", **({"tls_name": VPC_ONLY_HOST} if probe == "vpc" else {})
    )
    try:
        with local_aws(workdir) as aws:
            env = engine_env(aws)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
            assert imported_from(env, workdir) == site / PACKAGE
            overrides = (
                {"privatelinkUrl": inside_vpc(emu.privatelink_url), "probe": "vpc"}
                if probe == "vpc"
                else {}
            )
            config = live_config(aws, emu.api, **overrides)
            stack = open_stack(workdir / "pulumi", env, config)
            yield World(emu, stack, site, probe)
    finally:
        emu.stop()


def test_the_released_code_creates_the_stack(world: World) -> None:
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    assert result.outputs["lockdownStatus"].value["holds"] is True
    # Only the released code gives step 5 this input: the stack is really the old code's.
    assert "admin_cidrs" in world.lockdown_inputs()


def test_after_the_upgrade_preview_changes_only_the_probes_code_and_calls_no_rockset(
    world: World,
) -> None:
    upgrade(world.site)
    requests = len(world.emu.requests())
    world.stack.output.clear()
    world.stack.preview()
    text = "\n".join(world.stack.output)
    assert changed(text) == world.new_probe_code()
    assert len(world.emu.requests()) == requests


def test_after_the_upgrade_up_deploys_the_probes_code_and_writes_nothing_to_rockset(
    world: World,
) -> None:
    writes = len(world.rockset_writes())
    result = world.stack.up()
    assert set(result.summary.resource_changes or {}) <= {"same", "update"}
    assert world.rockset_writes()[writes:] == []
    # The state now holds this code's inputs: step 5 without the duplicate.
    assert "admin_cidrs" not in world.lockdown_inputs()
    assert result.outputs["lockdownStatus"].value["holds"] is True
    world.stack.output.clear()
    world.stack.preview()
    assert changed("\n".join(world.stack.output)) == []


def test_this_code_destroys_the_released_stack(world: World) -> None:
    world.stack.destroy()
    with world.emu.client("privatelink") as client:
        assert client.list_ip_allowlist() == []
    assert world.stack.deployment().get("resources") in (None, [])
