"""Exceptions raised by rockset-pulumi.

Every error the package raises derives from :class:`RocksetPulumiError`, so a caller can catch
one type. The tree::

    RocksetPulumiError
    ├── ConfigurationError      bad input, caught before anything is created (also ValueError)
    ├── VerificationError       a guide step did not hold: account not registered, endpoint not
    │   │                       accepted, PrivateLink unreachable, public endpoint still open,
    │   │                       lock-out guard
    │   └── ProbeFunctionError  ``probe: vpc``: the probe function could not be invoked, or failed
    ├── ApiError                Rockset answered with an error (``status``, ``error_type``)
    │   ├── AuthenticationError       401 / AUTHEXCEPTION: wrong key, or caller not allowlisted
    │   ├── PermissionDeniedError     403: the key lacks a privilege
    │   ├── NotFoundError             404
    │   ├── RequestRejectedError      400 / 409 / 415 ...: the request itself was refused
    │   ├── RateLimitedError          429, after retries
    │   ├── ServerError               5xx, after retries
    │   └── UnexpectedResponseError   an answer that is not what Rockset sends
    │       └── ResponseTooLargeError   a body over the size cap, raw or decompressed
    └── TransportError            no complete answer: connect, DNS, TLS, timeout, overall deadline

Messages name the endpoint (never the API key) and what to check. Text from the other side in
them is redacted and cleaned (:mod:`rockset_pulumi.text`), and no exception refers to the HTTP
request, whose headers hold the key.

A :class:`ConfigurationError` about one input carries that input as data (``path``,
``shown_value``, ``fix``), so that each entry point can name it its own way: the component and
the client by Python name (:func:`python_name`), the command line by its flag, and the plugin in
schema terms.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CREATE_PRIVATELINK",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "InputPath",
    "InputWarning",
    "MapKey",
    "NotFoundError",
    "PermissionDeniedError",
    "ProbeFunctionError",
    "RateLimitedError",
    "RequestRejectedError",
    "ResponseTooLargeError",
    "RocksetPulumiError",
    "ServerError",
    "TransportError",
    "UnexpectedResponseError",
    "VerificationError",
    "python_name",
]

CREATE_PRIVATELINK = "create the PrivateLink"
"""What the component could not do when an input is refused (the message's ``Cannot ...:``)."""


@dataclass(frozen=True)
class MapKey:
    """One entry of a map the user fills (``admin_cidrs['office']``, ``tags['team']``): unlike a
    field name, its key is the user's own, and no entry point translates it."""

    key: object


InputPath = tuple[str | int | MapKey, ...]
"""Where an input is: a field or flag name first, then list positions (``int``), map entries
(:class:`MapKey`) and field names of nested values (``("shared_vpcs", 1, "vpc_id")``)."""


class RocksetPulumiError(Exception):
    """Base class of every error raised by rockset-pulumi."""


def python_name(path: InputPath) -> str:
    """``path`` as Python spells it: ``admin_cidrs['office']``, ``shared_vpcs[1].vpc_id``."""
    name = ""
    for part in path:
        if isinstance(part, MapKey):
            name += f"[{part.key!r}]"
        elif isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name


@dataclass(frozen=True)
class InputWarning:
    """An input that is allowed but probably not what the user meant, as data like a refusal,
    so that each language is told it in its own terms (the plugin: the schema's)."""

    path: InputPath
    shown_value: object
    problem: str
    """What is wrong with it, after ``<name> is <value>, ``."""

    def __str__(self) -> str:
        return f"{python_name(self.path)} is {self.shown_value!r}, {self.problem}"


class ConfigurationError(RocksetPulumiError, ValueError):
    """An input is invalid; raised before any resource is created.

    Raised by :meth:`invalid` when one input is at fault, with that input as data: ``path``
    (empty for a refusal that no single input explains), ``shown_value`` (its value as it may be
    shown: ``"<hidden>"`` for a secret), ``fix`` (what to do), ``of_key`` (the key of the map
    entry that ends ``path`` is wrong, not its value) and ``action`` (what could not be done, or
    None where the message starts with the input).
    """

    def __init__(
        self,
        message: str,
        *,
        path: InputPath = (),
        shown_value: object = None,
        fix: str = "",
        of_key: bool = False,
        action: str | None = CREATE_PRIVATELINK,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.shown_value = shown_value
        self.fix = fix
        self.of_key = of_key
        self.action = action

    @classmethod
    def invalid(
        cls,
        path: InputPath | str,
        shown_value: object,
        fix: str,
        *,
        of_key: bool = False,
        action: str | None = CREATE_PRIVATELINK,
    ) -> ConfigurationError:
        """The refusal of the input at ``path``, its message rendered from the fields:
        ``Cannot <action>: <name> is <shown value>. <fix>``, the name as Python spells it. A
        string ``path`` is a top-level input's name."""
        if isinstance(path, str):
            path = (path,)
        name = python_name(path[:-1] if of_key else path)
        subject = f"{name} key" if of_key else name
        told = f"{subject} is {shown_value!r}. {fix}"
        message = told if action is None else f"Cannot {action}: {told}"
        return cls(
            message, path=path, shown_value=shown_value, fix=fix, of_key=of_key, action=action
        )


class VerificationError(RocksetPulumiError):
    """A step of Rockset's PrivateLink guide did not hold when it was checked."""


class ProbeFunctionError(VerificationError):
    """``probe: vpc``: the function that sends the PrivateLink side's requests from inside the VPC
    could not be invoked (credentials, permissions, gone) or failed; the message says what to
    fix. Not transient: waiting does not help."""


class ApiError(RocksetPulumiError):
    """Rockset answered with an error.

    ``status`` is the HTTP status (``None`` where the body, not the status, was wrong),
    ``error_type`` Rockset's ``ErrorModel.type`` upper-cased (``None`` when absent), and
    ``base_url`` the API endpoint (public or PrivateLink) that answered.
    """

    def __init__(
        self,
        message: str,
        *,
        base_url: str,
        status: int | None = None,
        error_type: str | None = None,
    ) -> None:
        super().__init__(message)
        self.base_url = base_url
        self.status = status
        self.error_type = error_type


class AuthenticationError(ApiError):
    """401 or ``AUTHEXCEPTION``: the key is wrong, or the caller is outside the IP allowlist."""


class PermissionDeniedError(ApiError):
    """403: the key is valid but lacks a privilege."""


class NotFoundError(ApiError):
    """404: the named object does not exist."""


class RequestRejectedError(ApiError):
    """400, 409 and other 4xx: Rockset refused the request as sent."""


class RateLimitedError(ApiError):
    """429 that persisted through every retry."""


class ServerError(ApiError):
    """5xx that persisted through every retry."""


class UnexpectedResponseError(ApiError):
    """The endpoint answered with something Rockset never sends (wrong JSON, wrong shape)."""


class ResponseTooLargeError(UnexpectedResponseError):
    """The body was larger than the client reads (1 MiB), as sent or once decompressed."""


class TransportError(RocksetPulumiError):
    """No complete answer: connection refused, DNS, TLS verification, timeout, overall deadline."""

    def __init__(self, message: str, *, base_url: str) -> None:
        super().__init__(message)
        self.base_url = base_url
