"""P4 engine overhead: ``pulumi preview`` and ``pulumi up`` of the example against a hand-written
program, on the real engine.

Both run in the same session against the same moto server, alternating, each repetition on a
fresh stack that is destroyed afterwards (untimed). The component runs with checks off, so the
difference is the component itself: its look-ups (region, VPC, subnets, endpoint service, the
endpoint's live state) and its extra resource, against a program that already knows the answers.
"""

from __future__ import annotations

import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import Section, Settings, median, verdict
from devtools.aws_double.catalog import Catalog
from devtools.engine import (
    LocalAws,
    LocalStack,
    engine_env,
    live_config,
    local_aws,
    local_stack_file,
    open_stack,
    pulumi_cli,
)
from devtools.projects import copy_example, write_project
from rockset_emulator import Emulator, EmulatorConfig
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.regions import REGIONS

API_KEY = "bench-p4-key"
MAX_PREVIEW_RATIO = 1.3
HTTPS = 443
COMPONENT, HAND_WRITTEN = "component", "hand-written"


@dataclass(frozen=True)
class KnownNetwork:
    """What a hand-written program hard-codes that the component looks up."""

    vpc_id: str
    cidr_block: str
    subnet_ids: list[str]
    service_name: str
    tags: dict[str, str]


def known_network(local: LocalAws) -> KnownNetwork:
    service_name = REGIONS[local.region].service_name
    service = Catalog().lookup(service_name, local.region)
    if service is None:
        raise RuntimeError(f"the AWS double does not know {service_name}")
    vpc_id = local.network.vpc_id
    [vpc] = local.ec2().describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    return KnownNetwork(
        vpc_id=vpc_id,
        cidr_block=vpc["CidrBlock"],
        # The zones the service serves, as the component would choose them.
        subnet_ids=[
            subnet
            for zone, subnet in local.network.subnet_ids_by_az.items()
            if zone in service.availability_zones
        ],
        service_name=service_name,
        tags={"Name": "rockset-rockset-privatelink", **local_stack_file().get("tags", {})},
    )


HAND_WRITTEN_PROGRAM = """\
import pulumi
import pulumi_aws as aws

group = aws.ec2.SecurityGroup(
    "rockset-sg",
    vpc_id={vpc_id},
    description="Rockset PrivateLink endpoint rockset: HTTPS from allowed sources only",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(
            description="HTTPS to Rockset from allowed CIDR blocks",
            protocol="tcp",
            from_port={https},
            to_port={https},
            cidr_blocks=[{cidr_block}],
        )
    ],
    egress=[],
    tags={tags},
)
endpoint = aws.ec2.VpcEndpoint(
    "rockset-endpoint",
    vpc_id={vpc_id},
    service_name={service_name},
    vpc_endpoint_type="Interface",
    private_dns_enabled=True,
    subnet_ids={subnet_ids},
    security_group_ids=[group.id],
    tags={tags},
)
pulumi.export("vpcEndpointId", endpoint.id)
pulumi.export("securityGroupId", group.id)
"""


def hand_written(network: KnownNetwork) -> str:
    """The same security group and endpoint as the component makes, with pulumi_aws directly,
    as a program's source."""
    values = {name: repr(value) for name, value in asdict(network).items()}
    return HAND_WRITTEN_PROGRAM.format(https=HTTPS, **values)


@dataclass(frozen=True)
class Timing:
    """Wall seconds of a stack's preview and up, and the CPU seconds of the CLI and everything
    it started (language host, program, plugins) in each."""

    preview: float
    up: float
    preview_cpu: float
    up_cpu: float


