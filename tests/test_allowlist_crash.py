"""Crash consistency of the allowlist steps: every write of every operation fails in turn.

Each operation (the resource's create, an update, a CIDR rotation, destroy) first runs fault-free
to count its writes. Then, for each of its writes N, on a fresh copy of the organization it starts
from (served by an emulator of its own, so that the operation's writes are numbered from 1):

- **dies at write N**: write N and every later one are dropped before taking effect, as when the
  machine running ``pulumi up`` is killed or its network dies there. The run must fail; a run on a
  healthy emulator (same organization) must then finish the job.
- **loses write N's answer**: write N takes effect but its answer never arrives. The client's retry
  meets the write's own effect and takes it as done, so the run finishes; when every retry of it
  breaks too, the run fails and the next one must finish the job.
- **a first create fails at write N** (only write N, with its retries; dropped, or taking effect
  with its answer lost): the create undoes what it wrote, and says that the allowlist is as it was.

Then the user's next ordinary command, through a model of the engine's bookkeeping
(:class:`Stack`): after a failed rotation, addition or removal, a revert (nothing to do), ``up``
again or ``destroy``; after a first create whose undo fails too, ``up`` or ``destroy``; after a
rotation killed once its staging entry exists, ``refresh`` then ``up``. Each converges.

After every failed run and every finished one the allowlist must keep what the package promises:
foreign entries (hand-made, another stack's) are untouched; no admin entry that both the old and
the new configuration want is ever missing (nor replaced by anything but its old or new CIDR), so
the lockdown is never lifted on the way; after success it holds exactly the wanted entries.
"""

from __future__ import annotations

import copy
import inspect
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rockset_emulator import Emulator, EmulatorConfig, FaultConfig, WriteFault
from rockset_pulumi.allowlist import ROTATION_SUFFIX, Owner, mark_of
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.client import IpAllowlistEntry
from rockset_pulumi.errors import RocksetPulumiError, VerificationError
from rockset_pulumi.lifecycle import AllowlistLifecycle, ConnectivityLifecycle
from rockset_pulumi.steps import reconcile_allowlist, remove_allowlist
from tests.support.emulator import api_props

KEY = "rs-crash-test-key-3Jf8Qm2Vx7"
OWNER = Owner("acme/rockset-privatelink/prod/rockset-allowlist")
OTHER_STACK = Owner("acme/rockset-privatelink/staging/rockset-allowlist")
OFFICE, OFFICE_MOVED = "203.0.113.0/25", "203.0.113.128/25"
VPN, LAB = "192.0.2.0/26", "192.0.2.64/26"
# None of the CIDRs covers the tests' 127.0.0.1, so the public endpoint stays locked to them.
PARTNER = ("partner", "198.51.100.0/24")
OTHER_STACK_ENTRIES = {"ci": "192.0.2.128/25"}
# How often a write is tried when its connection breaks: what the allowlist steps' clients use.
ATTEMPTS: int = inspect.signature(RocksetApi.client).parameters["attempts"].default
# More writes than a failing run makes (each write's retries, a first create's undo): a run that
# dies at write N gets every later write dropped too.
DEAD_WRITES = 32


@dataclass(frozen=True)
class Operation:
    before: Mapping[str, str]
    """Our entries before the operation (name -> CIDR)."""
    after: Mapping[str, str]
    """Our entries once it has finished."""
    run: Callable[[RocksetApi], object]
    """What the allowlist resource's provider calls for it; rerun as is after a failure."""


def reconciling(
    wanted: Mapping[str, str], recorded: Mapping[str, str] | None
) -> Callable[[RocksetApi], object]:
    # Run as the provider runs it: a failure undoes its writes back to what the stack records
    # (None: a first create, which records nothing).
    return lambda api: reconcile_allowlist(api, wanted, OWNER, recorded=recorded)


BOTH = {"office": OFFICE, "vpn": VPN}
OPERATIONS = {
    "create": Operation({}, BOTH, reconciling(BOTH, None)),
    "update": Operation(
        BOTH,
        {"office": OFFICE, "lab": LAB},
        reconciling({"office": OFFICE, "lab": LAB}, BOTH),
    ),
    "rotation": Operation(
        BOTH,
        {"office": OFFICE_MOVED, "vpn": VPN},
        reconciling({"office": OFFICE_MOVED, "vpn": VPN}, BOTH),
    ),
    "destroy": Operation(BOTH, {}, lambda api: remove_allowlist(api, OWNER)),
}


