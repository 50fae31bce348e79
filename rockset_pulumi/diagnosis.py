"""Step 3's diagnosis: whether this machine resolves the PrivateLink host to the endpoint.

Rockset's PrivateLink host resolves to the endpoint's network interfaces only inside the VPC, by
the endpoint's private DNS. A laptop or a hosted CI runner resolves it nowhere (or, for a name
that also exists in public DNS, to other addresses), so waiting the whole ``check_timeout`` for
it to answer cannot help. While PrivateLink does not answer, :class:`DnsWatch` resolves the host
here and compares the answer with a :class:`DnsExpectation`:

- the host does not resolve at all: diagnosed, for any host;
- the host is the endpoint service's private DNS name (which private DNS manages) and resolves to
  addresses other than the endpoint's: diagnosed;
- it resolves to the endpoint's addresses: nothing to diagnose; refused connections and timeouts
  there are an endpoint still coming up, and step 3 waits for it as before.

Private DNS may lag a little behind the endpoint becoming ``available``, so a finding fails step 3
only once it still holds :data:`DIAGNOSIS_WINDOW` seconds after step 3 started. Everything here is
pure but for :func:`resolve_host`; the clock and the resolver are injectable.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .text import clean

__all__ = [
    "COMPONENT_FIXES",
    "DIAGNOSIS_WINDOW",
    "RESOLVE_TIMEOUT",
    "DiagnosisPolicy",
    "DnsExpectation",
    "DnsFinding",
    "DnsWatch",
    "Resolution",
    "Resolver",
    "diagnose",
    "resolve_host",
]

DIAGNOSIS_WINDOW = 45.0
"""Seconds from the start of step 3 that private DNS gets to catch up before a finding fails the
step. With attempts held to the window's end and one bounded look-up after it, step 3 fails
within about 52 s, under the minute it promises."""
RESOLVE_TIMEOUT = 5.0
"""Most seconds one look-up of the host may take; no answer by then counts as not resolving."""
MIN_ATTEMPT = 1.0
"""Shortest deadline an attempt gets while the window is open, so that a last attempt before the
window closes still has a moment to answer."""
_TEXT_LIMIT = 200

COMPONENT_FIXES = (
    "Fix either way: run `pulumi up` on a machine inside the VPC (a CI runner or a bastion "
    "there, whose DNS is the VPC's), or set `probe: vpc` (PrivateLinkArgs(probe='vpc')) so that "
    "the PrivateLink side of the checks runs from a function inside the VPC."
)
"""What the component's message proposes; the ``verify`` command proposes its own."""


def _host_key(name: str) -> str:
    return name.strip().lower().rstrip(".")


def _address(text: str) -> str:
    """An address in its canonical spelling, so that comparisons do not depend on how a resolver
    or AWS writes it."""
    return str(ipaddress.ip_address(text.strip()))


@dataclass(frozen=True)
class DnsExpectation:
    """What the PrivateLink host should resolve to on a machine inside the VPC."""

    host: str
    """The PrivateLink host the checks call (of ``privatelink_url``)."""
    private_dns_name: str | None
    """The endpoint service's private DNS name, which the endpoint's private DNS manages; None
    where the service has none."""
    addresses: tuple[str, ...]
    """The IPv4 addresses of the endpoint's network interfaces, sorted."""

    @classmethod
    def of(
        cls, privatelink_url: str, private_dns_name: str | None, addresses: Iterable[str]
    ) -> DnsExpectation:
        """The expectation for ``privatelink_url``'s host, addresses canonical and sorted."""
        host = urlsplit(privatelink_url).hostname or ""
        return cls(
            host=_host_key(host),
            private_dns_name=_host_key(private_dns_name) if private_dns_name else None,
            addresses=tuple(sorted({_address(a) for a in addresses if a})),
        )

    @property
    def managed(self) -> bool:
        """Whether the host is the private DNS name (a wildcard one covers one label), so that
        its addresses are the endpoint's wherever private DNS answers."""
        name = self.private_dns_name
        if not name:
            return False
        if name.startswith("*."):
            head, _, rest = self.host.partition(".")
            return bool(head) and rest == name[2:]
        return self.host == name

    def as_props(self) -> dict[str, Any]:
        """As a dynamic resource's input (see :meth:`from_props`)."""
        return {
            "host": self.host,
            "private_dns_name": self.private_dns_name,
            "addresses": list(self.addresses),
        }

    @classmethod
    def from_props(cls, props: Mapping[str, Any] | None) -> DnsExpectation | None:
        """Read back :meth:`as_props`; None (no diagnosis) where there is nothing."""
        if not props or not props.get("host"):
            return None
        return cls(
            host=str(props["host"]),
            private_dns_name=props.get("private_dns_name") or None,
            addresses=tuple(str(a) for a in props.get("addresses") or ()),
        )


@dataclass(frozen=True)
class Resolution:
    """What the host resolved to on this machine."""

    addresses: tuple[str, ...]
    """Every address, canonical and sorted; empty when it did not resolve."""
    error: str | None = None
    """Why it did not resolve, as the resolver said (cleaned)."""


