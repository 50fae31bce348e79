"""The component's inputs as the engine sends them to ``Construct``, made ready for Python.

With ``acceptOutputs`` the engine sends each input as the program gave it: a plain value, a
secret, or an *output value* (another resource's output: known or not, secret or not, with the
resources it depends on), whole or per item. An input the schema does not mark ``plain`` goes
to the component as it came (the SDK makes Outputs of output values). A ``plain`` one is read
before the component registers anything, so it must be known now: here its secrets and known
output values are unwrapped (their secrecy noted, and pushed down onto items the schema lets
be Outputs, as ``sharedVpcIds``' ids), and an unknown one is refused, naming it. An object
input that is not ``plain`` (``watch``) keeps its shape: a secret property becomes a secret
Output of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.rpc import (
    UNKNOWN,
    _special_output_value_sig,
    _special_secret_sig,
    _special_sig_key,
)

from ..errors import ConfigurationError, InputPath, MapKey
from .naming import snake

__all__ = ["NOT_KNOWN", "PLAIN_FIX", "SettledInputs", "settle"]

PLAIN_FIX = (
    "Pass a value known before deployment (a literal or plain config), not another resource's "
    "output: the component validates it before creating anything."
)
NOT_KNOWN = "<not known before deployment>"
"""What a refusal shows for a value the engine does not know yet."""
Spec = Mapping[str, Any]


@dataclass
class SettledInputs:
    """The inputs with every ``plain`` one a value, and where the engine sent secrets."""

    inputs: struct_pb2.Struct
    secrets: list[InputPath] = field(default_factory=list)
    plain: set[str] = field(default_factory=set)
    """The plain inputs given: their dependencies are dropped (they are known values)."""


@dataclass(frozen=True)
class _Wrapper:
    """What a plain level's output value leaves to the items that may be Outputs."""

    secret: bool = False
    dependencies: tuple[str, ...] = ()

    def around(self, item: Any) -> Any:
        if not self.secret and not self.dependencies:
            return item
        if isinstance(item, Mapping) and item.get(_special_sig_key) == _special_output_value_sig:
            deps = (*self.dependencies, *item.get("dependencies", ()))
            return {**item, "secret": bool(item.get("secret")) or self.secret, "dependencies": deps}
        return {
            _special_sig_key: _special_output_value_sig,
            "value": item,
            "secret": self.secret,
            "dependencies": list(self.dependencies),
        }


def _signature(value: Any) -> object:
    return value.get(_special_sig_key) if isinstance(value, Mapping) else None


_ITEMS_FIX = (
    "Write the list out in the program: its items may be other resources' outputs, but how many "
    "there are must be known before deployment (each one is a resource of its own)."
)


def _unknown(path: InputPath, spec: Spec) -> ConfigurationError:
    items = spec.get("items") or spec.get("additionalProperties")
    outputs_inside = isinstance(items, Mapping) and not items.get("plain")
    return ConfigurationError.invalid(path, NOT_KNOWN, _ITEMS_FIX if outputs_inside else PLAIN_FIX)


def _settle(value: Any, spec: Spec, path: InputPath, found: SettledInputs, wrap: _Wrapper) -> Any:
    """``value`` of a plain ``spec`` at ``path``, unwrapped."""
    sig = _signature(value)
    if sig == _special_secret_sig:
        found.secrets.append(path)
        return _settle(value.get("value"), spec, path, found, _Wrapper(True, wrap.dependencies))
    if sig == _special_output_value_sig:
        if "value" not in value:
            raise _unknown(path, spec)
        secret = bool(value.get("secret"))
        if secret:
            found.secrets.append(path)
        inner = _Wrapper(
            wrap.secret or secret, (*wrap.dependencies, *value.get("dependencies", ()))
        )
        return _settle(value["value"], spec, path, found, inner)
    if value == UNKNOWN:
        raise _unknown(path, spec)
    items = spec.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        return [_item(v, items, (*path, i), found, wrap) for i, v in enumerate(value)]
    entries = spec.get("additionalProperties")
    if isinstance(value, Mapping) and isinstance(entries, Mapping):
        return {k: _item(v, entries, (*path, MapKey(k)), found, wrap) for k, v in value.items()}
    return value


def _item(value: Any, spec: Spec, path: InputPath, found: SettledInputs, wrap: _Wrapper) -> Any:
    """An item of a plain list or map: settled too if the schema says it is plain, else left
    for the SDK to make an Output of, with the secrecy and dependencies of the level above."""
    if spec.get("plain"):
        return _settle(value, spec, path, found, wrap)
    return wrap.around(value)


def _secret_as_output(value: Any) -> Any:
    """A secret property of an object input (``watch.apiKey``) as a secret output value: the SDK
    would otherwise make the whole object one secret Output, which the component cannot read
    before registering its children."""
    if _signature(value) == _special_secret_sig:
        return _Wrapper(secret=True).around(value.get("value"))
    return value


def settle(inputs: struct_pb2.Struct, specs: Mapping[str, Spec]) -> SettledInputs:
    """``inputs`` (``Construct``'s) with every input whose spec is ``plain`` settled; raises
    :class:`ConfigurationError` for one that is not known yet."""
    values: dict[str, Any] = json_format.MessageToDict(inputs)
    found = SettledInputs(struct_pb2.Struct())
    for key, value in values.items():
        spec = specs.get(key, {})
        if spec.get("plain"):
            found.plain.add(key)
            values[key] = _settle(value, spec, (snake(key),), found, _Wrapper())
        elif isinstance(value, Mapping) and _signature(value) is None:
            values[key] = {name: _secret_as_output(item) for name, item in value.items()}
    found.inputs.update(values)
    return found
