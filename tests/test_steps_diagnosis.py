"""Step 3's DNS diagnosis against the emulator over real HTTPS, with this machine's resolver.

"Outside the VPC" is the offline VPC's host (devtools.vpc): it resolves nowhere here. The window
is shortened so that the tests do not wait the 45 s a real run allows private DNS; the default's
timing is benchmark P6's to measure.
"""

from __future__ import annotations

import dataclasses

import pytest

from devtools.vpc import VPC_ONLY_HOST, inside_vpc
from rockset_pulumi import VerificationError
from rockset_pulumi.diagnosis import DiagnosisPolicy, DnsExpectation
from rockset_pulumi.steps import check_connectivity
from tests.conftest import EmulatorFactory
from tests.support.emulator import RunningEmulator

PRIVATE_DNS = "privatelink.euc1a1.rockset.com"
ENDPOINT = ("10.0.1.17", "10.0.2.33")
SHORT = DiagnosisPolicy(window=0.5)


def test_outside_the_vpc_step_3_fails_with_the_diagnosis_not_the_timeout(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory(tls_name=[VPC_ONLY_HOST])
    api = dataclasses.replace(emu.api, privatelink_url=inside_vpc(emu.privatelink_url))
    dns = DnsExpectation.of(api.privatelink_url, PRIVATE_DNS, ENDPOINT)
    with pytest.raises(VerificationError) as err:
        # The check timeout is the default; only the diagnosis can end this test in time.
        check_connectivity(api, 900, public_may_refuse_key=False, dns=dns, diagnosis=SHORT)
    message = str(err.value)
    assert message.startswith(
        f"Step 3 failed: this machine cannot reach the PrivateLink endpoint {api.privatelink_url}"
    )
    assert f"{VPC_ONLY_HOST} does not resolve on this machine" in message
    assert "network interfaces are at 10.0.1.17, 10.0.2.33" in message
    assert "inside the VPC" in message
    assert "probe: vpc" in message
    assert "Likely causes" not in message
    assert emu.api_key not in message
    # Nothing reached the PrivateLink listener: only the public side was asked.
    assert {r["listener"] for r in emu.requests()} == {"public"}


def test_the_private_dns_name_resolving_to_other_addresses_is_diagnosed(
    emulator_factory: EmulatorFactory,
) -> None:
    # "localhost" stands for a private DNS name that this machine resolves, but not to the
    # endpoint (as public DNS might answer): its PrivateLink listener never comes up.
    emu = emulator_factory(ready_after=600, tls_name=["localhost"])
    url = emu.privatelink_url.replace("127.0.0.1", "localhost")
    api = dataclasses.replace(emu.api, privatelink_url=url)
    dns = DnsExpectation.of(url, "localhost", ENDPOINT)
    with pytest.raises(VerificationError) as err:
        check_connectivity(api, 900, public_may_refuse_key=False, dns=dns, diagnosis=SHORT)
    message = str(err.value)
    assert "localhost resolves on this machine to 127.0.0.1" in message
    assert "not to the endpoint's addresses" in message
    assert "network interfaces are at 10.0.1.17, 10.0.2.33" in message


def test_refusals_at_the_endpoints_own_address_wait_for_it_as_before(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory(ready_after=600, tls_name=["localhost"])
    url = emu.privatelink_url.replace("127.0.0.1", "localhost")
    api = dataclasses.replace(emu.api, privatelink_url=url)
    # This machine resolves the host to the endpoint: it is inside the "VPC", the endpoint is
    # still coming up, and step 3 waits the check timeout for it, past the window.
    dns = DnsExpectation.of(url, "localhost", ["127.0.0.1"])
    with pytest.raises(VerificationError) as err:
        check_connectivity(api, 2, public_may_refuse_key=False, dns=dns, diagnosis=SHORT)
    message = str(err.value)
    assert "did not accept the API key within 2 s" in message
    assert "Likely causes" in message
    assert "does not resolve" not in message


def test_a_privatelink_endpoint_that_answers_is_not_diagnosed(emulator: RunningEmulator) -> None:
    # Whatever the expectation says, an endpoint that answers passes: there is nothing to explain.
    dns = DnsExpectation.of(emulator.privatelink_url, "127.0.0.1", ENDPOINT)
    result = check_connectivity(
        emulator.api, 5, public_may_refuse_key=False, dns=dns, diagnosis=SHORT
    )
    assert result["privatelink"]["authenticated"] is True


def test_a_check_timeout_shorter_than_the_window_reports_the_diagnosis(
    emulator_factory: EmulatorFactory,
) -> None:
    emu = emulator_factory(tls_name=[VPC_ONLY_HOST])
    api = dataclasses.replace(emu.api, privatelink_url=inside_vpc(emu.privatelink_url))
    dns = DnsExpectation.of(api.privatelink_url, PRIVATE_DNS, ENDPOINT)
    with pytest.raises(VerificationError) as err:
        check_connectivity(
            api, 1, public_may_refuse_key=False, dns=dns, diagnosis=DiagnosisPolicy(window=60)
        )
    assert f"{VPC_ONLY_HOST} does not resolve on this machine" in str(err.value)
