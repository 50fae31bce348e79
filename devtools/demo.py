"""``make demo``: the example project's ``local`` stack on the real Pulumi engine, offline.

Starts a moto server (AWS) and the Rockset API emulator, then, in a copy of the project
directory, runs the commands a user types, printing each: ``pulumi login`` (a local file
backend), ``pulumi stack init local``, ``pulumi config set`` for the values only the running
stand-ins know (``--secret`` for the API key), ``pulumi preview --diff``, ``pulumi up --yes`` and
``pulumi stack output``. The stack uses ``probe: vpc``: this machine cannot resolve the
PrivateLink host (``devtools.vpc``), so steps 3-5 pass only because their PrivateLink side runs in
the probe function the component deploys in the VPC. It prints what each step of Rockset's guide
verified and where it ran, then shows the public endpoint from outside as the guide's step 5
does. The local AWS keeps nothing once it stops, so the demo ends with ``pulumi destroy --yes``
(which re-opens the public endpoint before removing the endpoint) unless ``--keep`` is given, in
which case it waits for Ctrl-C first. ``make demo-destroy`` clears what an interrupted demo left
behind. With ``--dns hosted_zone`` (``make demo DNS=hosted_zone``) the stack shares its one
endpoint with two more local VPCs through a Route 53 private hosted zone.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any

from devtools.aws_double import seed_network
from devtools.engine import REPO, LocalAws, engine_env, live_config, local_aws, pulumi_cli
from devtools.projects import copy_example
from devtools.pulumi_cli import CliError, PulumiCli
from devtools.vpc import VPC_ONLY_HOST, inside_vpc
from rockset_emulator import Emulator, EmulatorConfig
from rockset_pulumi import AuthenticationError
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.client import RocksetClient

WORKDIR = REPO / ".pulumi-local" / "demo"
# Long enough that `pulumi up` reaches the connectivity check before PrivateLink answers, so the
# demo shows the check waiting for it: the emulator starts before `pulumi config set`, preview and
# up's own preview, which take about 30 s on 2 busy cores. Under Pulumi.local.yaml's checkTimeout
# (60 s), so the check passes however fast they are.
PRIVATELINK_READY_AFTER = 45.0


def say(text: str = "") -> None:
    print(text, flush=True)


def step5_from_outside(rockset: RocksetApi) -> None:
    """The guide's step 5, by hand: what a caller outside every admin CIDR sees. PrivateLink is
    out of this machine's reach; `pulumi up` checked it through the probe function."""
    say("\n== Guide step 5, checked again from this machine (outside every admin CIDR)")
    with RocksetClient(rockset.public_url, rockset.api_key, ca_bundle=rockset.ca_bundle) as public:
        say(f"GET {rockset.public_url}/ -> {public.ping()!r}   (should succeed)")
        try:
            public.current_user()
            say("GET /v1/orgs/self/users/self on the public endpoint -> accepted (UNEXPECTED)")
        except AuthenticationError as exc:
            say(f"GET /v1/orgs/self/users/self on the public endpoint -> refused: {exc}")


def show_runner_outside_vpc() -> None:
    try:
        socket.getaddrinfo(VPC_ONLY_HOST, 443)
        say(f"{VPC_ONLY_HOST} resolves on this machine (UNEXPECTED)")
    except socket.gaierror as exc:
        say(
            f"This machine cannot resolve the PrivateLink host {VPC_ONLY_HOST} ({exc}): it is "
            "outside the VPC, so the stack uses probe: vpc."
        )


def summary(outputs: dict[str, Any]) -> None:
    say("\n== What `pulumi up` verified")
    say(
        f"endpoint {outputs['vpcEndpointId']} is {outputs['endpointState']} in "
        f"{', '.join(outputs['availabilityZones'])} (skipped: {outputs['skippedSubnetIds']})"
    )
    conn = outputs["connectivity"]
    for name in ("public", "privatelink"):
        probe = conn[name]
        say(
            f"step 3 {name:11}: reachable={probe['reachable']} "
            f"authenticated={probe['authenticated']} user={probe['user_email']} "
            f"attempts={probe['attempts']} latency={probe['latency_ms']} ms "
            f"ran_from={probe['ran_from']}"
        )
    say(f"step 4 allowlist  : {json.dumps(outputs['allowlistEntries'])}")
    cost = outputs.get("costEstimate")
    if cost:
        say(
            f"cost estimate     : ${cost['total']:.2f}/month for {cost['zones']} zones at "
            f"${cost['hourly_per_az']}/AZ-hour (before data)"
        )
    if outputs.get("hostedZoneId"):
        say(
            f"shared zone       : {outputs['hostedZoneId']} resolves Rockset in "
            f"{', '.join(outputs['resolvingVpcIds'])}"
        )
        sharing = (cost or {}).get("sharing")
        if sharing:
            say(
                f"sharing saves     : ${sharing['monthly_saving']:.2f}/month against one endpoint"
                f" per VPC (${sharing['endpoint_per_vpc_total']:.2f})"
            )
    status = outputs["lockdownStatus"]
    say(
        f"step 5 lockdown   : holds={status['holds']} public_reachable={status['public_reachable']}"
        f" public_refuses_key={status['public_refuses_key']}"
        f" privatelink_accepts_key={status['privatelink_accepts_key']}"
        f" ran_from={status['ran_from']}"
    )


