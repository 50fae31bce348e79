"""Steps 3 to 5 of Rockset's PrivateLink guide as plain functions over the API client.

- :func:`check_connectivity` (step 3): ping and an authenticated call on both endpoints, at once,
  waiting for the PrivateLink endpoint to come up.
- :func:`reconcile_allowlist` (step 4): makes the organization's IP allowlist hold the admin
  entries, behind a lock-out guard, creating before deleting.
- :func:`observe_lockdown` / :func:`verify_lockdown` (step 5): the public endpoint refuses the key
  while PrivateLink accepts it.

The dynamic providers in :mod:`rockset_pulumi.providers` are thin wrappers over these.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from .client import RocksetClient
from .errors import (
    ApiError,
    AuthenticationError,
    RateLimitedError,
    RocksetPulumiError,
    ServerError,
    TransportError,
    VerificationError,
)
from .polling import PollPolicy

__all__ = [
    "AllowlistChange",
    "Endpoints",
    "LockdownStatus",
    "Probe",
    "WaitPolicy",
    "check_connectivity",
    "observe_lockdown",
    "reconcile_allowlist",
    "verify_lockdown",
]

ROTATION_SUFFIX = "-next"
"""Rockset has no update call and names are unique, so a changed CIDR is first added under
``<name>-next``; the old entry goes only once its replacement is in place."""

ALLOWLIST_DESCRIPTION = "Managed by rockset-pulumi: keeps public API access after lockdown"

_LIKELY_CAUSES = (
    "Likely causes: `pulumi up` runs outside the VPC (the PrivateLink host resolves and answers "
    "only inside it); the endpoint's security group does not admit this machine on TCP 443; "
    "private DNS is off or not yet propagated; the AWS account is not registered with Rockset "
    "(the endpoint stays pendingAcceptance)."
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class WaitPolicy:
    """How long and how often to poll an endpoint that is not answering yet.

    Polls back off from ``initial`` to at most ``ceiling`` seconds so that readiness is seen within
    about ``ceiling`` seconds of happening.
    """

    timeout: float
    initial: float = 0.2
    ceiling: float = 1.0
    multiplier: float = 1.6


@dataclass(frozen=True)
class Endpoints:
    """Where Rockset is and how to talk to it. The key is left out of ``repr``."""

    public_url: str
    privatelink_url: str
    api_key: str = field(repr=False)
    ca_bundle: str | None = None

    def client(self, url: str, *, deadline: float, attempts: int = 3) -> RocksetClient:
        return RocksetClient(
            url,
            self.api_key,
            ca_bundle=self.ca_bundle,
            timeout=min(10.0, deadline),
            deadline=deadline,
            retry=PollPolicy(
                max_attempts=attempts, initial=0.2, ceiling=2.0, multiplier=2.0, jitter=0.5
            ),
        )


@dataclass(frozen=True)
class Probe:
    """What one endpoint answered: ``GET /`` and ``users/self``."""

    url: str
    reachable: bool
    authenticated: bool
    user_email: str | None
    user_state: str | None
    latency_ms: float
    attempts: int
    error: str | None

    def as_output(self) -> dict[str, Any]:
        return asdict(self)


_TRANSIENT = (TransportError, ServerError, RateLimitedError)


def _probe_once(endpoints: Endpoints, url: str, deadline: float) -> tuple[bool, Probe]:
    """One ping and one authenticated call; returns (transient failure?, result)."""
    started = time.monotonic()
    reachable = False
    try:
        with endpoints.client(url, deadline=deadline, attempts=1) as client:
            client.ping()
            reachable = True
            user = client.current_user()
    except RocksetPulumiError as exc:
        probe = Probe(url, reachable, False, None, None, _ms(started), 1, str(exc))
        return isinstance(exc, _TRANSIENT), probe
    return False, Probe(url, True, True, user.email, user.state, _ms(started), 1, None)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def wait_for(
    endpoints: Endpoints,
    url: str,
    policy: WaitPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Probe:
    """Probe ``url`` until it answers or ``policy.timeout`` passes; transient errors are retried."""
    give_up = time.monotonic() + policy.timeout
    delay = policy.initial
    attempts = 0
    while True:
        attempts += 1
        remaining = max(0.05, give_up - time.monotonic())
        transient, probe = _probe_once(endpoints, url, remaining)
        probe = dataclasses.replace(probe, attempts=attempts)
        if not transient or time.monotonic() + delay >= give_up:
            return probe
        sleep(delay)
        delay = min(policy.ceiling, delay * policy.multiplier)


def check_connectivity(
    endpoints: Endpoints, policy: WaitPolicy, *, public_may_refuse_key: bool
) -> dict[str, Any]:
    """Step 3: both endpoints answer ``GET /`` and accept the key; probed at the same time.

    ``public_may_refuse_key`` is set once lockdown is configured: the public endpoint then refuses
    the key by design, and only its ``GET /`` is required.
    Raises :class:`VerificationError` naming the endpoint, what was tried and the last error.
    """
    public_policy = WaitPolicy(timeout=min(policy.timeout, 30.0))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rockset-probe") as pool:
        private = pool.submit(wait_for, endpoints, endpoints.privatelink_url, policy)
        public = pool.submit(wait_for, endpoints, endpoints.public_url, public_policy)
        private_probe, public_probe = private.result(), public.result()

    if not private_probe.authenticated:
        raise VerificationError(
            f"Step 3 failed: the PrivateLink endpoint {endpoints.privatelink_url} did not accept "
            f"the API key within {policy.timeout:g} s ({private_probe.attempts} attempts of GET / "
            f"and GET /v1/orgs/self/users/self). Last error: {private_probe.error} "
            + (
                "The endpoint answered but refused the key: check api_key."
                if private_probe.reachable
                else _LIKELY_CAUSES
            )
        )
    public_refused = public_probe.reachable and not public_probe.authenticated
    if not public_probe.reachable or (public_refused and not public_may_refuse_key):
        raise VerificationError(
            f"Step 3 failed: the public endpoint {endpoints.public_url} "
            + (
                "did not answer GET /"
                if not public_probe.reachable
                else "answered GET / but refused the API key"
            )
            + f". Last error: {public_probe.error} Check public_url, outbound internet access "
            "from this machine, and api_key (PrivateLink accepted it)."
        )
    return {
        "public": public_probe.as_output(),
        "privatelink": private_probe.as_output(),
        "checked_at": _now(),
    }


@dataclass(frozen=True)
class AllowlistChange:
    """One call :func:`reconcile_allowlist` made, in order."""

    action: str
    name: str
    ip_address: str


def _guard(endpoints: Endpoints, deadline: float) -> None:
    """Lock-out guard: prove PrivateLink works with the key before touching the allowlist."""
    try:
        with endpoints.client(endpoints.privatelink_url, deadline=deadline) as client:
            client.current_user()
    except RocksetPulumiError as exc:
        raise VerificationError(
            f"Lock-out guard: the IP allowlist was left unchanged because an authenticated call "
            f"through PrivateLink ({endpoints.privatelink_url}) failed: {exc} Changing the "
            "allowlist now could leave no working path to Rockset. Fix PrivateLink access "
            "(see the connectivity check) and run `pulumi up` again."
        ) from exc


def _same(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return a == b


def reconcile_allowlist(
    endpoints: Endpoints,
    desired: Mapping[str, str],
    owned: frozenset[str],
    *,
    deadline: float = 60.0,
) -> tuple[dict[str, str], list[AllowlistChange]]:
    """Step 4: make the allowlist hold ``desired`` (name -> CIDR), through PrivateLink.

    ``owned`` names the entries this resource created or adopted earlier; only those may be
    changed or deleted. An entry already present with the same CIDR is adopted. Creates come
    before deletes, so the list never passes through empty (which would re-open the public
    endpoint) and never lacks an admin address. Safe to run again after a failure part-way.
    Returns the entries now owned and the calls made.
    """
    _guard(endpoints, deadline)
    changes: list[AllowlistChange] = []
    with endpoints.client(endpoints.privatelink_url, deadline=deadline) as client:
        live = {e.name: e.ip_address for e in client.list_ip_allowlist()}
        for name, cidr in desired.items():
            if name in live and not _same(live[name], cidr) and name not in owned:
                raise VerificationError(
                    f"Cannot manage allowlist entry {name!r}: Rockset already has an entry of "
                    f"that name for {live[name]} that this stack did not create, and admin_cidrs "
                    f"asks for {cidr}. Rename the entry in admin_cidrs, or delete the existing "
                    "one in Rockset if it is stale."
                )

        def create(name: str, cidr: str) -> None:
            client.create_ip_allowlist(name, cidr, ALLOWLIST_DESCRIPTION)
            live[name] = cidr
            changes.append(AllowlistChange("create", name, cidr))

        def delete(name: str) -> None:
            changes.append(AllowlistChange("delete", name, live.pop(name)))
            client.delete_ip_allowlist(name)

        for name, cidr in desired.items():
            if name not in live:
                create(name, cidr)
            elif not _same(live[name], cidr):
                staging = name + ROTATION_SUFFIX
                if staging in live and not _same(live[staging], cidr):
                    delete(staging)
                if staging not in live:
                    create(staging, cidr)
                delete(name)
                create(name, cidr)
        for name in sorted(owned - desired.keys()):
            if name in live:
                delete(name)
        for name in sorted(desired):
            staging = name + ROTATION_SUFFIX
            if staging in live and staging not in desired:
                delete(staging)
    return {name: live[name] for name in desired}, changes


def read_allowlist(
    endpoints: Endpoints, names: frozenset[str], *, deadline: float = 60.0
) -> dict[str, str]:
    """The live CIDR of each of ``names`` that still exists (for refresh)."""
    with endpoints.client(endpoints.privatelink_url, deadline=deadline) as client:
        return {e.name: e.ip_address for e in client.list_ip_allowlist() if e.name in names}


def remove_allowlist(
    endpoints: Endpoints, names: frozenset[str], *, deadline: float = 60.0
) -> None:
    """Delete ``names`` from the allowlist, re-opening the public endpoint once it is empty.

    Goes through PrivateLink; if that path is already gone, tries the public endpoint, which
    still answers callers inside an admin CIDR.
    """
    last: RocksetPulumiError | None = None
    for url in (endpoints.privatelink_url, endpoints.public_url):
        try:
            with endpoints.client(url, deadline=deadline) as client:
                live = {e.name for e in client.list_ip_allowlist()}
                for name in sorted(names & live):
                    client.delete_ip_allowlist(name)
        except (TransportError, AuthenticationError) as exc:
            last = exc
            continue
        return
    raise VerificationError(
        f"Cannot remove the IP allowlist entries {sorted(names)}: neither PrivateLink nor the "
        f"public endpoint accepted the calls (last error: {last}). Run `pulumi destroy` from "
        "inside the VPC, or from an address in admin_cidrs."
    ) from last


@dataclass(frozen=True)
class LockdownStatus:
    """Step 5's three expectations, as observed."""

    public_reachable: bool
    public_refuses_key: bool
    privatelink_accepts_key: bool
    public_error: str | None
    privatelink_error: str | None
    checked_at: str

    @property
    def holds(self) -> bool:
        return self.public_reachable and self.public_refuses_key and self.privatelink_accepts_key

    def as_output(self) -> dict[str, Any]:
        return {**asdict(self), "holds": self.holds}


