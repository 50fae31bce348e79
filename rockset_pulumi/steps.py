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
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from .allowlist import ROTATION_SUFFIX
from .api import RocksetApi
from .errors import (
    ApiError,
    AuthenticationError,
    RateLimitedError,
    RocksetPulumiError,
    ServerError,
    TransportError,
    VerificationError,
)
from .polling import Attempt, PollPolicy, poll

__all__ = [
    "AllowlistChange",
    "LockdownStatus",
    "Probe",
    "check_connectivity",
    "observe_lockdown",
    "probe_once",
    "read_allowlist",
    "reconcile_allowlist",
    "remove_allowlist",
    "verify_lockdown",
    "wait_for",
    "waiting",
]

ALLOWLIST_DESCRIPTION = "Managed by rockset-pulumi: keeps public API access after lockdown"

_LIKELY_CAUSES = (
    "Likely causes: `pulumi up` runs outside the VPC (the PrivateLink host resolves and answers "
    "only inside it); the endpoint's security group does not admit this machine on TCP 443; "
    "private DNS is off or not yet propagated; the AWS account is not registered with Rockset "
    "(the endpoint stays pendingAcceptance)."
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def waiting(timeout: float) -> PollPolicy:
    """How the steps wait for Rockset: polls back off from 0.2 s to at most 1 s, so readiness is
    seen within about a second of happening, until ``timeout`` seconds have passed."""
    return PollPolicy(timeout=timeout, initial=0.2, ceiling=1.0, multiplier=1.6)


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
_ATTEMPT_DEADLINE = 30.0
_PUBLIC_WAIT = 30.0
"""The public endpoint is not coming up: it answers at once or is unreachable from here."""


def probe_once(api: RocksetApi, url: str, deadline: float) -> Attempt[Probe]:
    """One ``GET /`` and one authenticated call to ``url``, within ``deadline`` seconds.

    The attempt is final unless the failure is transient (no answer, 5xx, 429): an endpoint
    that is still coming up, worth polling again.
    """
    started = time.monotonic()
    reachable = False
    try:
        with api.client(url, deadline=deadline, attempts=1) as client:
            client.ping()
            reachable = True
            user = client.current_user()
    except RocksetPulumiError as exc:
        failed = Probe(
            url=url,
            reachable=reachable,
            authenticated=False,
            user_email=None,
            user_state=None,
            latency_ms=_ms(started),
            attempts=1,
            error=str(exc),
        )
        return Attempt(failed, final=not isinstance(exc, _TRANSIENT))
    answered = Probe(
        url=url,
        reachable=True,
        authenticated=True,
        user_email=user.email,
        user_state=user.state,
        latency_ms=_ms(started),
        attempts=1,
        error=None,
    )
    return Attempt(answered, final=True)


def _attempt_deadline(remaining: float | None) -> float:
    # A last attempt still gets a moment to answer; without a timeout, the client's own bound.
    return _ATTEMPT_DEADLINE if remaining is None else max(0.05, remaining)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def wait_for(
    api: RocksetApi,
    url: str,
    policy: PollPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Probe:
    """Probe ``url`` until it answers or ``policy`` gives up; transient errors are retried."""
    polled = poll(
        lambda remaining: probe_once(api, url, _attempt_deadline(remaining)),
        policy,
        sleep=sleep,
    )
    return dataclasses.replace(polled.value, attempts=polled.attempts)


def check_connectivity(
    api: RocksetApi, timeout: float, *, public_may_refuse_key: bool
) -> dict[str, Any]:
    """Step 3: both endpoints answer ``GET /`` and accept the key; probed at the same time.

    ``public_may_refuse_key`` is set once lockdown is configured: the public endpoint then refuses
    the key by design, and only its ``GET /`` is required.
    Raises :class:`VerificationError` naming the endpoint, what was tried and the last error.
    """
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rockset-probe") as pool:
        private = pool.submit(wait_for, api, api.privatelink_url, waiting(timeout))
        public = pool.submit(wait_for, api, api.public_url, waiting(min(timeout, _PUBLIC_WAIT)))
        private_probe, public_probe = private.result(), public.result()

    if not private_probe.authenticated:
        raise VerificationError(
            f"Step 3 failed: the PrivateLink endpoint {api.privatelink_url} did not accept "
            f"the API key within {timeout:g} s ({private_probe.attempts} attempts of GET / "
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
            f"Step 3 failed: the public endpoint {api.public_url} "
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


def _guard(api: RocksetApi, deadline: float) -> None:
    """Lock-out guard: prove PrivateLink works with the key before touching the allowlist."""
    try:
        with api.client(api.privatelink_url, deadline=deadline) as client:
            client.current_user()
    except RocksetPulumiError as exc:
        raise VerificationError(
            f"Lock-out guard: the IP allowlist was left unchanged because an authenticated call "
            f"through PrivateLink ({api.privatelink_url}) failed: {exc} Changing the "
            "allowlist now could leave no working path to Rockset. Fix PrivateLink access "
            "(see the connectivity check) and run `pulumi up` again."
        ) from exc


def _same(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return a == b


def reconcile_allowlist(
    api: RocksetApi,
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
    _guard(api, deadline)
    changes: list[AllowlistChange] = []
    with api.client(api.privatelink_url, deadline=deadline) as client:
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
            changes.append(AllowlistChange(action="create", name=name, ip_address=cidr))

        def delete(name: str) -> None:
            changes.append(AllowlistChange(action="delete", name=name, ip_address=live.pop(name)))
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
    api: RocksetApi, names: frozenset[str], *, deadline: float = 60.0
) -> dict[str, str]:
    """The live CIDR of each of ``names`` that still exists (for refresh)."""
    with api.client(api.privatelink_url, deadline=deadline) as client:
        return {e.name: e.ip_address for e in client.list_ip_allowlist() if e.name in names}


def remove_allowlist(api: RocksetApi, names: frozenset[str], *, deadline: float = 60.0) -> None:
    """Delete ``names`` from the allowlist, re-opening the public endpoint once it is empty.

    Goes through PrivateLink; if that path is already gone, tries the public endpoint, which
    still answers callers inside an admin CIDR.
    """
    last: RocksetPulumiError | None = None
    for url in (api.privatelink_url, api.public_url):
        try:
            with api.client(url, deadline=deadline) as client:
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


def observe_lockdown(api: RocksetApi, *, deadline: float = 30.0) -> LockdownStatus:
    """One look at step 5's expectations, without waiting (used by refresh)."""

    def public() -> tuple[bool, bool, str | None]:
        try:
            with api.client(api.public_url, deadline=deadline) as client:
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
            with api.client(api.privatelink_url, deadline=deadline) as client:
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
    return LockdownStatus(
        public_reachable=reachable,
        public_refuses_key=refuses,
        privatelink_accepts_key=accepts,
        public_error=public_error,
        privatelink_error=private_error,
        checked_at=_now(),
    )


def verify_lockdown(
    api: RocksetApi,
    admin_cidrs: Mapping[str, str],
    timeout: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> LockdownStatus:
    """Step 5: wait (allowlist changes take a moment to apply) until the lockdown holds.

    Raises :class:`VerificationError` naming each expectation that did not hold.
    """

    def look(_remaining: float | None) -> Attempt[LockdownStatus]:
        status = observe_lockdown(api)
        return Attempt(status, final=status.holds)

    status = poll(look, waiting(timeout), sleep=sleep).value
    if status.holds:
        return status
    failures = []
    if not status.public_reachable:
        failures.append(
            f"the public endpoint {api.public_url} should still answer GET / but did not "
            f"({status.public_error})"
        )
    elif not status.public_refuses_key:
        admins = ", ".join(f"{n}={c}" for n, c in sorted(admin_cidrs.items()))
        failures.append(
            f"the public endpoint {api.public_url} should refuse the API key (Authentication"
            f" Failure) but accepted it. A machine whose public address lies inside one of "
            f"admin_cidrs ({admins}) sees exactly this, because the allowlist lets it through; "
            "Rockset's guide runs step 5 from inside the VPC, whose traffic leaves through an "
            "address outside admin_cidrs. Run `pulumi up` there, or check the allowlist"
        )
    if not status.privatelink_accepts_key:
        failures.append(
            f"the PrivateLink endpoint {api.privatelink_url} should accept the API key but "
            f"did not ({status.privatelink_error})"
        )
    raise VerificationError(f"Step 5 failed after {timeout:g} s: " + "; and ".join(failures) + ".")
