"""The PrivateLink component under Pulumi's mocks, with AWS answered by moto's EC2 emulation."""

from __future__ import annotations

import logging
from typing import Any

import pulumi
import pytest

from devtools.aws_double import AwsApiError
from devtools.aws_double.mocks import MockedAws
from devtools.pulumi_mocks import DYNAMIC_PREFIX, failures, program, registered, resolve
from rockset_pulumi import (
    REGIONS,
    ConfigurationError,
    PrivateLink,
    PrivateLinkArgs,
    RocksetPulumiError,
    VerificationError,
)
from rockset_pulumi.errors import InputPath, python_name
from tests.test_args import BAD_INPUTS

SG = "aws:ec2/securityGroup:SecurityGroup"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GET_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
GET_INTERFACE = "aws:ec2/getNetworkInterface:getNetworkInterface"
MOTO_ACCOUNT = "123456789012"
UNKNOWN_SERVICE = "com.amazonaws.vpce.eu-central-1.vpce-svc-0123456789abcdef0"
LOCKDOWN = {"api_key": "k-123", "lockdown": True, "admin_cidrs": {"office": "203.0.113.0/24"}}
# The double serves these zones (a subset of each region's), as Rockset's load balancers may
# not be present in every zone.
SERVED = {
    "eu-central-1": ["eu-central-1a", "eu-central-1b"],
    "us-west-2": ["us-west-2a", "us-west-2b", "us-west-2c"],
    "us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"],
    "ap-southeast-2": ["ap-southeast-2a", "ap-southeast-2b"],
    "eu-west-1": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
}


def link(aws: MockedAws, **overrides: Any) -> PrivateLink:
    values: dict[str, Any] = {
        "vpc_id": aws.network.vpc_id,
        "subnet_ids": list(aws.network.subnet_ids_by_az.values()),
    }
    values.update(overrides)
    return PrivateLink("rockset", PrivateLinkArgs(**values))


def refuse_invoke(
    aws: MockedAws,
    monkeypatch: pytest.MonkeyPatch,
    refused: str,
    refusal: Exception,
    **when: Any,
) -> None:
    """AWS answers the function ``refused`` with ``refusal`` (where its arguments include
    ``when``), and everything else as before."""
    answer = aws.mocks.model.invoke

    def invoke(token: str, args: Any) -> Any:
        if token == refused and all(args.get(k) == v for k, v in when.items()):
            raise refusal
        return answer(token, args)

    monkeypatch.setattr(aws.mocks.model, "invoke", invoke)


def only(aws: MockedAws, typ: str) -> dict[str, Any]:
    [(_, _, inputs)] = registered(aws, typ)
    return inputs


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_graph_in_each_region_matches_the_guide(region: str) -> None:
    zones = [f"{region}{z}" for z in "abc"]
    with program(region=region, azs=zones) as aws:
        component = link(aws)
        assert resolve(component.endpoint_state) == "available"

        sg = only(aws, SG)
        assert sg["vpcId"] == aws.network.vpc_id
        assert sg["ingress"] == [
            {
                "description": "HTTPS to Rockset from allowed CIDR blocks",
                "protocol": "tcp",
                "fromPort": 443,
                "toPort": 443,
                "cidrBlocks": ["10.0.0.0/16"],
            }
        ]
        assert sg["egress"] == []

        endpoint = only(aws, ENDPOINT)
        assert endpoint["serviceName"] == REGIONS[region].service_name
        assert endpoint["vpcEndpointType"] == "Interface"
        assert endpoint["privateDnsEnabled"] is True
        kept = [z for z in zones if z in SERVED[region]]
        assert endpoint["subnetIds"] == [aws.network.subnet_ids_by_az[z] for z in kept]
        assert endpoint["securityGroupIds"] == [resolve(component.security_group_id)]

        assert resolve(component.service_name) == REGIONS[region].service_name
        assert resolve(component.availability_zones) == kept
        assert resolve(component.public_url) == REGIONS[region].api_url
        assert resolve(component.privatelink_url) == REGIONS[region].privatelink_url
        assert resolve(component.private_dns_enabled) is True
        assert len(resolve(component.network_interface_ids) or []) == len(kept)
        names = [e["dns_name"] for e in resolve(component.dns_entries) or []]
        assert f"privatelink.{REGIONS[region].cluster}.rockset.com" in names

        # AWS's side agrees: the endpoint exists with the planned subnets.
        [live] = aws.ec2.describe_vpc_endpoints()["VpcEndpoints"]
        assert sorted(live["SubnetIds"]) == sorted(endpoint["subnetIds"])
        assert live["ServiceName"] == REGIONS[region].service_name


