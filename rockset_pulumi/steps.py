"""Steps 3 to 5 of Rockset's PrivateLink guide as plain functions over the API client.

- :func:`check_connectivity` (step 3): ping and an authenticated call on both endpoints, at once,
  waiting for the PrivateLink endpoint to come up.
- :func:`reconcile_allowlist` (step 4): makes the organization's IP allowlist hold the admin
  entries, behind a lock-out guard, creating before deleting.
- :func:`observe_lockdown` / :func:`verify_lockdown` (step 5): the public endpoint refuses the key
  while PrivateLink accepts it.

The check resources' lifecycles (:mod:`rockset_pulumi.lifecycle`) are thin wrappers over these.

Server text reaches an output or a message through :func:`~rockset_pulumi.text.clean` only, with
the key redacted; each of the functions above cleans the message of any error it raises once
more, as a whole, so that redaction is the last thing done to it.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from .allowlist import (
    ROTATION_SUFFIX,
    LiveEntry,
    Owner,
    Write,
    mark_of,
    plan_writes,
    written_by,
)
from .api import RocksetApi
from .diagnosis import DiagnosisPolicy, DnsExpectation, DnsWatch
from .errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    ProbeFunctionError,
    RateLimitedError,
    RocksetPulumiError,
    ServerError,
    TransportError,
    VerificationError,
)
from .polling import Attempt, PollPolicy, poll
from .text import clean

if TYPE_CHECKING:
    from .client import RocksetClient

__all__ = [
    "AllowlistState",
    "EndpointAnswer",
    "LockdownStatus",
    "Removal",
    "ask_once",
    "check_connectivity",
    "observe_lockdown",
    "read_allowlist",
    "reconcile_allowlist",
    "remove_allowlist",
    "verify_lockdown",
    "wait_for",
    "waiting",
]


_LIKELY_CAUSES = (
    "Likely causes: `pulumi up` runs outside the VPC (the PrivateLink host resolves and answers "
    "only inside it); the endpoint's security group does not admit this machine on TCP 443; "
    "private DNS is off or not yet propagated; Rockset has not accepted the endpoint (it stays "
    "pendingAcceptance)."
)
_LIKELY_CAUSES_RELAYED = (
    "The requests went through {sent_from} (probe: vpc). Likely causes: the endpoint's security "
    "group does not admit the function's on TCP 443; the function's subnets cannot reach the "
    "endpoint; private DNS is off or not yet propagated; Rockset has not accepted the endpoint "
    "(it stays pendingAcceptance). The function's log group /aws/lambda/{function} shows what "
    "it met."
)


def _likely_causes(api: RocksetApi) -> str:
    """Why the PrivateLink side may not answer, from where its requests were sent."""
    if api.relay is None:
        return _LIKELY_CAUSES
    return _LIKELY_CAUSES_RELAYED.format(
        sent_from=api.relay.sent_from, function=api.relay.function_name
    )


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _redacting(
    step: Callable[Concatenate[RocksetApi, _P], _T],
) -> Callable[Concatenate[RocksetApi, _P], _T]:
    """``step``, the message of any error it raises cleaned as a whole with the key redacted: its
    parts were cleaned where they were put in, and putting them together must not be what
    shows the key."""

    @functools.wraps(step)
    def redacting(api: RocksetApi, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return step(api, *args, **kwargs)
        except RocksetPulumiError as exc:
            # The same error (type, attributes, cause), its message cleaned.
            exc.args = (clean(str(exc), _MESSAGE_LIMIT, secret=api.api_key),)
            raise

    return redacting


def _shown(exc: Exception, api: RocksetApi) -> str:
    """An error as it may appear in a (non-secret) Pulumi output: the client already cleans
    server text, and this holds whatever else an exception might carry to the same standard."""
    return clean(str(exc), OUTPUT_TEXT_LIMIT, secret=api.api_key)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def waiting(timeout: float) -> PollPolicy:
    """How the steps wait for Rockset: polls back off from 0.2 s to at most 1 s, so readiness is
    seen within about a second of happening, until ``timeout`` seconds have passed."""
    return PollPolicy(timeout=timeout, initial=0.2, ceiling=1.0, multiplier=1.6)


@dataclass(frozen=True)
class EndpointAnswer:
    """What one endpoint answered: ``GET /`` and ``users/self``."""

    url: str
    reachable: bool
    authenticated: bool
    user_email: str | None
    user_state: str | None
    latency_ms: float
    attempts: int
    error: str | None
    ran_from: str
    """Where the requests were sent from: ``runner``, or ``vpc:<function name>``."""

    def as_output(self) -> dict[str, Any]:
        return asdict(self)


_TRANSIENT = (TransportError, ServerError, RateLimitedError)
_DESCRIPTION_LIMIT = 400
"""Longer than any description this package writes, so that cleaning never cuts off a mark."""
OUTPUT_TEXT_LIMIT = 600
"""Characters of an error kept in an output: the client's message with its hint fits."""
_ATTEMPT_DEADLINE = 30.0
_PUBLIC_WAIT = 30.0
"""The public endpoint is not coming up: it answers at once or is unreachable from here."""
_DIAGNOSIS_LIMIT = 2000
"""Characters of step 3's diagnosis kept: the message, with many addresses, and its fixes."""
_MESSAGE_LIMIT = 4000
"""Characters of an error raised by a step: its own words and an error of the client in them."""


