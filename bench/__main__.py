"""``python -m bench [--smoke] [--output PATH]``: run P1-P7 and write the report.

The full run rewrites ``docs/performance.md`` and its plots. ``--smoke`` runs tiny sizes and
draws no plots (so it needs no matplotlib), and is meant to write elsewhere with ``--output``.
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
from bench.report import draw, render

BENCHMARKS: tuple[Callable[[Settings], Section], ...] = (
    readiness.run,
    latency.run,
    provider_size.run,
    engine_overhead.run,
    scale.run,
    diagnosis.run,
    probe_overhead.run,
    plugin_overhead.run,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no plots")
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO / "docs" / "performance.md",
        help="where to write the report (default: docs/performance.md); plots go beside it",
    )
    args = parser.parse_args(argv)
    if args.smoke and args.output.resolve() == (REPO / "docs" / "performance.md").resolve():
        parser.error("a smoke run must not replace docs/performance.md: pass --output")
    settings = Settings.small() if args.smoke else Settings.full()

    started_at = datetime.now(UTC)
    started = time.monotonic()
    sections: list[Section] = []
    for benchmark in BENCHMARKS:
        began = time.monotonic()
        section = benchmark(settings)
        print(
            f"{section.key} {section.title}: {section.verdict} ({section.summary}) "
            f"in {time.monotonic() - began:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        sections.append(section)

    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    if not settings.smoke:
        for section in sections:
            for plot in section.plots:
                draw(plot, output.parent)
    output.write_text(
        render(
            sections,
            settings,
            started=started_at,
            seconds=time.monotonic() - started,
            plots=not settings.smoke,
        ),
        encoding="utf-8",
    )
    print(f"wrote {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
