"""``rockset-privatelink verify`` as a user runs it: a subprocess against the emulator over HTTPS.

Every run checks that the key shows up in neither output stream, whatever the server echoes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from devtools.vpc import VPC_ONLY_HOST, inside_vpc
from rockset_pulumi.allowlist import Owner
from rockset_pulumi.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, VERIFY_FIXES
from rockset_pulumi.steps import reconcile_allowlist
from tests.conftest import EmulatorFactory
from tests.support.emulator import RunningEmulator
from tests.support.hostile import Behaviour, HostileServer, Request, answer, json_answer
from tests.support.leaks import leaked_runs

SCRIPT = Path(sys.executable).parent / "rockset-privatelink"
KEY = "rs-cli-Zq8Wv3Nn5Tt1Kk7Pp2Yy4Rr6Mm9Hh0Jj"
USERS = "/v1/orgs/self/users/self"
OFFICE = "office=203.0.113.0/24"


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def document(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.stdout)
        return parsed


def verify(
    *args: str, key: str | None, module: bool = False, pasted: tuple[str, ...] = (), **env: str
) -> Run:
    """``verify`` with ``key`` in ROCKSET_APIKEY (unset for None); neither output stream may
    show any part of ``key``, or of the ``pasted`` keys (put elsewhere on the command line)."""
    command = [sys.executable, "-m", "rockset_pulumi"] if module else [str(SCRIPT)]
    environ = {k: v for k, v in os.environ.items() if k != "ROCKSET_APIKEY"}
    if key is not None:
        environ["ROCKSET_APIKEY"] = key
    done = subprocess.run(
        [*command, "verify", *args],
        env={**environ, **env},
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=240,
        check=False,
    )
    for secret in [key, *pasted]:
        for stream in (done.stdout, done.stderr):
            assert secret is None or leaked_runs(stream, secret) == []
    assert "Traceback" not in done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


def where(emu: RunningEmulator, privatelink_url: str | None = None) -> list[str]:
    return [
        "--public-url",
        emu.public_url,
        "--privatelink-url",
        privatelink_url or emu.privatelink_url,
        "--ca-bundle",
        emu.ca_bundle,
    ]


def test_verify_passes_where_both_endpoints_answer(emulator: RunningEmulator) -> None:
    run = verify(*where(emulator), key=emulator.api_key)
    assert run.code == EXIT_OK, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == (
        f"rockset-privatelink verify: public {emulator.public_url}, PrivateLink "
        f"{emulator.privatelink_url}"
    )
    assert lines[1].startswith("PASS    step 3  connectivity: PrivateLink ")
    assert "accepted the key (user admin@example.com" in lines[1]
    assert lines[-1] == "All checks hold."
    assert run.stderr == ""


def test_json_gives_each_check_and_what_it_observed(emulator: RunningEmulator) -> None:
    run = verify(*where(emulator), "--json", key=emulator.api_key, module=True)
    assert run.code == EXIT_OK, run.stderr
    document = run.document()
    assert document["ok"] is True
    assert document["diagnosis"] is False
    assert document["privatelink_url"] == emulator.privatelink_url
    [check] = document["checks"]
    assert (check["step"], check["name"], check["status"], check["error"]) == (
        3,
        "connectivity",
        "pass",
        None,
    )
    assert check["result"]["privatelink"]["authenticated"] is True
    assert check["result"]["public"]["reachable"] is True


def test_a_lockdown_that_holds_passes_step_5(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    reconcile_allowlist(emu.api, {"office": "203.0.113.0/24"}, Owner("org/p/s/r-allowlist"))
    run = verify(*where(emu), "--expect-lockdown", "--admin-cidr", OFFICE, key=emu.api_key)
    assert run.code == EXIT_OK, run.stdout
    assert "refuses the key, as lockdown expects" in run.stdout
    assert "PASS    step 5  lockdown: public " in run.stdout
    # Read-only: the only writes are the test's own.
    writes = [r for r in emu.requests() if r["method"] in ("POST", "DELETE")]
    assert len(writes) == 1


def test_an_open_public_endpoint_fails_step_5_with_the_components_hint(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    args = (*where(emu), "--expect-lockdown", "--admin-cidr", OFFICE, "--timeout", "1", "--json")
    run = verify(*args, key=emu.api_key)
    assert run.code == EXIT_FAILED
    document = run.document()
    assert document["ok"] is False
    step3, step5 = document["checks"]
    assert step3["status"] == "pass"
    assert step5["status"] == "fail"
    assert "should refuse the API key (Authentication Failure) but accepted it" in step5["error"]
    assert "admin_cidrs (office=203.0.113.0/24)" in step5["error"]
    assert step5["error"].startswith("Step 5 failed after 1 s")
    assert [r for r in emu.requests() if r["method"] in ("POST", "DELETE")] == []


def test_outside_the_vpc_it_gives_the_diagnosis_and_skips_step_5(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory(tls_name=[VPC_ONLY_HOST])
    args = [
        *where(emu, inside_vpc(emu.privatelink_url)),
        "--endpoint-address",
        "10.0.2.33",
        "--endpoint-address",
        "10.0.1.17",
        "--timeout",
        "2",
        "--expect-lockdown",
    ]
    run = verify(*args, key=emu.api_key)
    assert run.code == EXIT_FAILED
    assert "FAIL    step 3  connectivity: step 3 failed" in run.stdout
    assert f"{VPC_ONLY_HOST} does not resolve on this machine" in run.stdout
    assert "network interfaces are at 10.0.1.17, 10.0.2.33" in run.stdout
    assert VERIFY_FIXES in run.stdout
    assert "SKIPPED step 5  lockdown: not run: step 3 failed" in run.stdout
    assert run.stdout.endswith("2 of 2 checks did not hold.\n")


@contextmanager
def two_servers(
    directory: Path, behaviour: Behaviour
) -> Iterator[tuple[HostileServer, HostileServer, str]]:
    """Two servers (public and PrivateLink) behaving alike, and one CA bundle for both."""
    (directory / "a").mkdir()
    (directory / "b").mkdir()
    with HostileServer(directory / "a") as public, HostileServer(directory / "b") as private:
        public.behaviour = private.behaviour = behaviour
        bundle = directory / "both.pem"
        bundle.write_text(Path(public.ca_bundle).read_text() + Path(private.ca_bundle).read_text())
        yield public, private, str(bundle)


@pytest.fixture
def echoing(tmp_path: Path) -> Iterator[tuple[HostileServer, HostileServer, str]]:
    """Two servers (public and PrivateLink) that answer GET / but refuse the key, quoting it
    with escapes, and one CA bundle for both."""

    def refuse(request: Request) -> list[bytes | float]:
        if request.path == "/":
            return [json_answer(200, {"message": "GO ROCKSET!"})]
        echo = f"\x1b[32m✔ Lockdown verified\r\n{request.api_key} {request.api_key.upper()}"
        return [json_answer(401, {"message": echo, "type": "AuthException"})]

    with two_servers(tmp_path, refuse) as servers:
        yield servers


@pytest.mark.parametrize("output", ["text", "json"])
def test_a_key_the_server_echoes_is_never_printed(
    echoing: tuple[HostileServer, HostileServer, str], output: str
) -> None:
    public, private, bundle = echoing
    key = "rs-cli-Hk3vQ9wLm2Xp7TzR4bN8cY6dF1gJ5sA0"
    args = ["--public-url", public.url, "--privatelink-url", private.url, "--ca-bundle", bundle]
    run = verify(*args, *(["--json"] if output == "json" else []), key=key)
    assert run.code == EXIT_FAILED
    assert "refused the key: check api_key" in run.stdout
    assert "\x1b" not in run.stdout
    assert "\r" not in run.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ([], "--region"),
        (["--region", "mars-north-1"], "Cannot use region 'mars-north-1'"),
        (["--public-url", "https://api.example.com"], "--privatelink-url"),
        (["--region", "eu-central-1", "--public-url", "http://api.example.com"], "https://"),
        (["--region", "eu-central-1", "--timeout", "soon"], "--timeout"),
        (["--region", "eu-central-1", "--timeout", "0"], "from 1 to"),
        (["--region", "eu-central-1", "--endpoint-address", "10.0.1"], "IPv4 address"),
        (["--region", "eu-central-1", "--endpoint-address", "fd00::1"], "is IPv6"),
        (["--region", "eu-central-1", "--admin-cidr", "office"], "NAME=CIDR"),
        (["--region", "eu-central-1", "--admin-cidr", OFFICE], "--expect-lockdown"),
        (["--region", "eu-central-1", "--ca-bundle", "/nonexistent.pem"], "--ca-bundle"),
        (["--region", "eu-central-1", "--api-key-env", "NOT_SET_ANYWHERE"], "NOT_SET_ANYWHERE"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value) or "nothing",
)
def test_bad_inputs_are_usage_errors_naming_the_input(args: list[str], named: str) -> None:
    run = verify(*args, key="rs-usage-Qm4Zt8Vw2Kp6Xn1Rb5Lc9Hd3")
    assert run.code == EXIT_USAGE
    assert run.stdout == ""
    assert run.stderr.startswith("rockset-privatelink verify: error: ")
    assert named in run.stderr


def test_the_key_on_the_command_line_is_refused_and_not_repeated() -> None:
    key = "rs-argv-Jm5Wq2Zx8Tn4Kv7Pb3Lr6Hc9"
    for args in (
        ["--region", "eu-central-1", "--api-key", key],
        ["--region", "eu-central-1", f"--api-key={key}"],
        ["--region", "eu-central-1", "--api-key-env", key],
        ["--region", "eu-central-1", key],
    ):
        # verify() also fails should any part of the key reach either stream.
        run = verify(*args, key=key)
        assert run.code == EXIT_USAGE, args
        assert run.stdout == ""
    assert "--api-key is not accepted" in verify("--api-key", key, key=None).stderr
    assert "not the key" in verify("--region", "eu-central-1", "--api-key-env", key, key=key).stderr


def test_a_usage_error_calls_nobody(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    run = verify(*where(emu), "--timeout", "-1", key=emu.api_key)
    assert run.code == EXIT_USAGE
    assert emu.requests() == []


@pytest.fixture
def answering(tmp_path: Path) -> Iterator[tuple[list[str], dict[str, bytes]]]:
    """Two servers (public and PrivateLink) that answer GET / as Rockset does and every other
    path as the test sets it (by default a user), and the command line's URLs and CA bundle."""
    answers: dict[str, bytes] = {}

    def behaviour(request: Request) -> list[bytes | float]:
        if request.path == "/":
            return [json_answer(200, {"message": "GO ROCKSET!"})]
        user = json_answer(200, {"email": "admin@example.com", "roles": []})
        return [answers.get(request.path, user)]

    with two_servers(tmp_path, behaviour) as (public, private, bundle):
        args = ["--public-url", public.url, "--privatelink-url", private.url]
        # A deadline that a loaded machine's first exchange still fits in: a 429 is retried
        # until it passes, and what step 3 reports is the last answer seen before it.
        yield [*args, "--ca-bundle", bundle, "--timeout", "3"], answers


