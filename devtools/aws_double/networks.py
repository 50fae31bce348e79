"""aws.ec2.Vpc and aws.ec2.Subnet, as pulumi-aws 7.x manages them over EC2.

A user's first program creates its network in the same stack as the component, so the double
serves these two as a user writes them: a VPC from an IPv4 CIDR block with its DNS attributes and
tags, and subnets of it in chosen zones. Inputs for what the double does not emulate (IPAM pools,
IPv6, Outposts, public IPs on launch) are refused by name rather than ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from devtools.aws_double.ec2 import Ec2, Props, tags_to_dict, tags_to_list
from devtools.aws_double.errors import UnsupportedTokenError

__all__ = ["SUBNET", "VPC", "Subnets", "Vpcs", "subnet_outputs", "vpc_outputs"]

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"

_DNS_ATTRIBUTES = (
    ("enableDnsSupport", "EnableDnsSupport"),
    ("enableDnsHostnames", "EnableDnsHostnames"),
)
_MADE_WITH = {
    "network ACL": ("describe_network_acls", "NetworkAcls", "NetworkAclId"),
    "route table": ("describe_route_tables", "RouteTables", "RouteTableId"),
    "security group": ("describe_security_groups", "SecurityGroups", "GroupId"),
}


def _refuse_unsupported(token: str, inputs: Mapping[str, Any], supported: Collection[str]) -> None:
    # An explicit "off" (False, "", empty) is what the double does anyway, so it passes.
    for key, value in sorted(inputs.items()):
        if key not in supported and value not in (None, False, "", [], {}):
            raise UnsupportedTokenError("argument", f"{token} {key}")


def _given(parameter: str, value: Any) -> Props:
    # Left out rather than sent empty, so that AWS answers a missing value as it does.
    return {parameter: value} if value else {}


def _tag_specifications(resource_type: str, inputs: Mapping[str, Any]) -> Props:
    tags = inputs.get("tags") or {}
    if not tags:
        return {}
    return {"TagSpecifications": [{"ResourceType": resource_type, "Tags": tags_to_list(tags)}]}


def _made_with(ec2: Ec2, operation: str, what: str, vpc_id: str, **match: str) -> str:
    """The id of a resource AWS made along with the VPC: its default ACL, group or main table."""
    method, key, id_key = _MADE_WITH[what]
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}] + [
        {"Name": name, "Values": [value]} for name, value in match.items()
    ]
    found = ec2.call(operation, method, Filters=filters)[key]
    return str(found[0][id_key]) if found else ""


def vpc_outputs(ec2: Ec2, vpc: Mapping[str, Any]) -> Props:
    """The Vpc resource's outputs for a VPC as EC2 describes it."""
    vpc_id = vpc["VpcId"]
    operation = f"reading EC2 VPC ({vpc_id})"
    dns_support, dns_hostnames = ec2.vpc_dns_attributes(vpc_id, operation)
    main_table = _made_with(ec2, operation, "route table", vpc_id, **{"association.main": "true"})
    tags = tags_to_dict(vpc.get("Tags", []))
    return {
        "id": vpc_id,
        "arn": f"arn:aws:ec2:{ec2.region}:{vpc['OwnerId']}:vpc/{vpc_id}",
        "assignGeneratedIpv6CidrBlock": False,
        "cidrBlock": vpc["CidrBlock"],
        "defaultNetworkAclId": _made_with(ec2, operation, "network ACL", vpc_id, default="true"),
        # The table AWS made with the VPC; it stays the default when another becomes main.
        "defaultRouteTableId": main_table,
        "defaultSecurityGroupId": _made_with(
            ec2, operation, "security group", vpc_id, **{"group-name": "default"}
        ),
        "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
        "enableDnsHostnames": dns_hostnames,
        "enableDnsSupport": dns_support,
        "enableNetworkAddressUsageMetrics": False,
        "instanceTenancy": vpc.get("InstanceTenancy", "default"),
        "ipv6AssociationId": "",
        "ipv6CidrBlock": "",
        "ipv6CidrBlockNetworkBorderGroup": "",
        "mainRouteTableId": main_table,
        "ownerId": vpc["OwnerId"],
        "region": ec2.region,
        "tags": tags or None,
        "tagsAll": tags,
    }


