"""The lifecycle of the three check resources (steps 3 to 5), once, for both hosts.

A Python program hosts them as dynamic resources (:mod:`rockset_pulumi.providers`); every other
language reaches them as custom resources of the ``rockset`` plugin
(:mod:`rockset_pulumi.plugin`). Both adapt their protocol to these classes, which take and
return plain dicts under the (snake_case) property names their resources declare
(:mod:`rockset_pulumi.check_resources`), hold nothing
between calls, and call Rockset only from ``create``, ``update``, ``read`` and ``delete``:
``check`` and ``diff`` are pure, so ``pulumi preview`` never talks to Rockset. The work itself
lives in :mod:`rockset_pulumi.steps`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from pulumi.runtime.rpc import UNKNOWN

from .allowlist import Owner
from .api import RocksetApi
from .check_resources import ALLOWLIST, CONNECTIVITY, LOCKDOWN, CheckKind
from .diagnosis import DnsExpectation
from .steps import (
    Removal,
    check_connectivity,
    observe_lockdown,
    read_allowlist,
    reconcile_allowlist,
    remove_allowlist,
    verify_lockdown,
)

__all__ = [
    "LIFECYCLES",
    "LOCKDOWN_WAIT",
    "AllowlistLifecycle",
    "Change",
    "Checked",
    "ConnectivityLifecycle",
    "Created",
    "Diff",
    "Lifecycle",
    "LockdownLifecycle",
]

LOCKDOWN_WAIT = 120.0
"""Most seconds step 5 waits for an allowlist change to take effect."""

Props = dict[str, Any]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Change(Enum):
    """How one property (or one entry of a map property) differs."""

    ADD = "add"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class Checked:
    """``check``'s answer: the inputs to keep, and what is wrong with them."""

    inputs: Props
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(property, reason) pairs."""


@dataclass(frozen=True)
class Created:
    """``create``'s answer: the id and the outputs."""

    id: str
    outputs: Props


@dataclass(frozen=True)
class Diff:
    """``diff``'s answer: property path -> change. A path names the entry of a map property
    that changed (``entries.office``); ``from_state`` paths compare the recorded outputs, not
    the inputs (drift that refresh found)."""

    changes: dict[str, Change] = field(default_factory=dict)
    from_state: frozenset[str] = frozenset()


def _path(prop: str, key: str) -> str:
    return f"{prop}.{key}" if _IDENTIFIER.fullmatch(key) else f'{prop}["{key}"]'


def _map_changes(prop: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Change]:
    changes: dict[str, Change] = {}
    for key in sorted(set(old) | set(new)):
        if key not in old:
            changes[_path(prop, key)] = Change.ADD
        elif key not in new:
            changes[_path(prop, key)] = Change.DELETE
        elif old[key] != new[key]:
            changes[_path(prop, key)] = Change.UPDATE
    return changes


def _changes(prop: str, old: Any, new: Any) -> dict[str, Change]:
    """Where ``old`` and ``new`` differ; a map is compared entry by entry so that the diff
    names the entry."""
    if old == new:
        return {}
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return _map_changes(prop, old, new) or {prop: Change.UPDATE}
    if old is None:
        return {prop: Change.ADD}
    if new is None:
        return {prop: Change.DELETE}
    return {prop: Change.UPDATE}