def ask_once(api: RocksetApi, url: str, deadline: float) -> Attempt[EndpointAnswer]:
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
        failed = EndpointAnswer(
            url=url,
            reachable=reachable,
            authenticated=False,
            user_email=None,
            user_state=None,
            latency_ms=_ms(started),
            attempts=1,
            error=_shown(exc, api),
            ran_from=api.ran_from(url),
        )
        return Attempt(failed, final=not isinstance(exc, _TRANSIENT))
    answered = EndpointAnswer(
        url=url,
        reachable=True,
        authenticated=True,
        user_email=clean(user.email, 254, secret=api.api_key),
        user_state=None if user.state is None else clean(user.state, 40, secret=api.api_key),
        latency_ms=_ms(started),
        attempts=1,
        error=None,
        ran_from=api.ran_from(url),
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
    watch: DnsWatch | None = None,
) -> EndpointAnswer:
    """Ask ``url`` until it answers or ``policy`` gives up; transient errors are retried.

    With ``watch``, each failed attempt is followed by a look at this machine's DNS, and polling
    stops once the watch finds DNS that cannot reach the endpoint past its window.
    """

    def attempt(remaining: float | None) -> Attempt[EndpointAnswer]:
        deadline = _attempt_deadline(remaining)
        if watch is not None:
            deadline = watch.attempt_deadline(deadline)
        result = ask_once(api, url, deadline)
        if watch is None:
            return result
        if result.final:
            # The endpoint was reached (or refused TLS): whatever DNS looked like before is past.
            watch.forget()
            return result
        return Attempt(result.value, final=watch.look())

    polled = poll(attempt, policy, sleep=sleep)
    return dataclasses.replace(polled.value, attempts=polled.attempts)


