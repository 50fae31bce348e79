"""``watch`` end to end on the real Pulumi engine: the watcher created, run, alarmed, destroyed.

The stack (probe ``vpc``, lockdown, the watch with a read-only key of its own) goes up, running
the watcher once before its alarm exists; the test then plays EventBridge: it invokes the
watcher through the Lambda Invoke server, which runs the zip the component uploaded, with its
environment, its role's AWS calls going to moto. What a run publishes is read back from moto's
CloudWatch, and the alarm is evaluated on it as CloudWatch would
(:func:`devtools.aws_double.alarms.alarm_state`), with the runs so far in its window. A
console user's changes are made in the emulator between runs. One stack, in order: up, runs,
the state check, destroy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pulumi.automation import CommandError, OpType

from devtools.aws_double.alarms import alarm_state
from devtools.engine import engine_env, local_aws, open_stack
from devtools.projects import write_project
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

require_pulumi_cli()

pytestmark = pytest.mark.engine

OFFICE = {"office": "203.0.113.0/24"}
SCHEDULE = "rate(15 minutes)"
ALARM_PERIOD = 1800
"""Twice the schedule's interval: a period always holds a run."""

PROGRAM = """\
import pulumi

from rockset_pulumi import PrivateLink, PrivateLinkArgs, Watch

config = pulumi.Config()
link = PrivateLink(
    "rockset",
    PrivateLinkArgs(
        vpc_id=config.require("vpcId"),
        subnet_ids=config.require_object("subnetIds"),
        api_key=config.require_secret("apiKey"),
        admin_cidrs=config.require_object("adminCidrs"),
        lockdown=True,
        probe="vpc",
        check_timeout=config.require_int("checkTimeout"),
        public_url=config.require("publicUrl"),
        privatelink_url=config.require("privatelinkUrl"),
        ca_bundle=config.require("caBundle"),
        watch=Watch(
            api_key=config.require_secret("watchApiKey"),
            schedule=config.require("watchSchedule"),
            alarm_actions=config.require_object("alarmActions"),
        ),
    ),
)
pulumi.export("watch", link.watch)
pulumi.export("lockdownStatus", link.lockdown_status)
pulumi.export("costEstimate", link.cost_estimate)
"""
SCHEMA = {
    "subnetIds": {"type": "array", "items": {"type": "string"}},
    "adminCidrs": {"type": "object"},
    "alarmActions": {"type": "array", "items": {"type": "string"}},
    "checkTimeout": {"type": "integer", "default": 60},
}


class World(WatchedStack):
    @property
    def watch(self) -> dict[str, Any]:
        found: dict[str, Any] = self.outputs["watch"]
        return found

    def cloudwatch(self) -> Any:
        return self.aws.client("cloudwatch")

    def run(self) -> dict[str, Any]:
        return run_watcher(self.aws, self.watch["function_name"])

    def totals(self) -> dict[str, tuple[float, float]]:
        """Each metric's (number of datapoints, their sum) as moto's CloudWatch holds them."""
        now = datetime.now(UTC)
        found = {}
        for metric in self.watch["metrics"]:
            points = self.cloudwatch().get_metric_statistics(
                Namespace=NAMESPACE,
                MetricName=metric,
                Dimensions=[{"Name": k, "Value": v} for k, v in self.watch["dimensions"].items()],
                StartTime=now - timedelta(hours=1),
                EndTime=now + timedelta(hours=1),
                Period=60,
                Statistics=["SampleCount", "Sum"],
            )["Datapoints"]
            found[metric] = (
                sum(p["SampleCount"] for p in points),
                sum(p["Sum"] for p in points),
            )
        return found

    def run_and_read(self) -> tuple[dict[str, Any], dict[str, float]]:
        """One run, and the one value it published for each metric."""
        before = self.totals()
        result = self.run()
        published = {}
        for metric, (count, total) in self.totals().items():
            added = count - before[metric][0]
            if added:
                assert added == 1
                published[metric] = total - before[metric][1]
        return result, published

    def alarm_now(self) -> str:
        """The alarm's state as CloudWatch would evaluate it now (its sliding window)."""
        return alarm_state(self.cloudwatch(), self.watch["alarm_name"])

    def outcomes(self) -> list[str]:
        """The outcome of each run of the watcher so far, `up`'s and the tests'."""
        return runs_of(self.aws, self.watch["function_name"])

    def functions(self) -> list[str]:
        found = self.aws.client("lambda").list_functions()["Functions"]
        return sorted(f["FunctionName"] for f in found)

    def console_adds(self, name: str, address: str) -> None:
        """An admin adds an entry in Rockset's console: no owner mark."""
        with self.emu.client("privatelink") as client:
            client.create_ip_allowlist(name, address, description="added by hand")

    def console_deletes(self, name: str) -> None:
        with self.emu.client("privatelink") as client:
            client.delete_ip_allowlist(name)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("engine-watch")
    emu = start_emulator(workdir / "emulator", tls_name=VPC_ONLY_HOST, read_only_api_key=WATCH_KEY)
    try:
        with local_aws(workdir) as aws:
            topic, watched = watched_config(aws, emu, SCHEDULE)
            config = {**watched, "adminCidrs": OFFICE}
            project = write_project(workdir / "project", PROGRAM, config=SCHEMA)
            stack = open_stack(workdir / "pulumi", engine_env(aws), config, project=project)
            yield World(aws, emu, stack, topic)
    finally:
        emu.stop()


