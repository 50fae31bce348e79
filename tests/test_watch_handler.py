"""The watcher's handler, against the real emulator over HTTPS and a hostile server: it reports
LockdownHolds 1 only when the wanted entries are there, nothing widening is, and the public
endpoint refuses the key; it keeps its bounds, and the key reaches no log and no result."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rockset_pulumi.allowlist import Owner
from rockset_pulumi.watch import handler as watch
from rockset_pulumi.watch.compare import AllowlistAnswerError, entries_of
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.hostile import HostileServer, answer, huge_body, json_answer, trickled_body
from tests.support.leaks import leaked_runs

WATCH_KEY = "watchReadOnlyKey0123456789abcdefXYZ"
OWNER = Owner("org/urn:pulumi:dev::proj::rockset:index:PrivateLink::rockset/allowlist", "abcd1234")
WANTED = {"office": "203.0.113.0/24"}


class Cloud:
    """Secrets Manager and CloudWatch as the handler sees them."""

    def __init__(self) -> None:
        self.published: list[dict[str, int]] = []

    def secret(self, arn: str) -> str:
        assert arn == "arn:secret"
        return WATCH_KEY

    def publish(
        self, namespace: str, dimensions: Mapping[str, str], values: Mapping[str, int]
    ) -> None:
        assert dimensions == {"Stack": "org/proj/dev", "Component": "rockset"}
        self.published.append(dict(values))


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return str(parts.hostname), int(parts.port or 443)


def settings(privatelink: str, public: str, ca: str) -> watch.Settings:
    return watch.Settings(
        privatelink=host_port(privatelink),
        public=host_port(public),
        secret_arn="arn:secret",
        entries=WANTED,
        mark=OWNER.mark,
        namespace="RocksetPulumi/Lockdown",
        dimensions={"Stack": "org/proj/dev", "Component": "rockset"},
        ca_pem=Path(ca).read_text(encoding="ascii"),
    )


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[RunningEmulator]:
    running = start_emulator(tmp_path, read_only_api_key=[WATCH_KEY])
    yield running
    running.stop()


def run(config: watch.Settings, remaining: float = 15.0) -> tuple[dict[str, Any], Cloud]:
    cloud = Cloud()
    return watch.look(config, cloud, remaining), cloud


def add(emu: RunningEmulator, name: str, cidr: str, description: str | None) -> None:
    with emu.client("privatelink", ca_bundle=emu.ca_bundle) as client:
        client.create_ip_allowlist(name, cidr, description)


def test_the_lockdown_holds_then_a_deleted_entry_is_reported(
    emu: RunningEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    add(emu, "office", "203.0.113.0/24", OWNER.description)
    config = settings(emu.privatelink_url, emu.public_url, emu.ca_bundle)
    result, cloud = run(config)
    assert (result["lockdown_holds"], result["public"]) == (1, "refuses")
    assert cloud.published == [{"LockdownHolds": 1, "UnexpectedEntries": 0}]
    with emu.client("privatelink") as client:
        client.delete_ip_allowlist("office")
    result, cloud = run(config)
    assert result["lockdown_holds"] == 0
    assert result["missing"] == ["office"]
    assert cloud.published == [{"LockdownHolds": 0, "UnexpectedEntries": 0}]
    lines = [r.getMessage() for r in caplog.records if r.name == "rockset_watch"]
    assert len(lines) == 2
    assert "missing or changed: office" in lines[1]
    assert not leaked_runs("\n".join(lines), WATCH_KEY)


@pytest.mark.parametrize(
    ("name", "cidr", "description", "unexpected"),
    [
        ("vpn", "203.0.113.7/32", None, []),
        ("anyone", "0.0.0.0/0", None, ["anyone 0.0.0.0/0 (unmarked)"]),
        ("theirs", "198.51.100.0/24", Owner("another/allowlist").description, []),
        ("old", "198.51.100.0/24", OWNER.description, ["old 198.51.100.0/24 (ours)"]),
    ],
)
def test_a_foreign_entry_is_unexpected_only_if_it_widens_access(
    emu: RunningEmulator, name: str, cidr: str, description: str | None, unexpected: list[str]
) -> None:
    add(emu, "office", "203.0.113.0/24", OWNER.description)
    add(emu, name, cidr, description)
    result, cloud = run(settings(emu.privatelink_url, emu.public_url, emu.ca_bundle))
    assert result["unexpected"] == unexpected
    assert result["lockdown_holds"] == int(not unexpected)
    assert cloud.published[0]["UnexpectedEntries"] == len(unexpected)


def test_a_public_endpoint_that_accepts_the_key_breaks_the_lockdown(
    emu: RunningEmulator, tmp_path: Path
) -> None:
    add(emu, "office", "203.0.113.0/24", OWNER.description)
    with HostileServer(tmp_path) as public:
        public.behaviour = lambda _: [json_answer(200, {"data": []})]
        config = settings(emu.privatelink_url, public.url, emu.ca_bundle)
        result, _ = run(replace(config, ca_pem=f"{config.ca_pem}{open_ca(public)}"))
    assert (result["lockdown_holds"], result["public"]) == (0, "accepts")


def open_ca(server: HostileServer) -> str:
    return Path(server.ca_bundle).read_text(encoding="ascii")


def test_without_a_route_out_the_allowlist_alone_is_judged(emu: RunningEmulator) -> None:
    add(emu, "office", "203.0.113.0/24", OWNER.description)
    closed = "https://127.0.0.1:9"  # the discard port: nothing listens
    result, _ = run(settings(emu.privatelink_url, closed, emu.ca_bundle))
    assert (result["lockdown_holds"], result["public"]) == (1, "unreachable")


def key_echo(_: object) -> list[bytes]:
    return [json_answer(500, {"message": f"bad key {WATCH_KEY}", "type": "INTERNALERROR"})]


@pytest.mark.parametrize(
    "behaviour",
    [
        key_echo,
        lambda _: [answer(302, b"", {"Location": "https://evil.example/"})],
        lambda _: [json_answer(200, {"data": "nope"})],
        lambda _: [answer(200, b"[" * 100_000)],
        huge_body(4 << 20, declared=False),
        trickled_body,
    ],
    ids=["key-echo", "redirect", "wrong-shape", "deep-json", "huge", "trickle"],
)
def test_a_hostile_privatelink_answer_reports_0_in_bounded_time_without_the_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, behaviour: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    with HostileServer(tmp_path) as server:
        server.behaviour = behaviour
        started = time.monotonic()
        result, cloud = run(settings(server.url, "https://127.0.0.1:9", server.ca_bundle), 8.0)
        elapsed = time.monotonic() - started
    assert elapsed < 8.0
    assert result["lockdown_holds"] == 0
    assert result["error"]
    assert cloud.published == [{"LockdownHolds": 0}]
    shown = "\n".join([str(result), *(r.getMessage() for r in caplog.records)])
    assert not leaked_runs(shown, WATCH_KEY)


def test_entries_named_by_a_hostile_privatelink_reach_the_result_cleaned_and_bounded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The result is what `pulumi up`'s first run keeps in the state (the Invocation's `result`):
    # entry names are server text, and one may echo the key or forge a line.
    forged = {"name": f"\x1b[2K\r\u2714 Lockdown verified {WATCH_KEY}", "ip_address": "0.0.0.0/0"}
    spam = [{"name": f"n{i}", "ip_address": f"10.{i >> 8}.{i & 255}.0/24"} for i in range(5000)]
    caplog.set_level(logging.INFO)
    with HostileServer(tmp_path) as server:
        server.behaviour = lambda _: [json_answer(200, {"data": [forged, *spam]})]
        result, cloud = run(settings(server.url, "https://127.0.0.1:9", server.ca_bundle))
    assert cloud.published == [{"LockdownHolds": 0, "UnexpectedEntries": 5001}]
    listed = result["unexpected"]
    assert len(listed) <= 21
    assert listed[-1] == f"and {5001 - len(listed) + 1} more"
    assert all(item.isprintable() and len(item) <= 200 for item in listed)
    shown = "\n".join([str(result), *(r.getMessage() for r in caplog.records)])
    assert not leaked_runs(shown, WATCH_KEY)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
        max_leaves=20,
    )
)
def test_any_json_is_entries_or_an_allowlist_answer_error(document: object) -> None:
    try:
        found = entries_of(document)
    except AllowlistAnswerError:
        return
    assert all(isinstance(e.name, str) and isinstance(e.ip_address, str) for e in found)


def test_an_incomplete_environment_fails_the_run_naming_what_is_missing() -> None:
    env = {name: "x" for name in watch.ENV.values() if name != watch.ENV["secret"]}
    with pytest.raises(RuntimeError, match="ROCKSET_WATCH_SECRET_ARN"):
        watch.Settings.from_env(env)
