"""aws.cloudwatch.LogGroup, as pulumi-aws 7.x manages it over CloudWatch Logs: a name, a
retention in days (0: kept forever), tags; the id is the name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devtools.aws_double.ec2 import Ec2, Props, autoname
from devtools.aws_double.errors import UnsupportedTokenError

__all__ = ["LOG_GROUP", "LogGroups"]

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

_NOT_FOUND = "ResourceNotFoundException"
_SUPPORTED = frozenset({"name", "retentionInDays", "tags", "logGroupClass", "region"})


class LogGroups:
    """The `aws:cloudwatch/logGroup:LogGroup` resource type."""

    token = LOG_GROUP
    replace_on_change = frozenset({"name", "namePrefix", "logGroupClass", "region"})
    computed_outputs = ("arn", "tagsAll")

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        for key, value in sorted(inputs.items()):
            if key not in _SUPPORTED and value not in (None, False, "", [], {}):
                raise UnsupportedTokenError("argument", f"{self.token} {key}")
        checked = {"region": ec2.region, "logGroupClass": "STANDARD", **inputs}
        if checked.get("name") is None:
            checked["name"] = olds.get("name") or autoname(name, seed)
        return checked, []

    def canonical(self, key: str, value: Any) -> Any:
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        name = str(inputs["name"])
        operation = f"creating CloudWatch Logs Log Group ({name})"
        ec2.call_on(
            ec2.logs,
            operation,
            "create_log_group",
            logGroupName=name,
            logGroupClass=inputs["logGroupClass"],
            **({"tags": dict(inputs["tags"])} if inputs.get("tags") else {}),
        )
        self._set_retention(ec2, name, inputs.get("retentionInDays"), operation)
        return name

    def read(self, ec2: Ec2, name: str) -> Props | None:
        operation = f"reading CloudWatch Logs Log Group ({name})"
        found = ec2.call_on(ec2.logs, operation, "describe_log_groups", logGroupNamePrefix=name)
        groups = [g for g in found.get("logGroups", []) if g["logGroupName"] == name]
        if not groups:
            return None
        group = groups[0]
        tags = ec2.call_on(
            ec2.logs,
            operation,
            "list_tags_for_resource",
            resourceArn=group["arn"].removesuffix(":*"),
        ).get("tags", {})
        return {
            "id": name,
            "arn": group["arn"].removesuffix(":*"),
            "name": name,
            "namePrefix": "",
            "retentionInDays": group.get("retentionInDays", 0),
            "kmsKeyId": group.get("kmsKeyId", ""),
            "logGroupClass": group.get("logGroupClass", "STANDARD"),
            "skipDestroy": False,
            "tags": tags or None,
            "tagsAll": tags,
            "region": ec2.region,
        }

    def update(self, ec2: Ec2, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        operation = f"updating CloudWatch Logs Log Group ({name})"
        self._set_retention(ec2, name, news.get("retentionInDays"), operation)
        arn = self.read(ec2, name)
        if arn is None:
            return
        old_tags, new_tags = olds.get("tags") or {}, news.get("tags") or {}
        if removed := [key for key in old_tags if key not in new_tags]:
            ec2.call_on(
                ec2.logs, operation, "untag_resource", resourceArn=arn["arn"], tagKeys=removed
            )
        if new_tags:
            ec2.call_on(
                ec2.logs, operation, "tag_resource", resourceArn=arn["arn"], tags=dict(new_tags)
            )

    def delete(self, ec2: Ec2, name: str, props: Mapping[str, Any]) -> None:
        ec2.call_on_unless(
            ec2.logs,
            _NOT_FOUND,
            f"deleting CloudWatch Logs Log Group ({name})",
            "delete_log_group",
            logGroupName=name,
        )

    @staticmethod
    def _set_retention(ec2: Ec2, name: str, days: Any, operation: str) -> None:
        if days:
            ec2.call_on(
                ec2.logs,
                operation,
                "put_retention_policy",
                logGroupName=name,
                retentionInDays=int(days),
            )
        else:
            ec2.call_on(ec2.logs, operation, "delete_retention_policy", logGroupName=name)
