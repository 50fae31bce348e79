"""The double as the `pulumi-resource-aws` plugin: the executable the engine starts, driven over
gRPC against a moto server, and its diff."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import grpc
import pulumi
import pytest
from google.protobuf import empty_pb2, struct_pb2
from moto.server import ThreadedMotoServer
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN, _special_archive_sig, _special_sig_key

from devtools.aws_double import (
    ACCEPTED_ACCOUNTS_ENV,
    PULUMI_AWS_VERSION,
    REGISTERED_ACCOUNTS_ENV,
    SECURITY_GROUP,
    VPC_ENDPOINT,
    Network,
    UnsupportedTokenError,
    seed_network,
)
from devtools.aws_double.lambda_functions import FUNCTION
from devtools.aws_double.provider import diff_properties, plain_map, to_property
from tests.support.aws_double import (
    EUC1,
    HTTPS,
    MOTO_ACCOUNT,
    REGION,
    endpoint_inputs,
    group_inputs,
)

GET_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
PLUGIN = Path(__file__).resolve().parents[2] / "devtools" / "bin" / "pulumi-resource-aws"


def struct(values: dict[str, Any]) -> Any:
    return PropertyValue.marshal_map({k: to_property(v) for k, v in values.items()})


def plain(properties: Any) -> dict[str, Any]:
    return plain_map(PropertyValue.unmarshal_map(properties))


def urn(typ: str, name: str) -> str:
    return f"urn:pulumi:test::double::{typ}::{name}"


class Plugin:
    """The plugin executable, started as the engine starts it, and a stub to drive it."""

    def __init__(self, moto_url: str, **env: str) -> None:
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("AWS_")
        }
        environment |= {"AWS_ENDPOINT_URL": moto_url, "AWS_DOUBLE_PYTHON": sys.executable} | env
        self.process = subprocess.Popen(
            [str(PLUGIN), "127.0.0.1:1"], stdout=subprocess.PIPE, env=environment
        )
        assert self.process.stdout is not None
        # The engine's handshake: the plugin prints its port first.
        port = int(self.process.stdout.readline())
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.stub.Configure(
            proto.ConfigureRequest(args=struct({"region": REGION}), acceptSecrets=True)
        )

    def close(self) -> None:
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=10)

    def check(self, typ: str, name: str, news: dict[str, Any], **request: Any) -> Any:
        return self.stub.Check(proto.CheckRequest(urn=urn(typ, name), news=struct(news), **request))

    def create(self, typ: str, name: str, inputs: dict[str, Any], **request: Any) -> Any:
        checked = self.check(typ, name, inputs).inputs
        return self.stub.Create(
            proto.CreateRequest(urn=urn(typ, name), properties=checked, **request)
        )


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def ec2(moto_url: str) -> Any:
    """The moto server's EC2, as a user would see it from outside the plugin."""
    return boto3.client(
        "ec2",
        region_name=REGION,
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def network(ec2: Any) -> Network:
    return seed_network(ec2)


@pytest.fixture(scope="module")
def plugin(moto_url: str) -> Iterator[Plugin]:
    started = Plugin(moto_url)
    yield started
    started.close()


@pytest.fixture
def endpoint(plugin: Plugin, network: Network) -> Any:
    """A Rockset endpoint created through the plugin: its CreateResponse."""
    return plugin.create(VPC_ENDPOINT, "ep", endpoint_inputs(network, "a"))


def test_plugin_reports_the_pulumi_aws_version_it_stands_in_for(plugin: Plugin) -> None:
    assert plugin.stub.GetPluginInfo(empty_pb2.Empty()).version == PULUMI_AWS_VERSION


def test_check_autonames_deterministically_and_keeps_the_name_on_update(
    plugin: Plugin, network: Network
) -> None:
    first = plain(plugin.check(SECURITY_GROUP, "sg", group_inputs(network), randomSeed=b"1").inputs)
    again = plain(plugin.check(SECURITY_GROUP, "sg", group_inputs(network), randomSeed=b"1").inputs)
    update = plugin.check(
        SECURITY_GROUP,
        "sg",
        group_inputs(network, tags={"a": "b"}),
        olds=struct(first),
        randomSeed=b"2",
    )

    assert re.fullmatch(r"sg-[0-9a-f]{7}", first["name"])
    assert again["name"] == first["name"]
    assert plain(update.inputs)["name"] == first["name"]


def test_check_reads_the_type_of_a_parented_resource_from_its_urn(
    plugin: Plugin, network: Network
) -> None:
    parented = "rockset:aws:PrivateLink$" + SECURITY_GROUP
    checked = plugin.check(parented, "sg", group_inputs(network))

    assert plain(checked.inputs)["region"] == REGION


def test_check_reports_missing_required_inputs_as_failures(plugin: Plugin) -> None:
    checked = plugin.check(VPC_ENDPOINT, "ep", {"serviceName": EUC1})

    assert [(f.property, f.reason) for f in checked.failures] == [
        ("vpcId", "Missing required property 'vpcId'")
    ]


def test_a_preview_create_reports_unknown_outputs_and_creates_nothing(
    plugin: Plugin, ec2: Any, network: Network
) -> None:
    preview = plugin.create(SECURITY_GROUP, "previewed", group_inputs(network), preview=True)

    assert plain(preview.properties)["arn"] == UNKNOWN
    assert preview.id == ""
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])[
        "SecurityGroups"
    ]
    assert not any(g["GroupName"].startswith("previewed-") for g in groups)


