"""The cost estimate: per AZ-hour, times zones, plus tiered data processing."""

from __future__ import annotations

import pytest

from rockset_pulumi.pricing import HOURLY_PER_AZ_USD, estimate_monthly_cost

THREE_ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_hours_are_billed_per_zone() -> None:
    # One endpoint in 3 AZs in us-east-1: 3 x $0.01 x 730 h.
    estimate = estimate_monthly_cost("us-east-1", THREE_ZONES)
    assert estimate is not None
    assert estimate.zones == 3
    assert estimate.endpoint_hours == pytest.approx(21.90)
    assert estimate.total == pytest.approx(21.90)
    assert estimate.price_confirmed is True


def test_data_is_tiered_over_the_month() -> None:
    estimate = estimate_monthly_cost("us-east-1", ["us-east-1a"], data_gb_per_month=2_000_000)
    assert estimate is not None
    # 1 PB at $0.01, then 1 PB at $0.006.
    assert estimate.data_processing == pytest.approx(10_000 + 6_000)
    assert estimate.total == pytest.approx(16_000 + 7.30)


def test_unconfirmed_prices_say_so_and_an_override_wins() -> None:
    guessed = estimate_monthly_cost("eu-west-1", ["eu-west-1a"])
    assert guessed is not None
    assert guessed.price_confirmed is False
    assert guessed.hourly_per_az == HOURLY_PER_AZ_USD["eu-west-1"]
    given = estimate_monthly_cost("eu-west-1", ["eu-west-1a"], price_per_az_hour=0.02)
    assert given is not None
    assert given.price_confirmed is True
    assert given.endpoint_hours == pytest.approx(14.60)


def test_unknown_region_without_a_price_has_no_estimate() -> None:
    assert estimate_monthly_cost("ap-south-1", ["ap-south-1a"]) is None
    assert estimate_monthly_cost("ap-south-1", ["ap-south-1a"], price_per_az_hour=0.01) is not None