def test_preview_plans_the_first_run_but_runs_nothing_and_calls_no_rockset(world: World) -> None:
    result = world.stack.preview()
    assert result.change_summary.get(OpType.CREATE, 0) > 0
    assert "rockset-watch-first-run" in "\n".join(world.stack.output)
    assert world.aws.lambda_server.invocations == []
    assert world.emu.requests() == []


def test_up_creates_the_watcher_its_secret_schedule_and_alarm(world: World) -> None:
    result = world.stack.up()
    assert result.summary.result == "succeeded"
    world.outputs = {k: v.value for k, v in result.outputs.items()}
    assert world.outputs["lockdownStatus"]["holds"] is True
    watch = world.watch
    assert watch["namespace"] == NAMESPACE
    assert watch["metrics"] == ["LockdownHolds", "UnexpectedEntries"]
    assert watch["schedule"] == SCHEDULE
    assert watch["dimensions"]["Component"] == "rockset"
    assert watch["dimensions"]["Stack"].endswith("/rockset-privatelink/local")
    assert world.outputs["costEstimate"]["watch"] == watch["monthly_cost"]
    # Beside the probe function, the watcher.
    assert watch["function_name"] in world.functions()
    assert len(world.functions()) == 2
    # Its key is in the secret it reads, and nowhere in its configuration.
    secrets = world.aws.client("secretsmanager")
    [secret] = secrets.list_secrets()["SecretList"]
    assert secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"] == WATCH_KEY
    config = world.aws.client("lambda").get_function(FunctionName=watch["function_name"])
    assert WATCH_KEY not in json.dumps(config["Configuration"], default=str)
    [alarm] = world.cloudwatch().describe_alarms()["MetricAlarms"]
    assert (alarm["AlarmName"], alarm["AlarmArn"]) == (watch["alarm_name"], watch["alarm_arn"])
    assert alarm["Period"] == ALARM_PERIOD
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == alarm["OKActions"] == [world.topic]
    [rule] = world.aws.client("events").list_rules()["Rules"]
    assert rule["ScheduleExpression"] == SCHEDULE
    [target] = world.aws.client("events").list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == config["Configuration"]["FunctionArn"]


def test_up_runs_the_watcher_once_so_the_new_alarm_starts_ok(world: World) -> None:
    # Missing data breaches: without the run at `up`, a new stack's alarm would go to ALARM
    # until the schedule's first run.
    assert runs_of(world.aws, world.watch["function_name"]) == ["ok"]
    assert world.totals()["LockdownHolds"] == (1, 1)
    assert world.alarm_now() == "OK"


def test_more_ups_with_nothing_changed_change_nothing_nor_run_the_watcher(world: World) -> None:
    # Twice: the engine sends the functions' code differently after a create and after a no-op.
    before = len(world.aws.lambda_server.invocations)
    for _ in range(2):
        result = world.stack.up()
        assert set(result.summary.resource_changes or {}) == {"same"}
    assert len(world.aws.lambda_server.invocations) == before


def test_a_scheduled_run_reports_that_the_lockdown_holds(world: World) -> None:
    result, published = world.run_and_read()
    assert published == {"LockdownHolds": 1, "UnexpectedEntries": 0}
    assert result["lockdown_holds"] == 1
    assert result["public"] == "refuses"
    assert world.alarm_now() == "OK"


def test_an_unmarked_entry_inside_a_wanted_cidr_is_not_unexpected(world: World) -> None:
    world.console_adds("office-printer", "203.0.113.7/32")
    try:
        result, published = world.run_and_read()
    finally:
        world.console_deletes("office-printer")
    assert published == {"LockdownHolds": 1, "UnexpectedEntries": 0}
    assert result["unexpected"] == []
    assert world.alarm_now() == "OK"


def test_the_entry_deleted_in_the_console_makes_the_next_run_report_0_and_alarm(
    world: World,
) -> None:
    with world.emu.client("privatelink") as client:
        [office] = client.list_ip_allowlist()
    world.console_deletes("office")
    result, published = world.run_and_read()
    # No entry is allowlisting off: the public endpoint now takes the key too.
    assert published == {"LockdownHolds": 0, "UnexpectedEntries": 0}
    assert result["missing"] == ["office"]
    assert result["public"] == "accepts"
    assert world.alarm_now() == "ALARM"
    # The admin puts it back as it was, mark and all.
    with world.emu.client("privatelink") as client:
        client.create_ip_allowlist(office.name, office.ip_address, office.description)


