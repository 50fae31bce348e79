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
    "WatchCost",
    "compare_with_endpoint_per_vpc",
    "estimate_monthly_cost",
    "estimate_watch_cost",
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


LAMBDA_PER_MILLION_REQUESTS_USD = 0.20
LAMBDA_PER_GB_SECOND_USD = 0.0000166667
SECRET_MONTHLY_USD = 0.40
SECRETS_PER_10K_CALLS_USD = 0.05
CUSTOM_METRIC_MONTHLY_USD = 0.30
ALARM_MONTHLY_USD = 0.10
"""A standard-resolution alarm on one metric."""
PUT_METRIC_DATA_PER_1K_USD = 0.01
LOGS_PER_GB_USD = 0.50
_DAYS_PER_MONTH = HOURS_PER_MONTH / 24


@dataclass(frozen=True)
class WatchCost:
    """A month of the watch, in USD, before free tiers (Lambda's covers its part)."""

    runs: float
    lambda_usd: float
    secret_usd: float
    metrics_usd: float
    alarm_usd: float
    logs_usd: float
    total: float

    def as_output(self) -> dict[str, Any]:
        return asdict(self)


def estimate_watch_cost(
    runs_per_day: float, *, metrics: int, seconds_per_run: float = 2.0, memory_mb: int = 128
) -> WatchCost:
    """The watcher's month: each run is one Lambda invocation of ``seconds_per_run`` (at most,
    a cold start included), one secret read, one PutMetricData and a log line of ~300 bytes."""
    runs = runs_per_day * _DAYS_PER_MONTH
    compute = runs * seconds_per_run * memory_mb / 1024 * LAMBDA_PER_GB_SECOND_USD
    invoking = runs / 1e6 * LAMBDA_PER_MILLION_REQUESTS_USD
    secret = SECRET_MONTHLY_USD + runs / 1e4 * SECRETS_PER_10K_CALLS_USD
    metric = metrics * CUSTOM_METRIC_MONTHLY_USD + runs / 1e3 * PUT_METRIC_DATA_PER_1K_USD
    logs = runs * 300 / 1e9 * LOGS_PER_GB_USD
    return WatchCost(
        runs=round(runs, 1),
        lambda_usd=round(compute + invoking, 4),
        secret_usd=round(secret, 4),
        metrics_usd=round(metric, 4),
        alarm_usd=ALARM_MONTHLY_USD,
        logs_usd=round(logs, 4),
        total=round(compute + invoking + secret + metric + ALARM_MONTHLY_USD + logs, 2),
    )
