"""Ownership of allowlist entries and the writes that converge on what a stack wants.

Pure: the plan is applied to an in-memory allowlist, cut short after every write to stand for a
crash, and planned again from what is left, as the next `pulumi up` would.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from rockset_pulumi import VerificationError
from rockset_pulumi.allowlist import LiveEntry, Owner, Write, mark_of, plan_writes, written_by

A = Owner("org/rockset-privatelink/prod/rockset-allowlist")
B = Owner("org/rockset-privatelink/staging/rockset-allowlist")
OFFICE = {"office": "203.0.113.0/24"}


def entry(name: str, cidr: str, owner: Owner | None = None) -> LiveEntry:
    return LiveEntry(name, cidr, None if owner is None else owner.description)


def table(*entries: LiveEntry) -> dict[str, LiveEntry]:
    return {e.name: e for e in entries}


def apply(
    live: Mapping[str, LiveEntry], writes: tuple[Write, ...], owner: Owner
) -> dict[str, LiveEntry]:
    after = dict(live)
    for write in writes:
        if write.action == "create":
            assert write.name not in after, f"create of existing {write.name}"
            after[write.name] = entry(write.name, write.cidr, owner)
        else:
            after.pop(write.name)
    return after


def cidrs(live: Mapping[str, LiveEntry]) -> dict[str, str]:
    return {name: e.cidr for name, e in live.items()}


def test_the_mark_is_stable_per_resource_and_distinct_across() -> None:
    assert A.mark == Owner(A.label).mark
    assert A.mark != B.mark
    assert mark_of(A.description) == A.mark
    assert mark_of("Managed by hand") is None
    assert mark_of(None) is None


def test_a_first_run_creates_marked_entries() -> None:
    plan = plan_writes({}, {**OFFICE, "vpn": "192.0.2.1/32"}, A)
    assert plan.writes == (
        Write("create", "office", "203.0.113.0/24"),
        Write("create", "vpn", "192.0.2.1/32"),
    )
    assert plan.adopted == frozenset()


@given(st.permutations(["office", "vpn", "ci", "home"]))
def test_the_writes_do_not_depend_on_the_order_the_entries_arrive_in(order: list[str]) -> None:
    # Each host's wire delivers a map in its own order; both must write the same sequence.
    wanted = {name: f"192.0.2.{i}/32" for i, name in enumerate(sorted(order))}
    live = table(entry("vpn", "198.51.100.7/32", A), entry("old", "198.51.100.9/32", A))
    expected = plan_writes(live, wanted, A).writes
    assert plan_writes(live, {name: wanted[name] for name in order}, A).writes == expected


def test_an_unmarked_identical_entry_is_adopted_not_rewritten() -> None:
    plan = plan_writes(table(entry("office", "203.0.113.0/24")), OFFICE, A)
    assert plan.writes == ()
    assert plan.adopted == {"office"}


def test_an_entry_no_longer_wanted_is_deleted_only_if_ours() -> None:
    live = table(
        entry("old", "198.51.100.1/32", A),
        entry("theirs", "198.51.100.2/32", B),
        entry("by-hand", "198.51.100.3/32"),
        entry("office", "203.0.113.0/24", A),
    )
    plan = plan_writes(live, OFFICE, A)
    assert plan.writes == (Write("delete", "old", "198.51.100.1/32"),)


def test_another_owners_entry_of_the_wanted_name_is_refused_naming_it() -> None:
    with pytest.raises(VerificationError) as err:
        plan_writes(table(entry("office", "203.0.113.0/24", B)), OFFICE, A)
    message = str(err.value)
    assert B.label in message
    assert B.mark in message
    assert "add an alias" in message


def test_a_foreign_staging_entry_is_neither_deleted_nor_reused() -> None:
    live = table(entry("office", "203.0.113.0/24", A), entry("office-next", "198.51.100.0/24"))
    with pytest.raises(VerificationError, match="'office-next'"):
        plan_writes(live, {"office": "198.51.100.0/24"}, A)
    # Without a rotation, the hand-made -next entry is simply left alone.
    assert plan_writes(live, OFFICE, A).writes == ()


def test_a_rotation_never_leaves_the_name_without_an_entry() -> None:
    live = table(entry("office", "203.0.113.0/24", A))
    plan = plan_writes(live, {"office": "198.51.100.0/24"}, A)
    assert plan.writes == (
        Write("create", "office-next", "198.51.100.0/24"),
        Write("delete", "office", "203.0.113.0/24"),
        Write("create", "office", "198.51.100.0/24"),
        Write("delete", "office-next", "198.51.100.0/24"),
    )


SCENARIOS = {
    "create": ({}, {**OFFICE, "vpn": "192.0.2.1/32"}),
    "add and remove": (
        table(entry("office", "203.0.113.0/24", A), entry("old", "198.51.100.9/32", A)),
        {**OFFICE, "vpn": "192.0.2.1/32"},
    ),
    "rotation": (table(entry("office", "203.0.113.0/24", A)), {"office": "198.51.100.0/24"}),
    "rotation beside others": (
        table(
            entry("office", "203.0.113.0/24", A),
            entry("theirs", "192.0.2.7/32", B),
            entry("by-hand", "192.0.2.8/32"),
        ),
        {"office": "198.51.100.0/24"},
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_crash_after_any_write_converges_on_the_next_run(scenario: str) -> None:
    start, wanted = SCENARIOS[scenario]
    writes = plan_writes(start, wanted, A).writes
    foreign = {n: e for n, e in start.items() if mark_of(e.description) != A.mark}
    for cut in range(len(writes) + 1):
        crashed = apply(start, writes[:cut], A)
        # Never empty, and nobody else's entry touched, at the moment of the crash.
        assert crashed or not start
        assert {n: crashed[n] for n in foreign} == foreign
        rerun = plan_writes(crashed, wanted, A)
        final = apply(crashed, rerun.writes, A)
        assert cidrs(final) == {**cidrs(foreign), **wanted}
        assert plan_writes(final, wanted, A).writes == ()


def test_a_replacement_rewrites_the_entries_under_its_generation() -> None:
    old = Owner(A.label, "00000001")
    new = Owner(A.label, "00000002")
    live = table(entry("office", "203.0.113.0/24", old))
    plan = plan_writes(live, OFFICE, new)
    # Re-written through the staging name, so the address is allowed throughout.
    assert [(w.action, w.name) for w in plan.writes] == [
        ("create", "office-next"),
        ("delete", "office"),
        ("create", "office"),
        ("delete", "office-next"),
    ]
    after = apply(live, plan.writes, new)
    assert [written_by(e, old) for e in after.values()] == [False]
    assert [written_by(e, new) for e in after.values()] == [True]


_CIDRS = st.sampled_from(["203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24"])
_GENERATIONS = st.sampled_from(["00000001", "00000002"])


@st.composite
def _allowlists(draw: st.DrawFn) -> dict[str, LiveEntry]:
    """Ours (of either generation, a staging entry among them), another owner's, hand-made."""
    ours = draw(st.dictionaries(st.sampled_from(["office", "vpn", "office-next"]), _CIDRS))
    live = {
        name: entry(name, cidr, Owner(A.label, draw(_GENERATIONS))) for name, cidr in ours.items()
    }
    if draw(st.booleans()):
        live["theirs"] = entry("theirs", draw(_CIDRS), B)
    if draw(st.booleans()):
        live["by-hand"] = entry("by-hand", draw(_CIDRS))
    return live


