"""No answer crashes a check or unmasks the key: property tests over generated answers.

Whatever a server, a proxy or the probe function answers (any status, header values with
non-ASCII digits, huge numbers or CR/LF, bodies that are not UTF-8, carry lone surrogates or nest
deeper than any parser's stack, the key echoed in the shapes a reader still recognizes), the
client, steps 3 to 5 through their lifecycles, ``verify`` and the relay raise nothing but the
package's own errors, with a message of bounded length that shows no part of the key, and end by
their deadline. ``verify`` exits 0 or 1 and prints what an ASCII terminal can show.
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rockset_pulumi.cli import EXIT_FAILED, EXIT_OK, main
from rockset_pulumi.client import RocksetClient
from rockset_pulumi.errors import RocksetPulumiError
from rockset_pulumi.lifecycle import (
    AllowlistLifecycle,
    ConnectivityLifecycle,
    Lifecycle,
    LockdownLifecycle,
)
from rockset_pulumi.polling import PollPolicy
from rockset_pulumi.vpc_probe.handler import ERROR_KINDS
from rockset_pulumi.vpc_probe.relay import LambdaRelayTransport
from rockset_pulumi.vpc_probe.spec import RelaySpec
from tests.support.answers import (
    Answer,
    answers,
    bodies,
    header_values,
    mock_transport,
    server_text,
)
from tests.support.leaks import leaked_runs

# Characters that JSON ('"', '\\') and percent-encoding ('%', '/', '"', '\\') write otherwise.
KEY = 'Xv93"kQ7z\\Lp2Wm8%Rt/Yb4NcJ6hGf1DsA0e'
PUBLIC = "https://api.rockset.test"
PRIVATELINK = "https://privatelink.rockset.test"
DEADLINE = 1.0
# Scheduling slack on a loaded 2-core runner (seen: 3.5 s past the deadline under make test's
# three workers); a call that ignored the deadline would wait out a Retry-After of up to 30 s.
MARGIN = 6.0
"""Seconds a call or a check may take past its deadline: threads, closing, building the error."""
MESSAGE_LIMIT = 4000
"""Characters of any message: the longest (step 3's diagnosis) is held to 2000."""
SLOW = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RETRY_AFTER_TWO = Answer(429, ((b"Retry-After", "²".encode()),), b"{}")
RETRY_AFTER_ONE = Answer(429, ((b"Retry-After", "①".encode()),), b"{}")
RETRY_AFTER_LATIN_1 = Answer(429, ((b"Retry-After", b"\xb2"),), b"{}")
PING = Answer(200, (), b'{"message": "GO ROCKSET!"}')
SURROGATE_USER = Answer(200, (), b'{"email": "admin\\ud800@example.com", "roles": []}')
SPREAD_KEY_USER = Answer(
    200, (), json.dumps({"email": "\u200b".join(KEY), "state": "\u202e".join(KEY)}).encode()
)


def shown_safely(text: str) -> None:
    """``text`` may reach a user: no part of the key, bounded, encodable."""
    assert leaked_runs(text, KEY) == [], text
    assert len(text) <= MESSAGE_LIMIT
    text.encode("utf-8")


def served_lists() -> st.SearchStrategy[list[Answer]]:
    return st.lists(answers(KEY), min_size=1, max_size=3)


def retry() -> PollPolicy:
    return PollPolicy(max_attempts=3, timeout=DEADLINE, initial=0.01, ceiling=0.05)


CALLS: dict[str, Callable[[RocksetClient], object]] = {
    "ping": RocksetClient.ping,
    "current_user": RocksetClient.current_user,
    "list": RocksetClient.list_ip_allowlist,
    "create": lambda client: client.create_ip_allowlist("office", "203.0.113.0/24", "mark"),
    "delete": lambda client: client.delete_ip_allowlist("office"),
}


def run_call(client: RocksetClient, call: str) -> None:
    started = time.monotonic()
    with client:
        try:
            CALLS[call](client)
        except RocksetPulumiError as exc:
            shown_safely(str(exc))
    assert time.monotonic() - started <= DEADLINE + MARGIN


@settings(SLOW, max_examples=150)
@given(served=served_lists(), call=st.sampled_from(sorted(CALLS)))
@example(served=[RETRY_AFTER_TWO], call="current_user")
@example(served=[RETRY_AFTER_ONE], call="ping")
@example(served=[RETRY_AFTER_LATIN_1], call="list")
@example(served=[Answer(200, ((b"Content-Length", b"\xb2"),), b"{}")], call="ping")
@example(served=[Answer(200, ((b"Content-Length", b"9" * 5000),), b"{}")], call="ping")
@example(served=[Answer(200, (), b"[" * 990 + b"]" * 990)], call="ping")
def test_the_client_raises_only_its_own_errors(served: list[Answer], call: str) -> None:
    client = RocksetClient(
        PRIVATELINK, KEY, transport=mock_transport(served), deadline=DEADLINE, retry=retry()
    )
    run_call(client, call)


ASCII_NUMBER = re.compile(r"[ \t]*([0-9]+)[ \t]*", re.ASCII)


@settings(SLOW, max_examples=200)
@given(
    value=st.one_of(
        st.integers(0, 10**30).map(lambda number: str(number).encode()),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
            lambda when: format_datetime(when.replace(tzinfo=UTC), usegmt=True).encode()
        ),
        header_values(KEY),
    )
)
@example(value="²".encode())
@example(value="①".encode())
@example(value=b"\xb2")
@example(value=b"9" * 5000)
@example(value=b"Sun, 06 Nov 1994 08:49:37 GMT")
def test_a_429s_retry_after_is_honoured_up_to_30_s_as_ascii_digits_or_a_date(value: bytes) -> None:
    waits: list[float] = []
    limited = Answer(429, ((b"Retry-After", value),), b"{}")
    client = RocksetClient(
        PRIVATELINK,
        KEY,
        transport=mock_transport([limited, PING]),
        deadline=None,
        retry=PollPolicy(max_attempts=2, initial=0.01, ceiling=0.01),
        sleep=waits.append,
    )
    with client:
        client.ping()
    [wait] = waits
    assert 0.01 <= wait <= 30
    number = ASCII_NUMBER.fullmatch(value.decode("latin-1"))
    if number is not None:
        digits = number[1].lstrip("0") or "0"
        assert wait == max(0.01, 30 if len(digits) > 2 else min(int(digits), 30))
    elif not value.isascii():
        assert wait == 0.01


