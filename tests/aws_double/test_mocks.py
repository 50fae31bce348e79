"""The double as `pulumi.runtime.Mocks`: a pulumi_aws program run against in-process moto."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime.settings import ROOT, SETTINGS
from pulumi.runtime.sync_await import _sync_await

from devtools.aws_double import (
    ACCEPTED_ACCOUNTS_ENV,
    EXTRA_SERVICES_ENV,
    REGISTERED_ACCOUNTS_ENV,
    SECURITY_GROUP,
    VPC_ENDPOINT,
)
from devtools.aws_double.mocks import mocked_aws
from devtools.pulumi_mocks import resolve
from tests.support.aws_double import EUC1, MOTO_ACCOUNT, REGION

GET_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
HTTPS_FROM_VPC = aws.ec2.SecurityGroupIngressArgs(
    protocol="tcp", from_port=443, to_port=443, cidr_blocks=["10.0.0.0/16"]
)


@pytest.fixture(autouse=True)
def _no_double_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in (REGISTERED_ACCOUNTS_ENV, ACCEPTED_ACCOUNTS_ENV, EXTRA_SERVICES_ENV):
        monkeypatch.delenv(setting, raising=False)
    # As `pulumi.runtime.test` does: the Outputs and the root stack of an earlier program in
    # this worker (on another event loop) are not this one's to wait for.
    with SETTINGS.lock:
        SETTINGS.outputs.clear()
    ROOT.set(None)


def run(outputs: dict[str, pulumi.Output[Any]]) -> dict[str, Any]:
    """The values of a mocked program's outputs, once its resources are registered."""
    return {key: resolve(output) for key, output in outputs.items()}


def is_known(output: pulumi.Output[Any]) -> bool:
    return bool(_sync_await(output.is_known()))


def test_a_program_creates_its_resources_in_moto() -> None:
    with mocked_aws() as mocked:
        network = mocked.network
        provider = aws.Provider("aws", region=REGION)
        opts = pulumi.ResourceOptions(provider=provider)
        service = aws.ec2.get_vpc_endpoint_service_output(
            service_name=EUC1, opts=pulumi.InvokeOutputOptions(provider=provider)
        )
        group = aws.ec2.SecurityGroup(
            "sg", vpc_id=network.vpc_id, ingress=[HTTPS_FROM_VPC], egress=[], opts=opts
        )
        endpoint = aws.ec2.VpcEndpoint(
            "ep",
            vpc_id=network.vpc_id,
            service_name=service.service_name,
            vpc_endpoint_type="Interface",
            subnet_ids=[network.subnet_ids_by_az[f"{REGION}a"]],
            security_group_ids=[group.id],
            private_dns_enabled=True,
            opts=opts,
        )
        seen = run(
            {
                "endpoint": endpoint.id,
                "state": endpoint.state,
                "dns": endpoint.dns_entries,
                "group": group.id,
                "egress": group.egress,
            }
        )
        [live] = mocked.ec2.describe_vpc_endpoints()["VpcEndpoints"]

    assert live["VpcEndpointId"] == seen["endpoint"]
    assert [g["GroupId"] for g in live["Groups"]] == [seen["group"]]
    assert seen["state"] == "available"
    assert [e["dns_name"] for e in seen["dns"]][2:] == ["privatelink.euc1a1.rockset.com"]
    assert seen["egress"] == []
    assert [(typ, name) for typ, name, _ in mocked.mocks.resources] == [
        ("pulumi:providers:aws", "aws"),
        (SECURITY_GROUP, "sg"),
        (VPC_ENDPOINT, "ep"),
    ]
    assert mocked.mocks.calls == [(GET_SERVICE, {"serviceName": EUC1})]


def test_a_preview_reports_checked_inputs_and_creates_nothing() -> None:
    with mocked_aws(preview=True) as mocked:
        group = aws.ec2.SecurityGroup("sg", vpc_id=mocked.network.vpc_id)
        name = resolve(group.name)
        arn_known = is_known(group.arn)
        groups = mocked.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [mocked.network.vpc_id]}]
        )["SecurityGroups"]

    assert re.fullmatch(r"sg-[0-9a-f]{7}", name or "")
    assert arn_known is False
    assert [g["GroupName"] for g in groups] == ["default"]
    assert [(typ, name) for typ, name, _ in mocked.mocks.resources] == [(SECURITY_GROUP, "sg")]


def test_a_registered_account_not_yet_accepted_sees_its_endpoint_pending() -> None:
    with mocked_aws(accepted_accounts=[]) as mocked:
        network = mocked.network
        endpoint = aws.ec2.VpcEndpoint(
            "ep",
            vpc_id=network.vpc_id,
            service_name=EUC1,
            vpc_endpoint_type="Interface",
            subnet_ids=[network.subnet_ids_by_az[f"{REGION}a"]],
        )
        live = aws.ec2.get_vpc_endpoint_output(id=endpoint.id)
        seen = run({"created": endpoint.state, "read": live.state})

    assert seen == {"created": "pendingAcceptance", "read": "pendingAcceptance"}


def test_an_unregistered_account_fails_the_look_up_as_the_engine_reports_it() -> None:
    with mocked_aws(registered_accounts=[]) as mocked:
        service = aws.ec2.get_vpc_endpoint_service_output(service_name=EUC1)
        with pytest.raises(Exception) as raised:
            resolve(service)
        endpoint = aws.ec2.VpcEndpoint(
            "ep",
            vpc_id=mocked.network.vpc_id,
            service_name=EUC1,
            vpc_endpoint_type="Interface",
            subnet_ids=[mocked.network.subnet_ids_by_az[f"{REGION}a"]],
        )
        with pytest.raises(Exception, match="api error InvalidServiceName"):
            resolve(endpoint.id)
        endpoints = mocked.ec2.describe_vpc_endpoints()["VpcEndpoints"]

    assert str(raised.value) == (
        f"invoke of {GET_SERVICE} failed: invocation of {GET_SERVICE} returned an error: "
        "reading EC2 VPC Endpoint Services: api error InvalidServiceName: "
        f"The Vpc Endpoint Service '{EUC1}' does not exist"
    )
    assert endpoints == []


def test_caller_identity_is_motos_account() -> None:
    with mocked_aws():
        identity = run(
            {
                "account": aws.get_caller_identity_output().account_id,
                "arn": aws.get_caller_identity_output().arn,
            }
        )

    assert identity["account"] == MOTO_ACCOUNT
    assert identity["arn"].startswith(f"arn:aws:sts::{MOTO_ACCOUNT}:")


def test_a_refused_registration_fails_the_program() -> None:
    with mocked_aws() as mocked:
        network = mocked.network
        endpoint = aws.ec2.VpcEndpoint(
            "ep",
            vpc_id=network.vpc_id,
            service_name=EUC1,
            vpc_endpoint_type="Interface",
            subnet_ids=[network.subnet_ids_by_az[f"{REGION}c"]],
        )
        with pytest.raises(Exception, match="does not support the availability zone"):
            run({"id": endpoint.id})
        assert mocked.ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