@_redacting
def check_connectivity(
    api: RocksetApi,
    timeout: float,
    *,
    public_may_refuse_key: bool,
    dns: DnsExpectation | None = None,
    diagnosis: DiagnosisPolicy | None = None,
) -> dict[str, Any]:
    """Step 3: both endpoints answer ``GET /`` and accept the key; asked at the same time.

    ``public_may_refuse_key`` is set once lockdown is configured: the public endpoint then refuses
    the key by design, and only its ``GET /`` is required.
    With ``dns`` (what the PrivateLink host resolves to inside the VPC), a PrivateLink endpoint
    that this machine resolves wrongly, or not at all, fails the step as soon as ``diagnosis``
    allows (default: :class:`~rockset_pulumi.diagnosis.DiagnosisPolicy`'s, about 45 s; see
    :mod:`rockset_pulumi.diagnosis`) instead of after ``timeout``.
    Raises :class:`VerificationError` naming the endpoint, what was tried and the last error.
    """
    watch = None if dns is None else DnsWatch(dns, diagnosis or DiagnosisPolicy())
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rockset-step3") as pool:
        private = pool.submit(wait_for, api, api.privatelink_url, waiting(timeout), watch=watch)
        public = pool.submit(wait_for, api, api.public_url, waiting(min(timeout, _PUBLIC_WAIT)))
        private_answer, public_answer = private.result(), public.result()

    diagnosed = None if watch is None else watch.message(api.privatelink_url)
    if not private_answer.authenticated and diagnosed is not None:
        raise VerificationError(clean(diagnosed, _DIAGNOSIS_LIMIT, secret=api.api_key))
    if not private_answer.authenticated:
        raise VerificationError(
            f"Step 3 failed: the PrivateLink endpoint {api.privatelink_url} did not accept "
            f"the API key within {timeout:g} s ({private_answer.attempts} attempts of GET / "
            f"and GET /v1/orgs/self/users/self). Last error: {private_answer.error} "
            + (
                "The endpoint answered but refused the key: check api_key."
                if private_answer.reachable
                else _likely_causes(api)
            )
        )
    public_refused = public_answer.reachable and not public_answer.authenticated
    if not public_answer.reachable:
        raise VerificationError(
            f"Step 3 failed: the public endpoint {api.public_url} did not answer GET /. Last "
            f"error: {public_answer.error} Check public_url and outbound internet access from "
            "this machine."
        )
    if public_refused and not public_may_refuse_key:
        raise VerificationError(
            f"Step 3 failed: the public endpoint {api.public_url} answered GET / but refused the "
            f"API key, which PrivateLink accepted (last error: {public_answer.error}). The key is "
            "fine: the organization's IP allowlist most likely excludes this machine's public "
            "address (a lockdown by this or another stack, or by hand). If this stack should "
            "lock the public endpoint down, set lockdown=True; otherwise add this machine's "
            "address to the allowlist (admin_cidrs of the stack that owns it)."
        )
    return {
        "public": public_answer.as_output(),
        "privatelink": private_answer.as_output(),
        "checked_at": _now(),
    }


def _guard(client: RocksetClient, api: RocksetApi) -> None:
    """Lock-out guard: prove PrivateLink works with the key (``client`` is PrivateLink's) before
    touching the allowlist."""
    try:
        client.current_user()
    except RocksetPulumiError as exc:
        raise VerificationError(
            f"Lock-out guard: the IP allowlist was left unchanged because an authenticated call "
            f"through PrivateLink ({api.privatelink_url}) failed: {exc} Changing the "
            "allowlist now could leave no working path to Rockset. Fix PrivateLink access "
            "(see the connectivity check) and run `pulumi up` again."
        ) from exc


def _live(client: RocksetClient, api: RocksetApi) -> dict[str, LiveEntry]:
    """The allowlist as listed, its text cleaned: CIDRs and descriptions end up in outputs and
    messages. Names stay as they are, to be matched; they are cleaned where shown."""
    return {
        e.name: LiveEntry(
            name=e.name,
            cidr=clean(e.ip_address, 64, secret=api.api_key),
            description=None
            if e.description is None
            else clean(e.description, _DESCRIPTION_LIMIT, secret=api.api_key),
        )
        for e in client.list_ip_allowlist()
    }


def _write(client: RocksetClient, write: Write, owner: Owner) -> None:
    if write.action == "create":
        client.create_ip_allowlist(write.name, write.cidr, owner.description)
        return
    try:
        client.delete_ip_allowlist(write.name)
    except NotFoundError:
        # Gone already: an earlier attempt whose answer was lost, or a concurrent cleanup.
        return


