"""RocksetClient against the emulator over real HTTPS: every call, every error class, retries."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from devtools.net import free_port
from rockset_pulumi.client import IpAllowlistEntry, RocksetClient, User
from rockset_pulumi.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestRejectedError,
    RocksetPulumiError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
)
from rockset_pulumi.polling import PollPolicy
from tests.conftest import EmulatorFactory
from tests.support.canned import CannedResponse, CannedServer
from tests.support.emulator import RunningEmulator

FAST = PollPolicy(max_attempts=3, initial=0.01, ceiling=0.02)
OTHER_KEY = "rs-other-Tq4Lm8Wz2Xc6Vb1Nh5"
"""A key for calls that fail before it matters. Eight characters or more, as real keys have: a
message redacts a shorter key wherever it occurs whole (a key "k", in "unknown")."""


def no_sleep(_: float) -> None:
    """Retries without waiting, where a test is about what is retried, not how long it waits."""


def exception_texts(exc: BaseException) -> Iterator[str]:
    current: BaseException | None = exc
    while current is not None:
        yield str(current)
        yield repr(current)
        current = current.__cause__ or current.__context__


def test_ping_on_both_listeners(emulator: RunningEmulator) -> None:
    for listener in ("public", "privatelink"):
        with emulator.client(listener) as client:
            assert client.ping() == "GO ROCKSET!"


def test_ping_sends_no_api_key(emulator: RunningEmulator) -> None:
    with RocksetClient(emulator.public_url, "not-the-key", ca_bundle=emulator.ca_bundle) as client:
        assert client.ping() == "GO ROCKSET!"


def test_current_user(emulator: RunningEmulator) -> None:
    with emulator.client() as client:
        user = client.current_user()
    assert isinstance(user, User)
    assert user.email == "admin@example.com"
    assert user.state == "ACTIVE"
    assert user.roles == ("admin",)
    assert user.created_at is not None and user.created_at.endswith("Z")


def test_allowlist_crud(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(user_email="ops@example.com")
    with emu.client("privatelink") as client:
        assert client.list_ip_allowlist() == []
        created = client.create_ip_allowlist("office", "82.217.192.0/18", "Office range")
        assert isinstance(created, IpAllowlistEntry)
        assert (created.name, created.ip_address, created.description) == (
            "office",
            "82.217.192.0/18",
            "Office range",
        )
        assert created.creator_email == "ops@example.com"
        assert created.created_at is not None and created.created_at.endswith("Z")
        plain = client.create_ip_allowlist("vpn host", "10.1.2.3")
        assert plain.description is None
        assert client.get_ip_allowlist("vpn host") == plain
        assert client.list_ip_allowlist() == [created, plain]
        assert client.delete_ip_allowlist("office") == created
        assert client.list_ip_allowlist() == [plain]
        with pytest.raises(NotFoundError) as not_found:
            client.get_ip_allowlist("office")
    assert not_found.value.status == 404
    assert not_found.value.error_type == "NOTFOUND"
    assert "/v1/orgs/self/ip/allowlist/office" in str(not_found.value)


def test_rejected_requests(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    with emu.client(retry=FAST, sleep=no_sleep) as client:
        client.create_ip_allowlist("a", "127.0.0.1/32")
        with pytest.raises(RequestRejectedError) as conflict:
            client.create_ip_allowlist("a", "10.0.0.0/8")
        with pytest.raises(RequestRejectedError) as bad_ip:
            client.create_ip_allowlist("b", "10.0.0.300")
        with pytest.raises(NotFoundError):
            client.delete_ip_allowlist("missing")
    assert (conflict.value.status, conflict.value.error_type) == (409, "CONFLICT")
    assert (bad_ip.value.status, bad_ip.value.error_type) == (400, "BADREQUEST")
    assert "10.0.0.300" in str(bad_ip.value)
    # Neither 409 nor 400 is retried: one POST each (plus the first create and the delete).
    assert [r["method"] for r in emu.requests()] == ["POST", "POST", "POST", "DELETE"]


def test_wrong_key_is_an_authentication_error(emulator: RunningEmulator) -> None:
    wrong = "wrong-key-Xv93kQ7zLp2Wm"
    with (
        RocksetClient(emulator.public_url, wrong, ca_bundle=emulator.ca_bundle) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.current_user()
    error = caught.value
    assert (error.status, error.error_type) == (401, "AUTHEXCEPTION")
    assert error.base_url == emulator.public_url
    assert f"{emulator.public_url}/v1/orgs/self/users/self" in str(error)
    assert "API key" in str(error) and "IP allowlist" in str(error)
    assert all(wrong not in text for text in exception_texts(error))


def test_read_only_key_is_permission_denied(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(read_only_api_key="read-only-key-1")
    with RocksetClient(emu.public_url, "read-only-key-1", ca_bundle=emu.ca_bundle) as client:
        assert client.list_ip_allowlist() == []
        with pytest.raises(PermissionDeniedError) as caught:
            client.create_ip_allowlist("a", "127.0.0.1")
    assert (caught.value.status, caught.value.error_type) == (403, "FORBIDDEN")
    assert "CREATE_NETWORK_CONFIGURATION_GLOBAL" in str(caught.value)


def test_server_errors_are_retried_then_reported(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(error_rate=1.0)
    waits: list[float] = []
    with (
        emu.client(retry=FAST, sleep=waits.append) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.current_user()
    assert (caught.value.status, caught.value.error_type) == (503, "SERVICEUNAVAILABLE")
    assert "gave up after 3 attempt(s)" in str(caught.value)
    assert len(waits) == 2
    assert len(emu.requests()) == 3


def test_rate_limit_honours_retry_after(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(rate_limit_rate=1.0)
    waits: list[float] = []
    policy = PollPolicy(max_attempts=3, initial=0.01, ceiling=0.01)
    with (
        emu.client(retry=policy, sleep=waits.append) as client,
        pytest.raises(RateLimitedError) as caught,
    ):
        client.list_ip_allowlist()
    assert (caught.value.status, caught.value.error_type) == (429, "RATELIMITEXCEEDED")
    # The emulator's injected 429s say Retry-After: 1, far above the 0.01 s backoff.
    assert waits == [1.0, 1.0]


def test_retry_after_is_capped(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(update_limit_per_minute=1)
    waits: list[float] = []
    policy = PollPolicy(max_attempts=2, initial=0.01)
    with emu.client(retry=policy, sleep=waits.append) as client:
        client.create_ip_allowlist("first", "127.0.0.1")
        with pytest.raises(RateLimitedError) as caught:
            client.create_ip_allowlist("second", "127.0.0.2")
    # The emulator asks for the rest of its minute; the client waits 30 s at most.
    assert waits == [30.0]
    assert "gave up after 2 attempt(s)" in str(caught.value)
    limited = [r for r in emu.requests() if r["status"] == 429]
    assert len(limited) == 2


def test_retries_succeed_under_faults(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(error_rate=0.2, reset_rate=0.15, rate_limit_rate=0.15, seed=7)
    policy = PollPolicy(max_attempts=12, initial=0.005, ceiling=0.02)
    started = time.monotonic()
    with emu.client(retry=policy, deadline=20.0, sleep=no_sleep) as client:
        for _ in range(15):
            assert client.current_user().email == "admin@example.com"
        client.create_ip_allowlist("loopback", "127.0.0.0/8")
        assert [e.name for e in client.list_ip_allowlist()] == ["loopback"]
    assert time.monotonic() - started < 20.0
    faults = {r.get("fault") for r in emu.requests()}
    assert {"error", "reset", "rate_limit"} <= faults


def test_create_retried_after_lost_answer_returns_the_entry(
    emulator_factory: EmulatorFactory,
) -> None:
    # Seed 1 draws a reset for the first request only: the entry is created, its answer lost.
    emu = emulator_factory(reset_rate=0.5, seed=1)
    with emu.client("privatelink", retry=FAST, sleep=no_sleep) as client:
        entry = client.create_ip_allowlist("office", "10.0.0.0/8", "HQ")
    assert (entry.name, entry.ip_address, entry.description) == ("office", "10.0.0.0/8", "HQ")
    assert [(r["method"], r["status"]) for r in emu.requests()] == [
        ("POST", None),
        ("POST", 409),
        ("GET", 200),
    ]


def test_deadline_gives_up_with_last_error(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(latency=1.5)
    policy = PollPolicy(max_attempts=50, initial=0.05, ceiling=0.1)
    started = time.monotonic()
    with (
        emu.client(timeout=0.3, deadline=1.2, retry=policy) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.current_user()
    elapsed = time.monotonic() - started
    assert elapsed < 2.5
    message = str(caught.value)
    assert "timed out" in message and "gave up after" in message and "deadline" in message
    assert caught.value.base_url == emu.public_url


def test_connection_refused() -> None:
    url = f"https://127.0.0.1:{free_port()}"
    waits: list[float] = []
    with (
        RocksetClient(url, OTHER_KEY, retry=FAST, sleep=waits.append) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.ping()
    message = str(caught.value)
    assert url in message and "reachable" in message and "gave up after 3" in message
    assert len(waits) == 2
    assert isinstance(caught.value.__cause__, Exception)


def test_unresolvable_host() -> None:
    url = "https://api.does-not-exist.invalid"
    with (
        RocksetClient(url, OTHER_KEY, retry=PollPolicy(max_attempts=1)) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.ping()
    assert "could not resolve" in str(caught.value) and "DNS" in str(caught.value)
    assert url in str(caught.value)


def test_unknown_ca_is_a_tls_error_and_not_retried(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    waits: list[float] = []
    with (
        RocksetClient(
            emulator.public_url, OTHER_KEY, ca_bundle=str(other_ca), retry=FAST, sleep=waits.append
        ) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.ping()
    assert "TLS" in str(caught.value) and "ca_bundle" in str(caught.value)
    assert str(other_ca) in str(caught.value)
    assert waits == []


def test_default_trust_store_rejects_the_emulator(emulator: RunningEmulator) -> None:
    with (
        RocksetClient(emulator.public_url, OTHER_KEY, retry=FAST, sleep=no_sleep) as client,
        pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.ping()


def test_malformed_body_is_unexpected(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory(malformed_rate=1.0)
    with emu.client(retry=FAST, sleep=no_sleep) as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            client.current_user()
        with pytest.raises(UnexpectedResponseError, match="is this a Rockset API endpoint"):
            client.ping()
    assert caught.value.status == 200
    assert len(emu.requests()) == 2


def test_allowlist_applies_to_public_endpoint_only(emulator_factory: EmulatorFactory) -> None:
    emu = emulator_factory()
    inside = emu.client("public")
    outside = emu.client("public", local_address="127.0.0.2")
    private_outside = emu.client("privatelink", local_address="127.0.0.2")
    with inside, outside, private_outside:
        assert outside.current_user().email  # an empty allowlist allows everyone
        inside.create_ip_allowlist("admin host", "127.0.0.1/32")

        assert inside.current_user().email
        with pytest.raises(AuthenticationError):
            outside.current_user()
        assert outside.ping() == "GO ROCKSET!"
        assert private_outside.current_user().email
        assert [e.name for e in private_outside.list_ip_allowlist()] == ["admin host"]

        private_outside.create_ip_allowlist("loopback", "127.0.0.0/8")
        assert outside.current_user().email
        private_outside.delete_ip_allowlist("loopback")
        private_outside.delete_ip_allowlist("admin host")
        assert outside.list_ip_allowlist() == []
    clients = {(r["listener"], r["client"]) for r in emu.requests()}
    assert ("public", "127.0.0.2") in clients and ("privatelink", "127.0.0.2") in clients


def test_api_key_never_leaks(
    emulator_factory: EmulatorFactory, caplog: pytest.LogCaptureFixture
) -> None:
    emu = emulator_factory(error_rate=1.0)
    key = emu.api_key
    errors: list[RocksetPulumiError] = []
    caplog.set_level(logging.DEBUG)
    with emu.client(retry=FAST) as client:
        assert key not in repr(client)
        with pytest.raises(ServerError) as server_error:
            client.current_user()
        errors.append(server_error.value)
    dead = f"https://127.0.0.1:{free_port()}"
    with RocksetClient(dead, key, retry=FAST, ca_bundle=emu.ca_bundle) as client:
        assert key not in repr(client)
        with pytest.raises(TransportError) as transport_error:
            client.current_user()
        errors.append(transport_error.value)
    with (
        RocksetClient(emu.public_url, key, retry=FAST, timeout=0.2, deadline=0.5) as client,
        pytest.raises(TransportError) as tls_error,
    ):
        client.current_user()
    errors.append(tls_error.value)
    with pytest.raises(ConfigurationError) as config_error:
        RocksetClient(emu.public_url, key + " \n")
    errors.append(config_error.value)
    assert caplog.records, "retries should have been logged"
    for error in errors:
        for text in exception_texts(error):
            assert key not in text
    assert key not in caplog.text
    assert all(key not in record.getMessage() for record in caplog.records)
    assert key not in emu.request_log.read_text() + emu.stderr()


@pytest.mark.parametrize(
    ("base_url", "fragment"),
    [
        ("http://api.euc1a1.rockset.com", "https://"),
        ("api.euc1a1.rockset.com", "https://"),
        ("https://user:pw@api.euc1a1.rockset.com", "credentials"),
        ("https://api.euc1a1.rockset.com/?x=1", "query"),
        ("https://", "host"),
    ],
)
def test_base_url_validation(base_url: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        RocksetClient(base_url, "k")


def test_base_url_is_normalised() -> None:
    with RocksetClient("https://api.euc1a1.rockset.com//", "k") as client:
        assert client.base_url == "https://api.euc1a1.rockset.com"
        assert repr(client) == "RocksetClient(base_url='https://api.euc1a1.rockset.com')"


def test_invalid_settings_are_configuration_errors(tmp_path: Path) -> None:
    url = "https://api.euc1a1.rockset.com"
    with pytest.raises(ConfigurationError):
        RocksetClient(url, "")
    with pytest.raises(ConfigurationError, match="ca_bundle"):
        RocksetClient(url, "k", ca_bundle=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigurationError):
        RocksetClient(url, "k", local_address="not-an-ip")
    with pytest.raises(ConfigurationError):
        RocksetClient(url, "k", deadline=0)
    with pytest.raises(ConfigurationError):
        RocksetClient(url, "k", timeout=0)


@pytest.mark.parametrize(
    ("status", "body", "expected", "error_type"),
    [
        (
            403,
            b'{"message":"Authentication Failure","type":"AuthException"}',
            AuthenticationError,
            "AUTHEXCEPTION",
        ),
        (403, b'{"message":"no privilege","type":"FORBIDDEN"}', PermissionDeniedError, "FORBIDDEN"),
        (415, b'{"message":"nope","type":"NOTSUPPORTED"}', RequestRejectedError, "NOTSUPPORTED"),
        (500, b'{"message":"boom","type":"INTERNALERROR"}', ServerError, "INTERNALERROR"),
        (502, b"<html>Bad Gateway</html>", ServerError, None),
        (302, b"", UnexpectedResponseError, None),
        (200, b"<html>captive portal</html>", UnexpectedResponseError, None),
        (200, b'{"data": []}', UnexpectedResponseError, None),
    ],
)
def test_error_mapping(
    tmp_path: Path, status: int, body: bytes, expected: type[ApiError], error_type: str | None
) -> None:
    with CannedServer(tmp_path) as server:
        server.canned = CannedResponse(status, body, {"Content-Type": "text/plain"})
        with (
            RocksetClient(
                server.url, "k", ca_bundle=server.ca_bundle, retry=FAST, sleep=no_sleep
            ) as client,
            pytest.raises(ApiError) as caught,
        ):
            client.current_user()
    assert type(caught.value) is expected
    assert caught.value.error_type == error_type
    assert server.url in str(caught.value)


def test_retry_after_http_date(tmp_path: Path) -> None:
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    waits: list[float] = []
    with CannedServer(tmp_path) as server:
        server.canned = CannedResponse(429, b"{}", {"Retry-After": when})
        policy = PollPolicy(max_attempts=2, initial=0.01)
        with (
            RocksetClient(
                server.url, "k", ca_bundle=server.ca_bundle, retry=policy, sleep=waits.append
            ) as client,
            pytest.raises(RateLimitedError),
        ):
            client.current_user()
    assert len(waits) == 1 and 18 < waits[0] <= 20


def test_retry_after_beyond_the_deadline_gives_up_at_once(tmp_path: Path) -> None:
    waits: list[float] = []
    with CannedServer(tmp_path) as server:
        server.canned = CannedResponse(429, b"{}", {"Retry-After": "20"})
        with (
            RocksetClient(
                server.url, "k", ca_bundle=server.ca_bundle, deadline=5.0, sleep=waits.append
            ) as client,
            pytest.raises(RateLimitedError) as caught,
        ):
            client.current_user()
    assert waits == []
    assert "gave up after 1 attempt(s)" in str(caught.value)
    assert "the 5 s deadline leaves no time for another" in str(caught.value)
