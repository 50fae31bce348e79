"""The component's arguments, their validation and their defaults.

:class:`PrivateLinkArgs` is what users write; :func:`resolve_args` checks every plain value and
fills every default, in one place, before the component registers anything. Where the value is
a Pulumi ``Output`` it cannot be read yet: an AWS id (``vpc_id``, ``subnet_ids``,
``allowed_security_group_ids``, ``shared_vpc_ids``) is carried as an Output checked by the same
rule once it resolves, which fails before anything that reads it is created; the component
checks a key given as an Output (:func:`rockset_pulumi.validate.api_key`) before its look-ups.
Region-dependent values (the endpoint service and the API URLs) are resolved by
:mod:`rockset_pulumi.regions`; here they are only what the user gave. The values that the client
and the command line take too (the key, the URLs, the CA bundle) are checked by
:mod:`rockset_pulumi.validate`.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, Literal

import pulumi

from . import validate
from .allowlist import ROTATION_SUFFIX
from .choices import Choices
from .errors import ConfigurationError, InputPath, InputWarning, MapKey
from .regions import HostOverrides
from .sharing import DnsMode, SharedVpc, Sharing, resolve_sharing
from .text import shown
from .watch.settings import ResolvedWatch, Watch, resolve_watch

__all__ = [
    "DEFAULT_CHECK_TIMEOUT",
    "MAX_CHECK_TIMEOUT",
    "PROBES",
    "PrivateLinkArgs",
    "Probe",
    "ResolvedArgs",
    "resolve_args",
]

DEFAULT_CHECK_TIMEOUT = 900.0
"""Seconds to wait for PrivateLink to answer: the guide says activation "usually takes about
5 minutes", and private DNS can lag behind it."""

MAX_CHECK_TIMEOUT = 86_400.0
"""A day: longer than any activation Rockset describes, short enough to be a mistake if asked."""

Probe = Literal["runner", "vpc"]
"""Where the PrivateLink side of steps 3-5 is sent from (see ``PrivateLinkArgs.probe``)."""
PROBES = Choices.of(
    Probe,
    runner="requests from the machine that runs pulumi up, which must be inside the VPC",
    vpc="requests from a Lambda function the component creates in the VPC",
)

# Rockset allowlist entry names travel in URL paths; keep them to a safe, readable alphabet.
_ENTRY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{2,254}")
_ANYWHERE = ipaddress.IPv4Network("0.0.0.0/0")
# Addresses Rockset never sees as a caller's: traffic reaches it from a public address.
_NOT_PUBLIC = tuple(
    ipaddress.IPv4Network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/3",
    )
)


