"""The benchmarks' smoke run: every benchmark runs at tiny sizes and reports against its target.

No timing is asserted here; the figures are ``make bench``'s job (docs/performance.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import REPO

SECTIONS = (
    "## P1 Readiness lag",
    "## P2 Check latency",
    "## P3 Serialized provider size",
    "## P4 Engine overhead",
    "## P5 Scale",
    "## P6 Time to diagnosis",
    "## P6b probe: vpc, extra time per check",
    "## P7 The plugin's cost",
)


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_smoke_run_reports_every_benchmark_against_its_target(tmp_path: Path) -> None:
    output = tmp_path / "performance.md"
    done = bench("--smoke", "--output", str(output))
    assert done.returncode == 0, done.stderr
    report = output.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in report
    assert report.count("Target: ") == len(SECTIONS)
    assert report.count("Verdict: **") == len(SECTIONS)
    for key in ("P1", "P2", "P3", "P5", "P6", "P6b"):
        assert f"| {key} |" in report
    assert "Smoke run" in report
    assert "| CPU |" in report
    assert "| Python |" in report
    # Only the full run draws plots.
    assert list(tmp_path.glob("*.png")) == []


def test_smoke_run_refuses_to_replace_the_published_report() -> None:
    done = bench("--smoke")
    assert done.returncode == 2
    assert "--output" in done.stderr
