"""P7 the plugin's cost: ``pulumi preview`` and ``pulumi up`` of the TypeScript example (the
component and its checks served by the ``rockset`` plugin) against the same stack in Python
(``examples/new-vpc``: the component in the program, the checks as dynamic resources), on the
real engine, and the plugin's start-up time.

Both programs create a VPC, three subnets and the component with checks and lockdown, in the same
session against the same moto server and emulator, alternating, each repetition on a fresh stack
destroyed afterwards (untimed).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import Section, Settings, median, verdict
from bench.engine_overhead import Timing, timed_stack
from devtools.engine import engine_env, local_aws, pulumi_cli, with_rockset_plugin
from devtools.node_projects import NpmError, copy_typescript_example
from devtools.projects import REPO, copy_project
from rockset_emulator import Emulator, EmulatorConfig

__all__ = ["MAX_RATIO", "plugin_start", "run"]

API_KEY = "bench-p7-key"
MAX_RATIO = 1.3
TYPESCRIPT, PYTHON = "typescript", "python"
OFFICE = "203.0.113.0/24"
START_REPS = 5
PLUGIN = Path(sys.prefix) / "bin" / "pulumi-resource-rockset"


def plugin_start() -> float:
    """Seconds from starting the plugin as the engine does until it prints its port."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(PLUGIN), "127.0.0.1:1"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    elapsed = time.perf_counter() - started
    process.terminate()
    process.wait(timeout=10)
    if not port.isdigit():
        raise RuntimeError(f"{PLUGIN} printed no port")
    return elapsed


def not_run(reason: str) -> Section:
    return Section(
        key="P7",
        title="The plugin's cost",
        what="`pulumi preview` and `pulumi up` of the TypeScript example (the rockset plugin) "
        "against the same stack in Python (dynamic providers).",
        target=f"TypeScript <= {MAX_RATIO:g}x Python",
        headers=["result"],
        rows=[[f"not run: {reason}"]],
        verdict=f"not run: {reason}",
        summary=f"not run: {reason}",
    )


def run(settings: Settings) -> Section:
    if pulumi_cli() is None:
        return not_run("Pulumi CLI missing (make pulumi-cli)")
    if settings.p7_reps == 0:
        return not_run("skipped in the smoke run")
    starts = [plugin_start() for _ in range(START_REPS)]

    timings: dict[str, list[Timing]] = {TYPESCRIPT: [], PYTHON: []}
    with (
        tempfile.TemporaryDirectory(prefix="bench-p7-") as tmp,
        Emulator(EmulatorConfig(api_keys=(API_KEY,))) as emulator,
        local_aws(Path(tmp)) as local,
    ):
        workdir = Path(tmp)
        try:
            typescript = copy_typescript_example(workdir)
        except NpmError as exc:
            return not_run(str(exc).splitlines()[0])
        projects = {
            TYPESCRIPT: typescript,
            PYTHON: copy_project(REPO / "examples" / "new-vpc", workdir / "examples" / "new-vpc"),
        }
        env = with_rockset_plugin(engine_env(local), workdir)
        shared = {
            "aws:region": local.region,
            "vpcCidr": "10.50.0.0/16",
            "apiKey": API_KEY,
            "publicUrl": emulator.public_url,
            "privatelinkUrl": emulator.privatelink_url,
            "caBundle": str(emulator.ca_bundle),
        }
        configs: dict[str, dict[str, Any]] = {
            TYPESCRIPT: {**shared, "officeCidr": OFFICE},
            PYTHON: {**shared, "checks": True, "lockdown": True, "adminCidrs": {"office": OFFICE}},
        }
        # Repetition 0 is an unmeasured warm-up: the first run pays for imports and cold caches.
        for rep in range(settings.p7_reps + 1):
            order = [TYPESCRIPT, PYTHON] if rep % 2 == 0 else [PYTHON, TYPESCRIPT]
            for variant in order:
                name = f"{variant}-{rep}"
                timing = timed_stack(workdir / name, env, configs[variant], name, projects[variant])
                if rep:
                    timings[variant].append(timing)

    pairs = list(zip(timings[TYPESCRIPT], timings[PYTHON], strict=True))
    preview_ratio = median([t.preview / p.preview for t, p in pairs])
    up_ratio = median([t.up / p.up for t, p in pairs])
    ok = verdict(preview_ratio <= MAX_RATIO and up_ratio <= MAX_RATIO)

    def seconds(variant: str, pick: Callable[[Timing], float]) -> str:
        return f"{median([pick(t) for t in timings[variant]]):.2f}"

    def row(operation: str, pick: Callable[[Timing], float], ratio: float) -> list[str]:
        return [
            operation,
            str(len(pairs)),
            seconds(TYPESCRIPT, pick),
            seconds(PYTHON, pick),
            f"{ratio:.2f}",
            verdict(ratio <= MAX_RATIO),
        ]

    start = median(starts)
    return Section(
        key="P7",
        title="The plugin's cost",
        what=(
            "Wall time of `pulumi preview` and `pulumi up` (Automation API on a project "
            "directory: the real CLI, a local file backend, the moto-backed AWS plugin) of "
            "`examples/typescript` (Node.js language host on @pulumi/pulumi's runner, ts-node; "
            "the component and its checks in the `rockset` plugin) against `examples/new-vpc` "
            "with checks and lockdown (Python language host; the component in the program, the "
            "checks as dynamic resources): the same VPC, three subnets, endpoint, checks and "
            "allowlist. Each repetition uses a fresh stack per program, destroyed afterwards; "
            "the programs alternate which goes first; one unmeasured warm-up each. Ratios are "
            "medians of per-repetition ratios. Plugin start-up: the console script started as "
            f"the engine starts it until it prints its port, median of {START_REPS}."
        ),
        target=f"TypeScript <= {MAX_RATIO:g}x Python, preview and up",
        headers=["operation", "repetitions", "TypeScript (s)", "Python (s)", "ratio", "verdict"],
        rows=[
            row("preview", lambda t: t.preview, preview_ratio),
            row("up", lambda t: t.up, up_ratio),
            ["plugin start-up", str(START_REPS), f"{start:.2f}", "-", "-", "reported"],
        ],
        verdict=ok,
        summary=f"preview {preview_ratio:.2f}x, up {up_ratio:.2f}x Python; plugin starts in "
        f"{start:.2f} s",
        notes=[
            "The TypeScript stack starts Node.js, which loads @pulumi/pulumi and @pulumi/aws "
            "and ts-node (transpile-only: the example's tsconfig.pulumi.json sets noCheck, as "
            "type-checking against @pulumi/aws's types took longer than the whole Python "
            "preview), and the plugin, whose component registers its resources through the "
            "engine in a second SDK; the Python stack does all of it in one process.",
        ],
    )
