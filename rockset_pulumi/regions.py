"""Rockset's AWS regions: the cluster, API hosts and VPC endpoint service of each.

Service names are the ones Rockset's PrivateLink guide lists. Clusters and hosts come from Rockset's
OpenAPI spec and docs; where no source states one outright it is marked in ``inferred`` and the
component lets the user override it (``service_name``, ``public_url``, ``privatelink_url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import ConfigurationError

__all__ = ["REGIONS", "RocksetRegion", "lookup_region"]


@dataclass(frozen=True)
class RocksetRegion:
    """Where Rockset serves one AWS region."""

    aws_region: str
    """The AWS region name, e.g. ``eu-central-1``."""
    display_name: str
    """The name Rockset's guide uses, e.g. ``Frankfurt``."""
    cluster: str
    """Rockset's cluster id in the region, e.g. ``euc1a1``."""
    service_name: str
    """The VPC endpoint service to connect to, from Rockset's guide."""
    api_url: str
    """The public API endpoint."""
    privatelink_url: str
    """The API endpoint reached through PrivateLink (resolves only inside the VPC)."""
    inferred: frozenset[str] = field(default_factory=frozenset)
    """Fields that no Rockset source states outright; override them if Rockset says otherwise."""


def _region(
    aws_region: str, display_name: str, cluster: str, service_id: str, *inferred: str
) -> RocksetRegion:
    return RocksetRegion(
        aws_region=aws_region,
        display_name=display_name,
        cluster=cluster,
        service_name=f"com.amazonaws.vpce.{aws_region}.{service_id}",
        api_url=f"https://api.{cluster}.rockset.com",
        privatelink_url=f"https://privatelink.{cluster}.rockset.com",
        inferred=frozenset(inferred),
    )


REGIONS: Mapping[str, RocksetRegion] = MappingProxyType(
    {
        r.aws_region: r
        for r in (
            _region("eu-central-1", "Frankfurt", "euc1a1", "vpce-svc-02f409ce75f330219"),
            _region(
                "us-west-2", "Oregon", "usw2a1", "vpce-svc-030e98de8dbf451c0", "privatelink_url"
            ),
            _region(
                "us-east-1",
                "N. Virginia",
                "use1a1",
                "vpce-svc-00b38ed8b65eac319",
                "privatelink_url",
            ),
            _region(
                "ap-southeast-2",
                "Sydney",
                "apt2a1",
                "vpce-svc-0e87c1c5e53c17630",
                "cluster",
                "api_url",
                "privatelink_url",
            ),
            _region(
                "eu-west-1",
                "Dublin",
                "euw1a1",
                "vpce-svc-0a6d7db7c0b18f762",
                "cluster",
                "api_url",
                "privatelink_url",
            ),
        )
    }
)
"""Rockset's regions keyed by AWS region name."""


def lookup_region(aws_region: str) -> RocksetRegion:
    """Return Rockset's entry for ``aws_region``.

    Raises :class:`ConfigurationError` naming the region and the supported ones.
    """
    try:
        return REGIONS[aws_region]
    except KeyError:
        supported = ", ".join(sorted(REGIONS))
        raise ConfigurationError(
            f"Cannot use region {aws_region!r}: Rockset's PrivateLink guide has no endpoint "
            f"service there (supported: {supported}). Pick one of those regions, or pass "
            "service_name, public_url and privatelink_url for a region Rockset has added since."
        ) from None
