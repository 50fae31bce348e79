"""The VPC endpoint services the double knows: Rockset's, and any named in the environment.

moto cannot register an endpoint service under a chosen name (its ids are random), so Rockset's
real service names are answered from this catalog. Every service here is Rockset's, and behaves
as Rockset runs its services: only accounts on its allowed principals (the accounts Rockset has
registered, the guide's step 1) see it at all, and a connection becomes available only once
Rockset accepts it. Everything here is computed on each call, from the environment where
documented, so a later engine run with a different environment sees the change without any
stored state.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

__all__ = [
    "ACCEPTED_ACCOUNTS_ENV",
    "EXTRA_SERVICES_ENV",
    "REGISTERED_ACCOUNTS_ENV",
    "ROCKSET_ACCOUNT_ID",
    "ROCKSET_SERVICES",
    "Catalog",
    "EndpointService",
    "accepted_accounts_from_env",
    "endpoint_state",
    "registered_accounts_from_env",
]

ROCKSET_ACCOUNT_ID = "318212636800"
"""Stand-in owner account of Rockset's endpoint services (a fixed fake, not Rockset's real id)."""

MOTO_DEFAULT_ACCOUNT_ID = "123456789012"

REGISTERED_ACCOUNTS_ENV = "AWS_DOUBLE_REGISTERED_ACCOUNTS"
"""Comma-separated AWS accounts that see Rockset's services; unset means moto's default account."""

ACCEPTED_ACCOUNTS_ENV = "AWS_DOUBLE_ACCEPTED_ACCOUNTS"
"""Comma-separated AWS accounts whose endpoints Rockset has accepted; unset means every
registered account."""

EXTRA_SERVICES_ENV = "AWS_DOUBLE_EXTRA_SERVICES"
"""JSON `{service_name: {"availability_zones": [...], "private_dns_name": "..."}}`."""

_REGION_IN_NAME = re.compile(r"^com\.amazonaws\.(?:vpce\.)?([a-z]{2}(?:-[a-z]+)+-\d)\.")


@dataclass(frozen=True)
class EndpointService:
    """An interface endpoint service as DescribeVpcEndpointServices would report it."""

    service_name: str
    availability_zones: tuple[str, ...]
    private_dns_name: str | None
    acceptance_required: bool = True
    owner: str = ROCKSET_ACCOUNT_ID

    @property
    def region(self) -> str | None:
        match = _REGION_IN_NAME.match(self.service_name)
        return match.group(1) if match else None

    @property
    def dns_suffix(self) -> str:
        """What follows `vpce-<id>-<rand>.` in the endpoint's DNS names, as AWS forms them."""
        region = self.region
        if region is None:
            return self.service_name
        short = self.service_name.split(f".{region}.", 1)[1]
        return f"{short}.{region}.vpce.amazonaws.com"

    @property
    def id(self) -> str:
        return self.service_name.rsplit(".", 1)[-1]


def _rockset(region: str, svc_id: str, zones: str, cluster: str) -> EndpointService:
    return EndpointService(
        service_name=f"com.amazonaws.vpce.{region}.{svc_id}",
        availability_zones=tuple(f"{region}{zone}" for zone in zones),
        private_dns_name=f"privatelink.{cluster}.rockset.com",
    )


ROCKSET_SERVICES: Mapping[str, EndpointService] = {
    service.service_name: service
    for service in (
        # eu-central-1c is deliberately absent so that subnet filtering by AZ is exercised.
        _rockset("eu-central-1", "vpce-svc-02f409ce75f330219", "ab", "euc1a1"),
        _rockset("us-west-2", "vpce-svc-030e98de8dbf451c0", "abc", "usw2a1"),
        _rockset("us-east-1", "vpce-svc-00b38ed8b65eac319", "abcd", "use1a1"),
        _rockset("ap-southeast-2", "vpce-svc-0e87c1c5e53c17630", "ab", "apt2a1"),
        _rockset("eu-west-1", "vpce-svc-0a6d7db7c0b18f762", "abc", "euw1a1"),
    )
}


def _accounts(raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def registered_accounts_from_env() -> frozenset[str]:
    raw = os.environ.get(REGISTERED_ACCOUNTS_ENV)
    return frozenset({MOTO_DEFAULT_ACCOUNT_ID}) if raw is None else _accounts(raw)


def accepted_accounts_from_env(registered: Collection[str]) -> frozenset[str]:
    """`AWS_DOUBLE_ACCEPTED_ACCOUNTS`, else `registered`: by default Rockset accepts every
    connection from an account it registered."""
    raw = os.environ.get(ACCEPTED_ACCOUNTS_ENV)
    return frozenset(registered) if raw is None else _accounts(raw)


def _extra_services_from_env() -> dict[str, EndpointService]:
    raw = os.environ.get(EXTRA_SERVICES_ENV, "").strip()
    if not raw:
        return {}
    decoded = json.loads(raw)
    if not isinstance(decoded, dict):
        raise ValueError(f"{EXTRA_SERVICES_ENV} must be a JSON object keyed by service name")
    return {
        name: EndpointService(
            service_name=name,
            availability_zones=tuple(spec["availability_zones"]),
            private_dns_name=spec.get("private_dns_name"),
            acceptance_required=bool(spec.get("acceptance_required", True)),
        )
        for name, spec in decoded.items()
    }


class Catalog:
    """Known endpoint services plus those named in `AWS_DOUBLE_EXTRA_SERVICES` (read per call)."""

    def __init__(self, services: Mapping[str, EndpointService] = ROCKSET_SERVICES) -> None:
        self._services = dict(services)

    def lookup(self, service_name: str, region: str) -> EndpointService | None:
        """The service as seen from `region`: like AWS, other regions' services are invisible."""
        service = _extra_services_from_env().get(service_name) or self._services.get(service_name)
        if service is None or service.region not in (None, region):
            return None
        return service


def endpoint_state(service: EndpointService, owner_account: str, accepted: Collection[str]) -> str:
    """A connection to a service that requires acceptance waits until its owner accepts it."""
    if not service.acceptance_required or owner_account in accepted:
        return "available"
    return "pendingAcceptance"