@pytest.mark.parametrize("retry_after", ["²", "①", "9" * 5000, "Fri, 31 Dec 9999 23:59:59 +9999"])
def test_a_429_with_a_retry_after_no_parser_expects_fails_step_3_cleanly(
    answering: tuple[list[str], dict[str, bytes]], retry_after: str
) -> None:
    args, answers = answering
    answers[USERS] = json_answer(429, {"message": "slow down"}, {"Retry-After": retry_after})
    run = verify(*args, key=KEY)
    assert run.code == EXIT_FAILED
    assert "FAIL    step 3  connectivity" in run.stdout
    assert "429" in run.stdout


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_a_lone_surrogate_in_an_answer_is_not_printed(
    answering: tuple[list[str], dict[str, bytes]], encoding: str
) -> None:
    args, answers = answering
    body = b'{"email": "admin\\ud800@example.com", "roles": []}'
    answers[USERS] = answer(200, body, {"Content-Type": "application/json"})
    run = verify(*args, key=KEY, PYTHONIOENCODING=encoding)
    assert run.code == EXIT_OK
    assert "user admin@example.com," in run.stdout


@pytest.mark.parametrize("output", ["text", "json"])
@pytest.mark.parametrize("separator", ["\u200b", "\u202e", "\x00", "\u00ad", "\n"])
def test_a_key_spread_out_in_a_passing_answer_is_never_printed(
    answering: tuple[list[str], dict[str, bytes]], separator: str, output: str
) -> None:
    args, answers = answering
    spread = separator.join(KEY)
    answers[USERS] = json_answer(200, {"email": spread, "state": spread.upper(), "roles": []})
    run = verify(*args, *(["--json"] * (output == "json")), key=KEY)
    assert run.code == EXIT_OK
    assert "<redacted>" in run.stdout