def wait_for_ctrl_c() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    say("\nThe stack is up. Press Ctrl-C to destroy it and stop the local AWS and Rockset.")
    stop.wait()


def show_environment(env: dict[str, str], project: Path) -> None:
    say(f"\nThe commands below run in {project.relative_to(REPO)}, a copy of the project, after:")
    say("  export PATH=.tools/pulumi/bin:devtools/bin-lang:devtools/bin:$PATH")
    say("      # the CLI, the Python language host, the moto-backed aws plugin")
    for name in (
        "PULUMI_HOME",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_LAMBDA",
    ):
        say(f"  export {name}={env[name]}")
    say("  export PULUMI_CONFIG_PASSPHRASE=...   # the demo's throwaway passphrase")


def shared_mode(aws: LocalAws) -> dict[str, Any]:
    """Two more VPCs of the local AWS, shared through the hosted zone."""
    spokes = [
        seed_network(aws.ec2(), cidr=cidr, azs=[f"{aws.region}a"]).vpc_id
        for cidr in ("10.1.0.0/16", "10.2.0.0/16")
    ]
    say(f"Shared VPCs (hub and spoke): {', '.join(spokes)}")
    return {"dns": "hosted_zone", "sharedVpcIds": spokes}


def run_stack(shell: PulumiCli, rockset: RocksetApi, aws: LocalAws, keep: bool, dns: str) -> None:
    shell.run("login", f"file://{WORKDIR / 'state'}")
    shell.run("stack", "init", "local")
    extra = shared_mode(aws) if dns == "hosted_zone" else {}
    say("\n== The values only the running stand-ins know (the rest is in Pulumi.local.yaml)")
    inside = {"privatelinkUrl": inside_vpc(rockset.privatelink_url), "probe": "vpc"}
    shell.set_config(live_config(aws, rockset, **inside, **extra))
    try:
        say("\n== Preview: the plan, with no call to Rockset")
        shell.run("preview", "--diff")
        say("\n== Up: creates, verifies (guide step 3) and locks down (steps 4-5)")
        shell.run("up", "--yes")
        outputs = json.loads(shell.run("stack", "output", "--json").stdout)
        summary(outputs)
        step5_from_outside(rockset)
        if keep:
            wait_for_ctrl_c()
    finally:
        say("\n== Destroy: re-opens the public endpoint, then removes the endpoint")
        shell.run("destroy", "--yes")


def demo(keep: bool, dns: str = "endpoint") -> int:
    cli = pulumi_cli()
    if cli is None:
        say("The Pulumi CLI is not built: run `make pulumi-cli` (it needs Go).")
        return 2
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    (WORKDIR / "home").mkdir()
    (WORKDIR / "state").mkdir()
    api_key = secrets.token_urlsafe(32)
    config = EmulatorConfig(
        api_keys=(api_key,),
        ca_dir=WORKDIR / "ca",
        state_file=WORKDIR / "rockset-state.json",
        request_log=WORKDIR / "rockset-requests.jsonl",
        ready_after=PRIVATELINK_READY_AFTER,
        tls_names=(VPC_ONLY_HOST,),
    )
    with Emulator(config) as emulator, local_aws(WORKDIR) as aws:
        rockset = RocksetApi(
            emulator.public_url, emulator.privatelink_url, api_key, str(emulator.ca_bundle)
        )
        say(f"Local AWS (moto): {aws.endpoint_url}, VPC {aws.network.vpc_id}")
        say(
            f"Rockset emulator: public {rockset.public_url}, PrivateLink {rockset.privatelink_url}"
            f" (PrivateLink answers after {PRIVATELINK_READY_AFTER:g} s, as an endpoint does"
            " once Active)"
        )
        show_runner_outside_vpc()
        env = {**engine_env(aws), "PULUMI_HOME": str(WORKDIR / "home")}
        project = copy_example(WORKDIR / "project")
        show_environment(env, project)
        shell = PulumiCli(cli, project, env, echo=say)
        try:
            run_stack(shell, rockset, aws, keep, dns)
        except CliError as exc:
            say(f"\n`{exc.command}` failed with code {exc.returncode}: see its output above.")
            return 1
    say(f"\nDone. Logs, state and the project copy are in {WORKDIR.relative_to(REPO)}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__)
    parser.add_argument("action", choices=["up", "destroy"], nargs="?", default="up")
    parser.add_argument("--keep", action="store_true", help="wait for Ctrl-C before destroying")
    parser.add_argument(
        "--dns",
        choices=["endpoint", "hosted_zone"],
        default="endpoint",
        help="hosted_zone: share the endpoint with two more VPCs through a private hosted zone",
    )
    args = parser.parse_args(argv)
    if args.action == "destroy":
        shutil.rmtree(WORKDIR, ignore_errors=True)
        say(f"Removed {WORKDIR.relative_to(REPO)}: nothing of the demo is left.")
        return 0
    return demo(args.keep, args.dns)


if __name__ == "__main__":
    sys.exit(main())
