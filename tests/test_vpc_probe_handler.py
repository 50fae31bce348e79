"""The probe function's handler, called as Lambda calls it, against the real emulator over HTTPS
(and a hostile server for what the emulator never does): it relays one request to its one host,
refuses everything else, keeps its bounds and never logs the key."""

from __future__ import annotations

import ast
import base64
import http.client
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from rockset_pulumi.vpc_probe import handler as probe
from rockset_pulumi.vpc_probe.resources import HANDLER_FILE
from tests.support.emulator import RunningEmulator, start_emulator
from tests.support.hostile import (
    HostileServer,
    answer,
    huge_body,
    trickled_body,
)


class Context:
    """Lambda's context: the time left of the invocation."""

    def __init__(self, millis: int = 15_000) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    running = start_emulator(tmp_path_factory.mktemp("handler-emulator"))
    yield running
    running.stop()


def target(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


def event(url: str, path: str = "/", **extra: Any) -> dict[str, Any]:
    return {"method": "GET", "url": f"{url}{path}", "headers": [], "deadline": 5, **extra}


def pem(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def relay(
    monkeypatch: pytest.MonkeyPatch, allowed: str, payload: dict[str, Any], **context: int
) -> dict[str, Any]:
    monkeypatch.setenv(probe.TARGET_ENV, target(allowed))
    # A round trip through JSON, as Lambda returns it.
    result: dict[str, Any] = json.loads(json.dumps(probe.handler(payload, Context(**context))))
    return result


def body(result: dict[str, Any]) -> Any:
    return json.loads(base64.b64decode(result["body"]))


def test_the_handler_imports_only_the_standard_library() -> None:
    tree = ast.parse(HANDLER_FILE.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert imported - {"__future__"} <= set(sys.stdlib_module_names)


def test_relays_a_request_and_its_answer(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator
) -> None:
    url = emu.privatelink_url
    payload = event(
        url,
        "/v1/orgs/self/users/self",
        headers=[["Authorization", f"ApiKey {emu.api_key}"], ["Accept", "application/json"]],
        ca_bundle_pem=pem(emu.ca_bundle),
    )
    result = relay(monkeypatch, url, payload)
    assert result["status"] == 200
    assert body(result)["email"] == "admin@example.com"
    assert any(name.lower() == "content-type" for name, _ in result["headers"])


def test_writes_travel_with_their_body(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator
) -> None:
    url = emu.privatelink_url
    entry = json.dumps({"name": "relayed", "ip_address": "198.51.100.7/32"}).encode()
    headers = [["Authorization", f"ApiKey {emu.api_key}"], ["Content-Type", "application/json"]]
    created = relay(
        monkeypatch,
        url,
        event(
            url,
            "/v1/orgs/self/ip/allowlist",
            method="POST",
            headers=headers,
            body=base64.b64encode(entry).decode(),
            ca_bundle_pem=pem(emu.ca_bundle),
        ),
    )
    assert created["status"] == 200
    deleted = relay(
        monkeypatch,
        url,
        event(
            url,
            "/v1/orgs/self/ip/allowlist/relayed",
            method="DELETE",
            headers=headers,
            ca_bundle_pem=pem(emu.ca_bundle),
        ),
    )
    assert deleted["status"] == 200


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"url": "https://127.0.0.1:1/"}, "relays to"),
        ({"url": "https://example.com/"}, "relays to"),
        ({"method": "PUT"}, "method"),
        ({"deadline": "soon"}, "deadline"),
        ({"deadline": -(10**400)}, "deadline"),
        ({"headers": "Authorization: x"}, "headers"),
        ({"body": "%%%"}, "base64"),
    ],
)
def test_refuses_what_it_does_not_relay(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator, change: dict[str, Any], why: str
) -> None:
    before = len(emu.requests())
    result = relay(monkeypatch, emu.privatelink_url, {**event(emu.privatelink_url), **change})
    assert result["error"]["kind"] == "refused"
    assert why in result["error"]["message"]
    assert len(emu.requests()) == before


