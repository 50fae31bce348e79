"""Inputs arrive at the plugin's ``Construct`` as a program in any language gives them.

With ``acceptOutputs`` the engine sends another resource's output as an *output value* (known or
not, secret or not, with its dependencies), whole or per item, and secrets as secret values.
What the schema does not mark ``plain`` takes each of them, as the Python path does; a
``plain`` input takes a known value, a secret one included (``adminCidrs`` stays secret), and
an unknown one is refused by name. ``null`` is unset on both paths (Pulumi's convention).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.provider.experimental.provider import ConfigureRequest
from pulumi.runtime.rpc import UNKNOWN

from rockset_pulumi.args import PrivateLinkArgs, resolve_args
from rockset_pulumi.plugin.naming import snake
from rockset_pulumi.plugin.provider import RocksetProvider
from tests.support.construct import Constructor, Refused, constructor

SIG = "4dabf18193072939515e22adb298388d"
SECRET = {SIG: "1b47061264138c4ac30d75fd1eb44270"}
OUTPUT = {SIG: "d0e6a833031e9bbcd3f4e8bde6ca49a4"}
SPOKE_URN = "urn:pulumi:dev::p::aws:ec2/vpc:Vpc::spoke"
KEY = "k-0123456789"
OFFICE = {"office": "203.0.113.0/24"}


def output(value: Any = None, *, known: bool = True, secret: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {**OUTPUT, "secret": secret, "dependencies": [SPOKE_URN]}
    if known:
        found["value"] = value
    return found


def base(engine: Constructor) -> dict[str, Any]:
    return {
        "vpcId": engine.aws.network.vpc_id,
        "subnetIds": list(engine.aws.network.subnet_ids_by_az.values()),
    }


def spoke_vpc(engine: Constructor) -> str:
    vpc: str = engine.aws.ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    for attribute in ("EnableDnsSupport", "EnableDnsHostnames"):
        engine.aws.ec2.modify_vpc_attribute(VpcId=vpc, **{attribute: {"Value": True}})
    return vpc


def test_the_provider_asks_the_engine_for_output_values() -> None:
    import asyncio

    answer = asyncio.run(
        RocksetProvider("127.0.0.1:1").configure(ConfigureRequest({}, {}, True, True))
    )
    assert answer.accept_outputs is True
    assert answer.accept_secrets is True


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_shared_vpc_ids_take_another_resources_output_per_item(preview: bool) -> None:
    with constructor(preview=preview) as engine:
        spoke = spoke_vpc(engine)
        item = output(known=False) if preview else output(spoke)
        built = engine.construct(
            {**base(engine), "dns": "hosted_zone", "sharedVpcIds": [item]}, preview=preview
        )
        association = engine.registration("rockset-shared-vpc-0")
    # The association waits for the spoke, as it would in a Python program.
    assert SPOKE_URN in association.dependencies
    if not preview:
        assert association.object["vpcId"] == spoke
        assert built.state["resolvingVpcIds"] == [engine.aws.network.vpc_id, spoke]


def test_shared_vpc_ids_as_one_known_output_are_taken_item_by_item() -> None:
    with constructor() as engine:
        spoke = spoke_vpc(engine)
        built = engine.construct(
            {**base(engine), "dns": "hosted_zone", "sharedVpcIds": output([spoke])}
        )
        association = engine.registration("rockset-shared-vpc-0")
    assert SPOKE_URN in association.dependencies
    assert built.state["resolvingVpcIds"][1] == spoke


def test_a_list_whose_length_is_unknown_is_refused_saying_what_to_write() -> None:
    with constructor(preview=True) as engine, pytest.raises(Refused) as err:
        engine.construct(
            {**base(engine), "dns": "hosted_zone", "sharedVpcIds": output(known=False)},
            preview=True,
        )
    [(path, message)] = err.value.properties
    assert path == "sharedVpcIds"
    assert message == (
        "Cannot create the PrivateLink: sharedVpcIds is <not known before deployment>. Write "
        "the list out in the program: its items may be other resources' outputs, but how many "
        "there are must be known before deployment (each one is a resource of its own)."
    )


def test_a_plain_input_unknown_at_preview_is_refused_by_name() -> None:
    with constructor(preview=True) as engine, pytest.raises(Refused) as err:
        engine.construct({**base(engine), "lockdown": UNKNOWN}, preview=True)
    [(path, message)] = err.value.properties
    assert path == "lockdown"
    assert "lockdown is <not known before deployment>. Pass a value known before" in message


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_inputs_that_are_not_plain_take_whole_outputs_secrets_and_unknowns(
    preview: bool,
) -> None:
    with constructor(preview=preview) as engine:
        subnets = list(engine.aws.network.subnet_ids_by_az.values())
        engine.construct(
            {
                "vpcId": output(engine.aws.network.vpc_id, known=not preview),
                "subnetIds": output(subnets, known=not preview),
                "allowedSecurityGroupIds": [output(known=False)] if preview else [],
                "apiKey": {**SECRET, "value": KEY},
                "checks": False,
            },
            preview=preview,
        )
        endpoint = engine.registration("rockset-endpoint")
    assert SPOKE_URN in endpoint.dependencies


def test_a_secret_admin_cidr_stays_secret_in_the_allowlist_and_the_outputs() -> None:
    with constructor() as engine:
        built = engine.construct(
            {
                **base(engine),
                "apiKey": {**SECRET, "value": KEY},
                "lockdown": True,
                "adminCidrs": {"office": {**SECRET, "value": OFFICE["office"]}},
                "publicUrl": "https://api.example.com",
                "privatelinkUrl": "https://privatelink.example.com",
            }
        )
        allowlist = engine.registration("rockset-allowlist")
    entries = allowlist.object["entries"]
    assert entries[SIG] == SECRET[SIG]
    assert "liveEntries" in allowlist.additionalSecretOutputs
    assert built.secret("allowlistEntries")
    shown = {k: v for k, v in built.state.items() if not built.secret(k)}
    assert OFFICE["office"] not in str(shown)


@pytest.mark.parametrize("name", ["dns", "probe", "lockdown", "checks", "checkTimeout", "tags"])
def test_null_is_unset_on_both_paths(name: str) -> None:
    # What a Python program passes when it forwards an optional value it does not have.
    nulled: dict[str, Any] = {snake(name): None}
    python = resolve_args(
        PrivateLinkArgs("vpc-0123456789abcdef0", ["subnet-0123456789abcdef0"], **nulled)
    )
    assert python == resolve_args(
        PrivateLinkArgs("vpc-0123456789abcdef0", ["subnet-0123456789abcdef0"])
    )
    told: list[tuple[bool, dict[str, Any], list[str]]] = []
    for given in ({name: None}, {}):
        with constructor() as engine:
            built = engine.construct({**base(engine), **given})
            endpoint = engine.registration("rockset-endpoint").object
            children = sorted(r.type for r in engine.monitor.registrations)
        told.append((endpoint["privateDnsEnabled"], dict(endpoint["tags"]), children))
        assert "lockdownStatus" not in built.state
    assert told[0] == told[1]
    assert told[0][0] is True
