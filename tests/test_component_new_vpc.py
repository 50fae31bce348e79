"""The component over a VPC and subnets created in the same program, under Pulumi's mocks: at
preview their ids are unknown, so the plan waits for them instead of failing."""

from __future__ import annotations

from typing import Any

import pulumi_aws as aws
import pytest
from pulumi.output import Output, Unknown

from devtools.aws_double import SUBNET, VPC
from devtools.aws_double.mocks import MockedAws
from devtools.pulumi_mocks import program, registered, resolve
from rockset_pulumi import ConfigurationError, PrivateLink, PrivateLinkArgs

SG = "aws:ec2/securityGroup:SecurityGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GET_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
REGION = "eu-central-1"


def new_network(*, dns_hostnames: bool = True) -> tuple[aws.ec2.Vpc, list[aws.ec2.Subnet]]:
    """A user's VPC with one subnet in each of three zones (the double serves a and b)."""
    vpc = aws.ec2.Vpc(
        "net",
        cidr_block="10.8.0.0/16",
        enable_dns_support=True,
        enable_dns_hostnames=dns_hostnames,
    )
    subnets = [
        aws.ec2.Subnet(
            f"net-{zone}",
            vpc_id=vpc.id,
            cidr_block=f"10.8.{16 * index}.0/20",
            availability_zone=f"{REGION}{zone}",
        )
        for index, zone in enumerate("abc")
    ]
    return vpc, subnets


def link_over(vpc: aws.ec2.Vpc, subnets: list[aws.ec2.Subnet], **extra: Any) -> PrivateLink:
    return PrivateLink(
        "rockset",
        PrivateLinkArgs(vpc_id=vpc.id, subnet_ids=[s.id for s in subnets], **extra),
    )


def inputs_of(aws_double: MockedAws, typ: str) -> dict[str, Any]:
    [(_, _, inputs)] = registered(aws_double, typ)
    return inputs


def test_preview_with_unknown_vpc_and_subnet_ids_plans_every_child() -> None:
    with program(preview=True) as double:
        vpc, subnets = new_network()
        component = link_over(
            vpc, subnets, api_key="k-123", admin_cidrs={"office": "203.0.113.0/24"}, lockdown=True
        )

        # Unknown until the VPC exists, rather than a failed look-up.
        assert resolve(component.availability_zones) is None
        # The mocks report a preview's ids as empty, as the engine does.
        assert not resolve(component.vpc_endpoint_id)
        assert not resolve(vpc.id)
        types = [typ for typ, _, _ in registered(double, "aws:")]
        assert sorted(types) == sorted([VPC, SUBNET, SUBNET, SUBNET, SG, ENDPOINT])
        # Only the service, whose name is known, is looked up; the VPC and subnets wait.
        assert [token for token, _ in double.mocks.calls] == [GET_SERVICE]
        assert isinstance(inputs_of(double, ENDPOINT)["vpcId"], Unknown)
        assert (
            double.ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.8.0.0/16"]}])["Vpcs"]
            == []
        ), "a preview creates nothing"


def test_up_places_the_endpoint_in_the_served_zones_of_the_new_subnets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with program() as double:
        vpc, subnets = new_network()
        component = link_over(vpc, subnets)

        assert resolve(component.endpoint_state) == "available"
        subnet_ids = [resolve(s.id) for s in subnets]
        assert resolve(component.availability_zones) == [f"{REGION}a", f"{REGION}b"]
        assert resolve(component.skipped_subnet_ids) == [subnet_ids[2]]
        assert inputs_of(double, ENDPOINT)["subnetIds"] == subnet_ids[:2]
        assert inputs_of(double, SG)["ingress"][0]["cidrBlocks"] == ["10.8.0.0/16"]
    assert f"Skipping subnet {subnet_ids[2]}: {REGION}c is not served" in caplog.text


def test_a_new_vpc_with_dns_hostnames_off_fails_the_preflight_not_a_lookup() -> None:
    with program() as double:
        vpc, subnets = new_network(dns_hostnames=False)
        component = link_over(vpc, subnets)

        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert f"VPC {resolve(vpc.id)} has enableDnsHostnames turned off" in str(err.value)
        assert registered(double, SG) == registered(double, ENDPOINT) == []


def test_a_preview_warns_of_dns_off_in_a_vpc_the_program_may_be_changing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with program(preview=True, dns_hostnames=False) as double:
        # A known id that is an Output, as a VPC of the program has on its second preview.
        vpc_id = Output.from_input(double.network.vpc_id)
        component = PrivateLink(
            "rockset",
            PrivateLinkArgs(
                vpc_id=vpc_id, subnet_ids=list(double.network.subnet_ids_by_az.values())
            ),
        )

        assert resolve(component.availability_zones) == [f"{REGION}a", f"{REGION}b"]
    assert f"VPC {double.network.vpc_id} has enableDnsHostnames turned off for now" in caplog.text


def test_the_same_vpc_with_dns_off_fails_the_preflight_in_up() -> None:
    with program(dns_hostnames=False) as double:
        vpc_id = Output.from_input(double.network.vpc_id)
        component = PrivateLink(
            "rockset",
            PrivateLinkArgs(
                vpc_id=vpc_id, subnet_ids=list(double.network.subnet_ids_by_az.values())
            ),
        )

        with pytest.raises(ConfigurationError, match="has enableDnsHostnames turned off, and"):
            resolve(component.availability_zones)