@dataclass
class PrivateLinkArgs:
    """Arguments of :class:`rockset_pulumi.PrivateLink`."""

    vpc_id: pulumi.Input[str]
    """The VPC to put the endpoint in, by its id (``vpc-`` and 8 or 17 lower-case hexadecimal
    digits). It must have DNS support and DNS hostnames enabled. Default: required."""

    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Subnets for the endpoint's network interfaces, where the callers of Rockset live, by id
    (``subnet-`` and 8 or 17 lower-case hexadecimal digits), each once. Subnets in availability
    zones the Rockset service does not serve are skipped with a warning, and at most one subnet
    per zone is kept. Default: required (non-empty)."""

    region: str | None = None
    """AWS region, which selects Rockset's cluster and endpoint service; it must be the AWS
    provider's region. Default: the region of the AWS provider passed in ``opts``, else the
    stack's ``aws:region`` config, else ``AWS_REGION``/``AWS_DEFAULT_REGION``."""

    allowed_cidrs: Sequence[str] = ()
    """IPv4 CIDR blocks that may reach the endpoint on TCP 443. Default: none; when both this and
    ``allowed_security_group_ids`` are empty, the VPC's CIDR block."""

    allowed_security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = ()
    """Security groups whose members may reach the endpoint on TCP 443, by id (``sg-`` and 8 or
    17 lower-case hexadecimal digits), each once. Default: none."""

    api_key: pulumi.Input[str] | None = None
    """Rockset API key used by the checks and the IP allowlist. Made a Pulumi secret. Default:
    none (no checks, no lockdown)."""

    admin_cidrs: Mapping[str, str] = field(default_factory=dict)
    """Addresses that keep public API access after lockdown, as allowlist entry name -> public
    IPv4 address or CIDR (the guide's "IP addresses from which administrators might want to
    access their Rockset account"). Together they must not cover every address; a private or
    loopback range is warned about, as Rockset only sees public addresses. Default: none."""

    lockdown: bool = False
    """Turn off the public API endpoint with Rockset's IP allowlist (guide step 4) and verify it
    (step 5). Needs ``api_key``, ``admin_cidrs`` and ``checks``. Default: False."""

    checks: bool | None = None
    """Validate connectivity on both API endpoints during ``pulumi up`` (guide step 3). Needs
    ``api_key``. Default: True when ``api_key`` is given, else False."""

    check_timeout: float | None = DEFAULT_CHECK_TIMEOUT
    """Seconds the checks wait for the PrivateLink endpoint to answer, at most a day; step 5
    waits at most 120 s of it. Default: 900."""

    probe: Probe = "runner"
    """Where the PrivateLink side of steps 3-5 runs: ``"runner"`` sends it from the machine
    running ``pulumi up``, which must then be inside the VPC; ``"vpc"`` sends it through a small
    Lambda function the component creates in the endpoint's subnets (its own security group, a
    role with only AWSLambdaVPCAccessExecutionRole, a log group kept 1 day), invoked with the
    stack's AWS credentials and region. The public side always runs from this machine.
    Default: ``"runner"``."""

    service_name: str | None = None
    """VPC endpoint service name, overriding the region table. Default: Rockset's service for the
    region."""

    public_url: str | None = None
    """Rockset's public API endpoint (https), overriding the region table. Default:
    ``https://api.<cluster>.rockset.com``."""

    privatelink_url: str | None = None
    """Rockset's PrivateLink API endpoint (https, not the public one), overriding the region
    table. Default: ``https://privatelink.<cluster>.rockset.com``."""

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

    dns: DnsMode = "endpoint"
    """How callers resolve Rockset's PrivateLink name: ``"endpoint"`` turns on the endpoint's
    private DNS, which resolves in its own VPC only (as the guide does); ``"hosted_zone"`` turns
    it off and creates a Route 53 private hosted zone for the name, aliased to the endpoint and
    associated with its VPC and every shared VPC, so that one endpoint serves them all. Default:
    ``"endpoint"``."""

    shared_vpc_ids: Sequence[pulumi.Input[str]] = ()
    """VPCs of the endpoint's account and region that resolve Rockset through the endpoint
    (``dns="hosted_zone"`` only); routing from them to the endpoint's VPC (Transit Gateway or
    peering) is yours. Each VPC's CIDR is admitted on TCP 443 unless ``allowed_cidrs`` or
    ``allowed_security_group_ids`` are given. Ids as ``vpc_id``'s, each VPC once; at most
    299 shared VPCs in all, as Route 53 associates at most 300 VPCs with a private hosted zone.
    Default: none."""

    shared_vpcs: Sequence[SharedVpc] = ()
    """VPCs of other AWS accounts that resolve Rockset through the endpoint (``dns="hosted_zone"``
    only), as ``SharedVpc(vpc_id, provider)`` with the ``aws.Provider`` of the account that owns
    the VPC (the VPC's region is that provider's): the component authorizes the association in
    the endpoint's account and associates it with that provider. Default: none."""

    watch: Watch | None = None
    """Check the lockdown on a schedule between deployments, from a Lambda function beside the
    probe's (needs ``lockdown`` and ``probe="vpc"``), and alarm when it stops holding, as
    ``Watch(api_key, schedule, alarm_actions)`` (see docs/watch.md). Default: none (no
    watcher)."""


@dataclass(frozen=True)
class ResolvedArgs:
    """The arguments, validated, with every default that does not depend on the region filled
    in: what the component's steps read. AWS ids given as Pulumi ``Output`` s are carried as
    Outputs that fail with the refusal once they resolve; the key as given (the component checks
    it before the look-ups)."""

    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    allowed_security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    api_key: pulumi.Input[str] | None = field(repr=False)
    """The key, checked already when it is a plain value."""
    region: str | None
    """The region the user asked for; None to use the provider's."""
    hosts: HostOverrides
    """The service name and URLs the user gave instead of the region table's."""
    allowed_cidrs: tuple[str, ...]
    admin_cidrs: Mapping[str, str]
    lockdown: bool
    checks: bool
    check_timeout: float
    probe: Probe
    ca_bundle: str | None
    triggers: tuple[str, ...]
    tags: Mapping[str, str]
    price_per_az_hour: float | None
    expected_gb_per_month: float
    warnings: tuple[InputWarning, ...] = ()
    """Inputs that are allowed but probably not what the user meant."""
    sharing: Sharing = field(default_factory=Sharing)
    """``dns`` and the shared VPCs."""
    watch: ResolvedWatch | None = None
    """The watcher's schedule, key and alarm actions; None for no watcher."""


