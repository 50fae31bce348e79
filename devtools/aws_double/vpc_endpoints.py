"""aws.ec2.VpcEndpoint of the Interface type, as pulumi-aws 7.x manages it over EC2.

Where moto falls short of AWS the double supplies AWS's behaviour: Rockset's endpoint services
(see `catalog`), acceptance by Rockset, AWS's DNS entry shapes, the zone and private-DNS checks of
CreateVpcEndpoint, and PrivateDnsEnabled changes (moto's ModifyVpcEndpoint ignores them, so the
value is kept in a reserved tag that is never reported).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from devtools.aws_double.catalog import EndpointService, endpoint_state
from devtools.aws_double.ec2 import Ec2, Props, tags_to_dict, tags_to_list
from devtools.aws_double.errors import AwsApiError

__all__ = [
    "ENDPOINT_INTERFACE_DESCRIPTION",
    "VPC_ENDPOINT",
    "VpcEndpoints",
    "describe_endpoint",
    "endpoint_outputs",
]

VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_INTERFACE_DESCRIPTION = "VPC Endpoint Interface "
"""How AWS describes a VPC endpoint's network interface, followed by the endpoint's id."""

_INTERFACE = "Interface"
_PRIVATE_DNS_TAG = "aws-double:privateDnsEnabled"
_DNS_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SET_VALUED = frozenset({"subnetIds", "securityGroupIds"})
_MODIFIABLE = (
    ("subnetIds", "AddSubnetIds", "RemoveSubnetIds"),
    ("securityGroupIds", "AddSecurityGroupIds", "RemoveSecurityGroupIds"),
)
_DNS_OPTIONS = {
    "dnsRecordIpType": "ipv4",
    "privateDnsOnlyForInboundResolverEndpoint": False,
    "privateDnsPreference": "",
    "privateDnsSpecifiedDomains": [],
}


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode()).digest()


def _hosted_zone_id(*parts: str) -> str:
    """A stable stand-in for an AWS hosted zone id (the real ones are not derivable)."""
    return "Z" + "".join(_DNS_ALPHABET[byte % 36] for byte in _digest(*parts)[:13]).upper()


def _subnet_azs(ec2: Ec2, subnet_ids: Sequence[str], operation: str) -> dict[str, str]:
    if not subnet_ids:
        return {}
    subnets = ec2.call(operation, "describe_subnets", SubnetIds=list(subnet_ids))["Subnets"]
    return {subnet["SubnetId"]: subnet["AvailabilityZone"] for subnet in subnets}


def _check_subnets(
    ec2: Ec2, service: EndpointService, subnet_ids: Sequence[str], operation: str
) -> None:
    azs = _subnet_azs(ec2, subnet_ids, operation)
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


def _check_private_dns(ec2: Ec2, vpc_id: str, operation: str) -> None:
    if not all(ec2.vpc_dns_attributes(vpc_id, operation)):
        raise AwsApiError(
            operation,
            "InvalidParameter",
            "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames "
            f"VPC attributes set to true for {vpc_id}",
        )


def _dns_entries(
    ec2: Ec2,
    endpoint_id: str,
    service: EndpointService,
    private_dns: bool,
    zones: Iterable[str],
) -> list[Props]:
    rand = "".join(_DNS_ALPHABET[byte % 36] for byte in _digest(endpoint_id)[:8])
    zone_id = _hosted_zone_id("vpce", ec2.region)
    suffix = service.dns_suffix
    entries: list[Props] = [
        {"dnsName": f"{endpoint_id}-{rand}.{suffix}", "hostedZoneId": zone_id},
        *(
            {"dnsName": f"{endpoint_id}-{rand}-{zone}.{suffix}", "hostedZoneId": zone_id}
            for zone in sorted(set(zones))
        ),
    ]
    if private_dns and service.private_dns_name:
        entries.append(
            {
                "dnsName": service.private_dns_name,
                "hostedZoneId": _hosted_zone_id("private", endpoint_id),
            }
        )
    return entries


def describe_endpoint(ec2: Ec2, endpoint_id: str, operation: str) -> Props | None:
    """The endpoint as DescribeVpcEndpoints reports it, or None once it is gone."""
    found = ec2.call_unless(
        "InvalidVpcEndpointId.NotFound",
        operation,
        "describe_vpc_endpoints",
        VpcEndpointIds=[endpoint_id],
    )
    live = [
        endpoint
        for endpoint in (found or {}).get("VpcEndpoints", [])
        if str(endpoint.get("State", "")).lower() != "deleted"
    ]
    return dict(live[0]) if live else None


def endpoint_outputs(ec2: Ec2, endpoint: Mapping[str, Any]) -> Props:
    """The VpcEndpoint resource's outputs for an endpoint as EC2 describes it."""
    endpoint_id = endpoint["VpcEndpointId"]
    operation = f"reading EC2 VPC Endpoint ({endpoint_id})"
    tags = tags_to_dict(endpoint.get("Tags", []))
    private_dns_tag = tags.pop(_PRIVATE_DNS_TAG, None)
    private_dns = (
        bool(endpoint.get("PrivateDnsEnabled", False))
        if private_dns_tag is None
        else private_dns_tag == "true"
    )
    owner = endpoint["OwnerId"]
    subnet_ids = list(endpoint.get("SubnetIds", []))
    service = ec2.catalog.lookup(endpoint["ServiceName"], ec2.region)
    interfaces = (
        ec2.call(
            operation,
            "describe_network_interfaces",
            NetworkInterfaceIds=endpoint["NetworkInterfaceIds"],
        )["NetworkInterfaces"]
        if endpoint.get("NetworkInterfaceIds")
        else []
    )
    return {
        "id": endpoint_id,
        "arn": f"arn:aws:ec2:{ec2.region}:{owner}:vpc-endpoint/{endpoint_id}",
        "ownerId": owner,
        "vpcId": endpoint["VpcId"],
        "serviceName": endpoint["ServiceName"],
        "vpcEndpointType": endpoint["VpcEndpointType"],
        # A service dropped from the catalog since (AWS_DOUBLE_EXTRA_SERVICES changed) leaves
        # moto's own state.
        "state": endpoint["State"]
        if service is None
        else endpoint_state(service, owner, ec2.accepted_accounts),
        "subnetIds": subnet_ids,
        "securityGroupIds": [group["GroupId"] for group in endpoint.get("Groups", [])],
        "routeTableIds": list(endpoint.get("RouteTableIds", [])),
        "networkInterfaceIds": list(endpoint.get("NetworkInterfaceIds", [])),
        "subnetConfigurations": [
            {"ipv4": eni.get("PrivateIpAddress", ""), "ipv6": "", "subnetId": eni["SubnetId"]}
            for eni in interfaces
        ],
        "privateDnsEnabled": private_dns,
        "dnsEntries": _dns_entries(
            ec2,
            endpoint_id,
            service or EndpointService(endpoint["ServiceName"], (), None),
            private_dns,
            _subnet_azs(ec2, subnet_ids, operation).values(),
        ),
        "dnsOptions": dict(_DNS_OPTIONS),
        "ipAddressType": "ipv4",
        "policy": endpoint.get("PolicyDocument", ""),
        "cidrBlocks": [],
        "prefixListId": "",
        "requesterManaged": bool(endpoint.get("RequesterManaged", False)),
        "tags": tags or None,
        "tagsAll": tags,
        "region": ec2.region,
        "serviceRegion": ec2.region,
        "resourceConfigurationArn": "",
        "serviceNetworkArn": "",
    }


