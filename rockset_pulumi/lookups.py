"""What the component asks AWS before and after creating the endpoint, and what the answers mean.

- :func:`look_up_plan`: the VPC, the subnets and the endpoint service, turned into an
  :class:`~rockset_pulumi.planning.EndpointPlan` (every child waits for it, so a bad subnet fails
  ``pulumi preview`` with nothing sent to AWS).
- :func:`is_unseen_service`, :func:`unseen_service_error`: a service look-up that AWS answers with
  ``InvalidServiceName``; for Rockset's own service that is the guide's step 1 not done.
- :func:`provider_region`: the region of an explicit AWS provider, checked against ``region``.
- :func:`provider_profile`: the named AWS profile the stack's AWS provider uses, for invoking the
  probe function (``probe: vpc``) as that provider would.
- :func:`check_acceptance`: the endpoint's live state; ``pendingAcceptance`` is the guide's step 1
  not finished (Rockset has not accepted the connection), which pulumi-aws itself does not treat
  as an error.
- :func:`look_up_dns_expectation`: what the PrivateLink host resolves to inside the VPC (the
  endpoint's network interface addresses), for step 3's diagnosis.
- :func:`invoke_plain` and :func:`vpc_info`: a look-up whose failure the caller explains, and a
  VPC as a look-up describes it (the hosted zone's look-ups use them too).
- :func:`look_up_input`, :func:`look_up_vpc` and :func:`look_up_failed`: the look-up of an id
  the user gave; any failure (no such VPC or subnet, access denied, throttling) is a
  :class:`ConfigurationError` naming that input (``subnet_ids[1]``, ``shared_vpc_ids[0]``), with
  AWS's answer shortened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi
import pulumi_aws as aws

from .diagnosis import DnsExpectation
from .errors import ConfigurationError, InputPath, RocksetPulumiError, VerificationError
from .planning import EndpointPlan, SubnetInfo, VpcInfo, plan_endpoint
from .regions import REGIONS
from .text import clean, shown

__all__ = [
    "INVALID_SERVICE_NAME",
    "check_acceptance",
    "check_region",
    "invoke_plain",
    "is_unseen_service",
    "look_up_dns_expectation",
    "look_up_failed",
    "look_up_input",
    "look_up_plan",
    "look_up_vpc",
    "provider_profile",
    "provider_region",
    "unseen_service_error",
    "vpc_info",
]

INVALID_SERVICE_NAME = "InvalidServiceName"
"""AWS's error code for a VPC endpoint service the caller cannot see."""

_GET_VPC_ENDPOINT_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"
_GET_VPC = "aws:ec2/getVpc:getVpc"
_GET_SUBNET = "aws:ec2/getSubnet:getSubnet"
_ANSWER_LIMIT = 300

_T = TypeVar("_T")


def check_region(wanted: str | None, actual: str) -> str:
    """The provider's region ``actual``, unless the user asked for another one."""
    if wanted is not None and wanted != actual:
        fix = (
            f"Pass a provider for {wanted} in opts (aws.Provider(region={wanted!r})), or drop "
            "region to use the provider's."
        )
        raise ConfigurationError(
            f"Cannot create the PrivateLink: region is {wanted!r} but the AWS provider deploys to "
            f"{actual!r}. {fix}",
            path=("region",),
            shown_value=wanted,
            fix=fix,
        )
    return actual


def provider_region(wanted: str | None, opts: pulumi.InvokeOutputOptions) -> pulumi.Output[str]:
    """Ask the (explicit) provider for its region; a ``region`` that disagrees is refused."""
    answer = aws.get_region_output(opts=opts)
    return answer.region.apply(lambda actual: check_region(wanted, actual))


def provider_profile(opts: pulumi.ResourceOptions | None) -> pulumi.Input[str | None]:
    """The ``profile`` of the AWS provider the component's children use: an explicit provider's
    (``opts.provider``, or the ``aws`` entry of ``opts.providers``), else the stack's
    ``aws:profile`` config; None where none is set (boto3's default chain, ``AWS_PROFILE``
    included, then decides, as it does for the provider)."""
    provider: pulumi.ProviderResource | None = None
    if opts is not None:
        candidates: list[Any] = [opts.provider]
        if isinstance(opts.providers, Mapping):
            candidates.append(opts.providers.get("aws"))
        elif opts.providers:
            candidates += list(opts.providers)
        provider = next(
            (p for p in candidates if p is not None and getattr(p, "package", None) == "aws"),
            None,
        )
    if provider is None:
        return pulumi.Config("aws").get("profile")
    profile: pulumi.Output[str | None] | None = getattr(provider, "profile", None)
    return profile


