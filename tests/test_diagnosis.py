"""Step 3's DNS diagnosis as pure logic: an injected resolver and clock, no network, no sleeping."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.vpc import VPC_ONLY_HOST
from rockset_pulumi.diagnosis import (
    COMPONENT_FIXES,
    DIAGNOSIS_WINDOW,
    MIN_ATTEMPT,
    DiagnosisPolicy,
    DnsExpectation,
    DnsWatch,
    Resolution,
    diagnose,
    resolve_host,
)

PRIVATE_DNS = "privatelink.euc1a1.rockset.com"
MANAGED_URL = f"https://{PRIVATE_DNS}"
ENDPOINT = ("10.0.1.17", "10.0.2.33")
NXDOMAIN = Resolution((), "[Errno -2] Name or service not known")


def managed() -> DnsExpectation:
    return DnsExpectation.of(MANAGED_URL, PRIVATE_DNS, ENDPOINT)


def users_own(host: str = "rockset.internal.example.com") -> DnsExpectation:
    """A privatelink_url the user gave, whose host private DNS does not manage."""
    return DnsExpectation.of(f"https://{host}:8443", PRIVATE_DNS, ENDPOINT)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Answers:
    """A resolver that answers what the test says, recording what it was asked."""

    def __init__(self, answer: Resolution) -> None:
        self.answer = answer
        self.asked: list[tuple[str, float]] = []

    def __call__(self, host: str, timeout: float) -> Resolution:
        self.asked.append((host, timeout))
        return self.answer


def watch(
    expectation: DnsExpectation, answer: Resolution, **policy: Any
) -> tuple[DnsWatch, Clock, Answers]:
    clock, resolver = Clock(), Answers(answer)
    policy_ = DiagnosisPolicy(resolver=resolver, **policy)
    return DnsWatch(expectation, policy_, clock=clock), clock, resolver


# What one look finds.


def test_a_host_that_does_not_resolve_is_diagnosed() -> None:
    finding = diagnose(managed(), NXDOMAIN)
    assert finding is not None
    message = finding.message(MANAGED_URL, 45.2)
    assert f"{PRIVATE_DNS} does not resolve on this machine (" in message
    assert "Name or service not known" in message
    assert "network interfaces are at 10.0.1.17, 10.0.2.33" in message
    assert "diagnosed 45 s into step 3" in message
    assert "run `pulumi up` on a machine inside the VPC" in message
    assert "set `probe: vpc`" in message
    assert message.endswith(COMPONENT_FIXES)


def test_the_private_dns_name_resolving_elsewhere_is_diagnosed() -> None:
    public = Resolution(("203.0.113.7", "203.0.113.8"))
    finding = diagnose(managed(), public)
    assert finding is not None
    message = finding.message(MANAGED_URL, 46)
    assert f"{PRIVATE_DNS} resolves on this machine to 203.0.113.7, 203.0.113.8, not to " in (
        message
    )
    assert "network interfaces are at 10.0.1.17, 10.0.2.33" in message


@pytest.mark.parametrize(
    "addresses",
    [ENDPOINT, ("10.0.2.33",), ("10.0.1.17", "10.0.2.33", "fd00::5")],
    ids=["all", "one zone's", "with an IPv6 record"],
)
def test_the_endpoints_own_addresses_are_not_diagnosed(addresses: tuple[str, ...]) -> None:
    assert diagnose(managed(), Resolution(addresses)) is None


@pytest.mark.parametrize(
    "addresses",
    [("10.0.1.17", "10.0.9.9"), ("fd00::5",)],
    ids=["a stranger among them", "only IPv6"],
)
def test_any_address_but_the_endpoints_is_diagnosed(addresses: tuple[str, ...]) -> None:
    assert diagnose(managed(), Resolution(addresses)) is not None


def test_a_users_own_host_is_diagnosed_only_when_it_does_not_resolve() -> None:
    # Private DNS does not manage it: whatever it resolves to may be right (their own DNS).
    assert diagnose(users_own(), Resolution(("192.0.2.10",))) is None
    finding = diagnose(users_own(), NXDOMAIN)
    assert finding is not None
    assert "rockset.internal.example.com does not resolve" in finding.message("u", 45)


def test_without_the_endpoints_addresses_only_not_resolving_is_diagnosed() -> None:
    unknown = DnsExpectation.of(MANAGED_URL, PRIVATE_DNS, [])
    assert diagnose(unknown, Resolution(("203.0.113.7",))) is None
    finding = diagnose(unknown, NXDOMAIN)
    assert finding is not None
    assert "network interfaces are at none reported by AWS" in finding.message(MANAGED_URL, 45)


def test_a_wildcard_private_dns_name_manages_one_label_under_it() -> None:
    wildcard = "*.euc1a1.rockset.com"
    assert DnsExpectation.of(MANAGED_URL, wildcard, ENDPOINT).managed
    assert not DnsExpectation.of("https://a.b.euc1a1.rockset.com", wildcard, ENDPOINT).managed
    assert not DnsExpectation.of("https://euc1a1.rockset.com", wildcard, ENDPOINT).managed


def test_the_expectation_is_canonical_and_travels_as_props() -> None:
    expectation = DnsExpectation.of(
        "https://PrivateLink.EUC1A1.rockset.com.:443/",
        "privatelink.euc1a1.rockset.com.",
        ["10.0.2.33", "10.0.1.17", "10.0.1.17"],
    )
    assert expectation == managed()
    assert expectation.managed
    assert DnsExpectation.from_props(expectation.as_props()) == expectation
    assert DnsExpectation.from_props(None) is None
    assert DnsExpectation.from_props({}) is None
    no_name = DnsExpectation.of(MANAGED_URL, None, ENDPOINT)
    assert not no_name.managed
    assert DnsExpectation.from_props(no_name.as_props()) == no_name


def test_resolver_text_is_cleaned_before_it_is_shown() -> None:
    forged = Resolution((), "no\r\n\x1b[32m✔ Lockdown verified\x1b[0m" + "x" * 1000)
    finding = diagnose(managed(), forged)
    assert finding is not None
    message = finding.message(MANAGED_URL, 45)
    assert "\x1b" not in message
    assert "\n" not in message
    assert "x" * 300 not in message


# The window: private DNS may lag behind `available` for a while, never for the whole timeout.


def test_a_finding_fails_step_3_only_once_the_window_has_passed() -> None:
    dns, clock, resolver = watch(managed(), NXDOMAIN)
    assert dns.look() is False
    assert dns.finding is not None
    clock.now += DIAGNOSIS_WINDOW - 0.1
    assert dns.look() is False
    clock.now += 0.1
    assert dns.look() is True
    assert resolver.asked == [(PRIVATE_DNS, 5.0)] * 3
    message = dns.message(MANAGED_URL)
    assert message is not None
    assert f"diagnosed {DIAGNOSIS_WINDOW:.0f} s into step 3" in message


def test_private_dns_catching_up_within_the_window_clears_the_finding() -> None:
    dns, clock, resolver = watch(managed(), NXDOMAIN)
    assert dns.look() is False
    clock.now += 20
    resolver.answer = Resolution(ENDPOINT)
    assert dns.look() is False
    # Past the window, with the right addresses: an endpoint coming up, to be waited for.
    clock.now += 600
    assert dns.look() is False
    assert dns.finding is None
    assert dns.message(MANAGED_URL) is None


def test_a_host_that_was_reached_forgets_the_finding() -> None:
    dns, _, _ = watch(managed(), NXDOMAIN)
    dns.look()
    dns.forget()
    assert dns.message(MANAGED_URL) is None


def test_attempts_end_by_the_windows_end_while_it_is_open() -> None:
    dns, clock, _ = watch(managed(), NXDOMAIN, window=45.0)
    assert dns.attempt_deadline(900.0) == 45.0
    assert dns.attempt_deadline(10.0) == 10.0
    clock.now += 44.5
    assert dns.attempt_deadline(900.0) == MIN_ATTEMPT
    clock.now += 0.5
    assert dns.attempt_deadline(900.0) == 900.0


def test_the_policy_chooses_the_fixes_shown() -> None:
    fixes = "Run this command on a machine inside the VPC."
    dns, clock, _ = watch(managed(), NXDOMAIN, fixes=fixes, window=1.0)
    clock.now += 1.0
    assert dns.look() is True
    message = dns.message(MANAGED_URL)
    assert message is not None
    assert message.endswith(fixes)
    assert "probe: vpc" not in message


# The real resolver, bounded.


def test_resolve_host_answers_for_an_address_and_not_for_the_vpc_only_host() -> None:
    assert resolve_host("127.0.0.1") == Resolution(("127.0.0.1",))
    unresolved = resolve_host(VPC_ONLY_HOST)
    assert unresolved.addresses == ()
    assert unresolved.error


@pytest.fixture
def hanging_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    release = threading.Event()

    def getaddrinfo(*_args: Any, **_kwargs: Any) -> Any:
        release.wait(30)
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield release
    release.set()


def test_resolve_host_gives_up_on_a_resolver_that_does_not_answer(
    hanging_resolver: threading.Event,
) -> None:
    assert resolve_host(PRIVATE_DNS, timeout=0.05) == Resolution((), "no answer within 0.05 s")