def subnet_outputs(ec2: Ec2, subnet: Mapping[str, Any]) -> Props:
    """The Subnet resource's outputs for a subnet as EC2 describes it."""
    dns = subnet.get("PrivateDnsNameOptionsOnLaunch", {})
    tags = tags_to_dict(subnet.get("Tags", []))
    return {
        "id": subnet["SubnetId"],
        "arn": subnet["SubnetArn"],
        "assignIpv6AddressOnCreation": subnet.get("AssignIpv6AddressOnCreation", False),
        "availabilityZone": subnet["AvailabilityZone"],
        "availabilityZoneId": subnet.get("AvailabilityZoneId", ""),
        "cidrBlock": subnet["CidrBlock"],
        "customerOwnedIpv4Pool": "",
        "enableDns64": subnet.get("EnableDns64", False),
        "enableLniAtDeviceIndex": 0,
        "enableResourceNameDnsARecordOnLaunch": dns.get("EnableResourceNameDnsARecord", False),
        "enableResourceNameDnsAaaaRecordOnLaunch": dns.get(
            "EnableResourceNameDnsAAAARecord", False
        ),
        "ipv6CidrBlock": "",
        "ipv6CidrBlockAssociationId": "",
        "ipv6Native": subnet.get("Ipv6Native", False),
        "mapCustomerOwnedIpOnLaunch": False,
        "mapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch", False),
        "outpostArn": "",
        "ownerId": subnet["OwnerId"],
        "privateDnsHostnameTypeOnLaunch": dns.get("HostnameType", "ip-name"),
        "region": ec2.region,
        "tags": tags or None,
        "tagsAll": tags,
        "vpcId": subnet["VpcId"],
    }


