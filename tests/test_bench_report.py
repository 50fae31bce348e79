"""The report's generation: P7's section from its measurements, and a section refreshed alone
(``python -m bench --only KEY``) in a report written before, the rest left as it was.

No benchmark's figures are asserted here; the timings are made up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench import REPO, Section, Settings
from bench.engine_overhead import Timing
from bench.plugin_overhead import StartUp
from bench.plugin_overhead import section as p7_section
from bench.report import refresh, render
from tests.test_bench_smoke import bench

ORDER = ("P1", "P2", "P7")


def fake(key: str, result: str) -> Section:
    return Section(
        key=key,
        title=f"Benchmark {key}",
        what=f"What {key} measures.",
        target="fast",
        headers=["result"],
        rows=[[result]],
        verdict="PASS",
        summary=result,
        notes=[f"a note on {key}"],
    )


def report(*sections: Section) -> str:
    started = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    return render(sections, Settings.full(), started=started, seconds=60.0, plots=False)


STARTS = StartUp(plugin=0.4, aws=0.6, node=1.3, ts_node=0.5, python=0.7)


def timing(preview: float, up: float) -> Timing:
    # CPU seconds half the wall time, so that their ratios equal the wall times'.
    return Timing(preview=preview, up=up, preview_cpu=preview / 2, up_cpu=up / 2)


def p7(typescript: list[Timing], python: list[Timing]) -> Section:
    providers = {"typescript": ["default_7_48_0", "default_7_51_1"], "python": ["default_7_51_1"]}
    return p7_section(STARTS, typescript, python, loads=[1.0, 3.0, 2.0], providers=providers)


def test_p7_judges_both_ratios_against_the_target_and_reports_the_start_ups() -> None:
    python = [timing(10.0, 20.0)] * 3
    passing = p7([timing(12.0, 26.0)] * 3, python)
    assert passing.verdict == "PASS"
    assert passing.summary == (
        "preview 1.20x, up 1.30x Python (CPU seconds: 1.20x, 1.30x); plugin starts in 0.40 s"
    )
    assert ["preview", "3", "12.00", "10.00", "1.20 (1.20 - 1.20)", "PASS"] in passing.rows
    assert ["up", "3", "26.00", "20.00", "1.30 (1.30 - 1.30)", "PASS"] in passing.rows
    assert ["preview, CPU seconds", "3", "6.00", "5.00", "1.20 (1.20 - 1.20)", "reported"] in (
        passing.rows
    )
    assert ["plugin start-up (to its port)", "5", "0.40", "-", "-", "reported"] in passing.rows
    assert ["Python + pulumi, pulumi_aws, rockset_pulumi", "5", "-", "0.70", "-", "reported"] in (
        passing.rows
    )
    assert "load average was 2.0 (median; at most 3.0)" in " ".join(passing.notes)
    aws = ["AWS provider start-up (the moto double, to its port), each", "5", "0.60", "0.60"]
    assert [*aws, "-", "reported"] in passing.rows
    assert (
        "the typescript stack held default_7_48_0, default_7_51_1; the python stack held "
        "default_7_51_1 after up"
    ) in " ".join(passing.notes)

    slow_up = p7([timing(12.0, 27.0)] * 3, python)
    assert slow_up.verdict == "FAIL"
    assert ["up", "3", "27.00", "20.00", "1.35 (1.35 - 1.35)", "FAIL"] in slow_up.rows


def test_p7_ratio_is_the_median_of_side_by_side_ratios() -> None:
    # The second pair ran on a slower machine moment: both sides slow, the ratio unchanged.
    typescript = [timing(12.0, 24.0), timing(36.0, 72.0), timing(16.0, 28.0)]
    python = [timing(10.0, 20.0), timing(30.0, 60.0), timing(10.0, 20.0)]
    section = p7(typescript, python)
    assert section.summary.startswith("preview 1.20x, up 1.20x")
    assert ["preview", "3", "16.00", "10.00", "1.20 (1.20 - 1.60)", "PASS"] in section.rows


def test_a_section_refreshed_alone_lands_where_the_whole_run_puts_it() -> None:
    p1, p2, p7 = fake("P1", "one"), fake("P2", "two"), fake("P7", "seven")
    alone = "Measured alone."
    for before in ((p2, p7), (p1, p7), (p1, p2)):
        missing = next(s for s in (p1, p2, p7) if s not in before)
        refreshed = refresh(report(*before), [missing], ORDER, alone)
        assert refreshed.replace(f"{alone}\n\n", "") == report(p1, p2, p7)


def test_a_section_refreshed_alone_replaces_only_its_own_section_and_summary_row() -> None:
    old = report(fake("P1", "one"), fake("P2", "two"), fake("P7", "slow"))
    refreshed = refresh(old, [fake("P7", "fast")], ORDER, "Measured alone.")
    assert refreshed.count("## P7 ") == 1
    assert refreshed.count("| P7 |") == 1
    assert "slow" not in refreshed
    assert "| P7 | Benchmark P7 | fast | fast | **PASS** |" in refreshed
    assert refreshed.split("## P7 ")[0] == old.split("## P7 ")[0].replace("slow", "fast")
    # Refreshing again gives the same report: nothing accumulates.
    assert refresh(refreshed, [fake("P7", "fast")], ORDER, "Measured alone.") == refreshed


def test_only_rewrites_the_named_sections_of_the_report_there(tmp_path: Path) -> None:
    published = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")
    output = tmp_path / "performance.md"
    output.write_text(published, encoding="utf-8")
    done = bench("--smoke", "--only", "P7", "--output", str(output))
    assert done.returncode == 0, done.stderr
    text = output.read_text(encoding="utf-8")
    assert text.count("## P7 The plugin's cost") == 1
    assert "--smoke --only P7" in text.split("## P7 ")[1]
    for heading in ("## P1 ", "## P4 ", "## P6b "):
        assert (
            text.split(heading)[1].split("\n## ")[0]
            == published.split(heading)[1].split("\n## ")[0]
        )
    assert [line for line in text.splitlines() if not line.startswith("| P7 |")][:40] == [
        line for line in published.splitlines() if not line.startswith("| P7 |")
    ][:40]


def test_only_refuses_a_report_that_is_not_there(tmp_path: Path) -> None:
    done = bench("--only", "P7", "--output", str(tmp_path / "none.md"))
    assert done.returncode == 2
    assert "does not exist" in done.stderr
