"""The example program's Pulumi.yaml defaults are the package's defaults, not a second opinion."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any

import yaml

from rockset_pulumi import PrivateLinkArgs
from rockset_pulumi.args import ResolvedArgs, resolve_args
from rockset_pulumi.regions import HostOverrides
from tests.support.emulator import REPO_ROOT

CONFIG: dict[str, dict[str, Any]] = yaml.safe_load(
    (REPO_ROOT / "Pulumi.yaml").read_text(encoding="utf-8")
)["config"]
FIELDS = {field.name for field in fields(PrivateLinkArgs)}


def snake_case(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def package_defaults() -> dict[str, object]:
    """Every field's value once resolve_args has filled the defaults, for the example's inputs.

    The example requires apiKey, so the defaults are taken with a key: that is what makes
    ``checks`` ("True when api_key is given") true there.
    """
    args = PrivateLinkArgs(
        vpc_id="vpc-0123abcd", subnet_ids=["subnet-0123abcd"], api_key="example-key"
    )
    resolved = resolve_args(args)
    values = {field.name: getattr(resolved, field.name) for field in fields(ResolvedArgs)}
    values |= {field.name: getattr(resolved.hosts, field.name) for field in fields(HostOverrides)}
    # Inputs resolve_args does not resolve (Pulumi Inputs) keep the dataclass default.
    return {name: values.get(name, getattr(args, name)) for name in FIELDS}


def as_package_value(value: object) -> object:
    """A Pulumi.yaml default as the package would hold it: the example reads "" as unset."""
    if value == "":
        return None
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(value)
    return value


def test_every_default_in_pulumi_yaml_is_an_argument() -> None:
    with_default = [key for key, spec in CONFIG.items() if "default" in spec]
    assert len(with_default) >= 10
    assert [key for key in with_default if snake_case(key) not in FIELDS] == []


def disagreements(config: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[object, object]]:
    """Pulumi.yaml key -> (its default, the package's) wherever the two differ."""
    package = package_defaults()
    return {
        key: (spec["default"], package[snake_case(key)])
        for key, spec in config.items()
        if "default" in spec
        and as_package_value(spec["default"]) != as_package_value(package[snake_case(key)])
    }


def test_pulumi_yaml_defaults_agree_with_the_package() -> None:
    assert disagreements(CONFIG) == {}


def test_a_default_changed_on_one_side_only_is_caught() -> None:
    changed = {
        "checkTimeout": 600,
        "lockdown": True,
        "serviceName": "com.example",
        "tags": {"a": "b"},
    }
    config = {
        key: {**spec, "default": changed.get(key, spec.get("default"))}
        for key, spec in CONFIG.items()
        if "default" in spec
    }
    assert set(disagreements(config)) == set(changed)


def test_checks_defaults_to_true_only_because_the_example_always_has_a_key() -> None:
    # Pulumi.yaml says `checks: true` outright while the package says "True when api_key is
    # given"; the two agree only as long as apiKey stays required in the example.
    assert "default" not in CONFIG["apiKey"]
    assert CONFIG["checks"]["default"] is True
    no_key = PrivateLinkArgs(vpc_id="vpc-0123abcd", subnet_ids=["subnet-0123abcd"])
    assert resolve_args(no_key).checks is False