def test_refuses_plain_http_and_another_listener(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator
) -> None:
    plain = emu.privatelink_url.replace("https://", "http://")
    before = len(emu.requests())
    for url in (plain, emu.public_url):
        result = relay(monkeypatch, emu.privatelink_url, event(url))
        assert result["error"]["kind"] == "refused"
    assert len(emu.requests()) == before


def test_tls_is_verified(monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator) -> None:
    # Without the emulator's CA the system's trust store does not know its certificate.
    result = relay(monkeypatch, emu.privatelink_url, event(emu.privatelink_url))
    assert result["error"]["kind"] == "tls"
    assert result["error"]["sent"] is False


def test_follows_no_redirect(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with HostileServer(tmp_path) as server:
        server.behaviour = lambda _: [
            answer(302, b"", {"Location": "https://example.com/v1/orgs/self/users/self"})
        ]
        result = relay(
            monkeypatch, server.url, event(server.url, ca_bundle_pem=pem(server.ca_bundle))
        )
    assert result["status"] == 302
    assert result["body"] == ""


@pytest.mark.parametrize("declared", [True, False])
def test_bounds_the_answer_size(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, declared: bool
) -> None:
    with HostileServer(tmp_path) as server:
        server.behaviour = huge_body(2 * probe.MAX_BODY, declared=declared)
        result = relay(
            monkeypatch, server.url, event(server.url, ca_bundle_pem=pem(server.ca_bundle))
        )
    assert result["error"]["kind"] == "too_large"


def test_bounds_the_time_by_the_deadline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with HostileServer(tmp_path) as server:
        server.behaviour = trickled_body
        result = relay(
            monkeypatch,
            server.url,
            event(server.url, deadline=0.5, ca_bundle_pem=pem(server.ca_bundle)),
        )
    assert result["error"] == {
        "kind": "timeout",
        "message": "no complete answer within 0.5 s",
        "sent": True,
    }


def test_bounds_the_time_by_what_the_invocation_has_left(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with HostileServer(tmp_path) as server:
        server.behaviour = trickled_body
        result = relay(
            monkeypatch,
            server.url,
            event(server.url, deadline=30, ca_bundle_pem=pem(server.ca_bundle)),
            millis=1_000,
        )
    assert result["error"]["kind"] == "timeout"
    assert "within 0.5 s" in result["error"]["message"]


def test_an_unknown_host_is_a_dns_error(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://privatelink.vpc.rockset.test:443"
    result = relay(monkeypatch, url, event(url))
    assert result["error"]["kind"] == "dns"


def test_never_logs_the_key_or_headers(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = emu.privatelink_url
    with_key = [["Authorization", f"ApiKey {emu.api_key}"]]
    relay(monkeypatch, url, event(url, "/v1/orgs/self/users/self", headers=with_key))
    relay(
        monkeypatch,
        url,
        event(url, "/v1/orgs/self/users/self", headers=with_key, ca_bundle_pem=pem(emu.ca_bundle)),
    )
    relay(monkeypatch, url, event(emu.public_url, headers=with_key))
    assert caplog.records
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert emu.api_key not in logged
    assert "Authorization" not in logged


@pytest.mark.parametrize(
    "header",
    [
        ["Authorization", "ApiKey rs-KEY-Zq8Wv3Nn5Tt1\r\nX-Smuggled: yes"],
        ["X-Quote", "\u2019rs-KEY-Zq8Wv3Nn5Tt1"],
        ["rs-KEY-Zq8Wv3Nn5Tt1: x\r\nX-Smuggled", "yes"],
    ],
    ids=["crlf-in-value", "not-latin-1", "crlf-in-name"],
)
def test_refuses_a_header_http_cannot_carry_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch,
    emu: RunningEmulator,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    header: list[str],
) -> None:
    # http.client would raise a ValueError repeating the value on the worker thread, whose
    # traceback goes to the function's log, and the caller would hear of a timeout.
    caplog.set_level(logging.DEBUG)
    before = len(emu.requests())
    result = relay(
        monkeypatch,
        emu.privatelink_url,
        event(emu.privatelink_url, headers=[header], ca_bundle_pem=pem(emu.ca_bundle)),
    )
    assert result["error"]["kind"] == "refused"
    assert "headers[0]" in result["error"]["message"]
    assert len(emu.requests()) == before
    out, err = capfd.readouterr()
    logged = "\n".join([out, err, *(record.getMessage() for record in caplog.records)])
    assert "Zq8Wv3Nn5Tt1" not in logged + json.dumps(result)


def test_an_unexpected_failure_is_named_by_its_type_only(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator, capfd: pytest.CaptureFixture[str]
) -> None:
    def fails(*_: object, **__: object) -> None:
        raise LookupError("echo of ApiKey rs-KEY-Zq8Wv3Nn5Tt1")

    monkeypatch.setattr(http.client.HTTPSConnection, "request", fails)
    url = emu.privatelink_url
    result = relay(monkeypatch, url, event(url, ca_bundle_pem=pem(emu.ca_bundle)))
    assert result["error"] == {
        "kind": "protocol",
        "message": "the exchange failed (LookupError)",
        "sent": True,
    }
    out, err = capfd.readouterr()
    assert "Zq8Wv3Nn5Tt1" not in out + err


def test_refuses_a_method_that_is_not_a_string(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator
) -> None:
    url = emu.privatelink_url
    result = relay(monkeypatch, url, {**event(url), "method": ["GET"]})
    assert result["error"]["kind"] == "refused"
    assert "method" in result["error"]["message"]


@pytest.mark.parametrize("path", ["/v1/orgs/self users", "/v1/\u00e9", "/v1\x7f"])
def test_refuses_a_path_that_is_not_percent_encoded(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator, path: str
) -> None:
    before = len(emu.requests())
    url = emu.privatelink_url
    result = relay(monkeypatch, url, event(url, path, ca_bundle_pem=pem(emu.ca_bundle)))
    assert result["error"]["kind"] == "refused"
    assert result["error"]["sent"] is False
    assert len(emu.requests()) == before


def test_bounds_the_answers_headers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Within http.client's own limits (100 lines of 64 KiB), yet more than Lambda can return.
    many = {f"X-Filler-{i}": "x" * 8000 for i in range(20)}
    with HostileServer(tmp_path) as server:
        server.behaviour = lambda _: [answer(200, b"{}", many)]
        result = relay(
            monkeypatch, server.url, event(server.url, ca_bundle_pem=pem(server.ca_bundle))
        )
    assert result["error"]["kind"] == "too_large"
    assert result["error"]["sent"] is True


def test_a_huge_deadline_is_held_to_the_most(
    monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator
) -> None:
    # float() of a JSON integer this long raises OverflowError.
    budgets: list[float] = []
    exchange = probe._Exchange.run

    def run(self: probe._Exchange, budget: float) -> dict[str, Any]:
        budgets.append(budget)
        return exchange(self, budget)

    monkeypatch.setattr(probe._Exchange, "run", run)
    url = emu.privatelink_url
    payload = event(url, deadline=10**400, ca_bundle_pem=pem(emu.ca_bundle))
    # An invocation with far more time left than the cap, so that the cap is what binds.
    result = relay(monkeypatch, url, payload, millis=10**9)
    assert result["status"] == 200
    assert budgets == [probe.MAX_DEADLINE]


@pytest.mark.parametrize(
    ("declared", "kind"),
    [(b"\xb2", None), ("①".encode(), None), (b"9" * 5000, "too_large"), (b"1" * 20, "too_large")],
    ids=["superscript two", "circled one", "5000 digits", "20 digits"],
)
def test_a_content_length_is_read_as_ascii_digits_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, declared: bytes, kind: str | None
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    # Chunked: http.client frames the body by its chunks and ignores the length.
    chunked = b"\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    with HostileServer(tmp_path) as server:
        server.behaviour = lambda _: [head + declared + chunked]
        result = relay(
            monkeypatch, server.url, event(server.url, ca_bundle_pem=pem(server.ca_bundle))
        )
    if kind is None:
        assert result["status"] == 200
        assert body(result) == {}
    else:
        assert result["error"]["kind"] == kind
