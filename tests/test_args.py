"""Every bad input is refused with a message naming the input, the value and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rockset_pulumi import ConfigurationError, PrivateLinkArgs
from rockset_pulumi.args import DEFAULT_CHECK_TIMEOUT, resolve_args

KEY = "test-key-value"


def args(**overrides: Any) -> PrivateLinkArgs:
    values: dict[str, Any] = {"vpc_id": "vpc-1", "subnet_ids": ["subnet-a"]}
    values.update(overrides)
    return PrivateLinkArgs(**values)


def refused(region: str | None = "eu-central-1", **overrides: Any) -> str:
    with pytest.raises(ConfigurationError) as err:
        resolve_args(args(**overrides), default_region=region)
    return str(err.value)


def test_defaults_are_resolved_from_the_region_table() -> None:
    settings = resolve_args(args(), default_region="eu-central-1")
    assert settings.service_name == "com.amazonaws.vpce.eu-central-1.vpce-svc-02f409ce75f330219"
    assert settings.public_url == "https://api.euc1a1.rockset.com"
    assert settings.privatelink_url == "https://privatelink.euc1a1.rockset.com"
    assert settings.checks is False
    assert settings.lockdown is False
    assert settings.check_timeout == DEFAULT_CHECK_TIMEOUT
    assert settings.allowed_cidrs == ()


def test_checks_default_on_with_an_api_key() -> None:
    assert resolve_args(args(api_key=KEY), default_region="us-east-1").checks is True
    assert resolve_args(args(api_key=KEY, checks=False), default_region="us-east-1").checks is False


def test_explicit_region_wins_over_the_ambient_one() -> None:
    settings = resolve_args(args(region="us-west-2"), default_region="eu-central-1")
    assert settings.region == "us-west-2"
    assert settings.public_url == "https://api.usw2a1.rockset.com"


def test_overrides_replace_table_entries() -> None:
    settings = resolve_args(
        args(public_url="https://127.0.0.1:8443/", privatelink_url="https://localhost:9443"),
        default_region="eu-central-1",
    )
    assert settings.public_url == "https://127.0.0.1:8443"
    assert settings.privatelink_url == "https://localhost:9443"


def test_a_region_outside_the_table_needs_all_three_overrides() -> None:
    message = refused(region="ap-south-1")
    assert "'ap-south-1'" in message
    assert "eu-central-1" in message
    settings = resolve_args(
        args(
            service_name="com.amazonaws.vpce.ap-south-1.vpce-svc-0123",
            public_url="https://api.aps1a1.rockset.com",
            privatelink_url="https://privatelink.aps1a1.rockset.com",
        ),
        default_region="ap-south-1",
    )
    assert settings.public_url == "https://api.aps1a1.rockset.com"
    assert settings.service_name == "com.amazonaws.vpce.ap-south-1.vpce-svc-0123"


def test_empty_subnet_ids() -> None:
    message = refused(subnet_ids=[])
    assert message == (
        "Cannot create the PrivateLink: subnet_ids is []. Pass at least one subnet in the VPC, "
        "ideally one per availability zone."
    )


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("allowed_cidrs", ["10.0.0.0/33"], "allowed_cidrs[0] is '10.0.0.0/33'"),
        ("allowed_cidrs", ["10.0.0.1/16"], "allowed_cidrs[0] is '10.0.0.1/16'"),
        ("allowed_cidrs", ["fd00::/8"], "allowed_cidrs[0] is 'fd00::/8'"),
        ("admin_cidrs", {"office": "not-an-ip"}, "admin_cidrs['office'] is 'not-an-ip'"),
        ("admin_cidrs", {"bad name!": "10.0.0.1"}, "admin_cidrs key is 'bad name!'"),
        ("admin_cidrs", {"office-next": "10.0.0.1"}, "admin_cidrs key is 'office-next'"),
    ],
)
def test_malformed_cidrs_and_names(field: str, value: Any, named: str) -> None:
    message = refused(**{field: value})
    assert named in message
    assert "Pass" in message


def test_admin_addresses_may_be_single_ips() -> None:
    settings = resolve_args(args(admin_cidrs={"vpn": "198.51.100.7"}), default_region="eu-west-1")
    assert settings.admin_cidrs == {"vpn": "198.51.100.7/32"}


@pytest.mark.parametrize("field", ["public_url", "privatelink_url"])
@pytest.mark.parametrize(
    "value", ["http://api.euc1a1.rockset.com", "api.euc1a1.rockset.com", "https://x/v1"]
)
def test_url_overrides_must_be_https_base_urls(field: str, value: str) -> None:
    message = refused(**{field: value})
    assert f"{field} is {value!r}" in message


def test_lockdown_needs_an_api_key() -> None:
    message = refused(lockdown=True, admin_cidrs={"office": "203.0.113.0/24"})
    assert message.startswith("Cannot create the PrivateLink: lockdown is True.")
    assert "pass api_key" in message


def test_lockdown_needs_admin_cidrs() -> None:
    message = refused(lockdown=True, api_key=KEY)
    assert "lockdown is True" in message
    assert "Pass admin_cidrs" in message


def test_lockdown_needs_the_checks() -> None:
    message = refused(lockdown=True, api_key=KEY, checks=False, admin_cidrs={"o": "10.0.0.1"})
    assert "checks is False" in message


def test_checks_need_an_api_key() -> None:
    message = refused(checks=True)
    assert message.startswith("Cannot create the PrivateLink: checks is True.")
    assert "pass api_key" in message


@pytest.mark.parametrize("value", [0, -5])
def test_check_timeout_must_be_positive(value: float) -> None:
    assert f"check_timeout is {value!r}" in refused(check_timeout=value)


def test_ca_bundle_must_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.pem")
    assert f"ca_bundle is {missing!r}" in refused(ca_bundle=missing)
