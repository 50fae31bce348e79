"""TLS for the emulator: a private CA (reused across restarts) and a fresh server certificate.

Clients trust the emulator through the CA file, never by turning verification off. The CA lives in
``ca_dir``; a restarted emulator pointed at the same directory reuses it, so a CA bundle a client
already holds stays valid.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import trustme

__all__ = ["ServerTls", "prepare_tls"]

_CA_CERT = "ca.pem"
_CA_KEY = "ca-key.pem"


@dataclass(frozen=True)
class ServerTls:
    ca_bundle: Path
    context: ssl.SSLContext


def _load_or_create_ca(ca_dir: Path) -> trustme.CA:
    cert_path, key_path = ca_dir / _CA_CERT, ca_dir / _CA_KEY
    if cert_path.exists() and key_path.exists():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    ca = trustme.CA(organization_name="rockset-pulumi emulator")
    ca_dir.mkdir(parents=True, exist_ok=True)
    key_fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(key_fd, "wb") as key_file:
        key_file.write(ca.private_key_pem.bytes())
    # The certificate goes last: its presence is what marks the pair as complete.
    ca.cert_pem.write_to_path(str(cert_path))
    return ca


def prepare_tls(ca_dir: Path, hostnames: Iterable[str]) -> ServerTls:
    """Load or create the CA in ``ca_dir`` and a server context for ``hostnames`` (IPs or DNS)."""
    ca = _load_or_create_ca(ca_dir)
    names = list(dict.fromkeys(["127.0.0.1", "localhost", *hostnames]))
    leaf = ca.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    leaf.configure_cert(context)
    return ServerTls(ca_bundle=ca_dir / _CA_CERT, context=context)