def test_cost_estimate_counts_the_zones_the_endpoint_uses() -> None:
    with program() as aws:
        estimate = resolve(link(aws, expected_gb_per_month=100).cost_estimate)
        assert estimate is not None
        # Two served zones in Frankfurt at $0.012 an AZ-hour, plus 100 GB at $0.01.
        assert estimate["zones"] == 2
        assert estimate["endpoint_hours"] == pytest.approx(2 * 0.012 * 730)
        assert estimate["total"] == pytest.approx(2 * 0.012 * 730 + 1.0)


def test_children_are_named_from_the_component_and_parented() -> None:
    with program() as aws:
        component = link(
            aws, api_key="k3y-for-parents", lockdown=True, admin_cidrs={"office": "198.51.100.0/24"}
        )
        children = {
            component.security_group: (SG, "rockset-sg"),
            component.endpoint: (ENDPOINT, "rockset-endpoint"),
            component.connectivity_check: (
                f"{DYNAMIC_PREFIX}/rockset:ConnectivityCheck",
                "rockset-connectivity",
            ),
            component.allowlist: (f"{DYNAMIC_PREFIX}/rockset:IpAllowlist", "rockset-allowlist"),
            component.lockdown_check: (
                f"{DYNAMIC_PREFIX}/rockset:LockdownCheck",
                "rockset-lockdown",
            ),
        }
        for child, (typ, name) in children.items():
            assert child is not None
            # The URN spells the parent chain: the component's type, then the child's.
            urn = resolve(child.urn)
            assert urn is not None
            assert urn.endswith(f"::rockset:index:PrivateLink${typ}::{name}")


def test_unsupported_zones_are_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with program() as aws, caplog.at_level(logging.WARNING):
        component = link(aws)
        skipped = aws.network.subnet_ids_by_az["eu-central-1c"]
        assert resolve(component.skipped_subnet_ids) == [skipped]
        assert resolve(component.availability_zones) == ["eu-central-1a", "eu-central-1b"]
    service = REGIONS["eu-central-1"].service_name
    assert (
        f"Skipping subnet {skipped}: eu-central-1c is not served by {service} "
        "(it serves eu-central-1a, eu-central-1b)." in caplog.messages
    )


def test_two_subnets_in_one_zone_keep_the_first() -> None:
    with program(azs=["eu-central-1a", "eu-central-1a", "eu-central-1b"]) as aws:
        first = aws.ec2.describe_subnets(
            Filters=[
                {"Name": "availabilityZone", "Values": ["eu-central-1a"]},
                {"Name": "vpc-id", "Values": [aws.network.vpc_id]},
            ]
        )["Subnets"]
        ids = [s["SubnetId"] for s in first]
        component = link(aws, subnet_ids=[*ids, aws.network.subnet_ids_by_az["eu-central-1b"]])
        assert resolve(component.skipped_subnet_ids) == ids[1:]
        resolve(component.endpoint_state)
        assert only(aws, ENDPOINT)["subnetIds"][0] == ids[0]


def test_no_supported_subnet_fails_before_anything_is_created() -> None:
    with program(azs=["eu-central-1c"]) as aws:
        component = link(aws)
        with pytest.raises(ConfigurationError, match="it serves eu-central-1a, eu-central-1b"):
            resolve(component.availability_zones)
        with pytest.raises(ValueError, match="none of subnet_ids"):
            resolve(component.vpc_endpoint_id)
        assert registered(aws, "aws:") == []
        assert (
            aws.ec2.describe_security_groups(
                Filters=[{"Name": "vpc-id", "Values": [aws.network.vpc_id]}]
            )["SecurityGroups"][0]["GroupName"]
            == "default"
        )


