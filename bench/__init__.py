"""Benchmarks of rockset-pulumi's claims: quick to notice readiness, cheap checks, small state,
little engine overhead, linear scale, a fast diagnosis outside the VPC, and what the probe inside
the VPC costs per check.

``python -m bench`` (``make bench``) runs P1-P7 and rewrites ``docs/performance.md`` with a table
per benchmark, its target and verdict, the machine it ran on and plots; ``python -m bench --smoke
--output PATH`` is a tiny version of the same for the test suite. Each module measures one
benchmark and returns a :class:`Section`; :mod:`bench.report` renders them.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "REPO",
    "Plot",
    "Section",
    "Series",
    "Settings",
    "median",
    "overall",
    "run_child",
    "verdict",
]

REPO = Path(__file__).resolve().parents[1]
PASS, FAIL = "PASS", "FAIL"
CHILD_TIMEOUT = 900.0


@dataclass(frozen=True)
class Settings:
    """How big a run is: the full run or the smoke run's small sizes."""

    smoke: bool
    ready_after: tuple[float, ...]
    """P1: when the PrivateLink listener opens, in seconds after the emulator starts."""
    p1_reps: tuple[int, ...]
    """P1: repetitions for each ``ready_after``."""
    fixed_interval: float
    """P1: the hand-written loop's sleep between probes."""
    p2_reps: int
    cidr_counts: tuple[int, ...]
    p4_reps: int
    """P4: measured repetitions per program (0: not run), after one unmeasured warm-up each."""
    scale_sizes: tuple[int, ...]
    scale_reps: int
    p6_reps: int
    """P6: runs of the diagnosis at the default check_timeout."""
    p6_before_timeouts: tuple[float, ...]
    """P6: short check_timeouts at which the old wait is measured (twice each)."""
    p6_window: float | None
    """P6: the diagnosis window; None for the default (the smoke run shortens it)."""
    p6b_reps: int
    """P6b: measured runs of each check, each way (probe runner and probe vpc)."""
    p7_reps: int
    """P7: measured repetitions per program (0: not run), after one unmeasured warm-up each."""

    @classmethod
    def full(cls) -> Settings:
        return cls(
            smoke=False,
            ready_after=(2.0, 10.0, 60.0),
            p1_reps=(9, 9, 5),
            fixed_interval=30.0,
            p2_reps=9,
            cidr_counts=(1, 10, 100),
            p4_reps=7,
            scale_sizes=(1, 10, 100),
            scale_reps=3,
            p6_reps=3,
            p6_before_timeouts=(2.0, 5.0, 10.0),
            p6_window=None,
            p6b_reps=9,
            p7_reps=5,
        )

    @classmethod
    def small(cls) -> Settings:
        # A 30 s loop would dominate the smoke run, so its interval shrinks with ready_after.
        return cls(
            smoke=True,
            ready_after=(0.5,),
            p1_reps=(1,),
            fixed_interval=2.0,
            p2_reps=1,
            cidr_counts=(1, 3),
            p4_reps=0,
            scale_sizes=(1, 3),
            scale_reps=1,
            p6_reps=1,
            p6_before_timeouts=(1.0,),
            p6_window=1.0,
            p6b_reps=2,
            p7_reps=0,
        )


@dataclass(frozen=True)
class Series:
    label: str
    x: Sequence[float]
    y: Sequence[float]
    style: str = "o-"


@dataclass(frozen=True)
class Plot:
    """A figure for the full run's report; drawn by :func:`bench.report.draw`."""

    filename: str
    title: str
    xlabel: str
    ylabel: str
    series: Sequence[Series]


@dataclass
class Section:
    """One benchmark's results as the report shows them."""

    key: str
    title: str
    what: str
    target: str
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    verdict: str
    summary: str
    notes: list[str] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)

    @classmethod
    def not_run(cls, key: str, title: str, what: str, target: str, reason: str) -> Section:
        """The section of a benchmark that did not run, saying why in each place."""
        said = f"not run: {reason}"
        return cls(key, title, what, target, ["result"], [[said]], verdict=said, summary=said)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def verdict(ok: bool) -> str:
    return PASS if ok else FAIL


def overall(verdicts: Sequence[str]) -> str:
    return PASS if all(v == PASS for v in verdicts) else FAIL


def run_child(module: str, *args: str) -> Any:
    """Run ``python -m <module> <args>`` in a fresh interpreter; returns the JSON it printed last.

    A fresh process per measurement keeps Pulumi's process-wide mock settings, moto's patching and
    the peak RSS of one measurement out of the others.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
