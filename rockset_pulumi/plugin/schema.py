"""The plugin's schema (``schema.json`` beside this file) and what the provider reads from it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..check_resources import CHECK_KINDS
from ..tokens import COMPONENT_TOKEN, index_token

__all__ = ["CHECK_TOKENS", "ComponentShape", "schema", "schema_text"]

CHECK_TOKENS = {kind.name: index_token(kind.name) for kind in CHECK_KINDS}
"""Each check resource's type token as the plugin's custom resource, by its name."""


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
            outputs=tuple(outputs),
            object_outputs=frozenset(k for k, v in outputs.items() if is_object(v)),
        )
