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
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
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
]


class RocksetPulumiError(Exception):
    """Base class of every error raised by rockset-pulumi."""


class ConfigurationError(RocksetPulumiError, ValueError):
    """An input is invalid; raised before any resource is created."""


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