@given(
    start=_allowlists(),
    wanted=st.dictionaries(st.sampled_from(["office", "vpn", "lab"]), _CIDRS, min_size=1),
    generation=_GENERATIONS,
    cut=st.integers(min_value=0, max_value=12),
)
def test_an_undo_after_any_write_puts_back_what_was_there(
    start: dict[str, LiveEntry], wanted: dict[str, str], generation: str, cut: int
) -> None:
    # A run fails after `cut` writes; its undo plans back to our entries as they were (but for
    # staging leftovers, which nothing wants), by the same rules, keeping generations: never
    # empty on the way, nobody else's entry touched.
    owner = Owner(A.label, generation)
    writes = plan_writes(start, wanted, owner).writes
    assume(cut <= len(writes))
    recorded = {
        n: e.cidr
        for n, e in start.items()
        if mark_of(e.description) == A.mark and not n.endswith("-next")
    }
    foreign = {n: e for n, e in start.items() if mark_of(e.description) != A.mark}
    now = apply(start, writes[:cut], owner)
    undo = plan_writes(now, recorded, owner, keep_generations=True).writes
    for done in range(len(undo) + 1):
        during = apply(now, undo[:done], owner)
        # Empty only where that is where it goes: nothing of anyone's to put back.
        assert during or not (foreign or recorded)
        assert {n: during[n] for n in foreign} == foreign
    after = apply(now, undo, owner)
    assert cidrs(after) == {**cidrs(foreign), **recorded}
    # What the failed run never touched keeps its generation: its resource still finds it.
    untouched = {n for n in recorded if n in now and now[n] == start[n]}
    assert {n: after[n] for n in untouched} == {n: start[n] for n in untouched}
