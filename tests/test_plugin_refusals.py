"""Every bad input is refused the same way on both paths, each in its own language's terms.

One table drives the Python component (under Pulumi's mocks) and the plugin's ``Construct``
(driven as the engine drives it, :mod:`tests.support.construct`): Python names the argument
(``check_timeout is -1``), the plugin the schema's property path, as the engine shows it next
to the resource (``checkTimeout``), with the value as the program wrote it (``-1``, though the
engine sends every number as a float), a secret never shown, and no Python stack.
"""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import engine_pb2

from devtools.pulumi_mocks import program, registered
from devtools.schema import SCHEMA_FILE
from rockset_pulumi import ConfigurationError, PrivateLink, PrivateLinkArgs, Watch
from rockset_pulumi.args import resolve_args
from rockset_pulumi.errors import MapKey
from rockset_pulumi.plugin.naming import camel
from rockset_pulumi.plugin.refusals import INTERNAL_ERROR, in_schema_terms, schema_path, shown
from tests.support.construct import Constructor, Refused, constructor

CREATE = "Cannot create the PrivateLink: "
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
KEY = "k-0123456789"

# (Python arguments, what Python says, the plugin's property path, what the plugin says); each
# message after "Cannot create the PrivateLink: ".
VPC_ID_FIX = (
    "Pass the VPC's id as AWS shows it: 'vpc-' and 8 or 17 lower-case hexadecimal digits, "
    "e.g. 'vpc-0123456789abcdef0'."
)
# The schema's enums describe their values in the same words (devtools.schema, ENUMS).
PROBE_FIX = (
    'Pass "runner" (requests from the machine that runs pulumi up, which must be inside the '
    'VPC) or "vpc" (requests from a Lambda function the component creates in the VPC).'
)
DNS_FIX = (
    'Pass "endpoint" (private DNS on the endpoint, for its own VPC) or "hosted_zone" (a Route 53 '
    "private hosted zone, for the endpoint's VPC and every shared VPC)."
)
REFUSALS: list[tuple[dict[str, Any], str, str, str]] = [
    (
        {"check_timeout": -1},
        "check_timeout is -1. Pass a number of seconds from 1 to 86400.",
        "checkTimeout",
        "checkTimeout is -1. Pass a number of seconds from 1 to 86400.",
    ),
    (
        {"check_timeout": 0.5},
        "check_timeout is 0.5. Pass a number of seconds from 1 to 86400.",
        "checkTimeout",
        "checkTimeout is 0.5. Pass a number of seconds from 1 to 86400.",
    ),
    (
        {"expected_gb_per_month": -3},
        "expected_gb_per_month is -3. Pass a number of GB of 0 or more.",
        "expectedGbPerMonth",
        "expectedGbPerMonth is -3. Pass a number of GB of 0 or more.",
    ),
    (
        {"vpc_id": None},
        "vpc_id is None. " + VPC_ID_FIX,
        "vpcId",
        "vpcId is null. " + VPC_ID_FIX,
    ),
    (
        {"subnet_ids": []},
        "subnet_ids is []. Pass at least one subnet in the VPC, ideally one per availability zone.",
        "subnetIds",
        "subnetIds is []. Pass at least one subnet in the VPC, ideally one per availability zone.",
    ),
    (
        {"lockdown": "false"},
        "lockdown is 'false'. Pass True or False (a boolean, not a string or number).",
        "lockdown",
        'lockdown is "false". Pass true or false (a boolean, not a string or number).',
    ),
    (
        {"checks": True},
        "checks is True. The connectivity checks call Rockset's API: pass api_key, or set "
        "checks=False.",
        "checks",
        "checks is true. The connectivity checks call Rockset's API: pass apiKey, or set "
        "checks=false.",
    ),
    (
        {"lockdown": True, "api_key": KEY},
        "lockdown is True. With lockdown and no admin_cidrs nobody could reach the public API "
        "again (the guide keeps administrators' addresses). Pass admin_cidrs, e.g. "
        "{'office': '203.0.113.0/24'}.",
        "lockdown",
        "lockdown is true. With lockdown and no adminCidrs nobody could reach the public API "
        "again (the guide keeps administrators' addresses). Pass adminCidrs, e.g. "
        "{'office': '203.0.113.0/24'}.",
    ),
    (
        {"probe": "lambda", "api_key": KEY},
        "probe is 'lambda'. " + PROBE_FIX,
        "probe",
        'probe is "lambda". ' + PROBE_FIX,
    ),
    (
        {"dns": "zone"},
        "dns is 'zone'. " + DNS_FIX,
        "dns",
        'dns is "zone". ' + DNS_FIX,
    ),
    (
        {"dns": "hosted_zone", "shared_vpc_ids": ["vpc-0000000a", "vpc 2"]},
        "shared_vpc_ids[1] is 'vpc 2'. It has white space or characters that do not show. "
        + VPC_ID_FIX,
        "sharedVpcIds[1]",
        'sharedVpcIds[1] is "vpc 2". It has white space or characters that do not show. '
        + VPC_ID_FIX,
    ),
    (
        {"admin_cidrs": {"office": "203.0.113.0/33"}},
        "admin_cidrs['office'] is '203.0.113.0/33'. It is not a valid CIDR block "
        "('203.0.113.0/33' does not appear to be an IPv4 or IPv6 network). Pass one such as "
        "'10.0.0.0/16'.",
        "adminCidrs.office",
        'adminCidrs.office is "203.0.113.0/33". It is not a valid CIDR block '
        "('203.0.113.0/33' does not appear to be an IPv4 or IPv6 network). Pass one such as "
        "'10.0.0.0/16'.",
    ),
    (
        {"admin_cidrs": {"the office": "203.0.113.0/24"}},
        "admin_cidrs key is 'the office'. Pass a name of letters, digits, '.', '_' or '-' (up "
        "to 128 characters, starting with a letter or digit).",
        'adminCidrs["the office"]',
        "adminCidrs key is \"the office\". Pass a name of letters, digits, '.', '_' or '-' (up "
        "to 128 characters, starting with a letter or digit).",
    ),
    (
        {"allowed_cidrs": ["10.0.0.0/16", "2001:db8::/32"]},
        "allowed_cidrs[1] is '2001:db8::/32'. Pass an IPv4 block: Rockset's endpoints are IPv4 "
        "only.",
        "allowedCidrs[1]",
        'allowedCidrs[1] is "2001:db8::/32". Pass an IPv4 block: Rockset\'s endpoints are IPv4 '
        "only.",
    ),
    (
        {"tags": {"team": 7}},
        "tags['team'] is 7. Pass a dict of strings, e.g. {'team': 'data'}.",
        "tags.team",
        "tags.team is 7. Pass a dict of strings, e.g. {'team': 'data'}.",
    ),
    (
        {"public_url": "http://api.example.com"},
        "public_url is 'http://api.example.com'. Pass an https:// URL such as "
        "'https://api.euc1a1.rockset.com': the API key must never travel unencrypted.",
        "publicUrl",
        'publicUrl is "http://api.example.com". Pass an https:// URL such as '
        "'https://api.euc1a1.rockset.com': the API key must never travel unencrypted.",
    ),
    (
        {"api_key": f" {KEY}"},
        "api_key is '<hidden>'. It has leading or trailing whitespace; copy the key without it.",
        "apiKey",
        "apiKey is <hidden>. It has leading or trailing whitespace; copy the key without it.",
    ),
]


