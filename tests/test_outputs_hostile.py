"""What steps 3 and 5 put into Pulumi outputs (not secret) when a server echoes the key back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rockset_pulumi import VerificationError
from rockset_pulumi.allowlist import Owner
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.lifecycle import ConnectivityLifecycle
from rockset_pulumi.steps import (
    check_connectivity,
    observe_lockdown,
    reconcile_allowlist,
    remove_allowlist,
    wait_for,
    waiting,
)
from tests.support.hostile import HostileServer, Request, json_answer
from tests.support.leaks import leaked_runs
from tests.test_client_hostile import KEY, SHAPES


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[HostileServer]:
    with HostileServer(tmp_path) as server:
        yield server


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_outputs_carry_no_part_of_an_echoed_key(hostile: HostileServer, shape: str) -> None:
    echo = SHAPES[shape](KEY)

    def behaviour(request: Request) -> list[bytes]:
        if request.path == "/":
            return [json_answer(200, {"message": "GO ROCKSET!"})]
        return [json_answer(401, {"message": f"\x1b[32m✔ Lockdown verified\r\n{echo}"})]

    hostile.behaviour = behaviour
    api = RocksetApi(hostile.url, hostile.url, KEY, str(hostile.ca_bundle))
    status = observe_lockdown(api, deadline=5.0).as_output()
    assert status["public_refuses_key"] is True
    assert status["privatelink_accepts_key"] is False
    shown = repr(status)
    assert leaked_runs(shown, KEY) == []
    assert "\x1b" not in shown
    assert "\r\n" not in str(status["public_error"])

    with pytest.raises(VerificationError) as err:
        check_connectivity(api, 1.0, public_may_refuse_key=True)
    assert leaked_runs(str(err.value), KEY) == []


def test_user_fields_and_allowlist_text_are_cleaned(hostile: HostileServer) -> None:
    echo = f"\x1b[32m✔ Lockdown verified\r\n{KEY}"

    def behaviour(request: Request) -> list[bytes]:
        if request.path == "/":
            return [json_answer(200, {"message": "GO ROCKSET!"})]
        if request.path == "/v1/orgs/self/users/self":
            return [json_answer(200, {"email": echo, "state": echo, "roles": []})]
        entries = [
            {"name": "office", "ip_address": echo, "description": echo},
            {"name": f"x{echo}", "ip_address": "192.0.2.1/32", "description": None},
        ]
        return [json_answer(200, {"data": entries})]

    hostile.behaviour = behaviour
    api = RocksetApi(hostile.url, hostile.url, KEY, str(hostile.ca_bundle))
    probe = wait_for(api, hostile.url, waiting(2.0))
    with pytest.raises(VerificationError) as clash:
        reconcile_allowlist(api, {"office": "203.0.113.0/24"}, Owner("org/urn/allowlist"))
    removal = remove_allowlist(api, Owner("org/urn/allowlist"))
    for shown in (repr(probe), str(clash.value), removal.summary):
        assert leaked_runs(shown, KEY) == []
        assert "\x1b" not in shown
        assert "\r" not in shown
        assert "\n" not in shown


def test_step_3_outputs_no_lone_surrogate_and_no_spread_out_key(hostile: HostileServer) -> None:
    spread = "\u200b".join(KEY)

    def behaviour(request: Request) -> list[bytes]:
        if request.path == "/":
            return [json_answer(200, {"message": "GO ROCKSET!"})]
        user = {"email": "admin\ud800@example.com", "state": spread, "roles": []}
        return [json_answer(200, user)]

    hostile.behaviour = behaviour
    props = {
        "public_url": hostile.url,
        "privatelink_url": hostile.url,
        "api_key": KEY,
        "ca_bundle": hostile.ca_bundle,
        "timeout": 5.0,
    }
    outputs = ConnectivityLifecycle().create(props).outputs
    private = outputs["privatelink"]
    assert private["user_email"] == "admin@example.com"
    assert private["user_state"] == "<redacted>"
    json.dumps(outputs, ensure_ascii=False).encode("utf-8")