@contextmanager
def rockset_answering(served: Sequence[Answer]) -> Iterator[None]:
    """Every client the package makes (both endpoints) gets ``served``, in turn."""
    transport = mock_transport(served)

    def client(*args: Any, **kwargs: Any) -> RocksetClient:
        return RocksetClient(*args, **{**kwargs, "transport": transport})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("rockset_pulumi.client.RocksetClient", client)
        yield


PROPS: dict[str, Any] = {
    "public_url": PUBLIC,
    "privatelink_url": PRIVATELINK,
    "api_key": KEY,
    "ca_bundle": None,
    "probe": None,
    "timeout": 0.5,
    "public_may_refuse_key": False,
    "dns_expectation": None,
    "admin_cidrs": {"office": "203.0.113.0/24"},
    "entries": {"office": "203.0.113.0/24"},
    "owner": "dev/urn:pulumi:dev::p::rockset:index:PrivateLink$IpAllowlist::a",
    "generation": "0a1b2c3d",
}
STEPS: dict[str, tuple[Lifecycle, str]] = {
    "step 3 create": (ConnectivityLifecycle(), "create"),
    "step 4 create": (AllowlistLifecycle(), "create"),
    "step 4 read": (AllowlistLifecycle(), "read"),
    "step 4 delete": (AllowlistLifecycle(), "delete"),
    "step 5 create": (LockdownLifecycle(), "create"),
    "step 5 read": (LockdownLifecycle(), "read"),
}
SHORT_WAIT_SECONDS = 0.3
SHORT_WAIT = PollPolicy(timeout=SHORT_WAIT_SECONDS, initial=0.05, ceiling=0.1)
STEP_TIME = 0.5 + 60.0
"""Step 4's calls have the client's 60 s deadline; the answers here end them far sooner."""


@settings(SLOW, max_examples=60)
@given(
    served=served_lists(),
    step=st.sampled_from(sorted(STEPS)),
    refuse=st.booleans(),
)
@example(served=[PING, RETRY_AFTER_TWO], step="step 3 create", refuse=False)
@example(served=[PING, SURROGATE_USER], step="step 3 create", refuse=False)
@example(served=[PING, SPREAD_KEY_USER], step="step 3 create", refuse=False)
def test_the_checks_raise_only_the_packages_errors_and_output_no_key(
    served: list[Answer], step: str, refuse: bool
) -> None:
    lifecycle, method = STEPS[step]
    props = {**PROPS, "public_may_refuse_key": refuse}
    started = time.monotonic()
    with rockset_answering(served):
        try:
            if method == "create":
                done: object = lifecycle.create(props).outputs
            else:
                done = getattr(lifecycle, method)(props)
        except RocksetPulumiError as exc:
            shown_safely(str(exc))
            done = None
    assert time.monotonic() - started <= STEP_TIME
    if isinstance(done, dict):
        done = {name: value for name, value in done.items() if name != "api_key"}
    shown = json.dumps(done, ensure_ascii=False)
    assert leaked_runs(shown, KEY) == []
    shown.encode("utf-8")


