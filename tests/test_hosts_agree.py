"""The two hosts of the check resources agree (issue 20.4).

One scenario, driven as the engine drives it, through the dynamic providers (a Python program's
checks, in Pulumi's dynamic-provider host) and through the plugin's custom resources (any other
language's): create with lockdown, an admin CIDR change (a rotation through ``office-next``), the
entries deleted behind the stack's back (allowlisting off again) and refreshed, the ``up`` that
repairs them, and destroy. At every step the two must make the same writes to Rockset (method,
path, body), return the same outputs and ids, show the same diff, all under the schema's names,
and tell the user the same (what a host writes to stderr, which the engine shows).

Normalised before comparing, and only these:

- what changes from run to run, not from host to host: the generation drawn at each create (in
  the allowlist's outputs, its id and the entries' descriptions), timestamps, and latencies;
- what only one host's machinery has: the dynamic host's ``__provider``; the URNs (never in
  outputs). The API key is redacted, so a key in the wrong place would still differ.

What only one host can show: the dynamic-provider protocol has no detailed diff, so for a
dynamic resource the engine shows its own diff of the old and new inputs; a change that refresh
found in the outputs (drift) is an update there with no property named, while the plugin names
the entry or the status. :attr:`DiffShown.state` holds those, compared only as the plugin's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rockset_pulumi.check_resources import ALLOWLIST, CHECK_KINDS, CONNECTIVITY, LOCKDOWN, CheckKind
from tests.support.emulator import RunningEmulator, api_props, start_emulator
from tests.support.two_hosts import DiffShown, DynamicChecks, Host, PluginChecks

OWNER = "org/rockset-privatelink/dev/rockset-allowlist"
ADMINS = {"office": "203.0.113.0/24", "vpn": "192.0.2.7/32"}
MOVED = {**ADMINS, "office": "198.51.100.0/24"}
ABSENT = "<absent>"
STEPS = ("create", "admin CIDR change", "drift refreshed", "repair", "destroy")

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_RUN_SPECIFIC_NUMBERS = frozenset({"latencyMs"})


@dataclass
class _Resource:
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Seen:
    """What one step showed of one resource, under the schema's names."""

    checked: dict[str, Any] | None = None
    diff: DiffShown | None = None
    id: str | None = None
    outputs: dict[str, Any] | None = None


