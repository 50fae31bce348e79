"""P1 readiness lag: how long after the PrivateLink listener opens the step-3 check notices.

Each trial starts an emulator whose PrivateLink port refuses connections until ``ready_after``
seconds have passed, then runs two pollers against it at the same moment: the component's
:func:`check_connectivity` and the usual hand-written loop (probe, sleep a fixed interval, repeat).
A poller's lag is the time from the listener opening to that poller's successful probe.

Trials run concurrently, each with its own emulator, so that the 60 s case does not make the run
several minutes longer; pollers spend almost all of their time asleep, so they barely compete.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench import Plot, Section, Series, Settings, median, overall, verdict
from rockset_emulator import Emulator, EmulatorConfig
from rockset_pulumi.steps import Endpoints, WaitPolicy, _probe_once, check_connectivity

API_KEY = "bench-p1-key"
GRACE = 60.0
"""Seconds past ``ready_after`` after which a poller counts as failed (bounds every loop)."""
MAX_LAG = 2.0
MAX_RATIO = 0.1


@dataclass(frozen=True)
class Trial:
    ready_after: float
    check_lag: float
    fixed_lag: float

    @property
    def ratio(self) -> float:
        return self.check_lag / self.fixed_lag if self.fixed_lag > 0 else math.inf


def fixed_loop(endpoints: Endpoints, interval: float, give_up_after: float) -> float:
    """The hand-written approach: probe, sleep ``interval``, repeat; returns when it succeeded."""
    for _ in range(math.ceil(give_up_after / interval) + 1):
        _, probe = _probe_once(endpoints, endpoints.privatelink_url, 10.0)
        if probe.authenticated:
            return time.monotonic()
        time.sleep(interval)
    raise RuntimeError(f"the fixed loop saw no answer within {give_up_after:g} s")


def component_check(endpoints: Endpoints, give_up_after: float) -> float:
    check_connectivity(endpoints, WaitPolicy(timeout=give_up_after), public_may_refuse_key=False)
    return time.monotonic()


def trial(ready_after: float, interval: float) -> Trial:
    config = EmulatorConfig(
        api_keys=(API_KEY,), ready_after=ready_after, read_limit_per_minute=1_000_000
    )
    with Emulator(config) as emulator:
        endpoints = Endpoints(
            emulator.public_url, emulator.privatelink_url, API_KEY, str(emulator.ca_bundle)
        )
        give_up_after = ready_after + GRACE
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bench-p1") as pool:
            check = pool.submit(component_check, endpoints, give_up_after)
            fixed = pool.submit(fixed_loop, endpoints, interval, give_up_after)
            # The emulator sets this event right after listen(): the moment connections succeed.
            if not emulator.privatelink_ready.wait(timeout=give_up_after):
                raise RuntimeError("the emulator's PrivateLink listener never opened")
            ready_at = time.monotonic()
            check_at, fixed_at = check.result(), fixed.result()
    return Trial(ready_after, check_at - ready_at, fixed_at - ready_at)


def run(settings: Settings) -> Section:
    plan = [
        ready_after
        for ready_after, reps in zip(settings.ready_after, settings.p1_reps, strict=True)
        for _ in range(reps)
    ]
    with ThreadPoolExecutor(max_workers=len(plan), thread_name_prefix="bench-p1-trial") as pool:
        trials = list(pool.map(lambda t: trial(t, settings.fixed_interval), plan))

    interval = settings.fixed_interval
    rows: list[list[str]] = []
    verdicts: list[str] = []
    check_medians: list[float] = []
    fixed_medians: list[float] = []
    for ready_after in settings.ready_after:
        these = [t for t in trials if t.ready_after == ready_after]
        check_lag = median([t.check_lag for t in these])
        fixed_lag = median([t.fixed_lag for t in these])
        ratio = median([t.ratio for t in these])
        ok = verdict(check_lag <= MAX_LAG and ratio <= MAX_RATIO)
        verdicts.append(ok)
        check_medians.append(check_lag)
        fixed_medians.append(fixed_lag)
        rows.append(
            [
                f"{ready_after:g}",
                str(len(these)),
                f"{check_lag:.2f}",
                f"{min(t.check_lag for t in these):.2f} - {max(t.check_lag for t in these):.2f}",
                f"{fixed_lag:.2f}",
                f"{ratio:.3f}",
                ok,
            ]
        )
    x = list(settings.ready_after)
    # Fine enough to draw the fixed loop's sawtooth with near-vertical drops.
    grid = [i / 10 for i in range(int(max(x) * 10) + 1)]
    return Section(
        key="P1",
        title="Readiness lag",
        what=(
            "An emulator's PrivateLink listener refuses connections until T seconds after it "
            "starts. In each trial the step-3 check (`check_connectivity`, capped backoff of "
            f"1 s) and a fixed {interval:g}-second loop (probe, sleep {interval:g} s, repeat) "
            "start together against the same emulator; lag is the time from the listener opening "
            "to each poller's first successful probe (ping and an authenticated call). Ratio is "
            "the median over trials of check lag / fixed-loop lag."
        ),
        target=f"median lag <= {MAX_LAG:g} s and <= {MAX_RATIO:g}x the fixed loop, for each T",
        headers=[
            "T (s)",
            "trials",
            "check lag, median (s)",
            "check lag, range (s)",
            f"fixed {interval:g} s loop lag, median (s)",
            "ratio",
            "verdict",
        ],
        rows=rows,
        verdict=overall(verdicts),
        summary="check lag vs fixed loop: "
        + ", ".join(
            f"T={t:g}: {c:.2f} s vs {f:.2f} s"
            for t, c, f in zip(x, check_medians, fixed_medians, strict=True)
        ),
        notes=[
            f"The fixed loop's lag is set by where T falls between its probes: "
            f"({interval:g} - T mod {interval:g}) mod {interval:g} s plus a probe's duration. "
            "Started together with the emulator, it probes exactly at T when T is a multiple of "
            f"{interval:g} s, its best case; over a readiness time it cannot know, its mean lag "
            f"is {interval / 2:g} s.",
            "Trials run concurrently, each against its own emulator.",
        ],
        plots=[
            Plot(
                filename="performance-p1.png",
                title="P1: readiness lag (median of trials)",
                xlabel="T: the PrivateLink listener opens after (s)",
                ylabel="lag after the listener opened (s)",
                series=[
                    Series(
                        f"fixed {interval:g} s loop, expected: ({interval:g} - T mod "
                        f"{interval:g}) mod {interval:g}",
                        grid,
                        [(interval - t % interval) % interval for t in grid],
                        ":",
                    ),
                    Series(f"fixed {interval:g} s loop, measured", x, fixed_medians, "s"),
                    Series("step-3 check (capped backoff), measured", x, check_medians, "o"),
                ],
            )
        ],
    )
