"""What an exception or a text gives away: parts of a secret, objects that hold the request."""

from __future__ import annotations

__all__ = ["leaked_runs", "reachable"]


def leaked_runs(text: str, secret: str, run: int = 8) -> list[str]:
    """Every ``run`` consecutive characters of ``secret`` that ``text`` contains, case ignored."""
    folded = text.lower()
    return [
        secret[i : i + run]
        for i in range(len(secret) - run + 1)
        if secret[i : i + run].lower() in folded
    ]


def reachable(exc: BaseException) -> list[object]:
    """Every object reachable from ``exc`` through causes, contexts, ``args`` and attributes."""
    found: list[object] = []
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        found.append(current)
        if isinstance(current, BaseException):
            todo += [current.__cause__, current.__context__, *current.args]
            todo += vars(current).values()
        elif isinstance(current, list | tuple | set | frozenset):
            todo += current
        elif isinstance(current, dict):
            todo += [*current.keys(), *current.values()]
    return found
