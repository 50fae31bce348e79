"""The check resources of steps 3 to 5, declared once for both hosts.

A Python program registers them as dynamic resources (:mod:`rockset_pulumi.providers`); inside
the ``rockset`` plugin they are the plugin's own custom resources
(:mod:`rockset_pulumi.plugin.resources`). Each resource is declared here by two typed surfaces
the component is written against: its constructor (``New...``: the inputs, after the API's) and
its base class (the ``pulumi.Output`` attributes it publishes). :class:`CheckKind` reads the
property names off them, in order, for everything else that needs them: both kinds of resource,
the lifecycles (:mod:`rockset_pulumi.lifecycle`) and the plugin's schema. Adding a property is an
edit here (and the schema's type for it, in :mod:`devtools.schema`). :class:`CheckResources` is
the one switch the component reads to pick a kind.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi

__all__ = [
    "ALLOWLIST",
    "CHECK_KINDS",
    "CONNECTIVITY",
    "LOCKDOWN",
    "SECRET",
    "AllowlistResource",
    "CheckKind",
    "CheckResources",
    "ConnectivityCheckResource",
    "LockdownResource",
    "NewAllowlist",
    "NewConnectivityCheck",
    "NewLockdownCheck",
]

SECRET = ("api_key",)
"""Properties kept secret in state, whatever the engine's version."""


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
    """How the component registers step 3; ``api`` is what
    :meth:`~rockset_pulumi.api.RocksetApi.inputs` makes. ``owner`` (with lockdown: the
    allowlist's owner label) lets its delete, which comes after the allowlist's, remove any
    entry still carrying the component's mark."""

    def __call__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        timeout: float,
        public_may_refuse_key: bool,
        dns_expectation: pulumi.Input[Mapping[str, Any] | None],
        endpoint_id: pulumi.Input[str],
        triggers: Sequence[str],
        owner: pulumi.Input[str | None],
        opts: pulumi.ResourceOptions | None = None,
    ) -> ConnectivityCheckResource: ...


class NewAllowlist(Protocol):
    """How the component registers step 4."""

    def __call__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        entries: pulumi.Input[Mapping[str, str]],
        verified_at: pulumi.Input[str],
        owner: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> AllowlistResource: ...


class NewLockdownCheck(Protocol):
    """How the component registers step 5. ``allowlist`` (step 4's entries) also names the
    admin entries in the hint of a failure; an entry with ``owner_mark`` (step 4's) that is not
    among them fails the check."""

    def __call__(
        self,
        name: str,
        *,
        api: Mapping[str, Any],
        timeout: float,
        allowlist: pulumi.Input[Mapping[str, str]],
        triggers: Sequence[str],
        owner_mark: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> LockdownResource: ...


_NOT_INPUTS = ("self", "name", "api", "opts")


def _plain(value: Any) -> Any:
    """A value as Pulumi serializes it: a plain dict or list."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _is_output(hint: object) -> bool:
    origin: object = typing.get_origin(hint)
    return origin is pulumi.Output


@dataclass(frozen=True)
class CheckKind:
    """One check resource's name and property names, as its declaration above has them."""

    name: str
    """The last part of its type tokens (``rockset:index:<name>``, and a Python program's
    ``pulumi-python:dynamic/rockset:<name>``)."""
    inputs: tuple[str, ...]
    """Its constructor's keyword arguments after ``api`` (whose properties are
    :attr:`~rockset_pulumi.api.RocksetApi.PROPS`), in order."""
    outputs: tuple[str, ...]
    """The ``pulumi.Output`` attributes it publishes, in order."""

    @classmethod
    def declared(cls, name: str, resource: type, new: type) -> CheckKind:
        """The kind of ``resource``, registered by a ``new`` (one of the protocols above)."""
        parameters = inspect.signature(new.__call__).parameters
        published = inspect.get_annotations(resource, eval_str=True)
        return cls(
            name=name,
            inputs=tuple(p for p in parameters if p not in _NOT_INPUTS),
            outputs=tuple(attr for attr, hint in published.items() if _is_output(hint)),
        )

    def properties(self, api: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        """A resource's properties from its constructor's arguments: the API's, its own, and
        its outputs, None until the provider sets them."""
        missing = [n for n in self.inputs if n not in values]
        unexpected = sorted(set(values) - set(self.inputs))
        if missing or unexpected:
            raise TypeError(
                f"{self.name} takes the inputs {list(self.inputs)} after api; missing "
                f"{missing}, unexpected {unexpected}"
            )
        own = {n: _plain(values[n]) for n in self.inputs}
        return {**api, **own, **dict.fromkeys(self.outputs)}


CONNECTIVITY = CheckKind.declared(
    "ConnectivityCheck", ConnectivityCheckResource, NewConnectivityCheck
)
ALLOWLIST = CheckKind.declared("IpAllowlist", AllowlistResource, NewAllowlist)
LOCKDOWN = CheckKind.declared("LockdownCheck", LockdownResource, NewLockdownCheck)
CHECK_KINDS = (CONNECTIVITY, ALLOWLIST, LOCKDOWN)
"""Steps 3, 4 and 5, in order."""


@dataclass(frozen=True)
class CheckResources:
    """The classes the component registers for steps 3, 4 and 5."""

    connectivity: NewConnectivityCheck
    allowlist: NewAllowlist
    lockdown: NewLockdownCheck
