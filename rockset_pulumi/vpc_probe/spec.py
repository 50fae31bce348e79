"""Which probe function relays the PrivateLink side's requests: :class:`RelaySpec`.

Apart from the transport that uses it (:mod:`.relay`, built on httpx), so that what carries the
spec (the component's inputs, :class:`~rockset_pulumi.api.RocksetApi`) loads no HTTP client:
a preview, in a program or in the plugin's ``Construct``, never calls Rockset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RelaySpec"]


@dataclass(frozen=True)
class RelaySpec:
    """Which function relays the PrivateLink side's requests, and how to reach it."""

    function_name: str
    region: str
    """The component's region, where the function is."""
    profile: str | None = None
    """The named AWS profile (``aws:profile``, or the explicit provider's ``profile``); None for
    boto3's default credential chain alone."""

    @property
    def sent_from(self) -> str:
        """What sends the requests, as messages name it."""
        return f"the probe function {self.function_name} in {self.region}"

    @property
    def ran_from(self) -> str:
        """Where requests sent through this relay run, as the outputs name it."""
        return f"vpc:{self.function_name}"

    def as_input(self) -> dict[str, Any]:
        return {"function_name": self.function_name, "region": self.region, "profile": self.profile}

    @classmethod
    def from_input(cls, value: Mapping[str, Any]) -> RelaySpec:
        return cls(
            function_name=str(value["function_name"]),
            region=str(value["region"]),
            profile=value.get("profile") or None,
        )
