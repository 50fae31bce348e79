"""Placement rules: supported zones only, one subnet per zone, DNS preflight, default ingress."""

from __future__ import annotations

import pytest

from rockset_pulumi import ConfigurationError
from rockset_pulumi.planning import SubnetInfo, VpcInfo, plan_endpoint

SERVICE = "com.amazonaws.vpce.eu-central-1.vpce-svc-02f409ce75f330219"
VPC = VpcInfo("vpc-1", "10.0.0.0/16", enable_dns_support=True, enable_dns_hostnames=True)


def subnet(subnet_id: str, zone: str, vpc_id: str = "vpc-1") -> SubnetInfo:
    return SubnetInfo(subnet_id, zone, vpc_id)


def plan(subnets: list[SubnetInfo], **kwargs: object):  # type: ignore[no-untyped-def]
    settings: dict[str, object] = {
        "service_name": SERVICE,
        "service_zones": ["eu-central-1a", "eu-central-1b"],
        "vpc": VPC,
        "subnets": subnets,
        "allowed_cidrs": [],
        "allowed_security_group_ids": [],
    }
    settings.update(kwargs)
    return plan_endpoint(**settings)  # type: ignore[arg-type]


def test_keeps_supported_zones_and_skips_the_rest_with_a_reason() -> None:
    result = plan(
        [
            subnet("subnet-a", "eu-central-1a"),
            subnet("subnet-c", "eu-central-1c"),
            subnet("subnet-b", "eu-central-1b"),
        ]
    )
    assert result.subnet_ids == ("subnet-a", "subnet-b")
    assert result.availability_zones == ("eu-central-1a", "eu-central-1b")
    [skipped] = result.skipped
    assert skipped.subnet_id == "subnet-c"
    assert skipped.reason == (
        f"eu-central-1c is not served by {SERVICE} (it serves eu-central-1a, eu-central-1b)"
    )


def test_keeps_one_subnet_per_zone_the_first_given() -> None:
    result = plan([subnet("subnet-a1", "eu-central-1a"), subnet("subnet-a2", "eu-central-1a")])
    assert result.subnet_ids == ("subnet-a1",)
    assert [s.subnet_id for s in result.skipped] == ["subnet-a2"]
    assert "subnet-a1 already places the endpoint in eu-central-1a" in result.skipped[0].reason


def test_no_subnet_in_a_served_zone_is_an_error_naming_the_zones() -> None:
    with pytest.raises(ConfigurationError) as err:
        plan([subnet("subnet-c", "eu-central-1c")])
    assert str(err.value) == (
        f"Cannot create the endpoint: none of subnet_ids is in a zone that {SERVICE} serves. "
        "Given: subnet-c (eu-central-1c); it serves eu-central-1a, eu-central-1b. "
        "Pass a subnet in one of those zones."
    )


def test_subnet_of_another_vpc_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="subnet-x is in VPC vpc-2, not in vpc_id vpc-1"):
        plan([subnet("subnet-x", "eu-central-1a", vpc_id="vpc-2")])


@pytest.mark.parametrize(
    ("support", "hostnames", "attribute", "flag"),
    [
        (False, True, "enableDnsSupport", "--enable-dns-support"),
        (True, False, "enableDnsHostnames", "--enable-dns-hostnames"),
    ],
)
def test_dns_attributes_must_be_on(
    support: bool, hostnames: bool, attribute: str, flag: str
) -> None:
    vpc = VpcInfo("vpc-1", "10.0.0.0/16", support, hostnames)
    with pytest.raises(ConfigurationError) as err:
        plan([subnet("subnet-a", "eu-central-1a")], vpc=vpc)
    assert f"VPC vpc-1 has {attribute} turned off" in str(err.value)
    assert flag in str(err.value)


def test_dns_attributes_off_in_a_vpc_that_may_change_are_a_warning() -> None:
    vpc = VpcInfo("vpc-1", "10.0.0.0/16", enable_dns_support=True, enable_dns_hostnames=False)

    result = plan([subnet("subnet-a", "eu-central-1a")], vpc=vpc, vpc_may_change=True)

    assert result.subnet_ids == ("subnet-a",)
    [warning] = result.warnings
    assert warning.startswith("VPC vpc-1 has enableDnsHostnames turned off for now;")
    assert "If this update turns it on, `pulumi up` goes ahead" in warning


def test_a_plan_with_dns_on_has_no_warning() -> None:
    assert plan([subnet("subnet-a", "eu-central-1a")], vpc_may_change=True).warnings == ()


def test_ingress_defaults_to_the_vpc_cidr() -> None:
    result = plan([subnet("subnet-a", "eu-central-1a")])
    assert result.ingress_cidrs == ("10.0.0.0/16",)
    assert result.ingress_security_group_ids == ()


def test_named_sources_replace_the_default() -> None:
    only_groups = plan([subnet("subnet-a", "eu-central-1a")], allowed_security_group_ids=["sg-1"])
    assert only_groups.ingress_cidrs == ()
    assert only_groups.ingress_security_group_ids == ("sg-1",)
    only_cidrs = plan([subnet("subnet-a", "eu-central-1a")], allowed_cidrs=["10.1.0.0/24"])
    assert only_cidrs.ingress_cidrs == ("10.1.0.0/24",)