class Vpcs:
    """The `aws:ec2/vpc:Vpc` resource type."""

    token = VPC
    replace_on_change = frozenset({"cidrBlock", "region"})
    computed_outputs = (
        "arn",
        "ownerId",
        "cidrBlock",
        "defaultNetworkAclId",
        "defaultRouteTableId",
        "defaultSecurityGroupId",
        "dhcpOptionsId",
        "enableDnsHostnames",
        "enableNetworkAddressUsageMetrics",
        "mainRouteTableId",
        "ipv6AssociationId",
        "ipv6CidrBlock",
        "tagsAll",
    )
    _supported = frozenset(
        {"cidrBlock", "enableDnsSupport", "enableDnsHostnames", "instanceTenancy", "tags", "region"}
    )

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        _refuse_unsupported(self.token, inputs, self._supported)
        # The schema's defaults; enableDnsHostnames has none (computed), so it is not added.
        checked = {
            "enableDnsSupport": True,
            "instanceTenancy": "default",
            "region": ec2.region,
            **inputs,
        }
        return checked, []

    def canonical(self, key: str, value: Any) -> Any:
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        cidr = inputs.get("cidrBlock")
        operation = f"creating EC2 VPC ({cidr})"
        vpc = ec2.call(
            operation,
            "create_vpc",
            InstanceTenancy=inputs.get("instanceTenancy") or "default",
            **_given("CidrBlock", cidr),
            **_tag_specifications("vpc", inputs),
        )["Vpc"]
        vpc_id = str(vpc["VpcId"])
        # AWS creates a VPC with DNS support on and DNS hostnames off.
        self._set_dns(ec2, vpc_id, (True, False), inputs, f"creating EC2 VPC ({vpc_id})")
        return vpc_id

    def read(self, ec2: Ec2, vpc_id: str) -> Props | None:
        vpc = self._describe(ec2, vpc_id, f"reading EC2 VPC ({vpc_id})")
        return None if vpc is None else vpc_outputs(ec2, vpc)

    def update(
        self, ec2: Ec2, vpc_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        operation = f"updating EC2 VPC ({vpc_id})"
        vpc = ec2.call(operation, "describe_vpcs", VpcIds=[vpc_id])["Vpcs"][0]
        current = ec2.vpc_dns_attributes(vpc_id, operation)
        self._set_dns(ec2, vpc_id, current, news, operation)
        ec2.sync_tags(vpc_id, tags_to_dict(vpc.get("Tags", [])), news.get("tags") or {})

    def delete(self, ec2: Ec2, vpc_id: str, props: Mapping[str, Any]) -> None:
        # Already gone is deleted, as pulumi-aws treats it.
        ec2.call_unless(
            "InvalidVpcID.NotFound", f"deleting EC2 VPC ({vpc_id})", "delete_vpc", VpcId=vpc_id
        )

    @staticmethod
    def _describe(ec2: Ec2, vpc_id: str, operation: str) -> Props | None:
        found = ec2.call_unless(
            "InvalidVpcID.NotFound", operation, "describe_vpcs", VpcIds=[vpc_id]
        )
        return None if found is None else dict(found["Vpcs"][0])

    @staticmethod
    def _set_dns(
        ec2: Ec2,
        vpc_id: str,
        current: tuple[bool, bool],
        inputs: Mapping[str, Any],
        operation: str,
    ) -> None:
        """Change each DNS attribute the inputs set to another value than `current`; one left
        out of the inputs keeps its value (both are optional and computed upstream)."""
        for (key, attribute), now in zip(_DNS_ATTRIBUTES, current, strict=True):
            wanted = inputs.get(key)
            if wanted is not None and bool(wanted) != now:
                ec2.call(
                    operation,
                    "modify_vpc_attribute",
                    VpcId=vpc_id,
                    **{attribute: {"Value": bool(wanted)}},
                )


class Subnets:
    """The `aws:ec2/subnet:Subnet` resource type."""

    token = SUBNET
    replace_on_change = frozenset({"vpcId", "cidrBlock", "availabilityZone", "region"})
    computed_outputs = (
        "arn",
        "ownerId",
        "availabilityZone",
        "availabilityZoneId",
        "ipv6CidrBlockAssociationId",
        "privateDnsHostnameTypeOnLaunch",
        "tagsAll",
    )
    _supported = frozenset({"vpcId", "cidrBlock", "availabilityZone", "tags", "region"})

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        _refuse_unsupported(self.token, inputs, self._supported)
        checked = {"region": ec2.region, **inputs}
        failures = (
            [("vpcId", "Missing required property 'vpcId'")] if checked.get("vpcId") is None else []
        )
        return checked, failures

    def canonical(self, key: str, value: Any) -> Any:
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        cidr = inputs.get("cidrBlock")
        zone = inputs.get("availabilityZone")
        subnet = ec2.call(
            f"creating EC2 Subnet ({cidr})",
            "create_subnet",
            VpcId=inputs["vpcId"],
            **_given("CidrBlock", cidr),
            **_given("AvailabilityZone", zone),
            **_tag_specifications("subnet", inputs),
        )["Subnet"]
        return str(subnet["SubnetId"])

    def read(self, ec2: Ec2, subnet_id: str) -> Props | None:
        subnet = self._describe(ec2, subnet_id, f"reading EC2 Subnet ({subnet_id})")
        return None if subnet is None else subnet_outputs(ec2, subnet)

    def update(
        self, ec2: Ec2, subnet_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        operation = f"updating EC2 Subnet ({subnet_id})"
        subnet = ec2.call(operation, "describe_subnets", SubnetIds=[subnet_id])["Subnets"][0]
        ec2.sync_tags(subnet_id, tags_to_dict(subnet.get("Tags", [])), news.get("tags") or {})

    def delete(self, ec2: Ec2, subnet_id: str, props: Mapping[str, Any]) -> None:
        ec2.call_unless(
            "InvalidSubnetID.NotFound",
            f"deleting EC2 Subnet ({subnet_id})",
            "delete_subnet",
            SubnetId=subnet_id,
        )

    @staticmethod
    def _describe(ec2: Ec2, subnet_id: str, operation: str) -> Props | None:
        found = ec2.call_unless(
            "InvalidSubnetID.NotFound", operation, "describe_subnets", SubnetIds=[subnet_id]
        )
        return None if found is None else dict(found["Subnets"][0])
