"""The double's look-ups: what the component reads about the VPC, subnets, endpoint service, its
endpoint and region, and AWS's errors when there is nothing to read."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.aws_double import (
    ROCKSET_ACCOUNT_ID,
    ROCKSET_SERVICES,
    VPC_ENDPOINT,
    AwsApiError,
    Catalog,
    Ec2Model,
    Network,
    UnsupportedTokenError,
    seed_network,
)
from tests.support.aws_double import (
    EUC1,
    MOTO_ACCOUNT,
    REGION,
    create,
    endpoint_inputs,
    new_model,
)

GET_VPC = "aws:ec2/getVpc:getVpc"
GET_SUBNET = "aws:ec2/getSubnet:getSubnet"
GET_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
GET_ENDPOINT = "aws:ec2/getVpcEndpoint:getVpcEndpoint"
GET_REGION = "aws:index/getRegion:getRegion"
GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
GET_INTERFACE = "aws:ec2/getNetworkInterface:getNetworkInterface"


def test_get_vpc_reports_the_dns_attributes_the_preflight_checks(ec2: Any, model: Ec2Model) -> None:
    network = seed_network(ec2, cidr="10.8.0.0/16", dns_hostnames=False)

    vpc = model.invoke(GET_VPC, {"id": network.vpc_id})

    assert vpc["id"] == network.vpc_id
    assert vpc["cidrBlock"] == "10.8.0.0/16"
    assert vpc["enableDnsSupport"] is True
    assert vpc["enableDnsHostnames"] is False


def test_get_subnet_reports_the_zone_of_each_seeded_subnet(ec2: Any, model: Ec2Model) -> None:
    network = seed_network(ec2, azs=[f"{REGION}a", f"{REGION}c"])

    subnets = {
        zone: model.invoke(GET_SUBNET, {"id": subnet_id})
        for zone, subnet_id in network.subnet_ids_by_az.items()
    }

    assert {zone: s["availabilityZone"] for zone, s in subnets.items()} == {
        f"{REGION}a": f"{REGION}a",
        f"{REGION}c": f"{REGION}c",
    }
    assert {s["cidrBlock"] for s in subnets.values()} == {"10.0.0.0/24", "10.0.1.0/24"}
    assert {s["vpcId"] for s in subnets.values()} == {network.vpc_id}


def test_get_vpc_endpoint_service_describes_rocksets_service(model: Ec2Model) -> None:
    service = model.invoke(GET_SERVICE, {"serviceName": EUC1})

    assert service["serviceName"] == EUC1
    assert service["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert service["acceptanceRequired"] is True
    assert service["owner"] == ROCKSET_ACCOUNT_ID
    assert service["privateDnsName"] == "privatelink.euc1a1.rockset.com"
    assert service["serviceType"] == "Interface"
    assert service["serviceId"] == "vpce-svc-02f409ce75f330219"


def test_an_unregistered_account_cannot_tell_rocksets_service_from_a_missing_one(
    ec2: Any,
) -> None:
    elsewhere = new_model(ec2, registered_accounts=["111111111111"])

    with pytest.raises(AwsApiError) as raised:
        elsewhere.invoke(GET_SERVICE, {"serviceName": EUC1})

    assert raised.value.code == "InvalidServiceName"
    assert str(raised.value) == (
        "reading EC2 VPC Endpoint Services: api error InvalidServiceName: "
        f"The Vpc Endpoint Service '{EUC1}' does not exist"
    )


def test_get_caller_identity_names_the_account_of_the_credentials(model: Ec2Model) -> None:
    identity = model.invoke(GET_CALLER_IDENTITY, {"id": None})

    assert identity["accountId"] == identity["id"] == MOTO_ACCOUNT
    assert identity["arn"].startswith(f"arn:aws:sts::{MOTO_ACCOUNT}:")
    assert identity["userId"]


def test_get_vpc_endpoint_reports_state_and_owner(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    endpoint_id, _ = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))
    not_accepted = new_model(ec2, accepted_accounts=[])

    accepted = model.invoke(GET_ENDPOINT, {"id": endpoint_id})
    pending = not_accepted.invoke(GET_ENDPOINT, {"id": endpoint_id})

    assert accepted["id"] == endpoint_id
    assert accepted["serviceName"] == EUC1
    assert accepted["ownerId"] == MOTO_ACCOUNT
    assert accepted["state"] == "available"
    assert pending["state"] == "pendingAcceptance"


def test_get_network_interface_gives_an_endpoints_addresses(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    endpoint_id, endpoint = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a", "b"))

    interfaces = [
        model.invoke(GET_INTERFACE, {"id": interface_id})
        for interface_id in endpoint["networkInterfaceIds"]
    ]

    assert len(interfaces) == 2
    described = ec2.describe_network_interfaces(
        NetworkInterfaceIds=endpoint["networkInterfaceIds"]
    )["NetworkInterfaces"]
    assert sorted(i["privateIp"] for i in interfaces) == sorted(
        d["PrivateIpAddress"] for d in described
    )
    for interface in interfaces:
        assert interface["privateIps"] == [interface["privateIp"]]
        assert interface["vpcId"] == network.vpc_id
        # As AWS marks an endpoint's interfaces, which moto does not.
        assert interface["interfaceType"] == "vpc_endpoint"
        assert interface["description"] == f"VPC Endpoint Interface {endpoint_id}"
    assert {i["subnetId"] for i in interfaces} == set(endpoint["subnetIds"])


def test_get_region_is_the_region_the_provider_deploys_to(model: Ec2Model) -> None:
    assert model.invoke(GET_REGION, {}) == {
        "id": REGION,
        "name": REGION,
        "region": REGION,
        "endpoint": f"ec2.{REGION}.amazonaws.com",
        "description": "Europe (Frankfurt)",
    }


@pytest.mark.parametrize(
    ("token", "args", "code"),
    [
        (GET_VPC, {"id": "vpc-0000000000000000a"}, "InvalidVpcID.NotFound"),
        (GET_SUBNET, {"id": "subnet-0000000000000000a"}, "InvalidSubnetID.NotFound"),
        (GET_ENDPOINT, {"id": "vpce-0000000000000000a"}, "InvalidVpcEndpointId.NotFound"),
        (GET_SERVICE, {"serviceName": f"{EUC1}0"}, "InvalidServiceName"),
        (GET_INTERFACE, {"id": "eni-0000000000000000a"}, "InvalidNetworkInterfaceID.NotFound"),
    ],
)
def test_missing_things_fail_with_the_error_aws_names(
    model: Ec2Model, token: str, args: dict[str, str], code: str
) -> None:
    with pytest.raises(AwsApiError) as raised:
        model.invoke(token, args)

    assert raised.value.code == code
    assert next(iter(args.values())) in raised.value.message


def test_a_deleted_endpoint_is_not_found(model: Ec2Model, network: Network) -> None:
    endpoint_id, endpoint = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))
    model.delete(VPC_ENDPOINT, endpoint_id, endpoint)

    with pytest.raises(AwsApiError) as raised:
        model.invoke(GET_ENDPOINT, {"id": endpoint_id})

    assert raised.value.code == "InvalidVpcEndpointId.NotFound"


def test_a_function_the_component_does_not_call_is_refused(model: Ec2Model) -> None:
    with pytest.raises(UnsupportedTokenError, match="'aws:ec2/getAmi:getAmi'"):
        model.invoke("aws:ec2/getAmi:getAmi", {})


def test_an_argument_the_component_does_not_pass_is_refused(
    model: Ec2Model, network: Network
) -> None:
    subnet_id = network.subnet_ids_by_az[f"{REGION}a"]
    filters = [{"name": "vpc-id", "values": [network.vpc_id]}]

    with pytest.raises(UnsupportedTokenError, match=f"'{GET_SUBNET} filters'"):
        model.invoke(GET_SUBNET, {"id": subnet_id, "filters": filters})


def test_catalog_serves_rocksets_five_services_each_in_its_own_region() -> None:
    catalog = Catalog()

    assert sorted(service.region or "" for service in ROCKSET_SERVICES.values()) == [
        "ap-southeast-2",
        "eu-central-1",
        "eu-west-1",
        "us-east-1",
        "us-west-2",
    ]
    assert catalog.lookup(EUC1, REGION) is ROCKSET_SERVICES[EUC1]
    assert catalog.lookup(EUC1, "us-west-2") is None
