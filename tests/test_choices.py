"""A closed set of words is its ``Literal``'s values, each with a meaning: none missing, none
added, and a wrong value is told what to pass in those words."""

from __future__ import annotations

from typing import Literal

import pytest

from rockset_pulumi.choices import Choices

Mode = Literal["a", "b_c"]


def test_choices_keep_the_literals_order_and_tell_the_fix_in_their_meanings() -> None:
    choices = Choices.of(Mode, b_c="the second", a="the first")
    assert choices.values == ("a", "b_c")
    assert choices.fix() == 'Pass "a" (the first) or "b_c" (the second).'


@pytest.mark.parametrize(
    "meanings",
    [{"a": "first"}, {"a": "first", "b_c": "second", "d": "third"}],
    ids=["missing", "extra"],
)
def test_meanings_that_are_not_the_literals_values_are_refused(meanings: dict[str, str]) -> None:
    with pytest.raises(TypeError, match="are not those of"):
        Choices.of(Mode, **meanings)


def test_only_a_literal_of_strings_has_choices() -> None:
    with pytest.raises(TypeError, match="not a Literal of strings"):
        Choices.of(str, a="first", b="second")
