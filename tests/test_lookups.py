"""What the component makes of AWS's answers: a service look-up refused with
``InvalidServiceName``, and the endpoint's live state."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import pulumi
import pytest

from rockset_pulumi import REGIONS, ConfigurationError, VerificationError
from rockset_pulumi.lookups import (
    check_acceptance,
    invoke_plain,
    is_unseen_service,
    unseen_service_error,
)

ACCOUNT = "210987654321"
FRANKFURT = REGIONS["eu-central-1"].service_name
OREGON = REGIONS["us-west-2"].service_name
ENGINE_TEXT = (
    "invoke of aws:ec2/getVpcEndpointService:getVpcEndpointService failed: invocation of "
    "aws:ec2/getVpcEndpointService:getVpcEndpointService returned an error: reading EC2 VPC "
    "Endpoint Services: operation error EC2: DescribeVpcEndpointServices, https response error "
    "StatusCode: 400, RequestID: 1f0c, api error InvalidServiceName: The Vpc Endpoint Service "
    f"'{FRANKFURT}' does not exist"
)


@pytest.mark.parametrize(
    ("text", "unseen"),
    [
        (ENGINE_TEXT, True),
        (
            f"api error InvalidServiceName: The Vpc Endpoint Service '{FRANKFURT}' does not exist",
            True,
        ),
        (
            "api error UnauthorizedOperation: You are not authorized to perform this operation.",
            False,
        ),
        ("api error RequestLimitExceeded: Request limit exceeded.", False),
        ("", False),
    ],
)
def test_only_aws_invalid_service_name_reads_as_an_unseen_service(text: str, unseen: bool) -> None:
    assert is_unseen_service(text) is unseen


def test_rocksets_own_service_unseen_is_step_1_naming_the_account() -> None:
    error = unseen_service_error(FRANKFURT, "eu-central-1", ACCOUNT)

    assert isinstance(error, VerificationError)
    message = str(error)
    assert message.startswith(
        f"Step 1 of Rockset's PrivateLink guide was not done: AWS account {ACCOUNT} cannot see "
        f"Rockset's endpoint service {FRANKFURT} in eu-central-1"
    )
    assert "Give this account id to your Rockset solutions architect" in message
    assert "run `pulumi up` again" in message
    assert "Nothing was created or changed." in message


@pytest.mark.parametrize(
    ("service", "region"),
    [
        ("com.amazonaws.vpce.eu-central-1.vpce-svc-0123456789abcdef0", "eu-central-1"),
        # Rockset's, but another region's: the table's service for *this* region is not it.
        (OREGON, "eu-central-1"),
    ],
    ids=["unknown name", "other region's"],
)
def test_a_service_name_override_unseen_names_the_likely_causes(service: str, region: str) -> None:
    error = unseen_service_error(service, region, ACCOUNT)

    assert isinstance(error, ConfigurationError)
    message = str(error)
    assert f"service_name is {service!r}" in message
    assert f"AWS account {ACCOUNT} cannot see in {region}" in message
    assert "another region's service" in message
    assert f"not shared it with this account (for Rockset: give account {ACCOUNT}" in message
    assert "typo" in message
    assert f"drop it to use Rockset's service for {region}" in message
    assert "Step 1" not in message


def test_outside_the_table_there_is_no_default_service_to_fall_back_on() -> None:
    message = str(
        unseen_service_error("com.amazonaws.vpce.ap-south-1.vpce-svc-1", "ap-south-1", ACCOUNT)
    )

    assert "service_name is 'com.amazonaws.vpce.ap-south-1.vpce-svc-1'" in message
    assert "drop it" not in message


def test_pending_acceptance_asks_rockset_to_accept_the_endpoint() -> None:
    with pytest.raises(VerificationError) as err:
        check_acceptance("pendingAcceptance", ACCOUNT, FRANKFURT, "vpce-0abc")

    message = str(err.value)
    assert "state pendingAcceptance" in message
    assert f"accept endpoint vpce-0abc from account {ACCOUNT}" in message
    assert "the endpoint is kept" in message


def test_an_available_endpoint_passes() -> None:
    assert check_acceptance("available", ACCOUNT, FRANKFURT, "vpce-0abc") == "available"


def test_a_look_up_asks_the_aws_version_the_components_resources_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The engine runs one AWS provider per version: a look-up without one would be answered by
    # the program's default AWS provider while the component's resources go to pulumi-aws's own.
    asked: list[pulumi.InvokeOptions] = []

    async def invoke(
        token: str, args: Mapping[str, Any], opts: pulumi.InvokeOptions, typ: type[Any]
    ) -> str:
        asked.append(opts)
        return token

    monkeypatch.setattr(pulumi.runtime, "invoke_async", invoke)
    provider = object()
    opts = pulumi.InvokeOutputOptions(provider=provider)  # type: ignore[arg-type]

    asyncio.run(invoke_plain("aws:ec2/getVpc:getVpc", {}, opts, str))

    [plain] = asked
    assert opts.version == ""
    assert plain.version == version("pulumi-aws")
    assert plain.provider is provider