class Organization:
    """One emulated organization kept in a state file, served by one emulator after another."""

    def __init__(self, directory: Path, ca_dir: Path) -> None:
        directory.mkdir(parents=True)
        self.directory = directory
        self.state_file = directory / "state.json"
        self.ca_dir = ca_dir

    def copy(self, directory: Path) -> Organization:
        """The same organization as it is now, to go its own way."""
        twin = Organization(directory, self.ca_dir)
        shutil.copyfile(self.state_file, twin.state_file)
        return twin

    @contextmanager
    def serve(self, *faults: WriteFault) -> Iterator[tuple[Emulator, RocksetApi]]:
        """An emulator whose write numbers count from 1: the first write made through it."""
        config = EmulatorConfig(
            api_keys=(KEY,),
            state_file=self.state_file,
            ca_dir=self.ca_dir,
            faults=FaultConfig(write_faults=faults),
        )
        with Emulator(config) as emu:
            yield emu, RocksetApi(emu.public_url, emu.privatelink_url, KEY, str(emu.ca_bundle))


def failing_write(number: int, *, lost_answer: bool) -> list[WriteFault]:
    """Write ``number`` fails for good, with every retry of it, and the writes after go through.
    With ``lost_answer`` its first try takes effect before the connection breaks."""
    first = WriteFault(number, "after" if lost_answer else "before")
    return [first, *(WriteFault(n, "before") for n in range(number + 1, number + ATTEMPTS))]


def live(api: RocksetApi) -> dict[str, IpAllowlistEntry]:
    with api.client(api.privatelink_url, deadline=10.0) as client:
        return {entry.name: entry for entry in client.list_ip_allowlist()}


def prepare(directory: Path, ca_dir: Path, operation: Operation) -> Organization:
    """The organization the operation starts from, with foreign entries besides ours."""
    org = Organization(directory, ca_dir)
    with org.serve() as (_, api):
        with api.client(api.privatelink_url, deadline=10.0) as client:
            client.create_ip_allowlist(*PARTNER)
        reconcile_allowlist(api, OTHER_STACK_ENTRIES, OTHER_STACK)
        if operation.before:
            reconcile_allowlist(api, operation.before, OWNER)
    return org


def foreign_entries(api: RocksetApi) -> dict[str, IpAllowlistEntry]:
    return {name: e for name, e in live(api).items() if mark_of(e.description) != OWNER.mark}


def check(
    api: RocksetApi,
    operation: Operation,
    foreign: Mapping[str, IpAllowlistEntry],
    *,
    finished: bool,
    where: str,
) -> None:
    entries = live(api)
    assert {name: entries.get(name) for name in foreign} == foreign, f"{where}: foreign touched"
    ours = {n: e.ip_address for n, e in entries.items() if mark_of(e.description) == OWNER.mark}
    assert set(entries) == set(foreign) | set(ours), f"{where}: an entry lost its owner mark"
    if finished:
        assert ours == operation.after, f"{where}: not converged"
        return
    if operation.before and operation.after:
        assert ours, f"{where}: no admin entry left while the lockdown should hold"
    for name in operation.before.keys() & operation.after.keys():
        cidrs = {ours.get(name), ours.get(name + ROTATION_SUFFIX)}
        assert cidrs & {operation.before[name], operation.after[name]}, (
            f"{where}: admin entry {name!r} is missing and has no replacement: {ours}"
        )
    for name, cidr in ours.items():
        base = name.removesuffix(ROTATION_SUFFIX)
        assert cidr in {operation.before.get(base), operation.after.get(base)}, (
            f"{where}: entry {name}={cidr} is neither an old nor a new admin entry"
        )


def count_writes(start: Organization, operation: Operation) -> int:
    """How many writes the operation makes when nothing fails."""
    with start.copy(start.directory.parent / "fault-free").serve() as (emu, api):
        foreign = foreign_entries(api)
        operation.run(api)
        check(api, operation, foreign, finished=True, where="fault-free")
        return emu.writes


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One CA for every emulator in the module: creating a CA key is the slow part of a start.
    return tmp_path_factory.mktemp("crash-ca")