def test_create_makes_the_group_in_aws(plugin: Plugin, ec2: Any, network: Network) -> None:
    ingress = [{**HTTPS, "cidrBlocks": ["10.0.0.0/16"]}]

    created = plugin.create(SECURITY_GROUP, "sg", group_inputs(network, ingress=ingress))

    [group] = ec2.describe_security_groups(GroupIds=[created.id])["SecurityGroups"]
    assert plain(created.properties)["name"] == group["GroupName"]
    assert [(p["FromPort"], p["IpRanges"]) for p in group["IpPermissions"]] == [
        (443, [{"CidrIp": "10.0.0.0/16"}])
    ]


def test_aws_errors_come_back_as_pulumi_aws_words_them(plugin: Plugin, network: Network) -> None:
    refused = endpoint_inputs(network, "c")

    with pytest.raises(grpc.RpcError) as raised:
        plugin.create(VPC_ENDPOINT, "ep", refused)

    # The message alone: the double's traceback stays in the plugin.
    assert raised.value.details() == (
        f"creating EC2 VPC Endpoint ({EUC1}): api error InvalidParameter: The VPC endpoint "
        f"service {EUC1} does not support the availability zone of the subnet: "
        f"{refused['subnetIds'][0]}."
    )


def test_an_unsupported_resource_type_is_refused_by_name(plugin: Plugin) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        plugin.check("aws:s3/bucket:Bucket", "bucket", {})

    assert raised.value.details() == str(
        UnsupportedTokenError("resource type", "aws:s3/bucket:Bucket")
    )


def test_diff_of_tags_is_an_in_place_update(
    plugin: Plugin, network: Network, endpoint: Any
) -> None:
    inputs = endpoint_inputs(network, "a", tags={"a": "b"})

    diff = plugin.stub.Diff(
        proto.DiffRequest(
            urn=urn(VPC_ENDPOINT, "ep"),
            id=endpoint.id,
            olds=endpoint.properties,
            news=struct(inputs),
        )
    )

    assert diff.changes == proto.DiffResponse.DIFF_SOME
    assert (list(diff.diffs), list(diff.replaces)) == (["tags"], [])


def test_diff_of_the_service_name_is_a_replacement(
    plugin: Plugin, network: Network, endpoint: Any
) -> None:
    other = "com.amazonaws.vpce.eu-central-1.vpce-svc-0123456789abcdef0"
    inputs = {**endpoint_inputs(network, "a"), "serviceName": other}

    diff = plugin.stub.Diff(
        proto.DiffRequest(
            urn=urn(VPC_ENDPOINT, "ep"),
            id=endpoint.id,
            olds=endpoint.properties,
            news=struct(inputs),
        )
    )

    assert (list(diff.diffs), list(diff.replaces)) == (["serviceName"], ["serviceName"])


def test_update_changes_the_endpoint_in_aws(
    plugin: Plugin, ec2: Any, network: Network, endpoint: Any
) -> None:
    news = endpoint_inputs(network, "a", "b", tags={"a": "b"})

    updated = plugin.stub.Update(
        proto.UpdateRequest(
            urn=urn(VPC_ENDPOINT, "ep"),
            id=endpoint.id,
            olds=endpoint.properties,
            news=struct(news),
        )
    )

    assert plain(updated.properties)["tags"] == {"a": "b"}
    [live] = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint.id])["VpcEndpoints"]
    assert sorted(live["SubnetIds"]) == sorted(news["subnetIds"])


def test_invoke_answers_a_lookup(plugin: Plugin) -> None:
    answer = plugin.stub.Invoke(
        proto.InvokeRequest(
            tok=GET_SERVICE,
            args=struct({"serviceName": EUC1}),
        )
    )

    assert plain(getattr(answer, "return"))["availabilityZones"] == [f"{REGION}a", f"{REGION}b"]


def test_a_later_plugin_process_sees_the_state_under_its_own_environment(
    moto_url: str, endpoint: Any
) -> None:
    later = Plugin(moto_url, **{ACCEPTED_ACCOUNTS_ENV: ""})
    try:
        read = later.stub.Read(
            proto.ReadRequest(
                urn=urn(VPC_ENDPOINT, "ep"), id=endpoint.id, properties=endpoint.properties
            )
        )
    finally:
        later.close()

    assert read.id == endpoint.id
    assert plain(endpoint.properties)["state"] == "available"
    assert plain(read.properties)["state"] == "pendingAcceptance"


