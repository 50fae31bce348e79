"""``dns="hosted_zone"`` under Pulumi's mocks: one endpoint, a Route 53 private hosted zone shared
with other VPCs (of this account and of another), and the preflight that refuses before anything
is created."""

from __future__ import annotations

from typing import Any

import boto3
import pulumi
import pulumi_aws
import pytest

from devtools.aws_double import AwsApiError
from devtools.aws_double.ec2 import in_account, seed_network
from devtools.aws_double.mocks import MockedAws
from devtools.pulumi_mocks import DYNAMIC_PREFIX, dependencies, program, registered, resolve
from rockset_pulumi import ConfigurationError, PrivateLink, PrivateLinkArgs
from rockset_pulumi.hosted_zone import owner_mark
from rockset_pulumi.sharing import OWNER_TAG, SharedVpc
from tests.test_component import refuse_invoke

SG = "aws:ec2/securityGroup:SecurityGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
ASSOCIATION = "aws:route53/zoneAssociation:ZoneAssociation"
AUTHORIZATION = "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization"
ZONE_NAME = "privatelink.euc1a1.rockset.com"
SPOKE_ACCOUNT = "210987654321"


def spoke(aws: MockedAws, cidr: str, account: str | None = None, **flags: Any) -> str:
    """A VPC to share the endpoint with (in ``account``, moto's own by default)."""
    ec2 = in_account(boto3.client("ec2", region_name="eu-central-1"), account)
    return seed_network(ec2, cidr=cidr, azs=["eu-central-1a"], **flags).vpc_id


def link(aws: MockedAws, **overrides: Any) -> PrivateLink:
    values: dict[str, Any] = {
        "vpc_id": aws.network.vpc_id,
        "subnet_ids": list(aws.network.subnet_ids_by_az.values()),
        "dns": "hosted_zone",
    }
    values.update(overrides)
    return PrivateLink("rockset", PrivateLinkArgs(**values))


def settle(component: PrivateLink) -> str | None:
    """Wait until every Route 53 child is created; the zone's id."""
    shared = component.shared_zone
    assert shared is not None
    children = [shared.record, *shared.authorizations, *shared.associations]
    resolve(pulumi.Output.all(*[child.id for child in children]))
    return resolve(component.hosted_zone_id)


def zones_of(vpc_id: str, account: str | None = None) -> list[str]:
    route53 = in_account(boto3.client("route53", region_name="eu-central-1"), account)
    found = route53.list_hosted_zones_by_vpc(VPCId=vpc_id, VPCRegion="eu-central-1")
    return [z["HostedZoneId"] for z in found["HostedZoneSummaries"]]