def test_an_unmarked_entry_that_widens_access_is_unexpected(world: World) -> None:
    world.console_adds("vpn", "198.51.100.7/32")
    try:
        result, published = world.run_and_read()
    finally:
        world.console_deletes("vpn")
    assert published == {"LockdownHolds": 0, "UnexpectedEntries": 1}
    assert result["missing"] == []
    assert result["unexpected"] == ["vpn 198.51.100.7/32 (unmarked)"]
    assert result["public"] == "refuses"


def test_a_changed_admin_cidr_is_previewed_as_one_more_run_and_up_runs_it_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The watcher's environment holds the wanted entries: the function changes, so it runs
    # once more, and the preview says so without running it.
    world.stack.set_config({"adminCidrs": {"office": "198.51.100.0/24"}})
    runs = world.outcomes()
    requests = len(world.emu.requests())
    world.stack.output.clear()
    preview = world.stack.preview()
    assert preview.change_summary.get(OpType.REPLACE) == 1, world.stack.output
    assert "+-aws:lambda/invocation:Invocation: (replace)" in "\n".join(world.stack.output)
    assert world.outcomes() == runs
    assert len(world.emu.requests()) == requests

    # That run fails (Lambda's own timeout answer, for the watcher only): the `up` fails,
    # naming the function, and the next `up` runs it again.
    served = world.aws.lambda_server
    real_run = served.run

    def watcher_times_out(config: Any, region: str, payload: bytes) -> Any:
        if config["FunctionName"] == world.watch["function_name"]:
            config = {**config, "Timeout": 0.01}
        return real_run(config, region, payload)

    monkeypatch.setattr(served, "run", watcher_times_out)
    with pytest.raises(CommandError) as failed:
        world.stack.up()
    message = str(failed.value)
    assert f"invoking Lambda Function ({world.watch['function_name']})" in message
    assert "Task timed out after 0.01 seconds" in message
    for key in (WATCH_KEY, world.emu.api_key):
        assert leaked_runs(message, key) == []
    monkeypatch.undo()
    result = world.stack.up()
    assert (result.summary.resource_changes or {}).get(OpType.REPLACE) == 1
    assert world.outcomes() == [*runs, "Unhandled", "ok"]
    assert world.emu.allowlist() == {"office": "198.51.100.0/24"}


def test_a_schedule_permission_removed_out_of_band_is_found_by_refresh_and_put_back_by_up(
    world: World,
) -> None:
    # Without it EventBridge cannot run the watcher: the alarm would say so, and `pulumi
    # refresh` then `pulumi up` must repair it.
    functions = world.aws.client("lambda")
    name = world.watch["function_name"]

    def statements() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(functions.get_policy(FunctionName=name)["Policy"])[
            "Statement"
        ]
        return found

    [statement] = statements()
    functions.remove_permission(FunctionName=name, StatementId=statement["Sid"])
    world.stack.refresh()
    kinds = [r["type"] for r in world.stack.deployment()["resources"]]
    assert "aws:lambda/permission:Permission" not in kinds
    world.stack.up()
    assert [s["Principal"] for s in statements()] == [{"Service": "events.amazonaws.com"}]


def test_neither_key_is_in_state_output_or_the_watchers_logs(world: World) -> None:
    state = world.stack.export()
    shown = "\n".join(world.stack.output)
    logs = world.stack.workdir.parent / "lambda-logs"
    log_text = "\n".join(p.read_text(encoding="utf-8") for p in logs.iterdir())
    assert "unexpected: vpn 198.51.100.7/32 (unmarked)" in log_text
    for key in (WATCH_KEY, world.emu.api_key):
        assert leaked_runs(state, key) == []
        assert leaked_runs(shown, key) == []
        assert leaked_runs(log_text, key) == []
    assert "ciphertext" in state


def test_destroy_removes_the_watcher_the_schedule_first_the_allowlist_before_the_endpoint(
    world: World,
) -> None:
    world.stack.output.clear()
    world.stack.destroy()
    assert world.emu.allowlist() == {}
    assert world.functions() == []
    assert world.aws.client("secretsmanager").list_secrets()["SecretList"] == []
    assert world.cloudwatch().describe_alarms()["MetricAlarms"] == []
    assert world.aws.client("events").list_rules()["Rules"] == []
    assert world.aws.live_endpoints() == []
    lines = world.stack.output

    def first(text: str) -> int:
        return next(i for i, line in enumerate(lines) if text in line)

    allowlist_deleted = first("rockset-allowlist deleted")
    # The alarm goes before the runs feeding it stop, so taking the stack down does not alarm.
    assert first("rockset-watch-alarm deleted") < first("rockset-watch-schedule deleting")
    # No run looks at a lockdown being taken down: the schedule goes before the entries.
    assert first("rockset-watch-schedule deleted") < first("rockset-allowlist deleting")
    # The entries go while PrivateLink, and the function writing through it, still exist.
    assert allowlist_deleted < first("rockset-endpoint deleting")
    assert allowlist_deleted < first("rockset-probe deleting")