async def invoke_plain(
    token: str, args: Mapping[str, Any], opts: pulumi.InvokeOutputOptions, typ: type[_T]
) -> _T:
    """pulumi-aws's function ``token`` as a plain invoke, not its ``*_output`` form: the SDK fails
    the program at exit for every Output that failed, even one whose failure the caller caught
    and explained.

    It asks the aws plugin version of the component's resources, as pulumi-aws's generated
    functions do, so that a program on another AWS version does not answer the component's
    look-ups with one provider and create its resources with another. Only pulumi-aws's private
    ``_utilities`` has that version, so this is the one place that reaches into it. (Merging the
    defaults under ``opts`` would not do: an ``InvokeOutputOptions`` carries the version ``""``,
    which overrides them.)"""
    defaults = aws._utilities.get_invoke_opts_defaults()
    plain = pulumi.InvokeOptions(
        parent=opts.parent,
        provider=opts.provider,
        version=opts.version or defaults.version,
        plugin_download_url=opts.plugin_download_url or defaults.plugin_download_url,
    )
    found: _T = await pulumi.runtime.invoke_async(token, dict(args), opts=plain, typ=typ)
    return found


async def look_up_input(
    token: str,
    args: Mapping[str, Any],
    opts: pulumi.InvokeOutputOptions,
    typ: type[_T],
    *,
    path: InputPath,
    value: str,
) -> _T:
    """:func:`invoke_plain` for the id ``value`` that the input at ``path`` gave; a failure is
    refused naming that input (:func:`look_up_failed`)."""
    try:
        return await invoke_plain(token, args, opts, typ)
    except Exception as error:
        raise look_up_failed(path, value, error) from None


def look_up_failed(path: InputPath, value: str, error: Exception) -> ConfigurationError:
    """The refusal of the id ``value`` at ``path`` that AWS failed to look up, with AWS's answer
    shortened and cleaned."""
    answer = clean(str(error), _ANSWER_LIMIT)
    return ConfigurationError.invalid(
        path,
        shown(value),
        f"AWS could not look it up: {answer} Check the id, and that the AWS provider deploys to "
        "its account and region with credentials that may describe it. Nothing was created.",
    )


async def look_up_vpc(vpc_id: str, path: InputPath, opts: pulumi.InvokeOutputOptions) -> VpcInfo:
    """The VPC that the input at ``path`` names."""
    found = await look_up_input(
        _GET_VPC, {"id": vpc_id}, opts, aws.ec2.GetVpcResult, path=path, value=vpc_id
    )
    return vpc_info(found)


def vpc_info(result: Any) -> VpcInfo:
    """A VPC as ``getVpc`` describes it."""
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


def is_unseen_service(error_text: str) -> bool:
    """Whether a failed service look-up is AWS's ``InvalidServiceName``. AWS answers so for a
    service that does not exist in the region, and equally for one whose allowed principals
    leave this account out, as Rockset's do until step 1."""
    return INVALID_SERVICE_NAME in error_text


def unseen_service_error(service_name: str, region: str, account_id: str) -> RocksetPulumiError:
    """What an ``InvalidServiceName`` means for ``service_name``: for the region table's service,
    the guide's step 1 not done; for a service_name the user gave, most likely a wrong name."""
    entry = REGIONS.get(region)
    if entry is not None and entry.service_name == service_name:
        return VerificationError(
            f"Step 1 of Rockset's PrivateLink guide was not done: AWS account {account_id} cannot "
            f"see Rockset's endpoint service {service_name} in {region} (AWS answers "
            f"{INVALID_SERVICE_NAME} until Rockset registers the account). Give this account id "
            f"to your Rockset solutions architect to register it, then run `pulumi up` again. "
            "Nothing was created or changed."
        )
    drop = "" if entry is None else f", or drop it to use Rockset's service for {region}"
    fix = (
        "Usually it is another region's service (an endpoint connects only within its region), "
        "its owner has not shared it with this account (for Rockset: give account "
        f"{account_id} to your solutions architect), or the name has a typo. Check service_name "
        f"against the name Rockset gave you{drop}. Nothing was created or changed."
    )
    return ConfigurationError(
        f"Cannot create the PrivateLink: service_name is {service_name!r}, a VPC endpoint service "
        f"that AWS account {account_id} cannot see in {region} (AWS answers "
        f"{INVALID_SERVICE_NAME}). {fix}",
        path=("service_name",),
        shown_value=service_name,
        fix=fix,
    )


async def _visible_service(
    name: str, region: str, opts: pulumi.InvokeOutputOptions
) -> aws.ec2.GetVpcEndpointServiceResult:
    """The service look-up, with ``InvalidServiceName`` explained; other failures unchanged."""
    try:
        found = await invoke_plain(
            _GET_VPC_ENDPOINT_SERVICE,
            {"serviceName": name},
            opts,
            aws.ec2.GetVpcEndpointServiceResult,
        )
    except Exception as error:
        if not is_unseen_service(str(error)):
            raise
        # Asked only now: the account matters only to this message.
        account = await aws.get_caller_identity_output(opts=opts).account_id.future()
        raise unseen_service_error(name, region, str(account)) from error
    return found