def test_one_endpoint_resolves_in_every_shared_vpc() -> None:
    with program() as aws:
        first, second = spoke(aws, "10.1.0.0/16"), spoke(aws, "10.2.0.0/16")
        component = link(aws, shared_vpc_ids=[first, second], expected_gb_per_month=100)
        zone_id = settle(component)
        assert zone_id
        own = aws.network.vpc_id
        assert resolve(component.resolving_vpc_ids) == [own, first, second]
        assert resolve(component.private_dns_enabled) is False

        [(_, _, endpoint)] = registered(aws, ENDPOINT)
        assert endpoint["privateDnsEnabled"] is False
        [(_, name, zone)] = registered(aws, ZONE)
        assert name == "rockset-zone"
        assert zone["name"] == ZONE_NAME
        assert zone["vpcs"] == [{"vpcId": own, "vpcRegion": "eu-central-1"}]
        assert zone["tags"][OWNER_TAG] == owner_mark()
        assert owner_mark().endswith("/project/stack")
        [(_, _, record)] = registered(aws, RECORD)
        regional = (resolve(component.dns_entries) or [])[0]
        assert (record["name"], record["type"]) == (ZONE_NAME, "A")
        assert record["aliases"] == [
            {
                "name": regional["dns_name"],
                "zoneId": regional["hosted_zone_id"],
                "evaluateTargetHealth": False,
            }
        ]
        associations = {name: inputs for _, name, inputs in registered(aws, ASSOCIATION)}
        assert set(associations) == {f"rockset-{first}", f"rockset-{second}"}
        assert all(a["zoneId"] == zone_id for a in associations.values())
        assert registered(aws, AUTHORIZATION) == []

        # Route 53's side: the one zone answers in all three VPCs.
        for vpc in (own, first, second):
            assert zones_of(vpc) == [zone_id]
        # Each shared VPC's CIDR may reach the endpoint; nothing else.
        [(_, _, sg)] = registered(aws, SG)
        assert [rule["cidrBlocks"] for rule in sg["ingress"]] == [
            ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]
        ]

        estimate = resolve(component.cost_estimate)
        assert estimate is not None
        sharing = estimate["sharing"]
        # Three endpoints in two zones at $0.012 an AZ-hour, against one plus the $0.50 zone.
        assert sharing["vpcs"] == 3
        assert sharing["endpoint_per_vpc_total"] == pytest.approx(3 * 2 * 0.012 * 730 + 1.0)
        assert sharing["monthly_saving"] == pytest.approx(2 * 2 * 0.012 * 730 - 0.5)


def test_named_sources_are_kept_instead_of_the_shared_cidrs() -> None:
    with program() as aws:
        shared = spoke(aws, "10.1.0.0/16")
        resolve(link(aws, shared_vpc_ids=[shared], allowed_cidrs=["10.9.0.0/24"]).hosted_zone_id)
        [(_, _, sg)] = registered(aws, SG)
        assert [rule["cidrBlocks"] for rule in sg["ingress"]] == [["10.9.0.0/24"]]


@pytest.mark.parametrize(
    ("flags", "attribute"),
    [
        ({"dns_support": False}, "enableDnsSupport"),
        ({"dns_hostnames": False}, "enableDnsHostnames"),
    ],
)
def test_a_shared_vpc_without_dns_is_refused_before_anything_is_created(
    flags: dict[str, Any], attribute: str
) -> None:
    with program(preview=True) as aws:
        shared = spoke(aws, "10.1.0.0/16", **flags)
        component = link(aws, shared_vpc_ids=[shared])
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert f"shared_vpc_ids[0] is VPC {shared}, which has {attribute} turned off" in str(
            err.value
        )
        assert registered(aws, "aws:") == []


def test_a_vpc_that_already_resolves_the_name_elsewhere_is_refused() -> None:
    with program(preview=True) as aws:
        shared = spoke(aws, "10.1.0.0/16")
        route53 = boto3.client("route53", region_name="eu-central-1")
        other = route53.create_hosted_zone(
            Name=ZONE_NAME,
            CallerReference="by-hand",
            HostedZoneConfig={"Comment": "by hand", "PrivateZone": True},
            VPC={"VPCId": shared, "VPCRegion": "eu-central-1"},
        )["HostedZone"]["Id"].rsplit("/", 1)[-1]
        component = link(aws, shared_vpc_ids=[shared])
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        message = str(err.value)
        assert (
            f"shared_vpc_ids[0] is VPC {shared}, which already has private hosted zone {other}"
            in (message)
        )
        assert "ConflictingDomainExists" in message
        assert registered(aws, "aws:") == []


def test_a_zone_marked_with_this_stack_passes_the_preflight() -> None:
    with program() as aws:
        shared = spoke(aws, "10.1.0.0/16")
        first = settle(link(aws, shared_vpc_ids=[shared]))
        # The preflight lets a zone with this stack's mark pass, as a later `pulumi up` finds its
        # own zone in every VPC. A second component of the same stack sharing the same VPCs is
        # then left to Route 53, which refuses its zone.
        again = PrivateLink(
            "again",
            PrivateLinkArgs(
                vpc_id=aws.network.vpc_id,
                subnet_ids=list(aws.network.subnet_ids_by_az.values()),
                dns="hosted_zone",
                shared_vpc_ids=[shared],
            ),
        )
        with pytest.raises(Exception, match="ConflictingDomainExists") as err:
            resolve(again.hosted_zone_id)
        assert not isinstance(err.value, ConfigurationError)
        assert zones_of(shared) == [first]


