"""The ``rockset`` plugin: its schema, and its custom resources driven over gRPC.

The schema is generated from the code it describes (``python -m devtools.schema``): the committed
``schema.json`` must be what the generator makes, what the plugin serves, and say what a user of
another language needs (only ``vpcId`` and ``subnetIds`` required, ``apiKey`` secret, no input
that can come from another resource marked ``plain``, outputs typed).
"""

from __future__ import annotations

import dataclasses
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import proto
from pulumi.runtime.rpc import UNKNOWN

from devtools.docs import ARGS_SOURCE, field_docs
from devtools.projects import REPO
from devtools.schema import NOT_OFFERED, SCHEMA_FILE, render
from rockset_pulumi import PrivateLink
from rockset_pulumi.args import PrivateLinkArgs
from rockset_pulumi.plugin.naming import camel
from rockset_pulumi.plugin.provider import to_engine, to_lifecycle
from rockset_pulumi.plugin.refusals import in_schema_terms
from tests.conftest import EmulatorFactory
from tests.support.emulator import RunningEmulator
from tests.support.plugin_process import Plugin

COMPONENT = "rockset:index:PrivateLink"
CHECKS = ("ConnectivityCheck", "IpAllowlist", "LockdownCheck")
OFFICE = {"office": "203.0.113.0/24"}


def committed() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def plugin() -> Iterator[Plugin]:
    running = Plugin()
    yield running
    running.close()


def urn(check: str, name: str = "rockset-x") -> str:
    return f"urn:pulumi:dev::p::{COMPONENT}$rockset:index:{check}::{name}"


def wire(props: dict[str, Any]) -> Any:
    return PropertyValue.marshal_map(to_engine(props))


def allowlist_inputs(emu: RunningEmulator, entries: dict[str, str]) -> dict[str, Any]:
    return {
        **dataclasses.asdict(emu.api),
        "entries": entries,
        "verified_at": "2024-01-01T00:00:00Z",
        "owner": "org/urn/allowlist",
    }


# --- the schema ----------------------------------------------------------------------------


def test_committed_schema_is_what_the_generator_makes() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "schema.json is out of date: run `python -m devtools.schema`"
    )


def test_the_plugin_serves_the_committed_schema(plugin: Plugin) -> None:
    served = plugin.stub.GetSchema(proto.GetSchemaRequest()).schema
    assert json.loads(served) == committed()


def test_component_inputs_are_private_link_args_fields() -> None:
    spec = committed()["resources"][COMPONENT]
    inputs = spec["inputProperties"]
    fields = [f for f in dataclasses.fields(PrivateLinkArgs) if f.name not in NOT_OFFERED]
    assert list(inputs) == [
        f.name.split("_")[0] + "".join(p.title() for p in f.name.split("_")[1:]) for f in fields
    ]
    assert spec["requiredInputs"] == ["vpcId", "subnetIds"]
    # What is left out is said in the languages page, where users of other languages look.
    assert list(NOT_OFFERED) == ["shared_vpcs"]
    assert "`shared_vpcs`" in (REPO / "docs" / "languages.md").read_text(encoding="utf-8")
    # A default is the docstring's, word for word, in the schema's terms.
    for doc in field_docs(ARGS_SOURCE.read_text(encoding="utf-8")):
        if doc.name in NOT_OFFERED:
            continue
        [prop] = [v for k, v in inputs.items() if k.lower() == doc.name.replace("_", "")]
        assert prop["description"].endswith(f"Default: {in_schema_terms(doc.default)}.")


def test_inputs_that_take_outputs_are_not_plain_and_the_key_is_secret() -> None:
    inputs = committed()["resources"][COMPONENT]["inputProperties"]
    takes_outputs = {
        doc.name
        for doc in field_docs(ARGS_SOURCE.read_text(encoding="utf-8"))
        if "Input[" in doc.annotation
    }
    assert takes_outputs == {
        "vpc_id",
        "subnet_ids",
        "allowed_security_group_ids",
        "api_key",
        "shared_vpc_ids",
    }
    for name in ("vpcId", "subnetIds", "allowedSecurityGroupIds", "apiKey"):
        assert "plain" not in inputs[name]
        assert "plain" not in inputs[name].get("items", {})
    # Python's Sequence[Input[str]]: the list is written out, each id may be an output.
    assert inputs["sharedVpcIds"]["plain"] is True
    assert "plain" not in inputs["sharedVpcIds"]["items"]
    assert inputs["adminCidrs"]["additionalProperties"]["plain"] is True
    assert inputs["apiKey"]["secret"] is True
    assert inputs["lockdown"] == {**inputs["lockdown"], "type": "boolean", "plain": True}
    for check in CHECKS:
        resource = committed()["resources"][f"rockset:index:{check}"]
        assert resource["inputProperties"]["apiKey"]["secret"] is True
        assert resource["properties"]["apiKey"]["secret"] is True


def test_outputs_are_typed_not_any() -> None:
    schema = committed()
    assert "pulumi.json#/Any" not in json.dumps(schema)
    outputs = schema["resources"][COMPONENT]["properties"]
    assert outputs["connectivity"] == {
        "$ref": "#/types/rockset:index:Connectivity",
        "description": outputs["connectivity"]["description"],
    }
    status = schema["types"]["rockset:index:LockdownStatus"]["properties"]
    assert set(status) >= {"publicRefusesKey", "privatelinkAcceptsKey", "holds"}

    def untyped(spec: dict[str, Any]) -> bool:
        return "type" not in spec and "$ref" not in spec

    for resource in schema["resources"].values():
        for prop in [*resource["inputProperties"].values(), *resource["properties"].values()]:
            assert not untyped(prop), prop


