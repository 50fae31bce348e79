"""``dns="hosted_zone"`` on the real Pulumi engine, offline: an existing ``endpoint`` stack switched
to a shared private hosted zone, the shared VPCs changed, then destroyed.

AWS is a moto server behind the double's plugin (Route 53 included); checks are off (no call to
Rockset), so each run is the AWS side only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from pulumi.automation import OpType

from devtools.aws_double import seed_network
from devtools.engine import LocalAws, LocalStack, engine_env, local_aws, open_stack
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

ZONE_NAME = "privatelink.euc1a1.rockset.com"


@dataclass
class World:
    aws: LocalAws
    stack: LocalStack
    spokes: list[str]

    def route53(self) -> Any:
        return boto3.client(
            "route53",
            region_name=self.aws.region,
            endpoint_url=self.aws.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def zones(self) -> list[dict[str, Any]]:
        return list(self.route53().list_hosted_zones()["HostedZones"])

    def associated(self, zone_id: str) -> set[str]:
        zone = self.route53().get_hosted_zone(Id=zone_id)
        return {vpc["VPCId"] for vpc in zone["VPCs"]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("hosted-zone")
    with local_aws(workdir) as aws:
        spokes = [
            seed_network(aws.ec2(), cidr=cidr, azs=["eu-central-1a"]).vpc_id
            for cidr in ("10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16")
        ]
        config = {
            "vpcId": aws.network.vpc_id,
            "subnetIds": list(aws.network.subnet_ids_by_az.values()),
            # Required by the example program; never sent anywhere with checks off.
            "apiKey": "unused-with-checks-off",
            "checks": False,
            "lockdown": False,
        }
        stack = open_stack(workdir / "pulumi", engine_env(aws), config)
        yield World(aws, stack, spokes)


def test_an_endpoint_stack_comes_up_with_private_dns(world: World) -> None:
    result = world.stack.up()
    outputs = {k: v.value for k, v in result.outputs.items()}
    assert outputs["privateDnsEnabled"] is True
    assert outputs.get("hostedZoneId") is None  # a None output is not exported
    assert outputs["resolvingVpcIds"] == [world.aws.network.vpc_id]
    assert world.zones() == []


def test_switching_to_hosted_zone_updates_the_endpoint_in_place(world: World) -> None:
    world.stack.set_config({"dns": "hosted_zone", "sharedVpcIds": world.spokes[:2]})
    before = world.stack.stack.outputs()["vpcEndpointId"].value
    preview = world.stack.preview()
    # The endpoint's private DNS is switched off in place; the zone, its alias and two
    # associations are new. Nothing is replaced.
    assert preview.change_summary.get(OpType.REPLACE, 0) == 0
    assert preview.change_summary[OpType.UPDATE] == 2  # the endpoint and the security group
    assert preview.change_summary[OpType.CREATE] == 4

    result = world.stack.up()
    outputs = {k: v.value for k, v in result.outputs.items()}
    assert outputs["vpcEndpointId"] == before
    assert outputs["privateDnsEnabled"] is False
    hub = world.aws.network.vpc_id
    assert outputs["resolvingVpcIds"] == [hub, *world.spokes[:2]]
    [zone] = world.zones()
    assert zone["Name"] == f"{ZONE_NAME}."
    assert zone["Id"].endswith(outputs["hostedZoneId"])
    assert world.associated(outputs["hostedZoneId"]) == {hub, *world.spokes[:2]}
    records = world.route53().list_resource_record_sets(HostedZoneId=outputs["hostedZoneId"])
    [alias] = [r for r in records["ResourceRecordSets"] if r["Type"] == "A"]
    regional = outputs["dnsEntries"][0]
    assert alias["Name"].rstrip(".") == ZONE_NAME
    assert alias["AliasTarget"]["DNSName"].rstrip(".") == regional["dns_name"]
    assert alias["AliasTarget"]["HostedZoneId"] == regional["hosted_zone_id"]
    # A second preview of the same program changes nothing (the zone's vpcs are ignored).
    again = world.stack.preview()
    assert set(again.change_summary) == {OpType.SAME}


def test_changing_the_shared_vpcs_changes_associations_only(world: World) -> None:
    first, second, third = world.spokes
    world.stack.set_config({"sharedVpcIds": [first, third]})
    world.stack.output.clear()
    preview = world.stack.preview()
    # One association created, one deleted; the endpoint's security group gains and loses a
    # CIDR; the endpoint and the zone are the same.
    assert preview.change_summary.get(OpType.REPLACE, 0) == 0
    assert preview.change_summary[OpType.CREATE] == 1
    assert preview.change_summary[OpType.DELETE] == 1
    assert preview.change_summary[OpType.UPDATE] == 1
    text = "\n".join(world.stack.output)
    assert f"rockset-{third}" in text
    assert f"rockset-{second}" in text

    result = world.stack.up()
    zone_id = result.outputs["hostedZoneId"].value
    assert world.associated(zone_id) == {world.aws.network.vpc_id, first, third}


def test_destroy_leaves_no_zone_or_association(world: World) -> None:
    world.stack.destroy()
    assert world.zones() == []
    endpoints = world.aws.ec2().describe_vpc_endpoints()["VpcEndpoints"]
    assert all(e["State"] == "deleted" for e in endpoints)
