"""P7 the plugin's cost: ``pulumi preview`` and ``pulumi up`` of the TypeScript example (the
component and its checks served by the ``rockset`` plugin) against the same stack in Python
(``examples/new-vpc``: the component in the program, the checks as dynamic resources), on the
real engine, and the plugin's start-up time; and, to show where the TypeScript stack's extra time
goes, what each stack's processes take to start, measured alone.

Both programs create a VPC, three subnets and the component with checks and lockdown, in the same
session against the same moto server and emulator, alternating, each repetition on a fresh stack
destroyed afterwards (untimed).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import Section, Settings, median, verdict
from bench.engine_overhead import Timing, timed_stack
from devtools.engine import LocalStack, engine_env, local_aws, pulumi_cli, with_rockset_plugin
from devtools.node_projects import NpmError, copy_typescript_example
from devtools.projects import REPO, copy_project
from rockset_emulator import Emulator, EmulatorConfig

__all__ = ["MAX_RATIO", "StartUp", "plugin_start", "run", "section", "start_up"]

API_KEY = "bench-p7-key"
MAX_RATIO = 1.3
TYPESCRIPT, PYTHON = "typescript", "python"
OFFICE = "203.0.113.0/24"
START_REPS = 5
PLUGIN = Path(sys.prefix) / "bin" / "pulumi-resource-rockset"
AWS_DOUBLE = REPO / "devtools" / "bin" / "pulumi-resource-aws"


def _to_port(command: list[str], env: Mapping[str, str] | None = None) -> float:
    """Seconds from starting a plugin as the engine does until it prints its port."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env and dict(env)
    )
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    elapsed = time.perf_counter() - started
    process.terminate()
    process.wait(timeout=10)
    if not port.isdigit():
        raise RuntimeError(f"{command[0]} printed no port")
    return elapsed


def plugin_start() -> float:
    """Seconds from starting the plugin as the engine does until it prints its port."""
    return _to_port([str(PLUGIN), "127.0.0.1:1"])


NODE_SDKS = 'require("@pulumi/pulumi"); require("@pulumi/aws"); require("@rockset-pulumi/rockset")'
"""What the TypeScript program loads before its first resource: the SDKs it imports."""
TS_NODE = (
    'require("ts-node").register({transpileOnly: true, project: "tsconfig.pulumi.json"})'
    '.compile(require("fs").readFileSync("index.ts", "utf8"), "index.ts")'
)
"""What @pulumi/pulumi's runner does before the program runs (its tsconfig sets noCheck, so the
runner registers ts-node transpile-only), and the program's transpilation."""
PYTHON_IMPORTS = "import pulumi, pulumi_aws, rockset_pulumi"
"""What the Python program imports before its first resource."""


@dataclass(frozen=True)
class StartUp:
    """Median seconds each process takes to start, measured alone."""

    plugin: float
    """The plugin, from its start until it prints its port."""
    aws: float
    """The AWS provider (this repository's moto-backed double), from its start until it prints
    its port."""
    node: float
    """Node.js with the program's SDKs loaded."""
    ts_node: float
    """ts-node and TypeScript loaded and the program transpiled, beyond a bare Node.js."""
    python: float
    """Python with the program's packages imported."""


def _timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, timeout=120, capture_output=True)
    return time.perf_counter() - started


def start_up(typescript: Path, env: Mapping[str, str], reps: int = START_REPS) -> StartUp:
    """:class:`StartUp`, each figure the median of ``reps``; ``typescript`` is the TypeScript
    project, its packages installed; ``env`` is the engine's environment (the AWS double's
    endpoints)."""

    def node(script: str) -> float:
        return _timed(["node", "-e", script], typescript)

    bare = median([node("") for _ in range(reps)])
    return StartUp(
        plugin=median([plugin_start() for _ in range(reps)]),
        aws=median([_to_port([str(AWS_DOUBLE), "127.0.0.1:1"], env) for _ in range(reps)]),
        node=median([node(NODE_SDKS) for _ in range(reps)]),
        ts_node=median([node(TS_NODE) for _ in range(reps)]) - bare,
        python=median([_timed([sys.executable, "-c", PYTHON_IMPORTS], REPO) for _ in range(reps)]),
    )


