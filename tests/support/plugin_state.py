"""What a stack run through the ``rockset`` plugin keeps in its state, as a test checks it for
any language's program (``examples/yaml``, ``examples/go``)."""

from __future__ import annotations

from devtools.engine import LocalStack

__all__ = ["CHECKS", "assert_key_only_encrypted"]

CHECKS = ("ConnectivityCheck", "IpAllowlist", "LockdownCheck")
# Pulumi's marker of a secret value in state, and its value.
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


def assert_key_only_encrypted(stack: LocalStack, api_key: str) -> None:
    """The three checks hold the API key as ciphertext, in their inputs and outputs; neither the
    exported state, the state's files nor the engine's output holds it in plaintext."""
    assert api_key not in stack.export()
    resources = stack.deployment()["resources"]
    checks = [r for r in resources if r["type"].removeprefix("rockset:index:") in CHECKS]
    assert len(checks) == len(CHECKS)
    for resource in checks:
        for where in ("inputs", "outputs"):
            key = resource[where]["apiKey"]
            assert key[SECRET_SIG[0]] == SECRET_SIG[1]
            assert "ciphertext" in key
    at_rest = "".join(p.read_text() for p in (stack.workdir / "state").rglob("*.json"))
    assert api_key not in at_rest
    assert api_key not in "\n".join(stack.output)
