"""The component's refusals in the schema's terms, for a program in any language.

A :class:`~rockset_pulumi.errors.ConfigurationError` carries the refused input as data (``path``,
``shown_value``, ``fix``); here it is told again the way a YAML or TypeScript user wrote it: the
schema's property path (``sharedVpcIds[1]``, ``adminCidrs.office``, ``checkTimeout``), the value
in JSON terms (``-1``, not the ``-1.0`` the engine's numbers arrive as; ``true``, ``null``), a
secret never shown, and the Python argument names in the fix replaced by the schema's. Anything
else the plugin raises that is not a :class:`~rockset_pulumi.errors.RocksetPulumiError` is a bug:
the user is told so and where its details went, never a Python stack.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from functools import cache

from ..args import PrivateLinkArgs
from ..errors import ConfigurationError, InputPath, InputWarning, MapKey
from ..text import clean
from ..validate import HIDDEN
from .inputs import NOT_KNOWN
from .naming import camel

__all__ = ["INTERNAL_ERROR", "in_schema_terms", "refusal", "schema_path", "shown", "warning"]

INTERNAL_ERROR = (
    "Internal error in the rockset plugin, not a problem with your inputs (please report it). "
    "Its details (the plugin's Python stack) are in Pulumi's debug log: run the command again "
    "with --debug, or with --logtostderr -v=9."
)
"""What a user is told of a plugin failure that no input explains."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERALS = {"True": "true", "False": "false", "None": "null"}


@cache
def _python_words(more: frozenset[str]) -> re.Pattern[str]:
    """The Python spellings to replace in a message: the argument names and ``more`` names that
    differ in the schema, and Python's literals."""
    names = {f.name for f in dataclasses.fields(PrivateLinkArgs)} | more
    words = sorted([*(n for n in names if camel(n) != n), *_LITERALS], key=len, reverse=True)
    return re.compile(r"(?<![\w'\"])(" + "|".join(map(re.escape, words)) + r")(?![\w'\"])")


def in_schema_terms(text: str, more: Collection[str] = ()) -> str:
    """``text`` with the arguments' Python names, and the ``more`` names given (outputs and their
    fields), as the schema spells them (``api_key`` -> ``apiKey``) and Python's
    ``True``/``False``/``None`` as ``true``/``false``/``null``."""
    words = _python_words(frozenset(more))
    return words.sub(lambda m: _LITERALS.get(m.group(0)) or camel(m.group(0)), text)


def schema_path(path: InputPath) -> str:
    """``("shared_vpc_ids", 1)`` -> ``sharedVpcIds[1]``; a map key the user chose stays as
    written (``adminCidrs.office``, ``tags["cost center"]``)."""
    out = ""
    for part in path:
        if isinstance(part, MapKey):
            key = str(part.key)
            out += f".{key}" if _IDENTIFIER.fullmatch(key) else f"[{json.dumps(key)}]"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{camel(part)}" if out else camel(part)
    return out


def _as_written(value: object) -> object:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _as_written(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_as_written(v) for v in value]
    return value


def shown(value: object) -> str:
    """A refused value as the user wrote it in the program: JSON, a whole number without
    ``.0``, not set as ``null``."""
    try:
        return json.dumps(_as_written(value), ensure_ascii=False)
    except (TypeError, ValueError):
        # Not a value a program can write (the engine sends JSON), so describe it, cleaned.
        return clean(str(value))


def _overlaps(path: InputPath, secrets: Collection[InputPath]) -> bool:
    return any(path[: len(s)] == s or s[: len(path)] == path for s in secrets)


def refusal(exc: ConfigurationError, secrets: Collection[InputPath] = ()) -> tuple[str, str]:
    """``(property path, message)`` of a refused input, both in the schema's terms; the path is
    empty when no single input is at fault. ``secrets`` are the paths the engine sent as
    secrets: their values are never shown."""
    if not exc.path:
        return "", in_schema_terms(str(exc))
    hidden = _overlaps(exc.path, secrets)
    fix = exc.fix
    if hidden:
        fix = _without_values(fix, exc.shown_value)
    if hidden:
        value = HIDDEN
    elif exc.shown_value in (HIDDEN, NOT_KNOWN):
        value = str(exc.shown_value)
    else:
        value = shown(exc.shown_value)
    subject = schema_path(exc.path[:-1]) + " key" if exc.of_key else schema_path(exc.path)
    told = f"{subject} is {value}. {in_schema_terms(fix)}"
    return schema_path(exc.path), told if exc.action is None else f"Cannot {exc.action}: {told}"


def warning(found: InputWarning, secrets: Collection[InputPath] = ()) -> str:
    """A warning about an input in the schema's terms, as :func:`refusal` tells a refusal; the
    value hidden where ``secrets`` cover it."""
    value = HIDDEN if _overlaps(found.path, secrets) else shown(found.shown_value)
    return f"{schema_path(found.path)} is {value}, {in_schema_terms(found.problem)}"


def _without_values(text: str, value: object) -> str:
    """``text`` with every string of ``value`` (a secret) replaced by ``<hidden>``."""
    found: list[str] = []

    def collect(item: object) -> None:
        if isinstance(item, Mapping):
            for v in item.values():
                collect(v)
        elif isinstance(item, Sequence) and not isinstance(item, str):
            for v in item:
                collect(v)
        elif item is not None:
            found.append(str(item))

    collect(value)
    for secret in sorted(filter(None, found), key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text
