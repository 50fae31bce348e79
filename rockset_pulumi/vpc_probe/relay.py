"""The runner's side of ``probe: vpc``: an httpx transport that sends each request through the
probe function inside the VPC.

:class:`LambdaRelayTransport` turns one httpx request into one synchronous Lambda ``Invoke`` of
the function (:mod:`rockset_pulumi.vpc_probe.handler`), which makes the request from the
VPC and returns the answer. The client above it cannot tell the difference: an answer becomes an
``httpx.Response``, and a request that got none raises the httpx error the client already maps
(``ConnectError`` for DNS, connect and TLS failures, ``ConnectTimeout``/``ReadTimeout``,
``RemoteProtocolError``), so steps 3-5 run the same code whichever way the request travels.
What only a relay can meet (no credentials, no permission to invoke, a missing or failing
function) raises :class:`~rockset_pulumi.errors.ProbeFunctionError` or
:class:`~rockset_pulumi.errors.ConfigurationError` with the fix.

Each invocation is bounded by the exchange's :func:`~rockset_pulumi.transport.time_limit`: the
payload carries what is left as the function's deadline, and botocore's connect and read timeouts
end the invocation by then, with its retries off (the client retries, within its deadline).
Credentials are boto3's default chain with the spec's profile, in the spec's region. The key is
in the payload's ``Authorization`` header only. What Lambda or the function says reaches a message
through :func:`~rockset_pulumi.text.clean` only, and every message this module raises goes
through it again once put together, so that redaction of the key is the last thing done to it.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from ..errors import ConfigurationError, ProbeFunctionError, ResponseTooLargeError
from ..text import clean
from ..transport import time_left
from .spec import RelaySpec

__all__ = ["LambdaRelayTransport"]

# What an invocation costs beyond the request itself (the Invoke round trip, the function's
# start), kept back from the deadline the function is given so that its answer arrives in time.
_INVOKE_OVERHEAD = 1.0
_MIN_FUNCTION_DEADLINE = 0.1
_CONNECT_TIMEOUT = 5.0
_DEFAULT_DEADLINE = 10.0
# Lambda returns at most 6 MB; the function's answers are at most ~1.4 MB (1 MiB in base64).
_MAX_PAYLOAD = 6 << 20
_SHOWN = 300
_MESSAGE_LIMIT = 1000
# Lambda's errors that another attempt can fix: the client retries them as a failed connection.
_TRANSIENT_CODES = frozenset(
    {
        "TooManyRequestsException",
        "ResourceConflictException",
        "ResourceNotReadyException",
        "EC2ThrottledException",
        "ENILimitReachedException",
        "SubnetIPAddressLimitReachedException",
    }
)
_FIXES = {
    "AccessDeniedException": (
        "the AWS identity `pulumi up` runs as may not invoke it: allow lambda:InvokeFunction on "
        'it (see docs/probe.md, "Where `pulumi up` runs")'
    ),
    "ResourceNotFoundException": (
        "it does not exist in this account and region (deleted out of band?): run `pulumi up` "
        "again to re-create it, and check the credentials and region docs/probe.md describes"
    ),
    "UnrecognizedClientException": (
        "AWS did not recognize the credentials: check AWS_PROFILE / aws:profile and the keys"
    ),
    "InvalidSignatureException": "AWS refused the request's signature: check the credentials",
    "ExpiredTokenException": "the AWS session has expired: renew the credentials",
}


def _transport_error(kind: str, message: str, *, sent: bool) -> httpx.TransportError:
    """The httpx error the client maps for a relayed exchange that got no answer; the root cause
    it finds in the chain (the client looks for ``ssl.SSLError`` and ``socket.gaierror``)."""
    if kind == "timeout":
        error: httpx.TransportError = (
            httpx.ReadTimeout(message) if sent else httpx.ConnectTimeout(message)
        )
        return error
    if kind == "protocol":
        return httpx.RemoteProtocolError(message)
    error = httpx.ConnectError(message)
    if kind == "tls":
        error.__cause__ = ssl.SSLError(message)
    elif kind == "dns":
        error.__cause__ = socket.gaierror(message)
    return error


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(value)
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _header(pair: object) -> tuple[bytes, bytes]:
    name, value = _list(pair)  # ValueError unless a pair
    return _text(name).encode("latin-1"), _text(value).encode("latin-1")


class LambdaRelayTransport(httpx.BaseTransport):
    """Sends each request through the probe function ``spec`` names, from inside the VPC.

    ``ca_bundle`` is the runner's CA file: its PEM text travels in the payload, since the path
    does not exist where the function runs. ``secret`` (the API key) is cleaned from every message.
    """

    def __init__(self, spec: RelaySpec, *, ca_bundle: str | None, secret: str) -> None:
        self._spec = spec
        self._secret = secret
        self._pem = None if ca_bundle is None else Path(ca_bundle).read_text(encoding="utf-8")
        self._session: Any = None
        # One session per transport: boto3 sessions are not safe to share between threads.
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        left = time_left()
        deadline = _DEFAULT_DEADLINE if left is None else left
        if deadline <= 0:
            raise httpx.ConnectTimeout("the time limit of the exchange has passed")
        body = request.read()
        payload = {
            "method": request.method,
            "url": str(request.url),
            "headers": [[name, value] for name, value in request.headers.multi_items()],
            "body": base64.b64encode(body).decode("ascii") if body else None,
            "deadline": max(_MIN_FUNCTION_DEADLINE, deadline - _INVOKE_OVERHEAD),
            "ca_bundle_pem": self._pem,
        }
        answer = self._invoke(payload, deadline)
        return self._response(request, answer)

    @property
    def sent_from(self) -> str:
        """What sends the requests, as messages name it."""
        return self._spec.sent_from

    def _shown(self, text: str) -> str:
        return clean(text, _SHOWN, secret=self._secret)

    def _failed(self, message: str) -> ProbeFunctionError:
        """The error for ``message``, cleaned once put together: redaction comes last."""
        return ProbeFunctionError(clean(message, _MESSAGE_LIMIT, secret=self._secret))

    def _client(self, deadline: float) -> Any:
        # Imported here: only `probe: vpc` needs the AWS SDK, and it is slow to import.
        import boto3  # noqa: PLC0415
        from botocore.config import Config  # noqa: PLC0415
        from botocore.exceptions import BotoCoreError  # noqa: PLC0415

        with self._lock:
            try:
                if self._session is None:
                    self._session = boto3.session.Session(
                        profile_name=self._spec.profile, region_name=self._spec.region
                    )
                return self._session.client(
                    "lambda",
                    config=Config(
                        connect_timeout=min(_CONNECT_TIMEOUT, deadline),
                        read_timeout=deadline,
                        retries={"total_max_attempts": 1},
                    ),
                )
            except BotoCoreError as exc:
                raise self._setup_error(exc) from None

    def _setup_error(self, exc: Exception) -> ConfigurationError:
        name = type(exc).__name__
        if name == "ProfileNotFound":
            fix = (
                f"the AWS profile {self._spec.profile!r} (aws:profile, or the explicit "
                "provider's profile) is not in this machine's AWS config: fix the name or "
                "create the profile"
            )
        elif name == "NoRegionError":
            fix = "no AWS region is known: set aws:region (or pass a provider with a region)"
        elif name in ("NoCredentialsError", "PartialCredentialsError"):
            fix = (
                "no AWS credentials were found: set AWS_PROFILE or aws:profile, or "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as for the AWS provider"
            )
        else:
            fix = f"boto3 could not be set up ({name}: {self._shown(str(exc))})"
        return ConfigurationError(
            clean(
                f"Cannot invoke {self.sent_from} (probe: vpc): {fix}.",
                _MESSAGE_LIMIT,
                secret=self._secret,
            )
        )

    def _invoke(self, payload: Mapping[str, Any], deadline: float) -> Mapping[str, Any]:
        """The function's answer to ``payload``; raises with the fix when there is none."""
        from botocore.exceptions import (  # noqa: PLC0415 - see _client
            BotoCoreError,
            ClientError,
            ConnectTimeoutError,
            HTTPClientError,
            IncompleteReadError,
            ReadTimeoutError,
        )
        from botocore.exceptions import (  # noqa: PLC0415 - see _client
            ConnectionError as BotoConnectionError,
        )

        client = self._client(deadline)
        try:
            raw, function_error = self._call(client, payload, deadline)
        except ConnectTimeoutError:
            raise httpx.ConnectTimeout(f"invoking {self.sent_from} timed out") from None
        except ReadTimeoutError:
            raise httpx.ReadTimeout(f"{self.sent_from} did not answer in time") from None
        except BotoConnectionError as exc:
            # The endpoint, its TLS or a proxy: the invocation was not made.
            raise httpx.ConnectError(
                f"could not reach AWS Lambda to invoke {self.sent_from}: {self._shown(str(exc))}"
            ) from None
        except (HTTPClientError, IncompleteReadError) as exc:
            # The connection to Lambda dropped after the invocation went out: the function may
            # have made the request.
            raise httpx.ReadError(
                f"the answer of {self.sent_from} was cut off: {self._shown(str(exc))}"
            ) from None
        except ClientError as exc:
            raise self._client_error(exc) from None
        except BotoCoreError as exc:
            raise self._setup_error(exc) from None
        finally:
            client.close()
        return self._decoded(raw, function_error)

    def _call(
        self, client: Any, payload: Mapping[str, Any], deadline: float
    ) -> tuple[bytes, str | None]:
        """The invocation's payload and ``FunctionError``, within ``deadline`` as a whole.

        botocore's timeouts bound each read only: an answer that trickles in (through a proxy,
        say) would hold the exchange without end. So the call runs on a worker thread that is
        left behind, its connection closed, when the deadline passes."""
        outcome: list[tuple[bytes, str | None] | Exception] = []

        def call() -> None:
            try:
                result = client.invoke(
                    FunctionName=self._spec.function_name,
                    InvocationType="RequestResponse",
                    Payload=json.dumps(payload).encode("utf-8"),
                )
                raw = result["Payload"].read(_MAX_PAYLOAD + 1)
                outcome.append((raw, result.get("FunctionError")))
            except Exception as exc:  # raised again on the caller's thread, below
                outcome.append(exc)

        worker = threading.Thread(target=call, name="rockset-relay-invoke", daemon=True)
        worker.start()
        worker.join(deadline)
        if not outcome:
            raise httpx.ReadTimeout(f"{self.sent_from} did not answer within {deadline:.1f} s")
        found = outcome[0]
        if isinstance(found, Exception):
            raise found
        return found

    def _client_error(self, exc: Any) -> Exception:
        error = exc.response.get("Error", {})
        code = self._shown(str(error.get("Code", "Unknown")))
        message = self._shown(str(error.get("Message", "")))
        if code in _TRANSIENT_CODES:
            return httpx.ConnectError(f"Lambda answered {code} for {self.sent_from}: {message}")
        if code == "ServiceException":
            # Lambda failed on its side, perhaps after the function ran: the request may have
            # reached Rockset.
            return httpx.ReadError(f"Lambda answered {code} for {self.sent_from}: {message}")
        fix = _FIXES.get(code, "see the message")
        return self._failed(
            f"Cannot invoke {self.sent_from} (probe: vpc): AWS answered {code} ({message}); {fix}."
        )

    def _decoded(self, raw: bytes, function_error: str | None) -> Mapping[str, Any]:
        if len(raw) > _MAX_PAYLOAD:
            raise self._failed(f"{self.sent_from} returned more than {_MAX_PAYLOAD} bytes.")
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError):
            # RecursionError: JSON nested deeper than the parser's stack, such as b"[" * 10**5.
            answer = None
        if function_error is not None:
            found = answer if isinstance(answer, dict) else {}
            text = self._shown(f"{found.get('errorType', '')} {found.get('errorMessage', '')}")
            if "Task timed out" in text:
                raise httpx.ReadTimeout(f"{self.sent_from} timed out: {text}")
            raise self._failed(
                f"{self.sent_from} failed ({self._shown(function_error)}): {text}. Its log group "
                f"/aws/lambda/{self._spec.function_name} has the details; `pulumi up` "
                "redeploys its code."
            )
        if not isinstance(answer, dict):
            raise self._failed(
                f"{self.sent_from} returned something that is not its answer: is it this "
                "package's probe function? `pulumi up` redeploys its code."
            )
        return answer

    def _response(self, request: httpx.Request, answer: Mapping[str, Any]) -> httpx.Response:
        error = answer.get("error")
        if isinstance(error, dict):
            self._raise_for(request, error)
        status, headers, body = answer.get("status"), answer.get("headers"), answer.get("body")
        try:
            if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
                raise TypeError(status)
            # The function read them as Latin-1 (http.client does), so they travel back as the
            # bytes the host sent; anything else is not this package's function speaking.
            pairs = [_header(pair) for pair in _list(headers)]
            content = base64.b64decode(_text(body), validate=True)
        except (TypeError, ValueError):
            raise self._failed(
                f"{self.sent_from} returned an answer of the wrong shape: is it this package's "
                "probe function? `pulumi up` redeploys its code."
            ) from None
        return httpx.Response(status, headers=pairs, stream=httpx.ByteStream(content))

    def _raise_for(self, request: httpx.Request, error: Mapping[str, Any]) -> None:
        kind = str(error.get("kind", ""))
        message = (
            f"from inside the VPC, by {self.sent_from}: {self._shown(str(error.get('message')))}"
        )
        if kind == "refused":
            raise self._failed(
                f"{self.sent_from} refused to relay {request.method} {request.url.host}: "
                f"{self._shown(str(error.get('message')))}. It relays to the PrivateLink host it "
                "was deployed for only: run `pulumi up` to redeploy it for privatelink_url."
            )
        if kind == "too_large":
            url = request.url
            raise ResponseTooLargeError(
                clean(
                    f"{request.method} {url.scheme}://{url.netloc.decode()}{url.path} answered "
                    f"with a body over 1 MiB ({message}); Rockset's answers are far smaller: is "
                    "this a Rockset API endpoint?",
                    _MESSAGE_LIMIT,
                    secret=self._secret,
                ),
                base_url=f"{url.scheme}://{url.netloc.decode()}",
            )
        raise _transport_error(kind, message, sent=bool(error.get("sent", True)))
