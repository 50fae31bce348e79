"""The check resources' one declaration: the property names existing stacks' state holds, and
what both hosts' resources make of a constructor call."""

from __future__ import annotations

from typing import Any

import pytest

from rockset_pulumi.api import RocksetApi
from rockset_pulumi.check_resources import ALLOWLIST, CHECK_KINDS, CONNECTIVITY, LOCKDOWN
from rockset_pulumi.lifecycle import LIFECYCLES

API = {"public_url": "https://p", "privatelink_url": "https://pl", "api_key": "k"}


def test_the_declared_property_names_are_those_in_existing_state() -> None:
    # Read off the constructors' keywords and the Output attributes: renaming one of those
    # renames a property in every stack's state, which this pins.
    assert CONNECTIVITY.inputs == (
        "timeout",
        "public_may_refuse_key",
        "dns_expectation",
        "endpoint_id",
        "triggers",
        "owner",
    )
    assert CONNECTIVITY.outputs == ("public", "privatelink", "checked_at")
    assert ALLOWLIST.inputs == ("entries", "verified_at", "owner")
    assert ALLOWLIST.outputs == ("live_entries", "adopted", "owner_mark", "generation")
    # Stacks of earlier releases also hold admin_cidrs, which is no input now (no change), and
    # lack the connectivity check's owner and step 5's owner_mark (no change either).
    assert LOCKDOWN.inputs == ("timeout", "allowlist", "triggers", "owner_mark")
    assert LOCKDOWN.outputs == ("status",)


def test_each_lifecycle_serves_its_declared_kind() -> None:
    assert list(LIFECYCLES) == [kind.name for kind in CHECK_KINDS]
    for kind in CHECK_KINDS:
        lifecycle = LIFECYCLES[kind.name]
        assert lifecycle.inputs == (*RocksetApi.PROPS, *kind.inputs)
        assert lifecycle.outputs == kind.outputs


def test_properties_are_the_apis_the_inputs_and_the_outputs_to_come() -> None:
    values: dict[str, Any] = {"entries": {"office": "10.0.0.0/8"}, "verified_at": "t", "owner": "o"}
    assert ALLOWLIST.properties(API, values) == {
        **API,
        **values,
        "live_entries": None,
        "adopted": None,
        "owner_mark": None,
        "generation": None,
    }


def test_a_missing_or_unexpected_input_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"missing \['triggers'\], unexpected \['trigger'\]"):
        LOCKDOWN.properties(
            API, {"timeout": 1.0, "allowlist": {}, "owner_mark": "m", "trigger": ["1"]}
        )
