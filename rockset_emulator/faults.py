"""Injected faults: random ones drawn per request, and deterministic ones on numbered writes.

Random faults (``FaultConfig``'s rates) exercise a client's retries. Write faults hit the N-th
allowlist write exactly, so a crash-consistency test can fail each write of an operation in turn:
allowlist writes (``POST /v1/orgs/self/ip/allowlist`` and
``DELETE /v1/orgs/self/ip/allowlist/{name}``) are numbered from 1 over the emulator's life, across
both listeners, whatever they are answered (a 409 or a 401 counts as well).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Fault", "FaultConfig", "FaultInjector", "WriteFault"]

Fault = Literal["reset", "error", "rate_limit", "malformed", "dropped_write", "lost_write_answer"]
"""What was done to one request, as the request log's ``fault`` field names it."""


@dataclass(frozen=True)
class WriteFault:
    """Make allowlist write number ``number`` (from 1) lose its connection.

    ``when="before"``: the connection is reset before the write takes effect, so the organization
    is unchanged, as if the caller died just before the write or the network did.
    ``when="after"``: the write is applied (and persisted to the state file), then the connection
    is reset, so only the answer is lost: a retried create meets 409, a retried delete 404.
    """

    number: int
    when: Literal["before", "after"]

    def __post_init__(self) -> None:
        if self.number < 1:
            raise ValueError(f"write numbers count from 1, not {self.number}")
        if self.when not in ("before", "after"):
            raise ValueError(f"a write fault is 'before' or 'after', not {self.when!r}")

    @property
    def fault(self) -> Fault:
        return "dropped_write" if self.when == "before" else "lost_write_answer"


@dataclass(frozen=True)
class FaultConfig:
    """Injected faults; each rate is the fraction of requests that get that fault.

    ``write_faults`` fail chosen allowlist writes (see :class:`WriteFault`); such a write gets its
    write fault instead of any random one.
    """

    latency: float = 0.0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    reset_rate: float = 0.0
    malformed_rate: float = 0.0
    seed: int | None = None
    write_faults: tuple[WriteFault, ...] = field(default=())

    def __post_init__(self) -> None:
        rates = (self.error_rate, self.rate_limit_rate, self.reset_rate, self.malformed_rate)
        if self.latency < 0 or any(not 0.0 <= rate <= 1.0 for rate in rates):
            raise ValueError("latency must be >= 0 and every fault rate within [0, 1]")
        if sum(rates) > 1.0:
            raise ValueError("the fault rates add up to more than 1")
        numbers = Counter(fault.number for fault in self.write_faults)
        twice = sorted(number for number, count in numbers.items() if count > 1)
        if twice:
            raise ValueError(f"write {twice[0]} is given more than one write fault")


class FaultInjector:
    """Decides each request's fault; shared by both listeners, so thread-safe."""

    def __init__(self, config: FaultConfig) -> None:
        self._config = config
        # Fault draws need reproducibility (seed), not unpredictability.
        self._rng = random.Random(config.seed)  # noqa: S311
        self._by_number = {fault.number: fault for fault in config.write_faults}
        self._writes = 0
        self._lock = threading.Lock()

    @property
    def writes(self) -> int:
        """How many allowlist writes have arrived so far."""
        with self._lock:
            return self._writes

    def next_write(self) -> tuple[int, WriteFault | None]:
        """Number one arriving allowlist write; its write fault, if one was configured."""
        with self._lock:
            self._writes += 1
            number = self._writes
        return number, self._by_number.get(number)

    def draw(self) -> Fault | None:
        """A random fault per the configured rates, or none."""
        config = self._config
        with self._lock:
            draw = self._rng.random()
        options: tuple[tuple[Fault, float], ...] = (
            ("reset", config.reset_rate),
            ("error", config.error_rate),
            ("rate_limit", config.rate_limit_rate),
            ("malformed", config.malformed_rate),
        )
        threshold = 0.0
        for fault, rate in options:
            threshold += rate
            if draw < threshold:
                return fault
        return None
