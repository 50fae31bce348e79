"""``probe="vpc"`` under Pulumi's mocks, AWS answered by moto: the probe's children, their rules
and what the checks are told."""

from __future__ import annotations

import json
from typing import Any

from devtools.aws_double.mocks import MockedAws
from devtools.pulumi_mocks import DYNAMIC_PREFIX, program, registered, resolve
from rockset_pulumi import PrivateLink, PrivateLinkArgs
from rockset_pulumi.vpc_probe.handler import TARGET_ENV
from rockset_pulumi.vpc_probe.resources import VPC_ACCESS_POLICY

KEY = "k-probe-0123456789"
PRIVATELINK = "https://privatelink.vpc.rockset.test:8443"


def link(aws: MockedAws, **overrides: Any) -> PrivateLink:
    return PrivateLink(
        "rockset",
        PrivateLinkArgs(
            vpc_id=aws.network.vpc_id,
            subnet_ids=list(aws.network.subnet_ids_by_az.values()),
            api_key=KEY,
            probe="vpc",
            privatelink_url=PRIVATELINK,
            **overrides,
        ),
    )


def inputs_of(aws: MockedAws, typ: str) -> list[dict[str, Any]]:
    return [inputs for (_, _, inputs) in registered(aws, typ)]


def test_the_probe_children_and_their_rules() -> None:
    with program() as aws:
        component = link(aws)
        assert component.probe is not None
        probe_sg = resolve(component.probe.security_group.id)
        endpoint_sg = resolve(component.security_group.id)
        function_name = resolve(component.probe.function.name)
        resolve(component.endpoint_state)

        names = {name for (_, name, _) in aws.mocks.resources}
        assert {
            "rockset-probe-sg",
            "rockset-probe-egress",
            "rockset-probe-role",
            "rockset-probe-vpc-access",
            "rockset-probe-logs",
            "rockset-probe",
        } <= names

        groups = {
            name: inputs
            for (typ, name, inputs) in aws.mocks.resources
            if typ == "aws:ec2/securityGroup:SecurityGroup"
        }
        # The function's group has no inline rules: its one rule is a resource of its own.
        assert "egress" not in groups["rockset-probe-sg"]
        assert "ingress" not in groups["rockset-probe-sg"]
        [egress] = inputs_of(aws, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
        assert egress["securityGroupId"] == probe_sg
        assert egress["referencedSecurityGroupId"] == endpoint_sg
        assert (egress["ipProtocol"], egress["fromPort"], egress["toPort"]) == ("tcp", 443, 443)
        admitted = [r for r in groups["rockset-sg"]["ingress"] if r.get("securityGroups")]
        assert [(r["fromPort"], r["securityGroups"]) for r in admitted] == [(443, [probe_sg])]
        assert groups["rockset-sg"]["egress"] == []

        [role] = inputs_of(aws, "aws:iam/role:Role")
        trust = json.loads(role["assumeRolePolicy"])
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "lambda.amazonaws.com"}]
        attachments = inputs_of(aws, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        assert [a["policyArn"] for a in attachments] == [VPC_ACCESS_POLICY]

        [logs] = inputs_of(aws, "aws:cloudwatch/logGroup:LogGroup")
        assert logs["name"] == f"/aws/lambda/{function_name}"
        assert logs["retentionInDays"] == 1

        [function] = inputs_of(aws, "aws:lambda/function:Function")
        assert function["environment"] == {
            "variables": {TARGET_ENV: "privatelink.vpc.rockset.test:8443"}
        }
        assert KEY not in json.dumps(function, default=str)
        assert function["vpcConfig"]["securityGroupIds"] == [probe_sg]
        assert set(function["vpcConfig"]["subnetIds"]) == set(
            resolve(component.endpoint.subnet_ids) or []
        )
        assert function["runtime"] >= "python3.11"


def test_the_checks_are_told_which_function_relays() -> None:
    with program() as aws:
        component = link(aws)
        function_name = resolve(component.probe.function.name) if component.probe else None
        resolve(component.connectivity)
        checks = registered(aws, DYNAMIC_PREFIX)
        assert checks
        for _, _, inputs in checks:
            # No profile set: boto3's default chain decides, as for the AWS provider.
            assert inputs["probe"] == {"function_name": function_name, "region": "eu-central-1"}


def test_the_runner_probe_creates_no_function() -> None:
    with program() as aws:
        component = PrivateLink(
            "rockset",
            PrivateLinkArgs(
                vpc_id=aws.network.vpc_id,
                subnet_ids=list(aws.network.subnet_ids_by_az.values()),
                api_key=KEY,
            ),
        )
        resolve(component.connectivity)
        assert component.probe is None
        assert registered(aws, "aws:lambda") == []
        assert registered(aws, "aws:iam") == []
        for _, _, inputs in registered(aws, DYNAMIC_PREFIX):
            assert inputs.get("probe") is None


def test_aws_profile_config_reaches_the_relay() -> None:
    with program(config={"aws:profile": "deploy"}) as aws:
        component = link(aws)
        resolve(component.connectivity)
        [(_, _, inputs)] = registered(aws, f"{DYNAMIC_PREFIX}/rockset:ConnectivityCheck")
        assert inputs["probe"]["profile"] == "deploy"