def _is_output(value: object) -> bool:
    return isinstance(value, pulumi.Output)


def _string_list(name: str, value: object, example: str) -> tuple[object, ...]:
    """A plain list's items (Outputs among them left for later); refuses a string or a non-list."""
    if _is_output(value):
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError.invalid(
            name, value, f"Pass a list of strings, e.g. [{example!r}]."
        )
    for i, item in enumerate(value):
        if not _is_output(item) and (not isinstance(item, str) or not item.strip()):
            raise ConfigurationError.invalid(
                (name, i), item, f"Pass a non-empty string such as {example!r}."
            )
    return tuple(value)


def _string_map(name: str, value: object, example: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigurationError.invalid(name, value, f"Pass a dict of strings, e.g. {example}.")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise ConfigurationError.invalid(
                (name, MapKey(key)), item, f"Pass a dict of strings, e.g. {example}."
            )
    return dict(value)


def _boolean(name: str, value: object, *, optional: bool = False) -> bool | None:
    # `bool("false")` is True: a string here must never turn a safety on or off by accident.
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise ConfigurationError.invalid(
            name, value, "Pass True or False (a boolean, not a string or number)."
        )
    return value


def _number(name: str, value: object, *, low: float, high: float, fix: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError.invalid(name, value, fix)
    try:
        number = float(value)
    except OverflowError:
        raise ConfigurationError.invalid(name, "<an integer too large for a float>", fix) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ConfigurationError.invalid(name, value, fix)
    return number


def _network(path: InputPath, value: object) -> ipaddress.IPv4Network:
    if not isinstance(value, str):
        raise ConfigurationError.invalid(
            path, value, "Pass an IPv4 CIDR string such as '203.0.113.0/24'."
        )
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ConfigurationError.invalid(
            path, value, f"It is not a valid CIDR block ({exc}). Pass one such as '10.0.0.0/16'."
        ) from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise ConfigurationError.invalid(
            path, value, "Pass an IPv4 block: Rockset's endpoints are IPv4 only."
        )
    return net


def _url(name: str, value: object) -> str | None:
    return None if value is None else validate.https_base_url(value, (name,))


def _hosts(args: PrivateLinkArgs) -> HostOverrides:
    service = args.service_name
    if service is not None and (
        not isinstance(service, str) or not _SERVICE_NAME.fullmatch(service)
    ):
        raise ConfigurationError.invalid(
            "service_name",
            service,
            "Pass a VPC endpoint service name such as "
            "'com.amazonaws.vpce.eu-central-1.vpce-svc-02f409ce75f330219', or leave it unset.",
        )
    return HostOverrides(
        service_name=service,
        public_url=_url("public_url", args.public_url),
        privatelink_url=_url("privatelink_url", args.privatelink_url),
    )


def _entry_name(name: object) -> str:
    def refuse(fix: str) -> ConfigurationError:
        return ConfigurationError.invalid(("admin_cidrs", MapKey(name)), name, fix, of_key=True)

    if not isinstance(name, str) or not _ENTRY_NAME.fullmatch(name):
        raise refuse(
            "Pass a name of letters, digits, '.', '_' or '-' (up to 128 characters, "
            "starting with a letter or digit)."
        )
    if name.endswith(ROTATION_SUFFIX):
        raise refuse(
            f"Pass a name that does not end in {ROTATION_SUFFIX!r}: that suffix is reserved "
            "for replacing an entry's CIDR (Rockset has no update call)."
        )
    return name


def _admin_cidrs(value: object) -> tuple[dict[str, str], list[InputWarning]]:
    """The admin entries (name -> normalized CIDR), and warnings about them."""
    if not isinstance(value, Mapping):
        raise ConfigurationError.invalid(
            "admin_cidrs",
            value,
            "Pass a dict of entry name -> CIDR, e.g. {'office': '203.0.113.0/24'}.",
        )
    entries: dict[str, ipaddress.IPv4Network] = {}
    for name, cidr in value.items():
        key = _entry_name(name)
        entries[key] = _network(("admin_cidrs", MapKey(key)), cidr)
    # Private and reserved space admits nobody (Rockset sees public addresses), so covering all
    # the rest is as open as 0.0.0.0/0.
    if _ANYWHERE in ipaddress.collapse_addresses([*entries.values(), *_NOT_PUBLIC]):
        raise ConfigurationError.invalid(
            "admin_cidrs",
            {k: str(v) for k, v in entries.items()},
            "Together these cover every IPv4 address, which would leave the public endpoint "
            "open to everyone while lockdown reports it closed. Pass only your admins' addresses.",
        )
    warnings = [
        InputWarning(
            ("admin_cidrs", MapKey(name)),
            str(net),
            "a private or loopback range: Rockset sees the public address your traffic leaves "
            "from, so this entry admits nobody.",
        )
        for name, net in entries.items()
        if any(net.subnet_of(block) for block in _NOT_PUBLIC)
    ]
    return {k: str(v) for k, v in entries.items()}, warnings


def _probe(value: object) -> Probe:
    if not isinstance(value, str) or value not in PROBES.values:
        raise ConfigurationError.invalid("probe", value, PROBES.fix())
    return "vpc" if value == "vpc" else "runner"


def _switches(args: PrivateLinkArgs, has_key: bool, admin: Mapping[str, str]) -> tuple[bool, bool]:
    """``(checks, lockdown)``, refusing combinations that would lock out or verify nothing."""
    lockdown = bool(_boolean("lockdown", args.lockdown))
    wanted = _boolean("checks", args.checks, optional=True)
    checks = has_key if wanted is None else wanted
    if checks and not has_key:
        raise ConfigurationError.invalid(
            "checks",
            True,
            "The connectivity checks call Rockset's API: pass api_key, or set checks=False.",
        )
    if not lockdown:
        return checks, lockdown
    if not has_key:
        raise ConfigurationError.invalid(
            "lockdown", True, "Turning off the public endpoint calls Rockset's API: pass api_key."
        )
    if not admin:
        raise ConfigurationError.invalid(
            "lockdown",
            True,
            "With lockdown and no admin_cidrs nobody could reach the public API again "
            "(the guide keeps administrators' addresses). Pass admin_cidrs, e.g. "
            "{'office': '203.0.113.0/24'}.",
        )
    if not checks:
        raise ConfigurationError.invalid(
            "checks",
            False,
            "Lockdown is only safe once PrivateLink is proven to work: leave checks on.",
        )
    return checks, lockdown


@dataclass(frozen=True)
class _IdList:
    """An input that lists AWS ids."""

    name: str
    rule: validate.IdRule
    example: str
    empty: str | None = None
    """Why an empty list is refused; None where it is allowed."""

    def check(self, value: object) -> list[object]:
        """``value``'s plain entries checked (each id's shape, none named twice); Outputs among
        them are left for :meth:`when_known`."""
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ConfigurationError.invalid(
                self.name, shown(value), f"Pass a list of ids, e.g. [{self.example!r}]."
            )
        if not value and self.empty is not None:
            raise ConfigurationError.invalid(self.name, [], self.empty)
        entries = (((self.name, i), item) for i, item in enumerate(value) if not _is_output(item))
        validate.distinct_ids(entries, self.rule)
        return list(value)

    def when_known(
        self, value: pulumi.Input[Sequence[pulumi.Input[str]]]
    ) -> pulumi.Input[Sequence[pulumi.Input[str]]]:
        """``value``, its plain ids checked now; where Outputs give the list or some of its ids,
        the list as an Output that fails with the refusal once they resolve, before anything
        that reads it is created."""
        plain = None if _is_output(value) else self.check(value)
        if plain is not None and not any(_is_output(item) for item in plain):
            return value
        given: pulumi.Output[Any] = pulumi.Output.from_input(value)
        checked: pulumi.Output[Any] = given.apply(self.check)
        return checked


_SUBNET_IDS = _IdList(
    "subnet_ids",
    validate.subnet_id,
    "subnet-0123456789abcdef0",
    empty="Pass at least one subnet in the VPC, ideally one per availability zone.",
)
_GROUP_IDS = _IdList(
    "allowed_security_group_ids", validate.security_group_id, "sg-0123456789abcdef0"
)


def _vpc_id(value: pulumi.Input[str]) -> pulumi.Input[str]:
    """The VPC id, checked now or, from an Output, once it resolves."""
    if _is_output(value):
        return pulumi.Output.from_input(value).apply(validate.vpc_id)
    return validate.vpc_id(value)


def _allowed_cidrs(value: object) -> tuple[str, ...]:
    """``allowed_cidrs`` normalized."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError.invalid(
            "allowed_cidrs", value, "Pass a list of CIDRs, e.g. ['10.0.0.0/16']."
        )
    return tuple(str(_network(("allowed_cidrs", i), cidr)) for i, cidr in enumerate(value))


def _none_as_unset(args: PrivateLinkArgs) -> PrivateLinkArgs:
    """Pulumi's convention, as the engine has it for other languages' ``null``: an optional
    argument given as None is unset, so it takes its default. A required one stays None, to be
    refused by name."""
    unset: dict[str, Any] = {}
    for f in fields(args):
        if getattr(args, f.name) is not None:
            continue
        if f.default is not MISSING:
            unset[f.name] = f.default
        elif f.default_factory is not MISSING:
            unset[f.name] = f.default_factory()
    return replace(args, **unset)


def resolve_args(args: PrivateLinkArgs) -> ResolvedArgs:
    """Validate every plain input of ``args`` and fill the defaults that need no region.

    Raises :class:`ConfigurationError` naming the input, its value and the fix.
    """
    args = _none_as_unset(args)
    vpc_id = _vpc_id(args.vpc_id)
    subnet_ids = _SUBNET_IDS.when_known(args.subnet_ids)
    group_ids = _GROUP_IDS.when_known(args.allowed_security_group_ids)
    allowed = _allowed_cidrs(args.allowed_cidrs)
    admin, warnings = _admin_cidrs(args.admin_cidrs)
    key = args.api_key
    if key is not None and not _is_output(key):
        validate.api_key(key)
    checks, lockdown = _switches(args, key is not None, admin)
    probe = _probe(args.probe)
    if probe == "vpc" and not checks:
        raise ConfigurationError.invalid(
            "probe",
            probe,
            "The probe function only runs the checks, which are off (no api_key, or "
            'checks=False). Pass api_key and leave checks on, or leave probe at "runner".',
        )
    region = args.region
    if region is not None and (not isinstance(region, str) or not region.strip()):
        raise ConfigurationError.invalid(
            "region", region, "Pass an AWS region name such as 'eu-central-1'."
        )
    price = args.price_per_az_hour
    return ResolvedArgs(
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        allowed_security_group_ids=group_ids,
        api_key=key,
        region=region,
        hosts=_hosts(args),
        allowed_cidrs=allowed,
        admin_cidrs=admin,
        lockdown=lockdown,
        checks=checks,
        check_timeout=_number(
            "check_timeout",
            args.check_timeout,
            low=1.0,
            high=MAX_CHECK_TIMEOUT,
            fix=f"Pass a number of seconds from 1 to {MAX_CHECK_TIMEOUT:g}.",
        ),
        probe=probe,
        ca_bundle=validate.ca_bundle(args.ca_bundle),
        triggers=tuple(str(t) for t in _string_list("triggers", args.triggers, "v2")),
        tags=_string_map("tags", args.tags, "{'team': 'data'}"),
        price_per_az_hour=None
        if price is None
        else _number("price_per_az_hour", price, low=0, high=1e6, fix="Pass USD of 0 or more."),
        expected_gb_per_month=_number(
            "expected_gb_per_month",
            args.expected_gb_per_month,
            low=0,
            high=1e12,
            fix="Pass a number of GB of 0 or more.",
        ),
        warnings=tuple(warnings),
        sharing=resolve_sharing(args.dns, args.shared_vpc_ids, args.shared_vpcs, args.vpc_id),
        watch=resolve_watch(args.watch, lockdown=lockdown, probe=probe, deployment_key=key),
    )