def on_the_wire(value: Any) -> Any:
    """A value as the engine sends it to ``Construct``: every number a float."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return {k: on_the_wire(v) for k, v in value.items()}
    return [on_the_wire(v) for v in value]


def python_refusal(**overrides: Any) -> str:
    with program() as aws:
        values: dict[str, Any] = {
            "vpc_id": aws.network.vpc_id,
            "subnet_ids": list(aws.network.subnet_ids_by_az.values()),
            **overrides,
        }
        with pytest.raises(ConfigurationError) as err:
            PrivateLink("rockset", PrivateLinkArgs(**values))
        assert aws.mocks.resources == []
    return str(err.value)


def base(engine: Constructor) -> dict[str, Any]:
    return {
        "vpcId": engine.aws.network.vpc_id,
        "subnetIds": list(engine.aws.network.subnet_ids_by_az.values()),
    }


def plugin_refusal(engine: Constructor, inputs: dict[str, Any]) -> Refused:
    with pytest.raises(Refused) as err:
        engine.construct({**base(engine), **inputs})
    return err.value


@pytest.mark.parametrize(
    ("overrides", "python", "path", "schema"), REFUSALS, ids=[r[3].split(".")[0] for r in REFUSALS]
)
def test_both_paths_refuse_the_input_each_in_its_own_terms(
    overrides: dict[str, Any], python: str, path: str, schema: str
) -> None:
    assert python_refusal(**overrides) == CREATE + python
    inputs = {camel(k): on_the_wire(v) for k, v in overrides.items()}
    if "apiKey" in inputs:
        inputs["apiKey"] = {**SECRET, "value": inputs["apiKey"]}
    with constructor() as engine:
        refused = plugin_refusal(engine, inputs)
        # The key arrives as a secret Output, checked once known: still before any AWS child.
        assert registered(engine.aws, "aws:") == []
    assert refused.code == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.properties == [(path, CREATE + schema)]
    assert KEY not in str(refused)
    for python_only in ("Traceback", 'File "', "rockset_pulumi", "<class"):
        assert python_only not in str(refused)


def test_a_missing_required_input_is_refused_by_its_schema_name() -> None:
    with constructor() as engine:
        refused = plugin_refusal(engine, {"vpcId": None})
        assert refused.properties[0][0] == "vpcId"
        del_vpc = {k: v for k, v in base(engine).items() if k != "vpcId"}
        with pytest.raises(Refused) as err:
            engine.construct(del_vpc)
    assert err.value.properties == [
        (
            "vpcId",
            CREATE + "vpcId is null. " + VPC_ID_FIX,
        )
    ]


def test_an_input_the_schema_lacks_is_refused_naming_the_inputs() -> None:
    with constructor() as engine:
        refused = plugin_refusal(engine, {"sharedVpcs": ["vpc-1"]})
    [(path, message)] = refused.properties
    assert path == "sharedVpcs"
    assert "PrivateLink has no such input; its inputs are vpcId, subnetIds," in message


def test_an_internal_error_says_so_and_leaves_its_stack_in_the_debug_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: PrivateLink, *args: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(PrivateLink, "_locate", broken)
    with constructor() as engine:
        refused = plugin_refusal(engine, {})
        debug = [message for severity, message in engine.engine.logs if severity == 0]
    assert refused.code == grpc.StatusCode.INTERNAL
    assert refused.message == INTERNAL_ERROR
    assert "--debug" in refused.message
    assert "Traceback" not in refused.message
    assert any("Traceback" in message and "a bug" in message for message in debug)


def test_a_secret_plain_value_is_never_shown_in_a_refusal() -> None:
    cidr = "203.0.113.0/33"
    with constructor() as engine:
        refused = plugin_refusal(engine, {"adminCidrs": {"office": {**SECRET, "value": cidr}}})
    [(path, message)] = refused.properties
    assert path == "adminCidrs.office"
    assert message.startswith(CREATE + "adminCidrs.office is <hidden>. It is not a valid CIDR")
    assert cidr not in message


def test_a_secret_where_the_component_cannot_keep_it_secret_is_refused() -> None:
    with constructor() as engine:
        refused = plugin_refusal(engine, {"tags": {"team": {**SECRET, "value": "data"}}})
    [(path, message)] = refused.properties
    assert path == "tags.team"
    assert "tags.team is <hidden>" in message
    assert "only adminCidrs can be secret" in message
    assert "data" not in message.split("Pass")[0]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("shared_vpc_ids", 1), "sharedVpcIds[1]"),
        (("admin_cidrs", MapKey("office")), "adminCidrs.office"),
        (("tags", MapKey("cost center")), 'tags["cost center"]'),
        (("tags", MapKey("aws:team")), 'tags["aws:team"]'),
        (("check_timeout",), "checkTimeout"),
    ],
)
def test_paths_are_the_schemas(path: Any, expected: str) -> None:
    assert schema_path(path) == expected


def test_values_are_shown_as_written_and_names_in_schema_terms() -> None:
    assert shown(-1.0) == "-1"
    assert shown(1.5) == "1.5"
    assert shown({"a": [2.0, None, True]}) == '{"a": [2, null, true]}'
    assert shown(float("nan")) == "NaN"
    # A map key or a quoted value that happens to read like an argument is the user's.
    assert in_schema_terms("pass api_key, not 'api_key'; set checks=False") == (
        "pass apiKey, not 'api_key'; set checks=false"
    )


WATCH_KEY = "k-watch-0123456789"
ON = {"api_key": KEY, "admin_cidrs": {"office": "203.0.113.0/24"}, "lockdown": True}
SCHEDULE_FIX = (
    "It is refused: the interval is over 12 hours: the alarm's period, twice the interval, would "
    "exceed the day CloudWatch evaluates at most. Pass e.g. 'rate(15 minutes)' or "
    "'cron(0/15 * * * ? *)'."
)
ACTION_FIX = (
    "Pass the ARN of an SNS topic (or another alarm action) such as "
    "'arn:aws:sns:eu-central-1:123456789012:rockset-alarms'."
)
PROBE_FIX = (
    'The watcher runs in the VPC as the probe function does: set probe="vpc", or drop watch.'
)
# (Python arguments, watch, what Python says, the plugin's property path, what the plugin says)
WATCH_REFUSALS: list[tuple[dict[str, Any], dict[str, Any], str, str, str]] = [
    (
        {**ON, "probe": "vpc"},
        {"api_key": WATCH_KEY, "schedule": "rate(13 hours)"},
        f"watch.schedule is 'rate(13 hours)'. {SCHEDULE_FIX}",
        "watch.schedule",
        f'watch.schedule is "rate(13 hours)". {SCHEDULE_FIX}',
    ),
    (
        {**ON, "probe": "vpc"},
        {"api_key": WATCH_KEY, "alarm_actions": ["sns:topic"]},
        f"watch.alarm_actions[0] is 'sns:topic'. {ACTION_FIX}",
        "watch.alarmActions[0]",
        f'watch.alarmActions[0] is "sns:topic". {ACTION_FIX}',
    ),
    (
        ON,
        {"api_key": WATCH_KEY},
        f"probe is 'runner'. {PROBE_FIX}",
        "probe",
        f'probe is "runner". {PROBE_FIX}',
    ),
]


@pytest.mark.parametrize(
    ("args", "watch", "python", "path", "schema"),
    WATCH_REFUSALS,
    ids=["schedule", "action", "probe"],
)
def test_both_paths_refuse_a_bad_watch_naming_its_property(
    args: dict[str, Any], watch: dict[str, Any], python: str, path: str, schema: str
) -> None:
    assert python_refusal(**args, watch=Watch(**watch)) == CREATE + python
    inputs = {camel(k): on_the_wire(v) for k, v in args.items()}
    inputs["apiKey"] = {**SECRET, "value": KEY}
    inputs["watch"] = {camel(k): v for k, v in watch.items()}
    with constructor() as engine:
        refused = plugin_refusal(engine, inputs)
        assert registered(engine.aws, "aws:") == []
    assert refused.properties == [(path, CREATE + schema)]
    assert WATCH_KEY not in str(refused)


def test_the_deployments_key_as_the_watchers_is_refused_though_both_are_secrets() -> None:
    inputs = {camel(k): on_the_wire(v) for k, v in ON.items()}
    inputs.update(probe="vpc", apiKey={**SECRET, "value": KEY})
    inputs["watch"] = {"apiKey": {**SECRET, "value": KEY}, "schedule": None}
    with constructor() as engine:
        refused = plugin_refusal(engine, inputs)
        # Compared once both secrets are known, before the watcher's secret holds it.
        assert registered(engine.aws, "aws:secretsmanager/secretVersion") == []
    [(path, message)] = refused.properties
    assert path == "watch.apiKey"
    assert message.startswith(CREATE + "watch.apiKey is <hidden>. It is the deployment's apiKey.")
    assert KEY not in str(refused)


def test_a_watch_property_the_schema_lacks_is_refused_naming_the_properties() -> None:
    inputs = {camel(k): on_the_wire(v) for k, v in ON.items()}
    inputs.update(probe="vpc", apiKey={**SECRET, "value": KEY})
    inputs["watch"] = {"apiKey": WATCH_KEY, "scheduel": "rate(5 minutes)"}
    with constructor() as engine:
        refused = plugin_refusal(engine, inputs)
    assert refused.properties == [
        (
            "watch.scheduel",
            CREATE + 'watch.scheduel is "rate(5 minutes)". watch has no such property; its '
            "properties are apiKey, schedule, alarmActions.",
        )
    ]


def test_the_plugin_accepts_every_value_of_the_schemas_enums() -> None:
    types = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["types"]
    enums = {"probe": "rockset:index:ProbeMode", "dns": "rockset:index:DnsMode"}
    # The vpc probe runs the checks, which need the key.
    needs = {"vpc": {"apiKey": {**SECRET, "value": KEY}}}
    for name, token in enums.items():
        for choice in types[token]["enum"]:
            with constructor() as engine:
                engine.construct(
                    {**base(engine), name: choice["value"], **needs.get(choice["value"], {})}
                )
                endpoint = engine.registration("rockset-endpoint").object
                children = {r.type for r in engine.monitor.registrations}
            if name == "dns":
                assert endpoint["privateDnsEnabled"] is (choice["value"] == "endpoint")
            else:
                assert ("aws:lambda/function:Function" in children) is (choice["value"] == "vpc")


WARNING = engine_pb2.LogSeverity.WARNING
LAN_WARNING = (
    "a private or loopback range: Rockset sees the public address your traffic leaves from, so "
    "this entry admits nobody."
)


def test_a_warning_about_an_input_is_in_each_paths_terms_and_hides_a_secret() -> None:
    python = resolve_args(
        PrivateLinkArgs(
            "vpc-0123456789abcdef0",
            ["subnet-0123456789abcdef0"],
            admin_cidrs={"lan": "10.1.0.0/16"},
        )
    )
    assert [str(w) for w in python.warnings] == [
        "admin_cidrs['lan'] is '10.1.0.0/16', " + LAN_WARNING
    ]
    told: list[list[str]] = []
    for cidr in ("10.1.0.0/16", {**SECRET, "value": "10.1.0.0/16"}):
        with constructor() as engine:
            engine.construct({**base(engine), "adminCidrs": {"lan": cidr}})
            # The double's third zone is not served: that warning names no input.
            told.append(
                [
                    message
                    for severity, message in engine.engine.logs
                    if severity == WARNING and not message.startswith("Skipping subnet")
                ]
            )
    assert told == [
        ['adminCidrs.lan is "10.1.0.0/16", ' + LAN_WARNING],
        ["adminCidrs.lan is <hidden>, " + LAN_WARNING],
    ]
