"""``examples/yaml`` on the real Pulumi engine: a Pulumi YAML program, with no Python of its own,
using ``rockset:index:PrivateLink`` through the ``rockset`` plugin.

The YAML language host is Pulumi's, built from Go modules (``tools/pulumi-yaml``); the plugin is
the console script ``pulumi-resource-rockset``, found on PATH the way ``pipx install`` puts it
(nothing else of its virtualenv on PATH, no Python variable set). AWS is the moto-backed
stand-in, Rockset the emulator. The stack goes through preview, up, an unchanged preview, an
admin CIDR change, out-of-band drift and refresh, a rotation whose write fails and its revert,
and destroy, in that order.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from pulumi.automation import CommandError, OpType

from devtools.engine import (
    REPO,
    engine_env,
    local_aws,
    open_stack,
    with_rockset_plugin,
)
from tests.support.emulator import restart_emulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli
from tests.support.plugin_stack import (
    OFFICE,
    PluginStack,
    changes_nothing_on_a_second_preview,
    destroys_the_allowlist_before_the_endpoint,
    holds_the_key_only_encrypted,
    previews_an_admin_cidr_change_as_an_update_of_the_entry,
    previews_the_graph_calling_no_rockset,
    refresh_finds_a_deleted_entry_and_up_repairs_it,
    ups_verified_and_locked_down,
)

require_pulumi_cli(yaml=True)

pytestmark = pytest.mark.engine

EXAMPLE = REPO / "examples" / "yaml"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PluginStack]:
    workdir = tmp_path_factory.mktemp("yaml")
    emu = start_emulator(workdir / "emulator", state_file=workdir / "org.json")
    world: PluginStack | None = None
    try:
        with local_aws(workdir) as aws:
            project = shutil.copytree(EXAMPLE, workdir / "project")
            env = with_rockset_plugin(engine_env(aws), workdir)
            config = {
                "vpcId": aws.network.vpc_id,
                "subnetIds": list(aws.network.subnet_ids_by_az.values()),
                "apiKey": emu.api.api_key,
                "publicUrl": emu.api.public_url,
                "privatelinkUrl": emu.api.privatelink_url,
                "caBundle": emu.api.ca_bundle,
            }
            stack = open_stack(workdir / "pulumi", env, config, project=project)
            world = PluginStack(aws, emu, stack)
            yield world
    finally:
        # The emulator the tests left running: a restart replaces it.
        (emu if world is None else world.emu).stop()


def test_the_engine_needs_no_python_setting(world: PluginStack) -> None:
    env = world.stack.shell.env
    assert not any(key.startswith("PULUMI_PYTHON") for key in env)
    assert "PULUMI_RUNTIME_VIRTUALENV" not in env
    runtime = (world.stack.project / "Pulumi.yaml").read_text(encoding="utf-8")
    assert "runtime: yaml" in runtime


def test_preview_plans_the_graph_and_calls_no_rockset(world: PluginStack) -> None:
    # The stack, the component, its group, endpoint and three checks.
    previews_the_graph_calling_no_rockset(world, creates=7)


def test_up_creates_verifies_and_locks_down(world: PluginStack) -> None:
    ups_verified_and_locked_down(world, ["eu-central-1a", "eu-central-1b"])


def test_state_holds_the_key_only_encrypted(world: PluginStack) -> None:
    holds_the_key_only_encrypted(world)


def test_second_preview_changes_nothing(world: PluginStack) -> None:
    changes_nothing_on_a_second_preview(world)


def test_changing_an_admin_cidr_previews_an_update_naming_the_entry(world: PluginStack) -> None:
    previews_an_admin_cidr_change_as_an_update_of_the_entry(world)


def test_refresh_reports_drift_and_up_repairs_it(world: PluginStack) -> None:
    refresh_finds_a_deleted_entry_and_up_repairs_it(world)


def test_a_failed_rotation_undoes_itself_and_a_revert_converges(world: PluginStack) -> None:
    # Issue 19's first sequence, through the plugin: office moves, the rotation's second write
    # (the old entry's delete) fails with the client's two retries, the user reverts.
    world.emu = restart_emulator(world.emu, drop_write=[2, 3, 4])
    world.stack.set_config({"officeCidr": "198.51.100.0/24"})
    with pytest.raises(CommandError) as err:
        world.stack.up()
    assert "Its writes were undone; the allowlist is as it was." in str(err.value)
    assert world.allowlist() == OFFICE

    world.emu = restart_emulator(world.emu)
    world.stack.set_config({"officeCidr": OFFICE["office"]})
    assert set(world.stack.preview().change_summary) == {OpType.SAME}
    world.stack.up()
    assert world.allowlist() == OFFICE


def test_destroy_removes_the_allowlist_before_the_endpoint(world: PluginStack) -> None:
    destroys_the_allowlist_before_the_endpoint(world)