@dataclass
class Stack:
    """One host's stack, driven step by step, and what each step showed."""

    host: Host
    emulator: RunningEmulator
    stderr: Path
    """Where the host's stderr goes: what the engine shows the user."""
    resources: dict[str, _Resource] = field(default_factory=dict)
    seen: dict[str, dict[str, Seen]] = field(default_factory=dict)
    writes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    told: dict[str, str] = field(default_factory=dict)
    generations: list[str] = field(default_factory=list)
    current: str = ""
    """The step under way (see :meth:`step`)."""

    def output(self, kind: CheckKind, name: str) -> Any:
        return self.host.shown(kind, self.resources[kind.name].outputs)[name]

    def _apply(self, kind: CheckKind, values: dict[str, Any]) -> None:
        """Register one resource as the engine does: check, then create or diff and update."""
        host, seen = self.host, self.seen[self.current].setdefault(kind.name, Seen())
        news = host.register(kind, kind.properties(api_props(self.emulator.api), values))
        old = self.resources.get(kind.name)
        checked = host.check(kind, old.inputs if old else {}, news)
        seen.checked = host.shown(kind, checked)
        if old is None:
            id_, outputs = host.create(kind, checked)
            self.resources[kind.name] = old = _Resource(id_, checked, outputs)
        else:
            seen.diff = host.diff(kind, old.id, old.inputs, old.outputs, checked)
            if seen.diff.changes:
                old.outputs = host.update(kind, old.id, old.outputs, checked)
            old.inputs = checked
        seen.id, seen.outputs = old.id, host.shown(kind, old.outputs)
        if kind is ALLOWLIST and seen.outputs["generation"] not in self.generations:
            self.generations.append(seen.outputs["generation"])

    def up(self, admins: dict[str, str]) -> None:
        """The component's three checks with lockdown, each fed as the component feeds it."""
        self._apply(
            CONNECTIVITY,
            {
                "timeout": 10.0,
                "public_may_refuse_key": True,
                "dns_expectation": None,
                "endpoint_id": "vpce-0123456789abcdef0",
                "triggers": [],
                "owner": OWNER,
            },
        )
        verified_at = self.output(CONNECTIVITY, "checkedAt")
        self._apply(ALLOWLIST, {"entries": admins, "verified_at": verified_at, "owner": OWNER})
        self._apply(
            LOCKDOWN,
            {
                "timeout": 10.0,
                "allowlist": self.output(ALLOWLIST, "liveEntries"),
                "triggers": [],
                "owner_mark": self.output(ALLOWLIST, "ownerMark"),
            },
        )

    def refresh(self) -> None:
        for kind in CHECK_KINDS:
            resource = self.resources[kind.name]
            resource.outputs = self.host.read(kind, resource.id, resource.inputs, resource.outputs)
            self.seen[self.current][kind.name] = Seen(
                id=resource.id, outputs=self.host.shown(kind, resource.outputs)
            )

    def destroy(self) -> None:
        for kind in reversed(CHECK_KINDS):
            resource = self.resources.pop(kind.name)
            self.host.delete(kind, resource.id, resource.outputs)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """A step of the scenario: what it shows, and the allowlist writes made during it as
        Rockset received them."""
        self.current, self.seen[name] = name, {}
        before, said = len(self.emulator.requests()), len(self.stderr.read_text())
        yield
        self.told[name] = self.stderr.read_text()[said:]
        made = self.emulator.requests()[before:]
        self.writes[name] = [
            {
                "listener": r["listener"],
                "method": r["method"],
                "path": r["path"],
                "status": r["status"],
                "body": json.loads(r["body"]) if "body" in r else None,
            }
            for r in made
            if "write" in r
        ]

    def normalised(self, value: Any, key: str = "") -> Any:
        """``value`` with what differs from run to run, not host to host, replaced."""
        if isinstance(value, dict):
            return {k: self.normalised(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.normalised(v, key) for v in value]
        if key in _RUN_SPECIFIC_NUMBERS and isinstance(value, int | float):
            return "<run-specific number>"
        if not isinstance(value, str):
            return value
        value = value.replace(self.emulator.api_key, "<api key>")
        for number, generation in enumerate(self.generations, 1):
            value = value.replace(generation, f"<generation {number}>")
        return _TIME.sub("<time>", value)


def run_scenario(stack: Stack) -> None:
    with stack.step("create"):
        stack.up(ADMINS)
    with stack.step("admin CIDR change"):
        stack.up(MOVED)
    with stack.emulator.client("privatelink") as client:
        # Behind the stack's back: allowlisting is off again, which step 5 sees too.
        for name in MOVED:
            client.delete_ip_allowlist(name)
    with stack.step("drift refreshed"):
        stack.refresh()
    with stack.step("repair"):
        stack.up(MOVED)
    with stack.step("destroy"):
        stack.destroy()


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def differences(dynamic: Stack, plugin: Stack) -> list[str]:
    """Every field in which the two stacks' steps differ, named by step, resource and field."""
    found: list[str] = []
    for step in STEPS:
        found += _write_differences(step, dynamic, plugin)
        said, told = dynamic.normalised(dynamic.told[step]), plugin.normalised(plugin.told[step])
        if said != told:
            found.append(f"{step}: the user is told by dynamic {said!r} != by plugin {told!r}")
        for resource in sorted(set(dynamic.seen[step]) | set(plugin.seen[step])):
            left = dynamic.seen[step].get(resource, Seen())
            right = plugin.seen[step].get(resource, Seen())
            for aspect in ("checked", "id", "outputs", "diff"):
                a = _flat(dynamic.normalised(_aspect(left, aspect)))
                b = _flat(plugin.normalised(_aspect(right, aspect)))
                found += [
                    f"{step}: {resource} {aspect} {name}: dynamic "
                    f"{a.get(name, ABSENT)!r} != plugin {b.get(name, ABSENT)!r}"
                    for name in sorted(set(a) | set(b))
                    if a.get(name, ABSENT) != b.get(name, ABSENT)
                ]
    return found


def _write_differences(step: str, dynamic: Stack, plugin: Stack) -> list[str]:
    ours = [dynamic.normalised(write) for write in dynamic.writes[step]]
    theirs = [plugin.normalised(write) for write in plugin.writes[step]]
    found = [
        f"{step}: Rockset write {number}: dynamic {one} != plugin {other}"
        for number, (one, other) in enumerate(zip(ours, theirs, strict=False), 1)
        if one != other
    ]
    if len(ours) != len(theirs):
        found.append(f"{step}: {len(ours)} Rockset writes by dynamic, {len(theirs)} by plugin")
    return found


def _aspect(seen: Seen, aspect: str) -> Any:
    value = getattr(seen, aspect)
    if isinstance(value, DiffShown):
        # Drift named from the outputs: only a provider with a detailed diff can show it.
        return {"changes": value.changes, "inputs": value.inputs}
    return value


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Stack]]:
    """The scenario run through each host in turn, against one private emulator (empty again
    after each run's destroy), so that URLs, the CA and the key are the same for both."""
    workdir = tmp_path_factory.mktemp("hosts-agree")
    emulator = start_emulator(
        workdir, read_limit_per_minute=1_000_000, update_limit_per_minute=1_000_000
    )
    try:
        ran: list[Stack] = []
        for host in (DynamicChecks, PluginChecks):
            stderr = workdir / f"{host.name}-stderr.txt"
            with stderr.open("w", encoding="utf-8") as file, host.started(file) as started:
                ran.append(Stack(started, emulator, stderr))
                run_scenario(ran[-1])
            assert emulator.allowlist() == {}
        yield ran[0], ran[1]
    finally:
        emulator.stop()


