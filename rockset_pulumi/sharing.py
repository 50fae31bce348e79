"""One endpoint for many VPCs (``dns="hosted_zone"``): the shared VPCs' rules, pure.

- :class:`SharedVpc` and :func:`resolve_sharing`: the ``dns``, ``shared_vpc_ids`` and
  ``shared_vpcs`` arguments, validated before anything is registered;
- :func:`plan_zone`: the preflight over what the look-ups found (every associated VPC has DNS
  support and DNS hostnames on, none already resolves the name through another private zone,
  a cross-account VPC really is in another account), and the security group's extra sources;
- :func:`is_no_zone_found`: what ``aws.route53.get_zone`` answers when no zone matches.

Route 53 refuses a second private zone of the same name in one VPC (``ConflictingDomainExists``);
the preflight says so, naming the zone, before the endpoint or the zone is created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import pulumi

from . import validate
from .choices import Choices
from .errors import ConfigurationError, InputPath, python_name
from .planning import EndpointPlan, VpcInfo
from .text import shown

__all__ = [
    "DNS_MODES",
    "MAX_ZONE_VPCS",
    "NO_ZONE_FOUND",
    "OWNER_TAG",
    "ZONE_VPCS_SOURCE",
    "DnsMode",
    "FoundZone",
    "SharedVpc",
    "SharedVpcInfo",
    "Sharing",
    "ZonePlan",
    "is_no_zone_found",
    "plan_zone",
    "resolve_sharing",
    "share_ingress",
    "vpc_id_path",
]

DnsMode = Literal["endpoint", "hosted_zone"]
"""How callers resolve Rockset's PrivateLink name (see ``PrivateLinkArgs.dns``)."""
DNS_MODES = Choices.of(
    DnsMode,
    endpoint="private DNS on the endpoint, for its own VPC",
    hosted_zone="a Route 53 private hosted zone, for the endpoint's VPC and every shared VPC",
)

NO_ZONE_FOUND = "no matching Route 53 Hosted Zone found"
"""pulumi-aws's ``getZone`` error when no zone matches its filters (upstream's wording since the
AWS SDK v2 provider, pulumi-aws 6.38 and 7.x). Any other failure of the look-up is not "no zone"
and is reported as it is."""

OWNER_TAG = "rockset-pulumi:stack"
"""Tag on the private zone naming the stack that manages it (``<org>/<project>/<stack>``): a
zone already associated with a VPC is this stack's own, not a conflict, when it carries it."""

MAX_ZONE_VPCS = 300
"""VPCs that Route 53 associates with one private hosted zone (the endpoint's own VPC counted):
the default of its quota "Amazon VPCs that you can associate with a private hosted zone (per
hosted zone)" (:data:`ZONE_VPCS_SOURCE`). The quota can be raised on request, per account; this
component keeps to the default, which every new zone starts with."""

ZONE_VPCS_SOURCE = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html"
"""Amazon Route 53 Developer Guide, "Quotas", quotas on hosted zones."""

_VPC_ID_EXAMPLE = "vpc-0123456789abcdef0"


@dataclass(frozen=True)
class SharedVpc:
    """A VPC that resolves Rockset's PrivateLink name through the shared endpoint.

    ``provider`` is the ``aws.Provider`` of the account that owns the VPC when that is not the
    endpoint's account; the VPC's region is that provider's region. Without it the VPC is in the
    endpoint's account and region (as an entry of ``shared_vpc_ids``)."""

    vpc_id: pulumi.Input[str]
    provider: pulumi.ProviderResource | None = None


@dataclass(frozen=True)
class Sharing:
    """The DNS mode and the shared VPCs, validated."""

    dns: DnsMode = "endpoint"
    shared_vpcs: tuple[SharedVpc, ...] = ()
    inputs: tuple[InputPath, ...] = ()
    """The input that named each shared VPC (``("shared_vpc_ids", 0)``, ``("shared_vpcs", 1)``)."""

    def named(self) -> list[tuple[InputPath, SharedVpc]]:
        return list(zip(self.inputs, self.shared_vpcs, strict=True))


