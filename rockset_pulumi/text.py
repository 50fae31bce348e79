"""Text from the other side, made safe to show: without the key, one short line, no controls.

Whatever a server (or anything in between) sends back may end up in an exception, a log line or a
Pulumi output. It can be huge, carry terminal escapes or line breaks that forge output such as a
"✔ Lockdown verified" line, or echo the API key::

    clean(server_message, secret=api_key)

redacts the key from the text exactly as received (upper-casing it first, say, could turn an echo
of the key into a form that no longer matches), then makes it one short line.
"""

from __future__ import annotations

import re

__all__ = ["MIN_SECRET_RUN", "REDACTED", "clean", "redact"]

REDACTED = "<redacted>"
MIN_SECRET_RUN = 8
"""Consecutive characters of a secret that :func:`redact` treats as a leak. Fewer do not narrow
down a 64-character key, and matching them would mangle ordinary words."""

# ECMA-48 escape sequences: CSI (colours, cursor moves), OSC (window titles, hyperlinks), the
# one-character ones, and CSI in its single-byte C1 form. Dropped whole, so that no "[31m" is left.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0 and C1 controls (CR, LF, ESC, ...), and the invisible characters that reorder or hide text:
# bidi marks, embeddings, overrides and isolates, zero-width characters, line and paragraph
# separators, the byte order mark.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+")
_SCAN_FACTOR = 8
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def clean(text: str, limit: int = 300, *, secret: str | None = None) -> str:
    """``text`` as one line of at most ``limit`` characters, without control characters.

    With ``secret``, :func:`redact` runs first, on the text as received. Escape sequences are then
    dropped, other controls and runs of white space become one space, and a longer text is cut,
    ending in "…".
    """
    if limit < 1:
        raise ValueError(f"limit is {limit!r}; pass 1 or more")
    # What lies this far in cannot be shown anyway, unless controls made up nearly all of what
    # came before; cutting it off first bounds the work on a huge text. A secret cut in two here
    # leaves fewer than MIN_SECRET_RUN of its characters before the cut, or is still redacted.
    scanned = limit * _SCAN_FACTOR
    cut = len(text) > scanned
    text = text[:scanned]
    if secret:
        text = redact(text, secret)
    text = _ESCAPES.sub("", text)
    if secret:
        # Dropping escapes joins what was around them, such as a key split up by colour codes.
        text = redact(text, secret)
    text = " ".join(_CONTROLS.sub(" ", text).split())
    if cut or len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def redact(text: str, secret: str, *, min_run: int = MIN_SECRET_RUN) -> str:
    """``text`` with every part of ``secret`` that it contains replaced by :data:`REDACTED`.

    A part is any ``min_run`` or more consecutive characters of the secret, ASCII letters compared
    without case: so the key is caught whole, cut short, upper-cased or run into other characters.
    A secret shorter than ``min_run`` is redacted wherever it occurs whole. The work grows with
    ``len(text)``: :func:`clean` bounds it for text that only needs to be shown.
    """
    if not secret:
        return text
    run = min(min_run, len(secret))
    # Lower-casing ASCII only keeps every index of ``folded`` that of the same character in
    # ``text`` (str.lower can change the length of some non-ASCII text).
    folded_secret = secret.translate(_ASCII_LOWER)
    parts = {folded_secret[i : i + run] for i in range(len(secret) - run + 1)}
    folded = text.translate(_ASCII_LOWER)
    spans: list[list[int]] = []
    for start in range(len(folded) - run + 1):
        if folded[start : start + run] in parts:
            if spans and start <= spans[-1][1]:
                spans[-1][1] = start + run
            else:
                spans.append([start, start + run])
    if not spans:
        return text
    pieces: list[str] = []
    done = 0
    for start, end in spans:
        pieces += [text[done:start], REDACTED]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)
