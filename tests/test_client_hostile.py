"""RocksetClient against a server that misbehaves on purpose: every call stays bounded.

Bounded in time (one deadline, whatever the server trickles), in memory (a size cap on bodies as
sent and decompressed), and in what it repeats (server text cleaned, the key redacted in every
shape, no exception holding the request and its Authorization header).
"""

from __future__ import annotations

import logging
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
import trustme

from devtools.net import free_port
from rockset_pulumi.client import RocksetClient
from rockset_pulumi.errors import (
    ApiError,
    AuthenticationError,
    ResponseTooLargeError,
    RocksetPulumiError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from rockset_pulumi.polling import PollPolicy
from tests.support.hostile import (
    Behaviour,
    HostileServer,
    Request,
    answer,
    endless_processing,
    gzip_bomb,
    gzipped,
    huge_body,
    json_answer,
    trickled_body,
    trickled_headers,
)
from tests.support.leaks import leaked_runs, reachable

KEY = "Xv93kQ7zLp2Wm8RtYb4NcJ6hGf1DsA0eQ9uI"
ONCE = PollPolicy(max_attempts=1)
MARGIN = 1.0
"""Seconds a call may take past its deadline: closing the connection, building the error."""
MEMORY = 8 << 20
"""Bytes a call may allocate at its peak while refusing a body many times that size."""
# What a terminal or a log viewer would act on, or that could start a forged line.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")

USER = b'{"email": "admin@example.com", "roles": ["admin"], "state": "ACTIVE"}'


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[HostileServer]:
    with HostileServer(tmp_path) as server:
        yield server


def client(server: HostileServer, **options: Any) -> RocksetClient:
    options.setdefault("ca_bundle", server.ca_bundle)
    return RocksetClient(server.url, KEY, **options)


def peak_memory(call: Callable[[], object]) -> tuple[int, BaseException | None]:
    """The most memory Python held while ``call`` ran, and what it raised."""
    tracemalloc.start()
    try:
        call()
    except RocksetPulumiError as exc:
        return tracemalloc.get_traced_memory()[1], exc
    finally:
        tracemalloc.stop()
    return 0, None


@pytest.mark.parametrize("behaviour", [trickled_headers, trickled_body, endless_processing])
def test_a_slow_answer_ends_at_the_deadline(hostile: HostileServer, behaviour: Behaviour) -> None:
    # Each byte comes far within the 5 s allowed per read: only the deadline can stop this.
    hostile.behaviour = behaviour
    started = time.monotonic()
    with (
        client(hostile, timeout=5.0, deadline=1.5) as rockset,
        pytest.raises(TransportError) as caught,
    ):
        rockset.current_user()
    assert time.monotonic() - started < 1.5 + MARGIN
    assert "timed out (no complete answer within the 1.5 s deadline)" in str(caught.value)
    # Sent from this machine: the hint asks about this machine's path to the endpoint.
    assert "is the endpoint reachable from here" in str(caught.value)


def test_the_timeout_bounds_a_whole_attempt(hostile: HostileServer) -> None:
    hostile.behaviour = trickled_body
    started = time.monotonic()
    with (
        client(
            hostile, timeout=0.5, deadline=None, retry=PollPolicy(max_attempts=2, initial=0.01)
        ) as rockset,
        pytest.raises(TransportError) as caught,
    ):
        rockset.current_user()
    assert time.monotonic() - started < 2 * 0.5 + MARGIN
    message = str(caught.value)
    assert "no complete answer within the 0.5 s timeout" in message
    assert "gave up after 2 attempt(s)" in message


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_huge_body_is_refused(hostile: HostileServer, declared: bool) -> None:
    hostile.behaviour = huge_body(100 << 20, declared=declared)
    with client(hostile, retry=ONCE) as rockset:
        peak, error = peak_memory(rockset.current_user)
    assert isinstance(error, ResponseTooLargeError)
    assert isinstance(error, UnexpectedResponseError) and error.status == 200
    assert "over 1 MiB" in str(error) and hostile.url in str(error)
    assert peak < MEMORY


def test_a_gzip_bomb_is_refused(hostile: HostileServer) -> None:
    bomb = gzip_bomb(64)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    hostile.behaviour = lambda _: [answer(200, bomb, headers)]
    with client(hostile, retry=ONCE) as rockset:
        peak, error = peak_memory(rockset.current_user)
    assert isinstance(error, ResponseTooLargeError)
    assert "once decompressed" in str(error)
    assert peak < MEMORY


def test_a_gzipped_answer_is_read(hostile: HostileServer) -> None:
    requests: list[Request] = []

    def behaviour(request: Request) -> list[bytes]:
        requests.append(request)
        return [gzipped(200, USER)]

    hostile.behaviour = behaviour
    with client(hostile) as rockset:
        assert rockset.current_user().email == "admin@example.com"
    assert "gzip" in requests[0].headers["accept-encoding"]


def test_a_body_in_an_unrequested_encoding_is_unexpected(hostile: HostileServer) -> None:
    hostile.behaviour = lambda _: [answer(200, USER, {"Content-Encoding": "br"})]
    with client(hostile) as rockset, pytest.raises(UnexpectedResponseError, match="br"):
        rockset.current_user()


def test_server_text_is_one_short_clean_line(hostile: HostileServer) -> None:
    message = (
        "\x1b[2J\x1b[31mboom\x1b[0m\r\n✔ Lockdown verified\n\u202etset\u202c\x07 " + "x" * 100_000
    )
    error_type = "Internal\x1b[1mError\r\nX"
    hostile.behaviour = lambda _: [json_answer(500, {"message": message, "type": error_type})]
    with client(hostile, retry=ONCE) as rockset, pytest.raises(ServerError) as caught:
        rockset.current_user()
    text = str(caught.value)
    assert CONTROLS.search(text) is None
    assert len(text) < 1000
    # Still there to read, but on the line of the error that carries it.
    assert "failed with 500 INTERNALERROR X: boom ✔ Lockdown verified tset x" in text
    assert caught.value.error_type == "INTERNALERROR X"


SHAPES: dict[str, Callable[[str], str]] = {
    "exact": lambda key: key,
    "suffixed": lambda key: f"{key}_",
    "upper-cased": str.upper,
    "lower-cased": str.lower,
    "truncated": lambda key: key[:-5],
    "tail": lambda key: key[-10:],
    "embedded": lambda key: f"token{key}xyz",
    "header": lambda key: f"Authorization: ApiKey {key}",
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_an_echo_of_the_key_is_redacted(
    hostile: HostileServer, shape: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    echo = shape(KEY)

    def behaviour(request: Request) -> list[bytes]:
        by_path = {
            "/": json_answer(200, {"message": echo}),
            "/v1/orgs/self/users/self": json_answer(
                401, {"message": f"invalid key {echo}", "type": f"AUTH_{echo}"}
            ),
            "/v1/orgs/self/ip/allowlist": answer(200, b"<html>", {"Content-Type": f"text/{echo}"}),
        }
        fallback = json_answer(503, {"message": f"overloaded for {echo}", "type": echo})
        return [by_path.get(request.path, fallback)]

    hostile.behaviour = behaviour
    caplog.set_level(logging.DEBUG)
    with client(hostile, retry=PollPolicy(max_attempts=2, initial=0.01)) as rockset:
        calls: list[Callable[[], object]] = [
            rockset.ping,
            rockset.current_user,
            rockset.list_ip_allowlist,
            lambda: rockset.get_ip_allowlist("office"),
        ]
        errors = []
        for call in calls:
            with pytest.raises(ApiError) as caught:
                call()
            errors.append(caught.value)
    assert [type(error) for error in errors] == [
        UnexpectedResponseError,
        AuthenticationError,
        UnexpectedResponseError,
        ServerError,
    ]
    assert all("<redacted>" in str(error) for error in errors)
    for error in errors:
        for part in reachable(error):
            assert leaked_runs(str(part), KEY) == []
            assert leaked_runs(repr(part), KEY) == []
    # httpx and httpcore log response headers as received, at INFO and DEBUG; this package's
    # own log lines carry no server text unredacted.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("rockset_pulumi"))
    assert "attempt 1 failed (status 503)" in ours
    assert leaked_runs(ours, KEY) == []


def trickle_timeout(server: HostileServer, tmp_path: Path) -> RocksetPulumiError:
    server.behaviour = trickled_headers
    with client(server, deadline=0.5) as rockset, pytest.raises(TransportError) as caught:
        rockset.current_user()
    return caught.value


def connection_refused(server: HostileServer, tmp_path: Path) -> RocksetPulumiError:
    url = f"https://127.0.0.1:{free_port()}"
    with (
        RocksetClient(url, KEY, retry=ONCE) as rockset,
        pytest.raises(TransportError) as caught,
    ):
        rockset.current_user()
    return caught.value


def unknown_ca(server: HostileServer, tmp_path: Path) -> RocksetPulumiError:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with (
        client(server, ca_bundle=str(other_ca)) as rockset,
        pytest.raises(TransportError) as caught,
    ):
        rockset.current_user()
    return caught.value


def unauthorized(server: HostileServer, tmp_path: Path) -> RocksetPulumiError:
    server.behaviour = lambda _: [json_answer(401, {"message": "no", "type": "AUTHEXCEPTION"})]
    with client(server) as rockset, pytest.raises(AuthenticationError) as caught:
        rockset.current_user()
    return caught.value


def too_large(server: HostileServer, tmp_path: Path) -> RocksetPulumiError:
    server.behaviour = huge_body(4 << 20, declared=False)
    with client(server) as rockset, pytest.raises(ResponseTooLargeError) as caught:
        rockset.current_user()
    return caught.value


@pytest.mark.parametrize(
    "failing", [trickle_timeout, connection_refused, unknown_ca, unauthorized, too_large]
)
def test_no_exception_holds_the_request(
    hostile: HostileServer,
    tmp_path: Path,
    failing: Callable[[HostileServer, Path], RocksetPulumiError],
) -> None:
    error = failing(hostile, tmp_path)
    request_types = (httpx.Request, httpx.Response, httpx.Headers, httpcore.Request)
    parts = reachable(error)
    assert not [part for part in parts if isinstance(part, request_types)]
    assert all(leaked_runs(repr(part), KEY) == [] for part in parts)
    if error.__cause__ is not None:
        # Its frames would hold the request: the cause is kept without them.
        assert error.__cause__.__traceback__ is None