def _checked_when_known(path: InputPath, value: pulumi.Input[str]) -> pulumi.Input[str]:
    """An Output's id checked once it resolves: the look-ups and the associations read that
    Output, so nothing is created with a malformed id. A plain id is checked already."""
    if isinstance(value, pulumi.Output):
        return value.apply(lambda resolved: validate.vpc_id(resolved, path))
    return value


def _lists(shared_vpc_ids: object, shared_vpcs: object) -> tuple[Sequence[object], ...]:
    """Both inputs as lists, within Route 53's limit on the VPCs of one zone. Both must be plain
    lists, as each VPC is one association resource and resources are counted when the program
    runs."""
    lists: list[Sequence[object]] = []
    for name, value in (("shared_vpc_ids", shared_vpc_ids), ("shared_vpcs", shared_vpcs)):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ConfigurationError.invalid(
                name,
                shown(value),
                "Pass a list (its items may be Outputs): each VPC becomes one Route 53 "
                "association, so the list itself must be known when the program runs.",
            )
        lists.append(value)
        # Counted before any entry is read: the endpoint's own VPC is one of the zone's.
        named = 1 + sum(len(found) for found in lists)
        if named > MAX_ZONE_VPCS:
            raise ConfigurationError.invalid(
                name,
                f"<a list of {len(value)} VPCs>",
                f"A private hosted zone is associated with at most {MAX_ZONE_VPCS} VPCs "
                f"(Route 53's quota, {ZONE_VPCS_SOURCE}), and the endpoint's VPC is one of "
                f"them: shared_vpc_ids and shared_vpcs may name {MAX_ZONE_VPCS - 1} together. "
                "Share the rest through another PrivateLink component (its own endpoint and "
                "zone).",
            )
    return tuple(lists)


def _entries(shared_vpc_ids: object, shared_vpcs: object) -> list[tuple[InputPath, SharedVpc]]:
    """Every shared VPC with the input it came from, its id as given."""
    ids, entries = _lists(shared_vpc_ids, shared_vpcs)
    found: list[tuple[InputPath, SharedVpc]] = [
        (("shared_vpc_ids", i), SharedVpc(vpc_id))  # type: ignore[arg-type]
        for i, vpc_id in enumerate(ids)
    ]
    for i, entry in enumerate(entries):
        where: InputPath = ("shared_vpcs", i)
        if not isinstance(entry, SharedVpc):
            raise ConfigurationError.invalid(
                where,
                shown(entry),
                f"Pass SharedVpc(vpc_id={_VPC_ID_EXAMPLE!r}, provider=<that account's "
                "aws.Provider>).",
            )
        if entry.provider is not None and not isinstance(entry.provider, pulumi.ProviderResource):
            raise ConfigurationError.invalid(
                (*where, "provider"),
                shown(entry.provider),
                "Pass the aws.Provider of the account that owns the VPC, or None for a VPC of "
                "the endpoint's account.",
            )
        found.append((where, entry))
    return found


def vpc_id_path(where: InputPath) -> InputPath:
    """The path of the VPC id of the shared VPC at ``where``: ``("shared_vpc_ids", 0)`` is one,
    ``("shared_vpcs", 1)`` has one (``("shared_vpcs", 1, "vpc_id")``)."""
    return (*where, "vpc_id") if where[0] == "shared_vpcs" else where


def _repeat_fix(first: InputPath) -> str:
    """What to do about a VPC that ``first`` names already."""
    if first == ("vpc_id",):
        return "The endpoint's own VPC is associated with the zone already; drop it here."
    return f"It is already {python_name(first)}; list each VPC once."


