"""P5 scale: N ``PrivateLink`` components in one program under Pulumi's mocks.

Each measurement is a fresh child process (``python -m bench.scale N``) so that its peak RSS is
its own. The child seeds moto and the mocks first, then times building N locked-down components
(security group, endpoint and the three dynamic resources each) until every output is known, and
reports the peak RSS before and after.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

import pulumi

from bench import Plot, Section, Series, Settings, median, run_child, verdict
from devtools.pulumi_mocks import program, resolve
from rockset_pulumi import PrivateLink, PrivateLinkArgs

API_KEY = "bench-p5-key"
MAX_GROWTH = 1.5
"""Per-component time at the largest size over the next largest: above this is not linear."""


def _peak_rss_kib() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(count: int) -> dict[str, Any]:
    with program() as aws:
        subnets = list(aws.network.subnet_ids_by_az.values())
        rss_before = _peak_rss_kib()
        started = time.perf_counter()
        links = [
            PrivateLink(
                f"rockset-{i}",
                PrivateLinkArgs(
                    vpc_id=aws.network.vpc_id,
                    subnet_ids=subnets,
                    api_key=API_KEY,
                    admin_cidrs={"office": "203.0.113.0/24"},
                    lockdown=True,
                ),
            )
            for i in range(count)
        ]
        resolve(
            pulumi.Output.all(
                *(link.endpoint_state for link in links),
                *(link.lockdown_status for link in links),
            )
        )
        elapsed = time.perf_counter() - started
        resources = len(aws.mocks.resources)
    return {
        "seconds": elapsed,
        "rss_before_kib": rss_before,
        "rss_peak_kib": _peak_rss_kib(),
        "resources": resources,
    }


def run(settings: Settings) -> Section:
    sizes = settings.scale_sizes
    runs = {
        n: [run_child("bench.scale", str(n)) for _ in range(settings.scale_reps)] for n in sizes
    }
    seconds = {n: median([r["seconds"] for r in runs[n]]) for n in sizes}
    peak_mib = {n: median([r["rss_peak_kib"] / 1024 for r in runs[n]]) for n in sizes}
    growth_mib = {
        n: median([(r["rss_peak_kib"] - r["rss_before_kib"]) / 1024 for r in runs[n]])
        for n in sizes
    }
    per_ms = {n: seconds[n] / n * 1000 for n in sizes}
    largest, previous = sizes[-1], sizes[-2]
    growth = per_ms[largest] / per_ms[previous]
    ok = verdict(growth <= MAX_GROWTH)

    def marginal(n: int, values: dict[int, float], scale: float) -> str:
        """Cost of each component added since the previous size: fixed costs cancel out."""
        if n == sizes[0]:
            return "-"
        before = sizes[sizes.index(n) - 1]
        return f"{(values[n] - values[before]) / (n - before) * scale:.0f}"

    rows = [
        [
            str(n),
            str(runs[n][0]["resources"]),
            f"{seconds[n]:.2f}",
            f"{per_ms[n]:.0f}",
            marginal(n, seconds, 1000),
            f"{peak_mib[n]:.0f}",
            f"{growth_mib[n]:.1f}",
            marginal(n, growth_mib, 1024),
        ]
        for n in sizes
    ]
    slope = (seconds[largest] - seconds[previous]) / (largest - previous)
    x = [float(n) for n in sizes]
    return Section(
        key="P5",
        title="Scale",
        what=(
            f"{', '.join(map(str, sizes))} locked-down `PrivateLink` components (each: a security "
            "group, an endpoint and the three dynamic resources) in one program under Pulumi's "
            "mocks with in-process moto answering for EC2, all in the seeded VPC. Time from the "
            "first constructor until every component's outputs are known; peak RSS "
            "(`ru_maxrss`) of the child process, and its growth over the peak before the "
            f"components. Median of {settings.scale_reps} fresh processes per size; marginal "
            "columns are the cost of each component added since the previous size."
        ),
        target=(
            f"linear: per-component time at {largest} within {MAX_GROWTH:g}x of that at {previous}"
        ),
        headers=[
            "components",
            "resources registered",
            "time (s)",
            "per component (ms)",
            "marginal per component (ms)",
            "peak RSS (MiB)",
            "RSS growth (MiB)",
            "marginal RSS per component (KiB)",
        ],
        rows=rows,
        verdict=ok,
        summary=(
            f"{per_ms[largest]:.0f} ms per component at {largest}, {per_ms[previous]:.0f} ms at "
            f"{previous} ({growth:.2f}x)"
        ),
        notes=[
            f"Per-component time at {largest} / at {previous}: {growth:.2f}x. The first "
            "component also pays one-time costs (first invokes, lazy imports), which is why the "
            "per-component figure is highest at the smallest size.",
            "Almost all of the time is the mocks and moto answering the component's look-ups and "
            "creates in-process; the real engine's cost per resource is in P4.",
        ],
        plots=[
            Plot(
                filename="performance-p5.png",
                title="P5: components in one program (median)",
                xlabel="components",
                ylabel="time (s)",
                series=[
                    Series("measured (mocks + moto)", x, [seconds[n] for n in sizes]),
                    Series(
                        f"linear: {slope * 1000:.0f} ms per added component",
                        x,
                        [seconds[previous] + slope * (n - previous) for n in sizes],
                        "--",
                    ),
                ],
            )
        ],
    )


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]))))
