"""``PrivateLink``: Rockset's PrivateLink guide as one Pulumi component.

The constructor is a short list of named steps, each returning a small frozen value:

1. **validate** the plain inputs (:func:`~rockset_pulumi.args.resolve_args`) and, where the
   region is known now, the hosts (before anything is registered);
2. **locate** Rockset: the provider's region and the hosts for it (:mod:`rockset_pulumi.regions`);
3. **plan** the endpoint from AWS look-ups (:mod:`rockset_pulumi.lookups`,
   :mod:`rockset_pulumi.planning`); an endpoint service this AWS account cannot see is the
   guide's step 1 not done, and fails here, at ``pulumi preview``; with ``dns="hosted_zone"``
   the shared VPCs' preflight joins the plan (:mod:`rockset_pulumi.hosted_zone`);
4. create the **network** children: a security group (``<name>-sg``) admitting TCP 443 only from
   the named sources (and, with ``probe: vpc``, the probe function's group ``<name>-probe-sg``),
   and an Interface VPC endpoint (``<name>-endpoint``) with private DNS, whose live state is then
   checked for the guide's step 1; with ``dns="hosted_zone"`` the endpoint's private DNS is off
   and the **shared zone** children resolve its name in every shared VPC;
5. with ``probe: vpc``, **deploy the probe**: the function that sends the PrivateLink side of
   steps 3-5 from inside the VPC (:mod:`rockset_pulumi.vpc_probe.resources`);
6. **verify** with the resources of steps 3-5, chained so that destroy removes the allowlist
   entries before the PrivateLink path (and the probe) goes away: dynamic resources in a Python
   program (:mod:`rockset_pulumi.providers`), the plugin's custom resources when the ``rockset``
   plugin builds the component for another language (:attr:`PrivateLink.check_resources`);

and then every public attribute is assigned and registered in one place (:meth:`_publish`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi
import pulumi_aws as aws

from . import validate
from .allowlist import Owner
from .api import RocksetApi
from .args import PrivateLinkArgs, ResolvedArgs, resolve_args
from .check_resources import (
    AllowlistResource,
    CheckResources,
    ConnectivityCheckResource,
    LockdownResource,
)
from .errors import InputWarning
from .hosted_zone import SharedZone, look_up_zone_plan
from .lookups import (
    check_acceptance,
    check_region,
    look_up_dns_expectation,
    look_up_plan,
    provider_profile,
    provider_region,
)
from .planning import EndpointPlan
from .pricing import compare_with_endpoint_per_vpc, estimate_monthly_cost
from .providers import DYNAMIC_CHECKS
from .regions import RocksetHosts, resolve_hosts
from .sharing import ZonePlan
from .tokens import COMPONENT_TOKEN, FORMER_COMPONENT_TOKEN
from .vpc_probe.resources import ProbeFunction, deploy_probe, probe_security_group
from .watch.resources import WatchFunction, deploy_watch

__all__ = ["PrivateLink"]

HTTPS = 443


@dataclass(frozen=True)
class _Location:
    """Where this stack's Rockset is: the AWS region and the hosts for it."""

    region: pulumi.Output[str]
    hosts: pulumi.Output[RocksetHosts]


@dataclass(frozen=True)
class _Network:
    """The AWS children, and the endpoint's live state once step 1 is known to hold."""

    security_group: aws.ec2.SecurityGroup
    endpoint: aws.ec2.VpcEndpoint
    endpoint_state: pulumi.Output[str]
    live: pulumi.Output[aws.ec2.GetVpcEndpointResult]
    """The endpoint as AWS describes it after creation."""
    private_dns_name: pulumi.Output[str | None]
    """The name the endpoint's private DNS answers for inside the VPC (the service's)."""
    probe_security_group: aws.ec2.SecurityGroup | None
    """The probe function's group, which the endpoint's admits (``probe: vpc``)."""


@dataclass(frozen=True)
class _Verifiers:
    """The resources of steps 3-5; None where the step is off."""

    connectivity_check: ConnectivityCheckResource | None = None
    allowlist: AllowlistResource | None = None
    lockdown_check: LockdownResource | None = None


def _ambient_region(opts: pulumi.ResourceOptions | None) -> str | None:
    """The default AWS provider's region as pulumi-aws resolves it; None with an explicit
    provider, whose region only a look-up can tell."""
    if opts is not None and (opts.provider is not None or bool(opts.providers)):
        return None
    return (
        pulumi.Config("aws").get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )


def _validate(args: PrivateLinkArgs, ambient: str | None) -> ResolvedArgs:
    """Every check that can run before the component registers anything."""
    settings = resolve_args(args)
    if ambient is not None:
        resolve_hosts(check_region(settings.region, ambient), settings.hosts)
    return settings


def _owner_label(component_urn: str) -> str:
    """Names the allowlist resource that owns entries (see ``allowlist.Owner``): the URN spells
    the stack, the project, the parent chain and the name, unique within the organization's
    Pulumi account, which the prefix adds."""
    return f"{pulumi.get_organization()}/{component_urn}/allowlist"


def _without_dependencies(urn: pulumi.Output[str]) -> pulumi.Output[str]:
    """``urn``'s value alone: as a dependency, a child's input on its parent's URN would make
    the child wait for its parent, which Pulumi refuses as a cycle."""

    async def value() -> str:
        # A URN is known even in preview: the engine assigns it at registration.
        return str(await urn.future())

    return pulumi.Output(set(), value(), urn.is_known(), urn.is_secret())


def _cost(
    region: str,
    zones: Sequence[str],
    settings: ResolvedArgs,
    vpcs: int | None = None,
    watch: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The endpoint's month; with a shared zone, compared with one endpoint per VPC."""
    estimate = estimate_monthly_cost(
        region,
        zones,
        data_gb_per_month=settings.expected_gb_per_month,
        price_per_az_hour=settings.price_per_az_hour,
    )
    if estimate is None:
        return None
    found = estimate.as_output()
    if vpcs is not None:
        found["sharing"] = compare_with_endpoint_per_vpc(estimate, vpcs).as_output()
    if watch is not None:
        found["watch"] = watch["monthly_cost"]
    return found


class PrivateLink(pulumi.ComponentResource):
    """Private access to Rockset from a VPC through an Interface VPC endpoint, verified and,
    with ``lockdown``, with Rockset's public endpoint turned off for everyone but the admins.
    """

    security_group: aws.ec2.SecurityGroup
    """Child ``<name>-sg``: TCP 443 from the allowed sources only, no egress."""
    endpoint: aws.ec2.VpcEndpoint
    """Child ``<name>-endpoint``: the Interface VPC endpoint to Rockset's service."""
    connectivity_check: ConnectivityCheckResource | None
    """Child ``<name>-connectivity`` (step 3), or None with checks off."""
    allowlist: AllowlistResource | None
    """Child ``<name>-allowlist`` (step 4), or None without lockdown."""
    lockdown_check: LockdownResource | None
    """Child ``<name>-lockdown`` (step 5), or None without lockdown."""
    shared_zone: SharedZone | None
    """With ``dns="hosted_zone"``: the private zone ``<name>-zone``, its alias ``<name>-alias``
    and one association (and, across accounts, authorization) per shared VPC; else None."""
    probe: ProbeFunction | None
    """With ``probe: vpc``, the children ``<name>-probe*`` that send the PrivateLink side of
    steps 3-5 from inside the VPC; else None."""
    watcher: WatchFunction | None
    """With ``watch``, the children ``<name>-watch*`` that check the lockdown on a schedule and
    alarm; else None."""

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
    """Whether the endpoint's private DNS name is on: with ``dns="endpoint"`` (as the guide
    does); off with ``dns="hosted_zone"``, where the private zone resolves the name instead."""
    hosted_zone_id: pulumi.Output[str | None]
    """The private hosted zone's id with ``dns="hosted_zone"``, else None."""
    resolving_vpc_ids: pulumi.Output[Sequence[str]]
    """The VPCs where Rockset's PrivateLink name resolves to the endpoint: its own VPC, then each
    shared VPC."""
    endpoint_state: pulumi.Output[str]
    """The endpoint's live state after creation; ``available`` once Rockset accepted it."""
    public_url: pulumi.Output[str]
    """Rockset's public API endpoint for the region."""
    privatelink_url: pulumi.Output[str]
    """Rockset's API endpoint through PrivateLink."""
    connectivity: pulumi.Output[Mapping[str, Any] | None]
    """Step 3's result, or None with checks off: what each API endpoint answered (``public``,
    ``privatelink``: ``url``, ``reachable``, ``authenticated``, ``user_email``, ``user_state``,
    ``latency_ms``, ``attempts``, ``error``, ``ran_from``) and ``checked_at``."""
    allowlist_entries: pulumi.Output[Mapping[str, str] | None]
    """Step 4: this stack's allowlist entries as Rockset has them, or None without lockdown."""
    lockdown_status: pulumi.Output[Mapping[str, Any] | None]
    """Step 5's result, or None without lockdown: ``holds`` when all three expectations do
    (``public_reachable``, ``public_refuses_key``, ``privatelink_accepts_key``), what each side
    failed with (``public_error``, ``privatelink_error``), where each side ran from
    (``ran_from``) and ``checked_at``."""
    watch: pulumi.Output[Mapping[str, Any] | None]
    """With ``watch``: the alarm (``alarm_name``, ``alarm_arn``), the metrics (``namespace``,
    ``metrics``, ``dimensions``), the ``schedule``, the watcher's ``function_name`` and its
    ``monthly_cost`` (``runs``, ``lambda_usd``, ``secret_usd``, ``metrics_usd``, ``alarm_usd``,
    ``logs_usd``, ``total``); else None."""
    cost_estimate: pulumi.Output[Mapping[str, Any] | None]
    """What the endpoint costs a month in USD, or None when the region's price is unknown and
    ``price_per_az_hour`` was not given: ``total`` is ``endpoint_hours`` (``hourly_per_az`` for
    730 hours in each of the ``zones`` actually used) plus ``data_processing`` (tiered, for
    ``data_gb``) in ``region``; ``price_confirmed`` is false where the built-in price is an estimate
    (``rockset_pulumi.pricing.UNCONFIRMED_PRICES``). With ``dns="hosted_zone"`` its ``sharing``
    compares it with one endpoint per VPC: ``vpcs``, ``shared_total``,
    ``endpoint_per_vpc_total``, ``monthly_saving``. With ``watch``, its ``watch`` is the watch's
    month (``runs``, ``lambda_usd``, ``secret_usd``, ``metrics_usd``, ``alarm_usd``,
    ``logs_usd``, ``total``), not in ``total``."""

    secret_inputs: frozenset[str] = frozenset()
    """Plain inputs whose values arrived as secrets (from another language, through the
    ``rockset`` plugin): only those in :attr:`KEEPS_SECRET` may."""
    KEEPS_SECRET: ClassVar[frozenset[str]] = frozenset({"admin_cidrs"})
    """The plain inputs that may be secrets: the allowlist entries and the outputs made from
    ``admin_cidrs`` stay secret."""

    check_resources: ClassVar[CheckResources] = DYNAMIC_CHECKS
    """The kind of resource steps 3-5 are: dynamic resources in a Python program; the
    ``rockset`` plugin's custom resources when the plugin builds the component."""

    def __init__(
        self,
        name: str,
        args: PrivateLinkArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        ambient = _ambient_region(opts)
        settings = _validate(args, ambient)
        renamed = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=FORMER_COMPONENT_TOKEN)])
        super().__init__(COMPONENT_TOKEN, name, None, pulumi.ResourceOptions.merge(opts, renamed))
        for warning in settings.warnings:
            self.warn(self.told(warning))
        where = self._locate(settings, ambient)
        plan, zone_plan = self._plan(settings, where)
        network = self._network(name, settings, where, plan)
        shared = self._share(name, settings, zone_plan, network)
        probe = self._deploy_probe(name, settings, where, plan, network=network, opts=opts)
        verifiers = self._verify(name, settings, where, network=network, shared=shared, probe=probe)
        watcher = self._watch(name, settings, where, plan, probe=probe, verifiers=verifiers)
        self._publish(
            settings,
            where,
            plan,
            network=network,
            verifiers=verifiers,
            probe=probe,
            shared=shared,
            zone_plan=zone_plan,
            watcher=watcher,
        )

    def _locate(self, settings: ResolvedArgs, ambient: str | None) -> _Location:
        """The provider's region decides where resources go: a ``region`` argument that
        disagrees is refused rather than followed into the wrong region's table entry."""
        region: pulumi.Output[str] = (
            pulumi.Output.from_input(ambient)
            if ambient is not None
            else provider_region(settings.region, pulumi.InvokeOutputOptions(parent=self))
        )
        hosts = region.apply(lambda r: resolve_hosts(r, settings.hosts))
        return _Location(region=region, hosts=hosts)

    def _plan(
        self, settings: ResolvedArgs, where: _Location
    ) -> tuple[pulumi.Output[EndpointPlan], pulumi.Output[ZonePlan] | None]:
        """The placement from the look-ups, once a key given as an Output is known to be
        usable: every child waits for this, so nothing is created with a bad input. With
        ``dns="hosted_zone"``, the shared VPCs' preflight joins it, and the zone's plan."""
        plan = look_up_plan(
            vpc_id=settings.vpc_id,
            subnet_ids=settings.subnet_ids,
            allowed_security_group_ids=settings.allowed_security_group_ids,
            allowed_cidrs=settings.allowed_cidrs,
            service_name=where.hosts.apply(lambda h: h.service_name),
            region=where.region,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        if isinstance(settings.api_key, pulumi.Output):
            # The key is secret; only the fact that it passed may flow into the plan.
            key_ok = pulumi.Output.unsecret(
                settings.api_key.apply(lambda k: bool(validate.api_key(k)))
            )
            plan = pulumi.Output.all(plan, key_ok).apply(lambda both: both[0])
        plan = plan.apply(self._warn_about)
        if settings.sharing.dns != "hosted_zone":
            return plan, None
        return look_up_zone_plan(
            plan=plan,
            sharing=settings.sharing,
            allowed_cidrs=settings.allowed_cidrs,
            service_name=where.hosts.apply(lambda h: h.service_name),
            region=where.region,
            parent=self,
        )

    def _warn_about(self, plan: EndpointPlan) -> EndpointPlan:
        for skip in plan.skipped:
            self.warn(f"Skipping subnet {skip.subnet_id}: {skip.reason}.")
        for warning in plan.warnings:
            self.warn(warning)
        return plan

    def told(self, warning: InputWarning) -> str:
        """``warning`` in the program's terms: a Python program's here."""
        return str(warning)

    def warn(self, text: str) -> None:
        """A warning about this component's inputs, beside it."""
        pulumi.log.warn(text, resource=self)

    def _network(
        self,
        name: str,
        settings: ResolvedArgs,
        where: _Location,
        plan: pulumi.Output[EndpointPlan],
    ) -> _Network:
        child = pulumi.ResourceOptions(parent=self)
        tags = {"Name": f"{name}-rockset-privatelink", **settings.tags}
        service_name = where.hosts.apply(lambda h: h.service_name)
        probe_group = (
            probe_security_group(name, vpc_id=settings.vpc_id, tags=tags, parent=self)
            if settings.probe == "vpc"
            else None
        )
        probe_group_id: pulumi.Output[str | None] = (
            pulumi.Output.from_input(None) if probe_group is None else probe_group.id
        )
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=settings.vpc_id,
            description=f"Rockset PrivateLink endpoint {name}: HTTPS from allowed sources only",
            ingress=pulumi.Output.all(plan, probe_group_id).apply(
                lambda found: _ingress_rules(found[0], found[1])
            ),
            egress=[],
            tags=tags,
            opts=child,
        )
        endpoint = aws.ec2.VpcEndpoint(
            f"{name}-endpoint",
            vpc_id=settings.vpc_id,
            service_name=service_name,
            vpc_endpoint_type="Interface",
            private_dns_enabled=settings.sharing.dns == "endpoint",
            subnet_ids=plan.apply(lambda p: list(p.subnet_ids)),
            security_group_ids=[security_group.id],
            tags=tags,
            opts=child,
        )
        live = aws.ec2.get_vpc_endpoint_output(
            id=endpoint.id, opts=pulumi.InvokeOutputOptions(parent=self)
        )

        def accepted(found: list[Any]) -> str:
            state, owner_id, service, endpoint_id = found
            return check_acceptance(state, owner_id, service, endpoint_id)

        state = pulumi.Output.all(live.state, live.owner_id, service_name, endpoint.id).apply(
            accepted
        )
        return _Network(
            security_group=security_group,
            endpoint=endpoint,
            endpoint_state=state,
            live=live,
            private_dns_name=plan.apply(lambda p: p.private_dns_name),
            probe_security_group=probe_group,
        )

    def _share(
        self,
        name: str,
        settings: ResolvedArgs,
        zone_plan: pulumi.Output[ZonePlan] | None,
        network: _Network,
    ) -> SharedZone | None:
        """With ``dns="hosted_zone"``: the private zone, its alias to the endpoint, and the
        shared VPCs' associations."""
        if zone_plan is None:
            return None
        return SharedZone.create(
            name,
            parent=self,
            vpc_id=settings.vpc_id,
            zone_plan=zone_plan,
            endpoint=network.endpoint,
            shared_vpcs=settings.sharing.shared_vpcs,
            tags={"Name": f"{name}-rockset-privatelink", **settings.tags},
        )

    def _deploy_probe(
        self,
        name: str,
        settings: ResolvedArgs,
        where: _Location,
        plan: pulumi.Output[EndpointPlan],
        *,
        network: _Network,
        opts: pulumi.ResourceOptions | None,
    ) -> ProbeFunction | None:
        """With ``probe: vpc``, the function in the endpoint's subnets that relays the
        PrivateLink side's requests, invoked with the stack's AWS region and profile."""
        if network.probe_security_group is None:
            return None
        return deploy_probe(
            name,
            security_group=network.probe_security_group,
            endpoint_security_group=network.security_group,
            subnet_ids=plan.apply(lambda p: list(p.subnet_ids)),
            privatelink_url=where.hosts.apply(lambda h: h.privatelink_url),
            region=where.region,
            profile=provider_profile(opts),
            tags={"Name": f"{name}-rockset-privatelink-probe", **settings.tags},
            parent=self,
        )

    def _verify(
        self,
        name: str,
        settings: ResolvedArgs,
        where: _Location,
        *,
        network: _Network,
        shared: SharedZone | None,
        probe: ProbeFunction | None,
    ) -> _Verifiers:
        """Steps 3-5, chained so that destroy removes the allowlist entries before the
        PrivateLink path goes away: the endpoint, the shared zone's record that resolves its
        name, the probe function that reaches it. Run from this machine (``probe: runner``),
        step 3 diagnoses its DNS for the PrivateLink host against the endpoint's addresses."""
        if not settings.checks or settings.api_key is None:
            return _Verifiers()
        owner = _without_dependencies(self.urn).apply(_owner_label)
        privatelink_url = where.hosts.apply(lambda h: h.privatelink_url)
        api = RocksetApi.inputs(
            public_url=where.hosts.apply(lambda h: h.public_url),
            privatelink_url=privatelink_url,
            api_key=settings.api_key,
            ca_bundle=settings.ca_bundle,
            relay=None if probe is None else probe.relay,
        )
        dns_expectation = (
            None
            if probe is not None
            else look_up_dns_expectation(
                endpoint=network.live,
                state=network.endpoint_state,
                privatelink_url=privatelink_url,
                private_dns_name=network.private_dns_name,
                zone_resolves=shared is not None,
                opts=pulumi.InvokeOutputOptions(parent=self),
            )
        )
        waits_for: list[pulumi.Resource] = [network.endpoint]
        if shared is not None:
            waits_for.append(shared.record)
        if probe is not None:
            waits_for += probe.resources
        connectivity = self.check_resources.connectivity(
            f"{name}-connectivity",
            api=api,
            timeout=settings.check_timeout,
            public_may_refuse_key=settings.lockdown,
            dns_expectation=dns_expectation,
            # Waits for the acceptance check, and re-runs when the endpoint is replaced.
            endpoint_id=network.endpoint_state.apply(lambda _: network.endpoint.id),
            triggers=settings.triggers,
            owner=owner if settings.lockdown else None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits_for),
        )
        if not settings.lockdown:
            return _Verifiers(connectivity_check=connectivity)
        secret = "admin_cidrs" in self.secret_inputs
        allowlist = self.check_resources.allowlist(
            f"{name}-allowlist",
            api=api,
            entries=pulumi.Output.secret(settings.admin_cidrs) if secret else settings.admin_cidrs,
            owner=owner,
            verified_at=connectivity.checked_at,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[connectivity],
                additional_secret_outputs=["live_entries"] if secret else None,
            ),
        )
        lockdown = self.check_resources.lockdown(
            f"{name}-lockdown",
            api=api,
            timeout=settings.check_timeout,
            allowlist=allowlist.live_entries,
            triggers=settings.triggers,
            owner_mark=allowlist.owner_mark,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[allowlist]),
        )
        return _Verifiers(connectivity, allowlist, lockdown)

    def _watch(
        self,
        name: str,
        settings: ResolvedArgs,
        where: _Location,
        plan: pulumi.Output[EndpointPlan],
        *,
        probe: ProbeFunction | None,
        verifiers: _Verifiers,
    ) -> WatchFunction | None:
        """With ``watch``, the watcher beside the probe function, its schedule starting once
        step 5 holds."""
        if settings.watch is None or probe is None or verifiers.lockdown_check is None:
            return None
        return deploy_watch(
            name,
            settings.watch,
            vpc_id=settings.vpc_id,
            probe_security_group=probe.security_group,
            subnet_ids=plan.apply(lambda p: list(p.subnet_ids)),
            public_url=where.hosts.apply(lambda h: h.public_url),
            privatelink_url=where.hosts.apply(lambda h: h.privatelink_url),
            entries=settings.admin_cidrs,
            owner_mark=_without_dependencies(self.urn).apply(
                lambda urn: Owner(_owner_label(urn)).mark
            ),
            ca_bundle=settings.ca_bundle,
            after=[verifiers.lockdown_check],
            tags={"Name": f"{name}-rockset-privatelink-watch", **settings.tags},
            parent=self,
        )

    def _publish(
        self,
        settings: ResolvedArgs,
        where: _Location,
        plan: pulumi.Output[EndpointPlan],
        *,
        network: _Network,
        verifiers: _Verifiers,
        probe: ProbeFunction | None,
        shared: SharedZone | None,
        zone_plan: pulumi.Output[ZonePlan] | None,
        watcher: WatchFunction | None,
    ) -> None:
        """Every public attribute, assigned and registered in one place."""
        none: pulumi.Output[Any] = pulumi.Output.from_input(None)
        endpoint = network.endpoint
        self.security_group = network.security_group
        self.probe = probe
        self.watcher = watcher
        self.watch = none if watcher is None else watcher.output
        self.endpoint = endpoint
        self.connectivity_check = verifiers.connectivity_check
        self.allowlist = verifiers.allowlist
        self.lockdown_check = verifiers.lockdown_check
        self.shared_zone = shared
        self.vpc_endpoint_id = endpoint.id
        self.security_group_id = network.security_group.id
        self.service_name = where.hosts.apply(lambda h: h.service_name)
        self.dns_entries = endpoint.dns_entries.apply(lambda found: [dict(e) for e in found or []])
        self.network_interface_ids = endpoint.network_interface_ids
        self.availability_zones = plan.apply(lambda p: list(p.availability_zones))
        self.skipped_subnet_ids = plan.apply(lambda p: [s.subnet_id for s in p.skipped])
        self.private_dns_enabled = endpoint.private_dns_enabled.apply(bool)
        self.endpoint_state = network.endpoint_state
        self.public_url = where.hosts.apply(lambda h: h.public_url)
        self.privatelink_url = where.hosts.apply(lambda h: h.privatelink_url)
        check = verifiers.connectivity_check
        self.connectivity = (
            none
            if check is None
            else pulumi.Output.all(
                public=check.public, privatelink=check.privatelink, checked_at=check.checked_at
            )
        )
        self.allowlist_entries = (
            none if verifiers.allowlist is None else verifiers.allowlist.live_entries
        )
        self.lockdown_status = (
            none if verifiers.lockdown_check is None else verifiers.lockdown_check.status
        )
        self.hosted_zone_id = none if shared is None else shared.zone.zone_id
        self.resolving_vpc_ids = (
            endpoint.vpc_id.apply(lambda vpc: [vpc])
            if zone_plan is None
            else zone_plan.apply(lambda z: list(z.resolving_vpc_ids))
        )
        vpcs = None if zone_plan is None else len(settings.sharing.shared_vpcs) + 1
        self.cost_estimate = pulumi.Output.all(
            region=where.region, zones=self.availability_zones, watch=self.watch
        ).apply(
            lambda found: _cost(found["region"], found["zones"], settings, vpcs, found["watch"])
        )
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
                "hosted_zone_id": self.hosted_zone_id,
                "resolving_vpc_ids": self.resolving_vpc_ids,
                "watch": self.watch,
            }
        )


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


def _ingress_rules(
    plan: EndpointPlan, probe_group_id: str | None
) -> list[aws.ec2.SecurityGroupIngressArgs]:
    """TCP 443 from the planned sources (and the probe function's group), and nothing else."""
    rules = []
    if plan.ingress_cidrs:
        rules.append(_https_rule("CIDR blocks", cidr_blocks=list(plan.ingress_cidrs)))
    if plan.ingress_security_group_ids:
        groups = list(plan.ingress_security_group_ids)
        rules.append(_https_rule("security groups", security_groups=groups))
    if probe_group_id is not None:
        rules.append(_https_rule("probe function", security_groups=[probe_group_id]))
    return rules