def test_a_vpc_of_another_account_is_authorized_then_associated_with_its_provider() -> None:
    with program() as aws:
        shared = spoke(aws, "10.3.0.0/16", account=SPOKE_ACCOUNT)
        provider = pulumi_aws.Provider(
            "spoke", region="eu-central-1", allowed_account_ids=[SPOKE_ACCOUNT]
        )
        component = link(aws, shared_vpcs=[SharedVpc(shared, provider)])
        zone_id = settle(component)
        assert resolve(component.resolving_vpc_ids) == [aws.network.vpc_id, shared]
        [(_, auth_name, authorization)] = registered(aws, AUTHORIZATION)
        assert auth_name == f"rockset-{shared}-authorization"
        assert authorization == {"zoneId": zone_id, "vpcId": shared, "vpcRegion": "eu-central-1"}
        shared_zone = component.shared_zone
        assert shared_zone is not None
        [association] = shared_zone.associations
        [auth] = shared_zone.authorizations
        # The association is made with the other account's provider, after the authorization.
        assert association._provider is provider
        assert auth._provider is not provider
        assert resolve(association.owning_account) == "123456789012"
        assert f"rockset-{shared}-authorization" in dependencies(f"rockset-{shared}")
        # Route 53's side: the endpoint account's zone answers in the other account's VPC.
        assert zones_of(shared, SPOKE_ACCOUNT) == []  # the zone is not the spoke's own
        zone = boto3.client("route53", region_name="eu-central-1").get_hosted_zone(Id=zone_id)
        assert {v["VPCId"] for v in zone["VPCs"]} == {aws.network.vpc_id, shared}


def test_a_provider_of_the_endpoints_own_account_is_refused() -> None:
    with program(preview=True) as aws:
        shared = spoke(aws, "10.1.0.0/16")
        provider = pulumi_aws.Provider("same", region="eu-central-1")
        component = link(aws, shared_vpcs=[SharedVpc(shared, provider)])
        with pytest.raises(ConfigurationError, match="the endpoint's own account") as err:
            resolve(component.availability_zones)
        assert f"Pass {shared} in shared_vpc_ids instead" in str(err.value)
        assert [t for t, _, _ in registered(aws, "aws:")] == []


def test_endpoint_mode_is_unchanged() -> None:
    with program() as aws:
        component = PrivateLink(
            "rockset",
            PrivateLinkArgs(
                vpc_id=aws.network.vpc_id, subnet_ids=list(aws.network.subnet_ids_by_az.values())
            ),
        )
        assert resolve(component.hosted_zone_id) is None
        assert resolve(component.resolving_vpc_ids) == [aws.network.vpc_id]
        assert resolve(component.private_dns_enabled) is True
        estimate = resolve(component.cost_estimate)
        assert estimate is not None
        assert "sharing" not in estimate
        assert component.shared_zone is None
        assert registered(aws, "aws:route53") == []


def test_a_shared_vpc_id_from_an_output_is_named_by_position() -> None:
    with program() as aws:
        shared = pulumi.Output.from_input(spoke(aws, "10.1.0.0/16"))
        settle(link(aws, shared_vpc_ids=[shared]))
        assert [name for _, name, _ in registered(aws, ASSOCIATION)] == ["rockset-shared-vpc-0"]


