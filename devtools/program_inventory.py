"""What the project's own Python has installed, as JSON on stdout, for the language host.

``python program_inventory.py`` prints the interpreter, its version and every installed
distribution with its requirements and the provider plugin its ``pulumi-plugin.json`` declares
(pulumi_aws declares ``aws``), if any. Run by path with the project's virtualenv, like
``program_server.py``; stdlib only, so it answers quickly and even without pulumi installed.
"""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata
from typing import Any

__all__ = ["inventory"]

PLUGIN_FILE = "pulumi-plugin.json"


def _plugin(dist: metadata.Distribution) -> dict[str, Any] | None:
    for file in dist.files or ():
        if file.name == PLUGIN_FILE:
            declared: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
            return declared if declared.get("resource") else None
    return None


def inventory() -> dict[str, Any]:
    return {
        "executable": sys.executable,
        "version": platform.python_version(),
        "distributions": [
            {
                "name": dist.metadata["Name"],
                "version": dist.version,
                "requires": dist.requires or [],
                "plugin": _plugin(dist),
            }
            for dist in metadata.distributions()
        ],
    }


if __name__ == "__main__":
    print(json.dumps(inventory()))
