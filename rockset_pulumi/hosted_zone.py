"""``dns="hosted_zone"``: one endpoint for many VPCs through a Route 53 private hosted zone.

- :func:`look_up_zone_plan`: the look-ups behind :func:`~rockset_pulumi.sharing.plan_zone` (each
  shared VPC, with its own account's provider; any private zone of the name already associated
  with each VPC; the accounts and regions of other accounts' providers). Every child waits for
  it, so a refusal fails ``pulumi preview`` with nothing created.
- :class:`SharedZone`: the children. The zone (``<name>-zone``) has the endpoint's VPC as its
  primary VPC; each shared VPC is one ``aws.route53.ZoneAssociation`` (``<name>-<vpc id>``), so
  adding or removing a VPC changes that association only, never the endpoint or the zone. A VPC
  of another account gets an ``aws.route53.VpcAssociationAuthorization`` in the endpoint's
  account (``<name>-<vpc id>-authorization``) and is associated with that account's provider.
  The apex alias record (``<name>-alias``) points at the endpoint's regional DNS name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .errors import InputPath
from .lookups import invoke_plain, look_up_failed, look_up_vpc
from .planning import EndpointPlan, VpcInfo
from .sharing import (
    OWNER_TAG,
    FoundZone,
    SharedVpc,
    SharedVpcInfo,
    Sharing,
    ZonePlan,
    is_no_zone_found,
    plan_zone,
    share_ingress,
    vpc_id_path,
)

__all__ = ["SharedZone", "look_up_zone_plan", "owner_mark"]

_GET_ZONE = "aws:route53/getZone:getZone"


def owner_mark() -> str:
    """This stack's ``OWNER_TAG`` value."""
    return f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"


async def _zone_in_vpc(
    zone_name: str, vpc_id: str, where: InputPath, opts: pulumi.InvokeOutputOptions
) -> FoundZone | None:
    """The private zone named ``zone_name`` associated with ``vpc_id`` among the zones of the
    provider's account, or None. pulumi-aws's ``getZone`` lists the account's zones, keeps the
    private ones of that name associated with the VPC, and fails unless exactly one is left; a
    VPC holds at most one zone of a name, so "none matched" is the only failure that means no
    conflict, which is why the look-up is a plain invoke; any other failure names the input
    ``where`` that gave the VPC."""
    try:
        found = await invoke_plain(
            _GET_ZONE,
            {"name": zone_name, "privateZone": True, "vpcId": vpc_id},
            opts,
            aws.route53.GetZoneResult,
        )
    except Exception as error:
        if is_no_zone_found(str(error)):
            return None
        raise look_up_failed(where, vpc_id, error) from None
    tags: Mapping[str, str] = found.tags or {}
    return FoundZone(zone_id=str(found.zone_id), owner=tags.get(OWNER_TAG))


def _shared_info(
    where: InputPath,
    entry: SharedVpc,
    zone_name: pulumi.Output[str | None],
    region: pulumi.Output[str],
    opts: pulumi.InvokeOutputOptions,
) -> pulumi.Output[SharedVpcInfo]:
    """One shared VPC as its own account sees it: the VPC, its region, its zone of the name."""
    vpc: pulumi.Output[VpcInfo] = pulumi.Output.from_input(entry.vpc_id).apply(
        lambda vpc_id: look_up_vpc(vpc_id, vpc_id_path(where), opts)
    )
    account: pulumi.Output[str | None] = pulumi.Output.from_input(None)
    if entry.provider is not None:
        region = aws.get_region_output(opts=opts).region
        account = aws.get_caller_identity_output(opts=opts).account_id

    def existing(found: list[Any]) -> Awaitable[FoundZone | None] | None:
        name, vpc_id = found
        return None if not name else _zone_in_vpc(name, vpc_id, vpc_id_path(where), opts)

    zone: pulumi.Output[FoundZone | None] = pulumi.Output.all(
        zone_name, vpc.apply(lambda v: v.id)
    ).apply(existing)

    def info(found: list[Any]) -> SharedVpcInfo:
        vpc_found, in_region, zone_found, owner_account = found
        return SharedVpcInfo(where, vpc_found, in_region, zone_found, owner_account)

    return pulumi.Output.all(vpc, region, zone, account).apply(info)