def each_write(name: str, tmp_path: Path, ca_dir: Path) -> Iterator[tuple[int, int, Organization]]:
    """For each write N that operation ``name`` makes when nothing fails: N, how many writes it
    makes, and a copy of the organization it starts from, for that N alone."""
    start = prepare(tmp_path / "start", ca_dir, OPERATIONS[name])
    writes = count_writes(start, OPERATIONS[name])
    assert writes > 0
    for number in range(1, writes + 1):
        yield number, writes, start.copy(tmp_path / f"write-{number}")


@pytest.mark.parametrize("name", OPERATIONS)
def test_dying_at_each_write_then_rerunning(name: str, tmp_path: Path, ca_dir: Path) -> None:
    operation = OPERATIONS[name]
    for number, writes, org in each_write(name, tmp_path, ca_dir):
        where = f"{name}, dying at write {number} of {writes}"
        dead = [WriteFault(n, "before") for n in range(number, number + DEAD_WRITES)]
        with org.serve(*dead) as (emu, api):
            foreign = foreign_entries(api)
            with pytest.raises(RocksetPulumiError):
                operation.run(api)
            assert number <= emu.writes < number + DEAD_WRITES, f"{where}: {emu.writes} writes"
            check(api, operation, foreign, finished=False, where=where)
        with org.serve() as (_, api):
            operation.run(api)
            check(api, operation, foreign, finished=True, where=f"{where}, rerun")


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_lost_write_answer_is_recovered_by_the_retry(
    name: str, tmp_path: Path, ca_dir: Path
) -> None:
    operation = OPERATIONS[name]
    for number, writes, org in each_write(name, tmp_path, ca_dir):
        where = f"{name}, answer of write {number} of {writes} lost"
        with org.serve(WriteFault(number, "after")) as (emu, api):
            foreign = foreign_entries(api)
            operation.run(api)
            # The retry met the write's own effect (409 or 404) and took it as done.
            assert emu.writes == writes + 1, f"{where}: {emu.writes} writes"
            check(api, operation, foreign, finished=True, where=where)


@pytest.mark.parametrize("name", OPERATIONS)
def test_a_lost_write_answer_whose_retries_fail_then_rerunning(
    name: str, tmp_path: Path, ca_dir: Path
) -> None:
    operation = OPERATIONS[name]
    for number, writes, org in each_write(name, tmp_path, ca_dir):
        where = f"{name}, answer of write {number} of {writes} lost, its retries reset"
        with org.serve(*failing_write(number, lost_answer=True)) as (_, api):
            foreign = foreign_entries(api)
            with pytest.raises(RocksetPulumiError):
                operation.run(api)
            check(api, operation, foreign, finished=False, where=where)
        with org.serve() as (_, api):
            operation.run(api)
            check(api, operation, foreign, finished=True, where=f"{where}, rerun")


@pytest.mark.parametrize("lost_answer", [False, True], ids=["dropped", "answer-lost"])
def test_a_first_create_failing_at_each_write_leaves_the_allowlist_as_it_was(
    lost_answer: bool, tmp_path: Path, ca_dir: Path
) -> None:
    # Only write N fails; the undo's own deletes go through, as they do when Rockset refuses
    # one entry or one request's connection breaks.
    assert len(OPERATIONS["create"].after) > 1
    for number, writes, org in each_write("create", tmp_path, ca_dir):
        how = "its answer lost" if lost_answer else "dropped"
        where = f"create, write {number} of {writes} failing, {how}"
        with org.serve(*failing_write(number, lost_answer=lost_answer)) as (_, api):
            before = live(api)
            with pytest.raises(VerificationError) as failed:
                OPERATIONS["create"].run(api)
            assert live(api) == before, f"{where}: not undone"
            assert "the allowlist is as it was" in str(failed.value), where


# The user's commands after a failure, through the engine's bookkeeping.


