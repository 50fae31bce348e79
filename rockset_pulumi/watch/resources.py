"""The component's children for ``watch``: the watcher function and what runs and hears it.

- ``<name>-watch-key`` and ``<name>-watch-key-value``: a Secrets Manager secret holding the
  watcher's key, from a Pulumi secret (ciphertext in state), deleted at once on destroy;
- ``<name>-watch-sg`` and its rule ``<name>-watch-egress``: TCP 443 out, for Secrets Manager,
  CloudWatch and Rockset's public endpoint (through a NAT or interface endpoints). The function
  is also in the probe's group, which the endpoint's admits, for PrivateLink;
- ``<name>-watch-role``: trusted by Lambda; AWSLambdaVPCAccessExecutionRole (its network
  interfaces and its own logs) and ``<name>-watch-policy``: ``secretsmanager:GetSecretValue`` on
  that secret only, ``cloudwatch:PutMetricData`` in :data:`NAMESPACE` only;
- ``<name>-watch-logs`` (``/aws/lambda/<function>``, :data:`LOG_RETENTION_DAYS` days) and the
  function ``<name>-watch`` (:mod:`rockset_pulumi.watch.handler`, with the pure modules it
  imports, :data:`UPLOADED`), in the endpoint's subnets; its environment holds nothing secret;
- ``<name>-watch-schedule`` (an EventBridge rule), its target ``<name>-watch-target`` and
  ``<name>-watch-invoke``, the permission that lets EventBridge invoke the function; the rule
  waits for step 5, so no run looks at a lockdown not yet in place;
- ``<name>-watch-first-run``: one run of the function during ``pulumi up``, once step 5 has
  passed (and again when the function changes), before the alarm exists; a run that fails
  fails the ``up``, and the next one runs it again;
- ``<name>-watch-alarm``: on ``LockdownHolds`` below 1 (the minimum over the schedule's alarm
  period), missing data breaching, notifying ``alarm_actions`` on ALARM and on OK.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from ..pricing import estimate_watch_cost
from ..vpc_probe.resources import RUNTIME, function_name, role_and_logs, target_of
from .handler import CA_FILE, ENV, METRIC_HOLDS, METRIC_UNEXPECTED
from .settings import ResolvedWatch

__all__ = [
    "LOG_RETENTION_DAYS",
    "NAMESPACE",
    "UPLOADED",
    "WatchFunction",
    "deploy_watch",
]

NAMESPACE = "RocksetPulumi/Lockdown"
"""The CloudWatch namespace of the watch's metrics."""
LOG_RETENTION_DAYS = 30
"""A month of runs to look back on after an alarm."""
FUNCTION_TIMEOUT = 30
"""Seconds: two exchanges of at most 10 s, a secret read and a cold start."""
MEMORY_MB = 128
_PACKAGE = Path(__file__).resolve().parent.parent
UPLOADED = (
    "allowlist.py",
    "errors.py",
    "text.py",
    "vpc_probe/__init__.py",
    "vpc_probe/handler.py",
    "watch/__init__.py",
    "watch/compare.py",
    "watch/handler.py",
)
"""The package's files the function runs (standard library only), under ``rockset_pulumi/``,
with an ``__init__.py`` of its own (a docstring): the package's own imports Pulumi, which the
function has not."""
HANDLER = "rockset_pulumi.watch.handler.handler"
# Not empty: the engine sends an asset whose text is empty without its text, and the provider
# cannot read such an asset back (the AWS stand-in's Check refuses it).
_PACKAGE_INIT = '"""The modules of rockset_pulumi the lockdown watcher runs."""\n'


def _sources(ca_bundle: str | None) -> dict[str, Path | str]:
    """The archive's files, by name in the archive: a file to upload, or its text."""
    files: dict[str, Path | str] = {"rockset_pulumi/__init__.py": _PACKAGE_INIT}
    for path in UPLOADED:
        files[f"rockset_pulumi/{path}"] = _PACKAGE / path
    if ca_bundle is not None:
        files[f"rockset_pulumi/watch/{CA_FILE}"] = Path(ca_bundle)
    return files


