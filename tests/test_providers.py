"""The dynamic providers: called directly, and through Pulumi's real dynamic-provider host."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import grpc
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

from rockset_pulumi.allowlist import Owner
from rockset_pulumi.errors import VerificationError
from rockset_pulumi.providers import (
    ConnectivityCheckProvider,
    IpAllowlistProvider,
    LockdownCheckProvider,
)
from tests.conftest import EmulatorFactory
from tests.support.dynamic_host import dynamic_host
from tests.support.emulator import RunningEmulator

OFFICE = {"office": "203.0.113.0/24"}
OWNER_LABEL = "org/rockset-privatelink/dev/rockset-allowlist"
PROVIDERS = [ConnectivityCheckProvider(), IpAllowlistProvider(), LockdownCheckProvider()]


def endpoint_props(emu: RunningEmulator) -> dict[str, Any]:
    return dataclasses.asdict(emu.api)


def connectivity_props(emu: RunningEmulator, **extra: Any) -> dict[str, Any]:
    return {
        **endpoint_props(emu),
        "timeout": 10.0,
        "public_may_refuse_key": False,
        "endpoint_id": "vpce-1",
        "triggers": [],
        **extra,
    }


def allowlist_props(emu: RunningEmulator, entries: dict[str, str]) -> dict[str, Any]:
    return {
        **endpoint_props(emu),
        "entries": entries,
        "owner": OWNER_LABEL,
        "verified_at": "2026-01-01T00:00:00Z",
    }


def lockdown_props(emu: RunningEmulator, allowlist: dict[str, str] = OFFICE) -> dict[str, Any]:
    return {
        **endpoint_props(emu),
        "timeout": 10.0,
        "allowlist": allowlist,
        "triggers": [],
    }


def outs(result: Any) -> dict[str, Any]:
    """A provider result's outputs, which the providers always return."""
    assert result.outs is not None
    return dict(result.outs)


def writes(emu: RunningEmulator) -> list[str]:
    return [r["method"] for r in emu.requests() if r["method"] in ("POST", "DELETE")]


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: type(p).__name__)
def test_serialized_providers_are_small_references(provider: Any) -> None:
    raw = base64.b64decode(serialize_provider(provider))
    # Pickled by reference to this package's class: no code, no captured client or key.
    assert len(raw) < 100
    assert b"rockset_pulumi.providers" in raw


