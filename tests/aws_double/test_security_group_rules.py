"""The double's aws.vpc.SecurityGroupEgressRule: one rule of a group as EC2 holds it, its
description and tags, and EC2's refusals."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.aws_double import AwsApiError, Ec2Model, Network
from devtools.aws_double.security_group_rules import SECURITY_GROUP_EGRESS_RULE as RULE
from tests.support.aws_double import create


def groups(ec2: Any, network: Network) -> tuple[str, str]:
    """(the probe's group, the endpoint's group), the probe's without AWS's default egress."""
    probe, endpoint = (
        ec2.create_security_group(GroupName=name, Description=name, VpcId=network.vpc_id)["GroupId"]
        for name in ("probe", "endpoint")
    )
    ec2.revoke_security_group_egress(
        GroupId=probe, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    return probe, endpoint


def rule_inputs(probe: str, endpoint: str, **extra: Any) -> dict[str, Any]:
    return {
        "securityGroupId": probe,
        "ipProtocol": "tcp",
        "fromPort": 443,
        "toPort": 443,
        "referencedSecurityGroupId": endpoint,
        "description": "to the endpoint",
        **extra,
    }


def egress(ec2: Any, group_id: str) -> list[Any]:
    [group] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return list(group["IpPermissionsEgress"])


def test_a_created_rule_is_the_groups_one_egress_permission(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    probe, endpoint = groups(ec2, network)

    rule_id, outputs = create(model, RULE, "egress", rule_inputs(probe, endpoint, tags={"a": "b"}))

    assert rule_id.startswith("sgr-")
    assert outputs["securityGroupRuleId"] == rule_id
    assert (outputs["ipProtocol"], outputs["fromPort"], outputs["toPort"]) == ("tcp", 443, 443)
    assert outputs["referencedSecurityGroupId"] == endpoint
    assert outputs["cidrIpv4"] is None
    assert outputs["description"] == "to the endpoint"
    assert outputs["tags"] == {"a": "b"}
    [permission] = egress(ec2, probe)
    assert [pair["GroupId"] for pair in permission["UserIdGroupPairs"]] == [endpoint]


def test_check_wants_exactly_one_destination(model: Ec2Model) -> None:
    both = rule_inputs("sg-1", "sg-2", cidrIpv4="10.0.0.0/16")
    neither = rule_inputs("sg-1", "sg-2", referencedSecurityGroupId=None)

    for inputs in (both, neither):
        _, failures = model.check(RULE, "egress", inputs)
        assert [key for key, _ in failures] == ["referencedSecurityGroupId"]


def test_a_rule_of_a_missing_group_is_refused_as_ec2_does(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    _, endpoint = groups(ec2, network)

    with pytest.raises(AwsApiError) as raised:
        create(model, RULE, "egress", rule_inputs("sg-0123456789abcdef0", endpoint))

    assert raised.value.code == "InvalidGroup.NotFound"


def test_update_changes_the_description_in_place(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    probe, endpoint = groups(ec2, network)
    olds = rule_inputs(probe, endpoint)
    rule_id, _ = create(model, RULE, "egress", olds)

    outputs = model.update(RULE, rule_id, olds, {**olds, "description": "443 to the endpoint"})

    assert outputs["id"] == rule_id
    assert outputs["description"] == "443 to the endpoint"


def test_a_deleted_rule_leaves_the_group_without_it_and_deletes_again(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    probe, endpoint = groups(ec2, network)
    inputs = rule_inputs(probe, endpoint)
    rule_id, outputs = create(model, RULE, "egress", inputs)

    model.delete(RULE, rule_id, outputs)

    assert egress(ec2, probe) == []
    assert model.read(RULE, rule_id) is None
    model.delete(RULE, rule_id, outputs)
