"""The closed sets of words an input takes (``probe``, ``dns``), each word with what it means.

The values are the ``Literal`` type an argument is annotated with, the one list of them; a
:class:`Choices` adds each one's meaning, refused at import if it misses a value or adds one.
The same words tell a user what to pass instead of a wrong value (:meth:`Choices.fix`) and
describe the schema's enum for other languages (:mod:`devtools.schema`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args, get_origin

__all__ = ["Choices"]


@dataclass(frozen=True)
class Choices:
    """The values of a ``Literal`` of strings, in its order, each with its meaning."""

    meanings: Mapping[str, str]
    """Value -> what it does, a phrase that fits in parentheses after the value."""

    @classmethod
    def of(cls, alias: object, **meanings: str) -> Choices:
        """``alias``' values (two or more) with their ``meanings``, which must name each value
        once."""
        values = get_args(alias)
        if get_origin(alias) is not Literal or not all(isinstance(v, str) for v in values):
            raise TypeError(f"{alias!r} is not a Literal of strings")
        if len(values) < 2 or sorted(meanings) != sorted(values):
            raise TypeError(f"meanings {sorted(meanings)} are not those of {alias!r}")
        return cls(MappingProxyType({value: meanings[value] for value in values}))

    @property
    def values(self) -> tuple[str, ...]:
        """The values, in the ``Literal``'s order."""
        return tuple(self.meanings)

    def fix(self) -> str:
        """What to pass instead of another value: each value, quoted, with its meaning."""
        told = [f"{json.dumps(value)} ({meaning})" for value, meaning in self.meanings.items()]
        return f"Pass {', '.join(told[:-1])} or {told[-1]}."