def test_an_unregistered_account_cannot_see_the_service_through_the_plugin(moto_url: str) -> None:
    elsewhere = Plugin(moto_url, **{REGISTERED_ACCOUNTS_ENV: "111111111111"})
    try:
        with pytest.raises(grpc.RpcError) as raised:
            elsewhere.stub.Invoke(
                proto.InvokeRequest(tok=GET_SERVICE, args=struct({"serviceName": EUC1}))
            )
    finally:
        elsewhere.close()

    assert raised.value.details() == (
        "reading EC2 VPC Endpoint Services: api error InvalidServiceName: "
        f"The Vpc Endpoint Service '{EUC1}' does not exist"
    )


def test_caller_identity_comes_from_the_moto_server(plugin: Plugin) -> None:
    answer = plugin.stub.Invoke(
        proto.InvokeRequest(tok="aws:index/getCallerIdentity:getCallerIdentity", args=struct({}))
    )

    identity = plain(getattr(answer, "return"))
    assert identity["accountId"] == identity["id"] == MOTO_ACCOUNT
    assert identity["arn"].startswith(f"arn:aws:sts::{MOTO_ACCOUNT}:")


def test_after_delete_a_read_reports_the_resource_gone(
    plugin: Plugin, ec2: Any, endpoint: Any
) -> None:
    ep_urn = urn(VPC_ENDPOINT, "ep")

    plugin.stub.Delete(
        proto.DeleteRequest(urn=ep_urn, id=endpoint.id, properties=endpoint.properties)
    )
    gone = plugin.stub.Read(
        proto.ReadRequest(urn=ep_urn, id=endpoint.id, properties=endpoint.properties)
    )

    assert gone.id == ""
    [live] = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint.id])["VpcEndpoints"]
    assert live["State"] == "deleted"


def test_diff_compares_rules_as_the_grants_they_make() -> None:
    olds = {"ingress": [{**HTTPS, "cidrBlocks": ["10.0.0.0/16", "10.1.0.0/16"]}]}
    split = {
        "ingress": [
            {**HTTPS, "cidrBlocks": ["10.1.0.0/16"]},
            {**HTTPS, "cidrBlocks": ["10.0.0.0/16"], "securityGroups": []},
        ]
    }
    narrowed = {"ingress": [{**HTTPS, "cidrBlocks": ["10.1.0.0/16"]}]}

    assert diff_properties(SECURITY_GROUP, olds, split, []).changes is False
    assert diff_properties(SECURITY_GROUP, olds, narrowed, []).diffs == ["ingress"]


def test_diff_sees_tags_dropped_from_the_inputs_as_a_deletion() -> None:
    olds = {"tags": {"a": "b"}, "vpcEndpointType": "Interface"}

    diff = diff_properties(VPC_ENDPOINT, olds, {"vpcEndpointType": "Interface"}, [])

    assert (diff.diffs, diff.replaces) == (["tags"], [])


def test_diff_treats_an_unknown_input_as_a_change() -> None:
    olds = {"vpcId": "vpc-1", "subnetIds": ["subnet-1", "subnet-2"]}
    news = {"vpcId": UNKNOWN, "subnetIds": ["subnet-2", "subnet-1"]}

    diff = diff_properties(VPC_ENDPOINT, olds, news, [])

    assert (diff.diffs, diff.replaces) == (["vpcId"], ["vpcId"])


def test_diff_skips_ignored_changes() -> None:
    diff = diff_properties(VPC_ENDPOINT, {"tags": {"a": "b"}}, {"tags": {"a": "c"}}, ["tags"])

    assert diff.changes is False


def test_a_functions_read_keeps_the_code_the_state_holds(plugin: Plugin, moto_url: str) -> None:
    # Lambda cannot give the archive back: Read passes the state's back as the engine sent it
    # (its hash alone), never as the double's internal name for it, and the diff that follows
    # sees no change.
    iam = boto3.client(
        "iam",
        region_name=REGION,
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    role = iam.create_role(RoleName="read-keeps-code", AssumeRolePolicyDocument="{}")["Role"]
    archive = pulumi.AssetArchive({"handler.py": pulumi.StringAsset("def handler(e, c): pass\n")})
    inputs = {"role": role["Arn"], "runtime": "python3.12", "handler": "handler.handler"}
    created = plugin.create(FUNCTION, "probe", {**inputs, "code": archive})
    engine_hash = "5f0c3fb2" * 8
    # The engine sends an archive it holds in state by its hash alone.
    elided = struct_pb2.Value()
    elided.struct_value.fields[_special_sig_key].string_value = _special_archive_sig
    elided.struct_value.fields["hash"].string_value = engine_hash
    state = proto.ReadRequest(urn=urn(FUNCTION, "probe"), id=created.id)
    state.properties.CopyFrom(created.properties)
    state.properties.fields["code"].CopyFrom(elided)
    state.inputs.fields["code"].CopyFrom(elided)

    read = plugin.stub.Read(state)

    assert read.id == created.id
    assert read.properties.fields["code"] == elided
    assert read.inputs.fields["code"] == elided
    diff = plugin.stub.Diff(
        proto.DiffRequest(
            urn=urn(FUNCTION, "probe"),
            id=created.id,
            olds=read.properties,
            news=read.inputs,
        )
    )
    assert diff.changes == proto.DiffResponse.DIFF_NONE
