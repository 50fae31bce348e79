"""The watcher function's code: one look at the lockdown, published as CloudWatch metrics.

Run by EventBridge on the watch's schedule (the event is ignored), in the endpoint's subnets. Each
run:

1. reads the watcher's key from the Secrets Manager secret its environment names (the key is in
   no environment variable and no payload);
2. lists the IP allowlist through PrivateLink, and through PrivateLink only (``GET
   /v1/orgs/self/ip/allowlist``, the one privilege the key needs), and compares it with the
   wanted entries and this component's owner mark (:mod:`rockset_pulumi.watch.compare`);
3. as the guide's step 5, asks the public endpoint for the same list with the same key: it must
   refuse it (401). Where the function has no route out (no NAT), the public endpoint cannot be
   reached and only the allowlist is judged; the log line says so;
4. publishes ``LockdownHolds`` (1 when everything held, 0 otherwise, a failed listing included)
   and ``UnexpectedEntries`` (when the list was read), with the stack and the component as
   dimensions, and logs one line naming what differs.

The exchanges are the probe function's (:mod:`rockset_pulumi.vpc_probe.handler`): TLS verified
(the system's CAs, or ``ca.pem`` uploaded beside this file), no redirects, at most 1 MiB, each
bounded in time and all by what is left of the invocation. Server text reaches the log and the
result (which ``pulumi up``'s first run keeps in the state) only through
:func:`rockset_pulumi.text.clean`, which redacts the key; a result names at most 20 unexpected
entries. Standard library only, and
boto3, which Lambda's Python runtime provides: the component uploads this package's few
pure modules it imports (see :data:`rockset_pulumi.watch.resources.UPLOADED`).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

# The probe's bounded exchange, reused as it is: its names stay private so that the probe
# function's deployed bytes (in every stack's state) do not change for this.
from ..text import clean
from ..vpc_probe.handler import _Exchange, _Request
from .compare import AllowlistAnswerError, Finding, Unexpected, compare, entries_of

__all__ = [
    "ALLOWLIST_PATH",
    "CA_FILE",
    "ENV",
    "METRIC_HOLDS",
    "METRIC_UNEXPECTED",
    "Cloud",
    "Settings",
    "handler",
    "look",
]

ALLOWLIST_PATH = "/v1/orgs/self/ip/allowlist"
METRIC_HOLDS = "LockdownHolds"
METRIC_UNEXPECTED = "UnexpectedEntries"
CA_FILE = "ca.pem"
"""The CA bundle uploaded beside the handler when the component has ``ca_bundle``."""
ENV = {
    "privatelink": "ROCKSET_WATCH_PRIVATELINK",
    "public": "ROCKSET_WATCH_PUBLIC",
    "secret": "ROCKSET_WATCH_SECRET_ARN",
    "entries": "ROCKSET_WATCH_ENTRIES",
    "mark": "ROCKSET_WATCH_OWNER_MARK",
    "namespace": "ROCKSET_WATCH_NAMESPACE",
    "stack": "ROCKSET_WATCH_STACK",
    "component": "ROCKSET_WATCH_COMPONENT",
}
"""The function's environment, set by the component; nothing in it is secret."""

_REQUEST_DEADLINE = 10.0
_NAMED = 20
"""Unexpected entries a result names (its metric counts them all): a result is kept in the
stack's state by ``pulumi up``'s first run, which a listing of thousands would bloat."""
_NAME_LIMIT = 200
_MARGIN = 1.0
_NO_ROUTE = frozenset({"dns", "connect", "timeout"})

logger = logging.getLogger("rockset_watch")


class Cloud(Protocol):
    """The AWS calls a run makes."""

    def secret(self, arn: str) -> str: ...

    def publish(
        self, namespace: str, dimensions: Mapping[str, str], values: Mapping[str, int]
    ) -> None: ...