class VpcEndpoints:
    """The `aws:ec2/vpcEndpoint:VpcEndpoint` resource type (Rockset's services are Interface
    services, so only Interface endpoints can be created)."""

    token = VPC_ENDPOINT
    replace_on_change = frozenset({"vpcId", "serviceName", "vpcEndpointType", "region"})
    computed_outputs = (
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
    )

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        checked = {"vpcEndpointType": "Gateway", "region": ec2.region, **inputs}
        failures = [
            (key, f"Missing required property '{key}'")
            for key in ("vpcId", "serviceName")
            if checked.get(key) is None
        ]
        return checked, failures

    def canonical(self, key: str, value: Any) -> Any:
        return frozenset(value) if key in _SET_VALUED else value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        service_name = inputs["serviceName"]
        endpoint_type = inputs["vpcEndpointType"]
        vpc_id = inputs["vpcId"]
        operation = f"creating EC2 VPC Endpoint ({service_name})"
        service = ec2.service(service_name, operation)
        if endpoint_type != _INTERFACE:
            raise AwsApiError(
                operation,
                "InvalidParameter",
                f"The Vpc Endpoint Service '{service_name}' does not support endpoint type "
                f"{endpoint_type}.",
            )
        subnet_ids = list(inputs.get("subnetIds") or [])
        private_dns = bool(inputs.get("privateDnsEnabled", False))
        _check_subnets(ec2, service, subnet_ids, operation)
        if private_dns:
            _check_private_dns(ec2, vpc_id, operation)
        tags = {**(inputs.get("tags") or {}), _PRIVATE_DNS_TAG: str(private_dns).lower()}
        endpoint = ec2.call(
            operation,
            "create_vpc_endpoint",
            VpcId=vpc_id,
            ServiceName=service_name,
            VpcEndpointType=endpoint_type,
            SubnetIds=subnet_ids,
            SecurityGroupIds=list(inputs.get("securityGroupIds") or []),
            PrivateDnsEnabled=private_dns,
            TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": tags_to_list(tags)}],
        )["VpcEndpoint"]
        endpoint_id = str(endpoint["VpcEndpointId"])
        # AWS describes an endpoint's interfaces as its own; moto leaves them plain.
        for interface_id in endpoint.get("NetworkInterfaceIds", []):
            ec2.call(
                operation,
                "modify_network_interface_attribute",
                NetworkInterfaceId=interface_id,
                Description={"Value": f"{ENDPOINT_INTERFACE_DESCRIPTION}{endpoint_id}"},
            )
        return endpoint_id

    def read(self, ec2: Ec2, endpoint_id: str) -> Props | None:
        endpoint = describe_endpoint(ec2, endpoint_id, f"reading EC2 VPC Endpoint ({endpoint_id})")
        return None if endpoint is None else endpoint_outputs(ec2, endpoint)

    def update(
        self, ec2: Ec2, endpoint_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        operation = f"updating EC2 VPC Endpoint ({endpoint_id})"
        endpoint = describe_endpoint(ec2, endpoint_id, operation)
        if endpoint is None:
            raise AwsApiError(
                operation,
                "InvalidVpcEndpointId.NotFound",
                f"The VpcEndPoint ID '{endpoint_id}' does not exist",
            )
        current = endpoint_outputs(ec2, endpoint)
        changes: Props = {}
        for key, add, remove in _MODIFIABLE:
            desired, existing = list(news.get(key) or []), current[key]
            if added := [item for item in desired if item not in existing]:
                changes[add] = added
            if removed := [item for item in existing if item not in desired]:
                changes[remove] = removed
        if "AddSubnetIds" in changes or "RemoveSubnetIds" in changes:
            service = ec2.service(endpoint["ServiceName"], operation)
            _check_subnets(ec2, service, list(news.get("subnetIds") or []), operation)
        # Optional and computed upstream: leaving it out of the inputs keeps the current value.
        private_dns = bool(news.get("privateDnsEnabled", current["privateDnsEnabled"]))
        if private_dns and not current["privateDnsEnabled"]:
            _check_private_dns(ec2, endpoint["VpcId"], operation)
        if changes:
            ec2.call(operation, "modify_vpc_endpoint", VpcEndpointId=endpoint_id, **changes)
        ec2.sync_tags(
            endpoint_id,
            tags_to_dict(endpoint.get("Tags", [])),
            {**(news.get("tags") or {}), _PRIVATE_DNS_TAG: str(private_dns).lower()},
        )

    def delete(self, ec2: Ec2, endpoint_id: str, props: Mapping[str, Any]) -> None:
        ec2.call(
            f"deleting EC2 VPC Endpoint ({endpoint_id})",
            "delete_vpc_endpoints",
            VpcEndpointIds=[endpoint_id],
        )