def test_both_hosts_write_return_and_show_the_same_at_every_step(
    stacks: tuple[Stack, Stack],
) -> None:
    dynamic, plugin = stacks
    problems = differences(dynamic, plugin)
    assert not problems, "the hosts disagree:\n" + "\n".join(problems)


def test_the_scenario_does_what_each_step_claims(stacks: tuple[Stack, Stack]) -> None:
    for stack in stacks:
        assert _holds(stack, "create") is True
        rotation = [(w["method"], _entry(w)) for w in stack.writes["admin CIDR change"]]
        assert rotation == [
            ("POST", "office-next"),
            ("DELETE", "office"),
            ("POST", "office"),
            ("DELETE", "office-next"),
        ]
        moved = stack.seen["admin CIDR change"]["IpAllowlist"].diff
        assert moved == DiffShown(True, {"entries.office": "update"}, {})
        assert stack.writes["drift refreshed"] == []
        drifted = stack.seen["drift refreshed"]["IpAllowlist"].outputs
        assert drifted is not None and drifted["liveEntries"] == {}
        assert _holds(stack, "drift refreshed") is False
        for check in ("IpAllowlist", "LockdownCheck"):
            repair = stack.seen["repair"][check].diff
            assert repair is not None and repair.changes, check
        assert sorted(_entry(w) for w in stack.writes["repair"]) == sorted(MOVED)
        assert _holds(stack, "repair") is True
        assert sorted(_entry(w) for w in stack.writes["destroy"]) == sorted(MOVED)
        assert "Removed allowlist entries ['office', 'vpn']" in stack.told["destroy"]


def test_only_the_plugin_names_what_refresh_found(stacks: tuple[Stack, Stack]) -> None:
    """The dynamic-provider protocol has no detailed diff: drift is an unnamed update there."""
    dynamic, plugin = (stack.seen["repair"] for stack in stacks)
    assert plugin["IpAllowlist"].diff == DiffShown(True, {}, dict.fromkeys(MOVED_PATHS, "add"))
    assert plugin["LockdownCheck"].diff == DiffShown(True, {}, {"status": "update"})
    for check in ("IpAllowlist", "LockdownCheck"):
        assert dynamic[check].diff == DiffShown(True, {}, {}), check


MOVED_PATHS = tuple(f"entries.{name}" for name in sorted(MOVED))


def _entry(write: dict[str, Any]) -> str:
    """The entry a write names: in its body (a create) or its path (a delete)."""
    body = write["body"]
    return str(body["name"]) if body else str(write["path"]).rsplit("/", 1)[-1]


def _holds(stack: Stack, step: str) -> bool:
    outputs = stack.seen[step]["LockdownCheck"].outputs
    assert outputs is not None
    return bool(outputs["status"]["holds"])
