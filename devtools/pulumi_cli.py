"""The ``pulumi`` commands a user types, run in a project directory and shown as they run.

``make demo`` and the engine tests set a stack up with these (``pulumi login``, ``pulumi stack
init``, ``pulumi config set``), so what they exercise is what a user's shell does, including
the CLI's own checks of ``Pulumi.yaml``'s typed config.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["CliError", "CliResult", "ConfigCommand", "PulumiCli", "config_commands"]

SECRET_KEYS = frozenset({"apiKey", "watchApiKey"})
"""The config keys a user sets with ``--secret``: the API keys (the deployment's, the watch's)."""
# A map key that `--path` accepts after a dot; anything else goes in brackets.
PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class CliError(Exception):
    """A command exited non-zero; the message has the command and everything it printed."""

    def __init__(self, command: str, returncode: int, stdout: str, stderr: str) -> None:
        super().__init__(f"`{command}` exited with code {returncode}:\n{stdout}\n{stderr}")
        self.command = command
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


@dataclass(frozen=True)
class ConfigCommand:
    """``pulumi <args>``, with ``stdin`` piped in (a secret never goes on the command line)."""

    args: tuple[str, ...]
    stdin: str | None = None


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise TypeError(f"not a config scalar: {value!r}")


def _paths(path: str, value: Any) -> Iterator[tuple[str, str]]:
    """``--path`` keys and values that build ``value`` (lists and maps, nested) under ``path``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            step = f".{key}" if PLAIN_KEY.fullmatch(key) else f'["{key}"]'
            yield from _paths(path + step, item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for index, item in enumerate(value):
            yield from _paths(f"{path}[{index}]", item)
    else:
        yield path, _scalar(value)


def config_commands(config: Mapping[str, Any]) -> list[ConfigCommand]:
    """How a user sets ``config``: ``pulumi config set`` per scalar, ``--secret`` for the API
    keys, and for a list or map ``pulumi config rm`` then one ``--path`` set per item. An empty
    list or map is only removed: it falls back to its ``Pulumi.yaml`` default (empty here)."""
    commands = []
    for key, value in config.items():
        if isinstance(value, Mapping) or (
            isinstance(value, Sequence) and not isinstance(value, str)
        ):
            commands.append(ConfigCommand(("config", "rm", key)))
            commands.extend(
                ConfigCommand(("config", "set", "--path", path, item))
                for path, item in _paths(key, value)
            )
        elif key in SECRET_KEYS:
            commands.append(ConfigCommand(("config", "set", "--secret", key), stdin=value))
        else:
            commands.append(ConfigCommand(("config", "set", key, _scalar(value))))
    return commands


@dataclass(frozen=True)
class CliResult:
    stdout: str
    stderr: str


def _collect(stream: IO[str], lines: list[str], echo: Callable[[str], None] | None) -> None:
    for line in stream:
        lines.append(line)
        if echo is not None:
            echo(line.rstrip("\n"))


@dataclass
class PulumiCli:
    """``pulumi`` in ``project`` with ``env``; each command and its output go to ``echo``."""

    executable: Path
    project: Path
    env: Mapping[str, str]
    echo: Callable[[str], None] | None = None

    def run(self, *args: str, stdin: str | None = None) -> CliResult:
        shown = shlex.join(["pulumi", *args])
        if stdin is not None:
            shown += "   # value on stdin, not shown"
        if self.echo is not None:
            self.echo(f"\n$ {shown}")
        process = subprocess.Popen(
            [str(self.executable), *args],
            cwd=self.project,
            env=dict(self.env),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        assert process.stderr is not None
        if stdin is not None:
            assert process.stdin is not None
            process.stdin.write(stdin)
            process.stdin.close()
        stdout: list[str] = []
        stderr: list[str] = []
        errors = threading.Thread(target=_collect, args=(process.stderr, stderr, self.echo))
        errors.start()
        _collect(process.stdout, stdout, self.echo)
        errors.join()
        result = CliResult("".join(stdout), "".join(stderr))
        if process.wait() != 0:
            raise CliError(shown, process.returncode, result.stdout, result.stderr)
        return result

    def set_config(self, config: Mapping[str, Any]) -> None:
        """Set ``config`` on the current stack (the one ``pulumi stack init`` made)."""
        for command in config_commands(config):
            self.run(*command.args, stdin=command.stdin)
