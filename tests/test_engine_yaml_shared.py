"""``examples/yaml-shared`` on the real Pulumi engine: a YAML program that creates a spoke VPC and
shares the endpoint with it (``sharedVpcIds: [${spoke.id}]``, ``dns: hosted_zone``), with the
admin CIDR a secret.

The spoke's id is another resource's output, unknown at the first preview: the plugin takes it
per item (``acceptOutputs``), as a Python program passes ``[spoke.id]``. The secret CIDR stays
secret: ciphertext in state, ``[secret]`` in the outputs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pulumi.automation import OpType

from devtools.engine import REPO, engine_env, local_aws, open_stack, with_rockset_plugin
from tests.support.emulator import start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli(yaml=True)

pytestmark = pytest.mark.engine

EXAMPLE = REPO / "examples" / "yaml-shared"
OFFICE = "203.0.113.0/24"
ZONE = "aws:route53/zone:Zone"


def test_a_yaml_program_shares_the_endpoint_with_a_vpc_it_creates(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with local_aws(tmp_path) as aws:
            project = shutil.copytree(EXAMPLE, tmp_path / "project")
            env = with_rockset_plugin(engine_env(aws), tmp_path)
            config = {
                "vpcId": aws.network.vpc_id,
                "subnetIds": list(aws.network.subnet_ids_by_az.values()),
                "apiKey": emu.api.api_key,
                "publicUrl": emu.api.public_url,
                "privatelinkUrl": emu.api.privatelink_url,
                "caBundle": emu.api.ca_bundle,
            }
            stack = open_stack(tmp_path / "pulumi", env, config, project=project)
            stack.shell.run("config", "set", "--secret", "officeCidr", stdin=OFFICE)

            preview = stack.preview()
            # The spoke's id is unknown here, and the association is planned anyway.
            assert preview.change_summary.get(OpType.CREATE, 0) >= 9
            text = "\n".join(stack.output)
            assert "aws:route53/zoneAssociation:ZoneAssociation" in text
            assert emu.requests() == []

            up = stack.up()
            assert up.summary.result == "succeeded"
            resources = stack.deployment()["resources"]
            [spoke] = [r for r in resources if r["urn"].endswith("::spoke")]
            outputs = up.outputs
            assert outputs["resolvingVpcIds"].value == [aws.network.vpc_id, spoke["id"]]
            assert outputs["lockdownStatus"].value["holds"] is True
            assert outputs["allowlistEntries"].secret
            with emu.client("privatelink") as client:
                assert {e.name: e.ip_address for e in client.list_ip_allowlist()} == {
                    "office": OFFICE
                }
            # The CIDR only as ciphertext at rest, and never in what the CLI printed.
            assert OFFICE not in stack.export()
            assert OFFICE not in "\n".join(stack.output)

            assert set(stack.preview().change_summary) == {OpType.SAME}
            stack.destroy()
            assert stack.deployment().get("resources", []) == []
    finally:
        emu.stop()