@dataclass(frozen=True)
class AllowlistState:
    """What one stack's allowlist resource holds after a run."""

    entries: dict[str, str]
    """Name -> CIDR of the wanted entries as Rockset now has them (ours and adopted)."""
    adopted: frozenset[str]
    """Wanted entries that existed unmarked with the same CIDR: kept on destroy."""
    writes: tuple[Write, ...]
    """The calls made, in order."""


@_redacting
def reconcile_allowlist(
    api: RocksetApi,
    wanted: Mapping[str, str],
    owner: Owner,
    *,
    recorded: Mapping[str, str] | None = None,
    deadline: float = 60.0,
) -> AllowlistState:
    """Step 4: make the allowlist hold ``wanted`` (name -> CIDR) for ``owner``, through PrivateLink.

    Plans from the live list (see :mod:`rockset_pulumi.allowlist` for the invariants), refuses
    any clash before writing, then writes creates before deletes. A run that fails part-way
    undoes its writes before raising, by the same rules, back to ``recorded``: the entries the
    stack records (a failed update keeps them as its state), or, for a first create (``None``,
    which Pulumi does not record when it fails), this owner's entries as they were found, but
    for staging leftovers. So a
    failure leaves Pulumi's state true, and a revert to the recorded inputs has nothing to do.
    Where the undo fails too, the error names exactly what is left.
    """
    with api.client(api.privatelink_url, deadline=deadline) as client:
        _guard(client, api)
        before = _live(client, api)
        plan = plan_writes(before, wanted, owner)
        done: list[Write] = []
        try:
            for write in plan.writes:
                _write(client, write, owner)
                done.append(write)
        except RocksetPulumiError as exc:
            if recorded is None:
                recorded = _found(before, owner)
            left = _undo(client, api, owner, recorded)
            raise _part_way(owner, plan.writes, done, exc, left) from exc
        after = _live(client, api)
    entries = {name: after[name].cidr for name in wanted if name in after}
    return AllowlistState(entries=entries, adopted=plan.adopted, writes=plan.writes)


def _found(live: Mapping[str, LiveEntry], owner: Owner) -> dict[str, str]:
    """``owner``'s entries in ``live``, of any generation, but for staging entries: what a first
    create puts back when it fails (a staging entry is a past run's leftover, never wanted)."""
    return {
        name: entry.cidr
        for name, entry in live.items()
        if mark_of(entry.description) == owner.mark and not name.endswith(ROTATION_SUFFIX)
    }


def _undo(
    client: RocksetClient, api: RocksetApi, owner: Owner, recorded: Mapping[str, str]
) -> tuple[Write, ...] | None:
    """Put ``recorded`` back, planned from the list as it is now (so a write whose answer was
    lost counts as done); returns the writes still needed when one fails, None when the list
    could not be read to plan them."""
    try:
        plan = plan_writes(_live(client, api), recorded, owner, keep_generations=True)
    except RocksetPulumiError:
        return None
    for number, write in enumerate(plan.writes):
        try:
            _write(client, write, owner)
        except RocksetPulumiError:
            return plan.writes[number:]
    return ()


def _part_way(
    owner: Owner,
    planned: tuple[Write, ...],
    done: list[Write],
    exc: RocksetPulumiError,
    left: tuple[Write, ...] | None,
) -> VerificationError:
    made = ", ".join(f"{w.action} {w.name}" for w in done) or "none"
    failed = planned[len(done)]
    if left == ():
        after = "Its writes were undone; the allowlist is as it was."
    else:
        still = (
            "Undoing them failed too, before the allowlist could be listed: what went through "
            "is above"
            if left is None
            else "Undoing them failed too; still to undo: "
            + ", ".join(f"{w.action} {w.name!r} ({w.cidr})" for w in left)
        )
        after = (
            f"{still}. Every entry this stack wrote carries the owner mark {owner.mark}, and no "
            "admin address was removed before its replacement existed. `pulumi up` with these "
            "inputs finishes the job (with other inputs, run `pulumi refresh` first: it shows "
            "what is left); `pulumi destroy` removes them."
        )
    return VerificationError(
        f"Step 4 stopped part-way: {failed.action} of allowlist entry {failed.name!r} failed "
        f"({exc}). Calls that went through: {made}. {after}"
    )