@pytest.mark.parametrize(
    ("flags", "attribute"),
    [
        ({"dns_support": False}, "enableDnsSupport"),
        ({"dns_hostnames": False}, "enableDnsHostnames"),
    ],
)
def test_dns_preflight_fails_before_anything_is_created(
    flags: dict[str, Any], attribute: str
) -> None:
    with program(**flags) as aws:
        component = link(aws)
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert f"VPC {aws.network.vpc_id} has {attribute} turned off" in str(err.value)
        assert registered(aws, "aws:") == []


def test_pending_acceptance_names_the_account_and_endpoint_to_accept() -> None:
    with program(accepted_accounts=[]) as aws:
        component = link(aws)
        with pytest.raises(VerificationError) as err:
            resolve(component.endpoint_state)
        message = str(err.value)
        endpoint_id = resolve(component.vpc_endpoint_id)
        assert "pendingAcceptance" in message
        assert "Step 1 of Rockset's PrivateLink guide is not finished" in message
        assert f"accept endpoint {endpoint_id} from account {MOTO_ACCOUNT}" in message
        # The endpoint is kept, so that the next `pulumi up` finds it accepted.
        assert len(aws.ec2.describe_vpc_endpoints()["VpcEndpoints"]) == 1


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_an_unregistered_account_fails_step_1_before_anything_is_created(preview: bool) -> None:
    with program(preview=preview, registered_accounts=["111111111111"]) as aws:
        component = link(aws, **LOCKDOWN)
        with pytest.raises(VerificationError) as err:
            resolve(component.availability_zones)
        # Every child waits for the plan, so each fails with the same error.
        with pytest.raises(VerificationError):
            resolve(component.vpc_endpoint_id)
        message = str(err.value)
        assert message.startswith(
            "Step 1 of Rockset's PrivateLink guide was not done: AWS account "
            f"{MOTO_ACCOUNT} cannot see Rockset's endpoint service "
            f"{REGIONS['eu-central-1'].service_name} in eu-central-1"
        )
        assert "Give this account id to your Rockset solutions architect" in message
        # The look-up's own failure, explained, is not what the program fails with.
        assert {type(error) for error in failures()} == {VerificationError}
        assert registered(aws, "aws:") == []
        assert registered(aws, DYNAMIC_PREFIX) == []
        assert aws.ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
        assert [token for token, _ in aws.mocks.calls].count(GET_CALLER_IDENTITY) == 1


def test_an_overridden_service_this_account_cannot_see_names_the_likely_causes() -> None:
    with program(preview=True) as aws:
        component = link(aws, service_name=UNKNOWN_SERVICE)
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        message = str(err.value)
        assert f"service_name is {UNKNOWN_SERVICE!r}" in message
        assert f"AWS account {MOTO_ACCOUNT} cannot see in eu-central-1" in message
        for cause in ("another region's service", "not shared it with this account", "typo"):
            assert cause in message
        assert "Step 1 of Rockset's PrivateLink guide" not in message
        assert registered(aws, "aws:") == []


def test_another_failure_of_the_service_look_up_is_reported_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refusal = AwsApiError(
        "reading EC2 VPC Endpoint Services",
        "UnauthorizedOperation",
        "You are not authorized to perform this operation.",
    )
    with program(preview=True) as aws:
        refuse_invoke(aws, monkeypatch, GET_SERVICE, refusal)
        component = link(aws)
        with pytest.raises(Exception) as err:
            resolve(component.availability_zones)
        assert not isinstance(err.value, RocksetPulumiError)
        assert str(err.value).endswith(str(refusal))
        assert GET_CALLER_IDENTITY not in [token for token, _ in aws.mocks.calls]
        assert registered(aws, "aws:") == []


