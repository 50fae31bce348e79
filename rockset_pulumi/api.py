"""Where Rockset is and how to talk to it: :class:`RocksetApi`.

One value carries the two API base URLs, the key, the CA bundle and, with ``probe: vpc``, the
function that relays the PrivateLink side's requests from inside the VPC, from the component,
through the dynamic resources' inputs, to the client. The component builds the inputs with
:meth:`RocksetApi.inputs` (the one place that makes the key a Pulumi secret); a provider reads
them back with :meth:`RocksetApi.from_props`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from .polling import PollPolicy
from .vpc_probe.spec import RelaySpec

if TYPE_CHECKING:
    from .client import RocksetClient

__all__ = ["RELAY_PROP", "RocksetApi"]

RELAY_PROP = "probe"
"""The check resources' input that holds :attr:`RocksetApi.relay`. Its name is older than the
word's one meaning here (the ``probe`` argument, and the probe function): it is in existing
stacks' state, where another name would show every check as changed."""


@dataclass(frozen=True)
class RocksetApi:
    """Rockset's public and PrivateLink API endpoints, and the key. The key is not in ``repr``."""

    public_url: str
    """The public API endpoint, e.g. ``https://api.euc1a1.rockset.com``."""
    privatelink_url: str
    """The API endpoint through PrivateLink, e.g. ``https://privatelink.euc1a1.rockset.com``."""
    api_key: str = field(repr=False)
    """The API key the checks and the allowlist calls authenticate with."""
    ca_bundle: str | None = None
    """PEM file of CAs for Rockset's TLS certificates; None for the system trust store."""
    relay: RelaySpec | None = None
    """``probe: vpc``: the function that sends the PrivateLink side's requests from inside the
    VPC; None to send them from this machine (``probe: runner``)."""

    PROPS = ("public_url", "privatelink_url", "api_key", "ca_bundle", RELAY_PROP)
    """The dynamic resources' input names that carry this value."""

    def ran_from(self, url: str) -> str:
        """Where requests to ``url`` (one of the two endpoints) are sent from: ``runner``, or
        ``vpc:<function name>`` for the PrivateLink side with ``probe: vpc``."""
        if self.relay is not None and url == self.privatelink_url:
            return self.relay.ran_from
        return "runner"

    def client(self, url: str, *, deadline: float, attempts: int = 3) -> RocksetClient:
        """A client for ``url`` (one of the two endpoints) whose every call ends by ``deadline``
        seconds, retrying transient failures up to ``attempts`` times. With a relay, the
        PrivateLink side's requests go through it; the public side's always go from here."""
        # The HTTP stack (httpx and the client over it) loads with the first client, not with
        # this module: the component and the plugin's Construct build this value in every
        # preview, which never calls Rockset, and importing httpx is a tenth of a second.
        from .client import RocksetClient  # noqa: PLC0415
        from .vpc_probe.relay import LambdaRelayTransport  # noqa: PLC0415

        transport = None
        sent_from = None
        if self.relay is not None and url == self.privatelink_url:
            transport = LambdaRelayTransport(
                self.relay, ca_bundle=self.ca_bundle, secret=self.api_key
            )
            sent_from = transport.sent_from
        return RocksetClient(
            url,
            self.api_key,
            transport=transport,
            sent_from=sent_from,
            ca_bundle=self.ca_bundle,
            timeout=min(10.0, deadline),
            deadline=deadline,
            retry=PollPolicy(
                max_attempts=attempts, timeout=deadline, initial=0.2, ceiling=2.0, jitter=0.5
            ),
        )

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> RocksetApi:
        """Read back what :meth:`inputs` put into a dynamic resource's inputs."""
        return cls(
            public_url=props["public_url"],
            privatelink_url=props["privatelink_url"],
            api_key=props["api_key"],
            ca_bundle=props.get("ca_bundle") or None,
            relay=RelaySpec.from_input(props[RELAY_PROP]) if props.get(RELAY_PROP) else None,
        )

    @staticmethod
    def inputs(
        *,
        public_url: pulumi.Input[str],
        privatelink_url: pulumi.Input[str],
        api_key: pulumi.Input[str],
        ca_bundle: str | None,
        relay: pulumi.Input[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A dynamic resource's inputs for this value, with the key as a Pulumi secret.
        ``relay`` is a :meth:`RelaySpec.as_input` (its parts may be Outputs), or None."""
        return {
            "public_url": public_url,
            "privatelink_url": privatelink_url,
            "api_key": pulumi.Output.secret(api_key),
            "ca_bundle": ca_bundle,
            RELAY_PROP: relay,
        }