def code(ca_bundle: str | None) -> pulumi.AssetArchive:
    """The function's archive: :data:`UPLOADED`, and the CA bundle as ``ca.pem`` if any."""
    return pulumi.AssetArchive(
        {
            name: pulumi.FileAsset(str(source))
            if isinstance(source, Path)
            else pulumi.StringAsset(source)
            for name, source in _sources(ca_bundle).items()
        }
    )


def _code_digest(ca_bundle: str | None) -> str:
    """SHA-256 (hex) of :func:`code`'s files, names and contents: known at preview, unlike
    anything AWS reports of an upload."""
    digest = hashlib.sha256()
    for name, source in sorted(_sources(ca_bundle).items()):
        content = source.read_bytes() if isinstance(source, Path) else source.encode()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def policy_document(secret_arn: str) -> str:
    """The watcher's own permissions, beside its network interfaces and logs."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": secret_arn,
                },
                {
                    "Effect": "Allow",
                    "Action": "cloudwatch:PutMetricData",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"cloudwatch:namespace": NAMESPACE}},
                },
            ],
        }
    )


@dataclass(frozen=True)
class WatchFunction:
    """The watch's children, and its output."""

    secret: aws.secretsmanager.Secret
    secret_version: aws.secretsmanager.SecretVersion
    security_group: aws.ec2.SecurityGroup
    role: aws.iam.Role
    function: aws.lambda_.Function
    rule: aws.cloudwatch.EventRule
    permission: aws.lambda_.Permission
    first_run: aws.lambda_.Invocation
    alarm: aws.cloudwatch.MetricAlarm
    output: pulumi.Output[Mapping[str, Any]]
    """``alarm_name``, ``alarm_arn``, ``namespace``, ``metrics``, ``dimensions``, ``schedule``,
    ``function_name`` and ``monthly_cost``."""


