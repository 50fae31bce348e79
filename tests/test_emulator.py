"""The Rockset API emulator: CLI contract, wire format, persistence, readiness, the real client.

The official ``rockset`` client (2.1.2) accepts only hosts matching ``https://*.rockset.com``. It
is pointed at the emulator without loosening anything: the emulator's certificate also names
``api.emulator.rockset.com`` (``--tls-name``), and the client's own ``Configuration.proxy`` sends
its connections through a local CONNECT proxy that tunnels to the emulator. The client still
checks its host, sends SNI and verifies the certificate against that name and the emulator's CA.
"""

from __future__ import annotations

import json
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from rockset_emulator import Emulator, EmulatorConfig
from rockset_pulumi.client import RocksetClient
from rockset_pulumi.errors import TransportError
from rockset_pulumi.polling import PollPolicy
from tests.conftest import EmulatorFactory
from tests.support.connect_proxy import ConnectProxy
from tests.support.emulator import REPO_ROOT, RunningEmulator

ERROR_MODEL_KEYS = {
    "message",
    "message_key",
    "type",
    "line",
    "column",
    "trace_id",
    "error_id",
    "query_id",
    "virtual_instance_rrn",
    "virtual_instance_id",
    "internal_errors",
}


def raw_client(emu: RunningEmulator, **options: Any) -> httpx.Client:
    """Plain httpx, to see exactly what goes over the wire."""
    context = ssl.create_default_context(cafile=emu.ca_bundle)
    return httpx.Client(verify=context, **options)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {key}"}


