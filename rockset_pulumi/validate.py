"""The rules for the values that more than one entry point takes, each written once.

The component (:mod:`rockset_pulumi.args`), the client (:mod:`rockset_pulumi.client`), the
command line (:mod:`rockset_pulumi.cli`) and, through the component, the plugin all take an API
key, Rockset's API base URLs and a CA bundle; the component takes AWS ids (VPCs, subnets,
security groups) in several inputs, as plain values and as Outputs checked once they resolve.
Each value has one function here, which returns it checked (and normalized) or raises
:meth:`ConfigurationError.invalid
<rockset_pulumi.errors.ConfigurationError.invalid>` for the input at ``path``. The caller names
the input (``path``) and what could not be done (``action``); the rule and its fix are the same
for all.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from .errors import CREATE_PRIVATELINK, ConfigurationError, InputPath, python_name
from .text import shown

__all__ = [
    "AWS_ID_SOURCE",
    "IdRule",
    "api_key",
    "ca_bundle",
    "ca_context",
    "distinct_ids",
    "https_base_url",
    "security_group_id",
    "subnet_id",
    "vpc_id",
]

HIDDEN = "<hidden>"
"""What a message shows in place of a secret."""

# A DNS name, or an IPv4 or bracketed IPv6 literal as urlsplit leaves it (brackets removed).
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\.?|[0-9A-Fa-f:.]+")
_URL_EXAMPLE = "'https://api.euc1a1.rockset.com'"

AWS_ID_SOURCE = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html"
"""Amazon EC2 User Guide, "Resource IDs": an id is its resource type's prefix, a hyphen and a
hexadecimal string of 8 characters (resources made before 2016) or 17. AWS writes the digits in
lower case, and so do its consoles, CLI and SDKs."""

IdRule = Callable[[object, InputPath], str]
"""One AWS id's rule (:func:`vpc_id`, :func:`subnet_id`, :func:`security_group_id`) with its
``action``."""


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


def _aws_id(value: object, path: InputPath, *, prefix: str, noun: str, action: str | None) -> str:
    """``value`` if it has the shape of an AWS id of ``prefix`` (see :data:`AWS_ID_SOURCE`)."""
    example = f"{prefix}-0123456789abcdef0"
    shape = re.compile(rf"{prefix}-(?:[0-9a-f]{{8}}|[0-9a-f]{{17}})")

    def refuse(fix: str) -> ConfigurationError:
        return ConfigurationError.invalid(path, shown(value), fix, action=action)

    rule = (
        f"Pass the {noun}'s id as AWS shows it: {prefix + '-'!r} and 8 or 17 lower-case "
        f"hexadecimal digits, e.g. {example!r}."
    )
    if not isinstance(value, str):
        raise refuse(rule)
    if shape.fullmatch(value):
        return value
    if value.isascii() and shape.fullmatch(value.lower()):
        raise refuse(f"Pass {value.lower()!r}: AWS writes ids in lower case.")
    if not value.isprintable() or any(char.isspace() for char in value):
        raise refuse(f"It has white space or characters that do not show. {rule}")
    raise refuse(rule)


def vpc_id(
    value: object, path: InputPath = ("vpc_id",), *, action: str | None = CREATE_PRIVATELINK
) -> str:
    """A VPC id: ``vpc-`` and 8 or 17 lower-case hexadecimal digits."""
    return _aws_id(value, path, prefix="vpc", noun="VPC", action=action)


def subnet_id(value: object, path: InputPath, *, action: str | None = CREATE_PRIVATELINK) -> str:
    """A subnet id: ``subnet-`` and 8 or 17 lower-case hexadecimal digits."""
    return _aws_id(value, path, prefix="subnet", noun="subnet", action=action)


def security_group_id(
    value: object, path: InputPath, *, action: str | None = CREATE_PRIVATELINK
) -> str:
    """A security group id: ``sg-`` and 8 or 17 lower-case hexadecimal digits."""
    return _aws_id(value, path, prefix="sg", noun="security group", action=action)


def _folded(value: str) -> str:
    # ASCII only: str.lower makes some other letters ASCII ones (the Kelvin sign becomes "k").
    return value.lower() if value.isascii() else value


def distinct_ids(
    entries: Iterable[tuple[InputPath, object]],
    rule: IdRule,
    *,
    seen: Mapping[str, InputPath] | None = None,
    repeated: Callable[[InputPath], str] | None = None,
    action: str | None = CREATE_PRIVATELINK,
) -> dict[str, InputPath]:
    """Each entry's value checked by ``rule`` (which names its path), in order, after refusing
    one that repeats an earlier entry or one of ``seen``, compared without letter case: a
    resource named twice, or once in capitals, would fail only at AWS, after other resources
    exist. ``repeated`` gives the fix from the earlier entry's path. Returns every id, ``seen``
    included, with the path that named it first."""
    found: dict[str, tuple[str, InputPath]] = {
        _folded(key): (key, where) for key, where in (seen or {}).items()
    }
    for path, value in entries:
        earlier = found.get(_folded(value)) if isinstance(value, str) else None
        if earlier is not None:
            first = earlier[1]
            fix = (
                repeated(first)
                if repeated is not None
                else f"It is already {python_name(first)}; list each once."
            )
            raise ConfigurationError.invalid(path, shown(value), fix, action=action)
        checked = rule(value, path)
        found[_folded(checked)] = (checked, path)
    return dict(found.values())
