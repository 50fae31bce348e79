"""One way to try again: :class:`PollPolicy` and :func:`poll`.

The client's retries (a few attempts within a deadline), step 3's wait for PrivateLink (many
polls within ``check_timeout``) and step 5's wait for the allowlist to apply are the same loop:
try, and while the answer is not final wait a capped, growing delay, until the attempts or the
time run out. It lives here once so that every wait in the package backs off the same way and is
bounded the same way.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import ConfigurationError

__all__ = ["Attempt", "PollPolicy", "Polled", "poll"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class PollPolicy:
    """How often and for how long to try.

    The n-th wait is ``min(ceiling, initial * multiplier ** (n - 1))``, less a random part of up
    to ``jitter`` of it (so that concurrent callers spread out).
    """

    timeout: float | None = None
    """Seconds from the first attempt after which no new attempt starts. Default: None (no
    bound; then ``max_attempts`` must be set)."""
    max_attempts: int | None = None
    """Most attempts, the first included. Default: None (no bound; then ``timeout`` must be
    set)."""
    initial: float = 0.2
    """Seconds before the first retry. Default: 0.2."""
    ceiling: float = 1.0
    """Longest wait between two attempts, which is also how late a change can be noticed.
    Default: 1.0."""
    multiplier: float = 1.6
    """Growth of the wait from one retry to the next. Default: 1.6."""
    jitter: float = 0.0
    """Share of each wait taken off at random, within [0, 1]. Default: 0 (none)."""

    def __post_init__(self) -> None:
        if self.timeout is None and self.max_attempts is None:
            raise ConfigurationError("PollPolicy needs a timeout, max_attempts, or both")
        if self.timeout is not None and not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ConfigurationError(f"PollPolicy.timeout is {self.timeout!r}; pass seconds > 0")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ConfigurationError(
                f"PollPolicy.max_attempts is {self.max_attempts!r}; pass 1 or more"
            )
        for name in ("initial", "ceiling"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigurationError(f"PollPolicy.{name} is {value!r}; pass seconds >= 0")
        if not (math.isfinite(self.multiplier) and self.multiplier >= 1):
            raise ConfigurationError(f"PollPolicy.multiplier is {self.multiplier!r}; pass >= 1")
        if not 0 <= self.jitter <= 1:
            raise ConfigurationError(f"PollPolicy.jitter is {self.jitter!r}; pass within [0, 1]")

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.ceiling, self.initial * self.multiplier ** (retry - 1))
        return ceiling * (1 - self.jitter * rng.random())


@dataclass(frozen=True)
class Attempt(Generic[_T]):
    """What one try produced, and whether polling should stop there."""

    value: _T
    final: bool
    """True when trying again cannot change the answer (success, or a permanent failure)."""
    wait_at_least: float = 0.0
    """Seconds the other side asked for before the next try (e.g. ``Retry-After``)."""


@dataclass(frozen=True)
class Polled(Generic[_T]):
    """The last try's value, and how polling ended."""

    value: _T
    final: bool
    """False when polling gave up on attempts or time with a non-final answer."""
    attempts: int
    elapsed: float
    out_of: str | None
    """Why polling gave up: ``"attempts"`` or ``"time"``; None when the answer was final."""


def poll(
    attempt: Callable[[float | None], Attempt[_T]],
    policy: PollPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
) -> Polled[_T]:
    """Call ``attempt(remaining_seconds)`` until it is final or the policy runs out.

    ``remaining_seconds`` (None without a timeout) is what the policy's timeout leaves, so that an
    attempt can bound itself: nothing here interrupts a call in progress. No attempt starts once
    the next wait would end past the timeout.
    """
    # Jitter only spreads callers out; it needs no unpredictability.
    rng = rng or random.Random()  # noqa: S311
    started = clock()
    give_up = None if policy.timeout is None else started + policy.timeout
    tries = 0
    while True:
        tries += 1
        remaining = None if give_up is None else max(0.0, give_up - clock())
        result = attempt(remaining)
        if result.final:
            return Polled(result.value, True, tries, clock() - started, None)
        wait = max(policy.delay(tries, rng), result.wait_at_least)
        out_of = None
        if policy.max_attempts is not None and tries >= policy.max_attempts:
            out_of = "attempts"
        elif give_up is not None and clock() + wait >= give_up:
            out_of = "time"
        if out_of is not None:
            return Polled(result.value, False, tries, clock() - started, out_of)
        sleep(wait)