@dataclass(frozen=True)
class Settings:
    """The environment, read."""

    privatelink: tuple[str, int]
    public: tuple[str, int]
    secret_arn: str
    entries: Mapping[str, str]
    mark: str
    namespace: str
    dimensions: Mapping[str, str]
    ca_pem: str | None = None
    """PEM text of the CAs to verify Rockset with; None for the system's."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        missing = [name for name in ENV.values() if not env.get(name)]
        if missing:
            raise RuntimeError(f"the function's environment lacks {missing}: run `pulumi up`")
        entries = json.loads(env[ENV["entries"]])
        return cls(
            privatelink=_host_port(env[ENV["privatelink"]]),
            public=_host_port(env[ENV["public"]]),
            secret_arn=env[ENV["secret"]],
            entries={str(k): str(v) for k, v in entries.items()},
            mark=env[ENV["mark"]],
            namespace=env[ENV["namespace"]],
            dimensions={"Stack": env[ENV["stack"]], "Component": env[ENV["component"]]},
            ca_pem=_ca_pem(),
        )


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def _ca_pem() -> str | None:
    bundle = Path(__file__).with_name(CA_FILE)
    return bundle.read_text(encoding="ascii") if bundle.is_file() else None


def _get(where: tuple[str, int], key: str, budget: float, ca_pem: str | None) -> dict[str, Any]:
    request = _Request(
        method="GET",
        host=where[0],
        port=where[1],
        target=ALLOWLIST_PATH,
        headers=(("Authorization", f"ApiKey {key}"), ("Accept", "application/json")),
        body=None,
        deadline=budget,
        ca_bundle_pem=ca_pem,
    )
    return _Exchange(request).run(min(budget, _REQUEST_DEADLINE))


def _listing(outcome: Mapping[str, Any]) -> tuple[bool, object]:
    """``(True, the answer's JSON document)``, or ``(False, why there is none)``: the status or
    the kind of failure, never server text."""
    error = outcome.get("error")
    if error is not None:
        return False, f"PrivateLink gave no answer ({error.get('kind')})"
    status = outcome.get("status")
    if status != 200:
        return False, f"PrivateLink answered {status}"
    try:
        return True, json.loads(base64.b64decode(outcome["body"]))
    except (ValueError, RecursionError):
        return False, "PrivateLink's answer is not JSON"


def _public(outcome: Mapping[str, Any]) -> str:
    """``refuses`` (401), ``accepts`` (it answered the key: 200, or 403 past the allowlist),
    ``unreachable`` (no route out), or ``error`` (anything else)."""
    error = outcome.get("error")
    if error is not None:
        return "unreachable" if error.get("kind") in _NO_ROUTE else "error"
    status = outcome.get("status")
    if status == 401:
        return "refuses"
    return "accepts" if status in (200, 403) else "error"


def look(settings: Settings, cloud: Cloud, remaining: float) -> dict[str, Any]:
    """One run: what it found, as returned and logged, after publishing the metrics."""
    started = time.monotonic()
    key = cloud.secret(settings.secret_arn)

    def left() -> float:
        return remaining - _MARGIN - (time.monotonic() - started)

    finding: Finding | None = None
    listed, document = _listing(_get(settings.privatelink, key, left(), settings.ca_pem))
    why = "" if listed else str(document)
    if listed:
        try:
            finding = compare(entries_of(document), settings.entries, settings.mark)
        except AllowlistAnswerError as exc:
            why = f"PrivateLink's answer is not an allowlist ({exc})"
    public = _public(_get(settings.public, key, left(), settings.ca_pem)) if left() > 1 else "error"
    holds = finding is not None and finding.holds and public in ("refuses", "unreachable")
    values = {METRIC_HOLDS: int(holds)}
    if finding is not None:
        values[METRIC_UNEXPECTED] = len(finding.unexpected)
    cloud.publish(settings.namespace, settings.dimensions, values)
    result: dict[str, Any] = {
        "lockdown_holds": int(holds),
        "public": public,
        "missing": None if finding is None else list(finding.missing),
        "unexpected": None if finding is None else _named(finding.unexpected, key),
        "error": None if finding is not None else why,
    }
    logger.info("%s", clean(_line(result), secret=key, limit=2000))
    return {k: clean(v, secret=key) if isinstance(v, str) else v for k, v in result.items()}


def _named(unexpected: Sequence[Unexpected], key: str) -> list[str]:
    """The first :data:`_NAMED` unexpected entries, each cleaned (names and addresses are the
    server's text), then how many more there are."""
    named = [
        clean(f"{u.name} {u.ip_address} ({u.whose})", _NAME_LIMIT, secret=key)
        for u in unexpected[:_NAMED]
    ]
    more = len(unexpected) - _NAMED
    return [*named, f"and {more} more"] if more > 0 else named


def _line(result: Mapping[str, Any]) -> str:
    parts = [f"lockdown {'holds' if result['lockdown_holds'] else 'does NOT hold'}"]
    if result["error"] is not None:
        parts.append(f"allowlist not read: {result['error']}")
    if result["missing"]:
        parts.append(f"missing or changed: {', '.join(result['missing'])}")
    if result["unexpected"]:
        parts.append(f"unexpected: {', '.join(result['unexpected'])}")
    parts.append(
        {
            "refuses": "public endpoint refuses the key",
            "accepts": "public endpoint ACCEPTS the key",
            "unreachable": "public endpoint not reachable from here (no route out): "
            "judged by the allowlist alone",
            "error": "public endpoint gave no usable answer",
        }[result["public"]]
    )
    return "; ".join(parts)


class _Boto3Cloud:
    """Secrets Manager and CloudWatch through boto3, each call bounded."""

    def __init__(self) -> None:
        import boto3  # noqa: PLC0415 - Lambda's runtime has it; this package does not need it
        from botocore.config import Config  # noqa: PLC0415

        config = Config(connect_timeout=5, read_timeout=5, retries={"max_attempts": 2})
        self._secrets = boto3.client("secretsmanager", config=config)
        self._metrics = boto3.client("cloudwatch", config=config)

    def secret(self, arn: str) -> str:
        value: str = self._secrets.get_secret_value(SecretId=arn)["SecretString"]
        return value

    def publish(
        self, namespace: str, dimensions: Mapping[str, str], values: Mapping[str, int]
    ) -> None:
        named = [{"Name": k, "Value": v} for k, v in dimensions.items()]
        self._metrics.put_metric_data(
            Namespace=namespace,
            MetricData=[
                {"MetricName": name, "Dimensions": named, "Value": value, "Unit": "Count"}
                for name, value in values.items()
            ],
        )


def handler(event: object, context: object) -> dict[str, Any]:
    """Lambda's entry point: one look, whatever the event."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    seconds = 30.0 if remaining is None else float(remaining()) / 1000.0
    return look(Settings.from_env(os.environ), _Boto3Cloud(), seconds)
