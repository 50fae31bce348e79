"""The resource types of the component's ``watch``, as pulumi-aws 7.x manages them over moto:

- ``aws:secretsmanager/secret:Secret`` (id: the ARN) and ``.../secretVersion:SecretVersion``
  (id: ``<secret ARN>|<version id>``);
- ``aws:iam/rolePolicy:RolePolicy`` (id: ``<role>:<policy name>``);
- ``aws:cloudwatch/eventRule:EventRule`` (id: the name), ``.../eventTarget:EventTarget`` (id:
  ``<rule>/<target id>``) and ``aws:lambda/permission:Permission`` (id: the statement id);
- ``aws:cloudwatch/metricAlarm:MetricAlarm`` (id: the name).

Each is the subset of arguments the component uses; any other argument is refused
(:class:`UnsupportedTokenError`), as elsewhere in the double. Updates are the service's ``put``
calls, which replace the whole object as pulumi-aws does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from devtools.aws_double.ec2 import Ec2, Props, autoname
from devtools.aws_double.errors import UnsupportedTokenError

__all__ = ["WATCH_RESOURCE_TYPES"]

SECRETS_TYPE = "aws:secretsmanager/secret:Secret"
VERSION_TYPE = "aws:secretsmanager/secretVersion:SecretVersion"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
PERMISSION = "aws:lambda/permission:Permission"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


_WRAPPED_SIG = "4dabf18193072939515e22adb298388d"
"""Pulumi's signature of a secret value, as Pulumi's mocks pass secret inputs (the plugin's
inputs arrive unwrapped)."""


def _revealed(value: Any) -> Any:
    if isinstance(value, Mapping) and _WRAPPED_SIG in value:
        return value.get("value")
    return value


def _client(ec2: Ec2, service: str) -> Any:
    if ec2.clients is None:
        raise UnsupportedTokenError("client", service)
    return ec2.clients(service, ec2.account_id())


def _tag_list(tags: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


def _tags_on(ec2: Ec2, service: str, arn: str) -> dict[str, str]:
    """The tags of ``arn`` (EventBridge and CloudWatch share the call's shape)."""
    found = ec2.call_on(
        _client(ec2, service), f"listing tags ({arn})", "list_tags_for_resource", ResourceARN=arn
    )["Tags"]
    return {t["Key"]: t["Value"] for t in found}


def _retag(ec2: Ec2, service: str, arn: str, wanted: Mapping[str, str] | None) -> None:
    """Make ``arn``'s tags ``wanted``, as pulumi-aws's update does (the put calls keep tags)."""
    stale = [key for key in _tags_on(ec2, service, arn) if key not in (wanted or {})]
    client = _client(ec2, service)
    if stale:
        ec2.call_on(client, f"untagging ({arn})", "untag_resource", ResourceARN=arn, TagKeys=stale)
    if wanted:
        ec2.call_on(
            client, f"tagging ({arn})", "tag_resource", ResourceARN=arn, Tags=_tag_list(wanted)
        )


class _Simple:
    """What every type here shares: the supported arguments, defaults and autonaming."""

    token = ""
    supported: frozenset[str] = frozenset()
    required: tuple[str, ...] = ()
    defaults: ClassVar[Mapping[str, Any]] = {}
    autonamed: str | None = "name"
    replace_on_change: frozenset[str] = frozenset()
    computed_outputs: tuple[str, ...] = ("arn",)

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        for key, value in sorted(inputs.items()):
            if key not in self.supported and value not in (None, False, "", [], {}):
                raise UnsupportedTokenError("argument", f"{self.token} {key}")
        checked = {**self.defaults, **{k: v for k, v in inputs.items() if v is not None}}
        if self.autonamed is not None and not checked.get(self.autonamed):
            checked[self.autonamed] = olds.get(self.autonamed) or autoname(name, seed)
        failures = [
            (key, f"Missing required property '{key}'")
            for key in self.required
            if checked.get(key) in (None, "")
        ]
        return checked, failures

    def canonical(self, key: str, value: Any) -> Any:
        return value


class Secrets(_Simple):
    token = SECRETS_TYPE
    supported = frozenset({"name", "description", "recoveryWindowInDays", "tags", "region"})
    defaults: ClassVar[Mapping[str, Any]] = {"recoveryWindowInDays": 30}
    replace_on_change = frozenset({"name"})
    kept_inputs = ("recoveryWindowInDays",)

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        tags = [{"Key": k, "Value": v} for k, v in (inputs.get("tags") or {}).items()]
        made = ec2.call_on(
            _client(ec2, "secretsmanager"),
            f"creating Secrets Manager Secret ({inputs['name']})",
            "create_secret",
            Name=inputs["name"],
            Description=inputs.get("description", ""),
            **({"Tags": tags} if tags else {}),
        )
        return str(made["ARN"])

    def read(self, ec2: Ec2, arn: str) -> Props | None:
        found = ec2.call_on_unless(
            _client(ec2, "secretsmanager"),
            "ResourceNotFoundException",
            f"reading Secrets Manager Secret ({arn})",
            "describe_secret",
            SecretId=arn,
        )
        if found is None or found.get("DeletedDate"):
            return None
        tags = {t["Key"]: t["Value"] for t in found.get("Tags", [])}
        return {
            "id": arn,
            "arn": arn,
            "name": found["Name"],
            "description": found.get("Description", ""),
            "tags": tags or None,
            "tagsAll": tags,
            "region": ec2.region,
        }

    def update(self, ec2: Ec2, arn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        ec2.call_on(
            _client(ec2, "secretsmanager"),
            f"updating Secrets Manager Secret ({arn})",
            "update_secret",
            SecretId=arn,
            Description=news.get("description", ""),
        )

    def delete(self, ec2: Ec2, arn: str, props: Mapping[str, Any]) -> None:
        days = int(props.get("recoveryWindowInDays", 30))
        ec2.call_on_unless(
            _client(ec2, "secretsmanager"),
            "ResourceNotFoundException",
            f"deleting Secrets Manager Secret ({arn})",
            "delete_secret",
            SecretId=arn,
            **(
                {"ForceDeleteWithoutRecovery": True}
                if days == 0
                else {"RecoveryWindowInDays": days}
            ),
        )


class SecretVersions(_Simple):
    token = VERSION_TYPE
    supported = frozenset({"secretId", "secretString", "region"})
    required = ("secretId", "secretString")
    autonamed = None
    replace_on_change = frozenset({"secretId", "secretString"})
    computed_outputs = ("arn", "versionId", "versionStages")
    kept_inputs = ("secretString",)

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        secret = str(inputs["secretId"])
        made = ec2.call_on(
            _client(ec2, "secretsmanager"),
            f"putting Secrets Manager Secret ({secret}) value",
            "put_secret_value",
            SecretId=secret,
            SecretString=_revealed(inputs["secretString"]),
        )
        return f"{secret}|{made['VersionId']}"

    def read(self, ec2: Ec2, version_id: str) -> Props | None:
        secret, _, version = version_id.partition("|")
        found = ec2.call_on_unless(
            _client(ec2, "secretsmanager"),
            "ResourceNotFoundException",
            f"reading Secrets Manager Secret Version ({version_id})",
            "describe_secret",
            SecretId=secret,
        )
        stages = (found or {}).get("VersionIdsToStages", {}).get(version)
        if found is None or found.get("DeletedDate") or stages is None:
            return None
        # The value itself is not read back: it stays what the inputs kept (a secret).
        return {
            "id": version_id,
            "arn": secret,
            "secretId": secret,
            "versionId": version,
            "versionStages": stages,
            "region": ec2.region,
        }

    def update(self, ec2: Ec2, resource_id: str, olds: Any, news: Any) -> None:
        return

    def delete(self, ec2: Ec2, version_id: str, props: Mapping[str, Any]) -> None:
        # pulumi-aws removes the version's stages; the secret's deletion removes the value.
        return


class RolePolicies(_Simple):
    token = ROLE_POLICY
    supported = frozenset({"name", "role", "policy"})
    required = ("role", "policy")
    replace_on_change = frozenset({"name", "role"})
    computed_outputs = ()

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        role, name = str(inputs["role"]), str(inputs["name"])
        ec2.call_on(
            ec2.iam,
            f"putting IAM Role ({role}) Policy ({name})",
            "put_role_policy",
            RoleName=role,
            PolicyName=name,
            PolicyDocument=inputs["policy"],
        )
        return f"{role}:{name}"

    def read(self, ec2: Ec2, policy_id: str) -> Props | None:
        role, _, name = policy_id.partition(":")
        found = ec2.call_on_unless(
            ec2.iam,
            "NoSuchEntity",
            f"reading IAM Role Policy ({policy_id})",
            "get_role_policy",
            RoleName=role,
            PolicyName=name,
        )
        if found is None:
            return None
        document = found["PolicyDocument"]
        policy = document if isinstance(document, str) else json.dumps(document)
        return {"id": policy_id, "role": role, "name": name, "policy": policy}

    def update(self, ec2: Ec2, policy_id: str, olds: Any, news: Mapping[str, Any]) -> None:
        self.create(ec2, news)

    def delete(self, ec2: Ec2, policy_id: str, props: Mapping[str, Any]) -> None:
        role, _, name = policy_id.partition(":")
        ec2.call_on_unless(
            ec2.iam,
            "NoSuchEntity",
            f"deleting IAM Role Policy ({policy_id})",
            "delete_role_policy",
            RoleName=role,
            PolicyName=name,
        )


class EventRules(_Simple):
    token = EVENT_RULE
    supported = frozenset({"name", "description", "scheduleExpression", "tags", "region"})
    required = ("scheduleExpression",)
    replace_on_change = frozenset({"name"})

    computed_outputs = ("arn", "tagsAll")

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        name = str(inputs["name"])
        tags = _tag_list(inputs.get("tags"))
        ec2.call_on(
            _client(ec2, "events"),
            f"creating EventBridge Rule ({name})",
            "put_rule",
            Name=name,
            ScheduleExpression=inputs["scheduleExpression"],
            Description=inputs.get("description", ""),
            State="ENABLED",
            **({"Tags": tags} if tags else {}),
        )
        return name

    def read(self, ec2: Ec2, name: str) -> Props | None:
        found = ec2.call_on_unless(
            _client(ec2, "events"),
            "ResourceNotFoundException",
            f"reading EventBridge Rule ({name})",
            "describe_rule",
            Name=name,
        )
        if found is None:
            return None
        tags = _tags_on(ec2, "events", found["Arn"])
        return {
            "id": name,
            "arn": found["Arn"],
            "name": name,
            "description": found.get("Description", ""),
            "scheduleExpression": found.get("ScheduleExpression", ""),
            "state": found.get("State", "ENABLED"),
            "tags": tags or None,
            "tagsAll": tags,
            "region": ec2.region,
        }

    def update(self, ec2: Ec2, name: str, olds: Any, news: Mapping[str, Any]) -> None:
        self.create(ec2, news)
        arn = ec2.call_on(
            _client(ec2, "events"), f"reading EventBridge Rule ({name})", "describe_rule", Name=name
        )["Arn"]
        _retag(ec2, "events", arn, news.get("tags"))

    def delete(self, ec2: Ec2, name: str, props: Mapping[str, Any]) -> None:
        ec2.call_on_unless(
            _client(ec2, "events"),
            "ResourceNotFoundException",
            f"deleting EventBridge Rule ({name})",
            "delete_rule",
            Name=name,
        )


class EventTargets(_Simple):
    token = EVENT_TARGET
    supported = frozenset({"rule", "arn", "targetId", "region"})
    required = ("rule", "arn")
    autonamed = "targetId"
    replace_on_change = frozenset({"rule", "targetId"})
    computed_outputs = ()

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        rule, target = str(inputs["rule"]), str(inputs["targetId"])
        ec2.call_on(
            _client(ec2, "events"),
            f"creating EventBridge Target ({rule}/{target})",
            "put_targets",
            Rule=rule,
            Targets=[{"Id": target, "Arn": inputs["arn"]}],
        )
        return f"{rule}/{target}"

    def read(self, ec2: Ec2, target_id: str) -> Props | None:
        rule, _, target = target_id.partition("/")
        found = ec2.call_on_unless(
            _client(ec2, "events"),
            "ResourceNotFoundException",
            f"reading EventBridge Target ({target_id})",
            "list_targets_by_rule",
            Rule=rule,
        )
        for item in (found or {}).get("Targets", []):
            if item["Id"] == target:
                return {"id": target_id, "rule": rule, "targetId": target, "arn": item["Arn"]}
        return None

    def update(self, ec2: Ec2, target_id: str, olds: Any, news: Mapping[str, Any]) -> None:
        self.create(ec2, news)

    def delete(self, ec2: Ec2, target_id: str, props: Mapping[str, Any]) -> None:
        rule, _, target = target_id.partition("/")
        ec2.call_on_unless(
            _client(ec2, "events"),
            "ResourceNotFoundException",
            f"deleting EventBridge Target ({target_id})",
            "remove_targets",
            Rule=rule,
            Ids=[target],
        )


class Permissions(_Simple):
    token = PERMISSION
    supported = frozenset({"action", "function", "principal", "sourceArn", "statementId"})
    required = ("action", "function", "principal")
    autonamed = "statementId"
    replace_on_change = supported
    computed_outputs = ()
    # GetPolicy gives these back in pulumi-aws; moto's policy document is not read here.
    kept_inputs = ("action", "function", "principal", "sourceArn")

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        statement = str(inputs["statementId"])
        ec2.call_on(
            ec2.lambda_,
            f"adding Lambda Permission ({statement})",
            "add_permission",
            FunctionName=inputs["function"],
            StatementId=statement,
            Action=inputs["action"],
            Principal=inputs["principal"],
            **({"SourceArn": inputs["sourceArn"]} if inputs.get("sourceArn") else {}),
        )
        return statement

    def read(self, ec2: Ec2, statement: str) -> Props | None:
        """The statement while a function's policy holds it (pulumi-aws reads the policy of
        the function in its state, which is not in the id: every function's is looked at);
        None once it was removed, so that a refresh drops it and the next up adds it again."""
        functions = ec2.call_on(ec2.lambda_, "listing Lambda Functions", "list_functions")
        for function in functions["Functions"]:
            name = function["FunctionName"]
            found = ec2.call_on_unless(
                ec2.lambda_,
                "ResourceNotFoundException",
                f"reading Lambda Permission ({statement})",
                "get_policy",
                FunctionName=name,
            )
            sids = [s.get("Sid") for s in json.loads(found["Policy"])["Statement"]] if found else []
            if statement in sids:
                return {"id": statement, "statementId": statement}
        return None

    def update(self, ec2: Ec2, statement: str, olds: Any, news: Any) -> None:
        return

    def delete(self, ec2: Ec2, statement: str, props: Mapping[str, Any]) -> None:
        ec2.call_on_unless(
            ec2.lambda_,
            "ResourceNotFoundException",
            f"removing Lambda Permission ({statement})",
            "remove_permission",
            FunctionName=props["function"],
            StatementId=statement,
        )


_ALARM_FIELDS = {
    "alarmDescription": "AlarmDescription",
    "namespace": "Namespace",
    "metricName": "MetricName",
    "statistic": "Statistic",
    "period": "Period",
    "evaluationPeriods": "EvaluationPeriods",
    "threshold": "Threshold",
    "comparisonOperator": "ComparisonOperator",
    "treatMissingData": "TreatMissingData",
    "alarmActions": "AlarmActions",
    "okActions": "OKActions",
}


class MetricAlarms(_Simple):
    token = METRIC_ALARM
    supported = frozenset({"name", "dimensions", "tags", "region", *_ALARM_FIELDS})
    required = ("comparisonOperator", "evaluationPeriods")
    defaults: ClassVar[Mapping[str, Any]] = {
        "treatMissingData": "missing",
        "alarmActions": [],
        "okActions": [],
    }
    replace_on_change = frozenset({"name"})
    computed_outputs = ("arn", "tagsAll")

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        name = str(inputs["name"])
        fields = {aws: inputs[key] for key, aws in _ALARM_FIELDS.items() if key in inputs}
        for number in ("Period", "EvaluationPeriods"):
            if number in fields:
                fields[number] = int(fields[number])
        dimensions = [{"Name": k, "Value": v} for k, v in (inputs.get("dimensions") or {}).items()]
        tags = _tag_list(inputs.get("tags"))
        ec2.call_on(
            _client(ec2, "cloudwatch"),
            f"creating CloudWatch Metric Alarm ({name})",
            "put_metric_alarm",
            AlarmName=name,
            Dimensions=dimensions,
            **fields,
            **({"Tags": tags} if tags else {}),
        )
        return name

    def read(self, ec2: Ec2, name: str) -> Props | None:
        found = ec2.call_on(
            _client(ec2, "cloudwatch"),
            f"reading CloudWatch Metric Alarm ({name})",
            "describe_alarms",
            AlarmNames=[name],
        )["MetricAlarms"]
        if not found:
            return None
        alarm = found[0]
        props: Props = {
            key: alarm[aws] for key, aws in _ALARM_FIELDS.items() if alarm.get(aws) is not None
        }
        tags = _tags_on(ec2, "cloudwatch", alarm["AlarmArn"])
        return {
            **props,
            "id": name,
            "arn": alarm["AlarmArn"],
            "name": name,
            "dimensions": {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
            "tags": tags or None,
            "tagsAll": tags,
            "region": ec2.region,
        }

    def update(self, ec2: Ec2, name: str, olds: Any, news: Mapping[str, Any]) -> None:
        self.create(ec2, news)
        found = self.read(ec2, name)
        if found is not None:
            _retag(ec2, "cloudwatch", found["arn"], news.get("tags"))

    def delete(self, ec2: Ec2, name: str, props: Mapping[str, Any]) -> None:
        ec2.call_on(
            _client(ec2, "cloudwatch"),
            f"deleting CloudWatch Metric Alarm ({name})",
            "delete_alarms",
            AlarmNames=[name],
        )


WATCH_RESOURCE_TYPES = (
    Secrets(),
    SecretVersions(),
    RolePolicies(),
    EventRules(),
    EventTargets(),
    Permissions(),
    MetricAlarms(),
)
"""The types above, for :data:`devtools.aws_double.model.RESOURCE_TYPES`."""
