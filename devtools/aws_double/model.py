"""EC2 behaviour of pulumi-aws 7.x, in its wire shapes, over a boto3 EC2 client talking to moto.

Properties are plain JSON-like values keyed by the camelCase names of pulumi-aws's schema. Values
unknown during a preview arrive as `pulumi.runtime.rpc.UNKNOWN` and are passed through.

Where moto falls short of AWS, the model supplies the AWS behaviour itself: Rockset's endpoint
services (see `catalog`), endpoint acceptance, AWS's DNS entry shapes, the AZ and private-DNS
checks of CreateVpcEndpoint, and PrivateDnsEnabled changes (moto's ModifyVpcEndpoint ignores them,
so the double records the value in a reserved tag that it never reports).
"""

from __future__ import annotations

import hashlib
import ipaddress
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.exceptions import ClientError
from pulumi.runtime.rpc import UNKNOWN

from devtools.aws_double.catalog import (
    Catalog,
    EndpointService,
    endpoint_state,
    registered_accounts_from_env,
)

Props = dict[str, Any]

PULUMI_AWS_VERSION = "7.51.1"

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GET_VPC_ENDPOINT_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
GET_VPC_ENDPOINT = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
GET_SUBNET = "aws:ec2/getSubnet:getSubnet"
GET_VPC = "aws:ec2/getVpc:getVpc"
GET_REGION = "aws:index/getRegion:getRegion"
GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"

REPLACE_ON_CHANGE: Mapping[str, frozenset[str]] = {
    SECURITY_GROUP: frozenset({"vpcId", "name", "namePrefix", "description", "region"}),
    VPC_ENDPOINT: frozenset({"vpcId", "serviceName", "vpcEndpointType", "region"}),
}
"""Inputs whose change forces replacement (ForceNew in the upstream Terraform schema)."""

_COMPUTED_OUTPUTS: Mapping[str, tuple[str, ...]] = {
    SECURITY_GROUP: ("arn", "ownerId", "ingress", "egress", "tagsAll"),
    VPC_ENDPOINT: (
        "arn",
        "ownerId",
        "state",
        "dnsEntries",
        "networkInterfaceIds",
        "cidrBlocks",
        "prefixListId",
        "requesterManaged",
        "tagsAll",
        "policy",
        "privateDnsEnabled",
        "ipAddressType",
        "dnsOptions",
        "subnetConfigurations",
        "subnetIds",
        "securityGroupIds",
        "routeTableIds",
    ),
}

_DATA_SOURCE_ENDPOINT_KEYS = (
    "id",
    "arn",
    "cidrBlocks",
    "dnsEntries",
    "ipAddressType",
    "networkInterfaceIds",
    "ownerId",
    "policy",
    "prefixListId",
    "privateDnsEnabled",
    "region",
    "requesterManaged",
    "routeTableIds",
    "securityGroupIds",
    "serviceName",
    "serviceRegion",
    "state",
    "subnetIds",
    "vpcEndpointType",
    "vpcId",
)
"""Outputs that aws.ec2.get_vpc_endpoint shares with the VpcEndpoint resource."""