def test_step_3_waits_for_the_zone_and_expects_its_name_at_the_endpoint() -> None:
    # With private DNS off, only the zone's alias makes the host resolve in the VPC: step 3
    # must start after it exists, and diagnose this machine's DNS against the endpoint.
    with program() as aws:
        component = link(aws, api_key="k-123")
        resolve(component.connectivity)
        assert {"rockset-alias", "rockset-endpoint"} <= dependencies("rockset-connectivity")
        [(_, _, check)] = registered(aws, f"{DYNAMIC_PREFIX}/rockset:ConnectivityCheck")
        interface_ids = resolve(component.network_interface_ids) or []
        described = aws.ec2.describe_network_interfaces(NetworkInterfaceIds=interface_ids)
        addresses = sorted(i["PrivateIpAddress"] for i in described["NetworkInterfaces"])
        assert check["dns_expectation"] == {
            "host": ZONE_NAME,
            "private_dns_name": ZONE_NAME,
            "addresses": addresses,
        }


MISSING_VPC = "vpc-0123456789abcdef0"


def test_a_missing_shared_vpc_is_named_by_its_position() -> None:
    with program(preview=True) as aws:
        present = spoke(aws, "10.1.0.0/16")
        component = link(aws, shared_vpc_ids=[present, MISSING_VPC])
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == ("shared_vpc_ids", 1)
        message = str(err.value)
        assert message.startswith(
            f"Cannot create the PrivateLink: shared_vpc_ids[1] is {MISSING_VPC!r}. AWS could not "
            "look it up: "
        )
        assert "InvalidVpcID.NotFound" in message
        assert registered(aws, "aws:") == []


def test_a_missing_vpc_of_another_account_is_named_by_its_entry() -> None:
    with program(preview=True) as aws:
        provider = pulumi_aws.Provider(
            "spoke", region="eu-central-1", allowed_account_ids=[SPOKE_ACCOUNT]
        )
        component = link(aws, shared_vpcs=[SharedVpc(MISSING_VPC, provider)])
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == ("shared_vpcs", 0, "vpc_id")
        assert "shared_vpcs[0].vpc_id is" in str(err.value)
        assert registered(aws, "aws:") == []


def test_a_shared_vpc_id_from_an_output_is_checked_once_it_resolves() -> None:
    with program(preview=True) as aws:
        present = spoke(aws, "10.1.0.0/16")
        given = [pulumi.Output.from_input(present), pulumi.Output.from_input("vpc-zzzz!!")]
        component = link(aws, shared_vpc_ids=given)
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == ("shared_vpc_ids", 1)
        assert "8 or 17 lower-case hexadecimal digits" in err.value.fix
        # Not even looked up: AWS's own answer would not say which entry was wrong.
        assert ("aws:ec2/getVpc:getVpc", {"id": "vpc-zzzz!!"}) not in aws.mocks.calls
        assert registered(aws, "aws:") == []


def test_a_vpc_named_twice_through_an_output_in_capitals_is_refused_as_malformed() -> None:
    with program(preview=True) as aws:
        present = spoke(aws, "10.1.0.0/16")
        component = link(aws, shared_vpc_ids=[present, pulumi.Output.from_input(present.upper())])
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == ("shared_vpc_ids", 1)
        assert err.value.fix == f"Pass {present!r}: AWS writes ids in lower case."
        assert registered(aws, "aws:") == []


def test_a_failed_zone_look_up_names_the_vpcs_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    refusal = AwsApiError("listing Route 53 Hosted Zones", "AccessDenied", "not authorized")
    with program(preview=True) as aws:
        present = spoke(aws, "10.1.0.0/16")
        refuse_invoke(aws, monkeypatch, "aws:route53/getZone:getZone", refusal, vpcId=present)
        component = link(aws, shared_vpc_ids=[present])
        with pytest.raises(ConfigurationError) as err:
            resolve(component.availability_zones)
        assert err.value.path == ("shared_vpc_ids", 0)
        assert str(refusal) in str(err.value)
        assert registered(aws, "aws:") == []
