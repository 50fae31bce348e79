"""``rockset-privatelink verify``: steps 3 and 5 of the guide, read-only, from this machine.

For a bastion in the VPC, a CI smoke test or a runbook: the same checks, messages and DNS
diagnosis as the component's, run with the functions of :mod:`rockset_pulumi.steps`, and never a
write to the allowlist. The key comes from an environment variable that ``--api-key-env`` names
(default ``ROCKSET_APIKEY``), never from the command line, and is never printed.

Exit status: 0 when every check asked for holds, 1 when one does not, 2 for a usage error
(nothing was checked).

What it prints is redacted last: every string of ``--json``'s document before it is encoded, and
the encoded output again (which catches the key's JSON-escaped form), or the whole text; then
written so that the terminal's encoding cannot fail on it (what it lacks is escaped, ``\\xe9``).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NoReturn, TextIO
from urllib.parse import urlsplit

from . import validate
from .api import RocksetApi
from .diagnosis import DiagnosisPolicy, DnsExpectation
from .errors import ConfigurationError, RocksetPulumiError
from .regions import REGIONS, HostOverrides, resolve_hosts
from .steps import check_connectivity, verify_lockdown
from .text import clean, redact

__all__ = [
    "API_KEY_ENV",
    "DEFAULT_TIMEOUT",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CheckResult",
    "UsageError",
    "Verification",
    "main",
    "run_checks",
]

PROG = "rockset-privatelink"
API_KEY_ENV = "ROCKSET_APIKEY"
"""The environment variable the key is read from unless ``--api-key-env`` names another."""
DEFAULT_TIMEOUT = 60.0
"""Seconds each check waits for what it expects (PrivateLink answering, the lockdown holding)."""
MAX_TIMEOUT = 86_400.0
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
VERIFY_FIXES = (
    "Fix: run this command on a machine inside the VPC (a bastion or a CI runner there, whose "
    "DNS is the VPC's). `pulumi up` with `probe: vpc` checks PrivateLink from inside the VPC "
    "wherever it runs."
)
"""What the diagnosis proposes here: this command always checks from where it runs."""

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_KEY_FLAGS = ("--api-key", "--apikey", "--key", "--token")
_TEXT_LIMIT = 2000
Status = Literal["pass", "fail", "skipped"]


class UsageError(Exception):
    """The command line cannot be run as given; the message names the input and the fix."""


@dataclass(frozen=True)
class Verification:
    """What to verify, from the command line."""

    api: RocksetApi
    timeout: float
    expect_lockdown: bool
    admin_cidrs: Mapping[str, str] = field(default_factory=dict)
    dns: DnsExpectation | None = None


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome, as printed and as ``--json`` gives it."""

    step: int
    name: str
    status: Status
    summary: str
    """One line for a person."""
    error: str | None = None
    """The failure, as the component would report it."""
    result: Mapping[str, Any] | None = None
    """What the step observed (the component's output for it)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error raises (so that ``main`` decides the exit status) and never
    repeats an unrecognized argument, which could be a key pasted in the wrong place."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments"):
            message = (
                "unrecognized arguments (not repeated here, in case one is a key). See "
                f"`{PROG} verify --help`."
            )
        raise UsageError(message)


def _timeout(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 1 <= seconds <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of seconds from 1 to {MAX_TIMEOUT:g}"
        )
    return seconds


def _address(value: str) -> str:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an IPv4 address. Pass each of the endpoint's network interface "
            "addresses, e.g. --endpoint-address 10.0.1.17 (the component's "
            "network_interface_ids, or `aws ec2 describe-network-interfaces`)"
        ) from None
    if address.version != 4:
        raise argparse.ArgumentTypeError(
            f"{value!r} is IPv6; the endpoint's interfaces have IPv4 addresses"
        )
    return str(address)


def _admin_cidr(value: str) -> tuple[str, str]:
    name, sep, cidr = value.partition("=")
    try:
        network = ipaddress.IPv4Network(cidr.strip(), strict=True) if sep else None
    except ValueError:
        network = None
    if not name.strip() or network is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not NAME=CIDR. Pass an admin entry as the component's admin_cidrs "
            "names it, e.g. --admin-cidr office=203.0.113.0/24"
        )
    return name.strip(), str(network)


def _parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Check Rockset PrivateLink from this machine (read-only).",
        allow_abbrev=False,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    verify = commands.add_parser(
        "verify",
        help="run steps 3 and 5 of Rockset's PrivateLink guide from this machine",
        description=(
            "Steps 3 (both API endpoints answer and accept the key) and, with --expect-lockdown, "
            "5 (the public endpoint refuses the key while PrivateLink accepts it) of Rockset's "
            "PrivateLink guide, from this machine, read-only. Exit status: 0 when every check "
            "holds, 1 when one does not, 2 for a usage error."
        ),
        allow_abbrev=False,
    )
    where = verify.add_argument_group("where Rockset is: --region, or both URLs")
    where.add_argument("--region", help="AWS region, which selects Rockset's cluster")
    where.add_argument("--public-url", help="public API endpoint (overrides)")
    where.add_argument("--privatelink-url", help="PrivateLink API endpoint (overrides)")
    verify.add_argument(
        "--api-key-env",
        default=API_KEY_ENV,
        metavar="NAME",
        help=f"environment variable holding the API key (default {API_KEY_ENV}); never the key",
    )
    verify.add_argument("--ca-bundle", help="PEM file of CAs to verify TLS with")
    verify.add_argument(
        "--timeout",
        type=_timeout,
        default=DEFAULT_TIMEOUT,
        help=f"seconds each check waits for what it expects (default {DEFAULT_TIMEOUT:g})",
    )
    verify.add_argument(
        "--expect-lockdown",
        action="store_true",
        help="also step 5: the public endpoint refuses the key, PrivateLink accepts it",
    )
    verify.add_argument(
        "--admin-cidr",
        type=_admin_cidr,
        action="append",
        default=[],
        metavar="NAME=CIDR",
        help="an admin entry of the allowlist, for step 5's hints (repeatable)",
    )
    verify.add_argument(
        "--endpoint-address",
        type=_address,
        action="append",
        default=[],
        metavar="IPV4",
        help="an address of the VPC endpoint's network interfaces (repeatable): turns on the "
        "diagnosis of a machine that resolves the PrivateLink host elsewhere or not at all",
    )
    verify.add_argument(
        "--private-dns-name",
        help="the endpoint service's private DNS name (default with --region: the region's "
        "PrivateLink host)",
    )
    verify.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def _refuse_key_flags(argv: Sequence[str]) -> None:
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if flag in _KEY_FLAGS:
            raise UsageError(
                f"{flag} is not accepted: a key on the command line ends up in shell history "
                "and process lists. Put it in an environment variable and name that with "
                f"--api-key-env (default {API_KEY_ENV})."
            )


def _looks_like_a_key(name: str) -> bool:
    """Environment variable names are short words; a key is a long mix of cases and digits."""
    mixed = any(c.islower() for c in name) and any(c.isupper() for c in name)
    return len(name) >= 24 and mixed and any(c.isdigit() for c in name)


def _api_key(name: str, environ: Mapping[str, str]) -> str:
    pasted = name not in environ and name in environ.values()
    if pasted or not _ENV_NAME.fullmatch(name) or _looks_like_a_key(name):
        # Never repeated: it may be the key itself (`--api-key-env "$ROCKSET_APIKEY"`).
        raise UsageError(
            "--api-key-env takes the name of an environment variable (such as "
            f"{API_KEY_ENV}), not the key; the value given is not shown. Put the key in that "
            "variable."
        )
    key = environ.get(name)
    if not key:
        raise UsageError(
            f"the environment variable {name} (--api-key-env) is not set or empty. Set it to "
            "the Rockset API key, e.g. `read -rs ROCKSET_APIKEY && export ROCKSET_APIKEY`."
        )
    return validate.api_key(key, (name,), action=None)


def _url(value: str | None, flag: str) -> str | None:
    return None if value is None else validate.https_base_url(value, (flag,), action=None)


def _hosts(args: argparse.Namespace) -> tuple[str, str, str | None]:
    """(public URL, PrivateLink URL, private DNS name) from --region and the URL overrides."""
    public_url = _url(args.public_url, "--public-url")
    privatelink_url = _url(args.privatelink_url, "--privatelink-url")
    if args.region is None:
        if public_url is None or privatelink_url is None:
            raise UsageError(
                "say where Rockset is: --region (e.g. --region eu-central-1), or both "
                "--public-url and --privatelink-url."
            )
        if public_url.lower() == privatelink_url.lower():
            raise UsageError(
                f"--privatelink-url is {privatelink_url!r}, the same endpoint as "
                "--public-url. Pass the PrivateLink host (https://privatelink.<cluster>."
                "rockset.com)."
            )
        return public_url, privatelink_url, args.private_dns_name
    overrides = HostOverrides(public_url=public_url, privatelink_url=privatelink_url)
    try:
        hosts = resolve_hosts(args.region, overrides)
    except ConfigurationError as exc:
        raise UsageError(f"--region: {exc}") from None
    table_host = urlsplit(REGIONS[args.region].privatelink_url).hostname
    return hosts.public_url, hosts.privatelink_url, args.private_dns_name or table_host


def verification(args: argparse.Namespace, environ: Mapping[str, str]) -> Verification:
    """What the command line asks for, every input checked; raises :class:`UsageError`, or
    :class:`ConfigurationError` naming the flag (or the key's variable) for a value that the
    component and the client refuse too."""
    public_url, privatelink_url, private_dns_name = _hosts(args)
    key = _api_key(args.api_key_env, environ)
    ca_bundle = validate.ca_bundle(args.ca_bundle, ("--ca-bundle",), action=None)
    api = RocksetApi(public_url, privatelink_url, key, ca_bundle)
    if args.admin_cidr and not args.expect_lockdown:
        raise UsageError("--admin-cidr only serves step 5's hints: add --expect-lockdown.")
    dns = (
        DnsExpectation.of(privatelink_url, private_dns_name, args.endpoint_address)
        if args.endpoint_address
        else None
    )
    return Verification(
        api=api,
        timeout=args.timeout,
        expect_lockdown=args.expect_lockdown,
        admin_cidrs=dict(args.admin_cidr),
        dns=dns,
    )


def _connected(result: Mapping[str, Any], expect_lockdown: bool) -> str:
    private, public = result["privatelink"], result["public"]
    user = f"user {private['user_email']}, " if private.get("user_email") else ""
    said = f"{private['url']} accepted the key ({user}{private['attempts']} attempt(s))"
    if public["authenticated"]:
        return f"PrivateLink {said}; public {public['url']} answered and accepted the key"
    why = ", as lockdown expects" if expect_lockdown else ""
    return f"PrivateLink {said}; public {public['url']} answered GET / and refuses the key{why}"


def run_checks(request: Verification) -> list[CheckResult]:
    """Step 3, then (with ``expect_lockdown``) step 5, with the component's own functions."""
    api = request.api
    try:
        connectivity = check_connectivity(
            api,
            request.timeout,
            public_may_refuse_key=request.expect_lockdown,
            dns=request.dns,
            diagnosis=DiagnosisPolicy(fixes=VERIFY_FIXES),
        )
    except RocksetPulumiError as exc:
        results = [CheckResult(3, "connectivity", "fail", "step 3 failed", error=str(exc))]
    else:
        summary = _connected(connectivity, request.expect_lockdown)
        results = [CheckResult(3, "connectivity", "pass", summary, result=connectivity)]
    if not request.expect_lockdown:
        return results
    if results[0].status == "fail":
        skipped = "not run: step 3 failed, and step 5 needs PrivateLink to accept the key"
        return [*results, CheckResult(5, "lockdown", "skipped", skipped)]
    try:
        status = verify_lockdown(api, request.admin_cidrs, request.timeout)
    except RocksetPulumiError as exc:
        return [*results, CheckResult(5, "lockdown", "fail", "step 5 failed", error=str(exc))]
    summary = (
        f"public {api.public_url} refuses the key while PrivateLink {api.privatelink_url} "
        "accepts it"
    )
    return [*results, CheckResult(5, "lockdown", "pass", summary, result=status.as_output())]


def _text(results: Sequence[CheckResult], request: Verification) -> str:
    lines = [
        f"{PROG} verify: public {request.api.public_url}, PrivateLink {request.api.privatelink_url}"
    ]
    for check in results:
        lines.append(f"{check.status.upper():7} step {check.step}  {check.name}: {check.summary}")
        if check.error:
            lines.append(f"        {check.error}")
    failed = [c for c in results if c.status != "pass"]
    lines.append(
        "All checks hold."
        if not failed
        else f"{len(failed)} of {len(results)} checks did not hold."
    )
    return "\n".join(lines)


def _redacted(value: object, key: str) -> object:
    """``value`` (a JSON-like document) with the key redacted from every string in it."""
    if isinstance(value, str):
        return redact(value, key)
    if isinstance(value, Mapping):
        return {_redacted(k, key): _redacted(v, key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, key) for item in value]
    return value


def _json(results: Sequence[CheckResult], request: Verification) -> str:
    document = {
        "ok": all(c.status == "pass" for c in results),
        "public_url": request.api.public_url,
        "privatelink_url": request.api.privatelink_url,
        "diagnosis": request.dns is not None,
        "checks": [asdict(c) for c in results],
    }
    # Redacted before encoding: JSON writes a '"' or '\\' of the key otherwise.
    return json.dumps(_redacted(document, request.api.api_key), indent=2, sort_keys=True)


def _possible_keys(argv: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """What a usage error must not repeat: the keys in the environment variables named, and any
    value on the command line that looks like a key (pasted where another value belongs, while
    the variable may be unset)."""
    names = [API_KEY_ENV]
    pasted = []
    for i, arg in enumerate(argv):
        if arg == "--api-key-env" and i + 1 < len(argv):
            names.append(argv[i + 1])
        elif arg.startswith("--api-key-env="):
            names.append(arg.split("=", 1)[1])
        value = arg.split("=", 1)[1] if arg.startswith("--") and "=" in arg else arg
        if _looks_like_a_key(value):
            pasted.append(value)
    return [*(environ[name] for name in names if environ.get(name)), *pasted]


def _emit(text: str, stream: TextIO) -> None:
    """Write ``text`` and a newline in what ``stream``'s encoding can carry: a character it
    lacks is written as its escape (``\\xe9``), where print() would raise."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """The console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environ is None else environ
    try:
        _refuse_key_flags(argv)
        args = _parser().parse_args(argv)
        request = verification(args, environ)
    except (UsageError, ConfigurationError) as exc:
        message = clean(f"{PROG} verify: error: {exc}", _TEXT_LIMIT)
        for key in _possible_keys(argv, environ):
            # A key may have been pasted where another value belongs, and repeated by argparse.
            message = redact(message, key)
        _emit(message, sys.stderr)
        return EXIT_USAGE
    results = run_checks(request)
    rendered = _json(results, request) if args.json else _text(results, request)
    # Every message is cleaned where it is made; this holds the whole output to the same rule,
    # last (and catches the key's JSON-escaped form in --json's).
    _emit(redact(rendered, request.api.api_key), sys.stdout)
    return EXIT_OK if all(c.status == "pass" for c in results) else EXIT_FAILED
