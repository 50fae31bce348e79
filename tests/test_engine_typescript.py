"""``examples/typescript`` on the real Pulumi engine: a TypeScript program, with no Python of its
own, using ``rockset.PrivateLink`` from the generated SDK (``sdk/nodejs``, a path dependency)
through the ``rockset`` plugin.

The set-up is a user's: a copy of the example, ``npm install`` from the registry (npm's cache in
``.tools/npm-cache``), ``pulumi stack init``, ``pulumi config set``. The CLI runs the program
with ``pulumi-language-nodejs``, the repository's stand-in for Pulumi's host
(:mod:`devtools.nodejs_language_host`), which starts ``@pulumi/pulumi``'s own runner: the program
is compiled by the project's ``ts-node`` and ``typescript``. The plugin is the console script
``pulumi-resource-rockset``, found on PATH the way ``pipx install`` puts it; AWS is the
moto-backed stand-in, Rockset the emulator. The stack goes through preview, up, an unchanged
preview, an admin CIDR change, out-of-band drift and refresh, a refused input, and destroy, in
that order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.automation import OpType

from devtools.engine import (
    LocalAws,
    LocalStack,
    engine_env,
    local_aws,
    open_stack,
    with_rockset_plugin,
)
from devtools.node_projects import copy_typescript_example
from devtools.pulumi_cli import CliError
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

REGION = "eu-central-1"
# Not the seeded network's 10.0.0.0/16, so that the example's VPC is told apart in moto.
CIDR = "10.30.0.0/16"
OFFICE = {"office": "203.0.113.0/24"}
CHECKS = ("ConnectivityCheck", "IpAllowlist", "LockdownCheck")


@dataclass
class World:
    aws: LocalAws
    emu: RunningEmulator
    stack: LocalStack

    def allowlist(self) -> dict[str, str]:
        with self.emu.client("privatelink") as client:
            return {e.name: e.ip_address for e in client.list_ip_allowlist()}

    def endpoints_in_aws(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.aws.ec2().describe_vpc_endpoints()["VpcEndpoints"]
        return [e for e in found if e["State"] != "deleted"]

    def text(self) -> str:
        return "\n".join(self.stack.output)

    def outputs(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.stack.shell.run("stack", "output", "--json").stdout)
        return found


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("typescript")
    project = copy_typescript_example(workdir)
    emu = start_emulator(workdir / "emulator")
    try:
        with local_aws(workdir) as aws:
            env = with_rockset_plugin(engine_env(aws), workdir)
            config = {
                "aws:region": REGION,
                "vpcCidr": CIDR,
                "apiKey": emu.api.api_key,
                "publicUrl": emu.api.public_url,
                "privatelinkUrl": emu.api.privatelink_url,
                "caBundle": emu.api.ca_bundle,
            }
            stack = open_stack(workdir / "pulumi", env, config, name="dev", project=project)
            yield World(aws, emu, stack)
    finally:
        emu.stop()


def test_the_program_is_typescript_and_needs_no_python_setting(world: World) -> None:
    settings = (world.stack.project / "Pulumi.yaml").read_text(encoding="utf-8")
    assert "name: nodejs" in settings
    env = world.stack.shell.env
    assert not any(key.startswith("PULUMI_PYTHON") for key in env)
    assert "PULUMI_RUNTIME_VIRTUALENV" not in env


def test_preview_plans_the_graph_and_calls_no_rockset(world: World) -> None:
    result = world.stack.preview()

    # The stack, the VPC, three subnets, the component, its group, endpoint and three checks.
    assert result.change_summary == {OpType.CREATE: 11}
    text = world.text()
    for token in (
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "rockset:index:PrivateLink",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        *(f"rockset:index:{check}" for check in CHECKS),
    ):
        assert token in text
    assert "pulumi-python:dynamic" not in text
    assert world.emu.requests() == []
    assert world.endpoints_in_aws() == []


def test_up_creates_verifies_and_locks_down(world: World) -> None:
    result = world.stack.up()

    assert result.summary.result == "succeeded"
    outputs = {k: v.value for k, v in result.outputs.items()}
    assert outputs["endpointState"] == "available"
    # The double's Rockset service serves two of the three zones: the third subnet is skipped.
    assert outputs["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert len(outputs["skippedSubnetIds"]) == 1
    assert outputs["connectivity"]["privatelink"]["authenticated"] is True
    assert outputs["allowlistEntries"] == OFFICE
    assert outputs["lockdownStatus"]["holds"] is True
    assert outputs["lockdownStatus"]["publicRefusesKey"] is True
    [endpoint] = world.endpoints_in_aws()
    assert endpoint["VpcEndpointId"] == outputs["vpcEndpointId"]
    assert endpoint["VpcId"] == outputs["vpcId"]
    assert world.allowlist() == OFFICE


def test_state_holds_the_key_only_encrypted(world: World) -> None:
    state = world.stack.export()
    assert world.emu.api_key not in state
    resources = world.stack.deployment()["resources"]
    checks = [r for r in resources if r["type"].removeprefix("rockset:index:") in CHECKS]
    assert len(checks) == 3
    for resource in checks:
        for where in ("inputs", "outputs"):
            key = resource[where]["apiKey"]
            assert key["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
            assert "ciphertext" in key
    at_rest = "".join(p.read_text() for p in (world.stack.workdir / "state").rglob("*.json"))
    assert world.emu.api_key not in at_rest
    assert world.emu.api_key not in world.text()


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
    assert world.allowlist() == {"office": "198.51.100.0/24"}
    world.stack.set_config({"officeCidr": OFFICE["office"]})
    world.stack.up()
    assert world.allowlist() == OFFICE


def test_refresh_finds_a_deleted_entry_and_up_repairs_it(world: World) -> None:
    with world.emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    result = world.stack.refresh()
    assert result.summary.resource_changes is not None
    assert result.summary.resource_changes.get(OpType.UPDATE, 0) >= 1
    resources = world.stack.deployment()["resources"]
    allowlist = next(r for r in resources if r["type"] == "rockset:index:IpAllowlist")
    assert allowlist["outputs"]["liveEntries"] == {}

    world.stack.output.clear()
    preview = world.stack.preview()
    assert preview.change_summary.get(OpType.UPDATE) == 2
    assert "+ office" in world.text()
    up = world.stack.up()
    assert world.allowlist() == OFFICE
    assert up.outputs["lockdownStatus"].value["holds"] is True


def test_a_bad_input_is_refused_naming_the_property_without_a_python_stack(world: World) -> None:
    # After `--`, as a user types a negative number (else it reads as a flag).
    world.stack.shell.run("config", "set", "checkTimeout", "--", "-1")
    try:
        with pytest.raises(CliError) as refused:
            world.stack.shell.run("preview")
    finally:
        world.stack.shell.run("config", "rm", "checkTimeout")
    said = f"{refused.value.stdout}\n{refused.value.stderr}"
    assert "checkTimeout" in said
    assert "-1" in said
    assert "Traceback" not in said
    assert 'File "' not in said
    assert world.emu.api_key not in said


def test_destroy_removes_the_allowlist_before_the_endpoint(world: World) -> None:
    world.stack.output.clear()
    world.stack.destroy()
    assert world.allowlist() == {}
    assert world.endpoints_in_aws() == []
    lines = world.stack.output
    allowlist_deleted = next(
        i for i, line in enumerate(lines) if "rockset-allowlist deleted" in line
    )
    endpoint_deleting = next(
        i for i, line in enumerate(lines) if "rockset-endpoint deleting" in line
    )
    assert allowlist_deleted < endpoint_deleting