@settings(SLOW, max_examples=60)
@given(
    served=served_lists(),
    lockdown=st.booleans(),
    as_json=st.booleans(),
    encoding=st.sampled_from(["utf-8", "ascii"]),
)
@example(served=[PING, RETRY_AFTER_TWO], lockdown=False, as_json=False, encoding="utf-8")
@example(served=[PING, SURROGATE_USER], lockdown=False, as_json=False, encoding="utf-8")
@example(served=[PING, SPREAD_KEY_USER], lockdown=False, as_json=False, encoding="utf-8")
@example(served=[PING, SPREAD_KEY_USER], lockdown=False, as_json=True, encoding="utf-8")
def test_verify_exits_0_or_1_and_prints_what_the_terminal_can_show(
    served: list[Answer], lockdown: bool, as_json: bool, encoding: str
) -> None:
    stdout = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")
    argv = ["verify", "--public-url", PUBLIC, "--privatelink-url", PRIVATELINK, "--timeout", "1"]
    argv += ["--expect-lockdown"] * lockdown + ["--json"] * as_json
    started = time.monotonic()
    with rockset_answering(served), pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdout", stdout)
        # The shortest --timeout is 1 s; waiting less keeps the examples coming.
        patch.setattr("rockset_pulumi.steps.waiting", lambda _timeout: SHORT_WAIT)
        code = main(argv, {"ROCKSET_APIKEY": KEY})
    assert time.monotonic() - started <= 2 * SHORT_WAIT_SECONDS + MARGIN
    assert code in (EXIT_OK, EXIT_FAILED)
    stdout.flush()
    assert isinstance(stdout.buffer, io.BytesIO)
    printed = stdout.buffer.getvalue().decode(encoding)
    assert leaked_runs(printed, KEY) == []
    if as_json:
        assert json.loads(printed)["ok"] is (code == EXIT_OK)
    else:
        assert printed.rstrip("\n").endswith(("All checks hold.", "checks did not hold."))


@dataclass(frozen=True)
class FakeLambda:
    """boto3's Lambda client, answering every ``Invoke`` alike."""

    payload: bytes
    function_error: str | None
    raises: Exception | None

    def invoke(self, **_request: object) -> dict[str, object]:
        if self.raises is not None:
            raise self.raises
        return {"Payload": io.BytesIO(self.payload), "FunctionError": self.function_error}

    def close(self) -> None:
        return


def _relayed(answer: Answer) -> object:
    return {
        "status": answer.status,
        "headers": [
            [name.decode("latin-1"), value.decode("latin-1")] for name, value in answer.headers
        ],
        "body": base64.b64encode(answer.body).decode("ascii"),
    }


def function_payloads() -> st.SearchStrategy[bytes]:
    """What the probe function (or something in its place) returns."""
    text = server_text(KEY)
    anything = st.one_of(st.none(), st.booleans(), st.integers(), text)
    documents = st.one_of(
        answers(KEY).map(_relayed),
        st.fixed_dictionaries(
            {
                "error": st.fixed_dictionaries(
                    {"kind": st.one_of(st.sampled_from(ERROR_KINDS), text)},
                    optional={"message": anything, "sent": anything},
                )
            }
        ),
        st.fixed_dictionaries({}, optional={"errorType": anything, "errorMessage": anything}),
        st.fixed_dictionaries(
            {}, optional={"status": anything, "headers": anything, "body": anything}
        ),
    )
    return st.one_of(documents.map(lambda doc: json.dumps(doc).encode("ascii")), bodies(KEY))


def lambda_errors() -> st.SearchStrategy[Exception | None]:
    text = server_text(KEY)
    return st.one_of(
        st.none(),
        st.builds(
            lambda code, message: ClientError(
                {"Error": {"Code": code, "Message": message}}, "Invoke"
            ),
            st.one_of(st.sampled_from(["AccessDeniedException", "TooManyRequestsException"]), text),
            text,
        ),
    )


@settings(SLOW, max_examples=150)
@given(
    payload=function_payloads(),
    function_error=st.one_of(st.none(), server_text(KEY)),
    raises=lambda_errors(),
    call=st.sampled_from(sorted(CALLS)),
)
@example(
    payload=json.dumps(_relayed(RETRY_AFTER_LATIN_1)).encode(),
    function_error=None,
    raises=None,
    call="current_user",
)
@example(
    payload=json.dumps({"errorType": "Boom", "errorMessage": "\u200b".join(KEY)}).encode(),
    function_error="Unhandled",
    raises=None,
    call="ping",
)
def test_the_relay_raises_only_the_packages_errors(
    payload: bytes, function_error: str | None, raises: Exception | None, call: str
) -> None:
    relay = LambdaRelayTransport(
        RelaySpec("rockset-probe-0a1b", "eu-central-1"), ca_bundle=None, secret=KEY
    )
    fake = FakeLambda(payload, function_error, raises)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(relay, "_client", lambda _deadline: fake)
        client = RocksetClient(
            PRIVATELINK,
            KEY,
            transport=relay,
            sent_from=relay.sent_from,
            deadline=DEADLINE,
            retry=retry(),
        )
        run_call(client, call)
