"""P6b, what `probe: vpc` costs per check: steps 3 and 5 with the PrivateLink side relayed through
the probe function, against the same checks made from this machine, in the same run.

One emulator serves both. The runner's checks reach its PrivateLink listener directly; the
relayed checks name it by the offline VPC's host (devtools.vpc), which resolves only where the
function runs, and send each PrivateLink request as one Lambda ``Invoke`` (the real
``LambdaRelayTransport`` and boto3) to the devtools Lambda Invoke server, which runs the real
handler zip in a subprocess against a moto server's function configuration. Step 3 is
``check_connectivity``; step 5 is one look of ``observe_lockdown`` (what ``verify_lockdown`` repeats
until the lockdown holds). The two ways alternate, so drift favours neither.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from bench import Section, Settings, median, overall, verdict
from devtools.aws_double.lambda_functions import code_file, zip_archive
from devtools.engine import LocalAws, local_aws
from devtools.vpc import VPC_ONLY_HOST, inside_vpc
from rockset_emulator import Emulator, EmulatorConfig
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.steps import check_connectivity, observe_lockdown
from rockset_pulumi.vpc_probe.handler import TARGET_ENV
from rockset_pulumi.vpc_probe.resources import HANDLER_FILE, target_of
from rockset_pulumi.vpc_probe.spec import RelaySpec

API_KEY = "bench-p6b-key"
FUNCTION = "bench-probe-0000p6b0"
TIMEOUT = 30.0
_FAKE = "testing"
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def deploy_function(aws: LocalAws, privatelink_url: str) -> None:
    """The probe function as the component deploys it (same zip, handler, timeout and target),
    without the VPC attachment, which the Invoke server does not need."""
    zipped = zip_archive(pulumi.AssetArchive({"handler.py": pulumi.FileAsset(str(HANDLER_FILE))}))
    role = aws.client("iam").create_role(
        RoleName=f"{FUNCTION}-role", AssumeRolePolicyDocument=json.dumps(_TRUST)
    )["Role"]["Arn"]
    created = aws.client("lambda").create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zipped},
        Timeout=15,
        MemorySize=128,
        Environment={"Variables": {TARGET_ENV: target_of(privatelink_url)}},
    )
    kept = code_file(aws.lambda_server.code_dir, created["CodeSha256"])
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(zipped)


@contextmanager
def invoking(aws: LocalAws, workdir: Path) -> Iterator[None]:
    """boto3's default chain, as the dynamic providers have it, pointed at the Invoke server."""
    settings = {
        "AWS_ENDPOINT_URL_LAMBDA": aws.lambda_server.url,
        "AWS_ACCESS_KEY_ID": _FAKE,
        "AWS_SECRET_ACCESS_KEY": _FAKE,
        "AWS_CONFIG_FILE": str(workdir / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "no-aws-credentials"),
    }
    saved = {name: os.environ.get(name) for name in [*settings, "AWS_PROFILE"]}
    os.environ.update(settings)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def step3(api: RocksetApi) -> float:
    started = time.perf_counter()
    result = check_connectivity(api, TIMEOUT, public_may_refuse_key=False)
    seconds = time.perf_counter() - started
    if result["privatelink"]["ran_from"] != api.ran_from(api.privatelink_url):
        raise RuntimeError(f"step 3 ran from {result['privatelink']['ran_from']}")
    return seconds


def step5(api: RocksetApi) -> float:
    started = time.perf_counter()
    status = observe_lockdown(api)
    seconds = time.perf_counter() - started
    if not status.privatelink_accepts_key:
        raise RuntimeError(f"step 5's PrivateLink look failed: {status.privatelink_error}")
    return seconds


CHECKS: tuple[tuple[str, Callable[[RocksetApi], float]], ...] = (
    ("step 3 (check_connectivity)", step3),
    ("step 5 (one look of verify_lockdown)", step5),
)


@dataclass(frozen=True)
class Measured:
    times: dict[str, dict[str, list[float]]]
    """Seconds per check and way (``runner``, ``vpc``)."""
    relayed: dict[str, dict[str, list[int]]]
    """Invocations per run of each check and way (none for the runner's)."""
    invocations: list[dict[str, Any]]
    """The Invoke server's record of the measured invocations."""


