"""aws.vpc.SecurityGroupEgressRule, as pulumi-aws 7.x manages it over EC2: one rule of a group,
a resource of its own, identified by the rule id EC2 gives it (`sgr-...`).

The probe function's group holds no inline rules and this one rule (TCP 443 to the endpoint's
group), so the group's own update never revokes it (see `security_groups`). Rules name a CIDR
block or another security group.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devtools.aws_double.ec2 import Ec2, Props, tags_to_dict, tags_to_list
from devtools.aws_double.errors import AwsApiError, UnsupportedTokenError

__all__ = ["SECURITY_GROUP_EGRESS_RULE", "SecurityGroupEgressRules"]

SECURITY_GROUP_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"

_NOT_FOUND = "InvalidSecurityGroupRuleId.NotFound"
_SUPPORTED = frozenset(
    {
        "securityGroupId",
        "ipProtocol",
        "fromPort",
        "toPort",
        "cidrIpv4",
        "referencedSecurityGroupId",
        "description",
        "tags",
        "region",
    }
)


def _permission(inputs: Mapping[str, Any]) -> Props:
    """The rule as one EC2 IpPermission."""
    permission: Props = {"IpProtocol": str(inputs["ipProtocol"])}
    if inputs.get("fromPort") is not None:
        permission["FromPort"] = int(inputs["fromPort"])
    if inputs.get("toPort") is not None:
        permission["ToPort"] = int(inputs["toPort"])
    described = {"Description": inputs["description"]} if inputs.get("description") else {}
    if inputs.get("referencedSecurityGroupId"):
        permission["UserIdGroupPairs"] = [
            {"GroupId": inputs["referencedSecurityGroupId"], **described}
        ]
    else:
        permission["IpRanges"] = [{"CidrIp": inputs["cidrIpv4"], **described}]
    return permission


def _rule_request(inputs: Mapping[str, Any]) -> Props:
    """The rule as one EC2 SecurityGroupRuleRequest."""
    request: Props = {"IpProtocol": str(inputs["ipProtocol"])}
    for key, field in (("fromPort", "FromPort"), ("toPort", "ToPort")):
        if inputs.get(key) is not None:
            request[field] = int(inputs[key])
    if inputs.get("referencedSecurityGroupId"):
        request["ReferencedGroupId"] = inputs["referencedSecurityGroupId"]
    else:
        request["CidrIpv4"] = inputs["cidrIpv4"]
    request["Description"] = inputs.get("description") or ""
    return request


def _description(ec2: Ec2, rule: Mapping[str, Any], referenced: str | None) -> str:
    """The rule's description as its group lists it: moto's DescribeSecurityGroupRules leaves it
    out, which AWS's does not."""
    operation = f"reading VPC Security Group Egress Rule ({rule['SecurityGroupRuleId']})"
    groups = ec2.call(operation, "describe_security_groups", GroupIds=[rule["GroupId"]])
    for permission in groups["SecurityGroups"][0].get("IpPermissionsEgress", []):
        if (permission.get("IpProtocol"), permission.get("FromPort"), permission.get("ToPort")) != (
            rule["IpProtocol"],
            rule.get("FromPort"),
            rule.get("ToPort"),
        ):
            continue
        entries = [
            *(p for p in permission.get("UserIdGroupPairs", []) if p.get("GroupId") == referenced),
            *(r for r in permission.get("IpRanges", []) if r.get("CidrIp") == rule.get("CidrIpv4")),
        ]
        for entry in entries:
            return str(entry.get("Description", ""))
    return ""


