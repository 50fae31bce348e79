"""Pulumi dynamic resources for steps 3 to 5 of Rockset's PrivateLink guide, for Python programs.

Each provider is a stateless class in this importable module, so Pulumi pickles it by reference
(a few dozen bytes) and the provider host imports it from the installed package. Everything a
provider needs arrives in its inputs. Each adapts the dynamic-provider protocol to the one
lifecycle of its resource (:mod:`rockset_pulumi.lifecycle`), which the ``rockset`` plugin serves
to other languages: ``check`` and ``diff`` make no network call, so ``pulumi preview`` never
talks to Rockset.

Resources (type tokens ``pulumi-python:dynamic/rockset:<Name>``):

- :class:`ConnectivityCheck`: step 3, re-run when an input or ``triggers`` changes.
- :class:`IpAllowlist`: step 4, the organization's allowlist entries for ``admin_cidrs``.
- :class:`LockdownCheck`: step 5; refresh re-observes it, so a lockdown that stopped holding
  shows as drift.
"""

from __future__ import annotations

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

from .check_resources import AllowlistResource, CheckResources, ConnectivityCheckResource, LockdownResource
from .lifecycle import (
    AllowlistLifecycle,
    ConnectivityLifecycle,
    Lifecycle,
    LockdownLifecycle,
)

__all__ = [
    "DYNAMIC_CHECKS",
    "ConnectivityCheck",
    "ConnectivityCheckProvider",
    "IpAllowlist",
    "IpAllowlistProvider",
    "LockdownCheck",
    "LockdownCheckProvider",
]


class _Provider(ResourceProvider):
    """The dynamic-provider protocol over a :class:`~rockset_pulumi.lifecycle.Lifecycle`."""

    lifecycle: ClassVar[Lifecycle]

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked = self.lifecycle.check(news)
        failures = [CheckFailure(prop, reason) for prop, reason in checked.failures]
        return CheckResult(checked.inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = self.lifecycle.diff(olds, news).changes
        return DiffResult(changes=bool(changes), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        created = self.lifecycle.create(props)
        return CreateResult(created.id, created.outputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.lifecycle.update(olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, self.lifecycle.read(props))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        told = self.lifecycle.delete(props)
        if told is not None:
            # Pulumi shows a provider's stderr to the user; destroy has no other way to say this.
            print(told, file=sys.stderr)


class ConnectivityCheckProvider(_Provider):
    """Step 3: both endpoints answer and accept the key."""

    lifecycle = ConnectivityLifecycle()


class IpAllowlistProvider(_Provider):
    """Step 4: the allowlist entries, behind the lock-out guard (see
    :class:`~rockset_pulumi.lifecycle.AllowlistLifecycle`)."""

    lifecycle = AllowlistLifecycle()


class LockdownCheckProvider(_Provider):
    """Step 5: the public endpoint refuses the key while PrivateLink accepts it."""

    lifecycle = LockdownLifecycle()


def _secret_opts(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key"])
    )


class ConnectivityCheck(
    pulumi.dynamic.Resource, ConnectivityCheckResource, module="rockset", name="ConnectivityCheck"
):
    """Step 3 of the guide, run during ``pulumi up``."""

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


class IpAllowlist(pulumi.dynamic.Resource, AllowlistResource, module="rockset", name="IpAllowlist"):
    """Step 4 of the guide: Rockset's IP allowlist holds the admin entries."""

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


class LockdownCheck(
    pulumi.dynamic.Resource, LockdownResource, module="rockset", name="LockdownCheck"
):
    """Step 5 of the guide, run during ``pulumi up`` and re-observed by ``pulumi refresh``."""

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


DYNAMIC_CHECKS = CheckResources(ConnectivityCheck, IpAllowlist, LockdownCheck)
"""The check resources of a Python program: dynamic resources, hosted by Pulumi's Python
dynamic-provider host in the program's virtualenv."""