_DEFAULT_DESCRIPTION = "Managed by Pulumi"
_PRIVATE_DNS_TAG = "aws-double:privateDnsEnabled"
_PROTOCOL_ALIASES = {"all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_DNS_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class AwsApiError(Exception):
    """An AWS API error, worded as the pulumi-aws provider reports it."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation}: api error {code}: {message}")
        self.code = code
        self.message = message


class UnsupportedTokenError(Exception):
    """A resource type or function the double does not emulate."""

    def __init__(self, kind: str, token: str) -> None:
        super().__init__(f"aws double: unsupported {kind} {token!r}")
        self.token = token


@dataclass(frozen=True)
class Network:
    vpc_id: str
    subnet_ids_by_az: dict[str, str]


def seed_network(
    ec2_client: Any,
    *,
    cidr: str = "10.0.0.0/16",
    azs: Sequence[str] | None = None,
    dns_support: bool = True,
    dns_hostnames: bool = True,
) -> Network:
    """Create a VPC with one subnet per AZ (default: the client region's a, b and c)."""
    region = ec2_client.meta.region_name
    zones = list(azs) if azs is not None else [f"{region}{suffix}" for suffix in "abc"]
    network = ipaddress.ip_network(cidr)
    blocks = network.subnets(new_prefix=max(network.prefixlen + 4, 24))
    vpc_id: str = ec2_client.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2_client.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": dns_support})
    ec2_client.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": dns_hostnames})
    subnets = {
        zone: ec2_client.create_subnet(VpcId=vpc_id, CidrBlock=str(block), AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for zone, block in zip(zones, blocks, strict=False)
    }
    return Network(vpc_id=vpc_id, subnet_ids_by_az=subnets)


def contains_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(contains_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(item) for item in value)
    return False


def _tags_to_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def _tags_to_dict(tags: Iterable[Mapping[str, str]]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags}


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode()).digest()


def _autoname(resource_name: str, seed: bytes) -> str:
    """pulumi-aws's autoname: the resource name plus seven random hex digits."""
    return f"{resource_name}-{hashlib.sha256(seed + resource_name.encode()).hexdigest()[:7]}"


def _hosted_zone_id(*parts: str) -> str:
    """A stable stand-in for an AWS hosted zone id (the real ones are not derivable)."""
    return "Z" + "".join(_DNS_ALPHABET[byte % 36] for byte in _digest(*parts)[:13]).upper()


# A security-group rule reduced to one grant:
# (protocol, fromPort, toPort, kind, target, description). AWS merges and splits rules freely,
# so rule lists are compared and synchronised as sets of these.
_Grant = tuple[str, int, int, str, str, str]

_GRANT_KINDS = (
    ("cidrBlocks", "cidr"),
    ("ipv6CidrBlocks", "ipv6"),
    ("prefixListIds", "prefixList"),
    ("securityGroups", "group"),
)


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return _PROTOCOL_ALIASES.get(text, text)


def _ports(protocol: str, from_port: Any, to_port: Any) -> tuple[int, int]:
    # AWS ignores ports for "all traffic" rules; the Terraform state shows them as 0.
    if protocol == "-1":
        return 0, 0
    return int(from_port or 0), int(to_port or 0)


def rule_grants(rules: Iterable[Mapping[str, Any]], group_id: str) -> set[_Grant]:
    """Grants of pulumi-aws inline rules (`ingress`/`egress` items); `self` means `group_id`."""
    grants: set[_Grant] = set()
    for rule in rules:
        protocol = _protocol(rule["protocol"])
        from_port, to_port = _ports(protocol, rule.get("fromPort"), rule.get("toPort"))
        description = rule.get("description") or ""
        targets = [(kind, target) for key, kind in _GRANT_KINDS for target in rule.get(key) or []]
        if rule.get("self"):
            targets.append(("group", group_id))
        grants.update((protocol, from_port, to_port, kind, t, description) for kind, t in targets)
    return grants


def _permission_grants(permissions: Iterable[Mapping[str, Any]]) -> set[_Grant]:
    grants: set[_Grant] = set()
    for perm in permissions:
        protocol = _protocol(perm["IpProtocol"])
        from_port, to_port = _ports(protocol, perm.get("FromPort"), perm.get("ToPort"))
        entries = [
            *(("cidr", r["CidrIp"], r.get("Description", "")) for r in perm.get("IpRanges", [])),
            *(
                ("ipv6", r["CidrIpv6"], r.get("Description", ""))
                for r in perm.get("Ipv6Ranges", [])
            ),
            *(
                ("prefixList", r["PrefixListId"], r.get("Description", ""))
                for r in perm.get("PrefixListIds", [])
            ),
            *(
                ("group", r["GroupId"], r.get("Description", ""))
                for r in perm.get("UserIdGroupPairs", [])
            ),
        ]
        grants.update((protocol, from_port, to_port, k, t, d) for k, t, d in entries)
    return grants


def _grants_to_permissions(grants: Iterable[_Grant]) -> list[dict[str, Any]]:
    entry_keys = {
        "cidr": ("IpRanges", "CidrIp"),
        "ipv6": ("Ipv6Ranges", "CidrIpv6"),
        "prefixList": ("PrefixListIds", "PrefixListId"),
        "group": ("UserIdGroupPairs", "GroupId"),
    }
    permissions = []
    for protocol, from_port, to_port, kind, target, description in sorted(grants):
        list_key, item_key = entry_keys[kind]
        entry = {item_key: target} | ({"Description": description} if description else {})
        ports = {} if protocol == "-1" else {"FromPort": from_port, "ToPort": to_port}
        permissions.append({"IpProtocol": protocol, **ports, list_key: [entry]})
    return permissions


def _grants_to_rules(grants: Iterable[_Grant], group_id: str) -> list[Props]:
    grouped: dict[tuple[str, int, int, str], list[tuple[str, str]]] = {}
    for protocol, from_port, to_port, kind, target, description in grants:
        grouped.setdefault((protocol, from_port, to_port, description), []).append((kind, target))
    rules = []
    for (protocol, from_port, to_port, description), targets in sorted(grouped.items()):
        rule: Props = {
            "protocol": protocol,
            "fromPort": from_port,
            "toPort": to_port,
            "description": description,
            "self": ("group", group_id) in targets,
        }
        for key, kind in _GRANT_KINDS:
            rule[key] = sorted(t for k, t in targets if k == kind and (k, t) != ("group", group_id))
        rules.append(rule)
    return rules


def _client_error(operation: str, error: ClientError) -> AwsApiError:
    details = error.response.get("Error", {})
    return AwsApiError(operation, details.get("Code", "Unknown"), details.get("Message", ""))


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class Ec2Model:
    """pulumi-aws resource operations and invokes, backed by EC2 (moto) through boto3."""

    def __init__(
        self,
        ec2_client: Any,
        *,
        region: str,
        catalog: Catalog,
        sts_client: Any | None = None,
        registered_accounts: Collection[str] | None = None,
    ) -> None:
        self.ec2 = ec2_client
        self.region = region
        self.catalog = catalog
        self.sts = sts_client or boto3.client("sts", region_name=region)
        self._registered_accounts = registered_accounts
        self._invokes: Mapping[str, Callable[[Mapping[str, Any]], Props]] = {
            GET_VPC_ENDPOINT_SERVICE: self._get_vpc_endpoint_service,
            GET_VPC_ENDPOINT: self._get_vpc_endpoint,
            GET_SUBNET: self._get_subnet,
            GET_VPC: self._get_vpc,
            GET_REGION: self._get_region,
            GET_CALLER_IDENTITY: self._get_caller_identity,
        }

    @property
    def registered_accounts(self) -> Collection[str]:
        if self._registered_accounts is not None:
            return self._registered_accounts
        return registered_accounts_from_env()

    def _call(self, operation: str, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.ec2, method)(**kwargs)
        except ClientError as error:
            raise _client_error(operation, error) from error

    # --- resources -------------------------------------------------------------------------

    def check(
        self, typ: str, name: str, inputs: Mapping[str, Any], *, seed: bytes = b""
    ) -> tuple[Props, list[tuple[str, str]]]:
        """Apply the provider's defaults and autonaming; return (inputs, failures)."""
        checked = dict(inputs)
        failures: list[tuple[str, str]] = []
        if typ == SECURITY_GROUP:
            if checked.get("name") is None:
                prefix = checked.get("namePrefix")
                checked["name"] = (
                    _autoname(name, seed)
                    if prefix is None
                    else prefix + str(int.from_bytes(_digest(name, seed.hex())[:11]))[:26]
                )
            checked.setdefault("description", _DEFAULT_DESCRIPTION)
            checked.setdefault("revokeRulesOnDelete", False)
        elif typ == VPC_ENDPOINT:
            checked.setdefault("vpcEndpointType", "Gateway")
            failures = [
                (key, f"Missing required property '{key}'")
                for key in ("vpcId", "serviceName")
                if checked.get(key) is None
            ]
        else:
            raise UnsupportedTokenError("resource type", typ)
        checked.setdefault("region", self.region)
        return checked, failures

    def preview(self, typ: str, inputs: Mapping[str, Any]) -> Props:
        """What a preview of creating the resource reports: inputs, with outputs unknown."""
        if typ not in _COMPUTED_OUTPUTS:
            raise UnsupportedTokenError("resource type", typ)
        return dict.fromkeys(_COMPUTED_OUTPUTS[typ], UNKNOWN) | dict(inputs)

    def create(self, typ: str, inputs: Mapping[str, Any]) -> tuple[str, Props]:
        """Create from checked inputs; return (id, outputs)."""
        if typ == SECURITY_GROUP:
            resource_id = self._create_security_group(inputs)
        elif typ == VPC_ENDPOINT:
            resource_id = self._create_vpc_endpoint(inputs)
        else:
            raise UnsupportedTokenError("resource type", typ)
        outputs = self.read(typ, resource_id, inputs)
        if outputs is None:
            raise AwsApiError(f"reading {typ} ({resource_id})", "NotFound", "vanished on create")
        return resource_id, outputs

    def read(self, typ: str, resource_id: str, inputs: Mapping[str, Any]) -> Props | None:
        """Current outputs, or None when the resource no longer exists."""
        if typ == SECURITY_GROUP:
            group = self._describe_security_group(resource_id)
            return None if group is None else self._security_group_outputs(group, inputs)
        if typ == VPC_ENDPOINT:
            endpoint = self._describe_vpc_endpoint(resource_id)
            return None if endpoint is None else self._vpc_endpoint_outputs(endpoint, inputs)
        raise UnsupportedTokenError("resource type", typ)

    def update(
        self, typ: str, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> Props:
        if typ == SECURITY_GROUP:
            self._update_security_group(resource_id, news)
        elif typ == VPC_ENDPOINT:
            self._update_vpc_endpoint(resource_id, olds, news)
        else:
            raise UnsupportedTokenError("resource type", typ)
        outputs = self.read(typ, resource_id, news)
        if outputs is None:
            raise AwsApiError(f"updating {typ} ({resource_id})", "NotFound", "resource is gone")
        return outputs

    def delete(self, typ: str, resource_id: str, props: Mapping[str, Any]) -> None:
        if typ == SECURITY_GROUP:
            self._delete_security_group(resource_id, props)
        elif typ == VPC_ENDPOINT:
            self._call(
                f"deleting EC2 VPC Endpoint ({resource_id})",
                "delete_vpc_endpoints",
                VpcEndpointIds=[resource_id],
            )
        else:
            raise UnsupportedTokenError("resource type", typ)

    # --- security groups ---------------------------------------------------------------------

    def _create_security_group(self, inputs: Mapping[str, Any]) -> str:
        name = inputs["name"]
        operation = f"creating Security Group ({name})"
        kwargs: Props = {"GroupName": name, "Description": inputs["description"]}
        if inputs.get("vpcId"):
            kwargs["VpcId"] = inputs["vpcId"]
        if inputs.get("tags"):
            kwargs["TagSpecifications"] = [
                {"ResourceType": "security-group", "Tags": _tags_to_list(inputs["tags"])}
            ]
        group_id: str = self._call(operation, "create_security_group", **kwargs)["GroupId"]
        # Like the Terraform provider, drop AWS's default allow-all egress: inline rules (or
        # their absence) are authoritative at creation.
        self._sync_rules(group_id, "ingress", inputs.get("ingress") or [])
        self._sync_rules(group_id, "egress", inputs.get("egress") or [])
        return group_id

    def _describe_security_group(self, group_id: str) -> Props | None:
        try:
            groups = self.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
        except ClientError as error:
            if _error_code(error) == "InvalidGroup.NotFound":
                return None
            raise _client_error(f"reading Security Group ({group_id})", error) from error
        return dict(groups[0]) if groups else None

    def _security_group_outputs(self, group: Mapping[str, Any], inputs: Mapping[str, Any]) -> Props:
        group_id = group["GroupId"]
        tags = _tags_to_dict(group.get("Tags", []))
        return {
            "id": group_id,
            "arn": group["SecurityGroupArn"],
            "ownerId": group["OwnerId"],
            "name": group["GroupName"],
            "namePrefix": inputs.get("namePrefix") or "",
            "description": group["Description"],
            "vpcId": group.get("VpcId", ""),
            "ingress": _grants_to_rules(
                _permission_grants(group.get("IpPermissions", [])), group_id
            ),
            "egress": _grants_to_rules(
                _permission_grants(group.get("IpPermissionsEgress", [])), group_id
            ),
            "tags": tags or None,
            "tagsAll": tags,
            "revokeRulesOnDelete": bool(inputs.get("revokeRulesOnDelete", False)),
            "region": self.region,
        }

    def _sync_rules(
        self, group_id: str, direction: str, rules: Iterable[Mapping[str, Any]]
    ) -> None:
        group = self._describe_security_group(group_id)
        if group is None:
            raise AwsApiError(f"updating Security Group ({group_id})", "InvalidGroup.NotFound", "")
        key = "IpPermissions" if direction == "ingress" else "IpPermissionsEgress"
        current = _permission_grants(group.get(key, []))
        desired = rule_grants(rules, group_id)
        operation = f"updating Security Group ({group_id}) {direction} rules"
        if stale := current - desired:
            self._call(
                operation,
                f"revoke_security_group_{direction}",
                GroupId=group_id,
                IpPermissions=_grants_to_permissions(stale),
            )
        if missing := desired - current:
            self._call(
                operation,
                f"authorize_security_group_{direction}",
                GroupId=group_id,
                IpPermissions=_grants_to_permissions(missing),
            )

    def _sync_tags(
        self, resource_id: str, current: Mapping[str, str], desired: Mapping[str, str]
    ) -> None:
        operation = f"updating tags of ({resource_id})"
        if removed := [key for key in current if key not in desired]:
            self._call(
                operation,
                "delete_tags",
                Resources=[resource_id],
                Tags=[{"Key": key} for key in removed],
            )
        if changed := {k: v for k, v in desired.items() if current.get(k) != v}:
            self._call(
                operation, "create_tags", Resources=[resource_id], Tags=_tags_to_list(changed)
            )

    def _update_security_group(self, group_id: str, news: Mapping[str, Any]) -> None:
        group = self._describe_security_group(group_id)
        if group is None:
            raise AwsApiError(f"updating Security Group ({group_id})", "InvalidGroup.NotFound", "")
        self._sync_tags(group_id, _tags_to_dict(group.get("Tags", [])), news.get("tags") or {})
        # Rules left out of the inputs are unmanaged, as with the Terraform provider.
        for direction in ("ingress", "egress"):
            if news.get(direction) is not None:
                self._sync_rules(group_id, direction, news[direction])

    def _delete_security_group(self, group_id: str, props: Mapping[str, Any]) -> None:
        if self._describe_security_group(group_id) is None:
            return
        if props.get("revokeRulesOnDelete"):
            self._sync_rules(group_id, "ingress", [])
            self._sync_rules(group_id, "egress", [])
        self._call(
            f"deleting Security Group ({group_id})", "delete_security_group", GroupId=group_id
        )

    # --- VPC endpoints -----------------------------------------------------------------------

    def find_service(self, service_name: str) -> EndpointService | None:
        """The endpoint service as this region sees it: the catalog first, then moto's."""
        service = self.catalog.lookup(service_name, self.region)
        if service is not None:
            return service
        try:
            details = self.ec2.describe_vpc_endpoint_services(ServiceNames=[service_name])[
                "ServiceDetails"
            ]
        except ClientError as error:
            if _error_code(error) == "InvalidServiceName":
                return None
            raise _client_error("reading EC2 VPC Endpoint Services", error) from error
        if not details:
            return None
        first = details[0]
        return EndpointService(
            service_name=service_name,
            availability_zones=tuple(first.get("AvailabilityZones", [])),
            private_dns_name=first.get("PrivateDnsName"),
            owner=first.get("Owner", "amazon"),
            acceptance_required=bool(first.get("AcceptanceRequired", False)),
            service_types=tuple(
                item["ServiceType"] for detail in details for item in detail.get("ServiceType", [])
            ),
            vpc_endpoint_policy_supported=bool(first.get("VpcEndpointPolicySupported", True)),
            service_id=first.get("ServiceId"),
        )

    def _service(self, service_name: str, operation: str) -> EndpointService:
        service = self.find_service(service_name)
        if service is None:
            raise AwsApiError(
                operation,
                "InvalidServiceName",
                f"The Vpc Endpoint Service '{service_name}' does not exist",
            )
        return service

    def _subnet_azs(self, subnet_ids: Sequence[str], operation: str) -> dict[str, str]:
        if not subnet_ids:
            return {}
        subnets = self._call(operation, "describe_subnets", SubnetIds=list(subnet_ids))["Subnets"]
        return {subnet["SubnetId"]: subnet["AvailabilityZone"] for subnet in subnets}

    def _check_subnets(
        self, service: EndpointService, subnet_ids: Sequence[str], operation: str
    ) -> None:
        azs = self._subnet_azs(subnet_ids, operation)
        seen: set[str] = set()
        for subnet_id in subnet_ids:
            zone = azs[subnet_id]
            if zone not in service.availability_zones:
                raise AwsApiError(
                    operation,
                    "InvalidParameter",
                    f"The VPC endpoint service {service.service_name} does not support the "
                    f"availability zone of the subnet: {subnet_id}.",
                )
            if zone in seen:
                raise AwsApiError(
                    operation,
                    "DuplicateSubnetsInSameZone",
                    f"Found another VPC endpoint subnet in the availability zone of {subnet_id}. "
                    "VPC endpoint subnets should be in different availability zones supported by "
                    "the VPC endpoint service.",
                )
            seen.add(zone)

    def _vpc_dns_attributes(self, vpc_id: str, operation: str) -> tuple[bool, bool]:
        support = self._call(
            operation, "describe_vpc_attribute", VpcId=vpc_id, Attribute="enableDnsSupport"
        )["EnableDnsSupport"]["Value"]
        hostnames = self._call(
            operation, "describe_vpc_attribute", VpcId=vpc_id, Attribute="enableDnsHostnames"
        )["EnableDnsHostnames"]["Value"]
        return bool(support), bool(hostnames)

    def _check_private_dns(self, vpc_id: str, operation: str) -> None:
        if not all(self._vpc_dns_attributes(vpc_id, operation)):
            raise AwsApiError(
                operation,
                "InvalidParameter",
                "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames "
                f"VPC attributes set to true for {vpc_id}",
            )

    def _default_security_group(self, vpc_id: str, operation: str) -> str:
        groups = self._call(
            operation,
            "describe_security_groups",
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "group-name", "Values": ["default"]},
            ],
        )["SecurityGroups"]
        return str(groups[0]["GroupId"])

    def _create_vpc_endpoint(self, inputs: Mapping[str, Any]) -> str:
        service_name = inputs["serviceName"]
        endpoint_type = inputs["vpcEndpointType"]
        vpc_id = inputs["vpcId"]
        operation = f"creating EC2 VPC Endpoint ({service_name})"
        service = self._service(service_name, operation)
        if endpoint_type not in service.service_types:
            raise AwsApiError(
                operation,
                "InvalidParameter",
                f"The Vpc Endpoint Service '{service_name}' does not support endpoint type "
                f"{endpoint_type}.",
            )
        subnet_ids = list(inputs.get("subnetIds") or [])
        group_ids = list(inputs.get("securityGroupIds") or [])
        private_dns = bool(inputs.get("privateDnsEnabled", False))
        if endpoint_type == "Interface":
            self._check_subnets(service, subnet_ids, operation)
            if private_dns:
                self._check_private_dns(vpc_id, operation)
            # AWS attaches the VPC's default security group when none is given.
            group_ids = group_ids or [self._default_security_group(vpc_id, operation)]
        tags = {**(inputs.get("tags") or {}), _PRIVATE_DNS_TAG: str(private_dns).lower()}
        kwargs: Props = {
            "VpcId": vpc_id,
            "ServiceName": service_name,
            "VpcEndpointType": endpoint_type,
            "SubnetIds": subnet_ids,
            "SecurityGroupIds": group_ids,
            "RouteTableIds": list(inputs.get("routeTableIds") or []),
            "PrivateDnsEnabled": private_dns,
            "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": _tags_to_list(tags)}],
        }
        if inputs.get("policy"):
            kwargs["PolicyDocument"] = inputs["policy"]
        endpoint = self._call(operation, "create_vpc_endpoint", **kwargs)["VpcEndpoint"]
        return str(endpoint["VpcEndpointId"])

    def _describe_vpc_endpoint(self, endpoint_id: str) -> Props | None:
        try:
            endpoints = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])[
                "VpcEndpoints"
            ]
        except ClientError as error:
            if _error_code(error) == "InvalidVpcEndpointId.NotFound":
                return None
            raise _client_error(f"reading EC2 VPC Endpoint ({endpoint_id})", error) from error
        live = [ep for ep in endpoints if str(ep.get("State", "")).lower() != "deleted"]
        return dict(live[0]) if live else None

    def _dns_entries(
        self,
        endpoint: Mapping[str, Any],
        service: EndpointService | None,
        private_dns: bool,
        zones: Iterable[str],
    ) -> list[Props]:
        endpoint_id = endpoint["VpcEndpointId"]
        suffix = (service or EndpointService(endpoint["ServiceName"], (), None)).dns_suffix
        rand = "".join(_DNS_ALPHABET[byte % 36] for byte in _digest(endpoint_id)[:8])
        zone_id = _hosted_zone_id("vpce", self.region)
        entries: list[Props] = [
            {"dnsName": f"{endpoint_id}-{rand}.{suffix}", "hostedZoneId": zone_id},
            *(
                {"dnsName": f"{endpoint_id}-{rand}-{zone}.{suffix}", "hostedZoneId": zone_id}
                for zone in sorted(set(zones))
            ),
        ]
        if private_dns and service is not None and service.private_dns_name:
            entries.append(
                {
                    "dnsName": service.private_dns_name,
                    "hostedZoneId": _hosted_zone_id("private", endpoint_id),
                }
            )
        return entries

    def _vpc_endpoint_outputs(
        self, endpoint: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> Props:
        endpoint_id = endpoint["VpcEndpointId"]
        endpoint_type = endpoint["VpcEndpointType"]
        interface = endpoint_type == "Interface"
        operation = f"reading EC2 VPC Endpoint ({endpoint_id})"
        tags = _tags_to_dict(endpoint.get("Tags", []))
        private_dns_tag = tags.pop(_PRIVATE_DNS_TAG, None)
        private_dns = (
            private_dns_tag == "true"
            if private_dns_tag is not None
            else bool(endpoint.get("PrivateDnsEnabled", False))
        )
        owner = endpoint["OwnerId"]
        service = self.find_service(endpoint["ServiceName"])
        state = (
            endpoint["State"]
            if service is None
            else endpoint_state(service, owner, self.registered_accounts)
        )
        subnet_ids = list(endpoint.get("SubnetIds", []))
        interfaces = (
            self._call(
                operation,
                "describe_network_interfaces",
                NetworkInterfaceIds=endpoint["NetworkInterfaceIds"],
            )["NetworkInterfaces"]
            if endpoint.get("NetworkInterfaceIds")
            else []
        )
        dns_options = {
            "dnsRecordIpType": "ipv4",
            "privateDnsOnlyForInboundResolverEndpoint": False,
            "privateDnsPreference": "",
            "privateDnsSpecifiedDomains": [],
        } | dict(inputs.get("dnsOptions") or {})
        return {
            "id": endpoint_id,
            "arn": f"arn:aws:ec2:{self.region}:{owner}:vpc-endpoint/{endpoint_id}",
            "ownerId": owner,
            "vpcId": endpoint["VpcId"],
            "serviceName": endpoint["ServiceName"],
            "vpcEndpointType": endpoint_type,
            "state": state,
            "subnetIds": subnet_ids,
            "securityGroupIds": [group["GroupId"] for group in endpoint.get("Groups", [])],
            "routeTableIds": list(endpoint.get("RouteTableIds", [])),
            "networkInterfaceIds": list(endpoint.get("NetworkInterfaceIds", [])),
            "subnetConfigurations": [
                {"ipv4": eni.get("PrivateIpAddress", ""), "ipv6": "", "subnetId": eni["SubnetId"]}
                for eni in interfaces
            ],
            "privateDnsEnabled": private_dns,
            "dnsEntries": self._dns_entries(
                endpoint,
                service,
                private_dns,
                self._subnet_azs(subnet_ids, operation).values() if interface else (),
            ),
            "dnsOptions": dns_options if interface else None,
            "ipAddressType": inputs.get("ipAddressType") or ("ipv4" if interface else ""),
            "policy": endpoint.get("PolicyDocument", ""),
            "cidrBlocks": [],
            "prefixListId": "",
            "requesterManaged": bool(endpoint.get("RequesterManaged", False)),
            "autoAccept": inputs.get("autoAccept"),
            "tags": tags or None,
            "tagsAll": tags,
            "region": self.region,
            "serviceRegion": self.region,
            "resourceConfigurationArn": "",
            "serviceNetworkArn": "",
        }

    def _update_vpc_endpoint(
        self, endpoint_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        operation = f"updating EC2 VPC Endpoint ({endpoint_id})"
        endpoint = self._describe_vpc_endpoint(endpoint_id)
        if endpoint is None:
            raise AwsApiError(operation, "InvalidVpcEndpointId.NotFound", endpoint_id)
        current = self._vpc_endpoint_outputs(endpoint, olds)
        interface = endpoint["VpcEndpointType"] == "Interface"
        changes: Props = {}
        for key, add, remove in (
            ("subnetIds", "AddSubnetIds", "RemoveSubnetIds"),
            ("securityGroupIds", "AddSecurityGroupIds", "RemoveSecurityGroupIds"),
            ("routeTableIds", "AddRouteTableIds", "RemoveRouteTableIds"),
        ):
            if news.get(key) is None:
                continue
            desired, existing = list(news[key]), current[key]
            if added := [item for item in desired if item not in existing]:
                changes[add] = added
            if removed := [item for item in existing if item not in desired]:
                changes[remove] = removed
        if interface and ("AddSubnetIds" in changes or "RemoveSubnetIds" in changes):
            service = self._service(endpoint["ServiceName"], operation)
            self._check_subnets(service, list(news["subnetIds"]), operation)
        if news.get("policy") and news["policy"] != current["policy"]:
            changes["PolicyDocument"] = news["policy"]
        # Optional and computed upstream: leaving it out of the inputs keeps the current value.
        private_dns = bool(news.get("privateDnsEnabled", current["privateDnsEnabled"]))
        if interface and private_dns and not current["privateDnsEnabled"]:
            self._check_private_dns(endpoint["VpcId"], operation)
        if changes:
            self._call(operation, "modify_vpc_endpoint", VpcEndpointId=endpoint_id, **changes)
        self._sync_tags(
            endpoint_id,
            _tags_to_dict(endpoint.get("Tags", [])),
            {**(news.get("tags") or {}), _PRIVATE_DNS_TAG: str(private_dns).lower()},
        )

    # --- invokes -----------------------------------------------------------------------------

    def invoke(self, token: str, args: Mapping[str, Any]) -> Props:
        handler = self._invokes.get(token)
        if handler is None:
            raise UnsupportedTokenError("function", token)
        return handler(args)

    def _get_vpc_endpoint_service(self, args: Mapping[str, Any]) -> Props:
        operation = "reading EC2 VPC Endpoint Services"
        service_name = args.get("serviceName") or f"com.amazonaws.{self.region}.{args['service']}"
        service = self._service(service_name, operation)
        service_type = args.get("serviceType")
        if service_type and service_type not in service.service_types:
            raise AwsApiError(operation, "NotFound", "no matching EC2 VPC Endpoint Service found")
        region = service.region or self.region
        return {
            "id": str(zlib.crc32(service_name.encode())),
            "acceptanceRequired": service.acceptance_required,
            "arn": f"arn:aws:ec2:{region}:{service.owner}:vpc-endpoint-service/{service.id}",
            "availabilityZones": sorted(service.availability_zones),
            "baseEndpointDnsNames": [service.dns_suffix],
            "managesVpcEndpoints": False,
            "owner": service.owner,
            "privateDnsName": service.private_dns_name or "",
            "privateDnsNames": [service.private_dns_name] if service.private_dns_name else [],
            "region": self.region,
            "service": args.get("service"),
            "serviceId": service.id,
            "serviceName": service_name,
            "serviceRegion": region,
            "serviceType": service_type or service.service_types[0],
            "supportedIpAddressTypes": ["ipv4"],
            "tags": {},
            "vpcEndpointPolicySupported": service.vpc_endpoint_policy_supported,
        }

    def _get_vpc_endpoint(self, args: Mapping[str, Any]) -> Props:
        operation = "reading EC2 VPC Endpoint"
        if args.get("id"):
            endpoint = self._describe_vpc_endpoint(args["id"])
            candidates = [] if endpoint is None else [endpoint]
        else:
            candidates = [
                ep
                for ep in self._call(operation, "describe_vpc_endpoints")["VpcEndpoints"]
                if str(ep.get("State", "")).lower() != "deleted"
            ]
        wanted = {
            key: args[key]
            for key in ("serviceName", "vpcId", "state", "vpcEndpointType")
            if args.get(key)
        }
        filter_keys = {
            "vpc-endpoint-id": "id",
            "service-name": "serviceName",
            "vpc-id": "vpcId",
            "vpc-endpoint-state": "state",
            "vpc-endpoint-type": "vpcEndpointType",
        }
        matches = []
        for endpoint in candidates:
            outputs = self._vpc_endpoint_outputs(endpoint, {})
            if any(outputs[key] != value for key, value in wanted.items()):
                continue
            if any(outputs["tagsAll"].get(k) != v for k, v in (args.get("tags") or {}).items()):
                continue
            if not all(
                self._filter_matches(outputs, f["name"], f["values"], filter_keys)
                for f in args.get("filters") or []
            ):
                continue
            matches.append(outputs)
        result = self._single(matches, "EC2 VPC Endpoint")
        return {key: result[key] for key in _DATA_SOURCE_ENDPOINT_KEYS} | {
            "dnsOptions": [result["dnsOptions"]] if result["dnsOptions"] else [],
            "tags": result["tagsAll"],
            "filters": args.get("filters"),
        }

    @staticmethod
    def _filter_matches(
        outputs: Mapping[str, Any], name: str, values: Sequence[str], keys: Mapping[str, str]
    ) -> bool:
        if name.startswith("tag:"):
            return outputs["tagsAll"].get(name[4:]) in values
        if name not in keys:
            raise AwsApiError("reading EC2 VPC Endpoint", "InvalidParameterValue", name)
        return outputs[keys[name]] in values

    @staticmethod
    def _single(matches: Sequence[Props], what: str) -> Props:
        if not matches:
            raise AwsApiError(f"reading {what}", "NotFound", f"no matching {what} found")
        if len(matches) > 1:
            raise AwsApiError(
                f"reading {what}",
                "TooManyResults",
                f"multiple {what}s matched; use additional constraints to reduce matches to a "
                f"single {what}",
            )
        return matches[0]

    @staticmethod
    def _ec2_filters(args: Mapping[str, Any], names: Mapping[str, str]) -> list[Props]:
        filters: list[Props] = [
            {"Name": f["name"], "Values": list(f["values"])} for f in args.get("filters") or []
        ]
        for key, filter_name in names.items():
            value = args.get(key)
            if value is None or value == "":
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            filters.append({"Name": filter_name, "Values": [text]})
        filters += [
            {"Name": f"tag:{key}", "Values": [value]}
            for key, value in (args.get("tags") or {}).items()
        ]
        return filters

    def _get_subnet(self, args: Mapping[str, Any]) -> Props:
        filters = self._ec2_filters(
            args,
            {
                "id": "subnet-id",
                "availabilityZone": "availability-zone",
                "availabilityZoneId": "availability-zone-id",
                "cidrBlock": "cidr-block",
                "defaultForAz": "default-for-az",
                "state": "state",
                "vpcId": "vpc-id",
            },
        )
        found = self._call("reading EC2 Subnet", "describe_subnets", Filters=filters)["Subnets"]
        subnet = self._single(found, "EC2 Subnet")
        dns = subnet.get("PrivateDnsNameOptionsOnLaunch", {})
        return {
            "id": subnet["SubnetId"],
            "arn": subnet["SubnetArn"],
            "assignIpv6AddressOnCreation": subnet.get("AssignIpv6AddressOnCreation", False),
            "availabilityZone": subnet["AvailabilityZone"],
            "availabilityZoneId": subnet.get("AvailabilityZoneId", ""),
            "availableIpAddressCount": subnet.get("AvailableIpAddressCount", 0),
            "cidrBlock": subnet["CidrBlock"],
            "customerOwnedIpv4Pool": "",
            "defaultForAz": subnet.get("DefaultForAz", False),
            "enableDns64": subnet.get("EnableDns64", False),
            "enableLniAtDeviceIndex": 0,
            "enableResourceNameDnsARecordOnLaunch": dns.get("EnableResourceNameDnsARecord", False),
            "enableResourceNameDnsAaaaRecordOnLaunch": dns.get(
                "EnableResourceNameDnsAAAARecord", False
            ),
            "filters": args.get("filters"),
            "ipv6CidrBlock": "",
            "ipv6CidrBlockAssociationId": "",
            "ipv6Native": subnet.get("Ipv6Native", False),
            "mapCustomerOwnedIpOnLaunch": False,
            "mapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch", False),
            "outpostArn": "",
            "ownerId": subnet["OwnerId"],
            "privateDnsHostnameTypeOnLaunch": dns.get("HostnameType", "ip-name"),
            "region": self.region,
            "state": subnet["State"],
            "tags": _tags_to_dict(subnet.get("Tags", [])),
            "vpcId": subnet["VpcId"],
        }

    def _get_vpc(self, args: Mapping[str, Any]) -> Props:
        operation = "reading EC2 VPC"
        filters = self._ec2_filters(
            args,
            {
                "id": "vpc-id",
                "cidrBlock": "cidr",
                "default": "is-default",
                "dhcpOptionsId": "dhcp-options-id",
                "state": "state",
            },
        )
        vpc = self._single(
            self._call(operation, "describe_vpcs", Filters=filters)["Vpcs"], "EC2 VPC"
        )
        vpc_id = vpc["VpcId"]
        dns_support, dns_hostnames = self._vpc_dns_attributes(vpc_id, operation)
        main_tables = self._call(
            operation,
            "describe_route_tables",
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "association.main", "Values": ["true"]},
            ],
        )["RouteTables"]
        return {
            "id": vpc_id,
            "arn": f"arn:aws:ec2:{self.region}:{vpc['OwnerId']}:vpc/{vpc_id}",
            "cidrBlock": vpc["CidrBlock"],
            "cidrBlockAssociations": [
                {
                    "associationId": assoc["AssociationId"],
                    "cidrBlock": assoc["CidrBlock"],
                    "state": assoc["CidrBlockState"]["State"],
                }
                for assoc in vpc.get("CidrBlockAssociationSet", [])
            ],
            "default": vpc.get("IsDefault", False),
            "dhcpOptionsId": vpc.get("DhcpOptionsId", ""),
            "enableDnsHostnames": dns_hostnames,
            "enableDnsSupport": dns_support,
            "enableNetworkAddressUsageMetrics": False,
            "filters": args.get("filters"),
            "instanceTenancy": vpc.get("InstanceTenancy", "default"),
            "ipv6AssociationId": "",
            "ipv6CidrBlock": "",
            "mainRouteTableId": main_tables[0]["RouteTableId"] if main_tables else "",
            "ownerId": vpc["OwnerId"],
            "region": self.region,
            "state": vpc["State"],
            "tags": _tags_to_dict(vpc.get("Tags", [])),
        }

    def _get_region(self, args: Mapping[str, Any]) -> Props:
        region = args.get("region") or args.get("name") or self.region
        endpoints = botocore.session.get_session().get_data("endpoints")
        descriptions = {
            name: info.get("description", "")
            for partition in endpoints["partitions"]
            for name, info in partition["regions"].items()
        }
        if region not in descriptions:
            raise AwsApiError("reading Region", "NotFound", f"region {region!r} not found")
        return {
            "id": region,
            "name": region,
            "region": region,
            "endpoint": f"ec2.{region}.amazonaws.com",
            "description": descriptions[region],
        }

    def _get_caller_identity(self, _args: Mapping[str, Any]) -> Props:
        try:
            identity = self.sts.get_caller_identity()
        except ClientError as error:
            raise _client_error("reading STS Caller Identity", error) from error
        return {
            "id": identity["Account"],
            "accountId": identity["Account"],
            "arn": identity["Arn"],
            "userId": identity["UserId"],
        }
