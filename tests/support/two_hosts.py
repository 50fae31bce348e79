"""The check resources' two hosts driven as the engine drives them, and what each shows.

A Python program's checks run in Pulumi's dynamic-provider host (``python -m pulumi.dynamic``,
:mod:`rockset_pulumi.providers`); another language's run in the plugin
(``pulumi-resource-rockset``, :mod:`rockset_pulumi.plugin`). :class:`DynamicChecks` and
:class:`PluginChecks` start one process each and answer the same calls over gRPC: each takes the
properties the component registers (Python names, as :meth:`CheckKind.properties` makes them) and
keeps its own wire form (``__provider`` and Python names; the schema's names and the key as a
secret). :meth:`shown` turns either form into the schema's (``schema.json``, which a user of
another language reads), so that a test compares the two.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any, Protocol

from google.protobuf import json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto

from devtools.schema import SCHEMA_FILE
from rockset_pulumi.check_resources import SECRET, CheckKind
from rockset_pulumi.plugin.naming import camel
from rockset_pulumi.providers import (
    ConnectivityCheckProvider,
    IpAllowlistProvider,
    LockdownCheckProvider,
)
from tests.support.dynamic_host import DynamicHost, dynamic_host
from tests.support.plugin_process import Plugin

__all__ = ["DiffShown", "DynamicChecks", "Host", "PluginChecks", "engine_diff", "schema_form"]

Props = dict[str, Any]
_SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KINDS = {
    proto.PropertyDiff.ADD: "add",
    proto.PropertyDiff.UPDATE: "update",
    proto.PropertyDiff.DELETE: "delete",
}
_SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _token(kind: CheckKind) -> str:
    return f"rockset:index:{kind.name}"


def _object_type(spec: Mapping[str, Any]) -> Mapping[str, Any] | None:
    ref = spec.get("$ref", "")
    found: Mapping[str, Any] | None = _SCHEMA["types"].get(ref.removeprefix("#/types/"))
    return found


def _in_schema(value: Any, spec: Mapping[str, Any], where: str) -> Any:
    """``value`` (Python names) under the schema's names: an object type's keys translated
    (and each required to be a property of the type), a map's keys as they are."""
    kind = _object_type(spec)
    if kind is not None and isinstance(value, Mapping):
        return _keys_in_schema(value, kind["properties"], where)
    return value


def _keys_in_schema(value: Mapping[str, Any], specs: Mapping[str, Any], where: str) -> Props:
    out: Props = {}
    for key, item in value.items():
        name = camel(key)
        if name not in specs:
            raise AssertionError(f"{where}: {key!r} ({name!r}) is not in the schema")
        out[name] = _in_schema(item, specs[name], f"{where}.{name}")
    return out


def schema_form(kind: CheckKind, props: Mapping[str, Any]) -> Props:
    """A check resource's properties under Python names, as the schema names them."""
    specs = _SCHEMA["resources"][_token(kind)]["properties"]
    return _keys_in_schema(props, specs, kind.name)


def _path(prefix: str, key: str) -> str:
    if not prefix:
        return key
    return f"{prefix}.{key}" if _IDENTIFIER.fullmatch(key) else f'{prefix}["{key}"]'


def engine_diff(olds: Any, news: Any, prefix: str = "") -> dict[str, str]:
    """What the engine shows for a provider that names no property (the dynamic-provider host
    cannot): its own diff of the old inputs and the new, leaf by leaf (objects by key, lists by
    index), as ``pulumi preview --diff`` prints it."""
    if olds == news:
        return {}
    if isinstance(olds, Mapping) and isinstance(news, Mapping):
        found: dict[str, str] = {}
        for key in sorted(set(olds) | set(news)):
            if key not in olds or olds[key] is None:
                found.update({_path(prefix, key): "add"} if news.get(key) is not None else {})
            elif key not in news or news[key] is None:
                found[_path(prefix, key)] = "delete"
            else:
                found.update(engine_diff(olds[key], news[key], _path(prefix, key)))
        return found
    if isinstance(olds, list) and isinstance(news, list) and len(olds) == len(news):
        found = {}
        for index, (old, new) in enumerate(zip(olds, news, strict=True)):
            found.update(engine_diff(old, new, f"{prefix}[{index}]"))
        return found
    return {prefix: "update"}


