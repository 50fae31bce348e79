"""Where Rockset is, per AWS region: the cluster, API hosts and VPC endpoint service of each.

The one home of the region table and of the resolution of a stack's hosts: :func:`resolve_hosts`
applies the user's overrides (``service_name``, ``public_url``, ``privatelink_url``) to the
table's entry. Service names are the ones Rockset's PrivateLink guide lists. Clusters and hosts
come from Rockset's OpenAPI spec and docs; where no source states one outright it is marked in
``inferred``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = [
    "REGIONS",
    "HostOverrides",
    "RocksetHosts",
    "RocksetRegion",
    "lookup_region",
    "resolve_hosts",
]


@dataclass(frozen=True)
class RocksetRegion:
    """Where Rockset serves one AWS region."""

    aws_region: str
    """The AWS region name, e.g. ``eu-central-1``."""
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


def _region(aws_region: str, cluster: str, service_id: str, *inferred: str) -> RocksetRegion:
    return RocksetRegion(
        aws_region=aws_region,
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
            _region("eu-central-1", "euc1a1", "vpce-svc-02f409ce75f330219"),
            _region("us-west-2", "usw2a1", "vpce-svc-030e98de8dbf451c0", "privatelink_url"),
            _region(
                "us-east-1",
                "use1a1",
                "vpce-svc-00b38ed8b65eac319",
                "privatelink_url",
            ),
            _region(
                "ap-southeast-2",
                "apt2a1",
                "vpce-svc-0e87c1c5e53c17630",
                "cluster",
                "api_url",
                "privatelink_url",
            ),
            _region(
                "eu-west-1",
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
        fix = (
            "Pick one of those regions, or pass service_name, public_url and privatelink_url for "
            "a region Rockset has added since."
        )
        raise ConfigurationError(
            f"Cannot use region {aws_region!r}: Rockset's PrivateLink guide has no endpoint "
            f"service there (supported: {supported}). {fix}",
            path=("region",),
            shown_value=aws_region,
            fix=fix,
            action="use the region",
        ) from None


@dataclass(frozen=True)
class HostOverrides:
    """What the user gave instead of the region table's values (None where nothing was given)."""

    service_name: str | None = None
    public_url: str | None = None
    privatelink_url: str | None = None


@dataclass(frozen=True)
class RocksetHosts:
    """The endpoint service and API URLs one stack uses, overrides applied."""

    service_name: str
    public_url: str
    privatelink_url: str


def resolve_hosts(aws_region: str, overrides: HostOverrides) -> RocksetHosts:
    """The region table's entry for ``aws_region`` with ``overrides`` applied.

    A region outside the table needs all three overrides; otherwise raises
    :class:`ConfigurationError` as :func:`lookup_region` does.
    """
    service, public, private = (
        overrides.service_name,
        overrides.public_url,
        overrides.privatelink_url,
    )
    if service and public and private:
        hosts = RocksetHosts(service, public, private)
    else:
        entry = lookup_region(aws_region)
        hosts = RocksetHosts(
            service_name=service or entry.service_name,
            public_url=public or entry.api_url,
            privatelink_url=private or entry.privatelink_url,
        )
    if _origin(hosts.public_url) == _origin(hosts.privatelink_url):
        # Lockdown would then refuse the key on the only path the checks and destroy use.
        fix = (
            "Pass the PrivateLink host (https://privatelink.<cluster>.rockset.com) for "
            "privatelink_url."
        )
        raise ConfigurationError(
            f"Cannot create the PrivateLink: privatelink_url is {hosts.privatelink_url!r}, the "
            f"same endpoint as public_url ({hosts.public_url!r}). {fix}",
            path=("privatelink_url",),
            shown_value=hosts.privatelink_url,
            fix=fix,
        )
    return hosts


def _origin(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host, parts.port or 443
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address), parts.port or 443
