"""The one gate of every engine test module: the Pulumi CLI must be built."""

from __future__ import annotations

import shutil

import pytest

from devtools.engine import pulumi_cli

__all__ = ["require_pulumi_cli"]


def require_pulumi_cli(*, yaml: bool = False) -> None:
    """Skip the module, loudly, where Go is missing (the CLI cannot be built); fail it where Go
    is there but the CLI (and with ``yaml``, the YAML language host) was not built, which `make
    test` would have done."""
    cli = pulumi_cli()
    if cli is not None and (not yaml or (cli.parent / "pulumi-language-yaml").is_file()):
        return
    if shutil.which("go") is None:
        pytest.skip(
            "ENGINE TESTS SKIPPED: Go is not installed, so the Pulumi CLI cannot be built. Install "
            "Go >= 1.26 (apt-get install golang-go, or go.dev) and run `make test` again.",
            allow_module_level=True,
        )
    missing = "the Pulumi CLI" if cli is None else "the YAML language host"
    pytest.fail(f"Go is installed but {missing} is not built: run `make pulumi-cli`.")
