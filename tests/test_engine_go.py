"""``examples/go`` on the real Pulumi engine: a Go program (a new VPC, subnets in three zones and
``rockset.NewPrivateLink`` from the generated SDK, ``sdk/go``) through the ``rockset`` plugin.

Inline: the CLI built here has no Go language host (``pulumi-language-go`` is not served as a Go
module), so the example's own program function runs through the Go Automation API in its driver
(``tools/goexample``, built by ``make goexample``), against the project directory's
``Pulumi.yaml`` and a stack made and configured with the CLI as a user does. The plugin is the
console script on PATH, AWS the moto-backed stand-in, Rockset the emulator. The stack goes through
preview, up, an unchanged preview, an admin CIDR change, out-of-band drift and refresh, destroy,
and a refused input, in that order.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devtools.engine import REPO, LocalAws, engine_env, local_aws, open_stack, with_rockset_plugin
from devtools.go_example import DRIVER, GoOperationError, GoStack
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_go_example
from tests.support.plugin_state import CHECKS, assert_key_only_encrypted

require_go_example()

pytestmark = pytest.mark.engine

REGION = "eu-central-1"
# Not the seeded network's 10.0.0.0/16, so that the example's VPC is told apart in moto.
CIDR = "10.30.0.0/16"
OFFICE = {"office": "203.0.113.0/24"}


@dataclass
class World:
    aws: LocalAws
    emu: RunningEmulator
    stack: GoStack

    def example_vpcs(self) -> list[dict[str, Any]]:
        found = self.aws.ec2().describe_vpcs(Filters=[{"Name": "cidr", "Values": [CIDR]}])
        return list(found["Vpcs"])

    def text(self) -> str:
        return "\n".join(self.stack.local.output)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("go")
    emu = start_emulator(workdir / "emulator")
    try:
        with local_aws(workdir) as aws:
            project = shutil.copytree(REPO / "examples" / "go", workdir / "project")
            env = with_rockset_plugin(engine_env(aws), workdir)
            config = {
                "aws:region": REGION,
                "vpcCidr": CIDR,
                "apiKey": emu.api.api_key,
                "publicUrl": emu.api.public_url,
                "privatelinkUrl": emu.api.privatelink_url,
                "caBundle": emu.api.ca_bundle,
            }
            local = open_stack(workdir / "pulumi", env, config, name="dev", project=project)
            yield World(aws, emu, GoStack(local, DRIVER))
    finally:
        emu.stop()


def test_preview_plans_the_network_and_the_component_and_calls_no_rockset(world: World) -> None:
    result = world.stack.run("preview")
    # The stack, the VPC, three subnets, the component, its group, endpoint and three checks.
    assert result.change_summary == {"create": 11}
    for token in (
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "rockset:index:PrivateLink",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        *(f"rockset:index:{check}" for check in CHECKS),
    ):
        assert token in world.text()
    assert world.emu.requests() == []
    assert world.example_vpcs() == []


def test_up_creates_verifies_and_locks_down(world: World) -> None:
    result = world.stack.run("up")
    assert result.result == "succeeded"
    outputs = result.outputs
    [vpc] = world.example_vpcs()
    assert outputs["vpcId"] == vpc["VpcId"]
    a, b, c = outputs["subnetIds"]
    assert outputs["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert outputs["skippedSubnetIds"] == [c]
    assert outputs["endpointState"] == "available"
    assert outputs["connectivity"]["privatelink"]["authenticated"] is True
    assert outputs["allowlistEntries"] == OFFICE
    assert outputs["lockdownStatus"]["holds"] is True
    assert outputs["lockdownStatus"]["publicRefusesKey"] is True
    [endpoint] = world.aws.live_endpoints()
    assert endpoint["VpcEndpointId"] == outputs["vpcEndpointId"]
    assert sorted(endpoint["SubnetIds"]) == sorted([a, b])
    assert world.emu.allowlist() == OFFICE


def test_state_holds_the_key_only_encrypted(world: World) -> None:
    assert_key_only_encrypted(world.stack.local, world.emu.api_key)


def test_second_preview_changes_nothing(world: World) -> None:
    before = len(world.emu.requests())
    result = world.stack.run("preview")
    assert set(result.change_summary) == {"same"}
    assert len(world.emu.requests()) == before


def test_changing_the_admin_cidr_previews_an_update_of_that_entry(world: World) -> None:
    world.stack.local.set_config({"officeCidr": "198.51.100.0/24"})
    world.stack.local.output.clear()
    preview = world.stack.run("preview")
    assert preview.change_summary.get("update") == 2  # the allowlist and the lockdown check
    text = world.text()
    assert "~ rockset:index:IpAllowlist: (update)" in text
    assert '~ office: "203.0.113.0/24" => "198.51.100.0/24"' in text
    assert "replace" not in text
    world.stack.run("up")
    assert world.emu.allowlist() == {"office": "198.51.100.0/24"}
    world.stack.local.set_config({"officeCidr": OFFICE["office"]})
    world.stack.run("up")
    assert world.emu.allowlist() == OFFICE


def test_refresh_finds_a_deleted_entry_and_up_repairs_it(world: World) -> None:
    with world.emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    result = world.stack.run("refresh")
    assert result.change_summary.get("update", 0) >= 1
    resources = world.stack.local.deployment()["resources"]
    allowlist = next(r for r in resources if r["type"] == "rockset:index:IpAllowlist")
    assert allowlist["outputs"]["liveEntries"] == {}
    up = world.stack.run("up")
    assert world.emu.allowlist() == OFFICE
    assert up.outputs["lockdownStatus"]["holds"] is True


def test_destroy_removes_the_allowlist_before_the_endpoint(world: World) -> None:
    world.stack.local.output.clear()
    world.stack.run("destroy")
    assert world.emu.allowlist() == {}
    assert world.aws.live_endpoints() == []
    assert world.example_vpcs() == []
    lines = world.stack.local.output
    allowlist_deleted = next(
        i for i, line in enumerate(lines) if "rockset-allowlist deleted" in line
    )
    endpoint_deleting = next(
        i for i, line in enumerate(lines) if "rockset-endpoint deleting" in line
    )
    assert allowlist_deleted < endpoint_deleting


def test_a_bad_input_names_the_property_without_a_python_stack(world: World) -> None:
    # `--`, as a user types it: the CLI reads a bare -1 as a flag.
    world.stack.local.shell.run("config", "set", "--", "checkTimeout", "-1")
    with pytest.raises(GoOperationError) as failed:
        world.stack.run("preview")
    said = failed.value.text
    assert "checkTimeout" in said
    assert "-1" in said
    assert "Traceback" not in said
    assert world.emu.api_key not in said