class SecurityGroupEgressRules:
    """The `aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule` resource type."""

    token = SECURITY_GROUP_EGRESS_RULE
    replace_on_change = frozenset(
        {
            "securityGroupId",
            "ipProtocol",
            "fromPort",
            "toPort",
            "cidrIpv4",
            "referencedSecurityGroupId",
            "region",
        }
    )
    computed_outputs = ("arn", "securityGroupRuleId", "tagsAll")

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        for key, value in sorted(inputs.items()):
            if key not in _SUPPORTED and value not in (None, "", [], {}):
                raise UnsupportedTokenError("argument", f"{self.token} {key}")
        checked = {"region": ec2.region, **inputs}
        failures = [
            (key, f"Missing required property '{key}'")
            for key in ("securityGroupId", "ipProtocol")
            if checked.get(key) is None
        ]
        targets = [k for k in ("cidrIpv4", "referencedSecurityGroupId") if checked.get(k)]
        if len(targets) != 1:
            failures.append(
                (
                    "referencedSecurityGroupId",
                    "exactly one of cidrIpv4 or referencedSecurityGroupId must be specified",
                )
            )
        return checked, failures

    def canonical(self, key: str, value: Any) -> Any:
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        group_id = inputs["securityGroupId"]
        operation = f"creating VPC Security Group Egress Rule ({group_id})"
        tags = inputs.get("tags") or {}
        created = ec2.call(
            operation,
            "authorize_security_group_egress",
            GroupId=group_id,
            IpPermissions=[_permission(inputs)],
            **(
                {
                    "TagSpecifications": [
                        {"ResourceType": "security-group-rule", "Tags": tags_to_list(tags)}
                    ]
                }
                if tags
                else {}
            ),
        )
        rules = created.get("SecurityGroupRules") or []
        if not rules:
            raise AwsApiError(operation, "InvalidPermission.Malformed", "no rule was created")
        return str(rules[0]["SecurityGroupRuleId"])

    def read(self, ec2: Ec2, rule_id: str) -> Props | None:
        found = ec2.call_unless(
            _NOT_FOUND,
            f"reading VPC Security Group Egress Rule ({rule_id})",
            "describe_security_group_rules",
            SecurityGroupRuleIds=[rule_id],
        )
        rules = [r for r in (found or {}).get("SecurityGroupRules", []) if r.get("IsEgress")]
        if not rules:
            return None
        rule = rules[0]
        referenced = (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
        tags = tags_to_dict(rule.get("Tags", []))
        protocol = str(rule["IpProtocol"])
        return {
            "id": rule_id,
            "securityGroupRuleId": rule_id,
            "arn": f"arn:aws:ec2:{ec2.region}:{rule.get('GroupOwnerId', '')}:security-group-rule/"
            f"{rule_id}",
            "securityGroupId": rule["GroupId"],
            "ipProtocol": protocol,
            "fromPort": None if protocol == "-1" else rule.get("FromPort"),
            "toPort": None if protocol == "-1" else rule.get("ToPort"),
            "cidrIpv4": rule.get("CidrIpv4") or None,
            "referencedSecurityGroupId": referenced or None,
            "description": rule.get("Description") or _description(ec2, rule, referenced) or None,
            "tags": tags or None,
            "tagsAll": tags,
            "region": ec2.region,
        }

    def update(
        self, ec2: Ec2, rule_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        operation = f"updating VPC Security Group Egress Rule ({rule_id})"
        if (olds.get("description") or "") != (news.get("description") or ""):
            # pulumi-aws changes a rule in place by its id (ModifySecurityGroupRules), sending
            # the whole rule; the other fields replace it.
            ec2.call(
                operation,
                "modify_security_group_rules",
                GroupId=news["securityGroupId"],
                SecurityGroupRules=[
                    {"SecurityGroupRuleId": rule_id, "SecurityGroupRule": _rule_request(news)}
                ],
            )
        ec2.sync_tags(rule_id, olds.get("tags") or {}, news.get("tags") or {})

    def delete(self, ec2: Ec2, rule_id: str, props: Mapping[str, Any]) -> None:
        # Already gone (with its group, or by hand) is deleted, as pulumi-aws treats it.
        if self.read(ec2, rule_id) is None:
            return
        ec2.call_unless(
            "InvalidPermission.NotFound",
            f"deleting VPC Security Group Egress Rule ({rule_id})",
            "revoke_security_group_egress",
            GroupId=props["securityGroupId"],
            IpPermissions=[_permission(props)],
        )
