"""Step 1 of Rockset's guide on the real engine, as AWS really answers it: an account Rockset has
not registered cannot see the endpoint service, so ``pulumi preview`` already fails and nothing
is created; a registered account whose connection Rockset has not accepted yet fails ``pulumi
up`` with its endpoint kept, and the next ``pulumi up`` after acceptance passes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import CommandError

from devtools.aws_double import ACCEPTED_ACCOUNTS_ENV, REGISTERED_ACCOUNTS_ENV
from devtools.engine import (
    LocalAws,
    LocalStack,
    engine_env,
    live_config,
    local_aws,
    open_stack,
)
from rockset_pulumi import REGIONS
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

MOTO_ACCOUNT = "123456789012"
FRANKFURT = REGIONS["eu-central-1"].service_name


@contextmanager
def world(workdir: Path, **env: str) -> Iterator[tuple[LocalAws, RunningEmulator, LocalStack]]:
    """A local AWS and Rockset, and the example program's stack with the double's ``env``."""
    emu = start_emulator(workdir / "emulator")
    try:
        with local_aws(workdir) as aws:
            stack = open_stack(
                workdir / "pulumi", {**engine_env(aws), **env}, live_config(aws, emu.api)
            )
            yield aws, emu, stack
    finally:
        emu.stop()


def live_endpoints(aws: LocalAws) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = aws.ec2().describe_vpc_endpoints()["VpcEndpoints"]
    return [e for e in found if e["State"] != "deleted"]


def security_groups(aws: LocalAws) -> list[str]:
    groups = aws.ec2().describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [aws.network.vpc_id]}]
    )["SecurityGroups"]
    return [g["GroupName"] for g in groups]


def set_env(stack: LocalStack, key: str, value: str) -> None:
    """Change the environment of the next CLI run, and so of the plugins it starts."""
    workspace = stack.stack.workspace
    workspace.env_vars = {**workspace.env_vars, key: value}


def test_preview_of_an_unregistered_account_fails_with_step_1_and_creates_nothing(
    tmp_path: Path,
) -> None:
    with world(tmp_path, **{REGISTERED_ACCOUNTS_ENV: "111111111111"}) as (aws, emu, stack):
        with pytest.raises(CommandError) as err:
            stack.preview()
        message = str(err.value)
        assert (
            f"Step 1 of Rockset's PrivateLink guide was not done: AWS account {MOTO_ACCOUNT} "
            f"cannot see Rockset's endpoint service {FRANKFURT} in eu-central-1"
        ) in message
        assert "Give this account id to your Rockset solutions architect" in message
        assert live_endpoints(aws) == []
        assert security_groups(aws) == ["default"]
        assert emu.requests() == []


def test_up_waits_for_acceptance_keeps_the_endpoint_and_passes_once_accepted(
    tmp_path: Path,
) -> None:
    with world(tmp_path, **{ACCEPTED_ACCOUNTS_ENV: ""}) as (aws, emu, stack):
        with pytest.raises(CommandError) as err:
            stack.up()
        message = str(err.value)
        [endpoint] = live_endpoints(aws)
        endpoint_id = endpoint["VpcEndpointId"]
        assert f"The VPC endpoint {endpoint_id} to {FRANKFURT} is waiting for Rockset" in message
        assert "state pendingAcceptance" in message
        assert f"accept endpoint {endpoint_id} from account {MOTO_ACCOUNT}" in message
        # Steps 3-5 wait for acceptance: Rockset was not called, its allowlist is untouched.
        assert emu.requests() == []

        set_env(stack, ACCEPTED_ACCOUNTS_ENV, MOTO_ACCOUNT)
        result = stack.up()

        outputs = {k: v.value for k, v in result.outputs.items()}
        assert outputs["endpointState"] == "available"
        assert outputs["vpcEndpointId"] == endpoint_id
        assert outputs["lockdownStatus"]["holds"] is True
        assert [e["VpcEndpointId"] for e in live_endpoints(aws)] == [endpoint_id]
        stack.destroy()
        assert live_endpoints(aws) == []
