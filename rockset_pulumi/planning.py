"""Where the endpoint goes: subnet filtering by supported zone, DNS preflight, ingress sources.

Pure functions over what the AWS look-ups returned, so every rule is testable without Pulumi.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ConfigurationError

__all__ = ["EndpointPlan", "SkippedSubnet", "SubnetInfo", "VpcInfo", "plan_endpoint"]


@dataclass(frozen=True)
class VpcInfo:
    """What the component needs to know of the VPC."""

    id: str
    cidr_block: str
    enable_dns_support: bool
    enable_dns_hostnames: bool


@dataclass(frozen=True)
class SubnetInfo:
    """A subnet the user passed, as AWS describes it."""

    id: str
    availability_zone: str
    vpc_id: str


@dataclass(frozen=True)
class SkippedSubnet:
    """A subnet left out of the endpoint, and why."""

    subnet_id: str
    availability_zone: str
    reason: str


@dataclass(frozen=True)
class EndpointPlan:
    """The endpoint's placement and its security group's sources."""

    subnet_ids: tuple[str, ...]
    availability_zones: tuple[str, ...]
    skipped: tuple[SkippedSubnet, ...]
    ingress_cidrs: tuple[str, ...]
    ingress_security_group_ids: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    """What a preview found wrong but ``pulumi up`` may find fixed (see ``plan_endpoint``)."""
    vpc: VpcInfo | None = None
    """The endpoint's VPC as the look-up found it."""
    private_dns_name: str | None = None
    """The service's private DNS name (Rockset's PrivateLink host), which the endpoint's private
    DNS or the shared hosted zone answers; None where the service has none."""


def _dns_off(vpc: VpcInfo) -> list[str]:
    return [
        attribute
        for attribute, enabled in (
            ("enableDnsSupport", vpc.enable_dns_support),
            ("enableDnsHostnames", vpc.enable_dns_hostnames),
        )
        if not enabled
    ]


def _dns_error(vpc: VpcInfo, attribute: str) -> ConfigurationError:
    return ConfigurationError(
        f"Cannot create the endpoint: VPC {vpc.id} has {attribute} turned off, and the "
        "endpoint's private DNS name (which Rockset's guide requires) needs it on. Turn "
        f"it on (aws.ec2.Vpc(..., {_snake(attribute)}=True), or `aws ec2 "
        f"modify-vpc-attribute --vpc-id {vpc.id} --{_kebab(attribute)}`) and run again."
    )


def _dns_warning(vpc: VpcInfo, off: Sequence[str]) -> str:
    them = "it" if len(off) == 1 else "them"
    return (
        f"VPC {vpc.id} has {' and '.join(off)} turned off for now; the endpoint's private DNS "
        f"name needs enableDnsSupport and enableDnsHostnames on. If this update turns {them} on, "
        "`pulumi up` goes ahead; if not, it stops before creating the endpoint."
    )


def _snake(camel: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)


def _kebab(camel: str) -> str:
    return _snake(camel).replace("_", "-")


def plan_endpoint(
    *,
    service_name: str,
    service_zones: Sequence[str],
    vpc: VpcInfo,
    subnets: Sequence[SubnetInfo],
    allowed_cidrs: Sequence[str],
    allowed_security_group_ids: Sequence[str],
    vpc_may_change: bool = False,
    private_dns_name: str | None = None,
) -> EndpointPlan:
    """Choose the endpoint's subnets and its ingress CIDRs.

    Keeps subnets in zones the service serves, at most one per zone (the first one given), as
    AWS allows one endpoint interface per zone. Raises :class:`ConfigurationError` when the VPC's
    DNS attributes are off, a subnet is in another VPC, or no subnet remains.

    ``vpc_may_change`` says that ``vpc`` was read before the deployment may change it (a preview
    of a program that manages the VPC): DNS attributes that are off are then only a warning in
    the plan, since the program may be turning them on, and ``pulumi up`` checks them again.
    """
    dns_off = _dns_off(vpc)
    if dns_off and not vpc_may_change:
        raise _dns_error(vpc, dns_off[0])
    if not subnets:
        raise ConfigurationError(
            "Cannot create the endpoint: subnet_ids is []. Pass at least one subnet of "
            f"{vpc.id}, ideally one per availability zone."
        )
    supported = sorted(set(service_zones))
    served = ", ".join(supported) or "no zone"
    kept: dict[str, str] = {}
    skipped: list[SkippedSubnet] = []
    for subnet in subnets:
        if subnet.vpc_id != vpc.id:
            raise ConfigurationError(
                f"Cannot create the endpoint: subnet {subnet.id} is in VPC {subnet.vpc_id}, not "
                f"in vpc_id {vpc.id}. Pass subnets of {vpc.id}."
            )
        zone = subnet.availability_zone
        if zone not in supported:
            skipped.append(
                SkippedSubnet(
                    subnet.id,
                    zone,
                    f"{zone} is not served by {service_name} (it serves {served})",
                )
            )
        elif zone in kept:
            skipped.append(
                SkippedSubnet(
                    subnet.id,
                    zone,
                    f"{kept[zone]} already places the endpoint in {zone} (one subnet per zone)",
                )
            )
        else:
            kept[zone] = subnet.id
    if not kept:
        given = ", ".join(f"{s.id} ({s.availability_zone})" for s in subnets)
        raise ConfigurationError(
            f"Cannot create the endpoint: none of subnet_ids is in a zone that {service_name} "
            f"serves. Given: {given}; it serves {served}. Pass a subnet in one of those zones."
        )
    ingress = tuple(allowed_cidrs)
    if not ingress and not allowed_security_group_ids:
        ingress = (vpc.cidr_block,)
    return EndpointPlan(
        subnet_ids=tuple(kept.values()),
        availability_zones=tuple(sorted(kept)),
        skipped=tuple(skipped),
        ingress_cidrs=ingress,
        ingress_security_group_ids=tuple(allowed_security_group_ids),
        warnings=(_dns_warning(vpc, dns_off),) if dns_off else (),
        vpc=vpc,
        private_dns_name=private_dns_name or None,
    )
