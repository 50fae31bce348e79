"""rockset-pulumi: AWS PrivateLink to Rockset, verified and locked down, in one ``pulumi up``."""

from .args import PrivateLinkArgs
from .component import PrivateLink
from .errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    ProbeFunctionError,
    RateLimitedError,
    RequestRejectedError,
    ResponseTooLargeError,
    RocksetPulumiError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    VerificationError,
)
from .regions import REGIONS, RocksetRegion, lookup_region
from .sharing import SharedVpc
from .watch.settings import Watch

__all__ = [
    "REGIONS",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "NotFoundError",
    "PermissionDeniedError",
    "PrivateLink",
    "PrivateLinkArgs",
    "ProbeFunctionError",
    "RateLimitedError",
    "RequestRejectedError",
    "ResponseTooLargeError",
    "RocksetPulumiError",
    "RocksetRegion",
    "ServerError",
    "SharedVpc",
    "TransportError",
    "UnexpectedResponseError",
    "VerificationError",
    "Watch",
    "lookup_region",
]
