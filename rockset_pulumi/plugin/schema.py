"""The plugin's schema (``schema.json`` beside this file) and what the provider reads from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..component import TYPE_TOKEN as COMPONENT_TOKEN

__all__ = ["CHECK_TOKENS", "COMPONENT_TOKEN", "PACKAGE", "ComponentShape", "schema", "schema_text"]

PACKAGE = "rockset"
CHECK_TOKENS = {
    name: f"{PACKAGE}:index:{name}"
    for name in ("ConnectivityCheck", "IpAllowlist", "LockdownCheck")
}
"""Each check resource's type token, by its name."""


@cache
def schema_text() -> str:
    """``schema.json`` as shipped."""
    return resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(schema_text())
    return found


@dataclass(frozen=True)
class ComponentShape:
    """The component's inputs and outputs as the schema names them."""

    inputs: tuple[str, ...]
    plain_inputs: frozenset[str]
    """Inputs the component reads before registering anything: they must be values."""
    outputs: tuple[str, ...]
    object_outputs: frozenset[str]
    """Outputs of this package's object types (nested keys are camelCase too)."""

    @classmethod
    def load(cls) -> ComponentShape:
        spec = schema()["resources"][COMPONENT_TOKEN]
        inputs, outputs = spec["inputProperties"], spec["properties"]

        def is_object(prop: dict[str, Any]) -> bool:
            return "$ref" in prop or "$ref" in prop.get("items", {})

        return cls(
            inputs=tuple(inputs),
            plain_inputs=frozenset(k for k, v in inputs.items() if v.get("plain")),
            outputs=tuple(outputs),
            object_outputs=frozenset(k for k, v in outputs.items() if is_object(v)),
        )
