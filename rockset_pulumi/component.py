"""``PrivateLink``: step 2 of Rockset's PrivateLink guide as one Pulumi component.

It looks up the VPC, the subnets and the endpoint service, then creates a security group that
admits TCP 443 only from the sources the user names and an Interface VPC endpoint with private DNS
in the subnets whose zones the service serves. After creation it reads the endpoint's live state:
an endpoint left in ``pendingAcceptance`` means the AWS account was never registered with Rockset
(the guide's step 1), which pulumi-aws does not treat as an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from .args import PrivateLinkArgs, ResolvedArgs, region_settings, resolve_args
from .errors import ConfigurationError, VerificationError
from .planning import EndpointPlan, SubnetInfo, VpcInfo, plan_endpoint
from .pricing import estimate_monthly_cost
from .providers import ConnectivityCheck, EndpointInputs, IpAllowlist, LockdownCheck

__all__ = ["PrivateLink"]

HTTPS = 443


def _ambient_region() -> str | None:
    """The region the default AWS provider uses, as pulumi-aws resolves it."""
    return (
        pulumi.Config("aws").get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )


def _has_explicit_provider(opts: pulumi.ResourceOptions | None) -> bool:
    return opts is not None and (opts.provider is not None or bool(opts.providers))


def _cost(region: str, zones: Sequence[str], settings: ResolvedArgs) -> dict[str, Any] | None:
    estimate = estimate_monthly_cost(
        region,
        zones,
        data_gb_per_month=settings.expected_gb_per_month,
        price_per_az_hour=settings.price_per_az_hour,
    )
    return None if estimate is None else estimate.as_output()


def _check_region(wanted: str | None, actual: str) -> str:
    if wanted is not None and wanted != actual:
        raise ConfigurationError(
            f"Cannot create the PrivateLink: region is {wanted!r} but the AWS provider deploys to "
            f"{actual!r}. Pass a provider for {wanted} in opts (aws.Provider(region={wanted!r})), "
            "or drop region to use the provider's."
        )
    return actual


def _acceptance(
    state: str | None, owner_id: str | None, service_name: str, endpoint_id: str
) -> str:
    """Turn the endpoint's live state into an error where Rockset has not accepted it."""
    if state == "pendingAcceptance":
        raise VerificationError(
            f"The VPC endpoint {endpoint_id} to {service_name} is waiting for Rockset to accept "
            f"it (state pendingAcceptance). Step 1 of Rockset's PrivateLink guide was not done: "
            f"give your AWS account id {owner_id} to your Rockset solutions architect to register "
            "it, then run `pulumi up` again (the endpoint is kept)."
        )
    if state in ("rejected", "failed", "deleted", "deleting", "expired"):
        raise VerificationError(
            f"The VPC endpoint {endpoint_id} to {service_name} is {state}. Check with Rockset "
            f"support that AWS account {owner_id} is registered for this service, then replace "
            "the endpoint (`pulumi up --replace` on it)."
        )
    return state or "unknown"


