"""The check resources as the component registers them inside the plugin: custom resources of
the ``rockset`` package, served by the same plugin process (:mod:`.provider`).

Each takes the constructor arguments of its dynamic twin in :mod:`rockset_pulumi.providers` and
publishes the same attributes; on the wire its properties have the schema's camelCase names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from ..check_resources import (
    AllowlistResource,
    CheckResources,
    ConnectivityCheckResource,
    LockdownResource,
)
from .naming import camel
from .schema import CHECK_TOKENS

__all__ = ["PLUGIN_CHECKS", "PluginAllowlist", "PluginConnectivityCheck", "PluginLockdownCheck"]


def _props(values: Mapping[str, Any], outputs: Sequence[str]) -> dict[str, Any]:
    return {**{camel(k): v for k, v in values.items()}, **{camel(o): None for o in outputs}}


def _opts(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    # The schema marks apiKey secret too; this keeps it so in state even for an older engine.
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["apiKey"])
    )


def _publish(resource: pulumi.CustomResource, outputs: Sequence[str]) -> None:
    """The outputs under their Python names, as the dynamic twin has them."""
    for name in outputs:
        setattr(resource, name, resource.__dict__[camel(name)])


class PluginConnectivityCheck(ConnectivityCheckResource):
    """Step 3 as ``rockset:index:ConnectivityCheck``."""

    _OUTPUTS = ("public", "privatelink", "checked_at")

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
        values = {
            **api,
            "timeout": timeout,
            "public_may_refuse_key": public_may_refuse_key,
            "dns_expectation": dns_expectation,
            "endpoint_id": endpoint_id,
            "triggers": list(triggers),
        }
        token = CHECK_TOKENS["ConnectivityCheck"]
        super().__init__(token, name, _props(values, self._OUTPUTS), _opts(opts))
        _publish(self, self._OUTPUTS)


class PluginAllowlist(AllowlistResource):
    """Step 4 as ``rockset:index:IpAllowlist``."""

    _OUTPUTS = ("live_entries", "adopted", "owner_mark", "generation")

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
        values = {**api, "entries": dict(entries), "owner": owner, "verified_at": verified_at}
        token = CHECK_TOKENS["IpAllowlist"]
        super().__init__(token, name, _props(values, self._OUTPUTS), _opts(opts))
        _publish(self, self._OUTPUTS)


class PluginLockdownCheck(LockdownResource):
    """Step 5 as ``rockset:index:LockdownCheck``."""

    _OUTPUTS = ("status",)

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
        values = {
            **api,
            "admin_cidrs": dict(admin_cidrs),
            "timeout": timeout,
            "allowlist": allowlist,
            "triggers": list(triggers),
        }
        token = CHECK_TOKENS["LockdownCheck"]
        super().__init__(token, name, _props(values, self._OUTPUTS), _opts(opts))
        _publish(self, self._OUTPUTS)


PLUGIN_CHECKS = CheckResources(PluginConnectivityCheck, PluginAllowlist, PluginLockdownCheck)
"""The check resources of the component built by the plugin."""