def test_check_and_diff_make_no_request(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    for provider, props in (
        (ConnectivityCheckProvider(), connectivity_props(emu)),
        (IpAllowlistProvider(), allowlist_props(emu, OFFICE)),
        (LockdownCheckProvider(), lockdown_props(emu)),
    ):
        checked = provider.check({}, props)
        assert checked.failures == []
        assert provider.diff("id", checked.inputs, props).changes is False
        changed = {**props, "privatelink_url": "https://elsewhere.example"}
        assert provider.diff("id", checked.inputs, changed).changes is True
    assert emu.requests() == []


def test_check_names_missing_and_insecure_inputs() -> None:
    result = IpAllowlistProvider().check(
        {}, {"public_url": "http://api", "privatelink_url": "https://p", "entries": {}}
    )
    reasons = {(f.property, f.reason) for f in result.failures}
    assert ("api_key", "api_key is required") in reasons
    assert ("public_url", "public_url must be an https:// URL") in reasons
    assert ("entries", "at least one entry is required: an empty list is off") in reasons


def test_triggers_rerun_the_connectivity_check(emulator: RunningEmulator) -> None:
    provider = ConnectivityCheckProvider()
    olds = outs(provider.create(connectivity_props(emulator)))
    assert provider.diff("id", olds, connectivity_props(emulator)).changes is False
    rerun = connectivity_props(emulator, triggers=["2"])
    diff = provider.diff("id", olds, rerun)
    assert diff.changes is True
    assert diff.replaces == []
    assert outs(provider.update("id", olds, rerun))["triggers"] == ["2"]


def test_direct_allowlist_lifecycle_and_drift(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    provider = IpAllowlistProvider()
    created = provider.create(allowlist_props(emu, OFFICE))
    first = outs(created)
    assert first["live_entries"] == OFFICE
    assert first["owner_mark"] == Owner(OWNER_LABEL).mark
    assert first["adopted"] == []

    with emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    refreshed = outs(provider.read(created.id, first))
    assert refreshed["live_entries"] == {}
    assert provider.diff(created.id, refreshed, allowlist_props(emu, OFFICE)).changes is True

    repaired = outs(provider.update(created.id, refreshed, allowlist_props(emu, OFFICE)))
    assert repaired["live_entries"] == OFFICE

    provider.delete(created.id, repaired)
    with emu.client("public") as client:
        assert client.list_ip_allowlist() == []


def test_direct_lockdown_check_and_drift(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    allowlist = IpAllowlistProvider().create(allowlist_props(emu, OFFICE))
    provider = LockdownCheckProvider()
    created = provider.create(lockdown_props(emu))
    assert outs(created)["status"]["holds"] is True

    IpAllowlistProvider().delete(allowlist.id, outs(allowlist))
    refreshed = outs(provider.read(created.id, outs(created)))
    assert refreshed["status"]["holds"] is False
    assert refreshed["status"]["public_refuses_key"] is False
    assert provider.diff(created.id, refreshed, lockdown_props(emu)).changes is True


def test_a_lockdown_failure_names_the_admin_entries_step_4_made(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    # This machine (loopback) inside an admin entry: the public endpoint still takes the key.
    loopback = {"admins": "127.0.0.0/8"}
    IpAllowlistProvider().create(allowlist_props(emu, loopback))
    with pytest.raises(VerificationError) as err:
        LockdownCheckProvider().create({**lockdown_props(emu, loopback), "timeout": 1.0})
    assert "one of admin_cidrs (admins=127.0.0.0/8)" in str(err.value)


def test_host_runs_steps_3_to_5_and_destroy_reopens(emulator_factory: EmulatorFactory) -> None:
    with dynamic_host(ConnectivityCheckProvider(), "pulumi-python:dynamic/rockset:X") as host:
        # Started once the host is up, so PrivateLink is still coming up when create runs.
        emu = emulator_factory(ready_after=2)
        props = host.checked("conn", connectivity_props(emu))
        assert host.diff("conn", "", props, props).changes == provider_pb2.DiffResponse.DIFF_NONE
        conn_id, conn = host.create("conn", props)
        assert conn["privatelink"]["authenticated"] is True
        assert conn["privatelink"]["attempts"] > 1
        assert host.read("conn", conn_id, conn)["checked_at"] == conn["checked_at"]

    with dynamic_host(IpAllowlistProvider(), "pulumi-python:dynamic/rockset:X") as host:
        props = host.checked("allow", allowlist_props(emu, OFFICE))
        allow_id, allow = host.create("allow", props)
        assert allow["live_entries"] == OFFICE

        with dynamic_host(LockdownCheckProvider(), "pulumi-python:dynamic/rockset:X") as lock:
            lock_id, status = lock.create("lock", lock.checked("lock", lockdown_props(emu)))
            assert status["status"]["holds"] is True

            # Out-of-band deletion: refresh shows drift on both, update repairs.
            with emu.client("privatelink") as client:
                client.delete_ip_allowlist("office")
            assert lock.read("lock", lock_id, status)["status"]["holds"] is False
            drifted = host.read("allow", allow_id, allow)
            assert drifted["live_entries"] == {}
            diff = host.diff("allow", allow_id, drifted, props)
            assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
            repaired = host.update("allow", allow_id, drifted, props)
            assert repaired["live_entries"] == OFFICE
            assert lock.read("lock", lock_id, status)["status"]["holds"] is True

        host.delete("allow", allow_id, repaired)
    with emu.client("public") as client:
        assert client.current_user().email == "admin@example.com"


def test_host_failure_is_clear_and_keeps_the_key_out(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(ready_after=600)
    with dynamic_host(ConnectivityCheckProvider(), "pulumi-python:dynamic/rockset:X") as host:
        props = host.checked("conn", connectivity_props(emu, timeout=1.0))
        with pytest.raises(grpc.RpcError) as err:
            host.create("conn", props)
    details = err.value.details()
    assert "did not accept the API key within 1 s" in details
    assert emu.api_key not in details

    with dynamic_host(IpAllowlistProvider(), "pulumi-python:dynamic/rockset:X") as host:
        props = host.checked("allow", allowlist_props(emu, OFFICE))
        with pytest.raises(grpc.RpcError) as err:
            host.create("allow", props)
    details = err.value.details()
    assert "Lock-out guard" in details
    assert emu.api_key not in details
    assert writes(emu) == []


def test_the_owner_inputs_are_no_change_to_checks_recorded_without_them() -> None:
    # Stacks created before the connectivity check knew the owner, and step 5 its mark, keep
    # previewing no change; a later rename with an alias changes neither check either.
    api = {"public_url": "https://p", "privatelink_url": "https://pl", "api_key": "k"}
    connectivity = {**api, "timeout": 10.0, "public_may_refuse_key": True, "triggers": []}
    lockdown = {**api, "timeout": 10.0, "allowlist": OFFICE, "triggers": []}
    for provider, olds, news in (
        (ConnectivityCheckProvider(), connectivity, {**connectivity, "owner": OWNER_LABEL}),
        (
            ConnectivityCheckProvider(),
            {**connectivity, "owner": OWNER_LABEL},
            {**connectivity, "owner": "org/renamed/allowlist"},
        ),
        (LockdownCheckProvider(), lockdown, {**lockdown, "owner_mark": "0123456789abcdef"}),
    ):
        assert provider.diff("id", olds, provider.check({}, news).inputs).changes is False


def test_the_connectivity_checks_delete_removes_what_carries_the_mark_and_nothing_else(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    # What a first create left when its undo failed too: no state records this generation.
    left = Owner(OWNER_LABEL, "0badc0de")
    with emu.client("privatelink") as client:
        client.create_ip_allowlist("office", OFFICE["office"], left.description)
        client.create_ip_allowlist("office-next", "198.51.100.0/24", left.description)
        client.create_ip_allowlist("by-hand", "192.0.2.0/24")
        client.create_ip_allowlist("ci", "192.0.2.128/25", Owner("org/other").description)
    provider = ConnectivityCheckProvider()
    provider.delete("id", connectivity_props(emu))
    assert writes(emu) == ["POST"] * 4, "without lockdown (no owner) it touches nothing"

    provider.delete("id", connectivity_props(emu, owner=OWNER_LABEL))
    with emu.client("privatelink") as client:
        assert sorted(e.name for e in client.list_ip_allowlist()) == ["by-hand", "ci"]
