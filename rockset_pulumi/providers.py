"""Pulumi dynamic resources for steps 3 to 5 of Rockset's PrivateLink guide.

Each provider is a stateless class in this importable module, so Pulumi pickles it by reference
(a few dozen bytes) and the provider host imports it from the installed package. Everything a
provider needs arrives in its inputs; ``check`` and ``diff`` make no network call, so
``pulumi preview`` never talks to Rockset. The work itself lives in :mod:`rockset_pulumi.steps`.

Resources (type tokens ``pulumi-python:dynamic/rockset:<Name>``):

- :class:`ConnectivityCheck`: step 3, re-run when an input or ``triggers`` changes.
- :class:`IpAllowlist`: step 4, the organization's allowlist entries for ``admin_cidrs``.
- :class:`LockdownCheck`: step 5; refresh re-observes it, so a lockdown that stopped holding
  shows as drift.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from .allowlist import Owner
from .api import RocksetApi
from .diagnosis import DnsExpectation
from .steps import (
    check_connectivity,
    observe_lockdown,
    read_allowlist,
    reconcile_allowlist,
    remove_allowlist,
    verify_lockdown,
)

__all__ = [
    "ConnectivityCheck",
    "ConnectivityCheckProvider",
    "IpAllowlist",
    "IpAllowlistProvider",
    "LockdownCheck",
    "LockdownCheckProvider",
]

LOCKDOWN_WAIT = 120.0
"""Most seconds step 5 waits for an allowlist change to take effect."""


class _Provider(ResourceProvider):
    """Input checking and diffing shared by the three providers; no network, no state."""

    inputs: ClassVar[tuple[str, ...]]
    """Input names; a change to any of them is an update (the work runs again)."""
    required: ClassVar[tuple[str, ...]] = ("public_url", "privatelink_url", "api_key")

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [
            CheckFailure(name, f"{name} is required")
            for name in self.required
            if news.get(name) in (None, "")
        ]
        for name in ("public_url", "privatelink_url"):
            value = news.get(name)
            if isinstance(value, str) and value and not value.startswith("https://"):
                failures.append(CheckFailure(name, f"{name} must be an https:// URL"))
        return CheckResult({k: news[k] for k in self.inputs if k in news}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in self.inputs if olds.get(k) != news.get(k)]
        changed += self.drift(olds)
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def drift(self, olds: dict[str, Any]) -> list[str]:
        """Outputs that refresh found out of line with the inputs."""
        return []


class ConnectivityCheckProvider(_Provider):
    """Step 3: both endpoints answer and accept the key.

    ``dns_expectation`` (what the PrivateLink host resolves to inside the VPC, see
    :class:`~rockset_pulumi.diagnosis.DnsExpectation`) turns on the diagnosis of a machine that
    cannot resolve it; absent, step 3 waits the whole timeout as it always did.
    """

    inputs = (
        *RocksetApi.PROPS,
        "timeout",
        "public_may_refuse_key",
        "dns_expectation",
        "endpoint_id",
        "triggers",
    )

    def _run(self, props: dict[str, Any]) -> dict[str, Any]:
        results = check_connectivity(
            RocksetApi.from_props(props),
            float(props["timeout"]),
            public_may_refuse_key=bool(props.get("public_may_refuse_key")),
            dns=DnsExpectation.from_props(props.get("dns_expectation")),
        )
        return {**props, **results}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"connectivity-{props['privatelink_url']}", self._run(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._run(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # A check is a record of what was verified when; refresh keeps it as it is.
        return ReadResult(id_, props)


class IpAllowlistProvider(_Provider):
    """Step 4: the allowlist entries for ``entries`` (name -> CIDR), behind the lock-out guard.

    ``owner`` labels the stack and resource; the mark derived from it is written into every
    entry and is what later runs and destroy go by (see :mod:`rockset_pulumi.allowlist`). The
    label recorded at create is kept for the resource's life, so that a rename with an alias
    keeps its entries.
    """

    inputs = (*RocksetApi.PROPS, "entries", "verified_at")
    required = (*_Provider.required, "entries", "owner")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        result.inputs["owner"] = news.get("owner")
        entries = news.get("entries")
        if isinstance(entries, Mapping) and not entries:
            result.failures.append(
                CheckFailure("entries", "at least one entry is required: an empty list is off")
            )
        return result

    def drift(self, olds: dict[str, Any]) -> list[str]:
        live = olds.get("live_entries")
        return ["live_entries"] if live is not None and live != olds.get("entries") else []

    def _apply(self, props: dict[str, Any], owner: Owner, *, first: bool) -> dict[str, Any]:
        state = reconcile_allowlist(
            RocksetApi.from_props(props),
            dict(props["entries"]),
            owner,
            undo_on_failure=first,
        )
        return {
            **props,
            "owner": owner.label,
            "generation": owner.generation,
            "owner_mark": owner.mark,
            "live_entries": state.entries,
            "adopted": sorted(state.adopted),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        # A fresh generation per create: a replacement must not share its predecessor's.
        owner = Owner(props["owner"], secrets.token_hex(4))
        outs = self._apply(props, owner, first=True)
        return CreateResult(f"allowlist-{owner.mark}-{owner.generation}", outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._apply(news, _recorded_owner(olds), first=False))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        adopted = frozenset(props.get("adopted") or ())
        live = read_allowlist(RocksetApi.from_props(props), _recorded_owner(props), adopted)
        return ReadResult(id_, {**props, "live_entries": live})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        removal = remove_allowlist(RocksetApi.from_props(props), _recorded_owner(props))
        # Pulumi shows a provider's stderr to the user; destroy has no other way to say this.
        print(removal.summary, file=sys.stderr)


def _recorded_owner(state: Mapping[str, Any]) -> Owner:
    """The owner as recorded at create: a later rename (with an alias) keeps the entries."""
    return Owner(state["owner"], state["generation"])


class LockdownCheckProvider(_Provider):
    """Step 5: the public endpoint refuses the key while PrivateLink accepts it."""

    inputs = (*RocksetApi.PROPS, "admin_cidrs", "timeout", "allowlist", "triggers")

    def drift(self, olds: dict[str, Any]) -> list[str]:
        status = olds.get("status")
        return ["status"] if isinstance(status, Mapping) and not status.get("holds") else []

    def _run(self, props: dict[str, Any]) -> dict[str, Any]:
        status = verify_lockdown(
            RocksetApi.from_props(props),
            dict(props["admin_cidrs"]),
            min(float(props["timeout"]), LOCKDOWN_WAIT),
        )
        return {**props, "status": status.as_output()}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"lockdown-{props['public_url']}", self._run(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._run(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(
            id_, {**props, "status": observe_lockdown(RocksetApi.from_props(props)).as_output()}
        )


def _secret_opts(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key"])
    )


class ConnectivityCheck(pulumi.dynamic.Resource, module="rockset", name="ConnectivityCheck"):
    """Step 3 of the guide, run during ``pulumi up``."""

    public: pulumi.Output[dict[str, Any]]
    """What the public endpoint answered: reachable, authenticated, user, latency."""
    privatelink: pulumi.Output[dict[str, Any]]
    """What the PrivateLink endpoint answered."""
    checked_at: pulumi.Output[str]
    """When the check passed (UTC, ISO-8601)."""

    def __init__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        timeout: float,
        public_may_refuse_key: bool,
        endpoint_id: pulumi.Input[str],
        triggers: Sequence[str],
        dns_expectation: pulumi.Input[Mapping[str, Any] | None] = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            **api,
            "timeout": timeout,
            "public_may_refuse_key": public_may_refuse_key,
            "dns_expectation": dns_expectation,
            "endpoint_id": endpoint_id,
            "triggers": list(triggers),
            "public": None,
            "privatelink": None,
            "checked_at": None,
        }
        super().__init__(ConnectivityCheckProvider(), name, props, _secret_opts(opts))


class IpAllowlist(pulumi.dynamic.Resource, module="rockset", name="IpAllowlist"):
    """Step 4 of the guide: Rockset's IP allowlist holds the admin entries."""

    live_entries: pulumi.Output[dict[str, str]]
    """The wanted entries as Rockset has them (after refresh: what is really there)."""
    adopted: pulumi.Output[list[str]]
    """Entries that existed, unmarked, before this resource: kept as found on destroy."""
    owner_mark: pulumi.Output[str]
    """The mark in the description of every entry this resource wrote."""
    generation: pulumi.Output[str]
    """This incarnation's generation, beside the mark (a replacement gets a new one)."""

    def __init__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        entries: Mapping[str, str],
        owner: pulumi.Input[str],
        verified_at: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            **api,
            "entries": dict(entries),
            "owner": owner,
            "verified_at": verified_at,
            "live_entries": None,
            "adopted": None,
            "owner_mark": None,
            "generation": None,
        }
        super().__init__(IpAllowlistProvider(), name, props, _secret_opts(opts))


class LockdownCheck(pulumi.dynamic.Resource, module="rockset", name="LockdownCheck"):
    """Step 5 of the guide, run during ``pulumi up`` and re-observed by ``pulumi refresh``."""

    status: pulumi.Output[dict[str, Any]]
    """public_reachable, public_refuses_key, privatelink_accepts_key, holds, checked_at."""

    def __init__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        admin_cidrs: Mapping[str, str],
        timeout: float,
        allowlist: pulumi.Input[Mapping[str, str]],
        triggers: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            **api,
            "admin_cidrs": dict(admin_cidrs),
            "timeout": timeout,
            "allowlist": allowlist,
            "triggers": list(triggers),
            "status": None,
        }
        super().__init__(LockdownCheckProvider(), name, props, _secret_opts(opts))