def observe_lockdown(endpoints: Endpoints, *, deadline: float = 30.0) -> LockdownStatus:
    """One look at step 5's expectations, without waiting (used by refresh)."""

    def public() -> tuple[bool, bool, str | None]:
        try:
            with endpoints.client(endpoints.public_url, deadline=deadline) as client:
                client.ping()
                try:
                    client.current_user()
                except AuthenticationError as exc:
                    return True, True, str(exc)
                return True, False, None
        except (ApiError, TransportError) as exc:
            return False, False, str(exc)

    def private() -> tuple[bool, str | None]:
        try:
            with endpoints.client(endpoints.privatelink_url, deadline=deadline) as client:
                client.current_user()
        except (ApiError, TransportError) as exc:
            return False, str(exc)
        return True, None

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rockset-lockdown") as pool:
        public_future, private_future = pool.submit(public), pool.submit(private)
        (reachable, refuses, public_error), (accepts, private_error) = (
            public_future.result(),
            private_future.result(),
        )
    return LockdownStatus(reachable, refuses, accepts, public_error, private_error, _now())


def verify_lockdown(
    endpoints: Endpoints,
    admin_cidrs: Mapping[str, str],
    policy: WaitPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> LockdownStatus:
    """Step 5: wait (allowlist changes take a moment to apply) until the lockdown holds.

    Raises :class:`VerificationError` naming each expectation that did not hold.
    """
    give_up = time.monotonic() + policy.timeout
    delay = policy.initial
    while True:
        status = observe_lockdown(endpoints)
        if status.holds or time.monotonic() + delay >= give_up:
            break
        sleep(delay)
        delay = min(policy.ceiling, delay * policy.multiplier)
    if status.holds:
        return status
    failures = []
    if not status.public_reachable:
        failures.append(
            f"the public endpoint {endpoints.public_url} should still answer GET / but did not "
            f"({status.public_error})"
        )
    elif not status.public_refuses_key:
        admins = ", ".join(f"{n}={c}" for n, c in sorted(admin_cidrs.items()))
        failures.append(
            f"the public endpoint {endpoints.public_url} should refuse the API key (Authentication"
            f" Failure) but accepted it. A machine whose public address lies inside one of "
            f"admin_cidrs ({admins}) sees exactly this, because the allowlist lets it through; "
            "Rockset's guide runs step 5 from inside the VPC, whose traffic leaves through an "
            "address outside admin_cidrs. Run `pulumi up` there, or check the allowlist"
        )
    if not status.privatelink_accepts_key:
        failures.append(
            f"the PrivateLink endpoint {endpoints.privatelink_url} should accept the API key but "
            f"did not ({status.privatelink_error})"
        )
    raise VerificationError(
        f"Step 5 failed after {policy.timeout:g} s: " + "; and ".join(failures) + "."
    )