class Lifecycle:
    """Input checking and diffing shared by the three resources; no network, no state."""

    kind: ClassVar[CheckKind]
    """The resource's name and property names."""
    recorded: ClassVar[tuple[str, ...]] = ()
    """Inputs whose change is no change to the resource: read at create and kept for its life
    (an owner label), or derived from such a one; stacks created before one existed see no
    change either."""
    required: ClassVar[tuple[str, ...]] = ("public_url", "privatelink_url", "api_key")

    @property
    def inputs(self) -> tuple[str, ...]:
        """Input names: the API's, then the resource's own."""
        return (*RocksetApi.PROPS, *self.kind.inputs)

    @property
    def outputs(self) -> tuple[str, ...]:
        """Names of the outputs the resource adds to its inputs."""
        return self.kind.outputs

    def check(self, news: Props) -> Checked:
        failures = [
            (name, f"{name} is required") for name in self.required if news.get(name) in (None, "")
        ]
        for name in ("public_url", "privatelink_url"):
            value = news.get(name)
            # Unknown until the region is (an explicit provider's, in preview): not wrong yet.
            known = isinstance(value, str) and value not in ("", UNKNOWN)
            if known and not str(value).startswith("https://"):
                failures.append((name, f"{name} must be an https:// URL"))
        return Checked({k: news[k] for k in self.inputs if k in news}, failures)

    def diff(self, olds: Props, news: Props) -> Diff:
        """A change to any input but the recorded ones is an update (the work runs again)."""
        changes: dict[str, Change] = {}
        for name in self.inputs:
            if name in self.recorded:
                continue
            changes.update(_changes(name, olds.get(name), news.get(name)))
        drift = self.drift(olds)
        return Diff({**drift, **changes}, frozenset(drift) - set(changes))

    def drift(self, olds: Props) -> dict[str, Change]:
        """Outputs that refresh found out of line with the inputs, as the changes ``up`` makes."""
        return {}

    def create(self, props: Props) -> Created:
        raise NotImplementedError

    def update(self, olds: Props, news: Props) -> Props:
        raise NotImplementedError

    def read(self, props: Props) -> Props:
        """What the resource is now; a record of a check keeps what it recorded."""
        return props

    def delete(self, props: Props) -> str | None:
        """Undo the resource; returns what the user should be told, if anything."""
        return None


class ConnectivityLifecycle(Lifecycle):
    """Step 3: both endpoints answer and accept the key.

    ``dns_expectation`` (what the PrivateLink host resolves to inside the VPC, see
    :class:`~rockset_pulumi.diagnosis.DnsExpectation`) turns on the diagnosis of a machine that
    cannot resolve it; absent, step 3 waits the whole timeout.
    """

    kind = CONNECTIVITY
    recorded = ("owner",)

    def _run(self, props: Props, *, lockdown_being_lifted: bool = False) -> Props:
        results = check_connectivity(
            RocksetApi.from_props(props),
            float(props["timeout"]),
            public_may_refuse_key=lockdown_being_lifted or bool(props.get("public_may_refuse_key")),
            dns=DnsExpectation.from_props(props.get("dns_expectation")),
        )
        return {**props, **results}

    def create(self, props: Props) -> Created:
        return Created(f"connectivity-{props['privatelink_url']}", self._run(props))

    def update(self, olds: Props, news: Props) -> Props:
        # The label recorded at create, as the allowlist keeps it; news' where none was (an
        # older stack's check, or one created without lockdown). An `up` that turns lockdown
        # off deletes the allowlist after this step, so the public side may still refuse now.
        return self._run(
            {**news, "owner": olds.get("owner") or news.get("owner")},
            lockdown_being_lifted=bool(olds.get("public_may_refuse_key")),
        )

    def delete(self, props: Props) -> str | None:
        """With lockdown, remove whatever entry still carries the component's mark: deleted
        after the allowlist (it depends on this check), this finds what no state records, such
        as what a first create left when its undo failed too."""
        if not props.get("owner"):
            return None
        owner = Owner(props["owner"])
        removal = remove_allowlist(RocksetApi.from_props(props), owner, every_generation=True)
        return removal.summary if removal.deleted else None


