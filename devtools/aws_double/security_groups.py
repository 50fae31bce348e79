"""aws.ec2.SecurityGroup with inline rules, as pulumi-aws 7.x manages it over EC2.

As pulumi-aws does, creating a group revokes the allow-all egress AWS gives a new one. A direction
(`ingress`, `egress`) listed inline, even empty, is authoritative: creating or updating the group
revokes whatever else AWS holds in it. A direction left out of the inputs is not managed by the
group, so rules made as resources of their own (`security_group_rules`) stay. Rules name CIDR
blocks or other security groups, as the component's do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from devtools.aws_double.ec2 import Ec2, Props, autoname, tags_to_dict, tags_to_list

__all__ = ["SECURITY_GROUP", "Grant", "SecurityGroups", "rule_grants"]

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"

_ALL_TRAFFIC = "-1"

Grant = tuple[str, int, int, str, str, str]
"""One rule reduced to one grant: (protocol, fromPort, toPort, kind, target, description). AWS
merges and splits rules freely, so rule lists are compared and synchronised as sets of these."""

_RULE_KEYS = {"cidr": "cidrBlocks", "group": "securityGroups"}
_PERMISSION_KEYS = {"cidr": ("IpRanges", "CidrIp"), "group": ("UserIdGroupPairs", "GroupId")}
_DIRECTIONS = (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress"))


def _ports(protocol: str, from_port: Any, to_port: Any) -> tuple[int, int]:
    # AWS ignores ports for "all traffic" rules; the Terraform state shows them as 0.
    if protocol == _ALL_TRAFFIC:
        return 0, 0
    return int(from_port or 0), int(to_port or 0)


def rule_grants(rules: Iterable[Mapping[str, Any]]) -> set[Grant]:
    """Grants of pulumi-aws inline rules (`ingress`/`egress` items)."""
    grants: set[Grant] = set()
    for rule in rules:
        protocol = str(rule["protocol"])
        from_port, to_port = _ports(protocol, rule.get("fromPort"), rule.get("toPort"))
        description = rule.get("description") or ""
        grants.update(
            (protocol, from_port, to_port, kind, target, description)
            for kind, key in _RULE_KEYS.items()
            for target in rule.get(key) or []
        )
    return grants


def _permission_grants(permissions: Iterable[Mapping[str, Any]]) -> set[Grant]:
    grants: set[Grant] = set()
    for perm in permissions:
        protocol = str(perm["IpProtocol"])
        from_port, to_port = _ports(protocol, perm.get("FromPort"), perm.get("ToPort"))
        grants.update(
            (protocol, from_port, to_port, kind, entry[item_key], entry.get("Description", ""))
            for kind, (list_key, item_key) in _PERMISSION_KEYS.items()
            for entry in perm.get(list_key, [])
        )
    return grants


def _permissions(grants: Iterable[Grant]) -> list[Props]:
    permissions = []
    for protocol, from_port, to_port, kind, target, description in sorted(grants):
        list_key, item_key = _PERMISSION_KEYS[kind]
        entry = {item_key: target} | ({"Description": description} if description else {})
        ports = {} if protocol == _ALL_TRAFFIC else {"FromPort": from_port, "ToPort": to_port}
        permissions.append({"IpProtocol": protocol, **ports, list_key: [entry]})
    return permissions


def _rules(grants: Iterable[Grant]) -> list[Props]:
    grouped: dict[tuple[str, int, int, str], list[tuple[str, str]]] = {}
    for protocol, from_port, to_port, kind, target, description in grants:
        grouped.setdefault((protocol, from_port, to_port, description), []).append((kind, target))
    return [
        {
            "protocol": protocol,
            "fromPort": from_port,
            "toPort": to_port,
            "description": description,
            "self": False,
            "ipv6CidrBlocks": [],
            "prefixListIds": [],
        }
        | {key: sorted(t for k, t in targets if k == kind) for kind, key in _RULE_KEYS.items()}
        for (protocol, from_port, to_port, description), targets in sorted(grouped.items())
    ]


class SecurityGroups:
    """The `aws:ec2/securityGroup:SecurityGroup` resource type."""

    token = SECURITY_GROUP
    replace_on_change = frozenset({"vpcId", "name", "description", "region"})
    computed_outputs = ("arn", "ownerId", "ingress", "egress", "tagsAll")

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        checked = {"region": ec2.region, **inputs}
        if checked.get("name") is None:
            # Autonamed once: an update keeps the name rather than replacing the group.
            checked["name"] = olds.get("name") or autoname(name, seed)
        return checked, []

    def canonical(self, key: str, value: Any) -> Any:
        return rule_grants(value) if key in ("ingress", "egress") else value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        name = inputs["name"]
        kwargs: Props = {
            "GroupName": name,
            "Description": inputs["description"],
            "VpcId": inputs["vpcId"],
        }
        if inputs.get("tags"):
            kwargs["TagSpecifications"] = [
                {"ResourceType": "security-group", "Tags": tags_to_list(inputs["tags"])}
            ]
        operation = f"creating Security Group ({name})"
        group_id: str = ec2.call(operation, "create_security_group", **kwargs)["GroupId"]
        group = self._describe(ec2, group_id, operation)
        if default_egress := group.get("IpPermissionsEgress"):
            ec2.call(
                operation,
                "revoke_security_group_egress",
                GroupId=group_id,
                IpPermissions=default_egress,
            )
        self._sync_rules(ec2, self._describe(ec2, group_id, operation), inputs)
        return group_id

    def read(self, ec2: Ec2, group_id: str) -> Props | None:
        found = ec2.call_unless(
            "InvalidGroup.NotFound",
            f"reading Security Group ({group_id})",
            "describe_security_groups",
            GroupIds=[group_id],
        )
        return None if found is None else self._outputs(ec2, found["SecurityGroups"][0])

    def update(
        self, ec2: Ec2, group_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        group = self._describe(ec2, group_id, f"updating Security Group ({group_id})")
        ec2.sync_tags(group_id, tags_to_dict(group.get("Tags", [])), news.get("tags") or {})
        self._sync_rules(ec2, group, news)

    def delete(self, ec2: Ec2, group_id: str, props: Mapping[str, Any]) -> None:
        # Already gone is deleted, as pulumi-aws treats it.
        ec2.call_unless(
            "InvalidGroup.NotFound",
            f"deleting Security Group ({group_id})",
            "delete_security_group",
            GroupId=group_id,
        )

    @staticmethod
    def _describe(ec2: Ec2, group_id: str, operation: str) -> Props:
        groups = ec2.call(operation, "describe_security_groups", GroupIds=[group_id])
        return dict(groups["SecurityGroups"][0])

    @staticmethod
    def _sync_rules(ec2: Ec2, group: Mapping[str, Any], inputs: Mapping[str, Any]) -> None:
        group_id = group["GroupId"]
        for direction, key in _DIRECTIONS:
            if direction not in inputs:
                continue
            current = _permission_grants(group.get(key, []))
            desired = rule_grants(inputs.get(direction) or [])
            operation = f"updating Security Group ({group_id}) {direction} rules"
            if stale := current - desired:
                ec2.call(
                    operation,
                    f"revoke_security_group_{direction}",
                    GroupId=group_id,
                    IpPermissions=_permissions(stale),
                )
            if missing := desired - current:
                ec2.call(
                    operation,
                    f"authorize_security_group_{direction}",
                    GroupId=group_id,
                    IpPermissions=_permissions(missing),
                )

    @staticmethod
    def _outputs(ec2: Ec2, group: Mapping[str, Any]) -> Props:
        tags = tags_to_dict(group.get("Tags", []))
        return {
            "id": group["GroupId"],
            "arn": group["SecurityGroupArn"],
            "ownerId": group["OwnerId"],
            "name": group["GroupName"],
            "namePrefix": "",
            "description": group["Description"],
            "vpcId": group.get("VpcId", ""),
            "ingress": _rules(_permission_grants(group.get("IpPermissions", []))),
            "egress": _rules(_permission_grants(group.get("IpPermissionsEgress", []))),
            "tags": tags or None,
            "tagsAll": tags,
            "revokeRulesOnDelete": False,
            "region": ec2.region,
        }
