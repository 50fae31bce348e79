"""The moto-backed pulumi-aws double: model, Pulumi mocks, and the gRPC plugin."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import grpc
import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import empty_pb2
from moto import mock_aws
from moto.server import ThreadedMotoServer
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN

from devtools.aws_double import (
    EXTRA_SERVICES_ENV,
    PULUMI_AWS_VERSION,
    REGISTERED_ACCOUNTS_ENV,
    ROCKSET_ACCOUNT_ID,
    ROCKSET_SERVICES,
    SECURITY_GROUP,
    VPC_ENDPOINT,
    AwsApiError,
    Catalog,
    Ec2Model,
    Network,
    UnsupportedTokenError,
    seed_network,
)
from devtools.aws_double.mocks import MotoMocks, mocked_aws
from devtools.aws_double.provider import diff_properties, plain_map, to_property

REGION = "eu-central-1"
EUC1 = "com.amazonaws.vpce.eu-central-1.vpce-svc-02f409ce75f330219"
PLUGIN = Path(__file__).resolve().parents[1] / "devtools" / "bin" / "pulumi-resource-aws"
ALL_TCP_443 = {"protocol": "tcp", "fromPort": 443, "toPort": 443}
ALLOW_ALL = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}

# pulumi.runtime.test is untyped; this gives it the type it has.
pulumi_test: Callable[[Callable[[], Any]], Callable[[], None]] = pulumi.runtime.test


@pytest.fixture(autouse=True)
def _clean_double_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REGISTERED_ACCOUNTS_ENV, raising=False)
    monkeypatch.delenv(EXTRA_SERVICES_ENV, raising=False)


@pytest.fixture
def ec2() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


@pytest.fixture
def network(ec2: Any) -> Network:
    return seed_network(ec2)


@pytest.fixture
def model(ec2: Any) -> Ec2Model:
    return Ec2Model(ec2, region=REGION, catalog=Catalog())


def create(model: Ec2Model, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, Any]:
    checked, failures = model.check(typ, name, inputs)
    assert failures == []
    return model.create(typ, checked)


def read_state(model: Ec2Model, endpoint_id: str) -> str:
    outputs = model.read(VPC_ENDPOINT, endpoint_id, {})
    assert outputs is not None
    return str(outputs["state"])


def endpoint_inputs(network: Network, *azs: str, **extra: Any) -> dict[str, Any]:
    return {
        "vpcId": network.vpc_id,
        "serviceName": EUC1,
        "vpcEndpointType": "Interface",
        "subnetIds": [network.subnet_ids_by_az[f"{REGION}{az}"] for az in azs],
        **extra,
    }


# --- model ----------------------------------------------------------------------------------


def test_seed_network_makes_a_subnet_per_az_with_dns(ec2: Any) -> None:
    network = seed_network(ec2, azs=[f"{REGION}a", f"{REGION}c"], dns_hostnames=False)

    assert list(network.subnet_ids_by_az) == [f"{REGION}a", f"{REGION}c"]
    subnets = ec2.describe_subnets(SubnetIds=list(network.subnet_ids_by_az.values()))["Subnets"]
    assert {s["CidrBlock"] for s in subnets} == {"10.0.0.0/24", "10.0.1.0/24"}
    attribute = ec2.describe_vpc_attribute(VpcId=network.vpc_id, Attribute="enableDnsHostnames")
    assert attribute["EnableDnsHostnames"]["Value"] is False


def test_security_group_defaults_and_authoritative_rules(model: Ec2Model, network: Network) -> None:
    group_id, group = create(
        model,
        SECURITY_GROUP,
        "endpoint-sg",
        {
            "vpcId": network.vpc_id,
            "ingress": [{**ALL_TCP_443, "cidrBlocks": ["10.0.0.0/16"], "self": True}],
            "tags": {"team": "data"},
        },
    )

    assert re.fullmatch(r"endpoint-sg-[0-9a-f]{7}", group["name"])
    assert group["description"] == "Managed by Pulumi"
    assert group["arn"].endswith(f":security-group/{group_id}")
    assert group["ownerId"] == "123456789012"
    assert group["tags"] == group["tagsAll"] == {"team": "data"}
    assert group["ingress"] == [
        {
            **ALL_TCP_443,
            "description": "",
            "self": True,
            "cidrBlocks": ["10.0.0.0/16"],
            "ipv6CidrBlocks": [],
            "prefixListIds": [],
            "securityGroups": [],
        }
    ]
    # AWS's default allow-all egress is gone because the inputs list no egress.
    assert group["egress"] == []


def test_security_group_keeps_listed_egress_and_syncs_updates(
    model: Ec2Model, network: Network
) -> None:
    group_id, group = create(
        model,
        SECURITY_GROUP,
        "sg",
        {"vpcId": network.vpc_id, "name": "fixed", "egress": [ALLOW_ALL]},
    )
    assert group["name"] == "fixed"
    assert [(r["protocol"], r["cidrBlocks"]) for r in group["egress"]] == [("-1", ["0.0.0.0/0"])]

    updated = model.update(
        SECURITY_GROUP,
        group_id,
        group,
        {
            "ingress": [{**ALL_TCP_443, "cidrBlocks": ["10.1.0.0/16"], "description": "apps"}],
            "egress": [],
            "tags": {"a": "1"},
        },
    )

    assert [(r["cidrBlocks"], r["description"]) for r in updated["ingress"]] == [
        (["10.1.0.0/16"], "apps")
    ]
    assert updated["egress"] == []
    assert updated["tagsAll"] == {"a": "1"}


def test_security_group_delete_and_read_of_missing(model: Ec2Model, network: Network) -> None:
    group_id, group = create(
        model,
        SECURITY_GROUP,
        "sg",
        {"vpcId": network.vpc_id, "ingress": [{**ALL_TCP_443, "self": True}]},
    )
    model.delete(SECURITY_GROUP, group_id, {**group, "revokeRulesOnDelete": True})

    assert model.read(SECURITY_GROUP, group_id, {}) is None
    model.delete(SECURITY_GROUP, group_id, group)  # already gone: not an error


def test_endpoint_outputs_and_aws_dns_entry_shapes(model: Ec2Model, network: Network) -> None:
    endpoint_id, endpoint = create(
        model,
        VPC_ENDPOINT,
        "ep",
        endpoint_inputs(network, "a", "b", privateDnsEnabled=True, tags={"k": "v"}),
    )

    assert endpoint["state"] == "available"
    assert endpoint["ownerId"] == "123456789012"
    assert endpoint["arn"] == f"arn:aws:ec2:{REGION}:123456789012:vpc-endpoint/{endpoint_id}"
    assert endpoint["privateDnsEnabled"] is True
    assert len(endpoint["networkInterfaceIds"]) == 2
    assert endpoint["tags"] == endpoint["tagsAll"] == {"k": "v"}
    # No security group given: AWS attaches the VPC's default group.
    assert len(endpoint["securityGroupIds"]) == 1
    names = [entry["dnsName"] for entry in endpoint["dnsEntries"]]
    suffix = re.escape(f".vpce-svc-02f409ce75f330219.{REGION}.vpce.amazonaws.com")
    stem = rf"{endpoint_id}-[a-z0-9]{{8}}"
    assert re.fullmatch(stem + suffix, names[0])
    assert re.fullmatch(rf"{stem}-{REGION}a{suffix}", names[1])
    assert re.fullmatch(rf"{stem}-{REGION}b{suffix}", names[2])
    assert names[3] == "privatelink.euc1a1.rockset.com"
    assert all(re.fullmatch(r"Z[A-Z0-9]{13}", e["hostedZoneId"]) for e in endpoint["dnsEntries"])
    assert model.read(VPC_ENDPOINT, endpoint_id, {}) == endpoint | {"autoAccept": None}


def test_endpoint_refuses_a_subnet_in_an_az_the_service_does_not_serve(
    model: Ec2Model, network: Network
) -> None:
    subnet_c = network.subnet_ids_by_az[f"{REGION}c"]
    with pytest.raises(AwsApiError) as raised:
        create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a", "c"))

    assert raised.value.code == "InvalidParameter"
    assert raised.value.message == (
        f"The VPC endpoint service {EUC1} does not support the availability zone of the "
        f"subnet: {subnet_c}."
    )


def test_endpoint_refuses_two_subnets_in_one_az(ec2: Any, model: Ec2Model) -> None:
    network = seed_network(ec2, azs=[f"{REGION}a", f"{REGION}a"])
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])
    subnet_ids = [subnet["SubnetId"] for subnet in subnets["Subnets"]]

    with pytest.raises(AwsApiError, match="DuplicateSubnetsInSameZone"):
        create(
            model,
            VPC_ENDPOINT,
            "ep",
            {**endpoint_inputs(network), "subnetIds": subnet_ids},
        )


def test_endpoint_refuses_unknown_service_and_private_dns_without_vpc_dns(
    ec2: Any, model: Ec2Model
) -> None:
    network = seed_network(ec2, dns_hostnames=False)
    unknown = "com.amazonaws.vpce.eu-central-1.vpce-svc-0000000000000000"
    with pytest.raises(
        AwsApiError, match=f"InvalidServiceName: The Vpc Endpoint Service '{unknown}'"
    ):
        create(model, VPC_ENDPOINT, "ep", {**endpoint_inputs(network, "a"), "serviceName": unknown})
    # Another region's service is invisible here, as in AWS.
    us_west = "com.amazonaws.vpce.us-west-2.vpce-svc-030e98de8dbf451c0"
    with pytest.raises(AwsApiError, match="InvalidServiceName"):
        create(model, VPC_ENDPOINT, "ep", {**endpoint_inputs(network, "a"), "serviceName": us_west})
    with pytest.raises(AwsApiError, match="requires both enableDnsSupport and enableDnsHostnames"):
        create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a", privateDnsEnabled=True))


def test_endpoint_check_reports_missing_required_inputs(model: Ec2Model) -> None:
    checked, failures = model.check(VPC_ENDPOINT, "ep", {"serviceName": EUC1})

    assert checked["vpcEndpointType"] == "Gateway"
    assert failures == [("vpcId", "Missing required property 'vpcId'")]


def test_endpoint_state_follows_registered_accounts(
    ec2: Any, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_model = Ec2Model(ec2, region=REGION, catalog=Catalog())
    endpoint_id, endpoint = create(env_model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))
    assert endpoint["state"] == "available"  # moto's default account is registered by default

    monkeypatch.setenv(REGISTERED_ACCOUNTS_ENV, "")
    assert read_state(env_model, endpoint_id) == "pendingAcceptance"
    monkeypatch.setenv(REGISTERED_ACCOUNTS_ENV, "111111111111, 123456789012")
    assert read_state(env_model, endpoint_id) == "available"

    explicit = Ec2Model(ec2, region=REGION, catalog=Catalog(), registered_accounts=[])
    assert read_state(explicit, endpoint_id) == "pendingAcceptance"


def test_endpoint_updates_in_place(model: Ec2Model, network: Network) -> None:
    group_id, _ = create(model, SECURITY_GROUP, "sg", {"vpcId": network.vpc_id})
    endpoint_id, endpoint = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))

    news = endpoint_inputs(
        network, "a", "b", securityGroupIds=[group_id], privateDnsEnabled=True, tags={"x": "y"}
    )
    updated = model.update(VPC_ENDPOINT, endpoint_id, endpoint, news)

    assert updated["subnetIds"] == news["subnetIds"]
    assert updated["securityGroupIds"] == [group_id]
    assert updated["privateDnsEnabled"] is True
    assert updated["dnsEntries"][-1]["dnsName"] == "privatelink.euc1a1.rockset.com"
    assert updated["tags"] == {"x": "y"}
    with pytest.raises(AwsApiError, match="does not support the availability zone"):
        model.update(VPC_ENDPOINT, endpoint_id, updated, endpoint_inputs(network, "a", "c"))
    # Left out of the inputs, privateDnsEnabled keeps its value; set false, it is disabled.
    kept = model.update(VPC_ENDPOINT, endpoint_id, updated, endpoint_inputs(network, "a"))
    assert kept["privateDnsEnabled"] is True
    disabled = model.update(
        VPC_ENDPOINT, endpoint_id, kept, endpoint_inputs(network, "a", privateDnsEnabled=False)
    )
    assert disabled["privateDnsEnabled"] is False
    assert len(disabled["dnsEntries"]) == 2  # regional and eu-central-1a; no private name

    model.delete(VPC_ENDPOINT, endpoint_id, updated)
    assert model.read(VPC_ENDPOINT, endpoint_id, {}) is None


def test_extra_services_come_from_the_environment(
    model: Ec2Model, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "com.amazonaws.vpce.eu-central-1.vpce-svc-0123456789abcdef0"
    spec = {"availability_zones": [f"{REGION}c"], "private_dns_name": "x.example.com"}
    monkeypatch.setenv(EXTRA_SERVICES_ENV, json.dumps({name: spec}))

    service = model.invoke(
        "aws:ec2/getVpcEndpointService:getVpcEndpointService", {"serviceName": name}
    )
    _, endpoint = create(
        model, VPC_ENDPOINT, "ep", {**endpoint_inputs(network, "c"), "serviceName": name}
    )

    assert service["availabilityZones"] == [f"{REGION}c"]
    assert service["privateDnsName"] == "x.example.com"
    assert endpoint["state"] == "available"


def test_catalog_knows_rocksets_five_services() -> None:
    catalog = Catalog()
    zones = {name: service.availability_zones for name, service in ROCKSET_SERVICES.items()}

    assert len(zones) == 5
    assert zones[EUC1] == (f"{REGION}a", f"{REGION}b")
    assert catalog.lookup(EUC1, REGION) is ROCKSET_SERVICES[EUC1]
    assert catalog.lookup(EUC1, "us-west-2") is None


def test_invokes(model: Ec2Model, network: Network) -> None:
    endpoint_id, _ = create(model, VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))
    subnet_b = network.subnet_ids_by_az[f"{REGION}b"]

    service = model.invoke(
        "aws:ec2/getVpcEndpointService:getVpcEndpointService", {"serviceName": EUC1}
    )
    s3 = model.invoke(
        "aws:ec2/getVpcEndpointService:getVpcEndpointService",
        {"service": "s3", "serviceType": "Gateway"},
    )
    subnet = model.invoke("aws:ec2/getSubnet:getSubnet", {"id": subnet_b})
    vpc = model.invoke("aws:ec2/getVpc:getVpc", {"id": network.vpc_id})
    endpoint = model.invoke("aws:ec2/getVpcEndpoint:getVpcEndpoint", {"id": endpoint_id})
    by_service = model.invoke(
        "aws:ec2/getVpcEndpoint:getVpcEndpoint",
        {"vpcId": network.vpc_id, "filters": [{"name": "service-name", "values": [EUC1]}]},
    )
    region = model.invoke("aws:index/getRegion:getRegion", {})
    identity = model.invoke("aws:index/getCallerIdentity:getCallerIdentity", {})

    assert service["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]
    assert service["acceptanceRequired"] is True
    assert service["owner"] == ROCKSET_ACCOUNT_ID
    assert service["privateDnsName"] == "privatelink.euc1a1.rockset.com"
    assert service["serviceType"] == "Interface"
    assert service["serviceId"] == "vpce-svc-02f409ce75f330219"
    assert s3["serviceName"] == f"com.amazonaws.{REGION}.s3"
    assert s3["serviceType"] == "Gateway"
    assert subnet["availabilityZone"] == f"{REGION}b"
    assert subnet["vpcId"] == network.vpc_id
    assert vpc["enableDnsSupport"] is True
    assert vpc["enableDnsHostnames"] is True
    assert vpc["cidrBlock"] == "10.0.0.0/16"
    assert endpoint["state"] == "available"
    assert endpoint["serviceName"] == EUC1
    assert by_service["id"] == endpoint_id
    assert region == {
        "id": REGION,
        "name": REGION,
        "region": REGION,
        "endpoint": f"ec2.{REGION}.amazonaws.com",
        "description": "Europe (Frankfurt)",
    }
    assert identity["accountId"] == identity["id"] == "123456789012"


def test_invoke_errors(model: Ec2Model) -> None:
    with pytest.raises(AwsApiError, match="InvalidServiceName"):
        model.invoke(
            "aws:ec2/getVpcEndpointService:getVpcEndpointService",
            {"serviceName": "com.amazonaws.vpce.eu-central-1.vpce-svc-nope"},
        )
    with pytest.raises(AwsApiError, match="no matching EC2 Subnet found"):
        model.invoke("aws:ec2/getSubnet:getSubnet", {"id": "subnet-00000000000000000"})
    with pytest.raises(UnsupportedTokenError, match="aws:ec2/getAmi:getAmi"):
        model.invoke("aws:ec2/getAmi:getAmi", {})


# --- diff (the plugin's) --------------------------------------------------------------------


def test_diff_compares_rules_as_sets_and_flags_replacements() -> None:
    olds = {
        "vpcId": "vpc-1",
        "ingress": [{**ALL_TCP_443, "cidrBlocks": ["10.0.0.0/16", "10.1.0.0/16"], "self": True}],
        "tags": {"a": "b"},
        "dnsOptions": {"dnsRecordIpType": "ipv4", "privateDnsPreference": ""},
    }
    split_rules = [
        {**ALL_TCP_443, "cidrBlocks": ["10.1.0.0/16"]},
        {"protocol": "6", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]},
        {**ALL_TCP_443, "self": True},
    ]
    same = diff_properties(
        SECURITY_GROUP,
        "sg-1",
        olds,
        {"vpcId": "vpc-1", "ingress": split_rules, "tags": {"a": "b"}},
        [],
    )
    changed = diff_properties(
        VPC_ENDPOINT,
        "vpce-1",
        olds,
        {"vpcId": UNKNOWN, "dnsOptions": {"dnsRecordIpType": "ipv4"}},
        [],
    )

    assert same.changes is False
    assert changed.changes is True
    assert changed.replaces == ["vpcId"]
    assert changed.diffs == ["tags", "vpcId"]  # tags dropped from the inputs: a deletion


# --- pulumi mocks ---------------------------------------------------------------------------


def test_mocks_run_a_program_against_moto() -> None:
    with mocked_aws() as mocked:
        network = mocked.network

        @pulumi_test
        def program() -> pulumi.Output[Any]:
            provider = aws.Provider("aws", region=REGION)
            opts = pulumi.ResourceOptions(provider=provider)
            service = aws.ec2.get_vpc_endpoint_service_output(
                service_name=EUC1, opts=pulumi.InvokeOutputOptions(provider=provider)
            )
            group = aws.ec2.SecurityGroup(
                "sg",
                vpc_id=network.vpc_id,
                ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "self": True}],
                opts=opts,
            )
            endpoint = aws.ec2.VpcEndpoint(
                "ep",
                vpc_id=network.vpc_id,
                service_name=service.service_name,
                vpc_endpoint_type="Interface",
                subnet_ids=[network.subnet_ids_by_az[f"{REGION}a"]],
                security_group_ids=[group.id],
                private_dns_enabled=True,
                opts=opts,
            )
            return pulumi.Output.all(endpoint.state, endpoint.dns_entries, group.egress).apply(
                check
            )

        def check(args: list[Any]) -> None:
            state, dns_entries, egress = args
            assert state == "available"
            assert dns_entries[-1]["dns_name"] == "privatelink.euc1a1.rockset.com"
            assert egress == []

        program()

    mocks = mocked.mocks
    assert [(typ, name) for typ, name, _ in mocks.resources] == [
        ("pulumi:providers:aws", "aws"),
        (SECURITY_GROUP, "sg"),
        (VPC_ENDPOINT, "ep"),
    ]
    assert mocks.calls == [
        ("aws:ec2/getVpcEndpointService:getVpcEndpointService", {"serviceName": EUC1})
    ]


def test_mocks_preview_creates_nothing() -> None:
    with mocked_aws(preview=True) as mocked:

        @pulumi_test
        def program() -> pulumi.Output[Any]:
            group = aws.ec2.SecurityGroup("sg", vpc_id=mocked.network.vpc_id)
            return pulumi.Output.all(group.name, group.arn).apply(check)

        def check(args: list[Any]) -> None:
            name, arn = args
            assert name.startswith("sg-")
            assert arn is None  # unknown during a preview

        program()
        groups = mocked.ec2.describe_security_groups()["SecurityGroups"]

    assert {group["GroupName"] for group in groups} == {"default"}
    assert isinstance(mocked.mocks, MotoMocks)


# --- the plugin over gRPC -------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def server_network(moto_server: str) -> Network:
    ec2 = boto3.client(
        "ec2",
        region_name=REGION,
        endpoint_url=moto_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return seed_network(ec2)


class Plugin:
    """The plugin executable, started as the engine starts it, and a stub to drive it."""

    def __init__(self, moto_url: str, **env: str) -> None:
        self.moto_url = moto_url
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("AWS_")
        }
        environment |= {"AWS_ENDPOINT_URL": moto_url, "AWS_DOUBLE_PYTHON": sys.executable} | env
        self.process = subprocess.Popen(
            [str(PLUGIN), "127.0.0.1:1"],
            stdout=subprocess.PIPE,
            env=environment,
        )
        assert self.process.stdout is not None
        port = int(self.process.stdout.readline())
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.stub.Configure(
            proto.ConfigureRequest(
                args=struct({"region": REGION, "skipCredentialsValidation": True}),
                acceptSecrets=True,
            )
        )

    def close(self) -> None:
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=10)


def struct(values: dict[str, Any]) -> Any:
    return PropertyValue.marshal_map({k: to_property(v) for k, v in values.items()})


def urn(typ: str, name: str) -> str:
    return f"urn:pulumi:test::double::{typ}::{name}"


@pytest.fixture(scope="module")
def plugin(moto_server: str) -> Iterator[Plugin]:
    started = Plugin(moto_server)
    yield started
    started.close()


def test_plugin_lifecycle_over_grpc(plugin: Plugin, server_network: Network) -> None:
    stub = plugin.stub
    assert stub.GetPluginInfo(empty_pb2.Empty()).version == PULUMI_AWS_VERSION

    sg_urn = urn(SECURITY_GROUP, "sg")
    checked = stub.Check(
        proto.CheckRequest(
            urn=sg_urn,
            news=struct(
                {"vpcId": server_network.vpc_id, "ingress": [{**ALL_TCP_443, "self": True}]}
            ),
            randomSeed=b"seed",
        )
    ).inputs
    assert plain_map(PropertyValue.unmarshal_map(checked))["name"].startswith("sg-")
    preview = stub.Create(proto.CreateRequest(urn=sg_urn, properties=checked, preview=True))
    assert plain_map(PropertyValue.unmarshal_map(preview.properties))["arn"] == UNKNOWN
    group = stub.Create(proto.CreateRequest(urn=sg_urn, properties=checked))
    assert group.id.startswith("sg-")

    ep_urn = urn(VPC_ENDPOINT, "ep")
    ep_inputs = endpoint_inputs(server_network, "a", securityGroupIds=[group.id])
    refused = endpoint_inputs(server_network, "c")
    with pytest.raises(grpc.RpcError) as raised:
        stub.Create(proto.CreateRequest(urn=ep_urn, properties=struct(refused)))
    # Reported like pulumi-aws: the AWS message, without the double's traceback.
    assert raised.value.details().endswith(
        f"does not support the availability zone of the subnet: {refused['subnetIds'][0]}."
    )
    endpoint = stub.Create(proto.CreateRequest(urn=ep_urn, properties=struct(ep_inputs)))
    state = plain_map(PropertyValue.unmarshal_map(endpoint.properties))
    assert state["state"] == "available"
    assert state["subnetIds"] == ep_inputs["subnetIds"]

    diff = stub.Diff(
        proto.DiffRequest(
            urn=ep_urn,
            id=endpoint.id,
            olds=endpoint.properties,
            news=struct({**ep_inputs, "tags": {"a": "b"}}),
        )
    )
    assert (diff.changes, list(diff.diffs), list(diff.replaces)) == (
        proto.DiffResponse.DIFF_SOME,
        ["tags"],
        [],
    )
    replace = stub.Diff(
        proto.DiffRequest(
            urn=ep_urn,
            id=endpoint.id,
            olds=endpoint.properties,
            news=struct({**ep_inputs, "serviceName": "com.amazonaws.eu-central-1.s3"}),
        )
    )
    assert list(replace.replaces) == ["serviceName"]
    updated = stub.Update(
        proto.UpdateRequest(
            urn=ep_urn,
            id=endpoint.id,
            olds=endpoint.properties,
            news=struct({**ep_inputs, "tags": {"a": "b"}}),
        )
    )
    assert plain_map(PropertyValue.unmarshal_map(updated.properties))["tags"] == {"a": "b"}

    service = stub.Invoke(
        proto.InvokeRequest(
            tok="aws:ec2/getVpcEndpointService:getVpcEndpointService",
            args=struct({"serviceName": EUC1}),
        )
    )
    returned = plain_map(PropertyValue.unmarshal_map(getattr(service, "return")))
    assert returned["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]

    # A second plugin process (a later engine run) sees the same moto state, with its own env.
    later = Plugin(plugin.moto_url, **{REGISTERED_ACCOUNTS_ENV: ""})
    try:
        read = later.stub.Read(
            proto.ReadRequest(urn=ep_urn, id=endpoint.id, properties=updated.properties)
        )
        assert plain_map(PropertyValue.unmarshal_map(read.properties))["state"] == (
            "pendingAcceptance"
        )
    finally:
        later.close()

    stub.Delete(proto.DeleteRequest(urn=ep_urn, id=endpoint.id, properties=updated.properties))
    gone = stub.Read(proto.ReadRequest(urn=ep_urn, id=endpoint.id, properties=updated.properties))
    assert gone.id == ""
    stub.Delete(proto.DeleteRequest(urn=sg_urn, id=group.id, properties=group.properties))
