"""The double's errors: AWS's own, and asking for something the double does not emulate."""

from __future__ import annotations

from botocore.exceptions import ClientError

__all__ = ["AwsApiError", "ProviderError", "UnsupportedTokenError"]


class AwsApiError(Exception):
    """An AWS API error, worded as the pulumi-aws provider reports it."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation}: api error {code}: {message}")
        self.code = code
        self.message = message

    @classmethod
    def from_client_error(cls, operation: str, error: ClientError) -> AwsApiError:
        details = error.response.get("Error", {})
        return cls(operation, details.get("Code", "Unknown"), details.get("Message", ""))


class ProviderError(AwsApiError):
    """A failure the provider itself reports, not AWS (a data source whose filters match no
    resource): its message is pulumi-aws's, with no operation or AWS error code."""

    def __init__(self, message: str) -> None:
        super().__init__("", "", message)
        self.args = (message,)

    def __str__(self) -> str:
        return self.message


class UnsupportedTokenError(Exception):
    """A resource type, function or argument the double does not emulate."""

    def __init__(self, kind: str, token: str) -> None:
        super().__init__(f"aws double: unsupported {kind} {token!r}")
        self.token = token
