"""Every bad input is refused with a message naming the input, the value and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rockset_pulumi import ConfigurationError, PrivateLinkArgs
from rockset_pulumi.args import DEFAULT_CHECK_TIMEOUT, resolve_args
from rockset_pulumi.regions import HostOverrides

KEY = "test-key-value"


def args(**overrides: Any) -> PrivateLinkArgs:
    values: dict[str, Any] = {"vpc_id": "vpc-0a1b2c3d", "subnet_ids": ["subnet-0a1b2c3d"]}
    values.update(overrides)
    return PrivateLinkArgs(**values)


def refused(**overrides: Any) -> str:
    with pytest.raises(ConfigurationError) as err:
        resolve_args(args(**overrides))
    return str(err.value)


def test_defaults_are_filled_in_one_place() -> None:
    settings = resolve_args(args())
    assert settings.hosts == HostOverrides()
    assert settings.region is None
    assert settings.checks is False
    assert settings.lockdown is False
    assert settings.check_timeout == DEFAULT_CHECK_TIMEOUT
    assert settings.allowed_cidrs == ()
    assert settings.warnings == ()


def test_checks_default_on_with_an_api_key() -> None:
    assert resolve_args(args(api_key=KEY)).checks is True
    assert resolve_args(args(api_key=KEY, checks=False)).checks is False


def test_overrides_are_kept_as_given_without_a_trailing_slash() -> None:
    settings = resolve_args(
        args(public_url="https://127.0.0.1:8443/", privatelink_url="https://localhost:9443")
    )
    assert settings.hosts == HostOverrides(
        public_url="https://127.0.0.1:8443", privatelink_url="https://localhost:9443"
    )


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
    settings = resolve_args(args(admin_cidrs={"vpn": "198.51.100.7"}))
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


def _pem_garbage(tmp: Path) -> str:
    path = tmp / "not-a-ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    return str(path)


# (input overrides, what the message must name): each would have defeated a safety, or failed
# only after AWS resources existed, or ended in a raw TypeError.
BAD_INPUTS: list[tuple[dict[str, Any], str]] = [
    ({"lockdown": "false"}, "lockdown is 'false'"),
    ({"probe": "lambda", "api_key": KEY}, "probe is 'lambda'"),
    ({"probe": "VPC", "api_key": KEY}, "probe is 'VPC'"),
    ({"probe": True, "api_key": KEY}, "probe is True"),
    ({"probe": "vpc"}, "probe is 'vpc'"),
    ({"probe": "vpc", "api_key": KEY, "checks": False}, "probe is 'vpc'"),
    ({"lockdown": 1}, "lockdown is 1"),
    ({"checks": "false", "api_key": KEY}, "checks is 'false'"),
    ({"checks": 0, "api_key": KEY}, "checks is 0"),
    ({"check_timeout": float("nan")}, "check_timeout is nan"),
    ({"check_timeout": float("inf")}, "check_timeout is inf"),
    ({"check_timeout": 10**9}, "check_timeout is 1000000000"),
    ({"check_timeout": True}, "check_timeout is True"),
    ({"check_timeout": "900"}, "check_timeout is '900'"),
    ({"price_per_az_hour": float("nan")}, "price_per_az_hour is nan"),
    ({"expected_gb_per_month": -1}, "expected_gb_per_month is -1"),
    ({"admin_cidrs": {"all": "0.0.0.0/0"}}, "cover every IPv4 address"),
    ({"admin_cidrs": {"a": "0.0.0.0/1", "b": "128.0.0.0/1"}}, "cover every IPv4 address"),
    ({"admin_cidrs": {"office\n": "203.0.113.0/24"}}, "admin_cidrs key is 'office\\n'"),
    ({"admin_cidrs": ["203.0.113.0/24"]}, "admin_cidrs is ['203.0.113.0/24']"),
    ({"admin_cidrs": {"office": 7}}, "admin_cidrs['office'] is 7"),
    ({"public_url": "https://user:pw@api.example.com"}, "Remove user:password@"),
    ({"privatelink_url": "https://api.example.com:99999"}, "privatelink_url is"),
    ({"public_url": 443}, "public_url is 443"),
    ({"service_name": "com.amazonaws vpce"}, "service_name is 'com.amazonaws vpce'"),
    ({"api_key": ""}, "api_key is ''"),
    ({"api_key": f" {KEY}"}, "leading or trailing whitespace"),
    ({"api_key": f"{KEY}\n"}, "leading or trailing whitespace"),
    ({"api_key": 12345}, "api_key is 12345"),
    ({"allowed_security_group_ids": "sg-123"}, "allowed_security_group_ids is 'sg-123'"),
    ({"allowed_security_group_ids": [None]}, "allowed_security_group_ids[0] is None"),
    ({"allowed_cidrs": "10.0.0.0/16"}, "allowed_cidrs is '10.0.0.0/16'"),
    ({"subnet_ids": "subnet-a"}, "subnet_ids is 'subnet-a'"),
    ({"subnet_ids": [""]}, "subnet_ids[0] is ''"),
    ({"vpc_id": ""}, "vpc_id is ''"),
    ({"vpc_id": None}, "vpc_id is None"),
    ({"region": ""}, "region is ''"),
    ({"tags": {"team": 1}}, "tags['team'] is 1"),
    ({"tags": ["a"]}, "tags is ['a']"),
    ({"triggers": "v2"}, "triggers is 'v2'"),
]


@pytest.mark.parametrize(("overrides", "named"), BAD_INPUTS, ids=[b[1] for b in BAD_INPUTS])
def test_bad_inputs_are_refused_naming_the_input(overrides: dict[str, Any], named: str) -> None:
    message = refused(**overrides)
    assert message.startswith("Cannot create the PrivateLink: ")
    assert named in message
    assert "Pass" in message or "Remove" in message or "copy the key" in message
    assert KEY not in message


def test_a_ca_bundle_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    garbage = _pem_garbage(tmp_path)
    assert f"ca_bundle is {garbage!r}" in refused(ca_bundle=garbage)
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    assert "ca_bundle is" in refused(ca_bundle=str(empty))


def test_private_admin_ranges_are_allowed_with_a_warning() -> None:
    settings = resolve_args(args(admin_cidrs={"lan": "10.1.0.0/16", "office": "203.0.113.0/24"}))
    assert settings.admin_cidrs == {"lan": "10.1.0.0/16", "office": "203.0.113.0/24"}
    [warning] = map(str, settings.warnings)
    assert "admin_cidrs['lan'] is '10.1.0.0/16'" in warning
    assert "admits nobody" in warning


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"check_timeout": 10**400}, "check_timeout is '<an integer too large for a float>'"),
        ({"expected_gb_per_month": 10**400}, "expected_gb_per_month is"),
        # Everything public but one private block: as open as 0.0.0.0/0.
        (
            {
                "admin_cidrs": {
                    "a": "0.0.0.0/5",
                    "b": "8.0.0.0/7",
                    "c": "11.0.0.0/8",
                    "d": "12.0.0.0/6",
                    "e": "16.0.0.0/4",
                    "f": "32.0.0.0/3",
                    "g": "64.0.0.0/2",
                    "h": "128.0.0.0/1",
                }
            },
            "cover every IPv4 address",
        ),
        ({"public_url": "https://api x.example"}, "public_url is 'https://api x.example'"),
        ({"public_url": "https://api.example:0"}, "Pass a port from 1 to 65535"),
    ],
)
def test_red_team_inputs_are_refused(overrides: dict[str, Any], named: str) -> None:
    assert named in refused(**overrides)


def test_a_url_scheme_in_capitals_is_normalized() -> None:
    settings = resolve_args(args(public_url="HTTPS://api.euc1a1.rockset.com/"))
    assert settings.hosts.public_url == "https://api.euc1a1.rockset.com"


def test_probe_defaults_to_the_runner_and_names_its_choices() -> None:
    assert (
        resolve_args(PrivateLinkArgs(vpc_id="vpc-0a1b2c3d", subnet_ids=["subnet-0a1b2c3d"])).probe
        == "runner"
    )
    vpc = PrivateLinkArgs(
        vpc_id="vpc-0a1b2c3d", subnet_ids=["subnet-0a1b2c3d"], api_key=KEY, probe="vpc"
    )
    assert resolve_args(vpc).probe == "vpc"
    message = refused(probe="lambda", api_key=KEY)
    assert '"runner"' in message
    assert '"vpc"' in message
