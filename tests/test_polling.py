"""The one retry loop: attempts, time, waits and the other side's requested wait."""

from __future__ import annotations

import math
import random

import pytest

from rockset_pulumi import ConfigurationError
from rockset_pulumi.polling import Attempt, PollPolicy, poll


class FakeClock:
    """Time that moves only when the loop sleeps (or an attempt says it took time)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_stops_at_the_first_final_answer() -> None:
    clock = FakeClock()
    answers = iter([Attempt("a", False), Attempt("b", False), Attempt("c", True)])
    polled = poll(lambda _r: next(answers), PollPolicy(timeout=10), sleep=clock.sleep, clock=clock)
    assert (polled.value, polled.final, polled.attempts, polled.out_of) == ("c", True, 3, None)
    assert clock.sleeps == pytest.approx([0.2, 0.32])


def test_waits_grow_to_the_ceiling_and_no_further() -> None:
    clock = FakeClock()
    policy = PollPolicy(max_attempts=8, initial=0.5, ceiling=2.0, multiplier=2.0)
    polled = poll(lambda _r: Attempt(None, False), policy, sleep=clock.sleep, clock=clock)
    assert polled.out_of == "attempts"
    assert polled.attempts == 8
    assert clock.sleeps == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0]


def test_gives_up_before_a_wait_that_would_end_past_the_timeout() -> None:
    clock = FakeClock()
    seen: list[float | None] = []

    def attempt(remaining: float | None) -> Attempt[int]:
        seen.append(remaining)
        return Attempt(len(seen), False)

    polled = poll(
        attempt, PollPolicy(timeout=1.0, initial=0.4, ceiling=0.4), sleep=clock.sleep, clock=clock
    )
    assert polled.out_of == "time"
    assert polled.value == 3
    assert seen == pytest.approx([1.0, 0.6, 0.2])
    assert clock.now < 1.0


def test_a_requested_wait_is_honoured_over_the_backoff() -> None:
    clock = FakeClock()
    answers = iter([Attempt("busy", False, wait_at_least=3.0), Attempt("ok", True)])
    poll(lambda _r: next(answers), PollPolicy(max_attempts=2), sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [3.0]


def test_jitter_only_shortens_waits() -> None:
    policy = PollPolicy(max_attempts=5, initial=1.0, ceiling=1.0, jitter=0.5)
    rng = random.Random(7)  # noqa: S311 - a seeded, repeatable draw
    delays = [policy.delay(1, rng) for _ in range(200)]
    assert all(0.5 <= d <= 1.0 for d in delays)
    assert min(delays) < 0.6
    assert max(delays) > 0.9


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({}, "timeout, max_attempts"),
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": math.inf}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 1, "initial": math.nan}, "initial"),
        ({"max_attempts": 1, "multiplier": 0.5}, "multiplier"),
        ({"max_attempts": 1, "jitter": 2.0}, "jitter"),
    ],
)
def test_a_policy_that_could_wait_forever_or_never_is_refused(
    options: dict[str, float], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        PollPolicy(**options)  # type: ignore[arg-type]
