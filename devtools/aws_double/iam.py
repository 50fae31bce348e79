"""aws.iam.Role and aws.iam.RolePolicyAttachment, as pulumi-aws 7.x manages them over IAM.

The probe function's role: a trust policy, tags, and managed policies attached as resources of
their own (a role's inline `managedPolicyArns` is deprecated upstream and not emulated). IAM
refuses to delete a role that still has a policy attached (`DeleteConflict`), so destroy must
detach first, as the engine's order does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from devtools.aws_double.ec2 import Ec2, Props, autoname
from devtools.aws_double.errors import AwsApiError, UnsupportedTokenError

__all__ = ["ROLE", "ROLE_POLICY_ATTACHMENT", "RolePolicyAttachments", "Roles"]

ROLE = "aws:iam/role:Role"
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

_NO_SUCH_ENTITY = "NoSuchEntity"
_ROLE_SUPPORTED = frozenset(
    {"name", "assumeRolePolicy", "description", "path", "maxSessionDuration", "tags"}
)


def _refuse_unsupported(token: str, inputs: Mapping[str, Any], supported: frozenset[str]) -> None:
    for key, value in sorted(inputs.items()):
        if key not in supported and value not in (None, False, "", [], {}):
            raise UnsupportedTokenError("argument", f"{token} {key}")


def _policy_text(document: Any) -> str:
    """A policy document as pulumi-aws reports it: compact JSON (IAM returns it URL-encoded)."""
    if isinstance(document, str):
        document = json.loads(unquote(document))
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


class Roles:
    """The `aws:iam/role:Role` resource type."""

    token = ROLE
    replace_on_change = frozenset({"name", "path"})
    computed_outputs = ("arn", "uniqueId", "createDate", "managedPolicyArns", "tagsAll")

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        _refuse_unsupported(self.token, inputs, _ROLE_SUPPORTED)
        checked = {"path": "/", "maxSessionDuration": 3600, **inputs}
        if checked.get("name") is None:
            checked["name"] = olds.get("name") or autoname(name, seed)
        failures = []
        if checked.get("assumeRolePolicy") is None:
            failures.append(("assumeRolePolicy", "Missing required property 'assumeRolePolicy'"))
        return checked, failures

    def canonical(self, key: str, value: Any) -> Any:
        return _policy_text(value) if key == "assumeRolePolicy" and value else value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        name = str(inputs["name"])
        tags = inputs.get("tags") or {}
        ec2.call_on(
            ec2.iam,
            f"creating IAM Role ({name})",
            "create_role",
            RoleName=name,
            Path=inputs["path"],
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            Description=inputs.get("description") or "",
            MaxSessionDuration=int(inputs["maxSessionDuration"]),
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
        return name

    def read(self, ec2: Ec2, name: str) -> Props | None:
        operation = f"reading IAM Role ({name})"
        found = ec2.call_on_unless(ec2.iam, _NO_SUCH_ENTITY, operation, "get_role", RoleName=name)
        if found is None:
            return None
        role = found["Role"]
        attached = ec2.call_on(ec2.iam, operation, "list_attached_role_policies", RoleName=name)[
            "AttachedPolicies"
        ]
        tags = {tag["Key"]: tag["Value"] for tag in role.get("Tags", [])}
        return {
            "id": name,
            "arn": role["Arn"],
            "name": name,
            "namePrefix": "",
            "uniqueId": role["RoleId"],
            "createDate": role["CreateDate"].isoformat(),
            "path": role["Path"],
            "assumeRolePolicy": _policy_text(role["AssumeRolePolicyDocument"]),
            "description": role.get("Description") or "",
            "maxSessionDuration": role.get("MaxSessionDuration", 3600),
            "forceDetachPolicies": False,
            "permissionsBoundary": "",
            "managedPolicyArns": sorted(p["PolicyArn"] for p in attached),
            "inlinePolicies": [],
            "tags": tags or None,
            "tagsAll": tags,
        }

    def update(self, ec2: Ec2, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        operation = f"updating IAM Role ({name})"
        if self.canonical("assumeRolePolicy", olds.get("assumeRolePolicy")) != self.canonical(
            "assumeRolePolicy", news["assumeRolePolicy"]
        ):
            ec2.call_on(
                ec2.iam,
                operation,
                "update_assume_role_policy",
                RoleName=name,
                PolicyDocument=news["assumeRolePolicy"],
            )
        ec2.call_on(
            ec2.iam,
            operation,
            "update_role",
            RoleName=name,
            Description=news.get("description") or "",
            MaxSessionDuration=int(news["maxSessionDuration"]),
        )
        old_tags, new_tags = olds.get("tags") or {}, news.get("tags") or {}
        if removed := [key for key in old_tags if key not in new_tags]:
            ec2.call_on(ec2.iam, operation, "untag_role", RoleName=name, TagKeys=removed)
        if new_tags:
            tags = [{"Key": k, "Value": v} for k, v in new_tags.items()]
            ec2.call_on(ec2.iam, operation, "tag_role", RoleName=name, Tags=tags)

    def delete(self, ec2: Ec2, name: str, props: Mapping[str, Any]) -> None:
        operation = f"deleting IAM Role ({name})"
        found = ec2.call_on_unless(ec2.iam, _NO_SUCH_ENTITY, operation, "get_role", RoleName=name)
        if found is None:
            return
        attached = ec2.call_on(ec2.iam, operation, "list_attached_role_policies", RoleName=name)[
            "AttachedPolicies"
        ]
        if attached:
            # IAM's own refusal; moto deletes such a role regardless.
            raise AwsApiError(
                operation,
                "DeleteConflict",
                "Cannot delete entity, must detach all policies first.",
            )
        ec2.call_on(ec2.iam, operation, "delete_role", RoleName=name)


class RolePolicyAttachments:
    """The `aws:iam/rolePolicyAttachment:RolePolicyAttachment` resource type."""

    token = ROLE_POLICY_ATTACHMENT
    replace_on_change = frozenset({"role", "policyArn"})
    computed_outputs = ()

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        _refuse_unsupported(self.token, inputs, frozenset({"role", "policyArn"}))
        failures = [
            (key, f"Missing required property '{key}'")
            for key in ("role", "policyArn")
            if inputs.get(key) is None
        ]
        return dict(inputs), failures

    def canonical(self, key: str, value: Any) -> Any:
        return value

    @staticmethod
    def _id(role: str, policy_arn: str) -> str:
        # pulumi-aws's ids are the role name and a unique suffix.
        return f"{role}-{hashlib.sha256(policy_arn.encode()).hexdigest()[:20]}"

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        role, policy_arn = str(inputs["role"]), str(inputs["policyArn"])
        ec2.call_on(
            ec2.iam,
            f"attaching IAM Policy ({policy_arn}) to IAM Role ({role})",
            "attach_role_policy",
            RoleName=role,
            PolicyArn=policy_arn,
        )
        return self._id(role, policy_arn)

    def read(self, ec2: Ec2, attachment_id: str) -> Props | None:
        role = attachment_id.rsplit("-", 1)[0]
        found = ec2.call_on_unless(
            ec2.iam,
            _NO_SUCH_ENTITY,
            f"reading IAM Role Policy Attachment ({attachment_id})",
            "list_attached_role_policies",
            RoleName=role,
        )
        for policy in (found or {}).get("AttachedPolicies", []):
            if self._id(role, policy["PolicyArn"]) == attachment_id:
                return {"id": attachment_id, "role": role, "policyArn": policy["PolicyArn"]}
        return None

    def update(
        self, ec2: Ec2, attachment_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        return

    def delete(self, ec2: Ec2, attachment_id: str, props: Mapping[str, Any]) -> None:
        ec2.call_on_unless(
            ec2.iam,
            _NO_SUCH_ENTITY,
            f"detaching IAM Policy ({props['policyArn']}) from IAM Role ({props['role']})",
            "detach_role_policy",
            RoleName=props["role"],
            PolicyArn=props["policyArn"],
        )