def deploy_watch(
    name: str,
    watch: ResolvedWatch,
    *,
    vpc_id: pulumi.Input[str],
    probe_security_group: aws.ec2.SecurityGroup,
    subnet_ids: pulumi.Input[Sequence[str]],
    public_url: pulumi.Output[str],
    privatelink_url: pulumi.Output[str],
    entries: Mapping[str, str],
    owner_mark: pulumi.Output[str],
    ca_bundle: str | None,
    after: Sequence[pulumi.Resource],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> WatchFunction:
    """The watcher in the endpoint's subnets, its schedule and its alarm."""
    child = pulumi.ResourceOptions(parent=parent)
    fixed_name = function_name(name, "watch")
    stack = "/".join(
        p or "" for p in (pulumi.get_organization(), pulumi.get_project(), pulumi.get_stack())
    )
    dimensions = {"Stack": stack, "Component": name}
    secret = aws.secretsmanager.Secret(
        f"{name}-watch-key",
        description=f"Rockset read-only API key of the lockdown watcher {fixed_name}",
        recovery_window_in_days=0,
        tags=tags,
        opts=child,
    )
    version = aws.secretsmanager.SecretVersion(
        f"{name}-watch-key-value",
        secret_id=secret.id,
        secret_string=pulumi.Output.secret(watch.api_key),
        opts=child,
    )
    group = aws.ec2.SecurityGroup(
        f"{name}-watch-sg",
        vpc_id=vpc_id,
        description=f"Rockset lockdown watcher {name}: HTTPS out to AWS APIs and Rockset",
        tags=tags,
        opts=child,
    )
    egress = aws.vpc.SecurityGroupEgressRule(
        f"{name}-watch-egress",
        security_group_id=group.id,
        cidr_ipv4="0.0.0.0/0",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        description="HTTPS to Secrets Manager, CloudWatch and Rockset's public endpoint",
        opts=child,
    )
    identity = role_and_logs(
        f"{name}-watch",
        fixed_name,
        description=f"Rockset lockdown watcher {fixed_name}: its key, its metrics, its logs",
        retention_days=LOG_RETENTION_DAYS,
        tags=tags,
        parent=parent,
    )
    role = identity.role
    policy = aws.iam.RolePolicy(
        f"{name}-watch-policy",
        role=role.name,
        policy=secret.arn.apply(policy_document),
        opts=child,
    )
    environment: dict[str, pulumi.Input[str]] = {
        ENV["privatelink"]: privatelink_url.apply(target_of),
        ENV["public"]: public_url.apply(target_of),
        ENV["secret"]: secret.arn,
        ENV["entries"]: json.dumps(dict(entries), sort_keys=True),
        ENV["mark"]: owner_mark,
        ENV["namespace"]: NAMESPACE,
        ENV["stack"]: stack,
        ENV["component"]: name,
    }
    function = aws.lambda_.Function(
        f"{name}-watch",
        name=fixed_name,
        description="Checks rockset-pulumi's lockdown on a schedule from inside the VPC",
        role=role.arn,
        runtime=RUNTIME,
        handler=HANDLER,
        code=code(ca_bundle),
        memory_size=MEMORY_MB,
        timeout=FUNCTION_TIMEOUT,
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=environment),
        vpc_config=aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=subnet_ids, security_group_ids=[probe_security_group.id, group.id]
        ),
        tags=tags,
        opts=pulumi.ResourceOptions(
            parent=parent,
            depends_on=[identity.vpc_access, policy, identity.log_group, egress, version],
        ),
    )
    rule = aws.cloudwatch.EventRule(
        f"{name}-watch-schedule",
        description=f"Runs the Rockset lockdown watcher {fixed_name}",
        schedule_expression=watch.schedule.expression,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(after)),
    )
    invoke = aws.lambda_.Permission(
        f"{name}-watch-invoke",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="events.amazonaws.com",
        source_arn=rule.arn,
        opts=child,
    )
    aws.cloudwatch.EventTarget(
        f"{name}-watch-target",
        rule=rule.name,
        arn=function.arn,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[invoke]),
    )
    first_run = aws.lambda_.Invocation(
        f"{name}-watch-first-run",
        function_name=function.name,
        input=json.dumps({"source": "pulumi up"}),
        # A changed function (its code, or what it compares: its environment) runs once more,
        # at this `up`, and its preview says so: both are known then. (Its `last_modified` is
        # not: pulumi-aws plans it unchanged for a new environment, then reports a new one.)
        triggers={
            "code": _code_digest(ca_bundle),
            "environment": pulumi.Output.json_dumps(environment, sort_keys=True),
        },
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[function, *after]),
    )
    actions = list(watch.alarm_actions)
    alarm = aws.cloudwatch.MetricAlarm(
        f"{name}-watch-alarm",
        alarm_description=f"Rockset's lockdown for {stack} {name} does not hold, or was not "
        f"checked (the watcher {fixed_name} did not report)",
        namespace=NAMESPACE,
        metric_name=METRIC_HOLDS,
        dimensions=dimensions,
        statistic="Minimum",
        period=watch.schedule.alarm_period,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="LessThanThreshold",
        treat_missing_data="breaching",
        alarm_actions=actions,
        ok_actions=actions,
        tags=tags,
        # Created after the first run has reported, so that a new stack's alarm starts from
        # data, not from missing data (ALARM). Destroy then removes the alarm before the
        # schedule stops the runs that feed it: a destroy longer than its period would
        # otherwise alarm on the missing data.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[rule, first_run]),
    )
    cost = estimate_watch_cost(watch.schedule.runs_per_day, metrics=2).as_output()
    output = pulumi.Output.all(alarm_name=alarm.name, alarm_arn=alarm.arn).apply(
        lambda found: {
            **found,
            "namespace": NAMESPACE,
            "metrics": [METRIC_HOLDS, METRIC_UNEXPECTED],
            "dimensions": dimensions,
            "schedule": watch.schedule.expression,
            "function_name": fixed_name,
            "monthly_cost": cost,
        }
    )
    return WatchFunction(
        secret, version, group, role, function, rule, invoke, first_run, alarm, output
    )