def not_run(reason: str) -> Section:
    return Section.not_run(
        "P7",
        "The plugin's cost",
        "`pulumi preview` and `pulumi up` of the TypeScript example (the rockset plugin) "
        "against the same stack in Python (dynamic providers).",
        f"TypeScript <= {MAX_RATIO:g}x Python",
        reason,
    )


def run(settings: Settings) -> Section:
    if pulumi_cli() is None:
        return not_run("Pulumi CLI missing (make pulumi-cli)")
    if settings.p7_reps == 0:
        return not_run("skipped in the smoke run")
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
        env = with_rockset_plugin(engine_env(local), workdir)
        starts = start_up(typescript, env)
        projects = {
            TYPESCRIPT: typescript,
            PYTHON: copy_project(REPO / "examples" / "new-vpc", workdir / "examples" / "new-vpc"),
        }
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
        loads: list[float] = []
        providers: dict[str, list[str]] = {}
        # Repetition 0 is an unmeasured warm-up: the first run pays for imports and cold caches.
        for rep in range(settings.p7_reps + 1):
            if rep:
                loads.append(os.getloadavg()[0])
            order = [TYPESCRIPT, PYTHON] if rep % 2 == 0 else [PYTHON, TYPESCRIPT]
            for variant in order:
                name = f"{variant}-{rep}"

                def record(stack: LocalStack, variant: str = variant) -> None:
                    providers[variant] = stack.providers("aws")

                timing = timed_stack(
                    workdir / name,
                    env,
                    configs[variant],
                    name,
                    projects[variant],
                    after_up=None if rep else record,
                )
                if rep:
                    timings[variant].append(timing)
    return section(starts, timings[TYPESCRIPT], timings[PYTHON], loads, providers)


