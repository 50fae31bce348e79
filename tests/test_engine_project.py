"""A project directory through the CLI a user runs: ``Pulumi.yaml``'s typed config (the CLI's
own type check, defaults declared nowhere else), the program and its dynamic resources running
in the project's ``virtualenv``, and what a failing program looks like."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from devtools.engine import (
    LocalStack,
    cli_env,
    engine_env,
    live_config,
    local_aws,
    open_stack,
)
from devtools.projects import write_project
from devtools.pulumi_cli import CliError
from tests.support.emulator import start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

DEFAULTED = "declared only in Pulumi.yaml"
SCHEMA = {
    "greeting": {"type": "string", "default": DEFAULTED},
    "retries": {"type": "integer", "default": 3},
}
PROGRAM = textwrap.dedent(
    """\
    import os
    import sys

    import pulumi
    from pulumi.dynamic import CreateResult, Resource, ResourceProvider


    class WhereAmI(ResourceProvider):
        def create(self, props):
            return CreateResult("here", {
                "python": sys.executable,
                "pythonCmd": os.environ.get("PULUMI_PYTHON_CMD", "unset"),
            })


    class Where(Resource):
        python: pulumi.Output[str]
        pythonCmd: pulumi.Output[str]

        def __init__(self, name):
            super().__init__(WhereAmI(), name, {"python": None, "pythonCmd": None})


    config = pulumi.Config()
    print("the program runs with", sys.executable)
    where = Where("where")
    pulumi.export("greeting", config.require("greeting"))
    pulumi.export("retries", config.require_int("retries"))
    pulumi.export("programPython", sys.executable)
    pulumi.export("providerPython", where.python)
    pulumi.export("providerPythonCmd", where.pythonCmd)
    """
)


@pytest.fixture
def stack(tmp_path: Path) -> LocalStack:
    project = write_project(tmp_path / "project", PROGRAM, name="langhost-check", config=SCHEMA)
    return open_stack(tmp_path, cli_env(), {}, name="dev", project=project)


def test_defaults_from_pulumi_yaml_and_the_virtualenv_reach_program_and_provider(
    stack: LocalStack,
) -> None:
    up = stack.shell.run("up", "--yes")
    assert f"the program runs with {stack.project}/.venv/bin/python" in up.stdout
    outputs = json.loads(stack.shell.run("stack", "output", "--json").stdout)
    venv_python = str(stack.project / ".venv" / "bin" / "python")
    assert outputs == {
        # config.require() passes only because the CLI filled in the Pulumi.yaml defaults.
        "greeting": DEFAULTED,
        "retries": 3,
        "programPython": venv_python,
        # The dynamic-provider host found the virtualenv from the runtime options alone.
        "providerPython": venv_python,
        "providerPythonCmd": "unset",
    }


def test_a_failing_program_is_reported_once_as_an_unhandled_exception(
    stack: LocalStack,
) -> None:
    with (stack.project / "__main__.py").open("a", encoding="utf-8") as program:
        program.write('raise ValueError("the program broke")\n')
    with pytest.raises(CliError) as err:
        stack.shell.run("preview")
    said = err.value.stdout + err.value.stderr
    assert "error: Program failed with an unhandled exception:" in said
    assert 'raise ValueError("the program broke")' in said
    assert "inline" not in said
    # The language host bails instead of returning the error the SDK already reported.
    assert "an unhandled error occurred" not in said


def test_a_missing_virtualenv_stops_the_cli_with_the_commands_that_make_it(
    stack: LocalStack,
) -> None:
    (stack.project / ".venv").unlink()
    with pytest.raises(CliError) as err:
        stack.shell.run("preview")
    assert f"python3 -m venv {stack.project}/.venv" in err.value.stderr


def test_a_wrongly_typed_value_is_refused_by_the_cli_before_any_resource(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with local_aws(tmp_path) as aws:
            config = live_config(aws, emu.api, checkTimeout="soon")
            stack = open_stack(tmp_path / "pulumi", engine_env(aws), config)
            with pytest.raises(CliError) as err:
                stack.shell.run("up", "--yes")
            assert (
                "Stack 'local' with configuration key 'checkTimeout' must be of type 'integer'"
                in err.value.stderr
            )
            groups = aws.ec2().describe_security_groups()["SecurityGroups"]
            assert {g["GroupName"] for g in groups} == {"default"}  # no VPC has more
            assert "resources" not in stack.deployment()
        assert emu.requests() == []
    finally:
        emu.stop()
