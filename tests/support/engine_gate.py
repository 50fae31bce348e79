"""The one gate of every engine test module: the Pulumi CLI must be built."""

from __future__ import annotations

import shutil

import pytest

from devtools.engine import pulumi_cli

__all__ = ["require_pulumi_cli"]


def require_pulumi_cli() -> None:
    """Skip the module, loudly, where Go is missing (the CLI cannot be built); fail it where Go
    is there but the CLI was not built, which `make test` would have done."""
    if pulumi_cli() is not None:
        return
    if shutil.which("go") is None:
        pytest.skip(
            "ENGINE TESTS SKIPPED: Go is not installed, so the Pulumi CLI cannot be built. Install "
            "Go >= 1.26 (apt-get install golang-go, or go.dev) and run `make test` again.",
            allow_module_level=True,
        )
    pytest.fail("Go is installed but the Pulumi CLI is not built: run `make pulumi-cli`.")
