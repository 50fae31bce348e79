"""The gates of the tests that need tools built from Go modules: the Pulumi CLI (every engine
test module) and the SDK generator (the SDK drift test)."""

from __future__ import annotations

import shutil

import pytest

from devtools.engine import pulumi_cli
from devtools.go_example import go_example_driver
from devtools.sdks import sdkgen

__all__ = ["require_go_example", "require_pulumi_cli", "require_sdkgen"]


def require_pulumi_cli(*, yaml: bool = False) -> None:
    """Skip the module, loudly, where Go is missing (the CLI cannot be built); fail it where Go
    is there but the CLI (and with ``yaml``, the YAML language host) was not built, which `make
    test` would have done."""
    cli = pulumi_cli()
    if cli is not None and (not yaml or (cli.parent / "pulumi-language-yaml").is_file()):
        return
    missing = "the Pulumi CLI" if cli is None else "the YAML language host"
    _require_go(missing, "make pulumi-cli")


def require_sdkgen() -> None:
    """As :func:`require_pulumi_cli`, for the SDK generator (``make sdkgen``)."""
    if sdkgen() is None:
        _require_go("the SDK generator", "make sdkgen")


def require_go_example() -> None:
    """As :func:`require_pulumi_cli`, for the CLI and the Go example's driver
    (``make goexample``)."""
    require_pulumi_cli()
    if go_example_driver() is None:
        _require_go("the Go example's driver", "make goexample")


def _require_go(missing: str, make_target: str) -> None:
    if shutil.which("go") is None:
        pytest.skip(
            f"TESTS SKIPPED: Go is not installed, so {missing} cannot be built. Install "
            "Go >= 1.26 (apt-get install golang-go, or go.dev) and run `make test` again.",
            allow_module_level=True,
        )
    pytest.fail(f"Go is installed but {missing} is not built: run `{make_target}`.")
