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
from collections.abc import Mapping
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

from .check_resources import (
    ALLOWLIST,
    CONNECTIVITY,
    LOCKDOWN,
    SECRET,
    AllowlistResource,
    CheckResources,
    ConnectivityCheckResource,
    LockdownResource,
)
from .lifecycle import (
    AllowlistLifecycle,
    ConnectivityLifecycle,
    Lifecycle,
    LockdownLifecycle,
)
from .tokens import PACKAGE

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


class _DynamicCheck(pulumi.dynamic.Resource):
    """A check resource as a dynamic resource: its properties come from its
    :class:`~rockset_pulumi.check_resources.CheckKind`, its work from its provider."""

    _check_provider: ClassVar[_Provider]

    def __init__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
        **values: Any,
    ) -> None:
        props = self._check_provider.lifecycle.kind.properties(api, values)
        secret = pulumi.ResourceOptions(additional_secret_outputs=list(SECRET))
        super().__init__(
            self._check_provider, name, props, pulumi.ResourceOptions.merge(opts, secret)
        )


class ConnectivityCheck(
    _DynamicCheck, ConnectivityCheckResource, module=PACKAGE, name=CONNECTIVITY.name
):
    """Step 3 of the guide, run during ``pulumi up``."""

    _check_provider = ConnectivityCheckProvider()


class IpAllowlist(_DynamicCheck, AllowlistResource, module=PACKAGE, name=ALLOWLIST.name):
    """Step 4 of the guide: Rockset's IP allowlist holds the admin entries."""

    _check_provider = IpAllowlistProvider()


class LockdownCheck(_DynamicCheck, LockdownResource, module=PACKAGE, name=LOCKDOWN.name):
    """Step 5 of the guide, run during ``pulumi up`` and re-observed by ``pulumi refresh``."""

    _check_provider = LockdownCheckProvider()


DYNAMIC_CHECKS = CheckResources(ConnectivityCheck, IpAllowlist, LockdownCheck)
"""The check resources of a Python program: dynamic resources, hosted by Pulumi's Python
dynamic-provider host in the program's virtualenv."""