def resolve_sharing(
    dns: object, shared_vpc_ids: object, shared_vpcs: object, vpc_id: pulumi.Input[str]
) -> Sharing:
    """Validate ``dns`` and the shared VPCs; raise :class:`ConfigurationError` naming the input,
    its value and the fix. ``vpc_id`` is the endpoint's VPC, checked already."""
    if dns not in DNS_MODES.values:
        raise ConfigurationError.invalid("dns", shown(dns), DNS_MODES.fix())
    entries = _entries(shared_vpc_ids, shared_vpcs)
    # Plain ids are checked here, each after the ones before it (a VPC named twice, even in
    # other letter case, is refused as such); ids from Outputs once they resolve, and they meet
    # the others in the preflight (_repeated).
    validate.distinct_ids(
        (
            (vpc_id_path(where), e.vpc_id)
            for where, e in entries
            if not isinstance(e.vpc_id, pulumi.Output)
        ),
        validate.vpc_id,
        seen={vpc_id: ("vpc_id",)} if isinstance(vpc_id, str) else {},
        repeated=_repeat_fix,
    )
    entries = [
        (where, replace(e, vpc_id=_checked_when_known(vpc_id_path(where), e.vpc_id)))
        for where, e in entries
    ]
    if dns == "endpoint" and entries:
        where, entry = entries[0]
        raise ConfigurationError.invalid(
            where,
            shown(entry.vpc_id),
            "Shared VPCs need dns='hosted_zone': with dns='endpoint' the endpoint's private DNS "
            "name resolves only in its own VPC. Set dns='hosted_zone', or drop the shared VPCs.",
        )
    mode: DnsMode = "hosted_zone" if dns == "hosted_zone" else "endpoint"
    return Sharing(
        dns=mode,
        shared_vpcs=tuple(entry for _, entry in entries),
        inputs=tuple(where for where, _ in entries),
    )


@dataclass(frozen=True)
class FoundZone:
    """A private hosted zone of the service's name already associated with a VPC."""

    zone_id: str
    owner: str | None
    """The zone's ``OWNER_TAG``, if any."""


@dataclass(frozen=True)
class SharedVpcInfo:
    """What the look-ups found about one VPC the zone is associated with."""

    where: InputPath
    """The input naming it (``("vpc_id",)``, ``("shared_vpc_ids", 0)``, ``("shared_vpcs", 1)``)."""
    vpc: VpcInfo
    region: str
    existing_zone: FoundZone | None = None
    account: str | None = None
    """For a ``shared_vpcs`` entry with a provider: that provider's account."""

    @property
    def name(self) -> str:
        """:attr:`where` as messages spell it: ``shared_vpc_ids[0]``."""
        return python_name(self.where)


@dataclass(frozen=True)
class ZonePlan:
    """The private hosted zone and the VPCs that resolve through it."""

    zone_name: str
    region: str
    """The endpoint's region: the zone's primary VPC and same-account VPCs are there."""
    vpcs: tuple[SharedVpcInfo, ...]
    """The endpoint's VPC first, then each shared VPC in the order given."""

    @property
    def resolving_vpc_ids(self) -> tuple[str, ...]:
        return tuple(info.vpc.id for info in self.vpcs)

    @property
    def shared(self) -> tuple[SharedVpcInfo, ...]:
        return self.vpcs[1:]


def is_no_zone_found(error_text: str) -> bool:
    """Whether a failed ``getZone`` means that no zone matched (anything else is a failure)."""
    return NO_ZONE_FOUND in error_text


_SHARE = "share the PrivateLink"


def _refusal(
    info: SharedVpcInfo, told: str, fix: str, *, path: InputPath | None = None
) -> ConfigurationError:
    """The preflight's refusal of the VPC ``info`` (or of the input at ``path``): the message
    ``Cannot share the PrivateLink: <told> <fix>``, the input as data."""
    return ConfigurationError(
        f"Cannot {_SHARE}: {told} {fix}",
        path=info.where if path is None else path,
        shown_value=info.vpc.id,
        fix=fix,
        action=_SHARE,
    )


def _dns_off(info: SharedVpcInfo) -> ConfigurationError | None:
    off = [
        attribute
        for attribute, enabled in (
            ("enableDnsSupport", info.vpc.enable_dns_support),
            ("enableDnsHostnames", info.vpc.enable_dns_hostnames),
        )
        if not enabled
    ]
    if not off:
        return None
    return _refusal(
        info,
        f"{info.name} is VPC {info.vpc.id}, which has {' and '.join(off)} turned off; a Route 53 "
        "private hosted zone resolves only in a VPC with both on.",
        "Turn them on (aws.ec2.Vpc(..., enable_dns_support=True, enable_dns_hostnames=True), "
        f"or `aws ec2 modify-vpc-attribute --vpc-id {info.vpc.id} --enable-dns-hostnames`) and "
        "run again. Nothing was created.",
    )