def test_named_sources_replace_the_vpc_cidr() -> None:
    with program() as aws:
        callers = aws.ec2.create_security_group(
            GroupName="app", Description="callers", VpcId=aws.network.vpc_id
        )["GroupId"]
        resolve(
            link(
                aws, allowed_cidrs=["10.0.1.0/24"], allowed_security_group_ids=[callers]
            ).endpoint_state
        )
        ingress = only(aws, SG)["ingress"]
        assert [r.get("cidrBlocks") for r in ingress] == [["10.0.1.0/24"], None]
        assert ingress[1]["securityGroups"] == [callers]
        assert all(
            (r["fromPort"], r["toPort"], r["protocol"]) == (443, 443, "tcp") for r in ingress
        )


def test_tags_reach_both_children() -> None:
    with program() as aws:
        resolve(link(aws, tags={"team": "data"}).endpoint_state)
        for typ in (SG, ENDPOINT):
            assert only(aws, typ)["tags"] == {"Name": "rockset-rockset-privatelink", "team": "data"}


COMPONENT_BAD_INPUTS = [
    *BAD_INPUTS,
    ({"subnet_ids": []}, "subnet_ids is []"),
    ({"lockdown": True, "admin_cidrs": {"o": "198.51.100.1"}}, "lockdown is True"),
    ({"lockdown": True, "api_key": "k"}, "lockdown is True"),
    ({"checks": True}, "checks is True"),
    (
        {"public_url": "https://api.example.com", "privatelink_url": "https://API.example.com:443"},
        "the same endpoint as public_url",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "named"), COMPONENT_BAD_INPUTS, ids=[b[1] for b in COMPONENT_BAD_INPUTS]
)
def test_bad_inputs_fail_before_anything_is_registered(
    overrides: dict[str, Any], named: str
) -> None:
    with program() as aws:
        with pytest.raises(ConfigurationError) as err:
            link(aws, **overrides)
        assert named in str(err.value)
        assert aws.mocks.resources == []


@pytest.mark.parametrize(
    ("key", "named"),
    [(" padded-key", "leading or trailing whitespace"), ("", "api_key is ''")],
)
def test_a_bad_key_from_config_stops_the_children_without_showing_it(key: str, named: str) -> None:
    with program() as aws:
        component = link(aws, api_key=pulumi.Output.secret(key))
        # Surfaces through the first child that waits for the plan, as Pulumi reports it.
        with pytest.raises(ValueError, match="Cannot create the PrivateLink") as err:
            resolve(component.vpc_endpoint_id)
        assert named in str(err.value)
        if key:
            assert key.strip() not in str(err.value)
        assert registered(aws, "aws:") == []
        assert registered(aws, DYNAMIC_PREFIX) == []


def test_unsupported_configured_region_fails_before_anything_is_registered() -> None:
    with program(region="ap-south-1", azs=["ap-south-1a"]) as aws:
        with pytest.raises(ConfigurationError, match="'ap-south-1'"):
            link(aws)
        assert aws.mocks.resources == []


def test_region_argument_must_match_the_provider() -> None:
    with program() as aws:
        with pytest.raises(ConfigurationError) as err:
            link(aws, region="us-east-1")
        assert "region is 'us-east-1' but the AWS provider deploys to 'eu-central-1'" in str(
            err.value
        )
        assert aws.mocks.resources == []


def link_via_provider(aws: MockedAws, provider_region: str, **overrides: Any) -> PrivateLink:
    """The component deployed through an explicit provider, with no ambient region."""
    pulumi.runtime.set_all_config({})
    provider = pulumi.ProviderResource("aws", "explicit", {"region": provider_region})
    values: dict[str, Any] = {
        "vpc_id": aws.network.vpc_id,
        "subnet_ids": list(aws.network.subnet_ids_by_az.values()),
        **overrides,
    }
    return PrivateLink(
        "rockset", PrivateLinkArgs(**values), opts=pulumi.ResourceOptions(provider=provider)
    )


