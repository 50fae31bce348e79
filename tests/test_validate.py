"""A refusal carries the input it names as data, and each shared value has one rule wherever it
is given: to the component, to the client, or on the command line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from rockset_pulumi import ConfigurationError, PrivateLinkArgs
from rockset_pulumi.args import resolve_args
from rockset_pulumi.cli import EXIT_USAGE, main
from rockset_pulumi.client import RocksetClient
from rockset_pulumi.errors import MapKey
from rockset_pulumi.lookups import check_region, unseen_service_error
from rockset_pulumi.planning import VpcInfo
from rockset_pulumi.regions import HostOverrides, lookup_region, resolve_hosts
from rockset_pulumi.sharing import SharedVpcInfo, plan_zone

KEY = "rs-validate-Hq7Wn2Zk5Tx8Pv3Lb6"
URL = "https://api.euc1a1.rockset.com"


def refusal(**overrides: Any) -> ConfigurationError:
    values: dict[str, Any] = {
        "vpc_id": "vpc-0a1b2c3d",
        "subnet_ids": ["subnet-0a1b2c3d"],
        **overrides,
    }
    with pytest.raises(ConfigurationError) as err:
        resolve_args(PrivateLinkArgs(**values))
    return err.value


@pytest.mark.parametrize(
    ("overrides", "path", "shown"),
    [
        ({"check_timeout": -1}, ("check_timeout",), -1),
        ({"allowed_cidrs": ["10.0.0.0/8", "nope"]}, ("allowed_cidrs", 1), "nope"),
        ({"admin_cidrs": {"office": "nope"}}, ("admin_cidrs", MapKey("office")), "nope"),
        ({"tags": {"team": 1}}, ("tags", MapKey("team")), 1),
        (
            {"dns": "hosted_zone", "shared_vpc_ids": ["vpc-0a1b2c3e", "x"]},
            ("shared_vpc_ids", 1),
            "x",
        ),
        (
            {"dns": "hosted_zone", "shared_vpcs": [object()]},
            ("shared_vpcs", 0),
            None,
        ),
    ],
)
def test_a_refusal_carries_the_inputs_path_its_value_and_the_fix(
    overrides: dict[str, Any], path: tuple[object, ...], shown: object
) -> None:
    error = refusal(**overrides)
    assert error.path == path
    if shown is not None:
        assert error.shown_value == shown
        assert f" is {shown!r}. " in str(error)
    assert error.fix
    assert str(error).endswith(error.fix)


def test_a_bad_entry_name_is_refused_as_the_key_of_its_entry() -> None:
    error = refusal(admin_cidrs={"bad name!": "203.0.113.0/24"})
    assert error.path == ("admin_cidrs", MapKey("bad name!"))
    assert error.of_key
    assert "admin_cidrs key is 'bad name!'" in str(error)


def test_a_refused_key_is_hidden_in_the_data_as_in_the_message() -> None:
    error = refusal(api_key=f" {KEY}")
    assert error.path == ("api_key",)
    assert error.shown_value == "<hidden>"
    assert KEY not in str(error)
    assert all(KEY not in str(value) for value in vars(error).values())


def cli_error(*args: str, capsys: pytest.CaptureFixture[str], key: str = KEY) -> str:
    assert main(["verify", *args], environ={"ROCKSET_APIKEY": key}) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_an_http_url_is_refused_alike_by_the_component_the_client_and_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "http://api.euc1a1.rockset.com"
    component = refusal(public_url=url)
    with pytest.raises(ConfigurationError) as client:
        RocksetClient(url, KEY)
    command_line = cli_error("--public-url", url, "--privatelink-url", URL, capsys=capsys)
    assert component.fix == client.value.fix
    assert (component.path, client.value.path) == (("public_url",), ("base_url",))
    assert str(client.value).startswith(f"Cannot create the Rockset client: base_url is {url!r}.")
    assert f"--public-url is {url!r}. {component.fix}" in command_line


def test_a_key_with_a_space_is_refused_alike_and_never_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = f"{KEY[:8]} {KEY[8:]}"
    component = refusal(api_key=key)
    with pytest.raises(ConfigurationError) as client:
        RocksetClient(URL, key)
    command_line = cli_error("--region", "eu-central-1", capsys=capsys, key=key)
    assert component.fix == client.value.fix
    assert f"ROCKSET_APIKEY is '<hidden>'. {component.fix}" in command_line
    for text in (str(component), str(client.value), command_line):
        assert KEY[:8] not in text and KEY[8:] not in text


def test_a_ca_bundle_without_a_ca_is_refused_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    component = refusal(ca_bundle=str(empty))
    with pytest.raises(ConfigurationError) as client:
        RocksetClient(URL, KEY, ca_bundle=str(empty))
    command_line = cli_error("--region", "eu-central-1", "--ca-bundle", str(empty), capsys=capsys)
    assert component.fix == client.value.fix
    assert f"--ca-bundle is {str(empty)!r}. {component.fix}" in command_line


def _throw(error: Exception) -> None:
    raise error


def _raised(refuse: Callable[[], object]) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as err:
        refuse()
    return err.value


SHARED = VpcInfo("vpc-0a1b2c3d", "10.1.0.0/16", True, False)
OWN = VpcInfo("vpc-0ba5e000", "10.0.0.0/16", True, True)


def _zone(*infos: SharedVpcInfo, name: str | None = "privatelink.euc1a1.rockset.com") -> object:
    return plan_zone(
        zone_name=name, service_name="svc", region="eu-central-1", vpcs=infos, owner="o/p/s"
    )


@pytest.mark.parametrize(
    ("refuse", "path", "shown"),
    [
        (lambda: lookup_region("ap-south-1"), ("region",), "ap-south-1"),
        (lambda: check_region("us-east-1", "eu-central-1"), ("region",), "us-east-1"),
        (
            lambda: resolve_hosts("eu-central-1", HostOverrides(privatelink_url=URL)),
            ("privatelink_url",),
            URL,
        ),
        (
            lambda: _throw(
                unseen_service_error("com.amazonaws.vpce.eu-central-1.x", "eu-central-1", "1")
            ),
            ("service_name",),
            "com.amazonaws.vpce.eu-central-1.x",
        ),
        (lambda: _zone(SharedVpcInfo(("vpc_id",), OWN, "r"), name=None), ("dns",), "hosted_zone"),
        (
            lambda: _zone(
                SharedVpcInfo(("vpc_id",), OWN, "r"), SharedVpcInfo(("shared_vpcs", 2), SHARED, "r")
            ),
            ("shared_vpcs", 2),
            SHARED.id,
        ),
        (
            lambda: _zone(
                SharedVpcInfo(("vpc_id",), OWN, "r"),
                SharedVpcInfo(
                    ("shared_vpc_ids", 0), replace(SHARED, enable_dns_hostnames=True), "r"
                ),
                SharedVpcInfo(
                    ("shared_vpc_ids", 1), replace(SHARED, enable_dns_hostnames=True), "r"
                ),
            ),
            ("shared_vpc_ids", 1),
            SHARED.id,
        ),
    ],
    ids=[
        "region table",
        "provider region",
        "same URL",
        "unseen service",
        "no DNS name",
        "DNS off",
        "named twice",
    ],
)
def test_a_refusal_after_the_arguments_still_carries_the_inputs_path(
    refuse: Callable[[], object], path: tuple[object, ...], shown: object
) -> None:
    error = _raised(refuse)
    assert error.path == path
    assert error.shown_value == shown
    assert error.fix and str(error).endswith(error.fix)
