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
  with its answer lost): the create deletes what it wrote, and says that the allowlist is as it was.

After every failed run and every finished one the allowlist must keep what the package promises:
foreign entries (hand-made, another stack's) are untouched; no admin entry that both the old and
the new configuration want is ever missing (nor replaced by anything but its old or new CIDR), so
the lockdown is never lifted on the way; after success it holds exactly the wanted entries.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from rockset_emulator import Emulator, EmulatorConfig, FaultConfig, WriteFault
from rockset_pulumi.allowlist import ROTATION_SUFFIX, Owner, mark_of
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.client import IpAllowlistEntry
from rockset_pulumi.errors import RocksetPulumiError, VerificationError
from rockset_pulumi.steps import reconcile_allowlist, remove_allowlist

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


def reconciling(wanted: Mapping[str, str], *, first: bool) -> Callable[[RocksetApi], object]:
    # A resource's create undoes its own writes when it fails (Pulumi records nothing), so the
    # create is run as the provider runs it.
    return lambda api: reconcile_allowlist(api, wanted, OWNER, undo_on_failure=first)


BOTH = {"office": OFFICE, "vpn": VPN}
OPERATIONS = {
    "create": Operation({}, BOTH, reconciling(BOTH, first=True)),
    "update": Operation(
        BOTH,
        {"office": OFFICE, "lab": LAB},
        reconciling({"office": OFFICE, "lab": LAB}, first=False),
    ),
    "rotation": Operation(
        BOTH,
        {"office": OFFICE_MOVED, "vpn": VPN},
        reconciling({"office": OFFICE_MOVED, "vpn": VPN}, first=False),
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
