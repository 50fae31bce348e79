"""``make demo``: the example program's ``local`` stack on the real Pulumi engine, offline.

Starts a moto server (AWS) and the Rockset API emulator, runs ``pulumi preview`` and ``pulumi up``
with a local file backend and passphrase secrets, prints what each step of Rockset's guide
verified, then shows the public endpoint from outside as the guide's step 5 does. The local AWS
keeps nothing once it stops, so the demo ends with ``pulumi destroy`` (which re-opens the public
endpoint before removing the endpoint) unless ``--keep`` is given, in which case it waits for
Ctrl-C first. ``make demo-destroy`` clears what an interrupted demo left behind.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import signal
import sys
import threading
from typing import Any

from devtools.engine import (
    REPO,
    engine_env,
    local_aws,
    open_stack,
    pulumi_cli,
    stack_config,
)
from rockset_emulator import Emulator, EmulatorConfig
from rockset_pulumi import AuthenticationError
from rockset_pulumi.api import RocksetApi
from rockset_pulumi.client import RocksetClient

WORKDIR = REPO / ".pulumi-local" / "demo"
# Long enough that `pulumi up` reaches the connectivity check before PrivateLink answers, so the
# demo shows the check waiting for it.
PRIVATELINK_READY_AFTER = 12.0


def say(text: str = "") -> None:
    print(text, flush=True)


def step5_from_outside(rockset: RocksetApi) -> None:
    """The guide's step 5, by hand: what a caller outside every admin CIDR sees."""
    say("\n== Guide step 5, checked again from this machine (outside every admin CIDR)")
    with RocksetClient(rockset.public_url, rockset.api_key, ca_bundle=rockset.ca_bundle) as public:
        say(f"GET {rockset.public_url}/ -> {public.ping()!r}   (should succeed)")
        try:
            public.current_user()
            say("GET /v1/orgs/self/users/self on the public endpoint -> accepted (UNEXPECTED)")
        except AuthenticationError as exc:
            say(f"GET /v1/orgs/self/users/self on the public endpoint -> refused: {exc}")
    with RocksetClient(
        rockset.privatelink_url, rockset.api_key, ca_bundle=rockset.ca_bundle
    ) as private:
        user = private.current_user()
        say(f"GET /v1/orgs/self/users/self through PrivateLink -> {user.email} (should succeed)")


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
            f"attempts={probe['attempts']} latency={probe['latency_ms']} ms"
        )
    say(f"step 4 allowlist  : {json.dumps(outputs['allowlistEntries'])}")
    cost = outputs.get("costEstimate")
    if cost:
        say(
            f"cost estimate     : ${cost['total']:.2f}/month for {cost['zones']} zones at "
            f"${cost['hourly_per_az']}/AZ-hour (before data)"
        )
    status = outputs["lockdownStatus"]
    say(
        f"step 5 lockdown   : holds={status['holds']} public_reachable={status['public_reachable']}"
        f" public_refuses_key={status['public_refuses_key']}"
        f" privatelink_accepts_key={status['privatelink_accepts_key']}"
    )


def wait_for_ctrl_c() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    say("\nThe stack is up. Press Ctrl-C to destroy it and stop the local AWS and Rockset.")
    stop.wait()


def demo(keep: bool) -> int:
    if pulumi_cli() is None:
        say("The Pulumi CLI is not built: run `make pulumi-cli` (it needs Go).")
        return 2
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    api_key = secrets.token_urlsafe(32)
    config = EmulatorConfig(
        api_keys=(api_key,),
        ca_dir=WORKDIR / "ca",
        state_file=WORKDIR / "rockset-state.json",
        request_log=WORKDIR / "rockset-requests.jsonl",
        ready_after=PRIVATELINK_READY_AFTER,
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
        stack = open_stack(WORKDIR / "pulumi", engine_env(aws), stack_config(aws, rockset))
        try:
            say("\n== pulumi preview (no call to Rockset)")
            stack.preview(echo=say)
            say("\n== pulumi up")
            result = stack.up(echo=say)
            summary({k: v.value for k, v in result.outputs.items()})
            step5_from_outside(rockset)
            if keep:
                wait_for_ctrl_c()
        finally:
            say("\n== pulumi destroy (re-opens the public endpoint, then removes the endpoint)")
            stack.destroy(echo=say)
    say(f"\nDone. Logs and state are in {WORKDIR.relative_to(REPO)}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__)
    parser.add_argument("action", choices=["up", "destroy"], nargs="?", default="up")
    parser.add_argument("--keep", action="store_true", help="wait for Ctrl-C before destroying")
    args = parser.parse_args(argv)
    if args.action == "destroy":
        shutil.rmtree(WORKDIR, ignore_errors=True)
        say(f"Removed {WORKDIR.relative_to(REPO)}: nothing of the demo is left.")
        return 0
    return demo(args.keep)


if __name__ == "__main__":
    sys.exit(main())
