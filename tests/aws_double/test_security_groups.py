"""The double's aws.ec2.SecurityGroup: naming, inline rules as AWS ends up holding them, tags."""

from __future__ import annotations

import re
from typing import Any

from devtools.aws_double import SECURITY_GROUP, Ec2Model, Network
from tests.support.aws_double import (
    HTTPS,
    MOTO_ACCOUNT,
    REGION,
    create,
    group_inputs,
)

ALLOW_ALL = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}


def rule(**fields: Any) -> dict[str, Any]:
    """An ingress/egress item as the provider reports it."""
    return {
        **HTTPS,
        "description": "",
        "self": False,
        "cidrBlocks": [],
        "ipv6CidrBlocks": [],
        "prefixListIds": [],
        "securityGroups": [],
        **fields,
    }


def permissions(ec2: Any, group_id: str) -> tuple[list[Any], list[Any]]:
    """(ingress, egress) as AWS itself holds them."""
    [group] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return group["IpPermissions"], group["IpPermissionsEgress"]


def test_check_autonames_from_the_resource_name_and_seed(model: Ec2Model) -> None:
    first, _ = model.check(SECURITY_GROUP, "endpoint-sg", {}, seed=b"one")
    again, _ = model.check(SECURITY_GROUP, "endpoint-sg", {}, seed=b"one")
    other, _ = model.check(SECURITY_GROUP, "endpoint-sg", {}, seed=b"two")

    assert re.fullmatch(r"endpoint-sg-[0-9a-f]{7}", first["name"])
    assert again["name"] == first["name"]
    assert other["name"] != first["name"]


def test_check_keeps_the_autoname_of_the_previous_inputs(model: Ec2Model) -> None:
    checked, _ = model.check(
        SECURITY_GROUP, "endpoint-sg", {}, olds={"name": "endpoint-sg-1234567"}, seed=b"new"
    )

    assert checked["name"] == "endpoint-sg-1234567"


def test_check_keeps_a_given_name_and_adds_the_providers_region(model: Ec2Model) -> None:
    checked, failures = model.check(SECURITY_GROUP, "sg", {"name": "fixed", "vpcId": "vpc-1"})

    assert failures == []
    assert checked == {"name": "fixed", "vpcId": "vpc-1", "region": REGION}


def test_created_group_reports_its_rules_tags_and_identity(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    callers = ec2.create_security_group(
        GroupName="callers", Description="apps", VpcId=network.vpc_id
    )["GroupId"]
    group_id, group = create(
        model,
        SECURITY_GROUP,
        "sg",
        {
            "vpcId": network.vpc_id,
            "description": "endpoint",
            "ingress": [
                {**HTTPS, "cidrBlocks": ["10.0.0.0/16"], "description": "from the VPC"},
                {**HTTPS, "securityGroups": [callers]},
            ],
            "egress": [],
            "tags": {"team": "data"},
        },
    )

    assert group["id"] == group_id
    assert group["arn"] == f"arn:aws:ec2:{REGION}:{MOTO_ACCOUNT}:security-group/{group_id}"
    assert group["ownerId"] == MOTO_ACCOUNT
    assert group["vpcId"] == network.vpc_id
    assert group["description"] == "endpoint"
    assert group["tags"] == group["tagsAll"] == {"team": "data"}
    assert group["ingress"] == [
        rule(securityGroups=[callers]),
        rule(cidrBlocks=["10.0.0.0/16"], description="from the VPC"),
    ]


def test_creation_without_egress_revokes_aws_default_allow_all(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    group_id, group = create(model, SECURITY_GROUP, "sg", group_inputs(network, egress=[]))

    assert group["egress"] == []
    assert permissions(ec2, group_id) == ([], [])


def test_listed_egress_is_what_aws_holds(ec2: Any, model: Ec2Model, network: Network) -> None:
    group_id, group = create(model, SECURITY_GROUP, "sg", group_inputs(network, egress=[ALLOW_ALL]))

    assert group["egress"] == [rule(protocol="-1", fromPort=0, toPort=0, cidrBlocks=["0.0.0.0/0"])]
    _, egress = permissions(ec2, group_id)
    assert [(p["IpProtocol"], p["IpRanges"]) for p in egress] == [("-1", [{"CidrIp": "0.0.0.0/0"}])]


def test_update_makes_the_rules_and_tags_those_of_the_new_inputs(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    group_id, group = create(
        model,
        SECURITY_GROUP,
        "sg",
        group_inputs(
            network,
            ingress=[{**HTTPS, "cidrBlocks": ["10.0.0.0/16"]}],
            egress=[ALLOW_ALL],
            tags={"old": "1"},
        ),
    )

    updated = model.update(
        SECURITY_GROUP,
        group_id,
        group,
        {
            "ingress": [{**HTTPS, "cidrBlocks": ["10.1.0.0/16"], "description": "apps"}],
            "egress": [],
            "tags": {"new": "2"},
        },
    )

    assert updated["ingress"] == [rule(cidrBlocks=["10.1.0.0/16"], description="apps")]
    assert updated["egress"] == []
    assert updated["tagsAll"] == {"new": "2"}
    ingress, egress = permissions(ec2, group_id)
    assert [[r["CidrIp"] for r in p["IpRanges"]] for p in ingress] == [["10.1.0.0/16"]]
    assert egress == []


def test_delete_removes_the_group_and_a_second_delete_is_no_error(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    group_id, group = create(model, SECURITY_GROUP, "sg", group_inputs(network))

    model.delete(SECURITY_GROUP, group_id, group)
    model.delete(SECURITY_GROUP, group_id, group)

    assert model.read(SECURITY_GROUP, group_id) is None
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])[
        "SecurityGroups"
    ]
    assert [g["GroupName"] for g in groups] == ["default"]