def _providers(providers: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(
        f"the {variant} stack held {', '.join(providers.get(variant, ())) or 'none'}"
        for variant in (TYPESCRIPT, PYTHON)
    )


def section(
    starts: StartUp,
    typescript: Sequence[Timing],
    python: Sequence[Timing],
    loads: Sequence[float],
    providers: Mapping[str, Sequence[str]],
) -> Section:
    """The report of each repetition's timings of both programs (``typescript[i]`` and
    ``python[i]`` measured side by side), the start-up times, the machine's load average
    before each repetition, and the AWS providers each program's stack held after its up
    (``LocalStack.providers``, by ``TYPESCRIPT`` and ``PYTHON``)."""
    timings = {TYPESCRIPT: typescript, PYTHON: python}
    pairs = list(zip(typescript, python, strict=True))

    def ratios(pick: Callable[[Timing], float]) -> list[float]:
        return [pick(t) / pick(p) for t, p in pairs]

    def row(operation: str, pick: Callable[[Timing], float], judged: bool) -> list[str]:
        found = ratios(pick)
        ratio = median(found)
        return [
            operation,
            str(len(pairs)),
            *(f"{median([pick(t) for t in timings[v]]):.2f}" for v in (TYPESCRIPT, PYTHON)),
            f"{ratio:.2f} ({min(found):.2f} - {max(found):.2f})",
            verdict(ratio <= MAX_RATIO) if judged else "reported",
        ]

    def alone(what: str, typescript: float | None, python: float | None) -> list[str]:
        shown = ["-" if value is None else f"{value:.2f}" for value in (typescript, python)]
        return [what, str(START_REPS), *shown, "-", "reported"]

    preview, up = median(ratios(lambda t: t.preview)), median(ratios(lambda t: t.up))
    preview_cpu, up_cpu = (
        median(ratios(lambda t: t.preview_cpu)),
        median(ratios(lambda t: t.up_cpu)),
    )
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
            "medians of per-repetition ratios (their range in brackets). CPU seconds: of the "
            "CLI and every process it started (language host, program, plugins), as the kernel "
            "accounts them, which the machine's other work disturbs less than wall time. Below "
            "them, what the stacks' processes take to start, each measured alone (median of "
            f"{START_REPS}): the plugin, as the engine starts it, until it prints its port; "
            "Node.js loading the SDKs the program imports; ts-node and TypeScript loaded and "
            "index.ts transpiled, beyond a bare Node.js; Python importing what the program "
            "imports."
        ),
        target=f"TypeScript <= {MAX_RATIO:g}x Python, preview and up",
        headers=["operation", "repetitions", "TypeScript (s)", "Python (s)", "ratio", "verdict"],
        rows=[
            row("preview", lambda t: t.preview, judged=True),
            row("up", lambda t: t.up, judged=True),
            row("preview, CPU seconds", lambda t: t.preview_cpu, judged=False),
            row("up, CPU seconds", lambda t: t.up_cpu, judged=False),
            alone("plugin start-up (to its port)", starts.plugin, None),
            alone(
                "AWS provider start-up (the moto double, to its port), each", starts.aws, starts.aws
            ),
            alone("Node.js + @pulumi/pulumi, @pulumi/aws, the rockset SDK", starts.node, None),
            alone("ts-node + TypeScript, index.ts transpiled", starts.ts_node, None),
            alone("Python + pulumi, pulumi_aws, rockset_pulumi", None, starts.python),
        ],
        verdict=verdict(preview <= MAX_RATIO and up <= MAX_RATIO),
        summary=f"preview {preview:.2f}x, up {up:.2f}x Python (CPU seconds: {preview_cpu:.2f}x, "
        f"{up_cpu:.2f}x); plugin starts in {starts.plugin:.2f} s",
        notes=[
            "Where the TypeScript stack's extra time goes, in the order the engine runs it (each "
            "step waits for the one before, as `pulumi preview -v=9` traces show). (1) The "
            "program: a Node.js process that loads @pulumi/pulumi, @pulumi/aws and the rockset "
            "SDK, and ts-node with TypeScript (transpile-only: the example's "
            "tsconfig.pulumi.json sets noCheck), before its first resource "
            f"({starts.node:.2f} s + {starts.ts_node:.2f} s alone), where the Python program "
            f"imports pulumi, pulumi_aws and this package ({starts.python:.2f} s). Most of "
            "Node's time is V8 compiling the packages' JavaScript, again on every run. (2) The "
            "plugin: the engine starts it when the program registers the component "
            f"({starts.plugin:.2f} s to its port, nearly all of it Python importing the pulumi "
            "SDK and this package; the Python stack starts pulumi's dynamic-provider host "
            "instead, later and smaller), then calls GetPluginInfo, Configure and Construct "
            "once each, with no other round trip; Construct imports pulumi_aws.ec2, which the "
            "Python program has already imported for its VPC. (3) The AWS provider: the engine "
            "runs one per version asked for. The component registers its resources and its "
            "look-ups with the pulumi-aws version the plugin is released with (`constraints.txt`), "
            "which is the example's @pulumi/aws: "
            f"{_providers(providers)} after up. A program on another version runs a second AWS "
            "provider, which starts only when the component's first resource asks for it, so "
            "its start and Configure (this repository's moto double: "
            f"{starts.aws:.2f} s to its port, then a boto3 session) sit between Construct and "
            "that resource: before the plugin was pinned to the example's version (it ran "
            "pulumi-aws 7.51.1, the program 7.48.0), this report measured previews at 1.49x "
            "(2026-12-06, load average about 2).",
            "What this package cut: the plugin no longer imports httpx and the Rockset client "
            "until a check makes a client (a preview never does), and it stops its gRPC "
            "server when the engine interrupts it, so it exits without a traceback (the "
            "engine waits for every plugin to exit). What no change here removes: Node.js's "
            "and ts-node's start (1), a second process that must import the pulumi SDK (2), "
            "and a second AWS provider for a program on another AWS version than the plugin's "
            "(3). The plugin could leave the version unset, so that the engine hands the "
            "component the program's default provider whatever its version; not done, because "
            "a program on pulumi-aws 6 (the Go example: the Go module proxy here serves no "
            "version 7) would then get the component's version-7 inputs. Nothing is subtracted "
            "from either side.",
            "The machine is shared (other sessions build and test on its 2 cores): the load "
            f"average was {median(loads):.1f} (median; at most {max(loads):.1f}) before the "
            "repetitions. Wall times vary with it; each ratio compares two stacks measured one "
            "after the other, and the CPU seconds show the same comparison with the load "
            "mostly taken out.",
        ],
    )
