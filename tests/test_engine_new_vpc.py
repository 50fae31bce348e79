"""``examples/new-vpc`` on the real Pulumi engine: a user's first program, which creates the VPC
and subnets the component goes into, so their ids are unknown at the first preview.

The program runs inline through the Automation API on a copy of the example's directory, whose
``Pulumi.yaml`` (its typed config and defaults) the CLI reads. AWS is a moto server behind the
double's plugin; Rockset is the emulator.
"""

from __future__ import annotations

import runpy
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto
from pulumi.automation import CommandError, OpType

from devtools.engine import (
    PULUMI_ROOT,
    REPO,
    LocalAws,
    LocalStack,
    engine_env,
    local_aws,
    pulumi_cli,
)
from tests.support.emulator import RunningEmulator, start_emulator

if pulumi_cli() is None:
    pytest.fail("The Pulumi CLI is not built: run `make pulumi-cli` (needs Go).")

pytestmark = pytest.mark.engine

EXAMPLE = REPO / "examples" / "new-vpc"
PROJECT = "rockset-new-vpc"
REGION = "eu-central-1"
# Not the seeded network's 10.0.0.0/16, so that the example's VPC is told apart in moto.
CIDR = "10.20.0.0/16"
OFFICE = {"office": "203.0.113.0/24"}


def copy_project(workdir: Path) -> Path:
    """The example's directory as a user's checkout has it."""
    project = workdir / "examples" / "new-vpc"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__"))
    return project


def config_values(config: dict[str, Any]) -> dict[str, auto.ConfigValue]:
    """``config`` as ``pulumi config set --path`` takes it: the CLI checks each value against the
    type Pulumi.yaml declares, so a map is set key by key rather than as JSON text."""
    values: dict[str, auto.ConfigValue] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            values.update({f"{key}.{k}": auto.ConfigValue(v) for k, v in value.items()})
        elif isinstance(value, bool):
            values[key] = auto.ConfigValue(str(value).lower())
        else:
            values[key] = auto.ConfigValue(value, secret=key == "apiKey")
    return values


def run_program(project: Path) -> Callable[[], None]:
    def program() -> None:
        runpy.run_path(str(project / "__main__.py"), run_name="__main__")

    return program


def open_project_stack(workdir: Path, aws: LocalAws, config: dict[str, Any]) -> LocalStack:
    """Stack ``dev`` of a copy of the example, its state in ``workdir``."""
    project = copy_project(workdir)
    (workdir / "state").mkdir()
    (workdir / "home").mkdir()
    env = engine_env(aws) | {"PULUMI_BACKEND_URL": f"file://{workdir / 'state'}"}
    stack = auto.create_or_select_stack(
        stack_name="dev",
        project_name=PROJECT,
        program=run_program(project),
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(project),
            pulumi_home=str(workdir / "home"),
            secrets_provider="passphrase",
            env_vars=env,
            pulumi_command=auto.PulumiCommand(root=str(PULUMI_ROOT), skip_version_check=True),
        ),
    )
    stack.set_all_config(
        config_values({"aws:region": REGION, "vpcCidr": CIDR, **config}), path=True
    )
    return LocalStack(stack, workdir)


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
            yield World(aws, emu, open_project_stack(workdir / "pulumi", aws, config))
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
        "rockset:aws:PrivateLink",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "pulumi-python:dynamic/rockset:LockdownCheck",
    ):
        assert token in text
    assert "error" not in text.lower()
    assert example_vpcs(world.aws) == []
    assert world.emu.requests() == []


def test_up_creates_the_network_and_skips_the_unserved_zone(world: World) -> None:
    result = world.stack.up()

    outputs = {key: value.value for key, value in result.outputs.items()}
    [vpc] = example_vpcs(world.aws)
    assert outputs["vpcId"] == vpc["VpcId"]
    a, b, c = outputs["subnetIds"]
    assert outputs["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert outputs["skippedSubnetIds"] == [c]
    assert f"Skipping subnet {c}: {REGION}c is not served" in result.stderr
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
        stack = open_project_stack(tmp_path / "pulumi", aws, {"enableDnsHostnames": False})

        with pytest.raises(CommandError) as failed:
            stack.up()

        [vpc] = example_vpcs(aws)
        message = str(failed.value)
        assert f"VPC {vpc['VpcId']} has enableDnsHostnames turned off" in message
        # The look-ups ran on the created VPC; no AWS error stands in for the preflight's.
        assert "api error" not in message
        assert live_endpoints(aws) == []

        # What the message says to do. `pulumi up` previews first, when the VPC still has them
        # off: that is a warning, and the update, with the VPC updated first, goes ahead.
        stack.stack.set_config("enableDnsHostnames", auto.ConfigValue("true"))
        preview = stack.preview()
        assert preview.change_summary == {OpType.SAME: 5, OpType.UPDATE: 1, OpType.CREATE: 2}
        assert f"VPC {vpc['VpcId']} has enableDnsHostnames turned off for now" in preview.stderr
        result = stack.up()

        assert result.summary.resource_changes == {"same": 5, "update": 1, "create": 2}
        assert example_vpcs(aws) == [vpc]
        [endpoint] = live_endpoints(aws)
        assert endpoint["VpcId"] == vpc["VpcId"]