def test_every_component_output_attribute_is_in_the_schema_by_name() -> None:
    # The attributes as Python keeps them, apart from the source reader the schema is made by.
    names = [
        name
        for name, annotation in PrivateLink.__annotations__.items()
        if str(annotation).startswith("pulumi.Output[")
    ]
    assert "cost_estimate" in names
    outputs = committed()["resources"][COMPONENT]["properties"]
    assert list(outputs) == [camel(name) for name in names]


# --- the custom resources over gRPC --------------------------------------------------------


def test_check_and_diff_call_nothing_and_name_the_changed_entry(
    plugin: Plugin, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    olds = {**allowlist_inputs(emulator, OFFICE), "live_entries": OFFICE}
    news = allowlist_inputs(emulator, {"office": "198.51.100.0/24", "vpn": "192.0.2.7/32"})
    checked = plugin.stub.Check(
        proto.CheckRequest(urn=urn("IpAllowlist"), olds=wire({}), news=wire(news))
    )
    assert list(checked.failures) == []
    assert PropertyValue.unmarshal_map(checked.inputs)["apiKey"].is_secret
    diff = plugin.stub.Diff(
        proto.DiffRequest(urn=urn("IpAllowlist"), id="a", olds=wire(olds), news=wire(news))
    )
    assert diff.changes == proto.DiffResponse.DIFF_SOME
    assert dict(diff.detailedDiff) == {
        "entries.office": proto.PropertyDiff(kind=proto.PropertyDiff.UPDATE, inputDiff=True),
        "entries.vpn": proto.PropertyDiff(kind=proto.PropertyDiff.ADD, inputDiff=True),
    }
    assert list(diff.replaces) == []
    same = plugin.stub.Diff(
        proto.DiffRequest(urn=urn("IpAllowlist"), id="a", olds=wire(olds), news=wire(olds))
    )
    assert same.changes == proto.DiffResponse.DIFF_NONE
    assert emulator.requests() == []


def test_the_plugin_exits_cleanly_when_the_engine_interrupts_it(tmp_path: Path) -> None:
    # The engine ends every plugin with SIGINT and waits for it to exit (its wall time); what the
    # plugin prints then goes to the engine's log.
    with (tmp_path / "stderr").open("w+") as stderr:
        running = Plugin(stderr=stderr)
        running.channel.close()
        running.process.send_signal(signal.SIGINT)
        assert running.process.wait(timeout=30) == 0
        stderr.seek(0)
        assert stderr.read() == ""


def test_check_reports_a_missing_input_by_its_schema_name(plugin: Plugin) -> None:
    checked = plugin.stub.Check(
        proto.CheckRequest(
            urn=urn("LockdownCheck"),
            olds=wire({}),
            news=wire({"public_url": "http://api", "privatelink_url": UNKNOWN}),
        )
    )
    assert {(f.property, f.reason) for f in checked.failures} == {
        ("apiKey", "api_key is required"),
        ("publicUrl", "public_url must be an https:// URL"),
    }


def test_drift_found_by_refresh_is_the_entry_up_writes_back(
    plugin: Plugin, emulator: RunningEmulator
) -> None:
    inputs = allowlist_inputs(emulator, OFFICE)
    drifted = {**inputs, "live_entries": {}}
    diff = plugin.stub.Diff(
        proto.DiffRequest(urn=urn("IpAllowlist"), id="a", olds=wire(drifted), news=wire(inputs))
    )
    assert dict(diff.detailedDiff) == {
        "entries.office": proto.PropertyDiff(kind=proto.PropertyDiff.ADD, inputDiff=False)
    }


def test_create_read_delete_manage_the_entries_and_keep_the_key_secret(
    plugin: Plugin, emulator_factory: EmulatorFactory
) -> None:
    emulator = emulator_factory()
    entries = {**OFFICE, "vpn": "192.0.2.7/32"}
    inputs = allowlist_inputs(emulator, entries)
    created = plugin.stub.Create(
        proto.CreateRequest(urn=urn("IpAllowlist"), properties=wire(inputs))
    )
    state = PropertyValue.unmarshal_map(created.properties)
    assert state["apiKey"].is_secret
    assert to_lifecycle(state)["live_entries"] == entries
    assert emulator.api_key not in str({k: v for k, v in state.items() if k != "apiKey"})
    with emulator.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    read = plugin.stub.Read(
        proto.ReadRequest(
            urn=urn("IpAllowlist"),
            id=created.id,
            properties=created.properties,
            inputs=wire(inputs),
        )
    )
    refreshed = PropertyValue.unmarshal_map(read.properties)
    assert refreshed["apiKey"].is_secret
    assert to_lifecycle(refreshed)["live_entries"] == {"vpn": "192.0.2.7/32"}
    plugin.stub.Delete(
        proto.DeleteRequest(urn=urn("IpAllowlist"), id=created.id, properties=read.properties)
    )
    with emulator.client("privatelink") as client:
        assert client.list_ip_allowlist() == []
