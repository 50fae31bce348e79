"""What an exception or a text gives away: parts of a secret, objects that hold the request.

:func:`leaked_runs` reads a text as a person would see it, independently of the product's own
folding: compatibility forms (fullwidth letters, say) as the characters they show, without what
a terminal does not show (controls, format characters, combining marks) and without white space,
which a reader skips over as easily, and letters without
their accents. It looks for the secret as sent and in the forms that JSON
and percent-encoding give it.
"""

from __future__ import annotations

import json
import unicodedata
from urllib.parse import quote

__all__ = ["leaked_runs", "reachable", "seen"]


def seen(text: str) -> str:
    """``text`` as a reader takes it in: what shows, in one case, without white space."""
    shown = "".join(c for c in text if c.isprintable() or c.isspace())
    # NFKC shows compatibility forms as what they stand for; NFD then takes accents off letters.
    shown = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", shown))
    return "".join(
        c
        for c in shown
        if c.isprintable() and not c.isspace() and unicodedata.category(c) not in ("Mn", "Me")
    ).lower()


def _forms(secret: str) -> set[str]:
    return {secret, json.dumps(secret)[1:-1], quote(secret, safe="")}


def leaked_runs(text: str, secret: str, run: int = 8) -> list[str]:
    """Every ``run`` consecutive characters of ``secret`` (as sent, JSON-escaped or
    percent-encoded) that ``text`` shows, case ignored."""
    shown = seen(text)
    return sorted(
        {
            form[i : i + run]
            for form in _forms(secret)
            for i in range(len(form) - run + 1)
            if seen(form[i : i + run]) in shown
        }
    )


def reachable(exc: BaseException) -> list[object]:
    """Every object reachable from ``exc`` through causes, contexts, ``args`` and attributes."""
    found: list[object] = []
    visited: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in visited:
            continue
        visited.add(id(current))
        found.append(current)
        if isinstance(current, BaseException):
            todo += [current.__cause__, current.__context__, *current.args]
            todo += vars(current).values()
        elif isinstance(current, list | tuple | set | frozenset):
            todo += current
        elif isinstance(current, dict):
            todo += [*current.keys(), *current.values()]
    return found
