"""Who owns which IP allowlist entry, and which writes make the allowlist what a stack wants.

Pure rules over what Rockset listed, so that every case is testable without a server. The
invariants kept here (and by :func:`rockset_pulumi.steps.reconcile_allowlist`, which executes the
plan in order):

- **Ownership is in the entry itself.** Every entry this package writes carries its owner's mark
  in its description: a hash of the resource's URN (stack, project, parent chain, name), so the
  same resource finds its own entries again after a crash, a lost answer or a lost state, and no
  other resource does. Beside the mark, a *generation* drawn at each create tells a replacement
  (``pulumi up --replace``, created before the old one is deleted) from the resource it replaces:
  the replacement re-writes the entries under its own generation, and the old one's delete then
  removes only its own generation's, which are none.
- **Never touch what is not ours.** An entry with another owner's mark, or with none, is never
  deleted; ``-next`` staging entries included. An unmarked entry with the wanted name and CIDR is
  *adopted* (recorded, left as found on destroy); any other clash is an error before any write.
- **Never pass through empty.** Creates come before deletes, and a changed CIDR is staged as
  ``<name>-next`` first, because an empty allowlist means "allowlisting off" (public access for
  everyone) and Rockset has no update call.
- **Every run converges.** The plan starts from the live list, not from Pulumi's state, so a run
  after any failure removes our leftovers and creates what is missing; and a run that fails
  undoes its own writes with a plan back to what the stack records (the same rules), so that
  what Pulumi keeps after a failure stays true.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .errors import VerificationError

__all__ = [
    "ROTATION_SUFFIX",
    "AllowlistPlan",
    "LiveEntry",
    "Owner",
    "Write",
    "generation_of",
    "mark_of",
    "plan_writes",
    "written_by",
]

ROTATION_SUFFIX = "-next"
"""Suffix of the staging entry that keeps an admin address allowed while its CIDR changes."""

_MARK = re.compile(r"\[rockset-pulumi owner ([0-9a-f]{16})(?: ([0-9a-f]{8}))?\]\s*$")
_LABEL = re.compile(r"^Managed by rockset-pulumi for (.+?) \[rockset-pulumi owner ")
_LABEL_LIMIT = 160


@dataclass(frozen=True)
class Owner:
    """The resource that writes entries: ``label`` names it (its URN), ``generation`` is this
    incarnation's (eight hex digits, drawn at create)."""

    label: str
    generation: str = "00000000"

    @property
    def mark(self) -> str:
        """Sixteen hex digits derived from the label: stable for one resource, distinct across."""
        return hashlib.sha256(self.label.encode()).hexdigest()[:16]

    @property
    def description(self) -> str:
        """What this owner writes into each entry's description."""
        shown = self.label[-_LABEL_LIMIT:]
        return (
            f"Managed by rockset-pulumi for {shown} "
            f"[rockset-pulumi owner {self.mark} {self.generation}]"
        )


def mark_of(description: str | None) -> str | None:
    """The owner mark in an entry's description; None for an entry nobody marked."""
    found = _MARK.search(description or "")
    return found.group(1) if found else None


def generation_of(description: str | None) -> str | None:
    """The generation in an entry's description; None where there is none."""
    found = _MARK.search(description or "")
    return found.group(2) if found else None


def written_by(entry: LiveEntry, owner: Owner) -> bool:
    """Whether this incarnation of ``owner`` wrote ``entry`` (what its delete may remove)."""
    return mark_of(entry.description) == owner.mark and (
        generation_of(entry.description) == owner.generation
    )


def _label_of(description: str | None) -> str:
    found = _LABEL.search(description or "")
    return found.group(1) if found else "another rockset-pulumi resource"


@dataclass(frozen=True)
class LiveEntry:
    """An entry as Rockset listed it."""

    name: str
    cidr: str
    description: str | None = None


