"""P1 readiness lag: how long after the PrivateLink listener opens the step-3 check notices.

Each trial starts an emulator whose PrivateLink port refuses connections until ``ready_after``
seconds have passed, then runs two pollers against it: the component's :func:`check_connectivity`,
started with the emulator, and the usual hand-written loop (probe, sleep a fixed interval,
repeat), started after a delay that sets its phase. A poller's lag is the time from the listener
opening to that poller's successful probe.

Nobody controls where readiness falls between a fixed loop's probes, so the loop's phase is
random: the trials for one ``ready_after`` spread their delays evenly over one interval from a
random offset (stratified sampling), and their mean lag estimates the loop's expected lag over a
uniform phase with little spread even from a handful of trials. The loop's best case, a probe
issued just as the listener opens, costs only that successful probe's duration; every trial
measures it, and it is reported as the worst case for the check rather than judged.

The 30 s loop is measured, not modelled: trials run concurrently, each with its own emulator, and
pollers spend almost all of their time asleep, so the run takes about the longest ``ready_after``
plus one interval however many trials there are.
"""

from __future__ import annotations

import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench import Plot, Section, Series, Settings, median, overall, verdict
from rockset_emulator import Emulator, EmulatorConfig
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.steps import ask_once, check_connectivity

API_KEY = "bench-p1-key"
GRACE = 60.0
"""Seconds past ``ready_after`` after which a poller counts as failed (bounds every loop)."""
MAX_LAG = 2.0
MAX_RATIO = 0.1


@dataclass(frozen=True)
class FixedLoopResult:
    succeeded_at: float
    probe_seconds: float
    """How long the successful probe took: the loop's lag had it probed as readiness arrived."""


@dataclass(frozen=True)
class Trial:
    ready_after: float
    phase: float
    check_lag: float
    fixed_lag: float
    fixed_aligned_lag: float


def fixed_loop(endpoints: RocksetApi, interval: float, give_up_after: float) -> FixedLoopResult:
    """The hand-written approach: probe, sleep ``interval``, repeat."""
    deadline = time.monotonic() + give_up_after
    while time.monotonic() < deadline:
        started = time.monotonic()
        answer = ask_once(endpoints, endpoints.privatelink_url, 10.0).value
        if answer.authenticated:
            succeeded_at = time.monotonic()
            return FixedLoopResult(succeeded_at, succeeded_at - started)
        time.sleep(interval)
    raise RuntimeError(f"the fixed loop saw no answer within {give_up_after:g} s")


def delayed_fixed_loop(
    endpoints: RocksetApi, phase: float, interval: float, give_up_after: float
) -> FixedLoopResult:
    # The delay is what is being varied: where the loop's probes fall relative to readiness.
    time.sleep(phase)
    return fixed_loop(endpoints, interval, give_up_after)


def component_check(endpoints: RocksetApi, give_up_after: float) -> float:
    check_connectivity(endpoints, give_up_after, public_may_refuse_key=False)
    return time.monotonic()


def trial(ready_after: float, phase: float, interval: float) -> Trial:
    config = EmulatorConfig(
        api_keys=(API_KEY,), ready_after=ready_after, read_limit_per_minute=1_000_000
    )
    with Emulator(config) as emulator:
        endpoints = RocksetApi(
            emulator.public_url, emulator.privatelink_url, API_KEY, str(emulator.ca_bundle)
        )
        give_up_after = ready_after + GRACE
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="bench-p1") as pool:
            check = pool.submit(component_check, endpoints, give_up_after)
            fixed = pool.submit(delayed_fixed_loop, endpoints, phase, interval, give_up_after)
            # The emulator sets this event right after listen(): the moment connections succeed.
            if not emulator.privatelink_ready.wait(timeout=give_up_after):
                raise RuntimeError("the emulator's PrivateLink listener never opened")
            ready_at = time.monotonic()
            check_at, fixed_result = check.result(), fixed.result()
    return Trial(
        ready_after,
        phase,
        check_at - ready_at,
        fixed_result.succeeded_at - ready_at,
        fixed_result.probe_seconds,
    )


def phases(count: int, interval: float) -> list[float]:
    """``count`` start delays spread evenly over one ``interval`` from a random offset."""
    offset = random.random()  # noqa: S311 - a measurement's phase, not a secret
    return [interval * (k + offset) / count for k in range(count)]


