"""The lifecycle every program that uses the ``rockset`` plugin goes through on the engine, checked
the same way whatever its language (``examples/yaml``, ``examples/typescript``): its state, an
unchanged preview, an admin CIDR change, drift and refresh, and destroy's order.

Each module keeps one :class:`PluginStack` for its tests, which call these in order; the office
entry is named ``office`` and set with the ``officeCidr`` config key in every example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi.automation import OpType

from devtools.engine import LocalAws, LocalStack
from tests.support.emulator import RunningEmulator

__all__ = [
    "CHECKS",
    "OFFICE",
    "PluginStack",
    "changes_nothing_on_a_second_preview",
    "destroys_the_allowlist_before_the_endpoint",
    "holds_the_key_only_encrypted",
    "previews_an_admin_cidr_change_as_an_update_of_the_entry",
    "previews_the_graph_calling_no_rockset",
    "refresh_finds_a_deleted_entry_and_up_repairs_it",
    "ups_verified_and_locked_down",
]

OFFICE = {"office": "203.0.113.0/24"}
CHECKS = ("ConnectivityCheck", "IpAllowlist", "LockdownCheck")


@dataclass
class PluginStack:
    """A stack of a plugin-using example, with the AWS and Rockset it deploys to."""

    aws: LocalAws
    emu: RunningEmulator
    stack: LocalStack

    def allowlist(self) -> dict[str, str]:
        with self.emu.client("privatelink") as client:
            return {e.name: e.ip_address for e in client.list_ip_allowlist()}

    def endpoints_in_aws(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.aws.ec2().describe_vpc_endpoints()["VpcEndpoints"]
        return [e for e in found if e["State"] != "deleted"]

    def text(self) -> str:
        return "\n".join(self.stack.output)


def previews_the_graph_calling_no_rockset(
    world: PluginStack, creates: int, tokens: tuple[str, ...] = ()
) -> None:
    """The first preview plans ``creates`` resources, the plugin's among them (and ``tokens``),
    no dynamic resource, and neither calls Rockset nor creates anything in AWS."""
    result = world.stack.preview()
    assert result.change_summary == {OpType.CREATE: creates}
    text = world.text()
    for token in (
        *tokens,
        "rockset:index:PrivateLink",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        *(f"rockset:index:{check}" for check in CHECKS),
    ):
        assert token in text
    assert "pulumi-python:dynamic" not in text
    assert world.emu.requests() == []
    assert world.endpoints_in_aws() == []


def ups_verified_and_locked_down(world: PluginStack, zones: list[str]) -> dict[str, Any]:
    """``pulumi up`` creates the endpoint in ``zones``, passes steps 3-5 through the plugin's
    resources (no dynamic resource) and locks down; returns the stack's outputs."""
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    outputs = {k: v.value for k, v in result.outputs.items()}
    assert outputs["endpointState"] == "available"
    assert outputs["availabilityZones"] == zones
    assert outputs["connectivity"]["privatelink"]["authenticated"] is True
    assert outputs["allowlistEntries"] == OFFICE
    # The schema's camelCase reaches the program, nested objects included.
    assert outputs["lockdownStatus"]["holds"] is True
    assert outputs["lockdownStatus"]["publicRefusesKey"] is True
    [endpoint] = world.endpoints_in_aws()
    assert endpoint["VpcEndpointId"] == outputs["vpcEndpointId"]
    assert world.allowlist() == OFFICE
    types = {r["type"] for r in world.stack.deployment()["resources"]}
    assert {f"rockset:index:{check}" for check in CHECKS} <= types
    assert not any(t.startswith("pulumi-python:dynamic") for t in types)
    return outputs


def holds_the_key_only_encrypted(world: PluginStack) -> None:
    state = world.stack.export()
    assert world.emu.api_key not in state
    resources = world.stack.deployment()["resources"]
    checks = [r for r in resources if r["type"].removeprefix("rockset:index:") in CHECKS]
    assert len(checks) == 3
    for resource in checks:
        for where in ("inputs", "outputs"):
            key = resource[where]["apiKey"]
            assert key["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
            assert "ciphertext" in key
    at_rest = "".join(p.read_text() for p in (world.stack.workdir / "state").rglob("*.json"))
    assert world.emu.api_key not in at_rest
    assert world.emu.api_key not in world.text()


def changes_nothing_on_a_second_preview(world: PluginStack) -> None:
    before = len(world.emu.requests())
    result = world.stack.preview()
    assert set(result.change_summary) == {OpType.SAME}
    assert len(world.emu.requests()) == before


def previews_an_admin_cidr_change_as_an_update_of_the_entry(world: PluginStack) -> None:
    world.stack.set_config({"officeCidr": "198.51.100.0/24"})
    world.stack.output.clear()
    preview = world.stack.preview()
    assert preview.change_summary.get(OpType.UPDATE) == 2  # the allowlist and the lockdown check
    text = world.text()
    assert "~ rockset:index:IpAllowlist: (update)" in text
    assert '~ entries: {\n          ~ office: "203.0.113.0/24" => "198.51.100.0/24"' in text
    assert "replace" not in text
    world.stack.up()
    assert world.allowlist() == {"office": "198.51.100.0/24"}
    world.stack.set_config({"officeCidr": OFFICE["office"]})
    world.stack.up()
    assert world.allowlist() == OFFICE


def refresh_finds_a_deleted_entry_and_up_repairs_it(world: PluginStack) -> None:
    with world.emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    result = world.stack.refresh()
    assert result.summary.resource_changes is not None
    assert result.summary.resource_changes.get(OpType.UPDATE, 0) >= 1
    resources = world.stack.deployment()["resources"]
    allowlist = next(r for r in resources if r["type"] == "rockset:index:IpAllowlist")
    assert allowlist["outputs"]["liveEntries"] == {}
    lock = next(r for r in resources if r["type"] == "rockset:index:LockdownCheck")
    assert lock["outputs"]["status"]["holds"] is False

    world.stack.output.clear()
    preview = world.stack.preview()
    assert preview.change_summary.get(OpType.UPDATE) == 2
    assert "+ office" in world.text()
    up = world.stack.up()
    assert world.allowlist() == OFFICE
    assert up.outputs["lockdownStatus"].value["holds"] is True


def destroys_the_allowlist_before_the_endpoint(world: PluginStack) -> None:
    world.stack.output.clear()
    world.stack.destroy()
    assert world.allowlist() == {}
    assert world.endpoints_in_aws() == []
    lines = world.stack.output
    allowlist_deleted = next(
        i for i, line in enumerate(lines) if "rockset-allowlist deleted" in line
    )
    endpoint_deleting = next(
        i for i, line in enumerate(lines) if "rockset-endpoint deleting" in line
    )
    assert allowlist_deleted < endpoint_deleting
    # What the plugin's delete says reaches the user, as the dynamic provider's does.
    assert "Removed allowlist entries ['office']" in world.text()