def test_region_argument_must_match_an_explicit_provider() -> None:
    with program() as aws:
        component = link_via_provider(aws, "eu-central-1", region="us-east-1")
        with pytest.raises(ConfigurationError, match="region is 'us-east-1' but the AWS provider"):
            resolve(component.service_name)
        assert registered(aws, "aws:") == []


def test_region_comes_from_an_explicit_provider() -> None:
    with program(region="us-east-1", azs=["us-east-1a", "us-east-1b"]) as aws:
        component = link_via_provider(aws, "us-east-1")
        assert resolve(component.service_name) == REGIONS["us-east-1"].service_name


def test_checks_off_registers_no_dynamic_resource() -> None:
    with program() as aws:
        component = link(aws)
        resolve(component.endpoint_state)
        assert resolve(component.connectivity) is None
        assert registered(aws, DYNAMIC_PREFIX) == []


def test_steps_3_to_5_are_chained_after_the_endpoint() -> None:
    with program() as aws:
        component = link(aws, **LOCKDOWN, check_timeout=60, triggers=["1"])
        resolve(component.lockdown_status)
        dynamic = {name: (typ, inputs) for typ, name, inputs in registered(aws, DYNAMIC_PREFIX)}
        assert {name: typ.rsplit(":", 1)[1] for name, (typ, _) in dynamic.items()} == {
            "rockset-connectivity": "ConnectivityCheck",
            "rockset-allowlist": "IpAllowlist",
            "rockset-lockdown": "LockdownCheck",
        }
        conn = dynamic["rockset-connectivity"][1]
        assert conn["endpoint_id"] == resolve(component.vpc_endpoint_id)
        assert conn["privatelink_url"] == "https://privatelink.euc1a1.rockset.com"
        assert conn["public_may_refuse_key"] is True
        assert conn["timeout"] == 60
        assert conn["triggers"] == ["1"]
        allow = dynamic["rockset-allowlist"][1]
        assert allow["entries"] == {"office": "203.0.113.0/24"}
        lock = dynamic["rockset-lockdown"][1]
        assert lock["timeout"] == 60
        assert lock["triggers"] == ["1"]
        # The key travels only as an input, and as a secret.
        for _, inputs in dynamic.values():
            assert inputs["api_key"] == {SECRET_SIG: SECRET_VALUE_SIG, "value": "k-123"}


def test_step_3_expects_the_private_dns_name_at_the_endpoints_interfaces() -> None:
    with program() as aws:
        component = link(aws, api_key="k-123")
        resolve(component.connectivity)
        conn = only(aws, f"{DYNAMIC_PREFIX}/rockset:ConnectivityCheck")
        interface_ids = resolve(component.network_interface_ids) or []
        described = aws.ec2.describe_network_interfaces(NetworkInterfaceIds=interface_ids)
        addresses = sorted(i["PrivateIpAddress"] for i in described["NetworkInterfaces"])
        assert len(addresses) == 2  # one interface per served zone
        assert conn["dns_expectation"] == {
            "host": "privatelink.euc1a1.rockset.com",
            "private_dns_name": "privatelink.euc1a1.rockset.com",
            "addresses": addresses,
        }
        # Each interface was looked up by its id, under the component.
        looked_up = [args["id"] for token, args in aws.mocks.calls if token == GET_INTERFACE]
        assert sorted(looked_up) == sorted(interface_ids)


def test_a_users_own_privatelink_host_is_expected_with_the_service_name_beside_it() -> None:
    with program() as aws:
        component = link(
            aws, api_key="k-123", privatelink_url="https://rockset.corp.example.com:8443"
        )
        resolve(component.connectivity)
        expected = only(aws, f"{DYNAMIC_PREFIX}/rockset:ConnectivityCheck")["dns_expectation"]
        # Not the private DNS name: step 3 diagnoses only a host that does not resolve.
        assert expected["host"] == "rockset.corp.example.com"
        assert expected["private_dns_name"] == "privatelink.euc1a1.rockset.com"


