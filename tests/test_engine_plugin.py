"""The ``rockset`` package on the real Pulumi CLI: ``pulumi package get-schema`` on the plugin,
and a stack created under the former type token ``rockset:aws:PrivateLink`` updating in place.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pulumi.automation import OpType

from devtools.engine import cli_env, engine_env, live_config, local_aws, open_stack, pulumi_cli
from devtools.projects import write_project
from devtools.pulumi_cli import PulumiCli
from devtools.schema import SCHEMA_FILE
from tests.support.emulator import start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

PLUGIN = Path(sys.prefix) / "bin" / "pulumi-resource-rockset"

PROGRAM = """\
import pulumi

import rockset_pulumi.component as component
from rockset_pulumi import PrivateLink, PrivateLinkArgs

if {former}:
    # The release before the plugin: its token, and no alias back to anything.
    component.COMPONENT_TOKEN = component.FORMER_COMPONENT_TOKEN
    component.FORMER_COMPONENT_TOKEN = "rockset:none:Never"

config = pulumi.Config()
PrivateLink(
    "rockset",
    PrivateLinkArgs(
        vpc_id=config.require("vpcId"),
        subnet_ids=config.require_object("subnetIds"),
        api_key=config.require_secret("apiKey"),
        admin_cidrs=config.require_object("adminCidrs"),
        lockdown=True,
        check_timeout=60,
        public_url=config.require("publicUrl"),
        privatelink_url=config.require("privatelinkUrl"),
        ca_bundle=config.require("caBundle"),
    ),
)
"""
SCHEMA = {
    "subnetIds": {"type": "array", "items": {"type": "string"}},
    "adminCidrs": {"type": "object"},
}


def test_get_schema_on_the_plugin_shows_the_four_resources_with_the_key_secret(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    built = pulumi_cli()
    assert built is not None
    cli = PulumiCli(built, tmp_path, {**cli_env(), "PULUMI_HOME": str(home)})
    served = json.loads(cli.run("package", "get-schema", str(PLUGIN)).stdout)
    assert served == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    resources = served["resources"]
    assert sorted(resources) == [
        "rockset:index:ConnectivityCheck",
        "rockset:index:IpAllowlist",
        "rockset:index:LockdownCheck",
        "rockset:index:PrivateLink",
    ]
    for resource in resources.values():
        assert resource["inputProperties"]["apiKey"]["secret"] is True
    assert resources["rockset:index:PrivateLink"]["isComponent"] is True


def test_a_stack_under_the_former_token_updates_in_place(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with local_aws(tmp_path) as aws:
            project = write_project(
                tmp_path / "project", PROGRAM.format(former=True), config=SCHEMA
            )
            config = live_config(aws, emu.api, adminCidrs={"office": "203.0.113.0/24"})
            stack = open_stack(tmp_path / "pulumi", engine_env(aws), config, project=project)
            stack.up()
            before = {r["urn"] for r in stack.deployment()["resources"]}
            assert any("::rockset:aws:PrivateLink::rockset" in urn for urn in before)
            writes = len([r for r in emu.requests() if r["method"] in ("POST", "DELETE")])

            (project / "__main__.py").write_text(PROGRAM.format(former=False), encoding="utf-8")
            preview = stack.preview()
            # Nothing created, replaced or deleted: the component and its children are the same.
            assert set(preview.change_summary) == {OpType.SAME}
            up = stack.up()
            assert set(up.summary.resource_changes or {}) == {"same"}
            after = {r["urn"] for r in stack.deployment()["resources"]}
            assert any("::rockset:index:PrivateLink::rockset" in urn for urn in after)
            assert not any("rockset:aws:PrivateLink" in urn for urn in after)
            assert len(after) == len(before)
            assert [r for r in emu.requests() if r["method"] in ("POST", "DELETE")][writes:] == []
            stack.destroy()
    finally:
        emu.stop()
