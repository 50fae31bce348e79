#!/usr/bin/env python3
"""``pulumi-resource-rockset`` as the plugin archive ships it (``make dist``).

``pulumi plugin install resource rockset <version> --file <archive>`` unpacks the archive into
the plugin's directory: this file, as ``pulumi-resource-rockset``; this package's wheel; and
``constraints.txt``, the versions of its dependencies it was released with. On its first start
the launcher makes a virtualenv of its own beside itself (``venv/``) and installs the wheel into
it with pip, dependencies pinned by the constraints and fetched from the package index pip is
set up for; every start then runs the plugin from there. Nothing of the user's Python
environment is used but the interpreter: Python >= 3.11 as ``python3`` on PATH, or the one
``PULUMI_ROCKSET_PYTHON`` names. Removing the plugin (``pulumi plugin rm``) removes it all.

The engine reads the plugin's port from its standard output, so everything the installation
says goes to standard error. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

__all__ = ["MIN_PYTHON", "PYTHON_ENV", "LaunchError", "ensure_virtualenv", "main"]

MIN_PYTHON = (3, 11)
PYTHON_ENV = "PULUMI_ROCKSET_PYTHON"
CONSTRAINTS = "constraints.txt"
PLUGIN = "pulumi-resource-rockset"
INSTALL_TIMEOUT = 900.0
"""Seconds the first start may spend installing (pip's own timeout bounds each request)."""
_READY = ".ready"
_REEXEC = "_PULUMI_ROCKSET_REEXEC"


class LaunchError(Exception):
    """The plugin cannot start: the message says why and what to do."""


def _check_python() -> None:
    """Re-run under ``PULUMI_ROCKSET_PYTHON`` when it names another interpreter; refuse a
    Python older than 3.11."""
    wanted = os.environ.get(PYTHON_ENV)
    if wanted and not os.environ.get(_REEXEC):
        os.environ[_REEXEC] = "1"
        try:
            # The user named this interpreter to run the plugin with.
            os.execvp(wanted, [wanted, __file__, *sys.argv[1:]])  # noqa: S606
        except OSError as error:
            raise LaunchError(
                f"{PYTHON_ENV}={wanted!r} cannot be run ({error.strerror}): name a Python "
                f">= {MIN_PYTHON[0]}.{MIN_PYTHON[1]} executable, or unset it to use python3."
            ) from None
    if sys.version_info < MIN_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        raise LaunchError(
            f"the rockset plugin needs Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]}, but "
            f"{sys.executable} is {found}: set {PYTHON_ENV} to a newer Python's path."
        )


def ensure_virtualenv(here: Path) -> Path:
    """The plugin's executable in ``here/venv``, made from the wheel in ``here`` if it is not
    complete yet (one start installs while the others wait for it)."""
    env_dir = here / "venv"
    plugin = env_dir / "bin" / PLUGIN
    if (env_dir / _READY).is_file():
        return plugin
    wheels = sorted(here.glob("*.whl"))
    if len(wheels) != 1:
        raise LaunchError(
            f"{here} holds {len(wheels)} wheels, not one: reinstall the plugin from its archive "
            "(pulumi plugin install resource rockset <version> --file <archive> --reinstall)."
        )
    with (here / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (env_dir / _READY).is_file():
            return plugin
        # A half-made virtualenv (an interrupted first start) is made again.
        shutil.rmtree(env_dir, ignore_errors=True)
        print(f"rockset plugin: installing {wheels[0].name} into {env_dir}", file=sys.stderr)
        try:
            venv.EnvBuilder(with_pip=True).create(env_dir)
        except subprocess.CalledProcessError:
            raise LaunchError(
                f"{sys.executable} cannot make a virtualenv with pip (on Debian or Ubuntu: "
                "apt-get install python3-venv)."
            ) from None
        command = [
            str(env_dir / "bin" / "python"),
            *("-m", "pip", "install", "--no-input", "--disable-pip-version-check"),
            *("--constraint", str(here / CONSTRAINTS), str(wheels[0])),
        ]
        try:
            subprocess.run(
                command, stdout=sys.stderr, check=True, timeout=INSTALL_TIMEOUT, env=_isolated_env()
            )
        except subprocess.CalledProcessError as error:
            raise LaunchError(
                f"installing {wheels[0].name} failed (pip exited {error.returncode}; its output "
                "is above): check that pip reaches the package index, then run again."
            ) from None
        except subprocess.TimeoutExpired:
            raise LaunchError(
                f"installing {wheels[0].name} took over {INSTALL_TIMEOUT:.0f} s: check that pip "
                "reaches the package index, then run again."
            ) from None
        (env_dir / _READY).write_text(wheels[0].name + "\n", encoding="utf-8")
    return plugin


def _isolated_env() -> dict[str, str]:
    # PYTHONPATH or PYTHONHOME would put another environment's packages before the virtualenv's.
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", _REEXEC)}


def main() -> None:
    """Install on first start, then become the plugin."""
    try:
        _check_python()
        plugin = ensure_virtualenv(Path(__file__).resolve().parent)
    except LaunchError as error:
        print(f"rockset plugin: {error}", file=sys.stderr)
        sys.exit(1)
    os.execve(plugin, [str(plugin), *sys.argv[1:]], _isolated_env())  # noqa: S606 (the plugin itself)


if __name__ == "__main__":
    main()
