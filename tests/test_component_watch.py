"""``watch`` under Pulumi's mocks, AWS answered by moto: the watcher's children, their least
privilege, the alarm and the outputs; and the uploaded code runs on the standard library."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from devtools.aws_double.mocks import MockedAws
from devtools.pulumi_mocks import program, registered, resolve
from rockset_pulumi import PrivateLink, PrivateLinkArgs, Watch
from rockset_pulumi.vpc_probe.resources import VPC_ACCESS_POLICY
from rockset_pulumi.watch.handler import ENV
from rockset_pulumi.watch.resources import NAMESPACE, UPLOADED, policy_document

KEY = "k-deploy-0123456789"
WATCH_KEY = "k-watch-read-only-0123456789"
TOPIC = "arn:aws:sns:eu-central-1:123456789012:rockset-alarms"


def link(aws: MockedAws, **watch: Any) -> PrivateLink:
    return PrivateLink(
        "rockset",
        PrivateLinkArgs(
            vpc_id=aws.network.vpc_id,
            subnet_ids=list(aws.network.subnet_ids_by_az.values()),
            api_key=KEY,
            probe="vpc",
            admin_cidrs={"office": "203.0.113.0/24"},
            lockdown=True,
            privatelink_url="https://privatelink.vpc.rockset.test:8443",
            watch=Watch(api_key=WATCH_KEY, alarm_actions=[TOPIC], **watch),
        ),
    )


def one(aws: MockedAws, typ: str) -> dict[str, Any]:
    [(_, _, inputs)] = registered(aws, typ)
    return inputs


def test_the_watcher_runs_beside_the_probe_with_only_its_own_permissions() -> None:
    with program() as aws:
        component = link(aws)
        assert component.watcher is not None and component.probe is not None
        secret_arn = resolve(component.watcher.secret.arn)
        probe_sg = resolve(component.probe.security_group.id)
        watch_sg = resolve(component.watcher.security_group.id)
        resolve(component.watcher.function.arn)

        policy = json.loads(one(aws, "aws:iam/rolePolicy:RolePolicy")["policy"])
        assert policy["Statement"] == [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn},
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
            },
        ]
        attached = [
            (name, inputs["policyArn"])
            for (_, name, inputs) in registered(aws, "aws:iam/rolePolicyAttachment")
        ]
        assert ("rockset-watch-vpc-access", VPC_ACCESS_POLICY) in attached

        functions = {n: i for (_, n, i) in registered(aws, "aws:lambda/function:Function")}
        watcher = functions["rockset-watch"]
        assert watcher["vpcConfig"]["securityGroupIds"] == [probe_sg, watch_sg]
        variables = watcher["environment"]["variables"]
        assert set(variables) == set(ENV.values())
        assert variables[ENV["secret"]] == secret_arn
        assert json.loads(variables[ENV["entries"]]) == {"office": "203.0.113.0/24"}
        assert len(variables[ENV["mark"]]) == 16

        # The key is only in the secret's value: no other input, nor the function, holds it.
        holding = [
            (typ, name)
            for (typ, name, inputs) in aws.mocks.resources
            if WATCH_KEY in json.dumps(inputs, default=str)
        ]
        assert holding == [
            ("aws:secretsmanager/secretVersion:SecretVersion", "rockset-watch-key-value")
        ]


def test_the_schedule_the_alarm_and_the_outputs() -> None:
    with program() as aws:
        component = link(aws, schedule="rate(5 minutes)")
        watch = resolve(component.watch)
        cost = resolve(component.cost_estimate)
        assert component.watcher is not None
        resolve(component.watcher.function.arn)
        resolve(component.watcher.permission.id)
        assert one(aws, "aws:cloudwatch/eventRule")["scheduleExpression"] == "rate(5 minutes)"
        alarm = one(aws, "aws:cloudwatch/metricAlarm")
        assert {k: alarm[k] for k in ("metricName", "statistic", "period", "threshold")} == {
            "metricName": "LockdownHolds",
            "statistic": "Minimum",
            "period": 600,
            "threshold": 1,
        }
        assert alarm["treatMissingData"] == "breaching"
        assert alarm["comparisonOperator"] == "LessThanThreshold"
        assert alarm["alarmActions"] == alarm["okActions"] == [TOPIC]
        assert one(aws, "aws:lambda/permission")["principal"] == "events.amazonaws.com"
        assert watch is not None and cost is not None
        assert watch["schedule"] == "rate(5 minutes)"
        assert watch["namespace"] == NAMESPACE
        assert watch["metrics"] == ["LockdownHolds", "UnexpectedEntries"]
        assert watch["alarm_arn"].startswith("arn:aws:cloudwatch:")
        assert cost["watch"] == watch["monthly_cost"]
        assert cost["watch"]["runs"] == 8760.0
        assert 0 < cost["watch"]["total"] < 2


def test_the_watcher_runs_once_after_step_5_and_before_its_alarm_exists() -> None:
    # A new stack's alarm then starts from the first run's report, not from missing data.
    with program() as aws:
        component = link(aws)
        assert component.watcher is not None
        resolve(component.watcher.alarm.arn)
        order = [name for (_, name, _) in aws.mocks.resources]
        invoker = aws.mocks.model.ec2.invoker
        assert [name for (name, _) in invoker.invoked] == [resolve(component.watcher.function.name)]
        first_run = one(aws, "aws:lambda/invocation:Invocation")
        assert first_run["functionName"] == resolve(component.watcher.function.name)
        # What the function runs and compares, both known at preview: a change to either
        # (a new admin CIDR is a new environment) is previewed as one more run.
        functions = {n: i for (_, n, i) in registered(aws, "aws:lambda/function:Function")}
        variables = functions["rockset-watch"]["environment"]["variables"]
        assert json.loads(first_run["triggers"]["environment"]) == variables
        assert len(first_run["triggers"]["code"]) == 64
        assert order.index("rockset-lockdown") < order.index("rockset-watch-first-run")
        assert order.index("rockset-watch-first-run") < order.index("rockset-watch-alarm")


def test_no_watch_adds_nothing() -> None:
    with program() as aws:
        component = PrivateLink(
            "rockset",
            PrivateLinkArgs(
                vpc_id=aws.network.vpc_id,
                subnet_ids=list(aws.network.subnet_ids_by_az.values()),
            ),
        )
        assert resolve(component.watch) is None
        assert component.watcher is None
        assert registered(aws, "aws:cloudwatch/metricAlarm") == []


def test_the_uploaded_files_import_nothing_beyond_the_standard_library(tmp_path: Path) -> None:
    package = Path(__file__).resolve().parent.parent / "rockset_pulumi"
    root = tmp_path / "rockset_pulumi"
    root.mkdir()
    (root / "__init__.py").write_text("", encoding="utf-8")
    for path in UPLOADED:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(package / path, root / path)
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            "-I",
            "-c",
            # What Lambda's runtime does: the archive's root first on the path.
            f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
            "import rockset_pulumi.watch.handler",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_policy_the_docs_list_is_the_one_the_role_gets() -> None:
    # Security teams review docs/watch.md's policy before turning the watch on.
    docs = (Path(__file__).resolve().parent.parent / "docs" / "watch.md").read_text("utf-8")
    listed = docs.split("this policy, nothing else:\n\n```json\n", 1)[1].split("```", 1)[0]
    placeholder = "<the watcher's secret's ARN>"
    assert json.loads(listed) == json.loads(policy_document(placeholder))
