"""``examples/yaml`` on the real Pulumi engine: a Pulumi YAML program, with no Python of its own,
using ``rockset:index:PrivateLink`` through the ``rockset`` plugin.

The YAML language host is Pulumi's, built from Go modules (``tools/pulumi-yaml``); the plugin is
the console script ``pulumi-resource-rockset``, found on PATH the way ``pipx install`` puts it
(nothing else of its virtualenv on PATH, no Python variable set). AWS is the moto-backed
stand-in, Rockset the emulator. The stack goes through preview, up, an unchanged preview, an
admin CIDR change, out-of-band drift and refresh, and destroy, in that order.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pulumi.automation import OpType

from devtools.engine import (
    REPO,
    LocalAws,
    LocalStack,
    engine_env,
    local_aws,
    open_stack,
    with_rockset_plugin,
)
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli
from tests.support.plugin_state import CHECKS, assert_key_only_encrypted

require_pulumi_cli(yaml=True)

pytestmark = pytest.mark.engine

EXAMPLE = REPO / "examples" / "yaml"
OFFICE = {"office": "203.0.113.0/24"}


@dataclass
class World:
    aws: LocalAws
    emu: RunningEmulator
    stack: LocalStack
    env: dict[str, str]

    def text(self) -> str:
        return "\n".join(self.stack.output)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("yaml")
    emu = start_emulator(workdir / "emulator")
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
            yield World(aws, emu, stack, env)
    finally:
        emu.stop()


def test_the_engine_needs_no_python_setting(world: World) -> None:
    assert not any(key.startswith("PULUMI_PYTHON") for key in world.env)
    assert "PULUMI_RUNTIME_VIRTUALENV" not in world.env
    runtime = (world.stack.project / "Pulumi.yaml").read_text(encoding="utf-8")
    assert "runtime: yaml" in runtime


def test_preview_plans_the_graph_and_calls_no_rockset(world: World) -> None:
    result = world.stack.preview()
    assert result.change_summary == {OpType.CREATE: 7}
    text = world.text()
    for token in (
        "rockset:index:PrivateLink",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        *(f"rockset:index:{check}" for check in CHECKS),
    ):
        assert token in text
    assert "pulumi-python:dynamic" not in text
    assert world.emu.requests() == []
    assert world.aws.live_endpoints() == []


def test_up_creates_verifies_and_locks_down(world: World) -> None:
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    outputs = {k: v.value for k, v in result.outputs.items()}
    assert outputs["endpointState"] == "available"
    assert outputs["availabilityZones"] == ["eu-central-1a", "eu-central-1b"]
    assert outputs["connectivity"]["privatelink"]["authenticated"] is True
    assert outputs["allowlistEntries"] == OFFICE
    # The schema's camelCase reaches the program, nested objects included.
    assert outputs["lockdownStatus"]["holds"] is True
    assert outputs["lockdownStatus"]["publicRefusesKey"] is True
    [endpoint] = world.aws.live_endpoints()
    assert endpoint["VpcEndpointId"] == outputs["vpcEndpointId"]
    assert world.emu.allowlist() == OFFICE
    types = {r["type"] for r in world.stack.deployment()["resources"]}
    assert {f"rockset:index:{check}" for check in CHECKS} <= types
    assert not any(t.startswith("pulumi-python:dynamic") for t in types)


def test_state_holds_the_key_only_encrypted(world: World) -> None:
    assert_key_only_encrypted(world.stack, world.emu.api_key)


def test_second_preview_changes_nothing(world: World) -> None:
    before = len(world.emu.requests())
    result = world.stack.preview()
    assert set(result.change_summary) == {OpType.SAME}
    assert len(world.emu.requests()) == before


def test_changing_an_admin_cidr_previews_an_update_naming_the_entry(world: World) -> None:
    world.stack.set_config({"officeCidr": "198.51.100.0/24"})
    world.stack.output.clear()
    preview = world.stack.preview()
    assert preview.change_summary.get(OpType.UPDATE) == 2  # the allowlist and the lockdown check
    text = world.text()
    assert "~ rockset:index:IpAllowlist: (update)" in text
    assert '~ entries: {\n          ~ office: "203.0.113.0/24" => "198.51.100.0/24"' in text
    assert "replace" not in text
    world.stack.up()
    assert world.emu.allowlist() == {"office": "198.51.100.0/24"}
    world.stack.set_config({"officeCidr": OFFICE["office"]})
    world.stack.up()
    assert world.emu.allowlist() == OFFICE


def test_refresh_reports_drift_and_up_repairs_it(world: World) -> None:
    with world.emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    result = world.stack.refresh()
    assert result.summary.resource_changes is not None
    assert result.summary.resource_changes.get(OpType.UPDATE, 0) >= 1
    resources = world.stack.deployment()["resources"]
    allowlist = next(r for r in resources if r["type"] == "rockset:index:IpAllowlist")
    assert allowlist["outputs"]["liveEntries"] == {}
    lock = next(r for r in resources if r["type"] == "rockset:index:LockdownCheck")
    assert lock["outputs"]["status"]["holds"] is False

    world.stack.output.clear()
    preview = world.stack.preview()
    assert preview.change_summary.get(OpType.UPDATE) == 2
    assert "+ office" in world.text()
    up = world.stack.up()
    assert world.emu.allowlist() == OFFICE
    assert up.outputs["lockdownStatus"].value["holds"] is True


def test_destroy_removes_the_allowlist_before_the_endpoint(world: World) -> None:
    world.stack.output.clear()
    world.stack.destroy()
    assert world.emu.allowlist() == {}
    assert world.aws.live_endpoints() == []
    lines = world.stack.output
    allowlist_deleted = next(
        i for i, line in enumerate(lines) if "rockset-allowlist deleted" in line
    )
    endpoint_deleting = next(
        i for i, line in enumerate(lines) if "rockset-endpoint deleting" in line
    )
    assert allowlist_deleted < endpoint_deleting
    # What the plugin's delete says reaches the user, as the dynamic provider's does.
    assert "Removed allowlist entries ['office']" in world.text()
