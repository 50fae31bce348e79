"""Property names across the plugin's boundary: the schema's camelCase, Python's snake_case.

Only names this package defines are translated: the keys of a map a user fills (allowlist entry
names, tags) pass through as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["camel", "camel_keys", "snake", "snake_keys"]

_UPPER = re.compile(r"[A-Z]")


def camel(name: str) -> str:
    """``vpc_endpoint_id`` -> ``vpcEndpointId``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """``vpcEndpointId`` -> ``vpc_endpoint_id``."""
    return _UPPER.sub(lambda m: "_" + m.group(0).lower(), name)


def camel_keys(value: Any) -> Any:
    """An object of this package's (nested dicts and lists of them) with camelCase keys."""
    if isinstance(value, Mapping):
        return {camel(str(k)): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [camel_keys(v) for v in value]
    return value


def snake_keys(value: Any) -> Any:
    """The inverse of :func:`camel_keys`."""
    if isinstance(value, Mapping):
        return {snake(str(k)): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [snake_keys(v) for v in value]
    return value
