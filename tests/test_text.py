"""Server text made safe to show: no key in any shape, one short line, no controls."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rockset_pulumi.text import REDACTED, clean, redact
from tests.support import leaks
from tests.support.answers import FULLWIDTH, SEPARATORS, key_echoes

KEY = "Xv93kQ7zLp2Wm8RtYb4NcJ6hGf1DsA0e"


def leaked_runs(text: str) -> list[str]:
    return leaks.leaked_runs(text, KEY)


@pytest.mark.parametrize(
    "echo",
    [
        KEY,
        f"{KEY}_",
        f"ApiKey {KEY}",
        KEY.upper(),
        KEY.lower(),
        KEY[:12],
        KEY[-9:],
        KEY[5:20],
        f"token{KEY}suffix",
        f"{KEY[:10]}-{KEY[10:]}",
        f"{KEY}{KEY}",
    ],
)
def test_redact_catches_the_key_in_every_shape(echo: str) -> None:
    redacted = redact(f"invalid key '{echo}' for org", KEY)
    assert leaked_runs(redacted) == []
    assert redacted.startswith("invalid key '") and redacted.endswith("' for org")
    assert REDACTED in redacted


def test_redact_leaves_text_without_the_key_alone() -> None:
    text = "Authentication failed for user admin@example.com (check the key)"
    assert redact(text, KEY) == text
    # Seven characters in a row are too few to matter, and common in ordinary words.
    assert redact(f"prefix {KEY[:7]} suffix", KEY) == f"prefix {KEY[:7]} suffix"


def test_redact_a_short_secret_only_whole() -> None:
    assert redact("the key k3y was wrong", "k3y") == f"the key {REDACTED} was wrong"
    assert redact("the key k3 was wrong", "k3y") == "the key k3 was wrong"


def test_clean_makes_one_line_without_controls() -> None:
    hostile = (
        "\x1b[31mboom\x1b[0m\r\n✔ Lockdown verified\n"
        "\u202eevil\u202c \x1b]0;title\x07\x9b2J\x00\x07tail\u2028end"
    )
    cleaned = clean(hostile)
    assert cleaned == "boom ✔ Lockdown verified evil tail end"


def test_clean_shortens_long_text() -> None:
    cleaned = clean("word " * 10_000, limit=50)
    assert len(cleaned) <= 50 and cleaned.endswith("…")
    assert clean("short", limit=50) == "short"


def test_clean_marks_text_cut_before_it_was_cleaned() -> None:
    # Mostly escapes: after cleaning little is left, but the tail was never looked at.
    cleaned = clean("\x1b[0m" * 10_000 + "hidden tail", limit=40)
    assert cleaned == "…"


def test_clean_redacts_the_key() -> None:
    message = f"key {KEY.upper()}_ is not valid " + "x" * 1000
    assert clean(message, limit=20, secret=KEY) == f"key {REDACTED}_ is…"


def test_clean_redacts_a_key_split_by_escapes() -> None:
    split = "".join(f"\x1b[3{i % 8}m{KEY[i : i + 4]}" for i in range(0, len(KEY), 4))
    cleaned = clean(f"key {split} is not valid", secret=KEY)
    assert leaked_runs(cleaned) == []
    assert cleaned == f"key {REDACTED} is not valid"


def test_clean_bounds_the_work_on_a_huge_text() -> None:
    huge = KEY * 200_000
    cleaned = clean(huge, secret=KEY)
    assert len(cleaned) <= 300 and leaked_runs(cleaned) == []


@pytest.mark.parametrize("separator", SEPARATORS, ids=lambda s: f"U+{ord(s):04X}")
def test_a_key_spread_out_by_invisible_characters_is_redacted(separator: str) -> None:
    echo = f"invalid key {separator.join(KEY)} for org"
    for shown in (clean(echo, secret=KEY), redact(echo, KEY)):
        assert leaked_runs(shown) == [], shown
        assert REDACTED in shown


def test_the_fullwidth_key_is_redacted() -> None:
    for shown in (clean(f"key {KEY.translate(FULLWIDTH)}", secret=KEY), redact(KEY, KEY)):
        assert leaked_runs(shown) == []
        assert REDACTED in shown


def test_format_characters_are_dropped_not_turned_into_spaces() -> None:
    assert clean("ad\u00admin\u200b@exa\x00mple.com\u202e") == "admin@example.com"


def test_a_lone_surrogate_is_dropped() -> None:
    shown = clean("admin\ud800@example.com")
    assert shown == "admin@example.com"
    shown.encode("utf-8")
    assert redact("x\udfff", KEY) == "x"


@pytest.mark.parametrize("key", ['Ab"3\\kQ7/zLp%2Wm8+Rt&Yb=4Nc', 'q"w"e"r"t"y"u"i"o"p"a"s"d'])
def test_the_json_and_percent_encoded_key_is_redacted(key: str) -> None:
    for encoded in (json.dumps({"message": key}), quote(key, safe=""), quote(key).lower()):
        shown = redact(f"echo {encoded} end", key)
        assert leaks.leaked_runs(shown, key) == [], shown
        assert shown.startswith("echo ") and shown.endswith(" end")


def test_the_limit_holds_after_redaction() -> None:
    # Every redaction is longer than the eight characters it hides.
    text = " ".join(KEY[i : i + 8] for i in range(0, 24, 8)) * 30
    shown = clean(text, limit=50, secret=KEY)
    assert len(shown) <= 50 and leaked_runs(shown) == []


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(max_size=200),
    echo=key_echoes(KEY),
    after=st.text(max_size=200),
    limit=st.integers(1, 400),
)
def test_clean_never_shows_the_key_and_keeps_its_bounds(
    before: str, echo: str, after: str, limit: int
) -> None:
    shown = clean(before + echo + after, limit, secret=KEY)
    assert leaked_runs(shown) == []
    assert len(shown) <= limit
    assert all(c.isprintable() for c in shown), ascii(shown)
    shown.encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), echo=key_echoes(KEY))
def test_redact_never_shows_the_key_and_folds_the_text(text: str, echo: str) -> None:
    shown = redact(text[:150] + echo + text[150:], KEY)
    assert leaked_runs(shown) == []
    assert all(c.isprintable() or c.isspace() for c in shown), ascii(shown)
    shown.encode("utf-8")