class AllowlistLifecycle(Lifecycle):
    """Step 4: the allowlist entries for ``entries`` (name -> CIDR), behind the lock-out guard.

    ``owner`` labels the stack and resource; the mark derived from it is written into every
    entry and is what later runs and destroy go by (see :mod:`rockset_pulumi.allowlist`). The
    label recorded at create is kept for the resource's life, so that a rename with an alias
    keeps its entries.
    """

    kind = ALLOWLIST
    recorded = ("owner",)
    required = (*Lifecycle.required, "entries", "owner")

    def check(self, news: Props) -> Checked:
        result = super().check(news)
        entries = news.get("entries")
        if isinstance(entries, Mapping) and not entries:
            result.failures.append(
                ("entries", "at least one entry is required: an empty list is off")
            )
        return result

    def drift(self, olds: Props) -> dict[str, Change]:
        live, wanted = olds.get("live_entries"), olds.get("entries")
        if not isinstance(live, Mapping) or not isinstance(wanted, Mapping) or live == wanted:
            return {}
        # What `up` will do about it: write the wanted entries back.
        return _map_changes("entries", live, wanted)

    def _apply(self, props: Props, owner: Owner, recorded: Mapping[str, str] | None) -> Props:
        state = reconcile_allowlist(
            RocksetApi.from_props(props), dict(props["entries"]), owner, recorded=recorded
        )
        return {
            **props,
            "owner": owner.label,
            "generation": owner.generation,
            "owner_mark": owner.mark,
            "live_entries": state.entries,
            "adopted": sorted(state.adopted),
        }

    def create(self, props: Props) -> Created:
        # A fresh generation per create: a replacement must not share its predecessor's.
        owner = Owner(props["owner"], secrets.token_hex(4))
        outs = self._apply(props, owner, None)
        return Created(f"allowlist-{owner.mark}-{owner.generation}", outs)

    def update(self, olds: Props, news: Props) -> Props:
        # A failed update undoes its writes back to the entries Pulumi keeps as the state.
        return self._apply(news, _recorded_owner(olds), dict(olds.get("entries") or {}))

    def read(self, props: Props) -> Props:
        adopted = frozenset(props.get("adopted") or ())
        live = read_allowlist(RocksetApi.from_props(props), _recorded_owner(props), adopted)
        return {**props, "live_entries": live}

    def delete(self, props: Props) -> str | None:
        removal: Removal = remove_allowlist(RocksetApi.from_props(props), _recorded_owner(props))
        return removal.summary


def _recorded_owner(state: Mapping[str, Any]) -> Owner:
    """The owner as recorded at create: a later rename (with an alias) keeps the entries."""
    return Owner(state["owner"], state["generation"])


class LockdownLifecycle(Lifecycle):
    """Step 5: the public endpoint refuses the key while PrivateLink accepts it.

    Earlier releases also recorded ``admin_cidrs``, the same entries as ``allowlist``; it is no
    input now, so their stacks see no change (``tests/test_engine_upgrade.py``).
    """

    kind = LOCKDOWN
    recorded = ("owner_mark",)

    def drift(self, olds: Props) -> dict[str, Change]:
        status = olds.get("status")
        holds = isinstance(status, Mapping) and status.get("holds")
        return {"status": Change.UPDATE} if isinstance(status, Mapping) and not holds else {}

    def _run(self, props: Props) -> Props:
        status = verify_lockdown(
            RocksetApi.from_props(props),
            # Step 4's entries are the admin entries: a failure's hint names them.
            dict(props.get("allowlist") or {}),
            min(float(props["timeout"]), LOCKDOWN_WAIT),
            owner_mark=props.get("owner_mark"),
        )
        return {**props, "status": status.as_output()}

    def create(self, props: Props) -> Created:
        return Created(f"lockdown-{props['public_url']}", self._run(props))

    def update(self, olds: Props, news: Props) -> Props:
        return self._run(news)

    def read(self, props: Props) -> Props:
        return {**props, "status": observe_lockdown(RocksetApi.from_props(props)).as_output()}


LIFECYCLES: dict[str, Lifecycle] = {
    lifecycle.kind.name: lifecycle
    for lifecycle in (ConnectivityLifecycle(), AllowlistLifecycle(), LockdownLifecycle())
}
"""Each resource's lifecycle, by the resource's name (the last part of its type token)."""
