"""The component's arguments, their validation and their defaults.

:class:`PrivateLinkArgs` is what users write; :func:`resolve_args` checks every plain value and
fills every default, in one place, before the component creates anything.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pulumi

from .errors import ConfigurationError
from .regions import lookup_region
from .steps import ROTATION_SUFFIX

__all__ = [
    "DEFAULT_CHECK_TIMEOUT",
    "PrivateLinkArgs",
    "ResolvedArgs",
    "RocksetHosts",
    "region_settings",
    "resolve_args",
]

DEFAULT_CHECK_TIMEOUT = 900.0
"""Seconds to wait for PrivateLink to answer: the guide says activation "usually takes about
5 minutes", and private DNS can lag behind it."""

# Rockset allowlist entry names travel in URL paths; keep them to a safe, readable alphabet.
_ENTRY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass
class PrivateLinkArgs:
    """Arguments of :class:`rockset_pulumi.PrivateLink`."""

    vpc_id: pulumi.Input[str]
    """The VPC to put the endpoint in. It must have DNS support and DNS hostnames enabled.
    Required."""

    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Subnets for the endpoint's network interfaces, where the callers of Rockset live. Subnets in
    availability zones the Rockset service does not serve are skipped with a warning, and at most
    one subnet per zone is kept. Required, non-empty."""

    region: str | None = None
    """AWS region, which selects Rockset's cluster and endpoint service. Default: the region of
    the AWS provider passed in ``opts``, else the stack's ``aws:region`` config, else
    ``AWS_REGION``/``AWS_DEFAULT_REGION``."""

    allowed_cidrs: Sequence[str] = ()
    """IPv4 CIDR blocks that may reach the endpoint on TCP 443. Default: none; when both this and
    ``allowed_security_group_ids`` are empty, the VPC's CIDR block."""

    allowed_security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = ()
    """Security groups whose members may reach the endpoint on TCP 443. Default: none."""

    api_key: pulumi.Input[str] | None = None
    """Rockset API key used by the checks and the IP allowlist. Wrapped as a Pulumi secret.
    Default: none (no checks, no lockdown)."""

    admin_cidrs: Mapping[str, str] = field(default_factory=dict)
    """Addresses that keep public API access after lockdown, as allowlist entry name -> IPv4
    address or CIDR (the guide's "IP addresses from which administrators might want to access
    their Rockset account"). Default: none."""

    lockdown: bool = False
    """Turn off the public API endpoint with Rockset's IP allowlist (guide step 4) and verify it
    (step 5). Needs ``api_key`` and ``admin_cidrs``. Default: False."""

    checks: bool | None = None
    """Validate connectivity on both endpoints during ``pulumi up`` (guide step 3). Needs
    ``api_key``. Default: True when ``api_key`` is given, else False."""

    check_timeout: float = DEFAULT_CHECK_TIMEOUT
    """Seconds the checks wait for the PrivateLink endpoint to answer. Default: 900."""

    service_name: str | None = None
    """VPC endpoint service name, overriding the region table. Default: Rockset's service for the
    region."""

    public_url: str | None = None
    """Rockset's public API endpoint (https), overriding the region table. Default:
    ``https://api.<cluster>.rockset.com``."""

    privatelink_url: str | None = None
    """Rockset's PrivateLink API endpoint (https), overriding the region table. Default:
    ``https://privatelink.<cluster>.rockset.com``."""

    ca_bundle: str | None = None
    """Path of a PEM file of CA certificates to verify Rockset's TLS certificates with. Default:
    the system's trust store."""

    triggers: Sequence[str] = ()
    """Arbitrary values; changing any of them re-runs the checks on the next ``pulumi up``.
    Default: none."""

    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the security group and the endpoint. Default: none (a ``Name`` tag is added)."""

    price_per_az_hour: float | None = None
    """USD per endpoint per AZ-hour for the ``cost_estimate`` output. Default: the built-in
    table in :mod:`rockset_pulumi.pricing` (no estimate for a region missing from it)."""

    expected_gb_per_month: float = 0.0
    """Data you expect through the endpoint each month, for ``cost_estimate``. Default: 0."""


@dataclass(frozen=True)
class ResolvedArgs:
    """Validated plain settings with every default filled in."""

    region: str | None
    """Known now, or None when it comes from the provider at run time."""
    service_name: str | None
    public_url: str | None
    privatelink_url: str | None
    allowed_cidrs: tuple[str, ...]
    admin_cidrs: Mapping[str, str]
    lockdown: bool
    checks: bool
    check_timeout: float
    ca_bundle: str | None
    triggers: tuple[str, ...]
    tags: Mapping[str, str]
    price_per_az_hour: float | None
    expected_gb_per_month: float


def _fail(what: str, value: object, fix: str) -> ConfigurationError:
    return ConfigurationError(f"Cannot create the PrivateLink: {what} is {value!r}. {fix}")


def _check_cidr(input_name: str, value: object) -> str:
    if not isinstance(value, str):
        raise _fail(input_name, value, "Pass an IPv4 CIDR string such as '10.0.0.0/16'.")
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise _fail(
            input_name,
            value,
            f"It is not a valid CIDR block ({exc}). Pass one such as '10.0.0.0/16'.",
        ) from None
    if net.version != 4:
        raise _fail(input_name, value, "Pass an IPv4 block: Rockset's endpoints are IPv4 only.")
    return str(net)


def _check_url(input_name: str, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise _fail(
            input_name,
            value,
            "Pass an https:// URL such as 'https://api.euc1a1.rockset.com': the API key must "
            "never travel unencrypted.",
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _fail(input_name, value, "Pass the base URL only, without a path or query.")
    return value.rstrip("/")


@dataclass(frozen=True)
class RocksetHosts:
    """The endpoint service and API URLs one stack uses."""

    service_name: str
    public_url: str
    privatelink_url: str


def region_settings(region: str, overrides: ResolvedArgs) -> RocksetHosts:
    """The region table's entry for ``region`` with the user's overrides applied; a region
    outside the table needs all three overrides."""
    if overrides.service_name and overrides.public_url and overrides.privatelink_url:
        return RocksetHosts(overrides.service_name, overrides.public_url, overrides.privatelink_url)
    entry = lookup_region(region)
    return RocksetHosts(
        overrides.service_name or entry.service_name,
        overrides.public_url or entry.api_url,
        overrides.privatelink_url or entry.privatelink_url,
    )


def resolve_args(args: PrivateLinkArgs, *, default_region: str | None) -> ResolvedArgs:
    """Validate every plain input of ``args`` and fill the defaults.

    ``default_region`` is the region known without asking the provider (stack config or
    environment); pass None when a provider in ``opts`` decides it at run time.
    Raises :class:`ConfigurationError` naming the input, its value and the fix.
    """
    if isinstance(args.subnet_ids, Sequence) and not isinstance(args.subnet_ids, str):
        if len(args.subnet_ids) == 0:
            raise _fail(
                "subnet_ids",
                [],
                "Pass at least one subnet in the VPC, ideally one per availability zone.",
            )
    elif isinstance(args.subnet_ids, str):
        raise _fail("subnet_ids", args.subnet_ids, "Pass a list of subnet ids, not one string.")

    allowed = tuple(
        _check_cidr(f"allowed_cidrs[{i}]", cidr) for i, cidr in enumerate(args.allowed_cidrs)
    )
    admin: dict[str, str] = {}
    for entry_name, cidr in args.admin_cidrs.items():
        if not isinstance(entry_name, str) or not _ENTRY_NAME.match(entry_name):
            raise _fail(
                "admin_cidrs key",
                entry_name,
                "Pass a name of letters, digits, '.', '_' or '-' (up to 128 characters, "
                "starting with a letter or digit).",
            )
        if entry_name.endswith(ROTATION_SUFFIX):
            raise _fail(
                "admin_cidrs key",
                entry_name,
                f"Pass a name that does not end in {ROTATION_SUFFIX!r}: that suffix is reserved "
                "for replacing an entry's CIDR (Rockset has no update call).",
            )
        admin[entry_name] = _check_cidr(f"admin_cidrs[{entry_name!r}]", cidr)

    if not isinstance(args.check_timeout, int | float) or args.check_timeout <= 0:
        raise _fail("check_timeout", args.check_timeout, "Pass a positive number of seconds.")

    has_key = args.api_key is not None
    checks = has_key if args.checks is None else bool(args.checks)
    if checks and not has_key:
        raise _fail(
            "checks",
            True,
            "The connectivity checks call Rockset's API: pass api_key, or set checks=False.",
        )
    if args.lockdown:
        if not has_key:
            raise _fail(
                "lockdown",
                True,
                "Turning off the public endpoint calls Rockset's API: pass api_key.",
            )
        if not admin:
            raise _fail(
                "lockdown",
                True,
                "With lockdown and no admin_cidrs nobody could reach the public API again "
                "(the guide keeps administrators' addresses). Pass admin_cidrs, e.g. "
                "{'office': '203.0.113.0/24'}.",
            )
        if not checks:
            raise _fail(
                "checks",
                False,
                "Lockdown is only safe once PrivateLink is proven to work: leave checks on.",
            )

    for name in ("price_per_az_hour", "expected_gb_per_month"):
        amount = getattr(args, name)
        if amount is not None and (not isinstance(amount, int | float) or amount < 0):
            raise _fail(name, amount, "Pass a number of zero or more.")

    ca_bundle = args.ca_bundle
    if ca_bundle is not None and not Path(ca_bundle).is_file():
        raise _fail("ca_bundle", ca_bundle, "Pass the path of an existing PEM file of CAs.")

    region = args.region if args.region is not None else default_region
    if region is not None and (not isinstance(region, str) or not region):
        raise _fail("region", region, "Pass an AWS region name such as 'eu-central-1'.")

    partial = ResolvedArgs(
        region=region,
        service_name=args.service_name,
        public_url=_check_url("public_url", args.public_url),
        privatelink_url=_check_url("privatelink_url", args.privatelink_url),
        allowed_cidrs=allowed,
        admin_cidrs=admin,
        lockdown=bool(args.lockdown),
        checks=checks,
        check_timeout=float(args.check_timeout),
        ca_bundle=ca_bundle,
        triggers=tuple(str(t) for t in args.triggers),
        tags=dict(args.tags),
        price_per_az_hour=args.price_per_az_hour,
        expected_gb_per_month=float(args.expected_gb_per_month),
    )
    if region is None:
        return partial
    hosts = region_settings(region, partial)
    return dataclasses.replace(
        partial,
        service_name=hosts.service_name,
        public_url=hosts.public_url,
        privatelink_url=hosts.privatelink_url,
    )
