"""The plugin's schema says what the code knows: each input's default, the enums of ``probe`` and
``dns`` with each value's meaning, descriptions in the schema's names, and the metadata a
published Pulumi package carries."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any, get_args

import pytest

from devtools.docs import FieldDoc
from devtools.projects import REPO
from devtools.schema import ENUMS, NOT_OFFERED, SCHEMA_FILE, constant_default, property_names
from rockset_pulumi.args import PROBES, PrivateLinkArgs, Probe, resolve_args
from rockset_pulumi.plugin.naming import camel, snake
from rockset_pulumi.sharing import DNS_MODES, DnsMode
from rockset_pulumi.tokens import COMPONENT_TOKEN, FORMER_COMPONENT_TOKEN

SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
INPUTS: dict[str, Any] = SCHEMA["resources"][COMPONENT_TOKEN]["inputProperties"]
OFFERED = [f for f in dataclasses.fields(PrivateLinkArgs) if f.name not in NOT_OFFERED]


def descriptions(value: object, where: str = "") -> Iterator[tuple[str, str]]:
    """Every description in a part of the schema, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "description" and isinstance(item, str):
                yield where, item
            else:
                yield from descriptions(item, f"{where}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from descriptions(item, f"{where}/{i}")


def test_every_optional_input_declares_the_default_the_component_resolves() -> None:
    resolved = resolve_args(PrivateLinkArgs("vpc-0123456789abcdef0", ["subnet-0123456789abcdef0"]))
    # What a program that leaves them out gets, read from the resolved arguments.
    assert {name: spec["default"] for name, spec in INPUTS.items() if "default" in spec} == {
        "lockdown": resolved.lockdown,
        "checkTimeout": resolved.check_timeout,
        "probe": resolved.probe,
        "expectedGbPerMonth": resolved.expected_gb_per_month,
        "dns": resolved.sharing.dns,
    }
    assert (resolved.lockdown, resolved.check_timeout, resolved.probe) == (False, 900, "runner")
    for field in OFFERED:
        spec = INPUTS[camel(field.name)]
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            assert "default" not in spec
        elif "default" not in spec:
            # No constant the schema can hold: none, empty, or decided by other inputs (checks).
            assert field.default in (None, (), dataclasses.MISSING), field.name
            assert "Default: " in spec["description"]


def test_a_docstring_whose_default_is_not_the_fields_is_refused() -> None:
    stated = FieldDoc("check_timeout", "float", "600", "Seconds.")
    with pytest.raises(ValueError, match="check_timeout: its docstring's default '600'"):
        constant_default(stated, 900.0)
    assert constant_default(FieldDoc("lockdown", "bool", "False", "Lock."), False) == {
        "default": False
    }


@pytest.mark.parametrize(
    ("name", "alias", "choices"), [("probe", Probe, PROBES), ("dns", DnsMode, DNS_MODES)]
)
def test_probe_and_dns_are_enums_of_their_literal_values_each_described(
    name: str, alias: object, choices: Any
) -> None:
    token = INPUTS[name]["$ref"].removeprefix("#/types/")
    enum = SCHEMA["types"][token]
    assert enum["type"] == "string"
    assert [v["value"] for v in enum["enum"]] == list(get_args(alias))
    for value in enum["enum"]:
        meaning = choices.meanings[value["value"]]
        assert value["description"] == meaning[:1].upper() + meaning[1:] + "."
        assert value["name"] == camel(value["value"])[:1].upper() + camel(value["value"])[1:]
    assert INPUTS[name]["plain"] is True
    assert token.rsplit(":", 1)[1] in {t for t, _, _ in ENUMS.values()}


def test_descriptions_use_the_schemas_names_and_render_as_markdown() -> None:
    renamed = {snake(n) for n in property_names(SCHEMA)} | {f.name for f in OFFERED}
    python_names = {n for n in renamed if "_" in n} | set(NOT_OFFERED)
    word = re.compile(r"(?<![\w'\"])(" + "|".join(map(re.escape, python_names)) + r")(?![\w'\"])")
    found = list(descriptions(SCHEMA))
    assert len(found) > 60
    for where, text in found:
        assert not word.search(text), f"{where}: {text}"
        assert not re.search(r"\b(True|False|None)\b", text), f"{where}: {text}"
        # reST left over (``x``, :mod:`x`) would show its markup in the SDKs' docs.
        assert "``" not in text and not re.search(r":[a-z]+:`", text), f"{where}: {text}"
        assert text.count("`") % 2 == 0, f"{where}: an unclosed code span: {text}"


def test_the_package_carries_a_published_packages_metadata() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert SCHEMA["displayName"] == "Rockset PrivateLink"
    assert SCHEMA["publisher"] == "rockset-pulumi"
    assert SCHEMA["repository"] == SCHEMA["homepage"]
    assert SCHEMA["repository"] == "https://github.com/rockset-pulumi/rockset-pulumi"
    assert f'license = "{SCHEMA["license"]}"' in pyproject
    assert any(k.startswith("category/") for k in SCHEMA["keywords"])
    assert "kind/component" in SCHEMA["keywords"]
    # No logo is shipped, so none is named.
    assert "logoUrl" not in SCHEMA
    assert SCHEMA["language"]["nodejs"]["packageName"] == "@rockset-pulumi/rockset"
    assert SCHEMA["language"]["go"]["importBasePath"].endswith("/sdk/go/rockset")
    assert SCHEMA["language"]["csharp"]["rootNamespace"] == "RocksetPulumi"
    assert SCHEMA["language"]["java"]["basePackage"] == "io.github.rocksetpulumi"
    # Python programs use this distribution itself, and are told so.
    assert "python" not in SCHEMA["language"]
    assert "`rockset-pulumi` package" in SCHEMA["description"]
    assert "rockset_pulumi.PrivateLink" in (REPO / "docs" / "languages.md").read_text(
        encoding="utf-8"
    )


def test_the_component_keeps_its_former_token_as_an_alias() -> None:
    component = SCHEMA["resources"][COMPONENT_TOKEN]
    assert component["aliases"] == [{"type": FORMER_COMPONENT_TOKEN}]
