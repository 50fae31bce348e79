"""What the component needs of the resources of steps 3 to 5, whichever host serves them.

A Python program registers them as dynamic resources (:mod:`rockset_pulumi.providers`); inside
the ``rockset`` plugin they are the plugin's own custom resources
(:mod:`rockset_pulumi.plugin.resources`). Both kinds subclass these bases, take the same
constructor arguments and publish the same attributes, and :class:`CheckResources` is the one
switch the component reads to pick a kind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi

__all__ = [
    "AllowlistResource",
    "CheckResources",
    "ConnectivityCheckResource",
    "LockdownResource",
    "NewAllowlist",
    "NewConnectivityCheck",
    "NewLockdownCheck",
]


class ConnectivityCheckResource(pulumi.CustomResource):
    """Step 3 of the guide, run during ``pulumi up``."""

    public: pulumi.Output[dict[str, Any]]
    """What the public endpoint answered: reachable, authenticated, user, latency."""
    privatelink: pulumi.Output[dict[str, Any]]
    """What the PrivateLink endpoint answered."""
    checked_at: pulumi.Output[str]
    """When the check passed (UTC, ISO-8601)."""


class AllowlistResource(pulumi.CustomResource):
    """Step 4 of the guide: Rockset's IP allowlist holds the admin entries."""

    live_entries: pulumi.Output[dict[str, str]]
    """The wanted entries as Rockset has them (after refresh: what is really there)."""
    adopted: pulumi.Output[list[str]]
    """Entries that existed, unmarked, before this resource: kept as found on destroy."""
    owner_mark: pulumi.Output[str]
    """The mark in the description of every entry this resource wrote."""
    generation: pulumi.Output[str]
    """This incarnation's generation, beside the mark (a replacement gets a new one)."""


class LockdownResource(pulumi.CustomResource):
    """Step 5 of the guide, run during ``pulumi up`` and re-observed by ``pulumi refresh``."""

    status: pulumi.Output[dict[str, Any]]
    """public_reachable, public_refuses_key, privatelink_accepts_key, holds, checked_at."""


class NewConnectivityCheck(Protocol):
    """How the component registers step 3."""

    def __call__(
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
    ) -> ConnectivityCheckResource: ...


class NewAllowlist(Protocol):
    """How the component registers step 4."""

    def __call__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        entries: Mapping[str, str],
        owner: pulumi.Input[str],
        verified_at: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> AllowlistResource: ...


class NewLockdownCheck(Protocol):
    """How the component registers step 5."""

    def __call__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        admin_cidrs: Mapping[str, str],
        timeout: float,
        allowlist: pulumi.Input[Mapping[str, str]],
        triggers: Sequence[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> LockdownResource: ...


@dataclass(frozen=True)
class CheckResources:
    """The classes the component registers for steps 3, 4 and 5."""

    connectivity: NewConnectivityCheck
    allowlist: NewAllowlist
    lockdown: NewLockdownCheck
