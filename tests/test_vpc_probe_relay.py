"""The relay transport through real boto3, against a canned Lambda endpoint: what each answer of
the function or of Lambda becomes for the client, and that the key stays out of every message."""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rockset_pulumi import (
    ConfigurationError,
    RateLimitedError,
    ResponseTooLargeError,
    RocksetPulumiError,
    TransportError,
)
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.errors import ProbeFunctionError, VerificationError
from rockset_pulumi.steps import check_connectivity
from rockset_pulumi.vpc_probe.spec import RelaySpec
from tests.support.hostile import TRICKLE
from tests.support.leaks import leaked_runs

KEY = "rs-relay-key-Zq8Wv3Nn5Tt1Kk7Pp2Yy"
PRIVATELINK = "https://privatelink.vpc.rockset.test:8443"
FUNCTION = "rockset-probe-0123abcd"


@dataclass
class Canned:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"{}"
    seen: list[dict[str, Any]] = field(default_factory=list)
    hang_up: bool = False
    """Close the connection without an answer, as a dropped connection to Lambda does."""
    trickle: bool = False
    """Send the body a byte at a time, each well within any read timeout."""


class _Handler(http.server.BaseHTTPRequestHandler):
    canned: Canned

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.canned.seen.append(
            {
                "path": self.path,
                "headers": list(self.headers.items()),
                "payload": json.loads(self.rfile.read(length) or b"null"),
            }
        )
        if self.canned.hang_up:
            self.close_connection = True
            return
        self.send_response(self.canned.status)
        for name, value in self.canned.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(self.canned.body)))
        self.end_headers()
        if not self.canned.trickle:
            self.wfile.write(self.canned.body)
            return
        for byte in self.canned.body:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(TRICKLE)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def lambda_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Canned]:
    canned = Canned()

    class Handler(_Handler):
        pass

    Handler.canned = canned
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield canned
    server.shutdown()
    server.server_close()


def api(**relay: Any) -> RocksetApi:
    spec = RelaySpec(FUNCTION, "eu-central-1", relay.get("profile"))
    return RocksetApi("https://127.0.0.1:1", PRIVATELINK, KEY, None, relay=spec)


def answer(canned: Canned, status: int, document: object) -> None:
    canned.body = json.dumps(
        {
            "status": status,
            "headers": [["Content-Type", "application/json"]],
            "body": base64.b64encode(json.dumps(document).encode()).decode(),
        }
    ).encode()


def handler_error(canned: Canned, kind: str, message: str, *, sent: bool = False) -> None:
    canned.body = json.dumps({"error": {"kind": kind, "message": message, "sent": sent}}).encode()


def lambda_error(canned: Canned, status: int, code: str, message: str) -> None:
    canned.status = status
    canned.headers = {"x-amzn-ErrorType": code}
    canned.body = json.dumps({"Type": "User", "message": message}).encode()


def ping(through: RocksetApi) -> str:
    with through.client(PRIVATELINK, deadline=5, attempts=1) as client:
        return client.ping()


def fails(through: RocksetApi) -> RocksetPulumiError:
    with pytest.raises(RocksetPulumiError) as raised:
        ping(through)
    assert KEY not in str(raised.value)
    assert KEY[8:20] not in str(raised.value)
    return raised.value


def test_an_answer_is_relayed_as_the_endpoints(lambda_endpoint: Canned) -> None:
    answer(lambda_endpoint, 200, {"message": "GO ROCKSET!"})
    assert ping(api()) == "GO ROCKSET!"
    [call] = lambda_endpoint.seen
    assert call["path"] == f"/2015-03-31/functions/{FUNCTION}/invocations"
    payload = call["payload"]
    assert payload["method"] == "GET"
    assert payload["url"] == f"{PRIVATELINK}/"
    assert 0 < payload["deadline"] < 5


def revealed(text: str) -> str:
    """``text``, and what it says base64-decoded (as AWS's ``X-Amz-Client-Context`` is sent)."""
    try:
        return text + base64.b64decode(text, validate=True).decode("utf-8", "replace")
    except ValueError:
        return text


def test_the_key_travels_in_the_payload_only(lambda_endpoint: Canned) -> None:
    answer(lambda_endpoint, 200, {"email": "admin@example.com"})
    with api().client(PRIVATELINK, deadline=5, attempts=1) as client:
        assert client.current_user().email == "admin@example.com"
    [call] = lambda_endpoint.seen
    # In the payload, as the header the function sends to Rockset, and nowhere else in it.
    headers = dict(call["payload"]["headers"])
    assert headers.pop("authorization") == f"ApiKey {KEY}"
    assert KEY not in json.dumps({**call["payload"], "headers": headers})
    # Not in the Invoke request itself: its URL or any of its headers (the AWS signature's,
    # the client context's), which Lambda, proxies and CloudTrail may log.
    assert KEY not in call["path"]
    assert any(name.lower() == "authorization" for name, _ in call["headers"])
    for name, value in call["headers"]:
        assert KEY not in revealed(value), name


