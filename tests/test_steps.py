"""Steps 3-5 of the guide against the emulator over real HTTPS."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from rockset_pulumi import AuthenticationError, VerificationError
from rockset_pulumi.allowlist import Owner, Write
from rockset_pulumi.check_resources import CONNECTIVITY
from rockset_pulumi.lifecycle import LIFECYCLES, Change
from rockset_pulumi.steps import (
    check_connectivity,
    observe_lockdown,
    read_allowlist,
    reconcile_allowlist,
    remove_allowlist,
    verify_lockdown,
)
from tests.conftest import EmulatorFactory
from tests.support.emulator import RunningEmulator

OFFICE = {"office": "203.0.113.0/24"}
OWNER = Owner("org/rockset-privatelink/dev/rockset-allowlist")


def public_accepts_key(emu: RunningEmulator) -> bool:
    with emu.client("public", retry=None) as client:
        try:
            client.current_user()
        except AuthenticationError:
            return False
    return True


def allowlist(emu: RunningEmulator) -> dict[str, str]:
    with emu.client("privatelink") as client:
        return {e.name: e.ip_address for e in client.list_ip_allowlist()}


def test_connectivity_reports_both_endpoints(emulator: RunningEmulator) -> None:
    result = check_connectivity(emulator.api, 5, public_may_refuse_key=False)
    for name, url in (("public", emulator.public_url), ("privatelink", emulator.privatelink_url)):
        probe = result[name]
        assert probe["url"] == url
        assert probe["reachable"] is True
        assert probe["authenticated"] is True
        assert probe["user_email"] == "admin@example.com"
        assert probe["user_state"] == "ACTIVE"
        assert probe["latency_ms"] > 0
    assert result["checked_at"].endswith("Z")


def test_connectivity_waits_for_privatelink_to_come_up(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(ready_after=2)
    started = time.monotonic()
    result = check_connectivity(emu.api, 30, public_may_refuse_key=False)
    assert result["privatelink"]["authenticated"] is True
    assert result["privatelink"]["attempts"] > 1
    # Seen within about one poll interval (the ceiling) of becoming ready, not at the timeout.
    assert time.monotonic() - started < 10


def test_connectivity_gives_up_with_the_likely_causes(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(ready_after=600)
    with pytest.raises(VerificationError) as err:
        check_connectivity(emu.api, 1.5, public_may_refuse_key=False)
    message = str(err.value)
    assert f"PrivateLink endpoint {emu.privatelink_url} did not accept the API key" in message
    assert "within 1.5 s" in message
    assert "Last error:" in message
    assert "outside the VPC" in message
    assert "security group" in message
    assert "Rockset has not accepted the endpoint" in message
    assert emu.api_key not in message


def test_connectivity_with_a_wrong_key_says_so(emulator: RunningEmulator) -> None:
    wrong = dataclasses.replace(emulator.api, api_key="wrong-key")
    with pytest.raises(VerificationError, match="refused the key: check api_key"):
        check_connectivity(wrong, 5, public_may_refuse_key=False)


def test_allowlist_lockdown_and_reopen(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    ep = emu.api
    assert public_accepts_key(emu)

    state = reconcile_allowlist(ep, OFFICE, OWNER)
    assert state.entries == OFFICE
    assert state.writes == (Write("create", "office", "203.0.113.0/24"),)
    assert allowlist(emu) == OFFICE
    assert not public_accepts_key(emu)

    status = verify_lockdown(ep, OFFICE, 5)
    assert status.holds
    assert (status.public_reachable, status.public_refuses_key) == (True, True)
    assert status.privatelink_accepts_key

    # Running again changes nothing.
    again = reconcile_allowlist(ep, OFFICE, OWNER)
    assert (again.entries, again.writes) == (OFFICE, ())

    removal = remove_allowlist(ep, OWNER)
    assert allowlist(emu) == {}
    assert public_accepts_key(emu)
    assert removal.deleted == ("office",)
    assert "accepts keys from any address again" in removal.summary


def test_an_identical_existing_entry_is_adopted(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    with emu.client("privatelink") as client:
        client.create_ip_allowlist("office", "203.0.113.0/24")
    state = reconcile_allowlist(emu.api, OFFICE, OWNER)
    assert state.entries == OFFICE
    assert state.writes == ()
    assert state.adopted == {"office"}
    # Destroy leaves an adopted entry as it was found.
    assert remove_allowlist(emu.api, OWNER).remaining == {"office": "unmarked"}
    assert allowlist(emu) == OFFICE


def test_a_foreign_entry_of_the_same_name_is_a_clear_error(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    with emu.client("privatelink") as client:
        client.create_ip_allowlist("office", "198.51.100.0/24")
    with pytest.raises(VerificationError) as err:
        reconcile_allowlist(emu.api, {**OFFICE, "vpn": "192.0.2.1/32"}, OWNER)
    assert "entry 'office'" in str(err.value)
    assert "198.51.100.0/24" in str(err.value)
    assert "no rockset-pulumi resource created" in str(err.value)
    # Refused before any change: the other entry was not created either.
    assert allowlist(emu) == {"office": "198.51.100.0/24"}


def test_a_changed_cidr_is_created_before_the_old_one_goes(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    ep = emu.api
    reconcile_allowlist(ep, OFFICE, OWNER)
    moved = {"office": "198.51.100.0/24"}
    state = reconcile_allowlist(ep, moved, OWNER)
    assert state.entries == moved
    assert state.writes == (
        Write("create", "office-next", "198.51.100.0/24"),
        Write("delete", "office", "203.0.113.0/24"),
        Write("create", "office", "198.51.100.0/24"),
        Write("delete", "office-next", "198.51.100.0/24"),
    )
    assert allowlist(emu) == moved
    # Every write went through PrivateLink and the list never passed through empty.
    writes = [r for r in emu.requests() if r["method"] in ("POST", "DELETE")]
    assert {r["listener"] for r in writes} == {"privatelink"}
    assert [r["method"] for r in writes] == ["POST", "POST", "DELETE", "POST", "DELETE"]


def test_removed_names_are_deleted_after_new_ones_are_created(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    ep = emu.api
    reconcile_allowlist(ep, OFFICE, OWNER)
    vpn = {"vpn": "192.0.2.1/32"}
    state = reconcile_allowlist(ep, vpn, OWNER)
    assert [(w.action, w.name) for w in state.writes] == [("create", "vpn"), ("delete", "office")]
    assert allowlist(emu) == vpn


def test_lock_out_guard_changes_nothing_when_privatelink_fails(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory(ready_after=600)
    with pytest.raises(VerificationError) as err:
        reconcile_allowlist(emu.api, OFFICE, OWNER, deadline=1.0)
    assert str(err.value).startswith("Lock-out guard: the IP allowlist was left unchanged")
    assert emu.api_key not in str(err.value)
    with emu.client("public") as client:
        assert client.list_ip_allowlist() == []
    assert not [r for r in emu.requests() if r["method"] in ("POST", "DELETE")]


def test_lockdown_fails_when_the_prober_is_inside_an_admin_cidr(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    loopback = {"admins": "127.0.0.0/8"}
    reconcile_allowlist(emu.api, loopback, OWNER)
    with pytest.raises(VerificationError) as err:
        verify_lockdown(emu.api, loopback, 1.0)
    message = str(err.value)
    assert f"the public endpoint {emu.public_url} should refuse the API key" in message
    assert "admin_cidrs (admins=127.0.0.0/8)" in message
    assert "from inside the VPC" in message


def test_refresh_sees_a_deleted_entry_and_a_reopened_endpoint(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    ep = emu.api
    reconcile_allowlist(ep, OFFICE, OWNER)
    assert observe_lockdown(ep).holds
    with emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    assert read_allowlist(ep, OWNER, frozenset()) == {}
    status = observe_lockdown(ep)
    assert not status.holds
    assert status.public_refuses_key is False


def test_removal_falls_back_to_the_public_endpoint_for_an_admin(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    # The allowlist outlives a PrivateLink path that is gone (state file, restarted emulator).
    state = tmp_path / "org.json"
    first = emulator_factory(state_file=state)
    reconcile_allowlist(first.api, {"admins": "127.0.0.0/8"}, OWNER)
    first.stop()
    gone = emulator_factory(state_file=state, ready_after=600)
    remove_allowlist(gone.api, OWNER)
    with gone.client("public") as client:
        assert client.list_ip_allowlist() == []


def test_removal_without_any_path_says_where_to_run_it(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    state = tmp_path / "org.json"
    first = emulator_factory(state_file=state)
    reconcile_allowlist(first.api, OFFICE, OWNER)
    first.stop()
    gone = emulator_factory(state_file=state, ready_after=600)
    with pytest.raises(VerificationError) as err:
        remove_allowlist(gone.api, OWNER, deadline=2.0)
    message = str(err.value)
    assert "neither PrivateLink nor the public endpoint accepted the calls" in message
    assert "from inside the VPC, or from an address in admin_cidrs" in message
    assert gone.api_key not in message


def test_rerun_after_lockdown_accepts_a_public_refusal(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    reconcile_allowlist(emu.api, OFFICE, OWNER)
    result = check_connectivity(emu.api, 5, public_may_refuse_key=True)
    assert result["public"]["reachable"] is True
    assert result["public"]["authenticated"] is False
    assert result["privatelink"]["authenticated"] is True
    with pytest.raises(VerificationError, match="allowlist most likely excludes this machine"):
        check_connectivity(emu.api, 5, public_may_refuse_key=False)


def test_a_replacement_keeps_the_entries_when_the_old_one_is_deleted(
    emulator_factory: EmulatorFactory,
) -> None:
    # `pulumi up --replace`: the new resource is created before the old one is deleted.
    emu = emulator_factory()
    old = Owner(OWNER.label, "0000aaaa")
    new = Owner(OWNER.label, "0000bbbb")
    reconcile_allowlist(emu.api, OFFICE, old)
    reconcile_allowlist(emu.api, OFFICE, new)
    removal = remove_allowlist(emu.api, old)
    assert removal.deleted == ()
    assert allowlist(emu) == OFFICE
    assert not public_accepts_key(emu)
    assert "another generation of this resource" in removal.summary
    assert remove_allowlist(emu.api, new).deleted == ("office",)
    assert allowlist(emu) == {}


def test_lockdown_fails_on_an_entry_with_the_stacks_mark_that_is_not_wanted(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    other = Owner("org/rockset-privatelink/staging/rockset-allowlist")
    reconcile_allowlist(emu.api, {**OFFICE, "office-next": "198.51.100.0/24"}, OWNER)
    reconcile_allowlist(emu.api, {"ci": "192.0.2.0/24"}, other)
    with emu.client("privatelink") as client:
        client.create_ip_allowlist("by-hand", "192.0.2.128/25")
    # Another stack's entries and hand-made ones are not this stack's to judge.
    assert verify_lockdown(emu.api, {**OFFICE, "office-next": "x"}, 5, owner_mark=OWNER.mark).holds
    with pytest.raises(VerificationError) as err:
        verify_lockdown(emu.api, OFFICE, 5, owner_mark=OWNER.mark)
    message = str(err.value)
    assert "'office-next' (198.51.100.0/24)" in message
    assert f"owner mark {OWNER.mark}" in message
    assert "'ci'" not in message
    assert "'by-hand'" not in message


def test_read_shows_every_entry_with_the_mark_staging_and_other_generations_included(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    older = Owner(OWNER.label, "0badc0de")
    reconcile_allowlist(emu.api, {**OFFICE, "office-next": "198.51.100.0/24"}, OWNER)
    reconcile_allowlist(emu.api, {"vpn": "192.0.2.0/26"}, Owner("someone/else"))
    with emu.client("privatelink") as client:
        client.create_ip_allowlist("lab", "192.0.2.64/26", older.description)
    assert read_allowlist(emu.api, OWNER, frozenset()) == {
        **OFFICE,
        "office-next": "198.51.100.0/24",
        "lab": "192.0.2.64/26",
    }


def test_turning_lockdown_off_reruns_step_3_before_the_entries_are_removed(
    emulator_factory: EmulatorFactory,
) -> None:
    # `pulumi up` with lockdown turned off updates the connectivity check first and deletes the
    # allowlist last, so step 3 runs while this stack's own lockdown still holds: it must not
    # fail on the refusal that the same `up` is about to lift, or the user could never turn
    # lockdown off.
    emu = emulator_factory()
    reconcile_allowlist(emu.api, OFFICE, OWNER)
    connectivity = LIFECYCLES[CONNECTIVITY.name]
    api = {name: getattr(emu.api, name) for name in ("public_url", "privatelink_url", "api_key")}
    base = {**api, "ca_bundle": emu.api.ca_bundle, "timeout": 5}
    olds = connectivity.create({**base, "public_may_refuse_key": True}).outputs
    news = {**base, "public_may_refuse_key": False}
    assert connectivity.diff(olds, news).changes == {"public_may_refuse_key": Change.UPDATE}

    updated = connectivity.update(olds, news)

    assert updated["public"]["authenticated"] is False
    assert updated["privatelink"]["authenticated"] is True
    # Recorded as wanted: with the entries gone, the next `up` has nothing to re-run.
    assert connectivity.diff(updated, news).changes == {}
    remove_allowlist(emu.api, OWNER)
    assert public_accepts_key(emu)