class Stack:
    """What the engine keeps for the component's allowlist and connectivity check, and how it
    drives their lifecycles (both hosts' resources adapt the same ones): ``check``; ``diff``
    against the recorded outputs; create or update only when the diff reports changes; a failed
    create records nothing; a failed update keeps the old outputs; refresh records what ``read``
    returns; delete gets the recorded outputs, the allowlist's before the connectivity check's
    (the allowlist depends on it). Each command is given the emulator it meets, which stands for
    the same Rockset at the same address."""

    allowlist_lifecycle = AllowlistLifecycle()
    connectivity_lifecycle = ConnectivityLifecycle()

    def __init__(self) -> None:
        self.allowlist: dict[str, Any] | None = None
        self.connectivity: dict[str, Any] | None = None

    def copy(self) -> Stack:
        twin = Stack()
        twin.allowlist, twin.connectivity = copy.deepcopy((self.allowlist, self.connectivity))
        return twin

    def changes(self, api: RocksetApi, entries: Mapping[str, str]) -> dict[str, Any]:
        """What ``pulumi preview`` shows for the allowlist (no call to Rockset)."""
        news = self.allowlist_lifecycle.check(self.inputs(api, entries)).inputs
        if self.allowlist is None:
            return {"allowlist": "create"}
        olds = {**self.allowlist, **api_props(api)}
        return dict(self.allowlist_lifecycle.diff(olds, news).changes)

    def inputs(self, api: RocksetApi, entries: Mapping[str, str]) -> dict[str, Any]:
        return {
            **api_props(api),
            "entries": dict(entries),
            "verified_at": "2026-01-01T00:00:00Z",
            "owner": OWNER.label,
        }

    def up(self, api: RocksetApi, entries: Mapping[str, str]) -> None:
        # Step 3 passed: the check records its inputs (the owner among them) and its results.
        self.connectivity = self.connectivity or {**api_props(api), "owner": OWNER.label}
        news = self.allowlist_lifecycle.check(self.inputs(api, entries)).inputs
        if self.allowlist is None:
            self.allowlist = self.allowlist_lifecycle.create(news).outputs
            return
        olds = {**self.allowlist, **api_props(api)}
        if self.allowlist_lifecycle.diff(olds, news).changes:
            self.allowlist = self.allowlist_lifecycle.update(olds, news)

    def refresh(self, api: RocksetApi) -> None:
        if self.allowlist is not None:
            olds = {**self.allowlist, **api_props(api)}
            self.allowlist = self.allowlist_lifecycle.read(olds)

    def destroy(self, api: RocksetApi) -> None:
        if self.allowlist is not None:
            self.allowlist_lifecycle.delete({**self.allowlist, **api_props(api)})
            self.allowlist = None
        if self.connectivity is not None:
            self.connectivity_lifecycle.delete({**self.connectivity, **api_props(api)})
            self.connectivity = None


def ours(api: RocksetApi) -> dict[str, str]:
    """The entries with the component's mark, whatever their generation."""
    return {n: e.ip_address for n, e in live(api).items() if mark_of(e.description) == OWNER.mark}


ONLY_OFFICE = {"office": OFFICE}
CHANGES = {
    # Issue 19's first sequence: office moves from CIDR A to B.
    "rotation": (ONLY_OFFICE, {"office": OFFICE_MOVED}),
    # Its second: vpn and lab join office.
    "add": (ONLY_OFFICE, {"office": OFFICE, "vpn": VPN, "lab": LAB}),
    "remove": (BOTH, ONLY_OFFICE),
    # Then no inputs at all: pulumi destroy.
    "destroy": (BOTH, None),
}
NEXT_COMMANDS = [
    (change, then)
    for change in CHANGES
    for then in ("revert", "up", "destroy")
    if not (change == "destroy" and then == "up")
]
"""Each failed change, and what the user runs next: ``up`` with the previous inputs (after a
failed destroy: keeps the stack after all), ``up`` with the new ones again, or ``destroy``."""


def run(stack: Stack, api: RocksetApi, entries: Mapping[str, str] | None) -> None:
    """``pulumi up`` with ``entries``; ``pulumi destroy`` for None."""
    if entries is None:
        stack.destroy(api)
    else:
        stack.up(api, entries)


def failed_changes(
    change: str, lost_answer: bool, tmp_path: Path, ca_dir: Path
) -> Iterator[tuple[str, Stack, Organization, dict[str, IpAllowlistEntry]]]:
    """For each write N of ``change``: the stack and organization after ``pulumi up`` with the
    new inputs (or ``pulumi destroy``) failed at write N (dropped, or its answer lost, with its
    retries)."""
    before, after = CHANGES[change]
    start = prepare(tmp_path / "start", ca_dir, Operation({}, {}, reconciling({}, None)))
    stack = Stack()
    with start.serve() as (_, api):
        stack.up(api, before)
    with start.copy(tmp_path / "fault-free").serve() as (emu, api):
        run(stack.copy(), api, after)
        writes = emu.writes
    assert writes > 0
    for number in range(1, writes + 1):
        how = "its answer lost" if lost_answer else "dropped"
        where = f"{change}, write {number} of {writes} failing, {how}"
        org, failed = start.copy(tmp_path / f"write-{number}"), stack.copy()
        with org.serve(*failing_write(number, lost_answer=lost_answer)) as (_, api):
            foreign = foreign_entries(api)
            with pytest.raises(VerificationError) as error:
                run(failed, api, after)
            # Undone: the state Pulumi kept is true, and the error says so.
            assert "the allowlist is as it was" in str(error.value), where
            assert ours(api) == before, f"{where}: not undone"
        yield where, failed, org, foreign