class PrivateLink(pulumi.ComponentResource):
    """Private access to Rockset from a VPC, through an Interface VPC endpoint.

    Children: a security group (``<name>-sg``) and a VPC endpoint (``<name>-endpoint``).
    """

    vpc_endpoint_id: pulumi.Output[str]
    """The VPC endpoint's id."""
    security_group_id: pulumi.Output[str]
    """The endpoint's security group."""
    service_name: pulumi.Output[str]
    """The VPC endpoint service the endpoint connects to."""
    dns_entries: pulumi.Output[Sequence[Mapping[str, Any]]]
    """The endpoint's DNS names (regional, per zone and private)."""
    network_interface_ids: pulumi.Output[Sequence[str]]
    """One network interface per chosen zone."""
    availability_zones: pulumi.Output[Sequence[str]]
    """Zones the endpoint serves: the subnets' zones that the service supports."""
    skipped_subnet_ids: pulumi.Output[Sequence[str]]
    """Subnets left out (unsupported zone, or a second subnet in one zone)."""
    private_dns_enabled: pulumi.Output[bool]
    """Whether the endpoint's private DNS name is on (always, per the guide)."""
    endpoint_state: pulumi.Output[str]
    """The endpoint's live state after creation; ``available`` once Rockset accepted it."""
    public_url: pulumi.Output[str]
    """Rockset's public API endpoint for the region."""
    privatelink_url: pulumi.Output[str]
    """Rockset's API endpoint through PrivateLink."""
    connectivity: pulumi.Output[Mapping[str, Any] | None]
    """Step 3's result (what each endpoint answered), or None with checks off."""
    allowlist_entries: pulumi.Output[Mapping[str, str] | None]
    """Step 4: the allowlist entries as Rockset has them, or None without lockdown."""
    lockdown_status: pulumi.Output[Mapping[str, Any] | None]
    """Step 5's result (``holds`` and each expectation), or None without lockdown."""
    cost_estimate: pulumi.Output[Mapping[str, Any] | None]
    """What the endpoint costs a month in USD (per-AZ hours plus data), or None when the
    region's price is unknown and ``price_per_az_hour`` was not given."""

    def __init__(
        self,
        name: str,
        args: PrivateLinkArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # The default provider's region is known now; an explicit provider's only by asking it.
        ambient = None if _has_explicit_provider(opts) else _ambient_region()
        if ambient is not None:
            _check_region(args.region, ambient)
        settings = resolve_args(args, default_region=ambient)
        super().__init__("rockset:aws:PrivateLink", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        lookup = pulumi.InvokeOutputOptions(parent=self)

        # The provider's region decides where resources go: a `region` argument that disagrees
        # is refused rather than followed into the wrong region's table entry.
        region: pulumi.Output[str] = (
            pulumi.Output.from_input(ambient)
            if ambient is not None
            else aws.get_region_output(opts=lookup).region.apply(
                lambda actual: _check_region(settings.region, actual)
            )
        )
        hosts = region.apply(lambda r: region_settings(r, settings))
        service_name: pulumi.Output[str] = hosts.apply(lambda h: h.service_name)
        public_url: pulumi.Output[str] = hosts.apply(lambda h: h.public_url)
        privatelink_url: pulumi.Output[str] = hosts.apply(lambda h: h.privatelink_url)

        plan = self._plan(args, settings, service_name, lookup)

        tags = {"Name": f"{name}-rockset-privatelink", **settings.tags}
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description=f"Rockset PrivateLink endpoint {name}: HTTPS from allowed sources only",
            ingress=plan.apply(_ingress_rules),
            egress=[],
            tags=tags,
            opts=child,
        )
        endpoint = aws.ec2.VpcEndpoint(
            f"{name}-endpoint",
            vpc_id=args.vpc_id,
            service_name=service_name,
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=plan.apply(lambda p: list(p.subnet_ids)),
            security_group_ids=[security_group.id],
            tags=tags,
            opts=child,
        )
        live = aws.ec2.get_vpc_endpoint_output(id=endpoint.id, opts=lookup)

        self.security_group = security_group
        self.endpoint = endpoint
        self.vpc_endpoint_id = endpoint.id
        self.security_group_id = security_group.id
        self.service_name = service_name
        self.dns_entries = endpoint.dns_entries.apply(
            lambda entries: [dict(e) for e in entries or []]
        )
        self.network_interface_ids = endpoint.network_interface_ids
        self.availability_zones = plan.apply(lambda p: list(p.availability_zones))
        self.skipped_subnet_ids = plan.apply(lambda p: [s.subnet_id for s in p.skipped])
        self.private_dns_enabled = endpoint.private_dns_enabled.apply(bool)
        self.endpoint_state = pulumi.Output.all(
            live.state, live.owner_id, service_name, endpoint.id
        ).apply(lambda a: _acceptance(a[0], a[1], a[2], a[3]))
        self.public_url = public_url
        self.privatelink_url = privatelink_url
        self.cost_estimate = pulumi.Output.all(region, self.availability_zones).apply(
            lambda a: _cost(a[0], a[1], settings)
        )
        self._verify(name, args, settings)
        self.register_outputs(
            {
                "vpc_endpoint_id": self.vpc_endpoint_id,
                "security_group_id": self.security_group_id,
                "service_name": self.service_name,
                "dns_entries": self.dns_entries,
                "network_interface_ids": self.network_interface_ids,
                "availability_zones": self.availability_zones,
                "skipped_subnet_ids": self.skipped_subnet_ids,
                "private_dns_enabled": self.private_dns_enabled,
                "endpoint_state": self.endpoint_state,
                "public_url": self.public_url,
                "privatelink_url": self.privatelink_url,
                "connectivity": self.connectivity,
                "allowlist_entries": self.allowlist_entries,
                "lockdown_status": self.lockdown_status,
                "cost_estimate": self.cost_estimate,
            }
        )

    def _verify(self, name: str, args: PrivateLinkArgs, settings: ResolvedArgs) -> None:
        """Steps 3-5 as dynamic resources, chained so that destroy re-opens the public
        endpoint (allowlist deleted) before the PrivateLink path goes away."""
        none: pulumi.Output[Any] = pulumi.Output.from_input(None)
        self.connectivity = self.allowlist_entries = self.lockdown_status = none
        if not settings.checks or args.api_key is None:
            return
        endpoint = EndpointInputs(
            public_url=self.public_url,
            privatelink_url=self.privatelink_url,
            api_key=pulumi.Output.secret(args.api_key),
            ca_bundle=settings.ca_bundle,
        )
        connectivity = ConnectivityCheck(
            f"{name}-connectivity",
            endpoint=endpoint,
            timeout=settings.check_timeout,
            public_may_refuse_key=settings.lockdown,
            # Waits for the acceptance check, and re-runs when the endpoint is replaced.
            endpoint_id=pulumi.Output.all(self.vpc_endpoint_id, self.endpoint_state).apply(
                lambda a: a[0]
            ),
            triggers=settings.triggers,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.endpoint]),
        )
        self.connectivity_check = connectivity
        self.connectivity = pulumi.Output.all(
            connectivity.public, connectivity.privatelink, connectivity.checked_at
        ).apply(lambda a: {"public": a[0], "privatelink": a[1], "checked_at": a[2]})
        if not settings.lockdown:
            return
        allowlist = IpAllowlist(
            f"{name}-allowlist",
            endpoint=endpoint,
            entries=settings.admin_cidrs,
            verified_at=connectivity.checked_at,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[connectivity]),
        )
        lockdown = LockdownCheck(
            f"{name}-lockdown",
            endpoint=endpoint,
            admin_cidrs=settings.admin_cidrs,
            timeout=settings.check_timeout,
            allowlist=allowlist.live_entries,
            triggers=settings.triggers,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[allowlist]),
        )
        self.allowlist = allowlist
        self.lockdown_check = lockdown
        self.allowlist_entries = allowlist.live_entries
        self.lockdown_status = lockdown.status

    def _plan(
        self,
        args: PrivateLinkArgs,
        settings: ResolvedArgs,
        service_name: pulumi.Output[str],
        lookup: pulumi.InvokeOutputOptions,
    ) -> pulumi.Output[EndpointPlan]:
        """Look up the VPC, subnets and service, and decide the placement; warn per skip."""
        vpc = aws.ec2.get_vpc_output(id=args.vpc_id, opts=lookup)

        def lookup_service(name: str) -> pulumi.Output[Any]:
            return aws.ec2.get_vpc_endpoint_service_output(service_name=name, opts=lookup)

        def lookup_subnets(ids: Sequence[pulumi.Input[str]]) -> pulumi.Output[Any]:
            return pulumi.Output.all(*[aws.ec2.get_subnet_output(id=i, opts=lookup) for i in ids])

        service: pulumi.Output[Any] = service_name.apply(lookup_service)
        subnets: pulumi.Output[Any] = pulumi.Output.from_input(args.subnet_ids).apply(
            lookup_subnets
        )
        groups = pulumi.Output.from_input(args.allowed_security_group_ids)

        def decide(values: list[Any]) -> EndpointPlan:
            vpc_result, service_result, subnet_results, group_ids = values
            plan = plan_endpoint(
                service_name=service_result.service_name,
                service_zones=service_result.availability_zones or [],
                vpc=VpcInfo(
                    id=vpc_result.id,
                    cidr_block=vpc_result.cidr_block,
                    enable_dns_support=bool(vpc_result.enable_dns_support),
                    enable_dns_hostnames=bool(vpc_result.enable_dns_hostnames),
                ),
                subnets=[
                    SubnetInfo(id=s.id, availability_zone=s.availability_zone, vpc_id=s.vpc_id)
                    for s in subnet_results
                ],
                allowed_cidrs=settings.allowed_cidrs,
                allowed_security_group_ids=list(group_ids or []),
            )
            for skip in plan.skipped:
                pulumi.log.warn(f"Skipping subnet {skip.subnet_id}: {skip.reason}.", resource=self)
            return plan

        return pulumi.Output.all(vpc, service, subnets, groups).apply(decide)


def _https_rule(
    what: str, *, cidr_blocks: list[str] | None = None, security_groups: list[str] | None = None
) -> aws.ec2.SecurityGroupIngressArgs:
    return aws.ec2.SecurityGroupIngressArgs(
        description=f"HTTPS to Rockset from allowed {what}",
        protocol="tcp",
        from_port=HTTPS,
        to_port=HTTPS,
        cidr_blocks=cidr_blocks,
        security_groups=security_groups,
    )


def _ingress_rules(plan: EndpointPlan) -> list[aws.ec2.SecurityGroupIngressArgs]:
    """TCP 443 from the planned sources, and nothing else."""
    rules = []
    if plan.ingress_cidrs:
        rules.append(_https_rule("CIDR blocks", cidr_blocks=list(plan.ingress_cidrs)))
    if plan.ingress_security_group_ids:
        groups = list(plan.ingress_security_group_ids)
        rules.append(_https_rule("security groups", security_groups=groups))
    return rules