@dataclasses.dataclass(frozen=True)
class DiffShown:
    """What ``pulumi preview --diff`` shows of one resource, under the schema's names."""

    changes: bool
    """Whether the engine updates the resource."""
    inputs: dict[str, str]
    """Property path -> ``add``, ``update`` or ``delete``: the changed inputs."""
    state: dict[str, str]
    """The same for outputs that refresh found out of line with the inputs (drift); only a
    provider that returns a detailed diff can name them."""


class Host(Protocol):
    """One host's lifecycle calls, each in the host's wire form (see the module)."""

    name: str

    def register(self, kind: CheckKind, props: Props) -> Props:
        """The inputs the component registers (Python names) as this host receives them."""
        ...

    def shown(self, kind: CheckKind, props: Props) -> Props:
        """This host's properties as the schema names them, plain (secrets unwrapped)."""
        ...

    def check(self, kind: CheckKind, olds: Props, news: Props) -> Props: ...

    def diff(
        self, kind: CheckKind, id_: str, old_inputs: Props, old_outputs: Props, news: Props
    ) -> DiffShown: ...

    def create(self, kind: CheckKind, inputs: Props) -> tuple[str, Props]: ...

    def read(self, kind: CheckKind, id_: str, inputs: Props, outputs: Props) -> Props:
        """The outputs after refresh; the inputs a host returns must be those it was given."""
        ...

    def update(self, kind: CheckKind, id_: str, olds: Props, news: Props) -> Props: ...

    def delete(self, kind: CheckKind, id_: str, outputs: Props) -> None: ...


_PROVIDERS = {
    "ConnectivityCheck": ConnectivityCheckProvider(),
    "IpAllowlist": IpAllowlistProvider(),
    "LockdownCheck": LockdownCheckProvider(),
}


class DynamicChecks:
    """The dynamic-provider host, one process for the three providers (as the engine runs one
    per program). Secrets never reach it: it answers ``acceptSecrets: false``, and the engine
    makes the key secret again from the resource's ``additional_secret_outputs``."""

    name = "dynamic"

    def __init__(self, host: DynamicHost) -> None:
        self._host = host

    def _as(self, kind: CheckKind) -> DynamicHost:
        return dataclasses.replace(
            self._host,
            provider=serialize_provider(_PROVIDERS[kind.name]),
            type_token=f"pulumi-python:dynamic/rockset:{kind.name}",
        )

    def register(self, kind: CheckKind, props: Props) -> Props:
        return dict(props)

    def shown(self, kind: CheckKind, props: Props) -> Props:
        return schema_form(kind, props)

    def check(self, kind: CheckKind, olds: Props, news: Props) -> Props:
        return self._as(kind).checked(kind.name, news)

    def diff(
        self, kind: CheckKind, id_: str, old_inputs: Props, old_outputs: Props, news: Props
    ) -> DiffShown:
        response = self._as(kind).diff(kind.name, id_, old_outputs, news)
        changes = response.changes == proto.DiffResponse.DIFF_SOME
        assert not response.detailedDiff, "the dynamic-provider host returns no detailed diff"
        shown = engine_diff(self.shown(kind, old_inputs), self.shown(kind, news))
        return DiffShown(changes, shown if changes else {}, {})

    def create(self, kind: CheckKind, inputs: Props) -> tuple[str, Props]:
        return self._as(kind).create(kind.name, inputs)

    def read(self, kind: CheckKind, id_: str, inputs: Props, outputs: Props) -> Props:
        return self._as(kind).read(kind.name, id_, outputs)

    def update(self, kind: CheckKind, id_: str, olds: Props, news: Props) -> Props:
        return self._as(kind).update(kind.name, id_, olds, news)

    def delete(self, kind: CheckKind, id_: str, outputs: Props) -> None:
        self._as(kind).delete(kind.name, id_, outputs)

    @classmethod
    @contextmanager
    def started(cls, stderr: IO[str]) -> Iterator[DynamicChecks]:
        """The host, what it tells the user written to ``stderr``."""
        token = "pulumi-python:dynamic/rockset:X"
        with dynamic_host(_PROVIDERS["IpAllowlist"], token, stderr) as host:
            yield cls(host)


