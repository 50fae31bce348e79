"""CloudWatch's evaluation of a metric alarm, which moto stores but never evaluates.

:func:`evaluate` is CloudWatch's rule for a static-threshold alarm evaluated at an instant, with
CloudWatch's default evaluation window, the sliding one (an alarm without ``EvaluationWindow``):
the ``evaluation_periods`` periods that end at ``now`` are each the ``statistic`` of the
datapoints in ``[start, start + period)``; a period without one is missing. (CloudWatch
evaluates every minute; a datapoint is judged from the first evaluation after it arrives.)
With ``treat_missing_data`` ``breaching`` or ``notBreaching`` a missing period counts as that;
the alarm is ``ALARM`` when at least ``datapoints_to_alarm`` (default: ``evaluation_periods``)
periods breach, else ``OK``.
With ``missing`` or ``ignore``, all periods missing is ``INSUFFICIENT_DATA`` (``missing``) or
the ``previous`` state (``ignore``); otherwise only the periods with data are judged (CloudWatch
then looks further back for data, which this stand-in does not).

:func:`alarm_state` evaluates an alarm stored in moto on the data moto holds for its metric, as
CloudWatch's next evaluation would (:func:`next_evaluation`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["Datapoint", "alarm_state", "evaluate", "next_evaluation"]

Datapoint = tuple[float, float]
"""``(seconds since the epoch, value)``."""

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "GreaterThanThreshold": lambda v, t: v > t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}
_STATISTICS: dict[str, Callable[[list[float]], float]] = {
    "Minimum": min,
    "Maximum": max,
    "Sum": math.fsum,
    "SampleCount": lambda values: float(len(values)),
    "Average": lambda values: math.fsum(values) / len(values),
}


def evaluate(
    alarm: Mapping[str, Any],
    datapoints: Sequence[Datapoint],
    now: float,
    previous: str = "INSUFFICIENT_DATA",
) -> str:
    """The state of ``alarm`` (DescribeAlarms' keys) at ``now`` on ``datapoints``."""
    period = int(alarm["Period"])
    count = int(alarm["EvaluationPeriods"])
    needed = int(alarm.get("DatapointsToAlarm") or count)
    compare = _COMPARE[alarm["ComparisonOperator"]]
    statistic = _STATISTICS[alarm["Statistic"]]
    missing = alarm.get("TreatMissingData") or "missing"
    end = now
    verdicts: list[bool | None] = []
    for index in range(count):
        start = end - (count - index) * period
        values = [v for t, v in datapoints if start <= t < start + period]
        verdicts.append(compare(statistic(values), alarm["Threshold"]) if values else None)
    if missing in ("breaching", "notBreaching"):
        judged = [missing == "breaching" if v is None else v for v in verdicts]
    else:
        judged = [v for v in verdicts if v is not None]
        if not judged:
            return previous if missing == "ignore" else "INSUFFICIENT_DATA"
    return "ALARM" if sum(judged) >= min(needed, len(judged)) else "OK"


def next_evaluation(now: datetime) -> datetime:
    """CloudWatch's first evaluation of an alarm after ``now``: it evaluates on each minute."""
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def alarm_state(cloudwatch: Any, name: str, now: datetime | None = None) -> str:
    """The state CloudWatch gives the alarm ``name`` at its first evaluation after ``now``, on the
    data moto has; the statistic of each period is moto's (``GetMetricStatistics`` at the alarm's
    period)."""
    alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    moment = next_evaluation(now or datetime.now(UTC))
    period = int(alarm["Period"])
    span = timedelta(seconds=period * int(alarm["EvaluationPeriods"]))
    found = cloudwatch.get_metric_statistics(
        Namespace=alarm["Namespace"],
        MetricName=alarm["MetricName"],
        Dimensions=alarm.get("Dimensions", []),
        StartTime=moment - span,
        EndTime=moment,
        Period=period,
        Statistics=[alarm["Statistic"]],
    )["Datapoints"]
    points = [(p["Timestamp"].timestamp(), float(p[alarm["Statistic"]])) for p in found]
    return evaluate(alarm, points, moment.timestamp(), alarm.get("StateValue", "INSUFFICIENT_DATA"))
