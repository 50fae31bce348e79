"""The shared-VPC rules, pure: argument validation, the preflight, the security group's sources
and the comparison with one endpoint per VPC."""

from __future__ import annotations

from typing import Any

import pytest

from rockset_pulumi import ConfigurationError, PrivateLinkArgs
from rockset_pulumi.args import resolve_args
from rockset_pulumi.errors import InputPath
from rockset_pulumi.planning import EndpointPlan, VpcInfo
from rockset_pulumi.pricing import compare_with_endpoint_per_vpc, estimate_monthly_cost
from rockset_pulumi.sharing import (
    FoundZone,
    SharedVpc,
    SharedVpcInfo,
    is_no_zone_found,
    plan_zone,
    share_ingress,
)

ZONE = "privatelink.euc1a1.rockset.com"
MARK = "organization/project/stack"


def refused(**overrides: Any) -> str:
    values: dict[str, Any] = {
        "vpc_id": "vpc-0ba5e000",
        "subnet_ids": ["subnet-0000000a"],
        **overrides,
    }
    with pytest.raises(ConfigurationError) as err:
        resolve_args(PrivateLinkArgs(**values))
    return str(err.value)


def test_endpoint_mode_is_the_default() -> None:
    sharing = resolve_args(
        PrivateLinkArgs(vpc_id="vpc-0ba5e000", subnet_ids=["subnet-0000000a"])
    ).sharing
    assert sharing.dns == "endpoint"
    assert sharing.shared_vpcs == ()


def test_shared_vpcs_keep_their_order_and_the_input_that_named_them() -> None:
    sharing = resolve_args(
        PrivateLinkArgs(
            vpc_id="vpc-0ba5e000",
            subnet_ids=["subnet-0000000a"],
            dns="hosted_zone",
            shared_vpc_ids=["vpc-0000000a", "vpc-0000000b"],
            shared_vpcs=[SharedVpc("vpc-0000000c")],
        )
    ).sharing
    assert [(where, e.vpc_id) for where, e in sharing.named()] == [
        (("shared_vpc_ids", 0), "vpc-0000000a"),
        (("shared_vpc_ids", 1), "vpc-0000000b"),
        (("shared_vpcs", 0), "vpc-0000000c"),
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"dns": "zone"}, "dns is 'zone'. Pass \"endpoint\" (private DNS on the endpoint"),
        (
            {"shared_vpc_ids": ["vpc-0000000a"]},
            "shared_vpc_ids[0] is 'vpc-0000000a'. Shared VPCs need dns='hosted_zone'",
        ),
        (
            {"dns": "hosted_zone", "shared_vpc_ids": "vpc-0000000a"},
            "shared_vpc_ids is 'vpc-0000000a'. Pass a list",
        ),
        (
            {"dns": "hosted_zone", "shared_vpc_ids": ["subnet-0000000a"]},
            "shared_vpc_ids[0] is 'subnet-0000000a'. Pass the VPC's id as AWS shows it",
        ),
        (
            {"dns": "hosted_zone", "shared_vpc_ids": ["vpc-0000000a", "vpc-0000000a"]},
            "shared_vpc_ids[1] is 'vpc-0000000a'. It is already shared_vpc_ids[0]",
        ),
        (
            {"dns": "hosted_zone", "shared_vpc_ids": ["vpc-0ba5e000"]},
            "shared_vpc_ids[0] is 'vpc-0ba5e000'. The endpoint's own VPC is associated",
        ),
        (
            {"dns": "hosted_zone", "shared_vpcs": ["vpc-0000000a"]},
            "shared_vpcs[0] is 'vpc-0000000a'. Pass SharedVpc(",
        ),
        (
            {"dns": "hosted_zone", "shared_vpcs": [SharedVpc("vpc-0000000a", "spoke")]},  # type: ignore[arg-type]
            "shared_vpcs[0].provider is 'spoke'",
        ),
        (
            {
                "dns": "hosted_zone",
                "shared_vpc_ids": ["vpc-0000000a"],
                "shared_vpcs": [SharedVpc("vpc-0000000a")],
            },
            "shared_vpcs[0].vpc_id is 'vpc-0000000a'. It is already shared_vpc_ids[0]",
        ),
    ],
)
def test_bad_sharing_inputs_name_the_input_value_and_fix(
    overrides: dict[str, Any], expected: str
) -> None:
    assert f"Cannot create the PrivateLink: {expected}" in refused(**overrides)


def vpc(vpc_id: str, cidr: str, *, support: bool = True, hostnames: bool = True) -> VpcInfo:
    return VpcInfo(vpc_id, cidr, support, hostnames)


def info(where: InputPath, found: VpcInfo, **kwargs: Any) -> SharedVpcInfo:
    return SharedVpcInfo(where, found, "eu-central-1", **kwargs)


def plan(*infos: SharedVpcInfo, account: str | None = None, name: str | None = ZONE) -> Any:
    return plan_zone(
        zone_name=name,
        service_name="svc",
        region="eu-central-1",
        vpcs=list(infos),
        owner=MARK,
        endpoint_account=account,
    )


HUB = info(("vpc_id",), vpc("vpc-0ba5e000", "10.0.0.0/16"))


