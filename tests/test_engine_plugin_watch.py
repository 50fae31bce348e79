"""The watch through the ``rockset`` plugin on the real Pulumi engine, from two languages:
``examples/yaml-watch`` (Pulumi YAML, ``watch: {apiKey, schedule, alarmActions}``) and
``examples/typescript-watch`` (TypeScript, the generated SDK's ``watch`` input).

The plugin builds the component in its own virtualenv, so the watcher's zip is uploaded from
there; up runs it once (so the new alarm starts OK), and one run of it, invoked as EventBridge
would, must report the lockdown holding. One stack per program, in order: up, a run, the state
check, destroy.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.aws_double.alarms import alarm_state
from devtools.engine import (
    REPO,
    engine_env,
    local_aws,
    open_stack,
    with_rockset_plugin,
)
from devtools.node_projects import copy_typescript_example, npm
from devtools.vpc import VPC_ONLY_HOST
from rockset_pulumi.watch.resources import NAMESPACE
from tests.support.emulator import start_emulator
from tests.support.engine_gate import require_pulumi_cli
from tests.support.leaks import leaked_runs
from tests.support.watcher import (
    WATCH_KEY,
    WatchedStack,
    run_watcher,
    runs_of,
    watched_config,
)

require_pulumi_cli(yaml=True)

pytestmark = pytest.mark.engine

EXAMPLES = REPO / "examples"
SCHEDULE = "rate(1 hour)"


World = WatchedStack


def copy_example(name: str, workdir: Path) -> Path:
    """The example ``name`` as a user's project: YAML as it is, TypeScript ``npm install``ed."""
    if name == "typescript-watch":
        project = copy_typescript_example(workdir, EXAMPLES / name)
        npm(project, "run", "check")  # index.ts type-checks against the generated SDK
        return project
    return Path(shutil.copytree(EXAMPLES / name, workdir / "project"))


@pytest.fixture(scope="module", params=["yaml-watch", "typescript-watch"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp(request.param)
    emu = start_emulator(workdir / "emulator", tls_name=VPC_ONLY_HOST, read_only_api_key=WATCH_KEY)
    try:
        with local_aws(workdir) as aws:
            topic, config = watched_config(aws, emu, SCHEDULE)
            project = copy_example(request.param, workdir)
            env = with_rockset_plugin(engine_env(aws), workdir)
            stack = open_stack(workdir / "pulumi", env, config, project=project)
            yield World(aws, emu, stack, topic)
    finally:
        emu.stop()


def test_up_through_the_plugin_creates_the_watcher_and_its_outputs(world: World) -> None:
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    world.outputs = found = {k: v.value for k, v in result.outputs.items()}
    assert found["lockdownStatus"]["holds"] is True
    watch = found["watch"]
    [alarm] = world.aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert (watch["alarmName"], watch["alarmArn"]) == (alarm["AlarmName"], alarm["AlarmArn"])
    assert alarm["AlarmActions"] == [world.topic]
    # The schema's names for the Python component's output; twice the interval.
    assert alarm["Period"] == 7200
    assert watch["namespace"] == NAMESPACE
    assert watch["metrics"] == ["LockdownHolds", "UnexpectedEntries"]
    assert watch["schedule"] == SCHEDULE
    [rule] = world.aws.client("events").list_rules()["Rules"]
    assert rule["ScheduleExpression"] == SCHEDULE
    assert found["costEstimate"]["watch"] == watch["monthlyCost"]
    functions = world.aws.client("lambda").list_functions()["Functions"]
    assert watch["functionName"] in {f["FunctionName"] for f in functions}
    # As from Python: up ran the watcher once, so the new alarm starts OK.
    assert runs_of(world.aws, watch["functionName"]) == ["ok"]
    assert alarm_state(world.aws.client("cloudwatch"), watch["alarmName"]) == "OK"


def test_the_watcher_the_plugin_uploaded_reports_the_lockdown_holding(world: World) -> None:
    result = run_watcher(world.aws, world.outputs["watch"]["functionName"])
    assert result["lockdown_holds"] == 1
    assert result["public"] == "refuses"


def test_neither_key_is_in_state_or_output(world: World) -> None:
    state = world.stack.export()
    shown = "\n".join(world.stack.output)
    for key in (WATCH_KEY, world.emu.api_key):
        assert leaked_runs(state, key) == []
        assert leaked_runs(shown, key) == []


def test_destroy_leaves_nothing_of_the_watch(world: World) -> None:
    world.stack.destroy()
    assert world.stack.deployment().get("resources", []) == []
    assert world.emu.allowlist() == {}
    assert world.aws.client("lambda").list_functions()["Functions"] == []
    assert world.aws.client("secretsmanager").list_secrets()["SecretList"] == []
    assert world.aws.client("cloudwatch").describe_alarms()["MetricAlarms"] == []
    assert world.aws.client("events").list_rules()["Rules"] == []
