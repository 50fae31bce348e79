"""AWS ids in every input that takes them (``vpc_id``, ``subnet_ids``,
``allowed_security_group_ids``, ``shared_vpc_ids``, ``shared_vpcs``) have AWS's own shape and
are named once, and ``shared_vpc_ids`` stays within Route 53's limit, all checked before
anything is registered; a refusal names the input and shows a short, visible value."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rockset_pulumi import ConfigurationError, PrivateLinkArgs
from rockset_pulumi.args import resolve_args
from rockset_pulumi.errors import InputPath
from rockset_pulumi.sharing import MAX_ZONE_VPCS, ZONE_VPCS_SOURCE, SharedVpc
from rockset_pulumi.text import SHOWN_LIMIT
from rockset_pulumi.validate import IdRule, security_group_id, subnet_id, vpc_id

VPC = "vpc-0123456789abcdef0"
SUBNET = "subnet-0123456789abcdef0"
GROUP = "sg-0123456789abcdef0"
SHARED = "vpc-0a1b2c3d"
BASE: dict[str, Any] = {"vpc_id": VPC, "subnet_ids": [SUBNET]}
# A refusal's message: the action, the name, the value shown (at most SHOWN_LIMIT characters
# and "…", as repr quotes it) and the fix, which for an id is a few short sentences.
MESSAGE_LIMIT = 500


def refusal(**overrides: Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as err:
        resolve_args(PrivateLinkArgs(**{**BASE, **overrides}))
    return err.value


def assert_shown_safely(error: ConfigurationError) -> None:
    """The value is shown bounded and visible, and the message is one printable line."""
    shown = error.shown_value
    assert isinstance(shown, str)
    assert len(shown) <= SHOWN_LIMIT + 1
    assert shown.isprintable()
    message = str(error)
    assert len(message) <= MESSAGE_LIMIT
    assert message.isprintable()


def malformed(prefix: str) -> list[str]:
    """The ids the issue found accepted, for one resource type."""
    return [
        f"{prefix}-",
        f"{prefix}-zzzz!!",
        f"{prefix}-0abc def",
        f"{prefix}-" + "0" * 10_000,
        f"{prefix}-0abc\ndef0",
        f"{prefix}-0123\u200babcd",
    ]


# Where each input puts a bad id (after a good one, for the lists), and the path that names it.
PLACES: list[tuple[str, Any, InputPath]] = [
    ("vpc", lambda bad: {"vpc_id": bad}, ("vpc_id",)),
    ("subnet", lambda bad: {"subnet_ids": [SUBNET, bad]}, ("subnet_ids", 1)),
    (
        "sg",
        lambda bad: {"allowed_security_group_ids": [GROUP, bad]},
        ("allowed_security_group_ids", 1),
    ),
    (
        "vpc",
        lambda bad: {"dns": "hosted_zone", "shared_vpc_ids": [SHARED, bad]},
        ("shared_vpc_ids", 1),
    ),
    (
        "vpc",
        lambda bad: {"dns": "hosted_zone", "shared_vpcs": [SharedVpc(SHARED), SharedVpc(bad)]},
        ("shared_vpcs", 1, "vpc_id"),
    ),
]
CASES = [(place, bad, path) for prefix, place, path in PLACES for bad in malformed(prefix)]


@pytest.mark.parametrize(
    ("place", "bad", "path"),
    CASES,
    ids=[f"{path[0]}-{ascii(bad)[:24]}" for _, bad, path in CASES],
)
def test_a_malformed_id_is_refused_naming_its_input(place: Any, bad: str, path: InputPath) -> None:
    error = refusal(**place(bad))
    assert error.path == path
    assert_shown_safely(error)
    assert "8 or 17 lower-case hexadecimal digits" in error.fix


def test_what_does_not_show_is_shown_as_its_code_point() -> None:
    error = refusal(dns="hosted_zone", shared_vpc_ids=["vpc-0123\u200babcd", "vpc-0abc\ndef0"])
    assert error.shown_value == "vpc-0123<U+200B>abcd"
    assert "white space or characters that do not show" in error.fix
    long = refusal(vpc_id="vpc-" + "0" * 10_000)
    assert long.shown_value == "vpc-" + "0" * (SHOWN_LIMIT - 4) + "…"


TWICE: list[tuple[dict[str, Any], InputPath, str]] = [
    (
        {"dns": "hosted_zone", "shared_vpc_ids": [SHARED, SHARED.upper()]},
        ("shared_vpc_ids", 1),
        "It is already shared_vpc_ids[0]; list each VPC once.",
    ),
    (
        {"dns": "hosted_zone", "shared_vpc_ids": [SHARED, "vpc-0A1B2C3D"]},
        ("shared_vpc_ids", 1),
        "It is already shared_vpc_ids[0]; list each VPC once.",
    ),
    (
        {"dns": "hosted_zone", "shared_vpcs": [SharedVpc(VPC.upper())]},
        ("shared_vpcs", 0, "vpc_id"),
        "The endpoint's own VPC is associated with the zone already; drop it here.",
    ),
    (
        {"subnet_ids": [SUBNET, SUBNET.upper()]},
        ("subnet_ids", 1),
        "It is already subnet_ids[0]; list each once.",
    ),
    (
        {"allowed_security_group_ids": [GROUP, "SG-0123456789ABCDEF0"]},
        ("allowed_security_group_ids", 1),
        "It is already allowed_security_group_ids[0]; list each once.",
    ),
]


@pytest.mark.parametrize(("overrides", "path", "fix"), TWICE, ids=[str(t[1]) for t in TWICE])
def test_an_id_named_twice_in_another_case_is_refused(
    overrides: dict[str, Any], path: InputPath, fix: str
) -> None:
    error = refusal(**overrides)
    assert error.path == path
    assert error.fix == fix


def test_an_id_in_capitals_alone_is_refused_with_its_lower_case_form() -> None:
    error = refusal(vpc_id=VPC.upper())
    assert error.fix == f"Pass {VPC!r}: AWS writes ids in lower case."


def test_a_list_over_route_53s_limit_is_refused_before_its_entries_are_read() -> None:
    many = [f"vpc-{i:08x}" for i in range(100_000)]
    many[5] = "vpc-zzzz!!"  # never reached: the count is refused first
    error = refusal(dns="hosted_zone", shared_vpc_ids=many)
    assert error.path == ("shared_vpc_ids",)
    assert error.shown_value == "<a list of 100000 VPCs>"
    assert f"at most {MAX_ZONE_VPCS} VPCs" in error.fix
    assert ZONE_VPCS_SOURCE in error.fix
    assert len(str(error)) <= MESSAGE_LIMIT


def test_the_limit_counts_the_endpoints_vpc_and_both_lists() -> None:
    ids = [f"vpc-{i:08x}" for i in range(1, MAX_ZONE_VPCS)]
    sharing = resolve_args(PrivateLinkArgs(**BASE, dns="hosted_zone", shared_vpc_ids=ids)).sharing
    assert len(sharing.shared_vpcs) == MAX_ZONE_VPCS - 1
    error = refusal(dns="hosted_zone", shared_vpc_ids=ids, shared_vpcs=[SharedVpc(SHARED)])
    assert error.path == ("shared_vpcs",)


def test_eight_and_seventeen_digit_ids_are_kept_as_given() -> None:
    settings = resolve_args(
        PrivateLinkArgs(
            vpc_id="vpc-0a1b2c3d",
            subnet_ids=[SUBNET, "subnet-0a1b2c3d"],
            allowed_security_group_ids=["sg-0a1b2c3d"],
            dns="hosted_zone",
            shared_vpc_ids=[VPC],
        )
    )
    assert settings.vpc_id == "vpc-0a1b2c3d"
    assert settings.subnet_ids == [SUBNET, "subnet-0a1b2c3d"]
    assert settings.allowed_security_group_ids == ["sg-0a1b2c3d"]
    assert [e.vpc_id for e in settings.sharing.shared_vpcs] == [VPC]


RULES: list[tuple[IdRule, str]] = [
    (vpc_id, "vpc"),
    (subnet_id, "subnet"),
    (security_group_id, "sg"),
]
HEX = "0123456789abcdef"


def ids(prefix: str) -> st.SearchStrategy[str]:
    """Valid ids, near misses (wrong length, case, alphabet, prefix) and any text at all."""
    digits = st.one_of(
        st.text(HEX, min_size=8, max_size=8),
        st.text(HEX, min_size=17, max_size=17),
        st.text(HEX + "ABCDEFxyz-_ ", max_size=20),
    )
    prefixes = st.sampled_from([f"{prefix}-", prefix.upper() + "-", "vpc-", "sg-", "", f"{prefix}"])
    near = st.tuples(prefixes, digits, st.sampled_from(["", "\n", "\u200b", " ", "\x00"])).map(
        "".join
    )
    return st.one_of(near, st.text(max_size=300))


@pytest.mark.parametrize(("rule", "prefix"), RULES, ids=[p for _, p in RULES])
@given(data=st.data())
def test_every_id_is_accepted_exactly_when_it_has_aws_shape(
    rule: IdRule, prefix: str, data: st.DataObject
) -> None:
    value = data.draw(ids(prefix))
    path: InputPath = ("some_input", 3)
    if re.fullmatch(f"{prefix}-([0-9a-f]{{8}}|[0-9a-f]{{17}})", value):
        assert rule(value, path) == value
        return
    with pytest.raises(ConfigurationError) as err:
        rule(value, path)
    assert err.value.path == path
    assert str(err.value).startswith("Cannot create the PrivateLink: some_input[3] is ")
    assert_shown_safely(err.value)
