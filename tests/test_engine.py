"""End to end on the real Pulumi engine: the example project's ``local`` stack, offline.

The CLI is built from Go modules (``make pulumi-cli``) and runs a copy of the project directory
through this repository's Python language host; AWS is a moto server behind the moto-backed
``pulumi-resource-aws`` plugin; Rockset is the emulator. The stack is set up with the commands a
user types, then goes through preview, up, an admin CIDR change, out-of-band drift, refresh,
repair and destroy, in that order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import CommandError, OpType

from devtools.engine import (
    LocalAws,
    LocalStack,
    engine_env,
    live_config,
    local_aws,
    open_stack,
)
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

OFFICE = {"office": "203.0.113.0/24"}


@dataclass
class World:
    aws: LocalAws
    emu: RunningEmulator
    stack: LocalStack

    def rockset_writes(self) -> list[tuple[str, str]]:
        return [
            (r["method"], r["path"].rsplit("/", 1)[-1])
            for r in self.emu.requests()
            if r["method"] in ("POST", "DELETE")
        ]

    def allowlist(self) -> dict[str, str]:
        with self.emu.client("privatelink") as client:
            return {e.name: e.ip_address for e in client.list_ip_allowlist()}

    def endpoints_in_aws(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.aws.ec2().describe_vpc_endpoints()["VpcEndpoints"]
        return [e for e in found if e["State"] != "deleted"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("engine")
    emu = start_emulator(workdir / "emulator")
    try:
        with local_aws(workdir) as aws:
            stack = open_stack(workdir / "pulumi", engine_env(aws), live_config(aws, emu.api))
            yield World(aws, emu, stack)
    finally:
        emu.stop()


def test_preview_plans_the_graph_and_calls_no_rockset(world: World) -> None:
    result = world.stack.preview()
    assert result.change_summary == {OpType.CREATE: 7}
    text = "\n".join(world.stack.output)
    for token in (
        "rockset:index:PrivateLink",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "pulumi-python:dynamic/rockset:ConnectivityCheck",
        "pulumi-python:dynamic/rockset:IpAllowlist",
        "pulumi-python:dynamic/rockset:LockdownCheck",
    ):
        assert token in text
    assert "Skipping subnet" in result.stderr  # the zone the service does not serve
    assert world.emu.requests() == []
    assert world.endpoints_in_aws() == []


def test_up_creates_verifies_and_locks_down(world: World) -> None:
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    outputs = {k: v.value for k, v in result.outputs.items()}
    assert outputs["endpointState"] == "available"
    assert outputs["availabilityZones"] == ["eu-central-1a", "eu-central-1b"]
    assert outputs["privateDnsEnabled"] is True
    assert outputs["connectivity"]["privatelink"]["authenticated"] is True
    assert outputs["connectivity"]["public"]["reachable"] is True
    assert outputs["allowlistEntries"] == OFFICE
    assert outputs["lockdownStatus"]["holds"] is True
    assert outputs["lockdownStatus"]["public_refuses_key"] is True

    [endpoint] = world.endpoints_in_aws()
    assert endpoint["VpcEndpointId"] == outputs["vpcEndpointId"]
    assert endpoint["PrivateDnsEnabled"] is True
    assert world.allowlist() == OFFICE
    # Every allowlist write went through PrivateLink.
    writes = [r for r in world.emu.requests() if r["method"] in ("POST", "DELETE")]
    assert {r["listener"] for r in writes} == {"privatelink"}


def test_state_holds_the_key_only_encrypted(world: World) -> None:
    state = world.stack.export()
    assert world.emu.api_key not in state
    assert "ciphertext" in state
    at_rest = "".join(p.read_text() for p in (world.stack.workdir / "state").rglob("*.json"))
    assert at_rest
    assert world.emu.api_key not in at_rest
    # `pulumi config set --secret` stored it in the stack file encrypted, never in the clear.
    stack_file = (world.stack.project / "Pulumi.local.yaml").read_text()
    assert "apiKey:\n    secure: v1:" in stack_file
    assert world.emu.api_key not in stack_file
    outputs = world.stack.stack.outputs()
    assert world.emu.api_key not in repr({k: v.value for k, v in outputs.items()})
    assert world.emu.api_key not in "\n".join(world.stack.output)


def test_second_up_changes_nothing(world: World) -> None:
    before = len(world.emu.requests())
    assert set(world.stack.preview().change_summary) == {OpType.SAME}
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    assert set(result.summary.resource_changes or {}) == {OpType.SAME}
    # Nothing re-ran: no step called Rockset, let alone wrote to the allowlist.
    assert len(world.emu.requests()) == before
    assert world.allowlist() == OFFICE


def test_changing_admin_cidrs_creates_before_deleting(world: World) -> None:
    moved = {"office": "198.51.100.0/24"}
    world.stack.set_config({"adminCidrs": moved})
    preview = world.stack.preview()
    assert preview.change_summary.get(OpType.UPDATE) == 2  # the allowlist and the lockdown check
    text = "\n".join(world.stack.output)
    # The diff names the property and the entry that change, as an update, not a replace.
    assert "~ pulumi-python:dynamic/rockset:IpAllowlist: (update)" in text
    assert "~ entries" in text
    assert '~ office: "203.0.113.0/24" => "198.51.100.0/24"' in text
    assert "replace" not in text
    already = len(world.rockset_writes())

    world.stack.up()
    assert world.rockset_writes()[already:] == [
        ("POST", "allowlist"),
        ("DELETE", "office"),
        ("POST", "allowlist"),
        ("DELETE", "office-next"),
    ]
    assert world.allowlist() == moved
    world.stack.set_config({"adminCidrs": OFFICE})
    world.stack.up()
    assert world.allowlist() == OFFICE


def test_refresh_reports_drift_and_up_repairs_it(world: World) -> None:
    with world.emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    result = world.stack.refresh()
    assert result.summary.resource_changes is not None
    assert result.summary.resource_changes.get(OpType.UPDATE, 0) >= 1
    resources = world.stack.deployment()["resources"]
    lock = next(r for r in resources if r["type"].endswith("LockdownCheck"))
    assert lock["outputs"]["status"]["holds"] is False

    up = world.stack.up()
    assert world.allowlist() == OFFICE
    assert up.outputs["lockdownStatus"].value["holds"] is True


def test_turning_lockdown_off_reopens_the_public_endpoint_and_on_again_locks_it(
    world: World,
) -> None:
    # Step 3 re-runs before the allowlist is deleted, while the lockdown still holds.
    world.stack.set_config({"lockdown": False})
    up = world.stack.up()
    assert up.summary.result == "succeeded"
    assert world.allowlist() == {}
    with world.emu.client("public") as client:
        assert client.current_user().email == "admin@example.com"
    assert set(world.stack.preview().change_summary) == {OpType.SAME}

    world.stack.set_config({"lockdown": True})
    up = world.stack.up()
    assert world.allowlist() == OFFICE
    assert up.outputs["lockdownStatus"].value["holds"] is True


def test_destroy_reopens_public_access_before_removing_the_endpoint(world: World) -> None:
    world.stack.output.clear()
    world.stack.destroy()
    assert world.allowlist() == {}
    with world.emu.client("public") as client:
        assert client.current_user().email == "admin@example.com"
    assert world.endpoints_in_aws() == []
    lines = world.stack.output
    allowlist_deleted = next(
        i for i, line in enumerate(lines) if "rockset-allowlist deleted" in line
    )
    endpoint_deleting = next(
        i for i, line in enumerate(lines) if "rockset-endpoint deleting" in line
    )
    assert allowlist_deleted < endpoint_deleting


def failed_up(
    workdir: Path,
    *,
    emulator_flags: dict[str, Any] | None = None,
    registered_accounts: str | None = None,
    **config: Any,
) -> tuple[str, RunningEmulator]:
    """`pulumi up` of a fresh stack that is expected to fail; returns the error text. The stack
    is destroyed again, which must work after a failed up."""
    emu = start_emulator(workdir / "emulator", **(emulator_flags or {}))
    try:
        with local_aws(workdir) as aws:
            stack = open_stack(
                workdir / "pulumi",
                engine_env(aws, registered_accounts=registered_accounts),
                live_config(aws, emu.api, **config),
            )
            with pytest.raises(CommandError) as err:
                stack.up()
            stack.destroy()
            return str(err.value), emu
    finally:
        emu.stop()


def test_privatelink_never_ready_fails_clearly_and_changes_no_allowlist(
    tmp_path: Path,
) -> None:
    message, emu = failed_up(tmp_path, emulator_flags={"ready_after": 3600}, checkTimeout=3)
    assert "did not accept the API key within 3 s" in message
    assert "Likely causes" in message
    assert emu.api_key not in message
    assert [r for r in emu.requests() if r["method"] in ("POST", "DELETE")] == []


def test_unregistered_account_fails_with_step_1(tmp_path: Path) -> None:
    message, emu = failed_up(tmp_path, registered_accounts="")
    assert "AWS account 123456789012 cannot see Rockset's endpoint service" in message
    assert emu.requests() == []
