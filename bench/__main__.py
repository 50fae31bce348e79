"""``python -m bench [--smoke] [--only KEY ...] [--output PATH]``: run P1-P7 and write the report.

The full run rewrites ``docs/performance.md`` and its plots. ``--smoke`` runs tiny sizes and
draws no plots (so it needs no matplotlib), and is meant to write elsewhere with ``--output``.
``--only P7`` runs only the benchmarks named and rewrites only their sections and summary rows
of the report already there (each saying when it ran, alone), so that one benchmark can be
refreshed without the others' quarter of an hour.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    REPO,
    Section,
    Settings,
    diagnosis,
    engine_overhead,
    latency,
    plugin_overhead,
    probe_overhead,
    provider_size,
    readiness,
    scale,
)
from bench.report import draw, refresh, render

BENCHMARKS: dict[str, Callable[[Settings], Section]] = {
    "P1": readiness.run,
    "P2": latency.run,
    "P3": provider_size.run,
    "P4": engine_overhead.run,
    "P5": scale.run,
    "P6": diagnosis.run,
    "P6b": probe_overhead.run,
    "P7": plugin_overhead.run,
}
"""Each benchmark by its key, in report order."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no plots")
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO / "docs" / "performance.md",
        help="where to write the report (default: docs/performance.md); plots go beside it",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(BENCHMARKS),
        metavar="KEY",
        help="run only these benchmarks and rewrite only their sections of the report there "
        f"(keys: {', '.join(BENCHMARKS)})",
    )
    args = parser.parse_args(argv)
    if args.smoke and args.output.resolve() == (REPO / "docs" / "performance.md").resolve():
        parser.error("a smoke run must not replace docs/performance.md: pass --output")
    output: Path = args.output
    if args.only and not output.is_file():
        parser.error(f"--only rewrites sections of {output}, which does not exist: run all first")
    settings = Settings.small() if args.smoke else Settings.full()

    started_at = datetime.now(UTC)
    started = time.monotonic()
    sections: list[Section] = []
    for key, benchmark in BENCHMARKS.items():
        if args.only and key not in args.only:
            continue
        began = time.monotonic()
        section = benchmark(settings)
        print(
            f"{section.key} {section.title}: {section.verdict} ({section.summary}) "
            f"in {time.monotonic() - began:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        sections.append(section)

    output.parent.mkdir(parents=True, exist_ok=True)
    plots = not settings.smoke
    if plots:
        for section in sections:
            for plot in section.plots:
                draw(plot, output.parent)
    seconds = time.monotonic() - started
    if args.only:
        alone = (
            f"Measured on {started_at.strftime('%Y-%m-%d %H:%M UTC')} alone (`python -m bench "
            f"{'--smoke ' if settings.smoke else ''}--only {' '.join(args.only)}`), taking "
            f"{seconds / 60:.1f} min; the rest of the report, the machine table included, is "
            "from the run above."
        )
        text = refresh(output.read_text(encoding="utf-8"), sections, list(BENCHMARKS), alone)
    else:
        text = render(sections, settings, started=started_at, seconds=seconds, plots=plots)
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
