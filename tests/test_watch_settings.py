"""The ``watch`` argument is refused, naming the input, its value and the fix, before anything
is created; a good one is kept with its schedule's alarm period."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pytest

from rockset_pulumi import ConfigurationError, PrivateLinkArgs, Watch
from rockset_pulumi.args import resolve_args

KEY = "deploy-key-value"
WATCH_KEY = "watch-key-value"


def args(watch: object, **overrides: Any) -> PrivateLinkArgs:
    values: dict[str, Any] = {
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": ["subnet-0123456789abcdef0"],
        "api_key": KEY,
        "admin_cidrs": {"office": "203.0.113.0/24"},
        "lockdown": True,
        "probe": "vpc",
        "watch": watch,
    }
    values.update(overrides)
    return PrivateLinkArgs(**values)


def refused(watch: object, **overrides: Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as err:
        resolve_args(args(watch, **overrides))
    return err.value


def test_no_watch_by_default() -> None:
    assert resolve_args(args(None)).watch is None


def test_a_watch_is_kept_with_its_alarm_period() -> None:
    topic = "arn:aws:sns:eu-central-1:123456789012:alarms"
    watch = resolve_args(args(Watch(api_key=WATCH_KEY, alarm_actions=[topic]))).watch
    assert watch is not None
    assert watch.schedule.expression == "rate(15 minutes)"
    assert watch.schedule.alarm_period == 1800
    assert watch.alarm_actions == (topic,)
    assert WATCH_KEY not in repr(watch)


@pytest.mark.parametrize(
    ("watch", "overrides", "path", "message"),
    [
        (
            {"api_key": WATCH_KEY},
            {},
            ("watch",),
            "Cannot create the PrivateLink: watch is {'api_key': 'watch-key-value'}. Pass Watch(",
        ),
        (
            Watch(api_key=WATCH_KEY),
            {"lockdown": False, "admin_cidrs": {}},
            ("lockdown",),
            "lockdown is False. The watch checks the lockdown: set lockdown=True",
        ),
        (
            Watch(api_key=WATCH_KEY),
            {"probe": "runner"},
            ("probe",),
            "probe is 'runner'. The watcher runs in the VPC",
        ),
        (
            Watch(api_key=WATCH_KEY, schedule="rate(5 minute)"),
            {},
            ("watch", "schedule"),
            "watch.schedule is 'rate(5 minute)'. It is refused: EventBridge wants 5 minutes",
        ),
        (
            Watch(api_key=WATCH_KEY, schedule=15),  # type: ignore[arg-type]
            {},
            ("watch", "schedule"),
            "watch.schedule is 15. Pass a string",
        ),
        (
            Watch(api_key=WATCH_KEY, alarm_actions="arn:aws:sns:x"),
            {},
            ("watch", "alarm_actions"),
            "watch.alarm_actions is 'arn:aws:sns:x'. Pass a list of ARNs",
        ),
        (
            Watch(api_key=WATCH_KEY, alarm_actions=["my-topic"]),
            {},
            ("watch", "alarm_actions", 0),
            "watch.alarm_actions[0] is 'my-topic'. Pass the ARN",
        ),
        (
            Watch(api_key=""),
            {},
            ("watch", "api_key"),
            "watch.api_key is ''. Pass the Rockset API key",
        ),
    ],
)
def test_refusals_name_the_input(
    watch: object, overrides: dict[str, Any], path: tuple[object, ...], message: str
) -> None:
    error = refused(watch, **overrides)
    assert error.path == path
    assert message in str(error)


def test_the_deployment_key_is_refused_without_showing_it() -> None:
    error = refused(Watch(api_key=KEY))
    assert error.path == ("watch", "api_key")
    assert "a key of its own" in str(error)
    assert KEY not in str(error)


def _watch_key(key: str) -> Any:
    """The watch's key as resolved, for a watch key given as a secret Output."""

    async def resolved() -> Any:
        watch = resolve_args(args(Watch(api_key=pulumi.Output.secret(key)))).watch
        assert watch is not None
        return await pulumi.Output.from_input(watch.api_key).future()

    return asyncio.run(resolved())


def test_a_key_given_as_an_output_is_checked_once_known() -> None:
    assert _watch_key(WATCH_KEY) == WATCH_KEY


def test_the_deployments_key_as_an_output_is_refused_once_known() -> None:
    with pytest.raises(ConfigurationError) as err:
        _watch_key(KEY)
    assert err.value.path == ("watch", "api_key")
    assert "It is the deployment's api_key" in str(err.value)
    assert KEY not in str(err.value)
