"""Text from the other side, made safe to show: without the key, one short line, no controls.

Whatever a server (or anything in between) sends back may end up in an exception, a log line or a
Pulumi output. It can be huge, carry terminal escapes or line breaks that forge output such as a
"✔ Lockdown verified" line, lone surrogates that no output stream can encode, or echo the API
key, whole or spread out by characters a terminal does not show::

    clean(server_message, secret=api_key)

drops escape sequences, folds the text (:func:`fold`: compatibility forms such as fullwidth
letters become the characters they show; control, format and surrogate characters are dropped,
not turned into spaces), makes it one line, and redacts the key last (:func:`redact`), so that
nothing done to the text afterwards can bring the key back together: shortening keeps a prefix,
which holds no more of the key than the whole did. Text that keeps its lines (``verify``'s
output) goes through :func:`redact` alone, which folds first too.
"""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import quote

__all__ = ["MIN_SECRET_RUN", "REDACTED", "SHOWN_LIMIT", "clean", "fold", "redact", "shown"]

REDACTED = "<redacted>"
MIN_SECRET_RUN = 8
"""Consecutive characters of a secret that :func:`redact` treats as a leak. Fewer do not narrow
down a 64-character key, and matching them would mangle ordinary words."""

SHOWN_LIMIT = 60
"""Characters of a refused value that :func:`shown` keeps: more than any AWS id or Rockset URL
the user meant to type, few enough for one line of a message."""

# ECMA-48 escape sequences: CSI (colours, cursor moves), OSC (window titles, hyperlinks), the
# one-character ones, and CSI in its single-byte C1 form. Dropped whole, so that no "[31m" is left.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# Combining marks show on the character before them: a key with one after each character still
# reads as the key.
_MARKS = frozenset({"Mn", "Me"})
_SCAN_FACTOR = 8
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _shows(char: str) -> bool:
    # Not printable: controls, format characters (U+200B, U+202E, U+00AD ...), surrogates,
    # private-use and unassigned code points; white space (not printable either, but for the
    # space) is kept, as a separator.
    return char.isprintable() or char.isspace()


def fold(text: str) -> str:
    """``text`` as it shows: NFKC-normalized, without control, format, surrogate, private-use or
    unassigned characters. White space is kept."""
    if text.isascii() and text.isprintable():
        return text
    kept = "".join(filter(_shows, text))
    # Normalizing can join what a dropped character separated; dropping again is cheap.
    return "".join(filter(_shows, unicodedata.normalize("NFKC", kept)))


def shown(value: object, limit: int = SHOWN_LIMIT) -> object:
    """``value`` as a refusal may show it, whatever the user passed: a string of at most
    ``limit`` characters (cut short, it ends in "…"), each character that does not show
    (controls and line breaks, format characters such as U+200B, surrogates) written as
    ``<U+200B>``, so that the mistake is visible however the message is rendered; None, a bool,
    a float or a small int as it is; anything else as its type (a list or a large integer could
    be any size)."""
    if isinstance(value, str):
        pieces: list[str] = []
        size = 0
        for char in value:
            piece = char if char.isprintable() else f"<U+{ord(char):04X}>"
            size += len(piece)
            if size > limit:
                return "".join(pieces) + "…"
            pieces.append(piece)
        return "".join(pieces)
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int) and value.bit_length() <= 64:
        return value
    return f"<{type(value).__name__}>"


def clean(text: str, limit: int = 300, *, secret: str | None = None) -> str:
    """``text`` as one line of at most ``limit`` characters, folded, with ``secret`` redacted.

    Escape sequences are dropped, the text folded (:func:`fold`), runs of white space made one
    space, ``secret`` redacted (:func:`redact`), and a longer text cut, ending in "…".
    """
    if limit < 1:
        raise ValueError(f"limit is {limit!r}; pass 1 or more")
    # What lies this far in cannot be shown anyway, unless controls made up nearly all of what
    # came before; cutting it off first bounds the work on a huge text (and again once folding
    # has expanded it). A secret cut in two here leaves fewer than MIN_SECRET_RUN of its
    # characters before the cut, or is still redacted.
    scanned = limit * _SCAN_FACTOR
    cut = len(text) > scanned
    text = " ".join(fold(_ESCAPES.sub("", text[:scanned])).split())
    cut = cut or len(text) > scanned
    if secret:
        text = _redact_folded(text[:scanned], secret, MIN_SECRET_RUN)
    if cut or len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def redact(text: str, secret: str, *, min_run: int = MIN_SECRET_RUN) -> str:
    """``text`` folded (:func:`fold`), with every part of ``secret`` it shows replaced by
    :data:`REDACTED`.

    A part is any ``min_run`` or more consecutive characters of the secret, as given or in the
    forms JSON and percent-encoding give it, ASCII letters compared without case, white space and
    combining marks between its characters passed over: so the key is caught whole, cut short,
    upper-cased, run into other characters or spread out. A secret shorter than ``min_run`` is
    redacted wherever it occurs whole. The work grows with ``len(text)``: :func:`clean` bounds it
    for text that only needs to be shown.
    """
    return _redact_folded(fold(text), secret, min_run)


def _matched(text: str) -> tuple[list[int], str]:
    """What matching looks at in ``text``, and where each of its characters came from.

    White space is passed over, and so are combining marks, those the text has and those that
    NFKC composed into a letter ("v" and U+0301 are "v́"), as a reader reads past them. ASCII
    letters are lower-cased only: that keeps one character per character (str.lower can change
    the length of some text).
    """
    origins: list[int] = []
    chars: list[str] = []
    for i, char in enumerate(text):
        if char.isspace():
            bases = ""
        elif char.isascii():
            bases = char
        else:
            decomposed = unicodedata.normalize("NFD", char)
            bases = "".join(c for c in decomposed if unicodedata.category(c) not in _MARKS)
        origins += [i] * len(bases)
        chars.append(bases)
    return origins, "".join(chars).translate(_ASCII_LOWER)


def _parts(secret: str, min_run: int) -> dict[int, set[str]]:
    """Run length -> the runs of that length of each form of ``secret``, as matched."""
    forms = {secret, json.dumps(secret)[1:-1], quote(secret, safe="")}
    parts: dict[int, set[str]] = {}
    for form in forms:
        _, folded = _matched(fold(form))
        run = min(min_run, len(folded))
        if run:
            found = parts.setdefault(run, set())
            found.update(folded[i : i + run] for i in range(len(folded) - run + 1))
    return parts


def _redact_folded(text: str, secret: str, min_run: int) -> str:
    if not secret:
        return text
    kept, skeleton = _matched(text)
    found: list[tuple[int, int]] = []
    for run, parts in _parts(secret, min_run).items():
        found += [
            (kept[start], kept[start + run - 1] + 1)
            for start in range(len(skeleton) - run + 1)
            if skeleton[start : start + run] in parts
        ]
    if not found:
        return text
    spans: list[list[int]] = []
    for start, end in sorted(found):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        pieces += [text[done:start], REDACTED]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)