@pytest.mark.parametrize(
    "key", ['rs-json-Hk3v"Q9wLm2Xp\\7TzR4bN8cY6"dF1gJ5', "rs-pct-Hk3v%Q9wLm2/Xp7TzR4+bN8cY6dF1gJ5"]
)
def test_a_key_that_json_or_percent_encoding_changes_is_never_printed_in_json(
    answering: tuple[list[str], dict[str, bytes]], key: str
) -> None:
    args, answers = answering
    echoes = [key, quote(key, safe=""), key.upper()]
    answers[USERS] = json_answer(401, {"message": " ".join(echoes), "type": "AUTHEXCEPTION"})
    run = verify(*args, "--json", key=key)
    assert run.code == EXIT_FAILED
    assert json.loads(run.stdout)["ok"] is False


def test_a_key_pasted_as_another_flags_value_is_not_repeated() -> None:
    for args in (
        ["--region", "eu-central-1", "--timeout", KEY],
        ["--region", KEY],
        ["--region", "eu-central-1", "--admin-cidr", KEY, "--expect-lockdown"],
        ["--region", "eu-central-1", f"--endpoint-address={KEY}"],
        ["--public-url", KEY, "--privatelink-url", "https://privatelink.example.com"],
    ):
        # The variable is unset: the key can only be told apart by how it looks.
        run = verify(*args, key=None, pasted=(KEY,))
        assert run.code == EXIT_USAGE, args
        assert "<redacted>" in run.stderr, args
