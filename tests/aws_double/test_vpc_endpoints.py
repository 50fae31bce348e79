"""The double's aws.ec2.VpcEndpoint: AWS's checks on creation and update, acceptance by Rockset,
and the DNS entries AWS reports."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from devtools.aws_double import (
    ACCEPTED_ACCOUNTS_ENV,
    EXTRA_SERVICES_ENV,
    REGISTERED_ACCOUNTS_ENV,
    SECURITY_GROUP,
    VPC_ENDPOINT,
    AwsApiError,
    Ec2Model,
    Network,
    seed_network,
)
from tests.support.aws_double import (
    EUC1,
    MOTO_ACCOUNT,
    REGION,
    create,
    endpoint_inputs,
    group_inputs,
    new_model,
    read_endpoint,
)

PRIVATE_NAME = "privatelink.euc1a1.rockset.com"
DNS_SUFFIX = re.escape(f".vpce-svc-02f409ce75f330219.{REGION}.vpce.amazonaws.com")


@pytest.fixture
def group_id(model: Ec2Model, network: Network) -> str:
    created, _ = create(model, SECURITY_GROUP, "sg", group_inputs(network))
    return created


def refusal(model: Ec2Model, inputs: dict[str, Any]) -> AwsApiError:
    with pytest.raises(AwsApiError) as raised:
        create(model, VPC_ENDPOINT, "ep", inputs)
    return raised.value


def test_created_endpoint_reports_what_aws_holds(
    ec2: Any, model: Ec2Model, network: Network, group_id: str
) -> None:
    endpoint_id, endpoint = create(
        model,
        VPC_ENDPOINT,
        "ep",
        endpoint_inputs(network, "a", "b", securityGroupIds=[group_id], tags={"k": "v"}),
    )

    [live] = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    assert endpoint["arn"] == f"arn:aws:ec2:{REGION}:{MOTO_ACCOUNT}:vpc-endpoint/{endpoint_id}"
    assert endpoint["ownerId"] == MOTO_ACCOUNT
    assert (
        endpoint["subnetIds"]
        == live["SubnetIds"]
        == endpoint_inputs(network, "a", "b")["subnetIds"]
    )
    assert endpoint["securityGroupIds"] == [group_id]
    assert endpoint["networkInterfaceIds"] == live["NetworkInterfaceIds"]
    assert len(endpoint["networkInterfaceIds"]) == 2
    # The double's private-DNS bookkeeping tag is not the user's.
    assert endpoint["tags"] == endpoint["tagsAll"] == {"k": "v"}
    assert read_endpoint(model, endpoint_id) == endpoint


def test_dns_entries_have_aws_shapes_and_the_private_name_last(
    model: Ec2Model, network: Network, group_id: str
) -> None:
    endpoint_id, endpoint = create(
        model,
        VPC_ENDPOINT,
        "ep",
        endpoint_inputs(network, "a", "b", securityGroupIds=[group_id], privateDnsEnabled=True),
    )

    names = [entry["dnsName"] for entry in endpoint["dnsEntries"]]
    stem = rf"{endpoint_id}-[a-z0-9]{{8}}"
    assert len(names) == 4
    assert re.fullmatch(stem + DNS_SUFFIX, names[0])
    assert re.fullmatch(rf"{stem}-{REGION}a{DNS_SUFFIX}", names[1])
    assert re.fullmatch(rf"{stem}-{REGION}b{DNS_SUFFIX}", names[2])
    assert names[3] == PRIVATE_NAME
    assert endpoint["privateDnsEnabled"] is True
    assert all(re.fullmatch(r"Z[A-Z0-9]{13}", e["hostedZoneId"]) for e in endpoint["dnsEntries"])


def test_without_private_dns_the_private_name_is_absent(
    model: Ec2Model, network: Network, group_id: str
) -> None:
    _, endpoint = create(
        model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a", securityGroupIds=[group_id])
    )

    assert endpoint["privateDnsEnabled"] is False
    assert len(endpoint["dnsEntries"]) == 2  # regional and eu-central-1a
    assert PRIVATE_NAME not in [entry["dnsName"] for entry in endpoint["dnsEntries"]]


def test_a_subnet_in_a_zone_the_service_does_not_serve_is_refused(
    ec2: Any, model: Ec2Model, network: Network
) -> None:
    error = refusal(model, endpoint_inputs(network, "a", "c"))

    assert error.code == "InvalidParameter"
    assert error.message == (
        f"The VPC endpoint service {EUC1} does not support the availability zone of the "
        f"subnet: {network.subnet_ids_by_az[f'{REGION}c']}."
    )
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []


def test_two_subnets_in_one_zone_are_refused(ec2: Any, model: Ec2Model) -> None:
    network = seed_network(ec2, azs=[f"{REGION}a", f"{REGION}a"])
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])
    subnet_ids = [subnet["SubnetId"] for subnet in subnets["Subnets"]]

    error = refusal(model, {**endpoint_inputs(network), "subnetIds": subnet_ids})

    assert error.code == "DuplicateSubnetsInSameZone"


def test_an_unknown_service_is_refused_as_aws_names_it(model: Ec2Model, network: Network) -> None:
    unknown = "com.amazonaws.vpce.eu-central-1.vpce-svc-0000000000000000"

    error = refusal(model, {**endpoint_inputs(network, "a"), "serviceName": unknown})

    assert error.code == "InvalidServiceName"
    assert error.message == f"The Vpc Endpoint Service '{unknown}' does not exist"


def test_another_regions_service_is_invisible(model: Ec2Model, network: Network) -> None:
    us_west = "com.amazonaws.vpce.us-west-2.vpce-svc-030e98de8dbf451c0"

    error = refusal(model, {**endpoint_inputs(network, "a"), "serviceName": us_west})

    assert error.code == "InvalidServiceName"


def test_private_dns_needs_both_vpc_dns_attributes(ec2: Any, model: Ec2Model) -> None:
    network = seed_network(ec2, dns_hostnames=False)

    error = refusal(model, endpoint_inputs(network, "a", privateDnsEnabled=True))

    assert error.code == "InvalidParameter"
    assert "requires both enableDnsSupport and enableDnsHostnames" in error.message


def test_only_interface_endpoints_can_be_made_to_rocksets_service(
    model: Ec2Model, network: Network
) -> None:
    inputs = endpoint_inputs(network, "a")
    del inputs["vpcEndpointType"]  # pulumi-aws's default type is Gateway

    error = refusal(model, inputs)

    assert error.code == "InvalidParameter"
    assert error.message.endswith("does not support endpoint type Gateway.")


def test_check_reports_missing_required_inputs(model: Ec2Model) -> None:
    _, failures = model.check(VPC_ENDPOINT, "ep", {"serviceName": EUC1})

    assert failures == [("vpcId", "Missing required property 'vpcId'")]


def test_state_follows_the_accounts_rockset_accepted(
    ec2: Any, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = new_model(ec2)
    endpoint_id, endpoint = create(from_env, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))
    # With both settings unset, moto's own account is registered, and so accepted.
    assert endpoint["state"] == "available"

    monkeypatch.setenv(ACCEPTED_ACCOUNTS_ENV, "")
    assert read_endpoint(from_env, endpoint_id)["state"] == "pendingAcceptance"
    monkeypatch.setenv(ACCEPTED_ACCOUNTS_ENV, f"111111111111, {MOTO_ACCOUNT}")
    assert read_endpoint(from_env, endpoint_id)["state"] == "available"
    explicit = new_model(ec2, accepted_accounts=["111111111111"])
    assert read_endpoint(explicit, endpoint_id)["state"] == "pendingAcceptance"


def test_without_an_acceptance_setting_rockset_accepts_the_registered_accounts(
    ec2: Any, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint_id, _ = create(new_model(ec2), VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))

    # Acceptance follows the registered accounts, so an owner left off them reads as pending.
    monkeypatch.setenv(REGISTERED_ACCOUNTS_ENV, "111111111111")
    assert read_endpoint(new_model(ec2), endpoint_id)["state"] == "pendingAcceptance"
    monkeypatch.setenv(REGISTERED_ACCOUNTS_ENV, MOTO_ACCOUNT)
    assert read_endpoint(new_model(ec2), endpoint_id)["state"] == "available"


@pytest.mark.parametrize("explicit", [True, False], ids=["argument", "environment"])
def test_an_unregistered_account_cannot_connect_to_rocksets_service(
    ec2: Any, network: Network, monkeypatch: pytest.MonkeyPatch, explicit: bool
) -> None:
    if explicit:
        model = new_model(ec2, registered_accounts=["111111111111"])
    else:
        monkeypatch.setenv(REGISTERED_ACCOUNTS_ENV, "111111111111")
        model = new_model(ec2)

    error = refusal(model, endpoint_inputs(network, "a"))

    assert error.code == "InvalidServiceName"
    assert error.message == f"The Vpc Endpoint Service '{EUC1}' does not exist"
    assert ec2.describe_vpc_endpoints()["VpcEndpoints"] == []


def test_update_moves_subnets_and_groups_and_turns_on_private_dns(
    ec2: Any, model: Ec2Model, network: Network, group_id: str
) -> None:
    endpoint_id, endpoint = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))
    news = endpoint_inputs(
        network, "b", securityGroupIds=[group_id], privateDnsEnabled=True, tags={"x": "y"}
    )

    updated = model.update(VPC_ENDPOINT, endpoint_id, endpoint, news)

    assert updated["subnetIds"] == news["subnetIds"]
    assert updated["securityGroupIds"] == [group_id]
    assert updated["privateDnsEnabled"] is True
    assert [e["dnsName"] for e in updated["dnsEntries"]][2:] == [PRIVATE_NAME]
    assert updated["tags"] == {"x": "y"}
    [live] = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"]
    assert live["SubnetIds"] == news["subnetIds"]


def test_update_refuses_a_subnet_the_service_does_not_serve(
    model: Ec2Model, network: Network
) -> None:
    endpoint_id, endpoint = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))

    with pytest.raises(AwsApiError, match="does not support the availability zone"):
        model.update(VPC_ENDPOINT, endpoint_id, endpoint, endpoint_inputs(network, "a", "c"))
    assert read_endpoint(model, endpoint_id)["subnetIds"] == endpoint["subnetIds"]


def test_private_dns_left_out_of_an_update_keeps_its_value(
    model: Ec2Model, network: Network
) -> None:
    inputs = endpoint_inputs(network, "a", privateDnsEnabled=True)
    endpoint_id, endpoint = create(model, VPC_ENDPOINT, "ep", inputs)

    kept = model.update(VPC_ENDPOINT, endpoint_id, endpoint, endpoint_inputs(network, "a"))
    disabled = model.update(
        VPC_ENDPOINT, endpoint_id, kept, endpoint_inputs(network, "a", privateDnsEnabled=False)
    )

    assert kept["privateDnsEnabled"] is True
    assert disabled["privateDnsEnabled"] is False
    assert PRIVATE_NAME not in [entry["dnsName"] for entry in disabled["dnsEntries"]]


def test_a_deleted_endpoint_reads_as_gone(model: Ec2Model, network: Network) -> None:
    endpoint_id, endpoint = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))

    model.delete(VPC_ENDPOINT, endpoint_id, endpoint)

    assert model.read(VPC_ENDPOINT, endpoint_id) is None


def test_services_named_in_the_environment_can_be_connected_to(
    model: Ec2Model, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "com.amazonaws.vpce.eu-central-1.vpce-svc-0123456789abcdef0"
    spec = {"availability_zones": [f"{REGION}c"], "private_dns_name": "x.example.com"}
    monkeypatch.setenv(EXTRA_SERVICES_ENV, json.dumps({name: spec}))

    _, endpoint = create(
        model,
        VPC_ENDPOINT,
        "ep",
        {**endpoint_inputs(network, "c", privateDnsEnabled=True), "serviceName": name},
    )

    assert endpoint["state"] == "available"
    assert endpoint["dnsEntries"][-1]["dnsName"] == "x.example.com"
    assert len(endpoint["dnsEntries"]) == 3