@_redacting
def read_allowlist(
    api: RocksetApi, owner: Owner, adopted: frozenset[str], *, deadline: float = 60.0
) -> dict[str, str]:
    """Name -> CIDR of every entry with ``owner``'s mark, ``-next`` staging entries and other
    generations' included, and of those it adopted (for refresh): whatever of it the stack does
    not want then shows as drift, which the next ``pulumi up`` repairs."""
    with api.client(api.privatelink_url, deadline=deadline) as client:
        live = _live(client, api)
    return {
        name: entry.cidr
        for name, entry in live.items()
        if mark_of(entry.description) == owner.mark
        or (name in adopted and mark_of(entry.description) is None)
    }


@dataclass(frozen=True)
class Removal:
    """What destroy did, and what stays in the allowlist."""

    deleted: tuple[str, ...]
    remaining: dict[str, str]
    """Name -> owner label ("unmarked" for hand-made or adopted entries) of what is left."""

    @property
    def summary(self) -> str:
        if not self.remaining:
            return (
                f"Removed allowlist entries {list(self.deleted)}; the allowlist is now empty, so "
                "Rockset's public endpoint accepts keys from any address again."
            )
        kept = ", ".join(f"{name} ({who})" for name, who in sorted(self.remaining.items()))
        return (
            f"Removed allowlist entries {list(self.deleted)}. The public endpoint stays "
            f"restricted to the entries that remain: {kept}. They are not this stack's to remove."
        )


@_redacting
def remove_allowlist(
    api: RocksetApi, owner: Owner, *, every_generation: bool = False, deadline: float = 60.0
) -> Removal:
    """Delete every entry marked as ``owner``'s (``every_generation``: with its mark, whatever
    the generation), and nothing else.

    Goes through PrivateLink; if that path is already gone, tries the public endpoint, which
    still answers callers inside an admin CIDR. A delete that fails part-way puts back what it
    removed, as a failed update does (Pulumi keeps the resource), unless ``every_generation``
    (a clean-up of what no state records, which the next destroy simply runs again).
    """
    last: RocksetPulumiError | None = None
    for url in (api.privatelink_url, api.public_url):
        try:
            with api.client(url, deadline=deadline) as client:
                live = _live(client, api)
                ours = sorted(
                    n
                    for n, e in live.items()
                    if written_by(e, owner)
                    or (every_generation and mark_of(e.description) == owner.mark)
                )
                deletes = tuple(Write("delete", name, live[name].cidr) for name in ours)
                _delete(client, api, owner, live, deletes, undo=not every_generation)
        except (TransportError, AuthenticationError, ProbeFunctionError) as exc:
            last = exc
            continue
        remaining = {
            clean(name, 80, secret=api.api_key): _owner_label(entry, owner)
            for name, entry in live.items()
            if name not in ours
        }
        return Removal(deleted=tuple(ours), remaining=remaining)
    raise VerificationError(
        f"Cannot remove this stack's IP allowlist entries (owner mark {owner.mark}): neither "
        f"PrivateLink nor the public endpoint accepted the calls (last error: {last}). Run "
        "`pulumi destroy` from inside the VPC, or from an address in admin_cidrs."
    ) from last


def _delete(
    client: RocksetClient,
    api: RocksetApi,
    owner: Owner,
    live: Mapping[str, LiveEntry],
    deletes: tuple[Write, ...],
    *,
    undo: bool,
) -> None:
    done: list[Write] = []
    try:
        for write in deletes:
            _write(client, write, owner)
            done.append(write)
    except RocksetPulumiError as exc:
        if not undo:
            raise
        left = _undo(client, api, owner, _found(live, owner))
        raise _part_way(owner, deletes, done, exc, left) from exc


def _owner_label(entry: LiveEntry, owner: Owner) -> str:
    mark = mark_of(entry.description)
    if mark is None:
        return "unmarked"
    if mark == owner.mark:
        return f"owner mark {mark}, another generation of this resource (its replacement's)"
    return f"owner mark {mark}"