def test_the_ca_bundle_travels_as_pem_text(lambda_endpoint: Canned, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    answer(lambda_endpoint, 200, {"message": "GO ROCKSET!"})
    spec = RelaySpec(FUNCTION, "eu-central-1")
    through = RocksetApi("https://127.0.0.1:1", PRIVATELINK, KEY, str(bundle), relay=spec)
    ping(through)
    assert lambda_endpoint.seen[0]["payload"]["ca_bundle_pem"] == bundle.read_text()


@pytest.mark.parametrize(
    ("kind", "sent", "expected"),
    [
        ("dns", False, "could not resolve the host"),
        ("tls", False, "TLS verification"),
        ("connect", False, "could not connect"),
        ("timeout", False, "timed out"),
        ("timeout", True, "timed out"),
        ("protocol", True, "the connection was dropped"),
    ],
)
def test_a_request_without_an_answer_fails_as_it_would_from_here(
    lambda_endpoint: Canned, kind: str, sent: bool, expected: str
) -> None:
    handler_error(lambda_endpoint, kind, f"went wrong, key {KEY}", sent=sent)
    error = fails(api())
    assert isinstance(error, TransportError)
    assert expected in str(error)
    assert f"from inside the VPC, by the probe function {FUNCTION}" in str(error)


@pytest.mark.parametrize("kind", ["timeout", "connect"])
def test_a_request_the_function_could_not_complete_says_it_went_through_it(
    lambda_endpoint: Canned, kind: str
) -> None:
    handler_error(lambda_endpoint, kind, "no answer from 10.0.1.17:443", sent=kind == "timeout")
    error = str(fails(api()))
    assert f"the request went through the probe function {FUNCTION} in eu-central-1" in error
    assert "reachable from there" in error
    assert "from here" not in error


def test_step_3_through_the_function_names_it_in_the_likely_causes(
    lambda_endpoint: Canned,
) -> None:
    handler_error(lambda_endpoint, "timeout", "no answer from 10.0.1.17:443", sent=True)
    with pytest.raises(VerificationError) as raised:
        check_connectivity(api(), 1.0, public_may_refuse_key=False)
    error = str(raised.value)
    assert f"The requests went through the probe function {FUNCTION} in eu-central-1" in error
    assert f"/aws/lambda/{FUNCTION}" in error
    assert "runs outside the VPC" not in error
    assert "this machine" not in error


def test_a_timeout_of_the_function_itself_names_it(lambda_endpoint: Canned) -> None:
    lambda_endpoint.headers = {"X-Amz-Function-Error": "Unhandled"}
    lambda_endpoint.body = json.dumps(
        {"errorMessage": "2026-01-01T00:00:00Z abc Task timed out after 15.00 seconds"}
    ).encode()
    error = str(fails(api()))
    assert f"the probe function {FUNCTION} in eu-central-1 timed out" in error
    assert "Task timed out after 15.00 seconds" in error
    assert "from here" not in error


def test_too_large_and_refused_are_final(lambda_endpoint: Canned) -> None:
    handler_error(lambda_endpoint, "too_large", "more than 1048576 bytes arrived", sent=True)
    assert isinstance(fails(api()), ResponseTooLargeError)
    handler_error(lambda_endpoint, "refused", "this function relays to other.host:443 only")
    error = fails(api())
    assert isinstance(error, ProbeFunctionError)
    assert "pulumi up" in str(error)


@pytest.mark.parametrize(
    ("status", "code", "fix"),
    [
        (403, "AccessDeniedException", "lambda:InvokeFunction"),
        (404, "ResourceNotFoundException", "run `pulumi up` again"),
        (403, "UnrecognizedClientException", "credentials"),
    ],
)
def test_lambda_refusals_name_the_fix(
    lambda_endpoint: Canned, status: int, code: str, fix: str
) -> None:
    lambda_error(lambda_endpoint, status, code, f"denied for key {KEY}")
    error = fails(api())
    assert isinstance(error, ProbeFunctionError)
    assert code in str(error)
    assert fix in str(error)
    assert FUNCTION in str(error)


def test_throttling_is_transient(lambda_endpoint: Canned) -> None:
    lambda_error(lambda_endpoint, 429, "TooManyRequestsException", "Rate exceeded")
    error = fails(api())
    assert isinstance(error, TransportError)
    assert "TooManyRequestsException" in str(error)


def test_a_failing_function_is_reported_with_its_log_group(lambda_endpoint: Canned) -> None:
    lambda_endpoint.headers = {"X-Amz-Function-Error": "Unhandled"}
    lambda_endpoint.body = json.dumps(
        {"errorType": "KeyError", "errorMessage": f"'{KEY}'"}
    ).encode()
    error = fails(api())
    assert isinstance(error, ProbeFunctionError)
    assert f"/aws/lambda/{FUNCTION}" in str(error)


def test_a_function_timeout_is_a_timeout(lambda_endpoint: Canned) -> None:
    lambda_endpoint.headers = {"X-Amz-Function-Error": "Unhandled"}
    lambda_endpoint.body = json.dumps(
        {"errorMessage": "2026-01-01T00:00:00Z abc Task timed out after 15.00 seconds"}
    ).encode()
    error = fails(api())
    assert isinstance(error, TransportError)
    assert "timed out" in str(error)


def test_missing_credentials_name_what_to_set(
    lambda_endpoint: Canned, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    error = fails(api())
    assert isinstance(error, ConfigurationError)
    assert "AWS_PROFILE or aws:profile" in str(error)
    assert lambda_endpoint.seen == []


def test_an_unknown_profile_is_named(lambda_endpoint: Canned) -> None:
    error = fails(api(profile="no-such-profile"))
    assert isinstance(error, ConfigurationError)
    assert "'no-such-profile'" in str(error)
    assert lambda_endpoint.seen == []


def test_public_side_requests_never_go_through_the_relay() -> None:
    through = api()
    assert through.ran_from(through.public_url) == "runner"
    assert through.ran_from(PRIVATELINK) == f"vpc:{FUNCTION}"


def test_a_deeply_nested_answer_is_not_its_answer(lambda_endpoint: Canned) -> None:
    # json.loads raises RecursionError, not ValueError, for nesting deeper than its stack.
    lambda_endpoint.body = b"[" * 100_000
    error = fails(api())
    assert isinstance(error, ProbeFunctionError)
    assert "not its answer" in str(error)


def test_a_latin_1_header_of_the_host_is_relayed(lambda_endpoint: Canned) -> None:
    # http.client in the function decodes header bytes as Latin-1, as a server may send them.
    answer(lambda_endpoint, 200, {"message": "GO ROCKSET!"})
    relayed = json.loads(lambda_endpoint.body)
    relayed["headers"].append(["X-Note", "caf\u00e9"])
    lambda_endpoint.body = json.dumps(relayed).encode()
    assert ping(api()) == "GO ROCKSET!"


@pytest.mark.parametrize(
    "change",
    [
        {"status": "200"},
        {"status": True},
        {"status": 99999},
        {"status": -5},
        {"status": 200.5},
        {"headers": {"ab": "cd"}},
        {"headers": [["X-Quote", "\u2019"]]},
        {"headers": [["X-Three", "a", "b"]]},
        {"body": ["e30="]},
    ],
    ids=repr,
)
def test_an_answer_of_the_wrong_shape_is_the_functions_fault(
    lambda_endpoint: Canned, change: dict[str, Any]
) -> None:
    answer(lambda_endpoint, 200, {"message": "GO ROCKSET!"})
    lambda_endpoint.body = json.dumps({**json.loads(lambda_endpoint.body), **change}).encode()
    error = fails(api())
    assert isinstance(error, ProbeFunctionError)
    assert "wrong shape" in str(error)


def test_a_dropped_connection_to_lambda_is_a_transport_error(lambda_endpoint: Canned) -> None:
    # botocore's ConnectionClosedError is a BotoCoreError, but nothing about the setup is wrong:
    # another attempt may well get an answer.
    lambda_endpoint.hang_up = True
    error = fails(api())
    assert isinstance(error, TransportError)
    assert "cut off" in str(error)


def test_an_answer_that_trickles_in_ends_at_the_deadline(lambda_endpoint: Canned) -> None:
    # Each byte comes well within botocore's read timeout; the whole takes far longer than the
    # exchange's deadline (5 s), which bounds it as a whole.
    answer(lambda_endpoint, 200, {"message": "GO ROCKSET!", "padding": " " * 400})
    lambda_endpoint.trickle = True
    error = fails(api())
    assert isinstance(error, TransportError)
    assert "timed out (no complete answer within the 5 s deadline: the probe function" in str(error)


def test_a_retry_after_no_parser_expects_is_relayed_as_a_rate_limit(
    lambda_endpoint: Canned,
) -> None:
    # "²" is Latin-1: the function relays it as the host sent it, and str.isdigit() admits it.
    answer(lambda_endpoint, 429, {"message": "slow down"})
    relayed = json.loads(lambda_endpoint.body)
    relayed["headers"].append(["Retry-After", "\u00b2"])
    lambda_endpoint.body = json.dumps(relayed).encode()
    with (
        api().client(PRIVATELINK, deadline=5, attempts=2) as client,
        pytest.raises(RateLimitedError) as raised,
    ):
        client.current_user()
    assert "429" in str(raised.value)


@pytest.mark.parametrize("separator", ["\u200b", "\u202e", "\x00", "\u00ad"])
def test_a_failing_function_that_spreads_the_key_out_does_not_show_it(
    lambda_endpoint: Canned, separator: str
) -> None:
    lambda_endpoint.headers = {"X-Amz-Function-Error": "Unhandled"}
    spread = separator.join(KEY)
    lambda_endpoint.body = json.dumps({"errorType": spread, "errorMessage": spread}).encode()
    error = fails(api())
    assert isinstance(error, ProbeFunctionError)
    assert leaked_runs(str(error), KEY) == []