def run(settings: Settings) -> Section:
    interval = settings.fixed_interval
    plan = [
        (ready_after, phase)
        for ready_after, reps in zip(settings.ready_after, settings.p1_reps, strict=True)
        for phase in phases(reps, interval)
    ]
    with ThreadPoolExecutor(max_workers=len(plan), thread_name_prefix="bench-p1-trial") as pool:
        trials = list(pool.map(lambda p: trial(p[0], p[1], interval), plan))

    probe = median([t.fixed_aligned_lag for t in trials])
    expected = interval / 2 + probe
    rows: list[list[str]] = []
    verdicts: list[str] = []
    check_medians: list[float] = []
    fixed_means: list[float] = []
    aligned_medians: list[float] = []
    for ready_after in settings.ready_after:
        these = [t for t in trials if t.ready_after == ready_after]
        check_lag = median([t.check_lag for t in these])
        fixed_lag = statistics.fmean(t.fixed_lag for t in these)
        aligned_lag = median([t.fixed_aligned_lag for t in these])
        ratio = check_lag / fixed_lag
        ok = verdict(check_lag <= MAX_LAG and ratio <= MAX_RATIO)
        verdicts.append(ok)
        check_medians.append(check_lag)
        fixed_means.append(fixed_lag)
        aligned_medians.append(aligned_lag)
        rows.append(
            [
                f"{ready_after:g}",
                str(len(these)),
                f"{check_lag:.2f}",
                f"{min(t.check_lag for t in these):.2f} - {max(t.check_lag for t in these):.2f}",
                f"{fixed_lag:.2f}",
                f"{min(t.fixed_lag for t in these):.2f} - {max(t.fixed_lag for t in these):.2f}",
                f"{ratio:.3f}",
                f"{aligned_lag:.2f}",
                f"{check_lag / aligned_lag:.2f}",
                ok,
            ]
        )
    x = list(settings.ready_after)
    worst = max(range(len(x)), key=lambda i: check_medians[i] / aligned_medians[i])
    return Section(
        key="P1",
        title="Readiness lag",
        what=(
            "An emulator's PrivateLink listener refuses connections until T seconds after it "
            "starts. In each trial the step-3 check (`check_connectivity`, capped backoff of "
            f"1 s) starts with the emulator and a fixed {interval:g}-second loop (probe, sleep "
            f"{interval:g} s, repeat) starts after a delay in [0, {interval:g}) s, against the "
            "same emulator; lag is the time from the listener opening to each poller's first "
            "successful probe (ping and an authenticated call). Where readiness falls between "
            "the fixed loop's probes is under nobody's control, so the delays of one T's trials "
            f"are spread evenly over {interval:g} s from a random offset, and the fixed loop's "
            "lag is their mean: its expected lag over a uniform phase. Ratio is the check's "
            "median lag over that mean. The fixed loop's best case, probing just as the "
            "listener opens, lags by only that probe's duration: measured in every trial and "
            "reported as the worst case for the check, not judged."
        ),
        target=(
            f"median lag <= {MAX_LAG:g} s and <= {MAX_RATIO:g}x the fixed loop's expected lag "
            "over a uniform phase, for each T"
        ),
        headers=[
            "T (s)",
            "trials",
            "check lag, median (s)",
            "check lag, range (s)",
            f"fixed {interval:g} s loop, random phase: mean lag (s)",
            "its range (s)",
            "ratio",
            "fixed loop, aligned: lag (s)",
            "check / aligned",
            "verdict",
        ],
        rows=rows,
        verdict=overall(verdicts),
        summary="check lag vs fixed loop over a uniform phase: "
        + ", ".join(
            f"T={t:g}: {c:.2f} s vs {f:.2f} s"
            for t, c, f in zip(x, check_medians, fixed_means, strict=True)
        )
        + f"; aligned worst case (T={x[worst]:g}): {check_medians[worst]:.2f} s vs "
        f"{aligned_medians[worst]:.2f} s",
        notes=[
            f"Measured, not modelled: the fixed loop really sleeps {interval:g} s. Trials run "
            "concurrently, each against its own emulator, and the pollers mostly sleep, so the "
            f"whole benchmark takes about max(T) + {interval:g} s.",
            f"Over a uniform phase the fixed loop's expected lag is {interval:g} / 2 s plus a "
            f"probe ({probe:.2f} s, the median successful probe): {expected:.2f} s, which the "
            "measured means should straddle; evenly spread delays keep each mean within "
            f"{interval:g} / (2 x trials) s of it, bar the probe's own variation.",
            "Aligned, the fixed loop lags only by its probe's duration, which the check cannot "
            "beat: it polls on a backoff capped at 1 s and may be asleep when the listener "
            "opens. That case needs the loop's probes to coincide with a readiness time no one "
            "knows in advance, so it is shown as the check's worst case, not used as the "
            "verdict.",
        ],
        plots=[
            Plot(
                filename="performance-p1.png",
                title="P1: readiness lag",
                xlabel="T: the PrivateLink listener opens after (s)",
                ylabel="lag after the listener opened (s)",
                series=[
                    Series(
                        f"fixed {interval:g} s loop, each trial (random phase)",
                        [t.ready_after for t in trials],
                        [t.fixed_lag for t in trials],
                        "x",
                    ),
                    Series(f"fixed {interval:g} s loop, mean over phases", x, fixed_means, "s"),
                    Series(
                        f"fixed loop, expected: {interval:g} / 2 + probe",
                        x,
                        [expected for _ in x],
                        ":",
                    ),
                    Series("fixed loop, aligned (its best case)", x, aligned_medians, "^"),
                    Series("step-3 check (capped backoff), median", x, check_medians, "o"),
                ],
            )
        ],
    )
