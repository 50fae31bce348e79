"""The region table: the guide's five endpoint services and the API hosts for each region."""

from __future__ import annotations

import dataclasses

import pytest

from rockset_pulumi import REGIONS, ConfigurationError, lookup_region
from rockset_pulumi.regions import HostOverrides, RocksetHosts, resolve_hosts

GUIDE_SERVICES = {
    "eu-central-1": "com.amazonaws.vpce.eu-central-1.vpce-svc-02f409ce75f330219",
    "us-west-2": "com.amazonaws.vpce.us-west-2.vpce-svc-030e98de8dbf451c0",
    "us-east-1": "com.amazonaws.vpce.us-east-1.vpce-svc-00b38ed8b65eac319",
    "ap-southeast-2": "com.amazonaws.vpce.ap-southeast-2.vpce-svc-0e87c1c5e53c17630",
    "eu-west-1": "com.amazonaws.vpce.eu-west-1.vpce-svc-0a6d7db7c0b18f762",
}


def test_the_five_regions_carry_the_guides_service_names() -> None:
    assert {r: e.service_name for r, e in REGIONS.items()} == GUIDE_SERVICES


def test_frankfurt_hosts_are_the_guides() -> None:
    frankfurt = lookup_region("eu-central-1")
    assert frankfurt.cluster == "euc1a1"
    assert frankfurt.api_url == "https://api.euc1a1.rockset.com"
    assert frankfurt.privatelink_url == "https://privatelink.euc1a1.rockset.com"
    assert frankfurt.inferred == frozenset()


@pytest.mark.parametrize(
    ("region", "cluster", "inferred"),
    [
        ("us-west-2", "usw2a1", {"privatelink_url"}),
        ("us-east-1", "use1a1", {"privatelink_url"}),
        ("ap-southeast-2", "apt2a1", {"cluster", "api_url", "privatelink_url"}),
        ("eu-west-1", "euw1a1", {"cluster", "api_url", "privatelink_url"}),
    ],
)
def test_other_regions_mark_what_is_inferred(region: str, cluster: str, inferred: set[str]) -> None:
    entry = REGIONS[region]
    assert entry.cluster == cluster
    assert entry.api_url == f"https://api.{cluster}.rockset.com"
    assert entry.privatelink_url == f"https://privatelink.{cluster}.rockset.com"
    assert entry.inferred == inferred


def test_entries_and_table_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        REGIONS["eu-central-1"].cluster = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        REGIONS["ap-south-1"] = REGIONS["eu-central-1"]  # type: ignore[index]


def test_unsupported_region_names_it_and_lists_the_supported_ones() -> None:
    with pytest.raises(ConfigurationError) as err:
        lookup_region("ap-south-1")
    message = str(err.value)
    assert "'ap-south-1'" in message
    for region in GUIDE_SERVICES:
        assert region in message
    assert "service_name, public_url and privatelink_url" in message


def test_hosts_come_from_the_table_unless_overridden() -> None:
    assert resolve_hosts("eu-central-1", HostOverrides()) == RocksetHosts(
        GUIDE_SERVICES["eu-central-1"],
        "https://api.euc1a1.rockset.com",
        "https://privatelink.euc1a1.rockset.com",
    )
    hosts = resolve_hosts("eu-central-1", HostOverrides(privatelink_url="https://pl.example"))
    assert hosts.privatelink_url == "https://pl.example"
    assert hosts.public_url == "https://api.euc1a1.rockset.com"


def test_a_region_outside_the_table_works_with_all_three_overrides_only() -> None:
    given = HostOverrides("com.amazonaws.vpce.ap-south-1.vpce-svc-1", "https://a", "https://p")
    assert resolve_hosts("ap-south-1", given) == RocksetHosts(
        "com.amazonaws.vpce.ap-south-1.vpce-svc-1", "https://a", "https://p"
    )
    with pytest.raises(ConfigurationError, match="ap-south-1"):
        resolve_hosts(
            "ap-south-1", HostOverrides(public_url="https://a", privatelink_url="https://p")
        )


def test_the_same_host_spelled_as_ipv4_mapped_ipv6_is_still_the_same_endpoint() -> None:
    given = HostOverrides(
        "com.amazonaws.vpce.eu-central-1.vpce-svc-1", "https://1.2.3.4", "https://[::ffff:1.2.3.4]"
    )
    with pytest.raises(ConfigurationError, match="the same endpoint as public_url"):
        resolve_hosts("eu-central-1", given)
