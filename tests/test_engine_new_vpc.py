"""``examples/new-vpc`` on the real Pulumi engine: a user's first program, which creates the VPC
and subnets the component goes into, so their ids are unknown at the first preview.

The CLI runs a copy of the example's directory as a user's shell does (``pulumi login``,
``pulumi stack init``, ``pulumi config set``, ``pulumi up``), with the language host and the
``virtualenv`` of its ``Pulumi.yaml``. AWS is a moto server behind the double's plugin; Rockset is
the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import OpType

from devtools.engine import LocalAws, LocalStack, engine_env, local_aws, open_stack
from devtools.projects import REPO, copy_project
from devtools.pulumi_cli import CliError
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

REGION = "eu-central-1"
# Not the seeded network's 10.0.0.0/16, so that the example's VPC is told apart in moto.
CIDR = "10.20.0.0/16"
OFFICE = {"office": "203.0.113.0/24"}


def open_example(workdir: Path, aws: LocalAws, config: dict[str, Any]) -> LocalStack:
    """Stack ``dev`` of a copy of the example, laid out as in the repository."""
    project = copy_project(REPO / "examples" / "new-vpc", workdir / "examples" / "new-vpc")
    config = {"aws:region": REGION, "vpcCidr": CIDR, **config}
    return open_stack(workdir, engine_env(aws), config, name="dev", project=project)


def stack_outputs(stack: LocalStack) -> dict[str, Any]:
    outputs: dict[str, Any] = json.loads(stack.shell.run("stack", "output", "--json").stdout)
    return outputs


def example_vpcs(aws: LocalAws) -> list[dict[str, Any]]:
    found = aws.ec2().describe_vpcs(Filters=[{"Name": "cidr", "Values": [CIDR]}])["Vpcs"]
    return list(found)


def live_endpoints(aws: LocalAws) -> list[dict[str, Any]]:
    found = aws.ec2().describe_vpc_endpoints()["VpcEndpoints"]
    return [e for e in found if e["State"] != "deleted"]


@dataclass
class World:
    aws: LocalAws
    emu: RunningEmulator
    stack: LocalStack


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("new-vpc")
    emu = start_emulator(workdir / "emulator")
    try:
        with local_aws(workdir) as aws:
            api = emu.api
            config = {
                "checks": True,
                "lockdown": True,
                "apiKey": api.api_key,
                "adminCidrs": OFFICE,
                "publicUrl": api.public_url,
                "privatelinkUrl": api.privatelink_url,
                "caBundle": api.ca_bundle,
            }
            yield World(aws, emu, open_example(workdir, aws, config))
    finally:
        emu.stop()


def test_first_preview_shows_the_plan_over_unknown_ids(world: World) -> None:
    result = world.stack.preview()

    # The stack, the VPC, three subnets, the component, its group, endpoint and three checks.
    assert result.change_summary == {OpType.CREATE: 11}
    text = "\n".join(world.stack.output)
    for token in (
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "rockset:index:PrivateLink",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "pulumi-python:dynamic/rockset:LockdownCheck",
    ):
        assert token in text
    assert "error" not in text.lower()
    assert example_vpcs(world.aws) == []
    assert world.emu.requests() == []


def test_up_creates_the_network_and_skips_the_unserved_zone(world: World) -> None:
    # As a user runs it: a preview over unknown ids, then the update.
    up = world.stack.shell.run("up", "--yes")

    outputs = stack_outputs(world.stack)
    [vpc] = example_vpcs(world.aws)
    assert outputs["vpcId"] == vpc["VpcId"]
    a, b, c = outputs["subnetIds"]
    assert outputs["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert outputs["skippedSubnetIds"] == [c]
    assert f"Skipping subnet {c}: {REGION}c is not served" in up.stdout
    assert outputs["endpointState"] == "available"
    assert outputs["lockdownStatus"]["holds"] is True
    [endpoint] = live_endpoints(world.aws)
    assert (endpoint["VpcId"], sorted(endpoint["SubnetIds"])) == (vpc["VpcId"], sorted([a, b]))
    hostnames = world.aws.ec2().describe_vpc_attribute(
        VpcId=vpc["VpcId"], Attribute="enableDnsHostnames"
    )
    assert hostnames["EnableDnsHostnames"]["Value"] is True


def test_second_preview_changes_nothing(world: World) -> None:
    result = world.stack.preview()

    assert set(result.change_summary) == {OpType.SAME}


def test_destroy_removes_the_network_too(world: World) -> None:
    world.stack.destroy()

    assert live_endpoints(world.aws) == []
    assert example_vpcs(world.aws) == []
    subnets = world.aws.ec2().describe_subnets()["Subnets"]
    assert {s["CidrBlock"] for s in subnets}.isdisjoint({"10.20.0.0/20", "10.20.16.0/20"})
    assert world.emu.client("public").list_ip_allowlist() == []


def test_dns_hostnames_off_fails_the_preflight_and_turning_them_on_repairs_it(
    tmp_path: Path,
) -> None:
    with local_aws(tmp_path) as aws:
        stack = open_example(tmp_path, aws, {"enableDnsHostnames": False})

        with pytest.raises(CliError) as failed:
            stack.shell.run("up", "--yes")

        [vpc] = example_vpcs(aws)
        said = failed.value.stdout + failed.value.stderr
        assert f"VPC {vpc['VpcId']} has enableDnsHostnames turned off" in said
        # The look-ups ran on the created VPC; no AWS error stands in for the preflight's.
        assert "api error" not in said
        assert live_endpoints(aws) == []

        # What the message says to do. `pulumi up` previews first, while the VPC still has them
        # off: that is a warning, and the update, with the VPC updated first, goes ahead.
        stack.set_config({"enableDnsHostnames": True})
        repaired = stack.shell.run("up", "--yes")

        assert f"VPC {vpc['VpcId']} has enableDnsHostnames turned off for now" in repaired.stdout
        assert example_vpcs(aws) == [vpc]
        [endpoint] = live_endpoints(aws)
        assert endpoint["VpcId"] == vpc["VpcId"]
        assert stack.preview().change_summary == {OpType.SAME: 8}