@dataclass(frozen=True)
class LockdownStatus:
    """Step 5's three expectations, as observed."""

    public_reachable: bool
    public_refuses_key: bool
    privatelink_accepts_key: bool
    public_error: str | None
    privatelink_error: str | None
    checked_at: str
    ran_from: dict[str, str]
    """Where each side's requests were sent from (``public``, ``privatelink``): ``runner``, or
    ``vpc:<function name>``."""

    @property
    def holds(self) -> bool:
        return self.public_reachable and self.public_refuses_key and self.privatelink_accepts_key

    def as_output(self) -> dict[str, Any]:
        return {**asdict(self), "holds": self.holds}


@_redacting
def observe_lockdown(api: RocksetApi, *, deadline: float = 30.0) -> LockdownStatus:
    """One look at step 5's expectations, without waiting (used by refresh)."""

    def public() -> tuple[bool, bool, str | None]:
        try:
            with api.client(api.public_url, deadline=deadline) as client:
                client.ping()
                try:
                    client.current_user()
                except AuthenticationError as exc:
                    return True, True, _shown(exc, api)
                return True, False, None
        except (ApiError, TransportError) as exc:
            return False, False, _shown(exc, api)

    def private() -> tuple[bool, str | None]:
        try:
            with api.client(api.privatelink_url, deadline=deadline) as client:
                client.current_user()
        except (ApiError, TransportError, ProbeFunctionError) as exc:
            return False, _shown(exc, api)
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
        ran_from={
            "public": api.ran_from(api.public_url),
            "privatelink": api.ran_from(api.privatelink_url),
        },
    )


def _strays(api: RocksetApi, wanted: Mapping[str, str], owner_mark: str) -> list[str]:
    """Entries with ``owner_mark`` that ``wanted`` does not name, as ``name (CIDR)``."""
    with api.client(api.privatelink_url, deadline=_ATTEMPT_DEADLINE) as client:
        live = _live(client, api)
    return [
        f"{clean(name, 80, secret=api.api_key)!r} ({entry.cidr})"
        for name, entry in sorted(live.items())
        if mark_of(entry.description) == owner_mark and name not in wanted
    ]


@_redacting
def verify_lockdown(
    api: RocksetApi,
    admin_cidrs: Mapping[str, str],
    timeout: float,
    *,
    owner_mark: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> LockdownStatus:
    """Step 5: wait (allowlist changes take a moment to apply) until the lockdown holds.

    With ``owner_mark`` (step 4's), the live allowlist must also hold no entry with that mark
    beyond ``admin_cidrs``: a leftover would let its address past the lockdown. Raises
    :class:`VerificationError` naming each expectation that did not hold.
    """
    strays = [] if owner_mark is None else _strays(api, admin_cidrs, owner_mark)
    if strays:
        raise VerificationError(
            f"Step 5 failed: the allowlist holds entries with this stack's owner mark "
            f"{owner_mark} that admin_cidrs does not want: {', '.join(strays)}. Each lets its "
            "address past the lockdown. `pulumi refresh` then `pulumi up` removes them."
        )

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
        inside = f"one of admin_cidrs ({admins})" if admins else "an admin entry of the allowlist"
        failures.append(
            f"the public endpoint {api.public_url} should refuse the API key (Authentication"
            f" Failure) but accepted it. A machine whose public address lies inside {inside} "
            "sees exactly this, because the allowlist lets it through; Rockset's guide runs "
            "step 5 from inside the VPC, whose traffic leaves through an address outside "
            "admin_cidrs. Run `pulumi up` there, or check the allowlist"
        )
    if not status.privatelink_accepts_key:
        failures.append(
            f"the PrivateLink endpoint {api.privatelink_url} should accept the API key but "
            f"did not ({status.privatelink_error})"
        )
    raise VerificationError(f"Step 5 failed after {timeout:g} s: " + "; and ".join(failures) + ".")