@dataclass(frozen=True)
class Write:
    """One call to make, in order."""

    action: Literal["create", "delete"]
    name: str
    cidr: str


@dataclass(frozen=True)
class AllowlistPlan:
    """The writes that take the live list to the wanted one, and what the result holds."""

    writes: tuple[Write, ...]
    adopted: frozenset[str]
    """Wanted entries that already existed unmarked with the wanted CIDR: kept, never deleted."""


def _same(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return a == b


def _clash(name: str, entry: LiveEntry, wanted: str, owner: Owner) -> VerificationError:
    mark = mark_of(entry.description)
    if mark is None:
        return VerificationError(
            f"Cannot manage allowlist entry {name!r}: Rockset already has an entry of that name "
            f"for {entry.cidr} that no rockset-pulumi resource created, and admin_cidrs asks for "
            f"{wanted}. It is left alone: rename the entry in admin_cidrs, or delete the "
            "existing one in Rockset if it is stale."
        )
    return VerificationError(
        f"Cannot manage allowlist entry {name!r}: it belongs to {_label_of(entry.description)} "
        f"(owner mark {mark}), not to {owner.label} (owner mark {owner.mark}). Two resources "
        "cannot share an entry name: use another name in admin_cidrs. If you renamed this "
        "component or moved it to another stack, add an alias to the old name "
        "(opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name='<old name>')])) so that it "
        "keeps its entries instead of creating new ones."
    )


def _rotation(name: str, cidr: str, live: Mapping[str, LiveEntry], owner: Owner) -> list[Write]:
    """Replace our entry ``name``'s CIDR without a moment in which the address is not allowed."""
    staging = name + ROTATION_SUFFIX
    staged = live.get(staging)
    if staged is not None and mark_of(staged.description) != owner.mark:
        raise _clash(staging, staged, cidr, owner)
    writes = []
    if staged is None or not _same(staged.cidr, cidr) or not written_by(staged, owner):
        if staged is not None:
            writes.append(Write("delete", staging, staged.cidr))
        writes.append(Write("create", staging, cidr))
    writes += [
        Write("delete", name, live[name].cidr),
        Write("create", name, cidr),
        Write("delete", staging, cidr),
    ]
    return writes


def plan_writes(
    live: Mapping[str, LiveEntry],
    wanted: Mapping[str, str],
    owner: Owner,
    *,
    keep_generations: bool = False,
) -> AllowlistPlan:
    """The writes that make ``live`` hold ``wanted`` (name -> CIDR) for ``owner``.

    ``keep_generations`` (for an undo, which puts back what was there) leaves an entry of ours
    with the wanted CIDR as it is whatever its generation; by default it is re-written under
    ``owner``'s. Raises :class:`VerificationError` before any write when a wanted name is taken
    by an entry that is not ours (another owner's, or unmarked with another CIDR).
    """
    writes: list[Write] = []
    adopted: set[str] = set()
    # By name, as the deletes: the wanted map's order is the wire's, which differs by host.
    for name, cidr in sorted(wanted.items()):
        entry = live.get(name)
        if entry is None:
            writes.append(Write("create", name, cidr))
            continue
        mark = mark_of(entry.description)
        if mark is None and _same(entry.cidr, cidr):
            adopted.add(name)
        elif mark != owner.mark:
            raise _clash(name, entry, cidr, owner)
        elif not _same(entry.cidr, cidr) or not (keep_generations or written_by(entry, owner)):
            # Another generation's entry is re-written under ours, so that the resource this one
            # replaces, deleted next, finds nothing of its own generation to remove.
            writes += _rotation(name, cidr, live, owner)
    deleted = {w.name for w in writes if w.action == "delete"}
    writes += [
        Write("delete", name, entry.cidr)
        for name, entry in sorted(live.items())
        if mark_of(entry.description) == owner.mark and name not in wanted and name not in deleted
    ]
    return AllowlistPlan(writes=tuple(writes), adopted=frozenset(adopted))