def test_prints_exactly_one_json_line_and_exits_0_on_sigterm(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory()
    with emu.client() as client:
        client.ping()
    started = time.monotonic()
    assert emu.stop() == 0
    assert time.monotonic() - started < 5.0
    assert len(emu.stdout_lines) == 1
    assert set(json.loads(emu.stdout_lines[0])) == {"public_url", "privatelink_url", "ca_bundle"}
    assert "listener accepting" in emu.stderr()


def test_sigint_exits_0(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    emu.process.send_signal(signal.SIGINT)
    assert emu.process.wait(timeout=5) == 0


def test_sigterm_with_an_idle_keep_alive_connection(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    with emu.client() as client:
        client.ping()  # leaves a pooled connection open
        started = time.monotonic()
        assert emu.stop() == 0
    assert time.monotonic() - started < 5.0


def emulator_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m rockset_emulator`` with ``args`` to completion."""
    return subprocess.run(
        [sys.executable, "-m", "rockset_emulator", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=30,
        check=False,
    )


def test_api_key_is_required() -> None:
    result = emulator_cli()
    assert result.returncode == 2
    assert "--api-key" in result.stderr
    assert result.stdout == ""


def test_wire_format(emulator: RunningEmulator) -> None:
    with raw_client(emulator, base_url=emulator.public_url) as http:
        ping = http.get("/")
        assert (ping.status_code, ping.json()) == (200, {"message": "GO ROCKSET!"})
        assert ping.headers["Content-Type"] == "application/json"

        user = http.get("/v1/orgs/self/users/self", headers=auth(emulator.api_key)).json()
        assert set(user) == {"email", "created_at", "first_name", "last_name", "roles", "state"}
        assert user["state"] == "ACTIVE"
        assert isinstance(user["roles"], list)

        org = http.get("/v1/orgs/self", headers=auth(emulator.api_key)).json()["data"]
        assert {"id", "display_name", "created_at", "external_id", "rockset_user"} <= set(org)
        assert {"clusters", "sso_only"} <= set(org)

        listed = http.get("/v1/orgs/self/ip/allowlist", headers=auth(emulator.api_key)).json()
        assert listed == {"data": []}


ALLOWLIST = "/v1/orgs/self/ip/allowlist"


@pytest.mark.parametrize(
    ("call", "authorization", "body", "expected"),
    [
        ("GET /v1/orgs/self/users/self", None, None, (401, "AUTHEXCEPTION")),
        ("GET /v1/orgs/self/users/self", "ApiKey wrong", None, (401, "AUTHEXCEPTION")),
        ("GET /v1/orgs/self/users/self", "Bearer x", None, (401, "AUTHEXCEPTION")),
        ("GET /v1/orgs/self/nothing", "KEY", None, (404, "NOTFOUND")),
        (f"GET {ALLOWLIST}/absent", "KEY", None, (404, "NOTFOUND")),
        ("PUT " + ALLOWLIST, "KEY", None, (405, "METHODNOTALLOWED")),
        ("POST /v1/orgs/self/users/self", "KEY", None, (405, "METHODNOTALLOWED")),
        ("DELETE /", None, None, (405, "METHODNOTALLOWED")),
        ("POST " + ALLOWLIST, "KEY", b"not json", (400, "BADREQUEST")),
        ("POST " + ALLOWLIST, "KEY", b'{"name": "x"}', (400, "BADREQUEST")),
        ("POST " + ALLOWLIST, "KEY", b'{"ip_address": "1.2.3.4"}', (400, "BADREQUEST")),
        ("POST " + ALLOWLIST, "KEY", b'{"name": "x", "ip_address": "1.2/99"}', (400, "BADREQUEST")),
        ("POST " + ALLOWLIST, "KEY", b"[]", (400, "BADREQUEST")),
    ],
)
def test_error_model(
    emulator: RunningEmulator,
    call: str,
    authorization: str | None,
    body: bytes | None,
    expected: tuple[int, str],
) -> None:
    headers: dict[str, str] = {}
    if authorization is not None:
        key_header = f"ApiKey {emulator.api_key}"
        headers["Authorization"] = key_header if authorization == "KEY" else authorization
    if body is not None:
        headers["Content-Type"] = "application/json"
    method, path = call.split(" ", 1)
    with raw_client(emulator, base_url=emulator.public_url) as http:
        response = http.request(method, path, headers=headers, content=body)
    payload = response.json()
    assert (response.status_code, payload["type"]) == expected
    assert set(payload) == ERROR_MODEL_KEYS
    if response.status_code == 401:
        assert payload["message"] == "Authentication Failure"


def test_post_requires_json_content_type(emulator: RunningEmulator) -> None:
    with raw_client(emulator, base_url=emulator.public_url) as http:
        response = http.post(
            "/v1/orgs/self/ip/allowlist",
            headers={**auth(emulator.api_key), "Content-Type": "text/plain"},
            content=b'{"name": "x", "ip_address": "1.2.3.4"}',
        )
    assert (response.status_code, response.json()["type"]) == (415, "UNSUPPORTEDMEDIATYPE")


def test_rate_limit_with_retry_after(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(read_limit_per_minute=2)
    with raw_client(emu, base_url=emu.privatelink_url) as http:
        statuses = [
            http.get("/v1/orgs/self", headers=auth(emu.api_key)).status_code for _ in range(3)
        ]
        limited = http.get("/v1/orgs/self", headers=auth(emu.api_key))
        assert http.get("/").status_code == 200  # the unauthenticated ping is not counted
    assert statuses == [200, 200, 429]
    assert limited.json()["type"] == "RATELIMITEXCEEDED"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_request_log(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    with emu.client("privatelink") as client:
        client.ping()
        client.current_user()
    with RocksetClient(emu.public_url, "bad-key-123", ca_bundle=emu.ca_bundle) as client:
        client.ping()
    records = emu.requests()
    assert [(r["listener"], r["method"], r["path"], r["status"]) for r in records] == [
        ("privatelink", "GET", "/", 200),
        ("privatelink", "GET", "/v1/orgs/self/users/self", 200),
        ("public", "GET", "/", 200),
    ]
    assert all(r["client"] == "127.0.0.1" and r["time"].endswith("Z") for r in records)
    log_text = emu.request_log.read_text()
    assert emu.api_key not in log_text and emu.api_key not in emu.stderr()


def org_external_id(emu: RunningEmulator, url: str, ca_bundle: str) -> str:
    context = ssl.create_default_context(cafile=ca_bundle)
    with httpx.Client(verify=context) as raw:
        answer = raw.get(f"{url}/v1/orgs/self", headers=auth(emu.api_key))
    external_id: str = answer.json()["data"]["external_id"]
    return external_id


def test_state_and_ca_survive_a_restart(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    workdir = tmp_path / "persistent"
    state_file = workdir / "state.json"
    first = emulator_factory(workdir, state_file=state_file)
    with first.client("privatelink") as client:
        created = client.create_ip_allowlist("office", "127.0.0.1/32", "kept")
    org_id = org_external_id(first, first.privatelink_url, first.ca_bundle)
    assert first.stop() == 0
    ca_pem = Path(first.ca_bundle).read_text()
    assert json.loads(state_file.read_text())["allowlist"][0]["name"] == "office"
    assert not list(workdir.glob(".state-*.tmp"))

    second = emulator_factory(workdir, state_file=state_file)
    assert Path(second.ca_bundle).read_text() == ca_pem
    # The CA bundle the first run handed out still verifies the second run.
    with RocksetClient(second.public_url, second.api_key, ca_bundle=first.ca_bundle) as client:
        assert client.list_ip_allowlist() == [created]
    assert org_external_id(second, second.public_url, first.ca_bundle) == org_id


def test_ready_after_refuses_privatelink_until_then(emulator_factory: EmulatorFactory) -> None:
    ready_after = 1.5
    emu = emulator_factory(ready_after=ready_after)
    started = time.monotonic()
    with emu.client("public") as public:
        assert public.ping() == "GO ROCKSET!"
    once = PollPolicy(max_attempts=1)
    with emu.client("privatelink", retry=once) as private, pytest.raises(TransportError) as early:
        private.ping()
    assert "could not connect" in str(early.value)
    # Poll through the client's own retries: connection refused is retried until it answers.
    polling = PollPolicy(max_attempts=200, initial=0.05, ceiling=0.1)
    with emu.client("privatelink", retry=polling, deadline=15.0) as private:
        assert private.current_user().email == "admin@example.com"
    assert time.monotonic() - started >= ready_after - 0.5
    assert emu.stop() == 0


@pytest.mark.filterwarnings("ignore:HTTPResponse.getheader:DeprecationWarning")
def test_official_rockset_client(emulator_factory: EmulatorFactory) -> None:
    from rockset import RocksetClient as OfficialClient
    from rockset.configuration import Configuration

    emu = emulator_factory(tls_name="api.emulator.rockset.com")
    port = int(emu.public_url.rsplit(":", 1)[1])
    with ConnectProxy(("127.0.0.1", port)) as proxy:
        config = Configuration(api_key=emu.api_key, ssl_ca_cert=emu.ca_bundle)
        config.proxy = proxy.url
        official = OfficialClient(host="https://api.emulator.rockset.com", config=config)
        user = official.Users.get_current_user()
        org = official.Organizations.get()
    assert user.email == "admin@example.com"
    assert user.state == "ACTIVE"
    assert org.data.id == "emulated-org"
    assert proxy.authorities == ["api.emulator.rockset.com:443"] * len(proxy.authorities)
    assert [r["path"] for r in emu.requests()] == ["/v1/orgs/self/users/self", "/v1/orgs/self"]


def test_official_client_rejects_a_wrong_ca(emulator_factory: EmulatorFactory) -> None:
    from rockset import RocksetClient as OfficialClient
    from rockset.configuration import Configuration
    from urllib3.exceptions import MaxRetryError  # type: ignore[import-untyped]

    emu = emulator_factory()  # no --tls-name: the certificate does not name the rockset host
    port = int(emu.public_url.rsplit(":", 1)[1])
    with ConnectProxy(("127.0.0.1", port)) as proxy:
        config = Configuration(api_key=emu.api_key, ssl_ca_cert=emu.ca_bundle)
        config.proxy = proxy.url
        config.retries = 0
        official = OfficialClient(host="https://api.emulator.rockset.com", config=config)
        with pytest.raises(MaxRetryError, match=r"(?i)certificate|hostname"):
            official.Users.get_current_user()
    assert emu.requests() == []


def test_in_process_emulator(tmp_path: Path) -> None:
    config = EmulatorConfig(
        api_keys=("in-process-key",), request_log=tmp_path / "log.jsonl", ca_dir=tmp_path / "ca"
    )
    with Emulator(config) as emu:
        ca_bundle = str(emu.ca_bundle)
        with RocksetClient(emu.privatelink_url, "in-process-key", ca_bundle=ca_bundle) as client:
            assert client.current_user().email == "admin@example.com"
        with RocksetClient(emu.public_url, "in-process-key", ca_bundle=ca_bundle) as client:
            client.create_ip_allowlist("nobody", "192.0.2.0/24")
            assert client.ping() == "GO ROCKSET!"
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    assert [json.loads(line)["status"] for line in lines] == [200, 200, 200]


def test_in_process_stop_before_ready(tmp_path: Path) -> None:
    config = EmulatorConfig(api_keys=("k",), ready_after=30.0, ca_dir=tmp_path / "ca")
    emulator = Emulator(config).start()
    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 2.0
    assert not emulator.privatelink_ready.is_set()


def test_fault_flags_are_validated() -> None:
    result = emulator_cli("--api-key", "k", "--error-rate", "0.7", "--reset-rate", "0.7")
    assert result.returncode == 2
    assert "more than 1" in result.stderr
