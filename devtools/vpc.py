"""The offline "VPC": a PrivateLink host that resolves only inside it.

In AWS, Rockset's PrivateLink host resolves (through the endpoint's private DNS) only in the
endpoint's VPC; a laptop or a hosted CI runner cannot resolve it at all. The offline stand-ins
reproduce that with :data:`VPC_ONLY_HOST`, a name under the reserved ``.test`` domain, which no
resolver on the runner answers. Whatever runs "inside the VPC" (the stand-in Lambda's function
process) maps it to the emulator's PrivateLink listener instead. The emulator's certificate names
it (``--tls-name``), so TLS is verified against the emulator's CA on that name, as it would be
against Rockset's certificate.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["VPC_ONLY_HOST", "inside_vpc", "listener", "vpc_hosts"]

VPC_ONLY_HOST = "privatelink.vpc.rockset.test"
"""Resolves nowhere on the runner; only the stand-in VPC's processes map it to the emulator."""


def inside_vpc(privatelink_url: str) -> str:
    """The emulator's PrivateLink listener URL (``https://127.0.0.1:<port>``) as a program in
    the VPC names it: :data:`VPC_ONLY_HOST` on the same port."""
    parts = urlsplit(privatelink_url)
    if parts.port is None:
        raise ValueError(f"{privatelink_url!r} has no port: expected the emulator's listener URL")
    return f"https://{VPC_ONLY_HOST}:{parts.port}"


def listener(privatelink_url: str) -> tuple[str, int]:
    """Address and port a PrivateLink URL's host really is on loopback, for the VPC's mapping."""
    parts = urlsplit(privatelink_url)
    if parts.hostname is None or parts.port is None:
        raise ValueError(f"{privatelink_url!r}: expected https://<address>:<port>")
    return parts.hostname, parts.port


def vpc_hosts(address: str = "127.0.0.1") -> dict[str, str]:
    """What resolves differently inside the VPC: :data:`VPC_ONLY_HOST` -> the emulator's listener
    address (the Lambda Invoke server's ``vpc_hosts``)."""
    return {VPC_ONLY_HOST: address}
