"""``probe: vpc`` end to end on the real Pulumi engine, from a runner outside the VPC.

The stack's PrivateLink URL names :data:`devtools.vpc.VPC_ONLY_HOST`, which this machine cannot
resolve; only the probe function's process, run by the Lambda Invoke server from the zip the
component uploaded, resolves it to the emulator's PrivateLink listener. So steps 3-5 pass only if
their PrivateLink side really travels through the function. The stack goes through preview, up,
the state check and destroy, in that order.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.automation import OpType

from devtools.engine import LocalAws, LocalStack, engine_env, live_config, local_aws, open_stack
from devtools.vpc import VPC_ONLY_HOST, inside_vpc
from rockset_pulumi.vpc_probe.resources import VPC_ACCESS_POLICY
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

OFFICE = {"office": "203.0.113.0/24"}
PROBE_TYPES = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:iam/role:Role",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:lambda/function:Function",
)


@dataclass
class World:
    aws: LocalAws
    emu: RunningEmulator
    stack: LocalStack

    def functions(self) -> list[str]:
        found = self.aws.client("lambda").list_functions()["Functions"]
        return [f["FunctionName"] for f in found]

    def roles(self) -> list[str]:
        return [r["RoleName"] for r in self.aws.client("iam").list_roles()["Roles"]]

    def allowlist(self) -> dict[str, str]:
        with self.emu.client("privatelink") as client:
            return {e.name: e.ip_address for e in client.list_ip_allowlist()}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("engine-vpc")
    emu = start_emulator(workdir / "emulator", tls_name=VPC_ONLY_HOST)
    try:
        with local_aws(workdir) as aws:
            config = live_config(
                aws, emu.api, privatelinkUrl=inside_vpc(emu.privatelink_url), probe="vpc"
            )
            stack = open_stack(workdir / "pulumi", engine_env(aws), config)
            yield World(aws, emu, stack)
    finally:
        emu.stop()


def test_this_runner_cannot_resolve_the_privatelink_host() -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo(VPC_ONLY_HOST, 443)


def test_preview_plans_the_probe_and_calls_nothing(world: World) -> None:
    result = world.stack.preview()
    # The component, its 2 groups, the endpoint, 5 probe children and steps 3-5.
    assert result.change_summary == {OpType.CREATE: 13}
    text = "\n".join(world.stack.output)
    for token in PROBE_TYPES:
        assert token in text
    assert world.emu.requests() == []
    assert world.aws.lambda_server.invocations == []
    assert world.functions() == []


def test_up_passes_steps_3_to_5_through_the_function(world: World) -> None:
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    outputs: dict[str, Any] = {k: v.value for k, v in result.outputs.items()}
    [function] = world.functions()
    conn = outputs["connectivity"]
    assert conn["privatelink"]["authenticated"] is True
    assert conn["privatelink"]["ran_from"] == f"vpc:{function}"
    assert conn["public"]["ran_from"] == "runner"
    status = outputs["lockdownStatus"]
    assert status["holds"] is True
    assert status["ran_from"] == {"public": "runner", "privatelink": f"vpc:{function}"}
    assert outputs["allowlistEntries"] == OFFICE
    assert world.allowlist() == OFFICE
    ran = world.aws.lambda_server.invocations
    assert ran
    assert {i["function"] for i in ran} == {function}
    assert {i["outcome"] for i in ran} == {"ok"}
    # Every allowlist write reached the PrivateLink listener, through the function.
    writes = [r for r in world.emu.requests() if r["method"] in ("POST", "DELETE")]
    assert writes
    assert {r["listener"] for r in writes} == {"privatelink"}


def test_a_second_preview_changes_nothing_and_invokes_nothing(world: World) -> None:
    invoked = len(world.aws.lambda_server.invocations)
    requests = len(world.emu.requests())
    result = world.stack.preview()
    assert set(result.change_summary) == {OpType.SAME}
    assert len(world.aws.lambda_server.invocations) == invoked
    assert len(world.emu.requests()) == requests


def test_the_probe_has_only_what_it_needs(world: World) -> None:
    [function] = world.functions()
    config = world.aws.client("lambda").get_function(FunctionName=function)["Configuration"]
    variables = config["Environment"]["Variables"]
    assert list(variables) == ["ROCKSET_PROBE_TARGET"]
    assert (
        variables["ROCKSET_PROBE_TARGET"]
        == f"{VPC_ONLY_HOST}:{world.emu.privatelink_url.rsplit(':', 1)[1]}"
    )
    role = config["Role"].rsplit("/", 1)[1]
    iam = world.aws.client("iam")
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [VPC_ACCESS_POLICY]
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []
    groups = world.aws.client("logs").describe_log_groups()["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in groups] == [
        (f"/aws/lambda/{function}", 1)
    ]


def test_state_and_function_hold_the_key_only_encrypted(world: World) -> None:
    key = world.emu.api_key
    state = world.stack.export()
    assert key not in state
    assert "ciphertext" in state
    assert key not in "\n".join(world.stack.output)
    logs = world.stack.workdir.parent / "lambda-logs"
    assert logs.is_dir()
    assert all(key not in p.read_text(encoding="utf-8") for p in logs.iterdir())


def test_destroy_removes_the_entries_before_the_function_and_its_role(world: World) -> None:
    world.stack.output.clear()
    world.stack.destroy()
    assert world.allowlist() == {}
    assert world.functions() == []
    assert world.roles() == []
    lines = world.stack.output

    def first(text: str) -> int:
        return next(i for i, line in enumerate(lines) if text in line)

    allowlist_deleted = first("rockset-allowlist deleted")
    assert allowlist_deleted < first("rockset-probe deleting")
    assert allowlist_deleted < first("rockset-probe-role deleting")
    assert first("rockset-probe deleted") < first("rockset-probe-role deleting")