def _children_cpu() -> float:
    """CPU seconds of this process's children that have been waited for, theirs included."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed_stack(
    workdir: Path,
    env: dict[str, str],
    config: dict[str, Any],
    name: str,
    project: Path,
    *,
    after_up: Callable[[LocalStack], None] | None = None,
) -> Timing:
    """Preview and up of a fresh stack ``name`` of ``project``, timed; ``after_up`` looks at the
    stack (untimed); then destroy (untimed). P7 (:mod:`bench.plugin_overhead`) times its
    programs the same way."""
    stack = open_stack(workdir, env, config, name=name, project=project)
    cpu, started = _children_cpu(), time.perf_counter()
    stack.preview()
    preview, preview_cpu = time.perf_counter() - started, _children_cpu() - cpu
    cpu, started = _children_cpu(), time.perf_counter()
    result = stack.up()
    up, up_cpu = time.perf_counter() - started, _children_cpu() - cpu
    if result.summary.result != "succeeded":
        raise RuntimeError(f"pulumi up of {name} did not succeed: {result.summary.result}")
    if after_up is not None:
        after_up(stack)
    stack.destroy()
    return Timing(preview, up, preview_cpu, up_cpu)


def not_run(reason: str) -> Section:
    return Section.not_run(
        "P4",
        "Engine overhead",
        "`pulumi preview` and `pulumi up` of the example's `local` stack against a "
        "hand-written program creating the same security group and endpoint.",
        f"preview <= {MAX_PREVIEW_RATIO:g}x the hand-written program",
        reason,
    )


def run(settings: Settings) -> Section:
    if pulumi_cli() is None:
        return not_run("Pulumi CLI missing (make pulumi-cli)")
    if settings.p4_reps == 0:
        return not_run("skipped in the smoke run")

    timings: dict[str, list[Timing]] = {COMPONENT: [], HAND_WRITTEN: []}
    with (
        tempfile.TemporaryDirectory(prefix="bench-p4-") as tmp,
        Emulator(EmulatorConfig(api_keys=(API_KEY,))) as emulator,
        local_aws(Path(tmp)) as local,
    ):
        workdir = Path(tmp)
        rockset = RocksetApi(
            emulator.public_url, emulator.privatelink_url, API_KEY, str(emulator.ca_bundle)
        )
        env = engine_env(local)
        # Pulumi.local.yaml applies to the stack named `local` only: these stacks get it as config.
        config = {
            **local_stack_file(),
            **live_config(local, rockset, checks=False, lockdown=False),
        }
        projects = {
            COMPONENT: copy_example(workdir / COMPONENT / "project"),
            HAND_WRITTEN: write_project(
                workdir / HAND_WRITTEN / "project", hand_written(known_network(local))
            ),
        }
        # Repetition 0 is an unmeasured warm-up: the first run pays for imports and cold caches.
        for rep in range(settings.p4_reps + 1):
            order = [COMPONENT, HAND_WRITTEN] if rep % 2 == 0 else [HAND_WRITTEN, COMPONENT]
            for variant in order:
                timing = timed_stack(
                    workdir / variant, env, config, f"{variant}-{rep}", projects[variant]
                )
                if rep:
                    timings[variant].append(timing)

    pairs = list(zip(timings[COMPONENT], timings[HAND_WRITTEN], strict=True))
    preview_ratio = median([c.preview / h.preview for c, h in pairs])
    up_ratio = median([c.up / h.up for c, h in pairs])
    ok = verdict(preview_ratio <= MAX_PREVIEW_RATIO)

    def seconds(variant: str, pick: Callable[[Timing], float]) -> str:
        return f"{median([pick(t) for t in timings[variant]]):.2f}"

    return Section(
        key="P4",
        title="Engine overhead",
        what=(
            "Wall time of `pulumi preview` and `pulumi up` (Automation API on a project "
            "directory: the real CLI, this repository's Python language host, a local file "
            "backend, the moto-backed AWS plugin) of the example program with the `local` "
            "stack's settings plus `checks: false` and `lockdown: false`, against a hand-written "
            "program in a project of its own that creates the same security group and endpoint "
            "with pulumi_aws directly and hard-codes what the component looks up. Each "
            "repetition uses a fresh stack per program, destroyed afterwards; the programs "
            "alternate which goes first; one "
            "unmeasured warm-up each. Ratios are medians of per-repetition ratios."
        ),
        target=f"preview <= {MAX_PREVIEW_RATIO:g}x the hand-written program (up: reported)",
        headers=[
            "operation",
            "repetitions",
            "component (s)",
            "hand-written (s)",
            "ratio",
            "verdict",
        ],
        rows=[
            [
                "preview",
                str(len(pairs)),
                seconds(COMPONENT, lambda t: t.preview),
                seconds(HAND_WRITTEN, lambda t: t.preview),
                f"{preview_ratio:.2f}",
                ok,
            ],
            [
                "up",
                str(len(pairs)),
                seconds(COMPONENT, lambda t: t.up),
                seconds(HAND_WRITTEN, lambda t: t.up),
                f"{up_ratio:.2f}",
                "no target",
            ],
        ],
        verdict=ok,
        summary=f"preview {preview_ratio:.2f}x, up {up_ratio:.2f}x the hand-written program",
        notes=[
            "The component's stack has one more resource (the component itself) and six "
            "look-ups (region, VPC, endpoint service, three subnets) before its endpoint, plus "
            "one read of the endpoint's live state after it; a hand-written program that skips "
            "them also skips what they check (zone filtering, DNS preflight, acceptance)."
        ],
    )
