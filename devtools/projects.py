"""Pulumi project directories for the CLI: a copy of the example, or one a test writes.

A copy keeps the checkout clean: ``pulumi stack init`` and ``pulumi config set`` write the stack
file (its encryption salt, the live values, the encrypted API key) into the copy. Every project
gets a ``.venv`` link to the virtualenv running this code, where the ``virtualenv`` runtime
option of its ``Pulumi.yaml`` points, as a user's project has its own.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["EXAMPLE_FILES", "PROJECT", "REPO", "copy_example", "write_project"]

REPO = Path(__file__).resolve().parents[1]
PROJECT = "rockset-privatelink"
EXAMPLE_FILES = ("Pulumi.yaml", "__main__.py", "Pulumi.local.yaml")


def _example_settings() -> dict[str, Any]:
    settings: dict[str, Any] = yaml.safe_load((REPO / "Pulumi.yaml").read_text(encoding="utf-8"))
    return settings


def _link_virtualenv(project: Path) -> None:
    if sys.prefix == sys.base_prefix:
        raise RuntimeError(
            f"{sys.executable} is not a virtualenv's python: run this with .venv/bin/python"
            " (`make venv`), whose packages the project's programs need."
        )
    option: str = _example_settings()["runtime"]["options"]["virtualenv"]
    (project / option).symlink_to(sys.prefix, target_is_directory=True)


def copy_example(destination: Path) -> Path:
    """The example project (``Pulumi.yaml``, ``__main__.py``, the ``local`` stack file)."""
    destination.mkdir(parents=True)
    for name in EXAMPLE_FILES:
        shutil.copy2(REPO / name, destination / name)
    _link_virtualenv(destination)
    return destination


def write_project(
    destination: Path,
    program: str,
    *,
    name: str = PROJECT,
    config: dict[str, Any] | None = None,
) -> Path:
    """A project of its own: ``program`` as ``__main__.py``, the example's runtime, and
    ``config`` as the typed config schema of its ``Pulumi.yaml``."""
    settings: dict[str, Any] = {"name": name, "runtime": _example_settings()["runtime"]}
    if config is not None:
        settings["config"] = config
    destination.mkdir(parents=True)
    (destination / "Pulumi.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    (destination / "__main__.py").write_text(program, encoding="utf-8")
    _link_virtualenv(destination)
    return destination
