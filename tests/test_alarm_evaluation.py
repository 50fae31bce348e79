"""The AWS double's alarm evaluation is CloudWatch's rule: over generated datapoint series, it
agrees with a plain reference (count the breaching periods among the last N), for the watch's
alarm and for other periods, thresholds, statistics and missing-data treatments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws

from devtools.aws_double.alarms import Datapoint, alarm_state, evaluate, next_evaluation

NOW = 1_000_000.0


def reference(alarm: dict[str, Any], points: list[Datapoint]) -> str:
    period, n = alarm["Period"], alarm["EvaluationPeriods"]
    m = alarm.get("DatapointsToAlarm") or n
    last_end = NOW  # the sliding window, CloudWatch's default
    breaching = 0
    for k in range(1, n + 1):
        inside = [v for t, v in points if last_end - k * period <= t < last_end - (k - 1) * period]
        if not inside:
            breaching += alarm["TreatMissingData"] == "breaching"
            continue
        value = {"Minimum": min(inside), "Maximum": max(inside)}[alarm["Statistic"]]
        if alarm["ComparisonOperator"] == "LessThanThreshold":
            breaching += value < alarm["Threshold"]
        else:
            breaching += value > alarm["Threshold"]
    return "ALARM" if breaching >= m else "OK"


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], list[Datapoint]]:
    period = draw(st.sampled_from([60, 300, 1800, 3600]))
    n = draw(st.integers(1, 5))
    alarm = {
        "Period": period,
        "EvaluationPeriods": n,
        "DatapointsToAlarm": draw(st.none() | st.integers(1, n)),
        "Statistic": draw(st.sampled_from(["Minimum", "Maximum"])),
        "ComparisonOperator": draw(st.sampled_from(["LessThanThreshold", "GreaterThanThreshold"])),
        "Threshold": draw(st.sampled_from([0.0, 1.0, 2.5])),
        "TreatMissingData": draw(st.sampled_from(["breaching", "notBreaching"])),
    }
    times = st.floats(NOW - (n + 2) * period, NOW + period, allow_nan=False)
    points = draw(st.lists(st.tuples(times, st.sampled_from([0.0, 1.0, 3.0])), max_size=20))
    return alarm, points


@given(cases())
def test_the_state_is_the_reference_count_of_breaching_periods(
    case: tuple[dict[str, Any], list[Datapoint]],
) -> None:
    alarm, points = case
    assert evaluate(alarm, points, NOW) == reference(alarm, points)


WATCH_ALARM = {
    "Period": 1800,
    "EvaluationPeriods": 1,
    "Statistic": "Minimum",
    "ComparisonOperator": "LessThanThreshold",
    "Threshold": 1.0,
    "TreatMissingData": "breaching",
}


def test_the_watch_alarm_is_ok_while_runs_report_the_lockdown_holds() -> None:
    start = NOW - 1800
    assert evaluate(WATCH_ALARM, [(start + 60, 1.0), (start + 960, 1.0)], NOW) == "OK"


def test_one_run_reporting_zero_in_the_period_alarms() -> None:
    start = NOW - 1800
    assert evaluate(WATCH_ALARM, [(start + 60, 1.0), (start + 960, 0.0)], NOW) == "ALARM"


def test_a_run_just_reported_is_judged_at_once_not_when_a_clock_period_ends() -> None:
    # CloudWatch's default sliding window: the watcher's run at `pulumi up` makes the alarm,
    # created just after it, OK.
    assert evaluate(WATCH_ALARM, [(NOW - 5, 1.0)], NOW) == "OK"
    assert evaluate(WATCH_ALARM, [(NOW - 5, 0.0)], NOW) == "ALARM"


def test_a_watcher_that_stops_reporting_alarms() -> None:
    old = NOW - 1800 - 1
    assert evaluate(WATCH_ALARM, [(old, 1.0)], NOW) == "ALARM"


def test_missing_data_treated_as_missing_is_insufficient_or_kept_when_ignored() -> None:
    assert evaluate({**WATCH_ALARM, "TreatMissingData": "missing"}, [], NOW) == "INSUFFICIENT_DATA"
    assert evaluate({**WATCH_ALARM, "TreatMissingData": "ignore"}, [], NOW, "OK") == "OK"


def test_the_next_evaluation_is_the_next_whole_minute_after_now() -> None:
    now = datetime(2026, 12, 6, 3, 14, 5, 300_000, tzinfo=UTC)
    assert next_evaluation(now) == datetime(2026, 12, 6, 3, 15, tzinfo=UTC)
    on_the_minute = datetime(2026, 12, 6, 3, 14, tzinfo=UTC)
    assert next_evaluation(on_the_minute) == datetime(2026, 12, 6, 3, 15, tzinfo=UTC)


def test_an_alarm_stored_in_moto_is_evaluated_on_the_data_moto_holds() -> None:
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="eu-central-1")
        dimensions = [{"Name": "Stack", "Value": "o/p/s"}]
        cloudwatch.put_metric_alarm(
            AlarmName="watch",
            Namespace="RocksetPulumi/Lockdown",
            MetricName="LockdownHolds",
            Dimensions=dimensions,
            Statistic="Minimum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="LessThanThreshold",
            TreatMissingData="breaching",
        )
        now = datetime.now(UTC)
        assert alarm_state(cloudwatch, "watch", now) == "ALARM"  # nothing reported yet
        # Reported at the very instant asked about, as a run just before the test looks: the
        # next evaluation judges it.
        reported = now

        def report(value: float) -> None:
            cloudwatch.put_metric_data(
                Namespace="RocksetPulumi/Lockdown",
                MetricData=[
                    {
                        "MetricName": "LockdownHolds",
                        "Dimensions": dimensions,
                        "Value": value,
                        "Timestamp": reported,
                    }
                ],
            )

        report(1)
        assert alarm_state(cloudwatch, "watch", now) == "OK"
        report(0)
        assert alarm_state(cloudwatch, "watch", now) == "ALARM"
