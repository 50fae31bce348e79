"""The watch's ``schedule``: EventBridge's schedule expressions, and the alarm period each needs.

EventBridge accepts ``rate(value unit)`` (a positive whole number; the unit ``minute``, ``hour`` or
``day``, singular for 1 and plural otherwise) and ``cron(minutes hours day-of-month month
day-of-week year)`` (six fields; exactly one of the two day fields is ``?``). :func:`parse_schedule`
accepts what EventBridge accepts, and refuses, with the reason, what would make the alarm wrong:

- the alarm treats a period without data as breaching (a broken watcher must alarm), so each
  period must hold at least one run: for ``rate(...)`` the period is twice the interval (a run
  late by a few seconds still lands in it), which must then be at most a day, CloudWatch's
  longest evaluation of sub-hour periods, so the rate is at most 12 hours;
- a ``cron(...)`` schedule's gaps vary, so its period is a day and the schedule must run every
  day (month and year ``*``, one day field ``*`` and the other ``?``).

Pure and standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SCHEDULE",
    "MAX_RATE_SECONDS",
    "Schedule",
    "ScheduleError",
    "parse_schedule",
]

DEFAULT_SCHEDULE = "rate(15 minutes)"
"""Four runs an hour: a change is alarmed within about 15 minutes, for cents a month."""
MAX_RATE_SECONDS = 12 * 3600
"""The longest interval: the alarm's period (twice this) stays within a day."""
_DAY = 86_400
_UNITS = {"minute": 60, "hour": 3600, "day": _DAY}
_RATE = re.compile(r"rate\(([0-9]+) ([a-z]+)\)")
_CRON = re.compile(r"cron\((.*)\)")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class ScheduleError(ValueError):
    """A schedule expression that is refused; the message says why and what to write."""


@dataclass(frozen=True)
class Schedule:
    """A schedule expression EventBridge accepts, and the alarm's period for it."""

    expression: str
    alarm_period: int
    """Seconds of each period the alarm evaluates (a multiple of 60, at most a day)."""
    runs_per_day: float
    """How often the watcher runs, for the cost estimate."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    """Names standing for ``low``, ``low + 1``, ... (months, days of the week)."""
    special: re.Pattern[str] | None = None
    """What this field accepts beyond numbers, ranges, lists and steps."""


_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31, special=re.compile(r"\?|L|LW|[0-9]{1,2}W")),
    _Field("month", 1, 12, _MONTHS),
    _Field("day-of-week", 1, 7, _DAYS, special=re.compile(r"\?|L|[1-7]L|[1-7]#[1-5]")),
    _Field("year", 1970, 2199),
)


def _value(field: _Field, text: str) -> int:
    upper = text.upper()
    if field.names and upper in field.names:
        return field.low + field.names.index(upper)
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        raise ScheduleError(f"the {field.name} field has {text!r}, not a number")
    number = int(text)
    if not field.low <= number <= field.high:
        raise ScheduleError(
            f"the {field.name} field has {number}, outside {field.low}-{field.high}"
        )
    return number


def _item(field: _Field, item: str) -> None:
    if field.special is not None and field.special.fullmatch(item):
        if item.endswith("W") and item[:-1].isdigit():
            _value(field, item[:-1])
        return
    base, slash, step = item.partition("/")
    if slash and not (step.isascii() and step.isdigit() and 0 < int(step[:4]) <= field.high):
        raise ScheduleError(f"the {field.name} field's step in {item!r} is not a number in range")
    if base == "*":
        return
    first, dash, last = base.partition("-")
    start = _value(field, first)
    if dash and _value(field, last) < start:
        raise ScheduleError(f"the {field.name} field's range {base!r} runs backwards")


def _cron(body: str) -> Schedule:
    fields = body.split(" ")
    if len(fields) != len(_FIELDS) or not all(fields):
        raise ScheduleError(
            "cron(...) takes six fields separated by single spaces: minutes hours "
            "day-of-month month day-of-week year"
        )
    for field, text in zip(_FIELDS, fields, strict=True):
        items = text.split(",")
        if "?" in items and text != "?":
            raise ScheduleError(f"the {field.name} field's '?' must stand alone")
        for item in items:
            if not item:
                raise ScheduleError(f"the {field.name} field has an empty list item")
            _item(field, item)
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError(
            "exactly one of day-of-month and day-of-week must be '?' (EventBridge cannot take both)"
        )
    if {day_of_month, day_of_week} != {"*", "?"} or fields[3] != "*" or fields[5] != "*":
        raise ScheduleError(
            "a cron(...) watch must run every day (day-of-month and day-of-week '*' and '?', "
            "month and year '*'): its alarm treats a day without a run as breaching. Use "
            "rate(...) for another interval"
        )
    runs = len(_expand(_FIELDS[0], fields[0])) * len(_expand(_FIELDS[1], fields[1]))
    return Schedule(f"cron({body})", _DAY, float(runs))


def _expand(field: _Field, text: str) -> set[int]:
    """The values a minutes or hours field (numbers, ranges, lists, steps) stands for."""
    values: set[int] = set()
    for item in text.split(","):
        base, _, step = item.partition("/")
        first, dash, last = base.partition("-")
        start = field.low if base == "*" else int(first)
        end = int(last) if dash else (field.high if base == "*" or step else start)
        values.update(range(start, end + 1, int(step) if step else 1))
    return values


def _rate(value: str, unit: str) -> Schedule:
    singular = unit.removesuffix("s")
    if singular not in _UNITS:
        raise ScheduleError(f"the unit {unit!r} is not minute(s), hour(s) or day(s)")
    number = int(value[:12])
    if len(value) > 12 or number < 1:
        raise ScheduleError(f"the rate's value {value!r} is not a positive whole number")
    if (number == 1) != (unit == singular):
        wanted = singular if number == 1 else singular + "s"
        raise ScheduleError(f"EventBridge wants {number} {wanted}, not {number} {unit}")
    seconds = number * _UNITS[singular]
    if seconds > MAX_RATE_SECONDS:
        raise ScheduleError(
            "the interval is over 12 hours: the alarm's period, twice the interval, would "
            "exceed the day CloudWatch evaluates at most"
        )
    return Schedule(f"rate({value} {unit})", 2 * seconds, _DAY / seconds)


def parse_schedule(expression: str) -> Schedule:
    """The schedule ``expression`` names, or :class:`ScheduleError` saying why not."""
    if rate := _RATE.fullmatch(expression):
        return _rate(rate.group(1), rate.group(2))
    if cron := _CRON.fullmatch(expression):
        return _cron(cron.group(1))
    raise ScheduleError("it is neither rate(<number> <unit>) nor cron(<six fields>)")
