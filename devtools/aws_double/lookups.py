"""The look-ups (invokes) the component makes, each by the one argument it passes.

Arguments the component never passes (filters, tags, other selectors) are refused rather than
ignored, so a look-up the double would answer wrongly fails loudly instead.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Collection, Mapping
from typing import Any

import botocore.session

from devtools.aws_double.ec2 import Ec2, Props, tags_to_dict
from devtools.aws_double.errors import AwsApiError, UnsupportedTokenError
from devtools.aws_double.route53 import GET_ZONE, get_zone
from devtools.aws_double.vpc_endpoints import (
    ENDPOINT_INTERFACE_DESCRIPTION,
    describe_endpoint,
    endpoint_outputs,
)

__all__ = [
    "GET_CALLER_IDENTITY",
    "GET_NETWORK_INTERFACE",
    "GET_REGION",
    "GET_SUBNET",
    "GET_VPC",
    "GET_VPC_ENDPOINT",
    "GET_VPC_ENDPOINT_SERVICE",
    "LOOKUPS",
    "Lookup",
]

GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
GET_NETWORK_INTERFACE = "aws:ec2/getNetworkInterface:getNetworkInterface"
GET_REGION = "aws:index/getRegion:getRegion"
GET_SUBNET = "aws:ec2/getSubnet:getSubnet"
GET_VPC = "aws:ec2/getVpc:getVpc"
GET_VPC_ENDPOINT = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
GET_VPC_ENDPOINT_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"

Lookup = Callable[[Ec2, Mapping[str, Any]], Props]

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


def _only(token: str, args: Mapping[str, Any], accepted: Collection[str]) -> None:
    for key, value in sorted(args.items()):
        if key not in accepted and value not in (None, "", [], {}):
            raise UnsupportedTokenError("argument", f"{token} {key}")


def get_vpc(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    _only(GET_VPC, args, {"id"})
    operation = "reading EC2 VPC"
    [vpc] = ec2.call(operation, "describe_vpcs", VpcIds=[args["id"]])["Vpcs"]
    vpc_id = vpc["VpcId"]
    dns_support, dns_hostnames = ec2.vpc_dns_attributes(vpc_id, operation)
    main_tables = ec2.call(
        operation,
        "describe_route_tables",
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ],
    )["RouteTables"]
    return {
        "id": vpc_id,
        "arn": f"arn:aws:ec2:{ec2.region}:{vpc['OwnerId']}:vpc/{vpc_id}",
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
        "filters": None,
        "instanceTenancy": vpc.get("InstanceTenancy", "default"),
        "ipv6AssociationId": "",
        "ipv6CidrBlock": "",
        "mainRouteTableId": main_tables[0]["RouteTableId"] if main_tables else "",
        "ownerId": vpc["OwnerId"],
        "region": ec2.region,
        "state": vpc["State"],
        "tags": tags_to_dict(vpc.get("Tags", [])),
    }


def get_subnet(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    _only(GET_SUBNET, args, {"id"})
    [subnet] = ec2.call("reading EC2 Subnet", "describe_subnets", SubnetIds=[args["id"]])["Subnets"]
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
        "filters": None,
        "ipv6CidrBlock": "",
        "ipv6CidrBlockAssociationId": "",
        "ipv6Native": subnet.get("Ipv6Native", False),
        "mapCustomerOwnedIpOnLaunch": False,
        "mapPublicIpOnLaunch": subnet.get("MapPublicIpOnLaunch", False),
        "outpostArn": "",
        "ownerId": subnet["OwnerId"],
        "privateDnsHostnameTypeOnLaunch": dns.get("HostnameType", "ip-name"),
        "region": ec2.region,
        "state": subnet["State"],
        "tags": tags_to_dict(subnet.get("Tags", [])),
        "vpcId": subnet["VpcId"],
    }


def get_vpc_endpoint_service(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    _only(GET_VPC_ENDPOINT_SERVICE, args, {"serviceName"})
    service_name = args["serviceName"]
    service = ec2.service(service_name, "reading EC2 VPC Endpoint Services")
    region = service.region or ec2.region
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
        "region": ec2.region,
        "service": None,
        "serviceId": service.id,
        "serviceName": service_name,
        "serviceRegion": region,
        "serviceType": "Interface",
        "supportedIpAddressTypes": ["ipv4"],
        "tags": {},
        "vpcEndpointPolicySupported": False,
    }


def get_vpc_endpoint(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    _only(GET_VPC_ENDPOINT, args, {"id"})
    endpoint_id = args["id"]
    operation = "reading EC2 VPC Endpoint"
    endpoint = describe_endpoint(ec2, endpoint_id, operation)
    if endpoint is None:
        raise AwsApiError(
            operation,
            "InvalidVpcEndpointId.NotFound",
            f"The VpcEndPoint ID '{endpoint_id}' does not exist",
        )
    outputs = endpoint_outputs(ec2, endpoint)
    return {key: outputs[key] for key in _DATA_SOURCE_ENDPOINT_KEYS} | {
        "dnsOptions": [outputs["dnsOptions"]],
        "tags": outputs["tagsAll"],
        "filters": None,
    }


def _endpoint_owning(interface: Mapping[str, Any]) -> str | None:
    """The VPC endpoint whose network interface this is, from the description AWS gives it
    (which the double's VPC endpoints write, as moto leaves it out)."""
    description = str(interface.get("Description", ""))
    if description.startswith(ENDPOINT_INTERFACE_DESCRIPTION):
        return description.removeprefix(ENDPOINT_INTERFACE_DESCRIPTION)
    return None


def get_network_interface(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    """One network interface by id: the component reads its VPC endpoint's addresses."""
    _only(GET_NETWORK_INTERFACE, args, {"id"})
    operation = "reading EC2 Network Interface"
    [interface] = ec2.call(
        operation, "describe_network_interfaces", NetworkInterfaceIds=[args["id"]]
    )["NetworkInterfaces"]
    interface_id = interface["NetworkInterfaceId"]
    endpoint_id = _endpoint_owning(interface)
    association = interface.get("Association")
    attachment = interface.get("Attachment")
    return {
        "id": interface_id,
        "arn": f"arn:aws:ec2:{ec2.region}:{interface['OwnerId']}:network-interface/{interface_id}",
        "associations": []
        if association is None
        else [
            {
                "allocationId": association.get("AllocationId", ""),
                "associationId": association.get("AssociationId", ""),
                "carrierIp": association.get("CarrierIp", ""),
                "customerOwnedIp": association.get("CustomerOwnedIp", ""),
                "ipOwnerId": association.get("IpOwnerId", ""),
                "publicDnsName": association.get("PublicDnsName", ""),
                "publicIp": association.get("PublicIp", ""),
            }
        ],
        "attachments": []
        if attachment is None
        else [
            {
                "attachmentId": attachment.get("AttachmentId", ""),
                "deviceIndex": attachment.get("DeviceIndex", 0),
                "instanceId": attachment.get("InstanceId", ""),
                "instanceOwnerId": attachment.get("InstanceOwnerId", ""),
                "networkCardIndex": attachment.get("NetworkCardIndex", 0),
            }
        ],
        "availabilityZone": interface.get("AvailabilityZone", ""),
        "description": interface.get("Description", ""),
        "enaSrdSpecifications": [],
        "filters": None,
        "interfaceType": interface.get("InterfaceType", "interface")
        if endpoint_id is None
        else "vpc_endpoint",
        "ipv6Addresses": [a["Ipv6Address"] for a in interface.get("Ipv6Addresses", [])],
        "macAddress": interface.get("MacAddress", ""),
        "outpostArn": "",
        "ownerId": interface["OwnerId"],
        "privateDnsName": interface.get("PrivateDnsName", ""),
        "privateIp": interface.get("PrivateIpAddress", ""),
        "privateIps": [a["PrivateIpAddress"] for a in interface.get("PrivateIpAddresses", [])],
        "region": ec2.region,
        "requesterId": interface.get("RequesterId", ""),
        "securityGroups": [group["GroupId"] for group in interface.get("Groups", [])],
        "subnetId": interface["SubnetId"],
        "tags": tags_to_dict(interface.get("TagSet", [])),
        "vpcId": interface["VpcId"],
    }


def get_region(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    """The provider's own region: the component asks which region it deploys to."""
    _only(GET_REGION, args, set())
    endpoints = botocore.session.get_session().get_data("endpoints")
    descriptions = {
        name: info.get("description", "")
        for partition in endpoints["partitions"]
        for name, info in partition["regions"].items()
    }
    return {
        "id": ec2.region,
        "name": ec2.region,
        "region": ec2.region,
        "endpoint": f"ec2.{ec2.region}.amazonaws.com",
        "description": descriptions.get(ec2.region, ""),
    }


def get_caller_identity(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    """Who the provider's credentials are: the component names the account in step 1's error."""
    _only(GET_CALLER_IDENTITY, args, set())
    identity = ec2.caller_identity()
    return {
        "id": identity["Account"],
        "accountId": identity["Account"],
        "arn": identity["Arn"],
        "userId": identity["UserId"],
    }


LOOKUPS: Mapping[str, Lookup] = {
    GET_CALLER_IDENTITY: get_caller_identity,
    GET_NETWORK_INTERFACE: get_network_interface,
    GET_REGION: get_region,
    GET_SUBNET: get_subnet,
    GET_VPC: get_vpc,
    GET_VPC_ENDPOINT: get_vpc_endpoint,
    GET_VPC_ENDPOINT_SERVICE: get_vpc_endpoint_service,
    GET_ZONE: get_zone,
}