Resolver = Callable[[str, float], Resolution]
"""``resolver(host, timeout)``: the host's addresses on this machine, within ``timeout`` s."""


def resolve_host(host: str, timeout: float = RESOLVE_TIMEOUT) -> Resolution:
    """Resolve ``host`` with this machine's resolver, as the client would, within ``timeout``.

    ``getaddrinfo`` cannot be interrupted, so it runs in a daemon thread that is left to finish
    on its own when it takes longer; the answer is then "did not resolve".
    """
    found: list[Resolution] = []

    def look_up() -> None:
        try:
            answers = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as exc:
            found.append(Resolution((), clean(str(exc) or type(exc).__name__, _TEXT_LIMIT)))
            return
        found.append(Resolution(tuple(sorted({_address(str(a[4][0])) for a in answers}))))

    worker = threading.Thread(target=look_up, name="rockset-resolve", daemon=True)
    worker.start()
    worker.join(timeout)
    if not found:
        return Resolution((), f"no answer within {timeout:g} s")
    return found[0]


@dataclass(frozen=True)
class DnsFinding:
    """This machine resolves the PrivateLink host wrongly: what it resolved and what it should."""

    expectation: DnsExpectation
    resolution: Resolution

    def message(self, privatelink_url: str, elapsed: float, fixes: str = COMPONENT_FIXES) -> str:
        """The step-3 error: what was resolved here, the endpoint's addresses, the fixes."""
        host = self.expectation.host
        expected = ", ".join(self.expectation.addresses) or "none reported by AWS"
        resolved = self.resolution
        if not resolved.addresses:
            reason = clean(resolved.error or "no address", _TEXT_LIMIT)
            seen = f"{host} does not resolve on this machine ({reason})"
        else:
            shown = clean(", ".join(resolved.addresses), _TEXT_LIMIT)
            seen = f"{host} resolves on this machine to {shown}, not to the endpoint's addresses"
        return (
            f"Step 3 failed: this machine cannot reach the PrivateLink endpoint "
            f"{privatelink_url}: {seen}. The VPC endpoint's network interfaces are at "
            f"{expected}, and its private DNS answers with them only inside the VPC: this "
            f"machine is outside it (diagnosed {elapsed:.0f} s into step 3). {fixes}"
        )


def diagnose(expectation: DnsExpectation, resolution: Resolution) -> DnsFinding | None:
    """A finding where this machine's answer cannot reach the endpoint; None where it can, or
    where nothing can be said (a host private DNS does not manage, which resolves)."""
    if not resolution.addresses:
        return DnsFinding(expectation, resolution)
    if not expectation.managed or not expectation.addresses:
        return None
    ipv4 = {a for a in resolution.addresses if ipaddress.ip_address(a).version == 4}
    if ipv4 and ipv4 <= set(expectation.addresses):
        return None
    return DnsFinding(expectation, resolution)


@dataclass(frozen=True)
class DiagnosisPolicy:
    """How step 3 diagnoses: the window, the resolver and what the message proposes."""

    window: float = DIAGNOSIS_WINDOW
    """Seconds from the start of step 3 before a finding fails it. Default: 45."""
    resolver: Resolver = resolve_host
    """Looks the host up on this machine. Default: :func:`resolve_host`."""
    resolve_timeout: float = RESOLVE_TIMEOUT
    """Most seconds one look-up may take. Default: 5."""
    fixes: str = COMPONENT_FIXES
    """The fixes the message ends with. Default: the component's (:data:`COMPONENT_FIXES`)."""


class DnsWatch:
    """Step 3's diagnosis over time: look between attempts, fail once the window has passed.

    Created when step 3 starts; the window is measured from then.
    """

    def __init__(
        self,
        expectation: DnsExpectation,
        policy: DiagnosisPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.expectation = expectation
        self.policy = policy or DiagnosisPolicy()
        self._clock = clock
        self._started = clock()
        self.finding: DnsFinding | None = None
        """What the last look found; None when it found nothing wrong (or before any look)."""

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    def attempt_deadline(self, deadline: float) -> float:
        """``deadline`` for the next attempt, held to the window's end while it is open, so that
        the look after it comes in time."""
        left = self.policy.window - self.elapsed
        if left <= 0:
            return deadline
        return min(deadline, max(MIN_ATTEMPT, left))

    def look(self) -> bool:
        """Resolve the host now and compare; True when step 3 should fail with :attr:`finding`
        (it still holds once the window has passed)."""
        resolution = self.policy.resolver(self.expectation.host, self.policy.resolve_timeout)
        self.finding = diagnose(self.expectation, resolution)
        return self.finding is not None and self.elapsed >= self.policy.window

    def forget(self) -> None:
        """Drop the last finding: the host was reached since."""
        self.finding = None

    def message(self, privatelink_url: str) -> str | None:
        """The step-3 error for the last finding, or None without one."""
        if self.finding is None:
            return None
        return self.finding.message(privatelink_url, self.elapsed, self.policy.fixes)