def look_up_plan(
    *,
    vpc_id: pulumi.Input[str],
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    allowed_security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    allowed_cidrs: Sequence[str],
    service_name: pulumi.Output[str],
    region: pulumi.Output[str],
    opts: pulumi.InvokeOutputOptions,
) -> pulumi.Output[EndpointPlan]:
    """Look up the VPC, the subnets and the service, and decide the endpoint's placement."""

    def lookup_service(found: list[str]) -> Awaitable[aws.ec2.GetVpcEndpointServiceResult]:
        name, in_region = found
        return _visible_service(name, in_region, opts)

    async def lookup_subnets(ids: Sequence[str]) -> list[Any]:
        return list(
            await asyncio.gather(
                *[
                    look_up_input(
                        _GET_SUBNET,
                        {"id": subnet},
                        opts,
                        aws.ec2.GetSubnetResult,
                        path=("subnet_ids", i),
                        value=subnet,
                    )
                    for i, subnet in enumerate(ids)
                ]
            )
        )

    def lookup_vpc(given: str) -> Awaitable[VpcInfo]:
        return look_up_vpc(given, ("vpc_id",), opts)

    vpc_given: pulumi.Output[str] = pulumi.Output.from_input(vpc_id)
    vpc: pulumi.Output[VpcInfo] = vpc_given.apply(lookup_vpc)
    service: pulumi.Output[Any] = pulumi.Output.all(service_name, region).apply(lookup_service)
    subnets_given: pulumi.Output[Any] = pulumi.Output.from_input(subnet_ids)
    subnets: pulumi.Output[Any] = subnets_given.apply(lookup_subnets)
    groups = pulumi.Output.from_input(allowed_security_group_ids)

    def decide(found: list[Any]) -> EndpointPlan:
        vpc_found, service_found, subnets_found, group_ids = found
        return plan_endpoint(
            service_name=service_found.service_name,
            service_zones=service_found.availability_zones or [],
            vpc=vpc_found,
            subnets=[_subnet(s) for s in subnets_found],
            allowed_cidrs=allowed_cidrs,
            allowed_security_group_ids=list(group_ids or []),
            # A VPC the program manages (its id an Output) may be updated by this deployment
            # after a preview's look-up has read it.
            vpc_may_change=pulumi.runtime.is_dry_run() and isinstance(vpc_id, pulumi.Output),
            private_dns_name=service_found.private_dns_name,
        )

    return pulumi.Output.all(vpc, service, subnets, groups).apply(decide)


def check_acceptance(
    state: str | None, owner_id: str | None, service_name: str, endpoint_id: str
) -> str:
    """The endpoint's live state, or an error where Rockset has not accepted it."""
    if state == "pendingAcceptance":
        raise VerificationError(
            f"The VPC endpoint {endpoint_id} to {service_name} is waiting for Rockset to accept "
            f"it (state pendingAcceptance). Step 1 of Rockset's PrivateLink guide is not "
            f"finished: AWS account {owner_id} sees the service, but Rockset has not accepted "
            f"this connection yet. Ask your Rockset solutions architect to accept endpoint "
            f"{endpoint_id} from account {owner_id}, then run `pulumi up` again (the endpoint is "
            "kept)."
        )
    if state in ("rejected", "failed", "deleted", "deleting", "expired"):
        raise VerificationError(
            f"The VPC endpoint {endpoint_id} to {service_name} is {state}. Check with Rockset "
            f"support that AWS account {owner_id} is registered for this service, then replace "
            "the endpoint (`pulumi up --replace` on it)."
        )
    return state or "unknown"


def _interface_addresses(interface: aws.ec2.GetNetworkInterfaceResult) -> list[str]:
    """A network interface's IPv4 addresses: every private one, else the primary one."""
    return [a for a in (interface.private_ips or [interface.private_ip]) if a]


def look_up_dns_expectation(
    *,
    endpoint: pulumi.Output[aws.ec2.GetVpcEndpointResult],
    state: pulumi.Output[str],
    privatelink_url: pulumi.Output[str],
    private_dns_name: pulumi.Output[str | None],
    zone_resolves: bool,
    opts: pulumi.InvokeOutputOptions,
) -> pulumi.Output[dict[str, Any] | None]:
    """What the PrivateLink host resolves to inside the VPC, as a dynamic resource's input.

    Known once AWS reports the endpoint ``available`` with private DNS on (or with
    ``zone_resolves``: the shared hosted zone's alias answers the name): the addresses of its
    network interfaces (one look-up each) and the service's private DNS name. None otherwise,
    which turns step 3's diagnosis off. Unknown in preview, like the endpoint.
    """

    def expect(found: list[Any]) -> pulumi.Output[dict[str, Any] | None] | None:
        live, live_state, url, dns_name = found
        if live_state != "available" or not (live.private_dns_enabled or zone_resolves):
            return None
        interfaces = [
            aws.ec2.get_network_interface_output(id=interface_id, opts=opts)
            for interface_id in sorted(live.network_interface_ids or [])
        ]

        def expectation(described: list[aws.ec2.GetNetworkInterfaceResult]) -> dict[str, Any]:
            addresses = [a for interface in described for a in _interface_addresses(interface)]
            return DnsExpectation.of(url, dns_name, addresses).as_props()

        return pulumi.Output.all(*interfaces).apply(expectation)

    return pulumi.Output.all(endpoint, state, privatelink_url, private_dns_name).apply(expect)
