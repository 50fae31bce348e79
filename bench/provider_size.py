"""P3 serialized provider size: what each dynamic resource stores besides its inputs.

A child process (``python -m bench.provider_size N``) builds one locked-down ``PrivateLink`` with N
admin CIDRs under Pulumi's mocks and prints, for each dynamic resource, the size of the
``__provider`` string Pulumi's ``dynamic.Resource`` produced and of the other inputs as JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import pulumi

from bench import Section, Settings, overall, run_child, verdict
from devtools.pulumi_mocks import DYNAMIC_PREFIX, program, registered, resolve
from rockset_pulumi import PrivateLink, PrivateLinkArgs

MAX_PROVIDER_BYTES = 1024
API_KEY = "bench-p3-key"
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # noqa: S105 - a marker, not a password
"""The key Pulumi marks a secret value with on the wire."""
RESOURCES = ("ConnectivityCheck", "IpAllowlist", "LockdownCheck")


def admin_cidrs(count: int) -> dict[str, str]:
    """``count`` distinct /32s in 198.18.0.0/15, the block reserved for benchmarks (RFC 2544)."""
    return {f"admin-{i}": f"198.18.{i // 256}.{i % 256}/32" for i in range(count)}


def _cidrs(count: int) -> str:
    return f"{count} CIDR" if count == 1 else f"{count} CIDRs"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        if SECRET_SIG in value:
            return _plain(value["value"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def measure(count: int) -> dict[str, dict[str, int]]:
    """Sizes in bytes per dynamic resource type: ``provider`` and ``inputs``."""
    sizes: dict[str, dict[str, int]] = {}
    with program() as aws:
        link = PrivateLink(
            "rockset",
            PrivateLinkArgs(
                vpc_id=aws.network.vpc_id,
                subnet_ids=list(aws.network.subnet_ids_by_az.values()),
                api_key=API_KEY,
                admin_cidrs=admin_cidrs(count),
                lockdown=True,
            ),
        )
        resolve(pulumi.Output.all(link.connectivity, link.allowlist_entries, link.lockdown_status))
        for typ, _, inputs in registered(aws, DYNAMIC_PREFIX):
            plain = _plain(inputs)
            provider = plain.pop("__provider")
            sizes[typ.rsplit(":", 1)[-1]] = {
                "provider": len(provider.encode()),
                "inputs": len(json.dumps(plain, sort_keys=True).encode()),
            }
    return sizes


def run(settings: Settings) -> Section:
    counts = settings.cidr_counts
    by_count = {n: run_child("bench.provider_size", str(n)) for n in counts}
    rows: list[list[str]] = []
    verdicts: list[str] = []
    for resource in RESOURCES:
        providers = [by_count[n][resource]["provider"] for n in counts]
        inputs = [by_count[n][resource]["inputs"] for n in counts]
        ok = verdict(max(providers) < MAX_PROVIDER_BYTES and len(set(providers)) == 1)
        verdicts.append(ok)
        rows.append(
            [
                resource,
                *(str(p) for p in providers),
                *(str(i) for i in inputs),
                ok,
            ]
        )
    largest = max(by_count[n][r]["provider"] for n in counts for r in RESOURCES)
    flat = all(len({by_count[n][r]["provider"] for n in counts}) == 1 for r in RESOURCES)
    return Section(
        key="P3",
        title="Serialized provider size",
        what=(
            "Bytes of the `__provider` value each dynamic resource registers (the pickled "
            "provider, base64, as `pulumi.dynamic.Resource` produces it), and of the resource's "
            "other inputs as JSON (secrets shown as their plain value), for a locked-down "
            f"component with {', '.join(map(str, counts))} admin CIDRs. Measured under Pulumi's "
            "mocks; the sizes are deterministic, so one run per count."
        ),
        target=f"provider < {MAX_PROVIDER_BYTES} bytes for each resource, flat in the CIDR count",
        headers=[
            "resource",
            *(f"provider (B), {_cidrs(n)}" for n in counts),
            *(f"inputs (B), {_cidrs(n)}" for n in counts),
            "verdict",
        ],
        rows=rows,
        verdict=overall(verdicts),
        summary=f"largest provider {largest} B, "
        + ("the same" if flat else "not the same")
        + f" for {', '.join(map(str, counts))} CIDRs",
        notes=[
            "The providers are stateless classes in an importable module, so they pickle by "
            "reference; the admin CIDRs travel as inputs (IpAllowlist's `entries`), which is "
            "where the growth shows. LockdownCheck's `allowlist` is step 4's output, unset under "
            "mocks; in a real stack it carries the same entries once. ConnectivityCheck takes "
            "no CIDRs. In the state, each secret is stored encrypted, so there the provider "
            "takes more room than here."
        ],
    )


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]))))
