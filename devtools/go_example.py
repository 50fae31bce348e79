"""``examples/go`` on the real engine, through its driver (``tools/goexample``).

The CLI built here has no Go language host (``pulumi-language-go`` is not served as a Go module),
so ``pulumi up`` in the example's directory cannot start a Go program. The driver runs the
example's own program function (``examples/go/program.Run``, which its ``main`` runs too) inline
through the Go Automation API: the program is served by the driver, and the CLI, the project's
``Pulumi.yaml`` (typed config and defaults), the stack, its state and the plugins are the real
ones. The stack is made and configured the way a user's shell does it (:func:`open_stack`).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.engine import PULUMI_ROOT, LocalStack
from devtools.projects import REPO

__all__ = ["DRIVER", "GoOperationError", "GoResult", "GoStack", "go_example_driver"]

DRIVER = REPO / ".tools" / "goexample" / "bin" / "goexample"
# An up of the example creates eleven resources and runs steps 3-5; far less than this.
OPERATION_TIMEOUT = 900.0


def go_example_driver() -> Path | None:
    """The built driver, or None when ``make goexample`` has not run (or Go is missing)."""
    return DRIVER if DRIVER.is_file() else None


class GoOperationError(Exception):
    """An operation the driver reported as failed; ``text`` is what the user would see."""

    def __init__(self, operation: str, text: str) -> None:
        super().__init__(f"{operation} failed:\n{text}")
        self.text = text


@dataclass
class GoResult:
    """What the driver printed: change counts by operation, the update's result, outputs."""

    change_summary: dict[str, int]
    result: str
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: frozenset[str] = frozenset()


@dataclass
class GoStack:
    """The stack of ``local`` (a configured copy of ``examples/go``), run by the driver."""

    local: LocalStack
    driver: Path

    def run(self, operation: str) -> GoResult:
        """Run ``operation`` (preview, up, refresh, destroy); the engine's progress joins
        ``local.output``, line by line."""
        done = subprocess.run(
            [
                str(self.driver),
                operation,
                "-dir",
                str(self.local.project),
                "-stack",
                self.local.stack.name,
                "-pulumi-root",
                str(PULUMI_ROOT),
            ],
            env=dict(self.local.shell.env),
            capture_output=True,
            text=True,
            timeout=OPERATION_TIMEOUT,
            check=False,
        )
        self.local.output.extend(done.stderr.splitlines())
        if done.returncode != 0:
            raise GoOperationError(operation, done.stderr)
        parsed: dict[str, Any] = json.loads(done.stdout)
        outputs: dict[str, dict[str, Any]] = parsed.get("outputs", {})
        return GoResult(
            change_summary=dict(parsed.get("changeSummary", {})),
            result=str(parsed.get("result", "")),
            outputs={name: output["value"] for name, output in outputs.items()},
            secret_outputs=frozenset(n for n, o in outputs.items() if o["secret"]),
        )