def _to_wire(props: Props, secret: frozenset[str]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(
        {
            key: {_SECRET_SIG[0]: _SECRET_SIG[1], "value": value} if key in secret else value
            for key, value in props.items()
        }
    )
    return struct


def _unwrapped(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(_SECRET_SIG[0]) == _SECRET_SIG[1]:
            return _unwrapped(value.get("value"))
        return {k: _unwrapped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrapped(v) for v in value]
    return value


def _from_wire(struct: struct_pb2.Struct) -> Props:
    plain: Props = _unwrapped(json_format.MessageToDict(struct))
    return plain


class PluginChecks:
    """The plugin's custom resources, as the engine sends them what the component registers:
    the schema's names (``_PluginCheck`` camel-cases the top-level names) and the key as a
    secret (the component makes it one)."""

    name = "plugin"
    _secret = frozenset(camel(name) for name in SECRET)

    def __init__(self, plugin: Plugin) -> None:
        self._stub = plugin.stub

    @staticmethod
    def _urn(kind: CheckKind) -> str:
        return (
            "urn:pulumi:dev::p::rockset:index:PrivateLink$"
            f"{_token(kind)}::rockset-{kind.name.lower()}"
        )

    def _wire(self, props: Props) -> struct_pb2.Struct:
        return _to_wire(props, self._secret)

    def register(self, kind: CheckKind, props: Props) -> Props:
        # The SDK inside the plugin sends no None (an output not yet set), as in Python.
        return {camel(key): value for key, value in props.items() if value is not None}

    def shown(self, kind: CheckKind, props: Props) -> Props:
        return dict(props)

    def check(self, kind: CheckKind, olds: Props, news: Props) -> Props:
        response = self._stub.Check(
            proto.CheckRequest(urn=self._urn(kind), olds=self._wire(olds), news=self._wire(news))
        )
        assert not response.failures, list(response.failures)
        return _from_wire(response.inputs)

    def diff(
        self, kind: CheckKind, id_: str, old_inputs: Props, old_outputs: Props, news: Props
    ) -> DiffShown:
        response = self._stub.Diff(
            proto.DiffRequest(
                urn=self._urn(kind),
                id=id_,
                olds=self._wire(old_outputs),
                old_inputs=self._wire(old_inputs),
                news=self._wire(news),
            )
        )
        changes = response.changes == proto.DiffResponse.DIFF_SOME
        detailed = dict(response.detailedDiff)
        return DiffShown(
            changes,
            {p: _KINDS[d.kind] for p, d in detailed.items() if d.inputDiff},
            {p: _KINDS[d.kind] for p, d in detailed.items() if not d.inputDiff},
        )

    def create(self, kind: CheckKind, inputs: Props) -> tuple[str, Props]:
        response = self._stub.Create(
            proto.CreateRequest(urn=self._urn(kind), properties=self._wire(inputs))
        )
        return response.id, _from_wire(response.properties)

    def read(self, kind: CheckKind, id_: str, inputs: Props, outputs: Props) -> Props:
        response = self._stub.Read(
            proto.ReadRequest(
                urn=self._urn(kind),
                id=id_,
                properties=self._wire(outputs),
                inputs=self._wire(inputs),
            )
        )
        assert response.id == id_
        returned = _from_wire(response.inputs)
        assert returned == inputs, f"{kind.name}: read changed the inputs to {returned}"
        return _from_wire(response.properties)

    def update(self, kind: CheckKind, id_: str, olds: Props, news: Props) -> Props:
        response = self._stub.Update(
            proto.UpdateRequest(
                urn=self._urn(kind), id=id_, olds=self._wire(olds), news=self._wire(news)
            )
        )
        return _from_wire(response.properties)

    def delete(self, kind: CheckKind, id_: str, outputs: Props) -> None:
        self._stub.Delete(
            proto.DeleteRequest(urn=self._urn(kind), id=id_, properties=self._wire(outputs))
        )

    @classmethod
    @contextmanager
    def started(cls, stderr: IO[str]) -> Iterator[PluginChecks]:
        """The plugin, what it tells the user written to ``stderr``."""
        plugin = Plugin(stderr)
        try:
            yield cls(plugin)
        finally:
            plugin.close()