def test_the_plan_lists_the_endpoints_vpc_first() -> None:
    decided = plan(HUB, info(("shared_vpc_ids", 0), vpc("vpc-0000000a", "10.1.0.0/16")))
    assert decided.zone_name == ZONE
    assert decided.resolving_vpc_ids == ("vpc-0ba5e000", "vpc-0000000a")


def test_a_shared_vpc_without_dns_hostnames_is_refused() -> None:
    with pytest.raises(ConfigurationError) as err:
        plan(HUB, info(("shared_vpc_ids", 0), vpc("vpc-0000000a", "10.1.0.0/16", hostnames=False)))
    assert "shared_vpc_ids[0] is VPC vpc-0000000a, which has enableDnsHostnames turned off" in str(
        err.value
    )


def test_another_zone_of_the_name_is_refused_naming_it_and_its_owner() -> None:
    taken = info(
        ("shared_vpc_ids", 0),
        vpc("vpc-0000000a", "10.1.0.0/16"),
        existing_zone=FoundZone("Z0THER", "organization/other/prod"),
    )
    with pytest.raises(ConfigurationError) as err:
        plan(HUB, taken)
    message = str(err.value)
    assert "already has private hosted zone Z0THER (managed by organization/other/prod)" in message
    assert "ConflictingDomainExists" in message
    assert "Disassociate Z0THER from vpc-0000000a" in message


def test_this_stacks_own_zone_is_no_conflict() -> None:
    own = info(("vpc_id",), HUB.vpc, existing_zone=FoundZone("ZMINE", MARK))
    assert plan(own).resolving_vpc_ids == ("vpc-0ba5e000",)


def test_a_service_without_a_private_dns_name_cannot_have_a_zone() -> None:
    with pytest.raises(ConfigurationError, match="has no private DNS name"):
        plan(HUB, name=None)


def test_a_cross_account_provider_of_the_endpoints_account_is_refused() -> None:
    same = info(("shared_vpcs", 0), vpc("vpc-0000000c", "10.3.0.0/16"), account="111122223333")
    with pytest.raises(ConfigurationError, match=r"shared_vpcs\[0\]\.provider deploys to"):
        plan(HUB, same, account="111122223333")
    assert plan(HUB, same, account="999988887777").resolving_vpc_ids == (
        "vpc-0ba5e000",
        "vpc-0000000c",
    )


def test_shared_cidrs_join_the_default_source_once() -> None:
    endpoint = EndpointPlan(("subnet-0000000a",), ("eu-central-1a",), (), ("10.0.0.0/16",), ())
    decided = plan(
        HUB,
        info(("shared_vpc_ids", 0), vpc("vpc-0000000a", "10.1.0.0/16")),
        info(("shared_vpc_ids", 1), vpc("vpc-0000000b", "10.1.0.0/16")),
    )
    shared = share_ingress(endpoint, decided, sources_given=False)
    assert shared.ingress_cidrs == ("10.0.0.0/16", "10.1.0.0/16")
    assert share_ingress(endpoint, decided, sources_given=True) == endpoint


def test_only_no_match_means_no_zone() -> None:
    assert is_no_zone_found(
        "invocation of aws:route53/getZone:getZone returned an error: "
        "no matching Route 53 Hosted Zone found"
    )
    assert not is_no_zone_found("multiple Route 53 Hosted Zones matched")
    assert not is_no_zone_found("AccessDenied: not authorized to perform route53:ListHostedZones")


def test_sharing_saves_all_but_one_endpoints_hours() -> None:
    estimate = estimate_monthly_cost("us-east-1", ["a", "b", "c"], data_gb_per_month=1000)
    assert estimate is not None
    compared = compare_with_endpoint_per_vpc(estimate, 10)
    # 10 endpoints x 3 zones x $0.01 x 730 h = $219 plus $10 of data, against $21.90 + $10 +
    # the $0.50 zone.
    assert compared.endpoint_per_vpc_total == pytest.approx(229.0)
    assert compared.shared_total == pytest.approx(32.40)
    assert compared.monthly_saving == pytest.approx(196.60)
    assert compare_with_endpoint_per_vpc(estimate, 1).monthly_saving == pytest.approx(-0.5)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (
            info(("shared_vpc_ids", 1), vpc("vpc-0ba5e000", "10.0.0.0/16")),
            "shared_vpc_ids[1] is VPC vpc-0ba5e000, which is also vpc_id. The endpoint's own VPC",
        ),
        (
            info(("shared_vpcs", 0), vpc("vpc-0000000a", "10.1.0.0/16")),
            "shared_vpcs[0] is VPC vpc-0000000a, which is also shared_vpc_ids[0]. It is already",
        ),
    ],
)
def test_a_vpc_named_twice_through_outputs_is_refused_before_anything_exists(
    second: SharedVpcInfo, expected: str
) -> None:
    # resolve_sharing compares plain ids only; ids from Outputs meet here, in the preflight.
    first = info(("shared_vpc_ids", 0), vpc("vpc-0000000a", "10.1.0.0/16"))
    with pytest.raises(ConfigurationError) as err:
        plan(HUB, first, second)
    assert expected in str(err.value)
    assert "Nothing was created." in str(err.value)
