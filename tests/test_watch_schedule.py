"""The watch's schedule: what EventBridge accepts is accepted, with the alarm period that keeps
a run in every period; anything else is refused with the reason, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rockset_pulumi.watch.schedule import (
    MAX_RATE_SECONDS,
    Schedule,
    ScheduleError,
    parse_schedule,
)

_SECONDS = {"minute": 60, "hour": 3600, "day": 86_400}


@st.composite
def rates(draw: st.DrawFn) -> tuple[str, int]:
    unit = draw(st.sampled_from(["minute", "hour"]))
    value = draw(st.integers(1, MAX_RATE_SECONDS // _SECONDS[unit]))
    return f"rate({value} {unit if value == 1 else unit + 's'})", value * _SECONDS[unit]


@given(rates())
def test_every_rate_up_to_12_hours_is_accepted_with_twice_its_interval(
    case: tuple[str, int],
) -> None:
    expression, seconds = case
    assert parse_schedule(expression) == Schedule(expression, 2 * seconds, 86_400 / seconds)


@given(st.integers(MAX_RATE_SECONDS // 60 + 1, 10**9))
def test_a_rate_over_12_hours_is_refused(minutes: int) -> None:
    with pytest.raises(ScheduleError, match="over 12 hours"):
        parse_schedule(f"rate({minutes} minutes)")


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("rate(1 minutes)", "wants 1 minute"),
        ("rate(5 minute)", "wants 5 minutes"),
        ("rate(0 minutes)", "not a positive"),
        ("rate(5 weeks)", "not minute"),
        ("rate(1 day)", "over 12 hours"),
        ("rate(13 hours)", "over 12 hours"),
        ("rate(5  minutes)", "neither"),
        ("cron(0 12 * * ? )", "six fields"),
        ("cron(0 12 * * * *)", "exactly one"),
        ("cron(0 12 ? * ? *)", "exactly one"),
        ("cron(60 12 * * ? *)", "outside 0-59"),
        ("cron(0 24 * * ? *)", "outside 0-23"),
        ("cron(0 10-2 * * ? *)", "backwards"),
        ("cron(0/0 * * * ? *)", "step"),
        ("cron(0 12 ? * MON-FRI *)", "every day"),
        ("cron(0 12 1 * ? *)", "every day"),
        ("cron(0 12 * JAN ? *)", "every day"),
        ("cron(0 12 * * ?,1 *)", "stand alone"),
        ("every 5 minutes", "neither"),
    ],
)
def test_refusals_say_why(expression: str, reason: str) -> None:
    with pytest.raises(ScheduleError, match=reason):
        parse_schedule(expression)


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("cron(0/15 * * * ? *)", 96),
        ("cron(0,30 8-18 ? * * *)", 22),
        ("cron(5 3 * * ? *)", 1),
        ("cron(*/10 */2 * * ? *)", 72),
    ],
)
def test_a_daily_cron_is_accepted_with_a_day_long_period(expression: str, runs: int) -> None:
    assert parse_schedule(expression) == Schedule(expression, 86_400, runs)


@st.composite
def cron_fields(draw: st.DrawFn) -> str:
    """Six fields in EventBridge's grammar, each number in its range."""

    def field(low: int, high: int) -> str:
        first = draw(st.integers(low, high))
        kind = draw(st.sampled_from(["*", "n", "range", "step", "list"]))
        if kind == "*":
            return "*"
        if kind == "n":
            return str(first)
        if kind == "range":
            return f"{first}-{draw(st.integers(first, high))}"
        if kind == "step":
            return f"{first}/{draw(st.integers(1, high))}"
        return f"{first},{draw(st.integers(low, high))}"

    days = draw(st.sampled_from([(field(1, 31), "?"), ("?", field(1, 7))]))
    return " ".join([field(0, 59), field(0, 23), days[0], field(1, 12), days[1], field(1970, 2199)])


@given(cron_fields())
def test_a_cron_in_the_grammar_is_refused_only_for_not_running_daily(body: str) -> None:
    fields = body.split(" ")
    daily = {fields[2], fields[4]} == {"*", "?"} and fields[3] == fields[5] == "*"
    try:
        parse_schedule(f"cron({body})")
    except ScheduleError as exc:
        assert not daily and "every day" in str(exc)
    else:
        assert daily


@given(st.text(max_size=60) | st.from_regex(r"(rate|cron)\(.{0,40}\)", fullmatch=True))
def test_any_text_is_a_schedule_or_a_schedule_error(text: str) -> None:
    try:
        schedule = parse_schedule(text)
    except ScheduleError as exc:
        assert str(exc)
    else:
        assert schedule.expression == text
        assert schedule.alarm_period % 60 == 0
        assert 0 < schedule.alarm_period <= 86_400
