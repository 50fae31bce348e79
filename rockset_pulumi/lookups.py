"""What the component asks AWS before and after creating the endpoint, and what the answers mean.

- :func:`look_up_plan`: the VPC, the subnets and the endpoint service, turned into an
  :class:`~rockset_pulumi.planning.EndpointPlan` (every child waits for it, so a bad subnet fails
  ``pulumi preview`` with nothing sent to AWS).
- :func:`provider_region`: the region of an explicit AWS provider, checked against ``region``.
- :func:`check_acceptance`: the endpoint's live state; ``pendingAcceptance`` is the guide's step 1
  not done, which pulumi-aws itself does not treat as an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from .args import ResolvedArgs
from .errors import ConfigurationError, VerificationError
from .planning import EndpointPlan, SubnetInfo, VpcInfo, plan_endpoint

__all__ = ["check_acceptance", "check_region", "look_up_plan", "provider_region"]


def check_region(wanted: str | None, actual: str) -> str:
    """The provider's region ``actual``, unless the user asked for another one."""
    if wanted is not None and wanted != actual:
        raise ConfigurationError(
            f"Cannot create the PrivateLink: region is {wanted!r} but the AWS provider deploys to "
            f"{actual!r}. Pass a provider for {wanted} in opts (aws.Provider(region={wanted!r})), "
            "or drop region to use the provider's."
        )
    return actual


def provider_region(wanted: str | None, opts: pulumi.InvokeOutputOptions) -> pulumi.Output[str]:
    """Ask the (explicit) provider for its region; a ``region`` that disagrees is refused."""
    answer = aws.get_region_output(opts=opts)
    return answer.region.apply(lambda actual: check_region(wanted, actual))


def _vpc(result: Any) -> VpcInfo:
    return VpcInfo(
        id=result.id,
        cidr_block=result.cidr_block,
        enable_dns_support=bool(result.enable_dns_support),
        enable_dns_hostnames=bool(result.enable_dns_hostnames),
    )


def _subnet(result: Any) -> SubnetInfo:
    return SubnetInfo(
        id=result.id, availability_zone=result.availability_zone, vpc_id=result.vpc_id
    )


def look_up_plan(
    *,
    vpc_id: pulumi.Input[str],
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    allowed_security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    service_name: pulumi.Output[str],
    settings: ResolvedArgs,
    opts: pulumi.InvokeOutputOptions,
) -> pulumi.Output[EndpointPlan]:
    """Look up the VPC, the subnets and the service, and decide the endpoint's placement."""

    def lookup_service(name: str) -> pulumi.Output[Any]:
        return aws.ec2.get_vpc_endpoint_service_output(service_name=name, opts=opts)

    def lookup_subnets(ids: Sequence[pulumi.Input[str]]) -> pulumi.Output[Any]:
        return pulumi.Output.all(*[aws.ec2.get_subnet_output(id=i, opts=opts) for i in ids])

    vpc = aws.ec2.get_vpc_output(id=vpc_id, opts=opts)
    service: pulumi.Output[Any] = service_name.apply(lookup_service)
    subnets: pulumi.Output[Any] = pulumi.Output.from_input(subnet_ids).apply(lookup_subnets)
    groups = pulumi.Output.from_input(allowed_security_group_ids)

    def decide(found: list[Any]) -> EndpointPlan:
        vpc_found, service_found, subnets_found, group_ids = found
        return plan_endpoint(
            service_name=service_found.service_name,
            service_zones=service_found.availability_zones or [],
            vpc=_vpc(vpc_found),
            subnets=[_subnet(s) for s in subnets_found],
            allowed_cidrs=settings.allowed_cidrs,
            allowed_security_group_ids=list(group_ids or []),
            # A VPC the program manages (its id an Output) may be updated by this deployment
            # after a preview's look-up has read it.
            vpc_may_change=pulumi.runtime.is_dry_run() and isinstance(vpc_id, pulumi.Output),
        )

    return pulumi.Output.all(vpc, service, subnets, groups).apply(decide)


def check_acceptance(
    state: str | None, owner_id: str | None, service_name: str, endpoint_id: str
) -> str:
    """The endpoint's live state, or an error where Rockset has not accepted it."""
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
