"""The emulator's deterministic write faults, which the crash-consistency tests build on.

Allowlist write N (numbered from 1 over both listeners) is dropped before it takes effect, or
applied with its answer lost; either way the client sees a reset connection and nothing else.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Literal

import httpx
import pytest

from rockset_emulator import Emulator, EmulatorConfig, FaultConfig, WriteFault
from rockset_pulumi.client import RocksetClient
from rockset_pulumi.errors import NotFoundError, RequestRejectedError, TransportError
from rockset_pulumi.polling import PollPolicy
from tests.conftest import EmulatorFactory
from tests.support.emulator import REPO_ROOT, RunningEmulator

ALLOWLIST = "/v1/orgs/self/ip/allowlist"
# One attempt, so a dropped connection reaches the test instead of being retried away.
ONCE = PollPolicy(max_attempts=1)


def state_names(state_file: Path) -> set[str]:
    return {entry["name"] for entry in json.loads(state_file.read_text())["allowlist"]}


def live_names(emu: RunningEmulator) -> set[str]:
    with emu.client("privatelink") as client:
        return {entry.name for entry in client.list_ip_allowlist()}


def raw_write(emu: RunningEmulator, operation: Literal["create", "delete"]) -> int:
    """The status a fault-free repeat of the test's write gets, as a client retrying it would."""
    context = ssl.create_default_context(cafile=emu.ca_bundle)
    headers = {"Authorization": f"ApiKey {emu.api_key}"}
    with httpx.Client(verify=context, base_url=emu.public_url, headers=headers) as http:
        if operation == "create":
            body = {"name": "vpn", "ip_address": "10.8.0.0/16"}
            return http.post(ALLOWLIST, json=body).status_code
        return http.delete(f"{ALLOWLIST}/office").status_code


FLAGS = {"before": "drop_write", "after": "lose_write_answer"}


@pytest.mark.parametrize("operation", ["create", "delete"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_write_fault_over_https(
    emulator_factory: EmulatorFactory,
    tmp_path: Path,
    operation: Literal["create", "delete"],
    when: Literal["before", "after"],
) -> None:
    applied = when == "after"
    state_file = tmp_path / "state.json"
    emu = emulator_factory(state_file=state_file, **{FLAGS[when]: 2})
    with emu.client("privatelink", retry=ONCE) as private:
        private.create_ip_allowlist("office", "127.0.0.1/32")  # write 1, on the other listener
    with emu.client("public", retry=ONCE) as public, pytest.raises(TransportError) as caught:
        if operation == "create":
            public.create_ip_allowlist("vpn", "10.8.0.0/16")
        else:
            public.delete_ip_allowlist("office")
    assert "failed before an answer arrived" in str(caught.value)

    changed = {"office", "vpn"} if operation == "create" else set()
    expected = changed if applied else {"office"}
    assert live_names(emu) == expected
    assert state_names(state_file) == expected
    # The retry a client makes: it meets its own earlier success only if the write took effect.
    retry_status = {"create": 409, "delete": 404}[operation] if applied else 200
    assert raw_write(emu, operation) == retry_status
    writes = [
        (r["write"], r["listener"], r.get("fault"), r["status"])
        for r in emu.requests()
        if "write" in r
    ]
    assert writes == [
        (1, "privatelink", None, 200),
        (2, "public", WriteFault(2, when).fault, None),
        (3, "public", None, retry_status),
    ]
    assert emu.writes() == 3


def test_client_retries_recover_from_each_write_fault(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(drop_write=1, lose_write_answer=[3, 5])
    fast = PollPolicy(max_attempts=3, initial=0.0, ceiling=0.0)
    with emu.client("privatelink", retry=fast) as client:
        client.create_ip_allowlist("office", "10.0.0.0/8")  # writes 1 (dropped) and 2
        client.create_ip_allowlist("vpn", "10.8.0.0/16", "VPN")  # 3 (answer lost), 4 meets 409
        with pytest.raises(NotFoundError) as caught:
            client.delete_ip_allowlist("vpn")  # 5 (answer lost), 6 meets 404
        assert [entry.name for entry in client.list_ip_allowlist()] == ["office"]
    assert "may have deleted it" in str(caught.value)
    statuses = [(r["write"], r["status"]) for r in emu.requests() if "write" in r]
    assert statuses == [(1, None), (2, 200), (3, None), (4, 409), (5, None), (6, 404)]


def test_in_process_write_count_and_faults(tmp_path: Path) -> None:
    faults = FaultConfig(write_faults=(WriteFault(2, "before"), WriteFault(4, "after")))
    config = EmulatorConfig(api_keys=("k",), ca_dir=tmp_path / "ca", faults=faults)
    with Emulator(config) as emu:
        ca_bundle = str(emu.ca_bundle)
        with (
            RocksetClient(emu.privatelink_url, "k", ca_bundle=ca_bundle, retry=ONCE) as private,
            RocksetClient(emu.public_url, "k", ca_bundle=ca_bundle, retry=ONCE) as public,
        ):
            public.create_ip_allowlist("office", "127.0.0.1/32")
            public.list_ip_allowlist()  # reads are not writes
            assert emu.writes == 1
            with pytest.raises(TransportError):
                private.create_ip_allowlist("vpn", "10.8.0.0/16")
            with pytest.raises(RequestRejectedError):
                public.create_ip_allowlist("office", "127.0.0.1/32")  # a refused write counts
            with pytest.raises(TransportError):
                private.delete_ip_allowlist("office")
            assert emu.writes == 4
            assert private.list_ip_allowlist() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--drop-write", "0"], "not a positive integer"),
        (["--drop-write", "2", "--lose-write-answer", "2"], "write 2 is given more than one"),
    ],
)
def test_write_fault_flags_are_validated(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rockset_emulator", "--api-key", "k", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr
