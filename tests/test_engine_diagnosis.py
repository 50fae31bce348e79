"""End to end on the real Pulumi engine: `pulumi up` from a runner outside the VPC.

The offline "VPC" (devtools.vpc): the stack's PrivateLink host is one that resolves nowhere on
this machine, as Rockset's does on a laptop or a hosted CI runner. With the default probe (this
machine) and the default check timeout, step 3 ends with the diagnosis instead of waiting 900 s;
how soon is benchmark P6's to measure, not this test's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi.automation import CommandError

from devtools.engine import engine_env, live_config, local_aws, open_stack
from devtools.vpc import VPC_ONLY_HOST, inside_vpc
from tests.support.emulator import start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine


def test_up_outside_the_vpc_fails_with_the_diagnosis_and_writes_nothing(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator", tls_name=[VPC_ONLY_HOST])
    try:
        with local_aws(tmp_path) as aws:
            privatelink_url = inside_vpc(emu.privatelink_url)
            stack = open_stack(
                tmp_path / "pulumi",
                engine_env(aws),
                live_config(aws, emu.api, privatelinkUrl=privatelink_url, checkTimeout=900),
            )
            with pytest.raises(CommandError) as err:
                stack.up()
            shown = "\n".join(stack.output)
            interfaces = aws.ec2().describe_network_interfaces()["NetworkInterfaces"]
            stack.destroy()
    finally:
        emu.stop()

    message = str(err.value)
    assert f"this machine cannot reach the PrivateLink endpoint {privatelink_url}" in message
    assert f"{VPC_ONLY_HOST} does not resolve on this machine" in message
    # The addresses of the endpoint's interfaces, as AWS reported them to the component.
    addresses = sorted(i["PrivateIpAddress"] for i in interfaces)
    assert len(addresses) == 2
    assert f"network interfaces are at {', '.join(addresses)}" in message
    assert "inside the VPC" in message
    assert "probe: vpc" in message
    assert "did not accept the API key within" not in message
    # The engine's progress shows step 3's resource failing, with the expectation it got; its
    # diagnostics (the error above, on stderr) name the resource.
    assert "+ pulumi-python:dynamic/rockset:ConnectivityCheck: (create)" in shown
    assert f'host            : "{VPC_ONLY_HOST}"' in shown
    assert "1 errored" in shown
    assert "rockset-connectivity" in message
    assert emu.api_key not in message
    assert emu.api_key not in shown
    # Nothing reached PrivateLink, and the allowlist was never written.
    assert [r for r in emu.requests() if r["listener"] == "privatelink"] == []
    assert [r for r in emu.requests() if r["method"] in ("POST", "DELETE")] == []
