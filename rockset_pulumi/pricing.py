"""What the endpoint costs in AWS: the guide warns that PrivateLink is billed per AZ per hour.

AWS bills an interface endpoint per availability zone per hour (whether or not the vendor has
accepted it), plus the data it processes, tiered over the whole region. Prices change and two
regions' are not confirmed, so the table is overridable (``price_per_az_hour``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any

__all__ = [
    "HOSTED_ZONE_MONTHLY_USD",
    "HOURLY_PER_AZ_USD",
    "HOURS_PER_MONTH",
    "UNCONFIRMED_PRICES",
    "CostEstimate",
    "SharingComparison",
    "compare_with_endpoint_per_vpc",
    "estimate_monthly_cost",
]

HOURS_PER_MONTH = 730
"""AWS's convention for a month of hours."""

HOURLY_PER_AZ_USD: Mapping[str, float] = MappingProxyType(
    {
        "us-east-1": 0.01,
        "us-west-2": 0.01,
        "eu-central-1": 0.012,
        "eu-west-1": 0.011,
        "ap-southeast-2": 0.013,
    }
)
"""USD per endpoint per AZ-hour, by region."""

HOSTED_ZONE_MONTHLY_USD = 0.50
"""Route 53's monthly charge for one hosted zone (of an account's first 25). Alias queries to a
VPC interface endpoint are free."""

UNCONFIRMED_PRICES = frozenset({"eu-west-1", "ap-southeast-2"})
"""Regions whose hourly price above is an estimate, not a confirmed list price."""

# Data processed, per GB, tiered over the month: first 1 PB, next 4 PB, then the rest.
_DATA_TIERS: tuple[tuple[float, float], ...] = (
    (1_000_000.0, 0.01),
    (4_000_000.0, 0.006),
    (float("inf"), 0.004),
)


@dataclass(frozen=True)
class CostEstimate:
    """A month of one endpoint, in USD."""

    region: str
    zones: int
    hourly_per_az: float
    endpoint_hours: float
    data_gb: float
    data_processing: float
    total: float
    price_confirmed: bool

    def as_output(self) -> dict[str, Any]:
        return asdict(self)


def _data_cost(gb: float) -> float:
    cost, remaining = 0.0, gb
    for tier_gb, per_gb in _DATA_TIERS:
        used = min(remaining, tier_gb)
        cost += used * per_gb
        remaining -= used
        if remaining <= 0:
            break
    return cost


def estimate_monthly_cost(
    region: str,
    zones: Sequence[str],
    *,
    data_gb_per_month: float = 0.0,
    price_per_az_hour: float | None = None,
) -> CostEstimate | None:
    """Monthly cost of one interface endpoint in ``zones``; None when the region's price is
    unknown and none was given."""
    hourly = price_per_az_hour if price_per_az_hour is not None else HOURLY_PER_AZ_USD.get(region)
    if hourly is None:
        return None
    endpoint_hours = len(zones) * hourly * HOURS_PER_MONTH
    data = _data_cost(data_gb_per_month)
    return CostEstimate(
        region=region,
        zones=len(zones),
        hourly_per_az=hourly,
        endpoint_hours=round(endpoint_hours, 2),
        data_gb=data_gb_per_month,
        data_processing=round(data, 2),
        total=round(endpoint_hours + data, 2),
        price_confirmed=price_per_az_hour is not None or region not in UNCONFIRMED_PRICES,
    )


@dataclass(frozen=True)
class SharingComparison:
    """A month of one endpoint shared by ``vpcs`` VPCs through a private hosted zone, against one
    endpoint per VPC in the same zones, in USD. Data processing is the same either way (the same
    data, tiered over the region), so only the endpoint hours and the zone differ."""

    vpcs: int
    shared_total: float
    """The shared endpoint with its data, plus the hosted zone."""
    endpoint_per_vpc_total: float
    """``vpcs`` endpoints in the same zones, with the same data."""
    monthly_saving: float

    def as_output(self) -> dict[str, Any]:
        return asdict(self)


def compare_with_endpoint_per_vpc(estimate: CostEstimate, vpcs: int) -> SharingComparison:
    """What sharing ``estimate``'s endpoint with ``vpcs`` VPCs (its own included) saves a month.

    Traffic between the VPCs (Transit Gateway or peering) is billed on its own and is not here."""
    shared = estimate.total + HOSTED_ZONE_MONTHLY_USD
    separate = vpcs * estimate.endpoint_hours + estimate.data_processing
    return SharingComparison(
        vpcs=vpcs,
        shared_total=round(shared, 2),
        endpoint_per_vpc_total=round(separate, 2),
        monthly_saving=round(separate - shared, 2),
    )
