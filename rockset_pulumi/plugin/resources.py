"""The check resources as the component registers them inside the plugin: custom resources of
the ``rockset`` package, served by the same plugin process (:mod:`.provider`).

Each takes the constructor arguments of its dynamic twin in :mod:`rockset_pulumi.providers` and
publishes the same attributes, both read off its declaration
(:mod:`rockset_pulumi.check_resources`); on the wire its properties have the schema's camelCase
names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pulumi

from ..check_resources import (
    ALLOWLIST,
    CONNECTIVITY,
    LOCKDOWN,
    SECRET,
    AllowlistResource,
    CheckKind,
    CheckResources,
    ConnectivityCheckResource,
    LockdownResource,
)
from .naming import camel
from .schema import CHECK_TOKENS

__all__ = ["PLUGIN_CHECKS", "PluginAllowlist", "PluginConnectivityCheck", "PluginLockdownCheck"]


class _PluginCheck(pulumi.CustomResource):
    """A check resource as the plugin's custom resource, of :attr:`kind`."""

    kind: ClassVar[CheckKind]

    def __init__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
        **values: Any,
    ) -> None:
        props = {camel(k): v for k, v in self.kind.properties(api, values).items()}
        # The schema marks apiKey secret too; this keeps it so in state even for an older engine.
        # Secret outputs the component asks for are named as in Python: the wire's names here.
        merged = pulumi.ResourceOptions.merge(opts, None)
        asked = merged.additional_secret_outputs or []
        merged.additional_secret_outputs = [camel(s) for s in (*SECRET, *asked)]
        super().__init__(CHECK_TOKENS[self.kind.name], name, props, merged)
        # The outputs under their Python names too, as the dynamic twin has them.
        for output in self.kind.outputs:
            setattr(self, output, self.__dict__[camel(output)])


class PluginConnectivityCheck(_PluginCheck, ConnectivityCheckResource):
    """Step 3 as ``rockset:index:ConnectivityCheck``."""

    kind = CONNECTIVITY


class PluginAllowlist(_PluginCheck, AllowlistResource):
    """Step 4 as ``rockset:index:IpAllowlist``."""

    kind = ALLOWLIST


class PluginLockdownCheck(_PluginCheck, LockdownResource):
    """Step 5 as ``rockset:index:LockdownCheck``."""

    kind = LOCKDOWN


PLUGIN_CHECKS = CheckResources(PluginConnectivityCheck, PluginAllowlist, PluginLockdownCheck)
"""The check resources of the component built by the plugin."""
