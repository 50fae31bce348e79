"""Hypothesis strategies for what a hostile server, proxy or probe function answers.

An answer is a status, raw header pairs and a raw body, as bytes: header values with non-ASCII
digits ("²", "①"), huge numbers, CR/LF, invalid UTF-8; bodies that are not UTF-8, JSON with lone
surrogates or nested deeper than any parser's stack, Rockset's shapes with the API key echoed in
it in the shapes a reader would still recognize (cut, another case, fullwidth, spread out by
characters a terminal does not show). :func:`mock_transport` serves a list of them in turn.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from hypothesis import strategies as st

__all__ = [
    "FULLWIDTH",
    "SEPARATORS",
    "Answer",
    "answers",
    "bodies",
    "header_values",
    "key_echoes",
    "mock_transport",
    "server_text",
]

FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
SEPARATORS = ["\u200b", "\u202e", "\x00", "\u00ad", "\u2060", "\ufeff", "\u0301", "\n", " "]
"""What a terminal shows as nothing, or as one space: between the key's characters, the key
still reads as the key."""
_CASES: list[Callable[[str], str]] = [str, str.upper, str.lower, str.swapcase]


def key_echoes(key: str) -> st.SearchStrategy[str]:
    """The key as a server might echo it: cut, in another case, fullwidth, spread out."""
    cut = st.tuples(st.integers(0, 4), st.integers(len(key) - 4, len(key))).map(
        lambda bounds: key[bounds[0] : bounds[1]]
    )
    cased = st.tuples(cut, st.sampled_from(_CASES)).map(lambda pair: pair[1](pair[0]))
    wide = st.tuples(cased, st.booleans()).map(
        lambda pair: pair[0].translate(FULLWIDTH) if pair[1] else pair[0]
    )
    return st.tuples(wide, st.sampled_from(["", *SEPARATORS, "\x1b[0m"])).map(
        lambda pair: pair[1].join(pair[0])
    )


def server_text(key: str) -> st.SearchStrategy[str]:
    """Any text (lone surrogates included), sometimes with the key echoed in it."""
    echoed = st.tuples(st.text(max_size=20), key_echoes(key), st.text(max_size=20)).map("".join)
    return st.one_of(st.text(max_size=60), echoed)


_NUMBERS = [
    "²",
    "①",
    "٣",
    "\U0001d7d7",  # MATHEMATICAL BOLD DIGIT NINE
    "9" * 5000,
    "1" * 20,
    "-1",
    "1.5",
    "0",
    "",
    " 1 ",
    "1\r\n2",
    "1\r\nX-Injected: yes",
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Mon, 01 Jan 99999 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 +9999",
    "Sunday, 06-Nov-94 08:49:37 GMT",
]


def header_values(key: str) -> st.SearchStrategy[bytes]:
    """Raw header values: numbers no parser expects, dates, CR/LF, any text in UTF-8 or Latin-1
    (where it fits), any bytes."""
    text = st.one_of(st.sampled_from(_NUMBERS), server_text(key))
    return st.one_of(
        text.map(lambda value: value.encode("utf-8", "surrogatepass")),
        text.filter(lambda value: all(ord(c) < 256 for c in value)).map(
            lambda value: value.encode("latin-1")
        ),
        st.binary(max_size=40),
    )


def _json_values(key: str) -> st.SearchStrategy[object]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        server_text(key),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(server_text(key), inner, max_size=4)
        ),
        max_leaves=12,
    )


def _rockset_shapes(key: str) -> st.SearchStrategy[object]:
    text = server_text(key)
    maybe = st.one_of(st.none(), text, st.integers())
    user = st.fixed_dictionaries(
        {"email": text, "roles": st.one_of(st.lists(text, max_size=3), maybe)},
        optional={"state": maybe, "first_name": maybe, "created_at": maybe},
    )
    entry = st.fixed_dictionaries(
        {"name": text, "ip_address": text}, optional={"description": maybe, "creator_email": maybe}
    )
    error = st.fixed_dictionaries({}, optional={"message": maybe, "type": maybe})
    return st.one_of(
        st.just({"message": "GO ROCKSET!"}),
        st.just({"email": "admin\ud800@example.com", "roles": [], "state": "ACTIVE"}),
        user,
        st.fixed_dictionaries({"data": st.one_of(st.lists(entry, max_size=3), entry, maybe)}),
        error,
        _json_values(key),
    )


def bodies(key: str) -> st.SearchStrategy[bytes]:
    """Raw bodies: Rockset's shapes and any JSON (surrogates escaped as JSON allows), deep
    nesting, invalid UTF-8, any bytes."""
    documents = _rockset_shapes(key).map(lambda doc: json.dumps(doc).encode("ascii"))
    deep = st.integers(1, 120_000).map(lambda depth: b"[" * depth + b"]" * depth)
    deep_open = st.integers(1, 120_000).map(lambda depth: b'{"a":' * depth)
    return st.one_of(
        documents,
        documents.map(lambda body: body.replace(b"\\ud800", b"\xed\xa0\x80")),
        deep,
        deep_open,
        st.binary(max_size=200),
    )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


_HEADER_NAMES = [
    b"Retry-After",
    b"Content-Length",
    b"Content-Type",
    b"Content-Encoding",
    b"X-Echo",
]


def answers(key: str) -> st.SearchStrategy[Answer]:
    """One answer; statuses lean to those the client treats apart (2xx, 401, 404, 429, 5xx)."""
    status = st.one_of(
        st.sampled_from([200, 201, 401, 403, 404, 409, 429, 500, 502, 503, 504]),
        st.integers(100, 999),
    )
    headers = st.lists(
        st.tuples(
            st.one_of(st.sampled_from(_HEADER_NAMES), st.just(b"X-Echo")), header_values(key)
        ),
        max_size=4,
    )

    def build(status: int, pairs: list[tuple[bytes, bytes]], body: bytes, gz: bool) -> Answer:
        if gz:
            body = gzip.compress(body)
            pairs = [*pairs, (b"Content-Encoding", b"gzip")]
        return Answer(status, tuple(pairs), body)

    return st.builds(build, status, headers, bodies(key), st.booleans())


def mock_transport(served: Sequence[Answer]) -> httpx.MockTransport:
    """Serves ``served`` in turn, the last one again and again."""
    count = [0]

    def handle(_request: httpx.Request) -> httpx.Response:
        answer = served[min(count[0], len(served) - 1)]
        count[0] += 1
        return httpx.Response(
            answer.status, headers=list(answer.headers), stream=httpx.ByteStream(answer.body)
        )

    return httpx.MockTransport(handle)
