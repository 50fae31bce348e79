"""P2 check latency: the step-3 check against the same requests made one after another.

A healthy emulator answers every request after an injected delay. The check probes both endpoints
at once (ping and an authenticated call on each); the baseline makes exactly those client calls,
public endpoint first, then PrivateLink, so its wall time is the sum of the requests.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench import Section, Settings, median, verdict
from rockset_emulator import Emulator, EmulatorConfig, FaultConfig
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.steps import ask_once, check_connectivity

API_KEY = "bench-p2-key"
LATENCY = 0.2
MAX_RATIO = 0.6
TIMEOUT = 30.0


def concurrent_check(endpoints: RocksetApi) -> float:
    started = time.perf_counter()
    check_connectivity(endpoints, TIMEOUT, public_may_refuse_key=False)
    return time.perf_counter() - started


def sequential_requests(endpoints: RocksetApi) -> float:
    started = time.perf_counter()
    for url in (endpoints.public_url, endpoints.privatelink_url):
        answer = ask_once(endpoints, url, TIMEOUT).value
        if not answer.authenticated:
            raise RuntimeError(f"the sequential probe of {url} failed: {answer.error}")
    return time.perf_counter() - started


def _logged(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines())


def run(settings: Settings) -> Section:
    with tempfile.TemporaryDirectory(prefix="bench-p2-") as tmp:
        log = Path(tmp) / "requests.jsonl"
        config = EmulatorConfig(
            api_keys=(API_KEY,),
            faults=FaultConfig(latency=LATENCY),
            request_log=log,
            read_limit_per_minute=1_000_000,
        )
        with Emulator(config) as emulator:
            endpoints = RocksetApi(
                emulator.public_url, emulator.privatelink_url, API_KEY, str(emulator.ca_bundle)
            )
            # Unmeasured warm-up: first-use costs (imports, TLS contexts) land in neither side.
            sequential_requests(endpoints)
            before = _logged(log)
            concurrent_check(endpoints)
            per_check = _logged(log) - before
            checks: list[float] = []
            sequential: list[float] = []
            for rep in range(settings.p2_reps):
                # Alternating which goes first keeps any drift from favouring one side.
                if rep % 2:
                    sequential.append(sequential_requests(endpoints))
                    checks.append(concurrent_check(endpoints))
                else:
                    checks.append(concurrent_check(endpoints))
                    sequential.append(sequential_requests(endpoints))

    ratios = [c / s for c, s in zip(checks, sequential, strict=True)]
    ratio = median(ratios)
    ok = verdict(ratio <= MAX_RATIO)
    return Section(
        key="P2",
        title="Check latency",
        what=(
            f"A healthy emulator delays every request by {LATENCY * 1000:g} ms. Wall time of the "
            f"full step-3 check (`check_connectivity`: {per_check} requests, each endpoint's ping "
            "and authenticated call, both endpoints at once) against the same client calls made "
            "one after another. Ratio is the median over repetitions of check / sequential, both "
            "measured in the same repetition (alternating which goes first)."
        ),
        target=f"<= {MAX_RATIO:g}x the sequential requests",
        headers=[
            "repetitions",
            "requests per check",
            "step-3 check, median (s)",
            "sequential requests, median (s)",
            "ratio",
            "verdict",
        ],
        rows=[
            [
                str(settings.p2_reps),
                str(per_check),
                f"{median(checks):.3f}",
                f"{median(sequential):.3f}",
                f"{ratio:.2f}",
                ok,
            ]
        ],
        verdict=ok,
        summary=f"{median(checks):.3f} s vs {median(sequential):.3f} s sequential ({ratio:.2f}x)",
        notes=[
            "Each probe opens a fresh connection (a TLS handshake on loopback) before its two "
            "requests, on both sides, as the check does."
        ],
    )
