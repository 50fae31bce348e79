"""The rules for the values that more than one entry point takes, each written once.

The component (:mod:`rockset_pulumi.args`), the client (:mod:`rockset_pulumi.client`), the
command line (:mod:`rockset_pulumi.cli`) and, through the component, the plugin all take an API
key, Rockset's API base URLs and a CA bundle. Each value has one function here, which returns it
checked (and normalized) or raises :meth:`ConfigurationError.invalid
<rockset_pulumi.errors.ConfigurationError.invalid>` for the input at ``path``. The caller names
the input (``path``) and what could not be done (``action``); the rule and its fix are the same
for all.
"""

from __future__ import annotations

import re
import ssl
from pathlib import Path
from urllib.parse import urlsplit

from .errors import CREATE_PRIVATELINK, ConfigurationError, InputPath

__all__ = ["api_key", "ca_bundle", "ca_context", "https_base_url"]

HIDDEN = "<hidden>"
"""What a message shows in place of a secret."""

# A DNS name, or an IPv4 or bracketed IPv6 literal as urlsplit leaves it (brackets removed).
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?|[0-9A-Fa-f:.]+")
_URL_EXAMPLE = "'https://api.euc1a1.rockset.com'"


def api_key(
    value: object, path: InputPath = ("api_key",), *, action: str | None = CREATE_PRIVATELINK
) -> str:
    """Refuse a key that cannot be right, without ever putting it in the message. A key with
    spaces, control or non-ASCII characters would also make httpx raise an error that quotes
    the header value."""
    if not isinstance(value, str) or not value:
        shown = value if not isinstance(value, str) else ""
        raise ConfigurationError.invalid(
            path, shown, "Pass the Rockset API key as a non-empty string.", action=action
        )
    if value != value.strip():
        raise ConfigurationError.invalid(
            path,
            HIDDEN,
            "It has leading or trailing whitespace; copy the key without it.",
            action=action,
        )
    if not all("!" <= char <= "~" for char in value):
        raise ConfigurationError.invalid(
            path,
            HIDDEN,
            "It contains spaces, control or non-ASCII characters; Rockset keys have none.",
            action=action,
        )
    return value


def https_base_url(
    value: object, path: InputPath, *, action: str | None = CREATE_PRIVATELINK
) -> str:
    """A Rockset API base URL as ``https://host[:port]``: https only (the key travels in its
    requests), no credentials, no path beyond slashes, no query."""

    def refuse(shown: object, fix: str) -> ConfigurationError:
        return ConfigurationError.invalid(path, shown, fix, action=action)

    if not isinstance(value, str):
        raise refuse(value, f"Pass an https:// URL such as {_URL_EXAMPLE}.")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - parsing the port is what validates it
    except ValueError as exc:
        raise refuse(value, f"It is not a valid URL ({exc}). Pass a valid https:// URL.") from None
    if parts.scheme.lower() != "https":
        raise refuse(
            value,
            f"Pass an https:// URL such as {_URL_EXAMPLE}: the API key must never travel "
            "unencrypted.",
        )
    if not parts.hostname:
        raise refuse(value, f"It has no host name. Pass one such as {_URL_EXAMPLE}.")
    if not _HOST.fullmatch(parts.hostname):
        raise refuse(value, f"Its host name is not valid. Pass one such as {_URL_EXAMPLE}.")
    if parts.username is not None or parts.password is not None:
        raise refuse("<URL with credentials>", "Remove user:password@; pass api_key.")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise refuse(value, "Pass the base URL only, without a path or query.")
    if parts.port == 0:
        raise refuse(value, "Pass a port from 1 to 65535, or none for 443.")
    return f"https://{parts.netloc}"


def ca_context(
    value: object, path: InputPath = ("ca_bundle",), *, action: str | None = CREATE_PRIVATELINK
) -> ssl.SSLContext:
    """The standard library's client TLS context (certificates and host names verified) trusting
    the CA certificates of the PEM file at ``value`` only; refused unless it holds one."""
    if not isinstance(value, str) or not Path(value).is_file():
        raise ConfigurationError.invalid(
            path, value, "Pass the path of an existing PEM file of CAs.", action=action
        )
    try:
        context = ssl.create_default_context(cafile=value)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigurationError.invalid(
            path, value, f"It could not be read as PEM CA certificates ({exc}).", action=action
        ) from None
    if context.cert_store_stats()["x509_ca"] == 0:
        raise ConfigurationError.invalid(
            path, value, "It holds no CA certificate; pass a PEM file of CAs.", action=action
        )
    return context


def ca_bundle(
    value: object, path: InputPath = ("ca_bundle",), *, action: str | None = CREATE_PRIVATELINK
) -> str | None:
    """The path of a PEM file of CAs, checked as :func:`ca_context` reads it; None for none."""
    if value is None:
        return None
    ca_context(value, path, action=action)
    assert isinstance(value, str), "ca_context refuses anything else"
    return value