def measure(settings: Settings) -> Measured:
    times: dict[str, dict[str, list[float]]] = {
        name: {"runner": [], "vpc": []} for name, _ in CHECKS
    }
    relayed: dict[str, dict[str, list[int]]] = {
        name: {"runner": [], "vpc": []} for name, _ in CHECKS
    }
    config = EmulatorConfig(
        api_keys=(API_KEY,), tls_names=(VPC_ONLY_HOST,), read_limit_per_minute=1_000_000
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-p6b-") as tmp,
        local_aws(Path(tmp)) as aws,
        Emulator(config) as emulator,
        invoking(aws, Path(tmp)),
    ):
        ca = str(emulator.ca_bundle)
        vpc_url = inside_vpc(emulator.privatelink_url)
        deploy_function(aws, vpc_url)
        ways = {
            "runner": RocksetApi(emulator.public_url, emulator.privatelink_url, API_KEY, ca),
            "vpc": RocksetApi(
                emulator.public_url, vpc_url, API_KEY, ca, relay=RelaySpec(FUNCTION, aws.region)
            ),
        }
        # Unmeasured warm-up: first-use costs (imports, TLS contexts, the zip's unpacking).
        for api in ways.values():
            for _, check in CHECKS:
                check(api)
        aws.lambda_server.invocations.clear()
        for rep in range(settings.p6b_reps):
            order = ("runner", "vpc") if rep % 2 == 0 else ("vpc", "runner")
            for name, check in CHECKS:
                for way in order:
                    before = len(aws.lambda_server.invocations)
                    times[name][way].append(check(ways[way]))
                    relayed[name][way].append(len(aws.lambda_server.invocations) - before)
        return Measured(times, relayed, list(aws.lambda_server.invocations))


def run(settings: Settings) -> Section:
    measured = measure(settings)
    invocations = measured.invocations
    reps = settings.p6b_reps
    all_ok = all(entry["outcome"] == "ok" for entry in invocations) and all(
        max(counts["runner"]) == 0 and min(counts["vpc"]) > 0
        for counts in measured.relayed.values()
    )
    ok = verdict(all_ok)
    rows = []
    extras = []
    for name, _ in CHECKS:
        runner, vpc = measured.times[name]["runner"], measured.times[name]["vpc"]
        extra = median([v - r for v, r in zip(vpc, runner, strict=True)])
        extras.append(extra)
        rows.append(
            [
                name,
                str(reps),
                f"{median(runner) * 1000:.0f}",
                f"{median(vpc) * 1000:.0f}",
                f"{extra * 1000:+.0f}",
                str(max(measured.relayed[name]["vpc"])),
            ]
        )
    per_invocation = median([float(entry["duration_ms"]) for entry in invocations])
    return Section(
        key="P6b",
        title="probe: vpc, extra time per check",
        what=(
            "Steps 3 and 5 against one emulator, each check once with the PrivateLink side sent "
            "from this machine (probe runner) and once relayed through the probe function "
            "(probe vpc: one Lambda Invoke per request, boto3 to the devtools Lambda Invoke "
            "server, which runs the real handler zip in a subprocess inside the offline VPC), "
            "alternating, in the same run. Step 3 is check_connectivity (both endpoints at "
            "once); step 5 is one look of observe_lockdown, which verify_lockdown repeats "
            "until the lockdown holds. Extra is the median of the paired differences."
        ),
        target=(
            "reported (no target: the issue asks for the figure); every relayed check passes "
            "through the function"
        ),
        headers=[
            "check",
            "runs",
            "probe runner, median (ms)",
            "probe vpc, median (ms)",
            "extra for probe vpc, median (ms)",
            "invocations per relayed check",
        ],
        rows=rows,
        verdict=overall([ok]),
        summary=(
            f"+{extras[0] * 1000:.0f} ms for step 3, +{extras[1] * 1000:.0f} ms for a look "
            "of step 5"
        ),
        notes=[
            "One invocation per PrivateLink request, made one after another within a check: "
            f"{len(invocations)} in all, "
            + (
                "each answered by the function, and none for a runner check"
                if all_ok
                else "NOT all answered by the function, or some missing (see the table)"
            )
            + f". The Invoke server's median time per invocation was {per_invocation:.0f} ms, "
            "most of it starting the function's Python subprocess.",
            "This is the stand-in's cost, which starts a process per invocation. In AWS an "
            "invocation adds a round trip to the Lambda API instead; a warm function runs the "
            "relay in a process that is already up, and a cold start (after some idle time) "
            "adds the runtime's start once.",
        ],
    )