def _conflict(info: SharedVpcInfo, zone_name: str, owner: str) -> ConfigurationError | None:
    found = info.existing_zone
    if found is None or found.owner == owner:
        return None
    held = f" (managed by {found.owner})" if found.owner else ""
    return _refusal(
        info,
        f"{info.name} is VPC {info.vpc.id}, which already has private hosted zone "
        f"{found.zone_id}{held} for {zone_name} associated; Route 53 allows one zone of a name "
        "per VPC and would refuse this one with ConflictingDomainExists.",
        f"Disassociate {found.zone_id} from {info.vpc.id} (or delete it, or turn off private "
        "DNS on the VPC endpoint that made it), or drop this VPC. Nothing was created.",
    )


def _same_account(info: SharedVpcInfo, endpoint_account: str | None) -> ConfigurationError | None:
    if info.account is None or info.account != endpoint_account:
        return None
    return _refusal(
        info,
        f"{info.name}.provider deploys to AWS account {info.account}, the endpoint's own "
        "account; a provider in shared_vpcs is for a VPC of another account (it gets a Route 53 "
        "association authorization).",
        f"Pass {info.vpc.id} in shared_vpc_ids instead (a VPC of this account in the endpoint's "
        "region). Nothing was created.",
        path=(*info.where, "provider"),
    )


def _repeated(vpcs: Sequence[SharedVpcInfo]) -> ConfigurationError | None:
    """A VPC named twice, known only now where Outputs named it (``resolve_sharing`` compares
    the plain ids): Route 53 would refuse the second association after the endpoint exists."""
    seen: dict[str, InputPath] = {}
    for info in vpcs:
        first = seen.get(info.vpc.id)
        if first is None:
            seen[info.vpc.id] = info.where
            continue
        fix = (
            "The endpoint's own VPC is associated with the zone already; drop it there."
            if first == ("vpc_id",)
            else f"It is already {python_name(first)}; list each VPC once."
        )
        return _refusal(
            info,
            f"{info.name} is VPC {info.vpc.id}, which is also {python_name(first)}.",
            f"{fix} Nothing was created.",
        )
    return None


def plan_zone(
    *,
    zone_name: str | None,
    service_name: str,
    region: str,
    vpcs: Sequence[SharedVpcInfo],
    owner: str,
    endpoint_account: str | None = None,
) -> ZonePlan:
    """Check every VPC the zone will be associated with; the first of ``vpcs`` is the
    endpoint's. ``owner`` is this stack's ``OWNER_TAG`` value: a zone that carries it is the one
    this stack made on an earlier ``pulumi up``."""
    if not zone_name:
        fix = "Use dns='endpoint', or the service Rockset gave you."
        raise ConfigurationError(
            f"Cannot {_SHARE}: the endpoint service {service_name} has no private DNS name, so "
            f"there is no name for a private hosted zone. {fix}",
            path=("dns",),
            shown_value="hosted_zone",
            fix=fix,
            action=_SHARE,
        )
    repeated = _repeated(vpcs)
    if repeated is not None:
        raise repeated
    for info in vpcs:
        problem = (
            _dns_off(info)
            or _conflict(info, zone_name, owner)
            or _same_account(info, endpoint_account)
        )
        if problem is not None:
            raise problem
    return ZonePlan(zone_name=zone_name.rstrip("."), region=region, vpcs=tuple(vpcs))


def share_ingress(plan: EndpointPlan, zone: ZonePlan, *, sources_given: bool) -> EndpointPlan:
    """The endpoint's plan with each shared VPC's CIDR admitted on TCP 443, unless the user
    named the sources (``allowed_cidrs`` / ``allowed_security_group_ids``)."""
    if sources_given:
        return plan
    cidrs = [*plan.ingress_cidrs, *(info.vpc.cidr_block for info in zone.shared)]
    return replace(plan, ingress_cidrs=tuple(dict.fromkeys(cidrs)))
