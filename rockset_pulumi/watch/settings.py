"""The ``watch`` argument: :class:`Watch`, as users write it, and :func:`resolve_watch`, which
checks it before the component registers anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from .. import validate
from ..errors import ConfigurationError, InputPath
from .schedule import DEFAULT_SCHEDULE, Schedule, ScheduleError, parse_schedule

__all__ = ["ResolvedWatch", "Watch", "resolve_watch"]

_ARN = "arn:aws:sns:eu-central-1:123456789012:rockset-alarms"


@dataclass
class Watch:
    """Checks the lockdown on a schedule between deployments and alarms when it stops holding
    (``PrivateLinkArgs.watch``)."""

    api_key: pulumi.Input[str]
    """A Rockset API key of its own for the watcher, not the deployment's: one whose role has
    only ``LIST_NETWORK_CONFIGURATIONS_GLOBAL`` (listing the allowlist). Kept in a Secrets
    Manager secret that only the watcher's role may read. Made a Pulumi secret. Default:
    required."""

    schedule: str = DEFAULT_SCHEDULE
    """When the watcher runs, as EventBridge writes it: ``rate(<n> minutes|hours)`` (at most 12
    hours) or a ``cron(...)`` that runs every day. Default: ``"rate(15 minutes)"``."""

    alarm_actions: Sequence[pulumi.Input[str]] = ()
    """ARNs the alarm notifies when it goes to ALARM and back to OK (an SNS topic, usually).
    Default: none (the alarm changes state and notifies nobody)."""


@dataclass(frozen=True)
class ResolvedWatch:
    """The watch, validated."""

    api_key: pulumi.Input[str] = field(repr=False)
    schedule: Schedule
    alarm_actions: tuple[pulumi.Input[str], ...]


def _alarm_actions(value: object) -> tuple[pulumi.Input[str], ...]:
    path: InputPath = ("watch", "alarm_actions")
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError.invalid(path, value, f"Pass a list of ARNs, e.g. [{_ARN!r}].")
    for i, item in enumerate(value):
        if isinstance(item, pulumi.Output):
            continue
        if not isinstance(item, str) or not item.startswith("arn:") or item != item.strip():
            raise ConfigurationError.invalid(
                (*path, i),
                item,
                f"Pass the ARN of an SNS topic (or another alarm action) such as {_ARN!r}.",
            )
    return tuple(value)


def _own_key(key: object, deployment_key: object) -> str:
    """``key``, checked as an API key and refused when it is the deployment's."""
    checked = validate.api_key(key, ("watch", "api_key"))
    if checked == deployment_key:
        raise ConfigurationError.invalid(
            ("watch", "api_key"),
            validate.HIDDEN,
            "It is the deployment's api_key. Give the watcher a key of its own, whose role "
            "has only LIST_NETWORK_CONFIGURATIONS_GLOBAL, so that a leak of it cannot change "
            "the allowlist.",
        )
    return checked


def resolve_watch(
    value: object, *, lockdown: bool, probe: str, deployment_key: object
) -> ResolvedWatch | None:
    """``value`` checked; None for no watch. It needs the lockdown it watches, and the probe
    function's place in the VPC, where it runs."""
    if value is None:
        return None
    if not isinstance(value, Watch):
        raise ConfigurationError.invalid(
            "watch",
            value,
            "Pass Watch(api_key=<a read-only key>, schedule='rate(15 minutes)', "
            "alarm_actions=[<SNS topic ARN>]), or leave it unset.",
        )
    if not lockdown:
        raise ConfigurationError.invalid(
            "lockdown", False, "The watch checks the lockdown: set lockdown=True, or drop watch."
        )
    if probe != "vpc":
        raise ConfigurationError.invalid(
            "probe",
            probe,
            'The watcher runs in the VPC as the probe function does: set probe="vpc", or drop '
            "watch.",
        )
    key: pulumi.Input[str] = value.api_key
    if not isinstance(key, pulumi.Output):
        validate.api_key(key, ("watch", "api_key"))
    if isinstance(key, pulumi.Output) or isinstance(deployment_key, pulumi.Output):
        # Checked once both are known: at preview for config secrets, before the secret exists.
        key = pulumi.Output.all(key, deployment_key).apply(lambda keys: _own_key(*keys))
    else:
        _own_key(key, deployment_key)
    schedule = value.schedule
    if not isinstance(schedule, str):
        raise ConfigurationError.invalid(
            ("watch", "schedule"), schedule, f"Pass a string such as {DEFAULT_SCHEDULE!r}."
        )
    try:
        parsed = parse_schedule(schedule)
    except ScheduleError as exc:
        raise ConfigurationError.invalid(
            ("watch", "schedule"),
            schedule,
            f"It is refused: {exc}. Pass e.g. {DEFAULT_SCHEDULE!r} or 'cron(0/15 * * * ? *)'.",
        ) from None
    return ResolvedWatch(key, parsed, _alarm_actions(value.alarm_actions))
