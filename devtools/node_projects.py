"""A TypeScript example (``examples/typescript``, ``examples/typescript-watch``) as a project
directory the CLI runs, with its packages installed from the npm registry as a user's
``npm install`` does.

The copy keeps the example's place beside ``sdk/`` (``<scratch>/examples/<name>`` and a
``<scratch>/sdk`` link to the checkout's), so its path dependency ``file:../../sdk/nodejs``
resolves as in the repository. npm's download cache is ``.tools/npm-cache``, so the second
install reads no registry and takes seconds, not a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from devtools.projects import REPO

__all__ = [
    "NPM_CACHE",
    "TYPESCRIPT_EXAMPLE",
    "NpmError",
    "copy_typescript_example",
    "npm",
    "npm_install",
]

TYPESCRIPT_EXAMPLE = REPO / "examples" / "typescript"
NPM_CACHE = REPO / ".tools" / "npm-cache"
NPM_TIMEOUT = 900.0


class NpmError(RuntimeError):
    """``npm install`` failed; the message carries its output."""


def copy_typescript_example(scratch: Path, example: Path = TYPESCRIPT_EXAMPLE) -> Path:
    """The TypeScript ``example`` (a directory of ``examples/``) at
    ``<scratch>/examples/<its name>``, its packages installed."""
    project = scratch / "examples" / example.name
    shutil.copytree(example, project, ignore=shutil.ignore_patterns("node_modules", "bin"))
    (scratch / "sdk").symlink_to(REPO / "sdk", target_is_directory=True)
    npm_install(project)
    return project


def npm_install(project: Path) -> None:
    """``npm install`` in ``project`` (its ``.npmrc`` copies the local SDK in), with the cache."""
    npm(project, "install", "--no-audit", "--no-fund", "--prefer-offline")


def npm(project: Path, *args: str) -> str:
    """``npm <args>`` in ``project`` with the cache; its output, or :class:`NpmError`."""
    if shutil.which("npm") is None:
        raise NpmError("npm is not on PATH: install Node.js 20 or newer (with npm).")
    result = subprocess.run(
        ["npm", *args],
        cwd=project,
        env={**os.environ, "npm_config_cache": str(NPM_CACHE)},
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise NpmError(
            f"npm {' '.join(args)} in {project} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout
