"""The double's aws.ec2.Vpc and aws.ec2.Subnet: what a user's program creates before the
component, reported as pulumi-aws reports it and usable by the component's look-ups."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from devtools.aws_double import (
    SUBNET,
    VPC,
    VPC_ENDPOINT,
    AwsApiError,
    Ec2Model,
    UnsupportedTokenError,
)
from devtools.aws_double.lookups import get_subnet, get_vpc
from devtools.aws_double.provider import diff_properties
from tests.support.aws_double import EUC1, MOTO_ACCOUNT, REGION, create

VPC_INPUTS = {"cidrBlock": "10.8.0.0/16", "enableDnsSupport": True, "enableDnsHostnames": True}


@pytest.fixture
def vpc(model: Ec2Model) -> tuple[str, dict[str, Any]]:
    return create(model, VPC, "net", {**VPC_INPUTS, "tags": {"Name": "net"}})


def subnet_inputs(vpc_id: str, zone: str, cidr: str, **extra: Any) -> dict[str, Any]:
    return {"vpcId": vpc_id, "cidrBlock": cidr, "availabilityZone": f"{REGION}{zone}", **extra}


def attribute(ec2: Any, vpc_id: str, name: str) -> bool:
    key = name[0].upper() + name[1:]
    return bool(ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)[key]["Value"])


def only(ec2: Any, method: str, key: str, vpc_id: str, *filters: tuple[str, str]) -> Any:
    found = getattr(ec2, method)(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            *({"Name": name, "Values": [value]} for name, value in filters),
        ]
    )[key]
    assert len(found) == 1
    return found[0]


def test_vpc_check_adds_the_schemas_defaults_but_not_dns_hostnames(model: Ec2Model) -> None:
    checked, failures = model.check(VPC, "net", {"cidrBlock": "10.8.0.0/16"})

    assert failures == []
    # enableDnsHostnames has no default upstream: AWS's own (off) shows up only after create.
    assert checked == {
        "cidrBlock": "10.8.0.0/16",
        "enableDnsSupport": True,
        "instanceTenancy": "default",
        "region": REGION,
    }


@pytest.mark.parametrize(
    ("typ", "inputs", "named"),
    [
        (VPC, {"cidrBlock": "10.8.0.0/16", "ipv4IpamPoolId": "ipam-pool-1"}, "ipv4IpamPoolId"),
        (VPC, {"cidrBlock": "10.8.0.0/16", "assignGeneratedIpv6CidrBlock": True}, "assign"),
        (SUBNET, {"vpcId": "vpc-1", "mapPublicIpOnLaunch": True}, "mapPublicIpOnLaunch"),
    ],
)
def test_inputs_the_double_does_not_emulate_are_refused_by_name(
    model: Ec2Model, typ: str, inputs: dict[str, Any], named: str
) -> None:
    with pytest.raises(UnsupportedTokenError, match=f"{re.escape(typ)} {named}"):
        model.check(typ, "r", inputs)


def test_an_input_turned_off_explicitly_is_what_the_double_does_anyway(model: Ec2Model) -> None:
    _, failures = model.check(
        VPC, "net", {"cidrBlock": "10.8.0.0/16", "assignGeneratedIpv6CidrBlock": False}
    )

    assert failures == []


def test_created_vpc_reports_what_aws_made_with_it(
    ec2: Any, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, outputs = vpc

    group = only(
        ec2, "describe_security_groups", "SecurityGroups", vpc_id, ("group-name", "default")
    )
    table = only(ec2, "describe_route_tables", "RouteTables", vpc_id, ("association.main", "true"))
    acl = only(ec2, "describe_network_acls", "NetworkAcls", vpc_id, ("default", "true"))
    assert outputs["id"] == vpc_id
    assert outputs["arn"] == f"arn:aws:ec2:{REGION}:{MOTO_ACCOUNT}:vpc/{vpc_id}"
    assert outputs["defaultSecurityGroupId"] == group["GroupId"]
    assert outputs["mainRouteTableId"] == outputs["defaultRouteTableId"] == table["RouteTableId"]
    assert outputs["defaultNetworkAclId"] == acl["NetworkAclId"]
    assert (outputs["cidrBlock"], outputs["instanceTenancy"]) == ("10.8.0.0/16", "default")
    assert (outputs["tags"], outputs["tagsAll"]) == ({"Name": "net"}, {"Name": "net"})
    assert (outputs["ownerId"], outputs["region"]) == (MOTO_ACCOUNT, REGION)


@pytest.mark.parametrize(("support", "hostnames"), [(True, True), (True, False), (False, False)])
def test_created_vpc_has_the_dns_attributes_asked_for(
    ec2: Any, model: Ec2Model, support: bool, hostnames: bool
) -> None:
    inputs = {"cidrBlock": "10.8.0.0/16", "enableDnsSupport": support}
    vpc_id, outputs = create(model, VPC, "net", inputs | {"enableDnsHostnames": hostnames})

    assert attribute(ec2, vpc_id, "enableDnsSupport") is support
    assert attribute(ec2, vpc_id, "enableDnsHostnames") is hostnames
    assert (outputs["enableDnsSupport"], outputs["enableDnsHostnames"]) == (support, hostnames)


def test_dns_hostnames_left_out_is_aws_default_off(ec2: Any, model: Ec2Model) -> None:
    vpc_id, outputs = create(model, VPC, "net", {"cidrBlock": "10.8.0.0/16"})

    assert outputs["enableDnsHostnames"] is False
    assert outputs["enableDnsSupport"] is True
    assert outputs["tags"] is None
    assert attribute(ec2, vpc_id, "enableDnsHostnames") is False


@pytest.mark.parametrize(
    ("cidr", "code"),
    [("10.8.0.0/8", "InvalidVpc.Range"), ("nonsense", "InvalidParameterValue")],
)
def test_a_bad_cidr_block_is_refused_as_aws_refuses_it(
    model: Ec2Model, cidr: str, code: str
) -> None:
    with pytest.raises(AwsApiError) as raised:
        create(model, VPC, "net", {"cidrBlock": cidr})

    assert raised.value.code == code
    assert str(raised.value).startswith(f"creating EC2 VPC ({cidr}): api error {code}:")


def test_vpc_preview_reports_the_inputs_and_unknown_ids(ec2: Any, model: Ec2Model) -> None:
    checked, _ = model.check(VPC, "net", VPC_INPUTS)

    preview = model.preview(VPC, checked)

    assert preview["enableDnsHostnames"] is True
    assert preview["cidrBlock"] == "10.8.0.0/16"
    for key in ("arn", "defaultSecurityGroupId", "mainRouteTableId", "ownerId"):
        assert preview[key] == UNKNOWN
    assert [v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"]] == ["172.31.0.0/16"]


def test_vpc_update_changes_dns_attributes_and_tags_in_place(
    ec2: Any, model: Ec2Model, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, olds = vpc
    news = {**VPC_INPUTS, "enableDnsHostnames": False, "tags": {"team": "data"}}

    updated = model.update(VPC, vpc_id, olds, news)

    assert attribute(ec2, vpc_id, "enableDnsHostnames") is False
    assert attribute(ec2, vpc_id, "enableDnsSupport") is True
    [live] = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert live["Tags"] == [{"Key": "team", "Value": "data"}]
    assert (updated["enableDnsHostnames"], updated["tags"]) == (False, {"team": "data"})
    assert updated["defaultSecurityGroupId"] == olds["defaultSecurityGroupId"]


def test_vpc_update_without_a_dns_flag_keeps_its_value(
    ec2: Any, model: Ec2Model, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, olds = vpc

    model.update(VPC, vpc_id, olds, {"cidrBlock": "10.8.0.0/16"})

    assert attribute(ec2, vpc_id, "enableDnsHostnames") is True


def test_vpc_diff_updates_dns_and_tags_and_replaces_for_a_new_cidr_block(
    vpc: tuple[str, dict[str, Any]],
) -> None:
    _, olds = vpc
    dns_off = {**VPC_INPUTS, "enableDnsHostnames": False, "tags": {"Name": "net"}}
    moved = {**VPC_INPUTS, "cidrBlock": "10.9.0.0/16", "tags": {"Name": "net"}}

    flags = diff_properties(VPC, olds, dns_off, [])
    cidr = diff_properties(VPC, olds, moved, [])

    assert (flags.diffs, flags.replaces) == (["enableDnsHostnames"], [])
    assert (cidr.diffs, cidr.replaces) == (["cidrBlock"], ["cidrBlock"])


def test_deleted_vpc_reads_as_gone_and_deleting_it_again_passes(
    model: Ec2Model, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, outputs = vpc

    model.delete(VPC, vpc_id, outputs)

    assert model.read(VPC, vpc_id) is None
    model.delete(VPC, vpc_id, outputs)


def test_subnet_check_requires_the_vpc(model: Ec2Model) -> None:
    checked, failures = model.check(SUBNET, "net-a", {"cidrBlock": "10.8.0.0/20"})

    assert failures == [("vpcId", "Missing required property 'vpcId'")]
    assert checked["region"] == REGION


def test_created_subnet_reports_its_zone_and_is_what_get_subnet_sees(
    model: Ec2Model, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, _ = vpc
    inputs = subnet_inputs(vpc_id, "b", "10.8.16.0/20", tags={"tier": "private"})

    subnet_id, outputs = create(model, SUBNET, "net-b", inputs)

    assert outputs["id"] == subnet_id
    assert outputs["arn"] == f"arn:aws:ec2:{REGION}:{MOTO_ACCOUNT}:subnet/{subnet_id}"
    assert (outputs["availabilityZone"], outputs["vpcId"]) == (f"{REGION}b", vpc_id)
    assert (outputs["cidrBlock"], outputs["tags"]) == ("10.8.16.0/20", {"tier": "private"})
    looked_up = get_subnet(model.ec2, {"id": subnet_id})
    shared = set(outputs) & set(looked_up) - {"tags"}
    assert {k: outputs[k] for k in shared} == {k: looked_up[k] for k in shared}


def test_get_vpc_sees_the_created_vpc_as_the_resource_reports_it(
    model: Ec2Model, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, outputs = vpc

    looked_up = get_vpc(model.ec2, {"id": vpc_id})

    for key in ("arn", "cidrBlock", "enableDnsSupport", "enableDnsHostnames", "mainRouteTableId"):
        assert looked_up[key] == outputs[key]


@pytest.mark.parametrize(
    ("zone", "cidr", "code"),
    [
        ("z", "10.8.0.0/20", "InvalidParameterValue"),
        ("a", "10.9.0.0/20", "InvalidSubnet.Range"),
    ],
)
def test_a_subnet_outside_the_region_or_the_vpc_is_refused_as_aws_refuses_it(
    model: Ec2Model, vpc: tuple[str, dict[str, Any]], zone: str, cidr: str, code: str
) -> None:
    vpc_id, _ = vpc

    with pytest.raises(AwsApiError) as raised:
        create(model, SUBNET, "net", subnet_inputs(vpc_id, zone, cidr))

    assert raised.value.code == code


def test_subnets_made_by_the_double_carry_a_rockset_endpoint(
    model: Ec2Model, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, _ = vpc
    subnet_ids = [
        create(model, SUBNET, f"net-{zone}", subnet_inputs(vpc_id, zone, cidr))[0]
        for zone, cidr in (("a", "10.8.0.0/20"), ("b", "10.8.16.0/20"))
    ]

    _, endpoint = create(
        model,
        VPC_ENDPOINT,
        "ep",
        {
            "vpcId": vpc_id,
            "serviceName": EUC1,
            "vpcEndpointType": "Interface",
            "subnetIds": subnet_ids,
            "privateDnsEnabled": True,
        },
    )

    assert endpoint["state"] == "available"
    assert sorted(endpoint["subnetIds"]) == sorted(subnet_ids)


def test_subnet_update_changes_tags_and_delete_removes_it(
    ec2: Any, model: Ec2Model, vpc: tuple[str, dict[str, Any]]
) -> None:
    vpc_id, _ = vpc
    inputs = subnet_inputs(vpc_id, "a", "10.8.0.0/20", tags={"a": "1", "b": "2"})
    subnet_id, olds = create(model, SUBNET, "net-a", inputs)

    updated = model.update(SUBNET, subnet_id, olds, {**inputs, "tags": {"a": "3"}})

    [live] = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
    assert live["Tags"] == [{"Key": "a", "Value": "3"}]
    assert updated["tags"] == {"a": "3"}
    model.delete(SUBNET, subnet_id, updated)
    assert model.read(SUBNET, subnet_id) is None
    model.delete(SUBNET, subnet_id, updated)