def look_up_zone_plan(
    *,
    plan: pulumi.Output[EndpointPlan],
    sharing: Sharing,
    allowed_cidrs: Sequence[str],
    service_name: pulumi.Output[str],
    region: pulumi.Output[str],
    parent: pulumi.Resource,
) -> tuple[pulumi.Output[EndpointPlan], pulumi.Output[ZonePlan]]:
    """The zone's plan from the look-ups, and the endpoint's plan gated on it (with the shared
    VPCs' CIDRs among the security group's sources, unless the user named the sources:
    ``allowed_cidrs``, or security groups)."""
    own = pulumi.InvokeOutputOptions(parent=parent)
    zone_name = plan.apply(lambda p: p.private_dns_name)

    def endpoint_vpc(found: list[Any]) -> Awaitable[FoundZone | None] | None:
        name, endpoint_plan = found
        if not name or endpoint_plan.vpc is None:
            return None
        return _zone_in_vpc(name, endpoint_plan.vpc.id, ("vpc_id",), own)

    own_zone: pulumi.Output[FoundZone | None] = pulumi.Output.all(zone_name, plan).apply(
        endpoint_vpc
    )
    shared = [
        _shared_info(
            where,
            entry,
            zone_name,
            region,
            pulumi.InvokeOutputOptions(parent=parent, provider=entry.provider),
        )
        for where, entry in sharing.named()
    ]
    crosses = any(entry.provider is not None for entry in sharing.shared_vpcs)
    account: pulumi.Output[str | None] = (
        aws.get_caller_identity_output(opts=own).account_id
        if crosses
        else pulumi.Output.from_input(None)
    )
    mark = owner_mark()

    def decide(found: list[Any]) -> ZonePlan:
        endpoint_plan, name, in_region, service, zone_found, endpoint_account, *infos = found
        assert endpoint_plan.vpc is not None, "plan_endpoint records the VPC"
        own_info = SharedVpcInfo(("vpc_id",), endpoint_plan.vpc, in_region, zone_found)
        return plan_zone(
            zone_name=name,
            service_name=service,
            region=in_region,
            vpcs=[own_info, *infos],
            owner=mark,
            endpoint_account=endpoint_account,
        )

    zone_plan = pulumi.Output.all(
        plan, zone_name, region, service_name, own_zone, account, *shared
    ).apply(decide)
    sources_given = bool(allowed_cidrs)

    def gated(found: list[Any]) -> EndpointPlan:
        endpoint_plan, decided = found
        given = sources_given or bool(endpoint_plan.ingress_security_group_ids)
        return share_ingress(endpoint_plan, decided, sources_given=given)

    return pulumi.Output.all(plan, zone_plan).apply(gated), zone_plan


def _label(entry: SharedVpc, index: int) -> str:
    """A child's name part for one shared VPC: its id when known now, so that reordering or
    removing another VPC leaves this one's association alone; its position otherwise."""
    return entry.vpc_id if isinstance(entry.vpc_id, str) else f"shared-vpc-{index}"


def _region_of(index: int) -> Callable[[ZonePlan], str]:
    return lambda plan: plan.shared[index].region


@dataclass(frozen=True)
class SharedZone:
    """The children of ``dns="hosted_zone"``."""

    zone: aws.route53.Zone
    record: aws.route53.Record
    authorizations: tuple[aws.route53.VpcAssociationAuthorization, ...]
    associations: tuple[aws.route53.ZoneAssociation, ...]

    @classmethod
    def create(
        cls,
        name: str,
        *,
        parent: pulumi.Resource,
        vpc_id: pulumi.Input[str],
        zone_plan: pulumi.Output[ZonePlan],
        endpoint: aws.ec2.VpcEndpoint,
        shared_vpcs: Sequence[SharedVpc],
        tags: Mapping[str, str],
    ) -> SharedZone:
        zone_name = zone_plan.apply(lambda z: z.zone_name)
        zone = aws.route53.Zone(
            f"{name}-zone",
            name=zone_name,
            # Names the primary VPC, so that moving the endpoint to another VPC replaces the
            # zone (below): its `vpcs` are ignored, as pulumi-aws requires next to separate
            # ZoneAssociation resources, which would otherwise be undone on every update.
            comment=pulumi.Output.concat(
                "Rockset PrivateLink ", name, ": one endpoint in ", vpc_id, " for many VPCs"
            ),
            vpcs=[
                aws.route53.ZoneVpcArgs(
                    vpc_id=vpc_id, vpc_region=zone_plan.apply(lambda z: z.region)
                )
            ],
            tags={**tags, OWNER_TAG: owner_mark()},
            # After the endpoint: switching an endpoint from dns="endpoint" turns its private DNS
            # off first, whose AWS-managed zone of the same name would otherwise conflict.
            opts=pulumi.ResourceOptions(
                parent=parent,
                ignore_changes=["vpcs"],
                replace_on_changes=["comment"],
                depends_on=[endpoint],
            ),
        )
        regional = endpoint.dns_entries.apply(lambda entries: entries[0])
        record = aws.route53.Record(
            f"{name}-alias",
            zone_id=zone.zone_id,
            name=zone_name,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=regional.apply(lambda e: str(e.dns_name)),
                    zone_id=regional.apply(lambda e: str(e.hosted_zone_id)),
                    evaluate_target_health=False,
                )
            ],
            opts=pulumi.ResourceOptions(parent=parent),
        )
        authorizations: list[aws.route53.VpcAssociationAuthorization] = []
        associations: list[aws.route53.ZoneAssociation] = []
        for index, entry in enumerate(shared_vpcs):
            label = _label(entry, index)
            region = zone_plan.apply(_region_of(index))
            # One private zone of a name per VPC: a replaced association must let go first.
            options = pulumi.ResourceOptions(parent=parent, delete_before_replace=True)
            if entry.provider is not None:
                authorization = aws.route53.VpcAssociationAuthorization(
                    f"{name}-{label}-authorization",
                    zone_id=zone.zone_id,
                    vpc_id=entry.vpc_id,
                    vpc_region=region,
                    opts=pulumi.ResourceOptions(parent=parent),
                )
                authorizations.append(authorization)
                options = pulumi.ResourceOptions.merge(
                    options,
                    pulumi.ResourceOptions(provider=entry.provider, depends_on=[authorization]),
                )
            associations.append(
                aws.route53.ZoneAssociation(
                    f"{name}-{label}",
                    zone_id=zone.zone_id,
                    vpc_id=entry.vpc_id,
                    vpc_region=region,
                    opts=options,
                )
            )
        return cls(zone, record, tuple(authorizations), tuple(associations))
