"""``examples/typescript`` on the real Pulumi engine: a TypeScript program, with no Python of its
own, using ``rockset.PrivateLink`` from the generated SDK (``sdk/nodejs``, a path dependency)
through the ``rockset`` plugin.

The set-up is a user's: a copy of the example, ``npm install`` from the registry (npm's cache in
``.tools/npm-cache``), ``pulumi stack init``, ``pulumi config set``. The CLI runs the program
with ``pulumi-language-nodejs``, the repository's stand-in for Pulumi's host
(:mod:`devtools.nodejs_language_host`), which starts ``@pulumi/pulumi``'s own runner: the program
is compiled by the project's ``ts-node`` and ``typescript``. The plugin is the console script
``pulumi-resource-rockset``, found on PATH the way ``pipx install`` puts it; AWS is the
moto-backed stand-in, Rockset the emulator. The stack goes through preview, up, an unchanged
preview, an admin CIDR change, out-of-band drift and refresh, a refused input, and destroy, in
that order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from devtools.engine import (
    engine_env,
    local_aws,
    open_stack,
    with_rockset_plugin,
)
from devtools.node_projects import copy_typescript_example, npm
from devtools.pulumi_cli import CliError
from tests.support.emulator import start_emulator
from tests.support.engine_gate import require_pulumi_cli
from tests.support.plugin_stack import (
    PluginStack,
    changes_nothing_on_a_second_preview,
    destroys_the_allowlist_before_the_endpoint,
    holds_the_key_only_encrypted,
    previews_an_admin_cidr_change_as_an_update_of_the_entry,
    previews_the_graph_calling_no_rockset,
    refresh_finds_a_deleted_entry_and_up_repairs_it,
    ups_verified_and_locked_down,
)

require_pulumi_cli()

pytestmark = pytest.mark.engine

REGION = "eu-central-1"
# Not the seeded network's 10.0.0.0/16, so that the example's VPC is told apart in moto.
CIDR = "10.30.0.0/16"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PluginStack]:
    workdir = tmp_path_factory.mktemp("typescript")
    project = copy_typescript_example(workdir)
    emu = start_emulator(workdir / "emulator")
    try:
        with local_aws(workdir) as aws:
            env = with_rockset_plugin(engine_env(aws), workdir)
            config = {
                "aws:region": REGION,
                "vpcCidr": CIDR,
                "apiKey": emu.api.api_key,
                "publicUrl": emu.api.public_url,
                "privatelinkUrl": emu.api.privatelink_url,
                "caBundle": emu.api.ca_bundle,
            }
            stack = open_stack(workdir / "pulumi", env, config, name="dev", project=project)
            yield PluginStack(aws, emu, stack)
    finally:
        emu.stop()


def test_the_program_is_typescript_and_needs_no_python_setting(world: PluginStack) -> None:
    settings = (world.stack.project / "Pulumi.yaml").read_text(encoding="utf-8")
    assert "name: nodejs" in settings
    env = world.stack.shell.env
    assert not any(key.startswith("PULUMI_PYTHON") for key in env)
    assert "PULUMI_RUNTIME_VIRTUALENV" not in env


def test_the_program_type_checks_against_the_generated_sdk(world: PluginStack) -> None:
    """`pulumi` runs index.ts without checking its types (tsconfig.pulumi.json): `npm run check`
    is where a user finds a type error, so the example passes it."""
    npm(world.stack.project, "run", "check")


def test_preview_plans_the_graph_and_calls_no_rockset(world: PluginStack) -> None:
    # The stack, the VPC, three subnets, the component, its group, endpoint and three checks.
    previews_the_graph_calling_no_rockset(
        world, creates=11, tokens=("aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet")
    )


def test_up_creates_verifies_and_locks_down(world: PluginStack) -> None:
    # The double's Rockset service serves two of the three zones: the third subnet is skipped.
    outputs = ups_verified_and_locked_down(world, [f"{REGION}a", f"{REGION}b"])
    assert len(outputs["skippedSubnetIds"]) == 1
    [endpoint] = world.endpoints_in_aws()
    assert endpoint["VpcId"] == outputs["vpcId"]


def test_the_program_and_the_component_share_one_aws_provider(world: PluginStack) -> None:
    # The example's @pulumi/aws is the plugin's pulumi-aws version (constraints.txt): a second
    # version would start a second AWS provider in every preview and up.
    program_aws = json.loads(
        (world.stack.project / "node_modules" / "@pulumi" / "aws" / "package.json").read_bytes()
    )["version"]
    assert world.stack.providers("aws") == [f"default_{program_aws.replace('.', '_')}"]


def test_state_holds_the_key_only_encrypted(world: PluginStack) -> None:
    holds_the_key_only_encrypted(world)


def test_second_preview_changes_nothing(world: PluginStack) -> None:
    changes_nothing_on_a_second_preview(world)


def test_changing_an_admin_cidr_previews_an_update_naming_the_entry(world: PluginStack) -> None:
    previews_an_admin_cidr_change_as_an_update_of_the_entry(world)


def test_refresh_finds_a_deleted_entry_and_up_repairs_it(world: PluginStack) -> None:
    refresh_finds_a_deleted_entry_and_up_repairs_it(world)


def test_a_bad_input_is_refused_naming_the_property_without_a_python_stack(
    world: PluginStack,
) -> None:
    # After `--`, as a user types a negative number (else it reads as a flag).
    world.stack.shell.run("config", "set", "checkTimeout", "--", "-1")
    try:
        with pytest.raises(CliError) as refused:
            world.stack.shell.run("preview")
    finally:
        world.stack.shell.run("config", "rm", "checkTimeout")
    said = f"{refused.value.stdout}\n{refused.value.stderr}"
    assert "checkTimeout" in said
    assert "-1" in said
    assert "Traceback" not in said
    assert 'File "' not in said
    assert world.emu.api_key not in said


def test_destroy_removes_the_allowlist_before_the_endpoint(world: PluginStack) -> None:
    destroys_the_allowlist_before_the_endpoint(world)