FAULTS = pytest.mark.parametrize("lost_answer", [False, True], ids=["dropped", "answer-lost"])


@FAULTS
@pytest.mark.parametrize(("change", "then"), NEXT_COMMANDS)
def test_after_a_failed_change_the_next_command_converges(
    change: str, then: str, lost_answer: bool, tmp_path: Path, ca_dir: Path
) -> None:
    before, after = CHANGES[change]
    wanted = {"revert": before, "up": after or {}, "destroy": {}}[then]
    for failure, stack, org, foreign in failed_changes(change, lost_answer, tmp_path, ca_dir):
        where = f"{failure}, then {then}"
        with org.serve() as (emu, api):
            if then == "destroy":
                stack.destroy(api)
            else:
                if then == "revert":
                    assert stack.changes(api, before) == {}, f"{where}: preview of the revert"
                stack.up(api, wanted)
                assert stack.changes(api, wanted) == {}, f"{where}: preview after up"
            if then == "revert":
                assert emu.writes == 0, f"{where}: the revert wrote"
            assert ours(api) == wanted, f"{where}: not converged"
            assert foreign_entries(api) == foreign, where


@pytest.mark.parametrize("then", ["up", "destroy"])
def test_a_first_create_whose_undo_fails_too_is_finished_by_up_or_destroy(
    then: str, tmp_path: Path, ca_dir: Path
) -> None:
    # Issue 19's third sequence: Rockset unreachable from write N on, the undo included.
    for number, writes, org in each_write("create", tmp_path, ca_dir):
        where = f"create dying at write {number} of {writes}, then {then}"
        stack = Stack()
        with org.serve(*(WriteFault(n, "before") for n in range(number, number + DEAD_WRITES))) as (
            _,
            api,
        ):
            foreign = foreign_entries(api)
            left = ours(api)
            with pytest.raises(VerificationError) as error:
                stack.up(api, BOTH)
            assert stack.allowlist is None, where
            message = str(error.value)
            if ours(api) == left:
                assert "the allowlist is as it was" in message, where
            else:
                assert "Undoing them failed too; still to undo: " in message, where
                for name in ours(api).keys() - left.keys():
                    assert f"delete {name!r}" in message, f"{where}: {name} not named"
        with org.serve() as (_, api):
            if then == "up":
                stack.up(api, BOTH)
                assert ours(api) == BOTH, f"{where}: not converged"
            else:
                stack.destroy(api)
                assert ours(api) == {}, f"{where}: destroy left entries"
            assert foreign_entries(api) == foreign, where


def test_a_killed_rotation_shows_in_refresh_and_the_next_up_repairs_it(
    tmp_path: Path, ca_dir: Path
) -> None:
    # Killed once the staging entry office-next (B) is written: the undo cannot run, and the
    # failed update keeps the old outputs, which the revert's inputs equal.
    before = ONLY_OFFICE
    org = prepare(tmp_path / "start", ca_dir, Operation({}, {}, reconciling({}, None)))
    stack = Stack()
    with org.serve() as (_, api):
        stack.up(api, before)
    with org.serve(*(WriteFault(n, "before") for n in range(2, 2 + DEAD_WRITES))) as (_, api):
        with pytest.raises(VerificationError):
            stack.up(api, {"office": OFFICE_MOVED})
        assert ours(api) == {"office": OFFICE, "office-next": OFFICE_MOVED}
    with org.serve() as (_, api):
        assert stack.changes(api, before) == {}, "no call to Rockset: the revert looks done"
        stack.refresh(api)
        assert stack.changes(api, before) != {}, "refresh shows the leftovers as drift"
        stack.up(api, before)
        assert ours(api) == before
        assert stack.changes(api, before) == {}