def test_preview_looks_up_no_interface() -> None:
    with program(preview=True) as aws:
        component = link(aws, api_key="k-123")
        resolve(component.connectivity)
        conn = only(aws, f"{DYNAMIC_PREFIX}/rockset:ConnectivityCheck")
        # Unknown until the endpoint exists; the check does not run in preview anyway.
        assert isinstance(conn["dns_expectation"], pulumi.output.Unknown)
        assert [t for t, _ in aws.mocks.calls if t == GET_INTERFACE] == []


def test_checks_without_lockdown_stop_at_step_3() -> None:
    with program() as aws:
        component = link(aws, api_key="k-123")
        resolve(component.connectivity)
        names = [name for _, name, _ in registered(aws, DYNAMIC_PREFIX)]
        assert names == ["rockset-connectivity"]
        assert resolve(component.lockdown_status) is None


def test_preview_creates_nothing() -> None:
    with program(preview=True) as aws:
        component = link(aws, **LOCKDOWN)
        # The plan is computed from look-ups in preview, so a bad subnet shows up there.
        assert resolve(component.availability_zones) == ["eu-central-1a", "eu-central-1b"]
        assert not resolve(component.vpc_endpoint_id)
        assert aws.ec2.describe_vpc_endpoints()["VpcEndpoints"] == []
        assert [t for t, _, _ in registered(aws, "aws:")] == [SG, ENDPOINT]


@pytest.mark.parametrize(
    ("where", "missing", "code"),
    [
        ("vpc_id", "vpc-0123456789abcdef0", "InvalidVpcID.NotFound"),
        ("subnet_ids", "subnet-0123456789abcdef0", "InvalidSubnetID.NotFound"),
    ],
)
def test_an_id_aws_does_not_know_is_named_by_its_input(where: str, missing: str, code: str) -> None:
    with program(preview=True) as aws:
        subnets = list(aws.network.subnet_ids_by_az.values())
        path: InputPath
        if where == "vpc_id":
            component, path = link(aws, vpc_id=missing), ("vpc_id",)
        else:
            component, path = link(aws, subnet_ids=[*subnets, missing]), (where, len(subnets))
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == path
        assert str(err.value).startswith(
            f"Cannot create the PrivateLink: {python_name(path)} is {missing!r}. AWS could not "
            "look it up: "
        )
        assert code in str(err.value)
        assert registered(aws, "aws:") == []


def test_any_failure_of_the_vpc_look_up_names_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    refusal = AwsApiError("reading EC2 VPC", "UnauthorizedOperation", "You are not authorized.")
    with program(preview=True) as aws:
        refuse_invoke(aws, monkeypatch, "aws:ec2/getVpc:getVpc", refusal)
        component = link(aws)
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == ("vpc_id",)
        assert str(refusal) in str(err.value)
        assert registered(aws, "aws:") == []


@pytest.mark.parametrize(
    ("given", "path"),
    [
        (lambda aws, subnets: {"vpc_id": pulumi.Output.from_input("vpc-zzzz!!")}, ("vpc_id",)),
        (
            lambda aws, subnets: {"subnet_ids": pulumi.Output.from_input([subnets[0]] * 2)},
            ("subnet_ids", 1),
        ),
        (
            lambda aws, subnets: {
                "subnet_ids": [subnets[0], pulumi.Output.from_input("subnet-0abc def")]
            },
            ("subnet_ids", 1),
        ),
        (
            lambda aws, subnets: {"allowed_security_group_ids": pulumi.Output.from_input(["sg-"])},
            ("allowed_security_group_ids", 0),
        ),
    ],
    ids=["vpc_id", "subnet_ids twice", "subnet_ids[1]", "allowed_security_group_ids"],
)
def test_an_id_from_an_output_is_checked_once_it_resolves_before_anything_is_created(
    given: Any, path: tuple[object, ...]
) -> None:
    with program() as aws:
        subnets = list(aws.network.subnet_ids_by_az.values())
        component = link(aws, **given(aws, subnets))
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == path
        # Surfaces through the first child that waits for the id, as Pulumi reports it.
        with pytest.raises(ValueError, match="Cannot create the PrivateLink"):
            resolve(component.vpc_endpoint_id)
        assert registered(aws, "aws:") == []
