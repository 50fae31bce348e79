"""Shared fixtures: a Rockset API emulator for the session, and a factory for private ones."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.emulator import RunningEmulator, start_emulator

EmulatorFactory = Callable[..., RunningEmulator]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """One emulator for the whole session: do not change its allowlist (use ``emulator_factory``).

    Its rate limits are raised far above Rockset's so that many test files sharing it never meet
    a 429 they did not ask for.
    """
    running = start_emulator(
        tmp_path_factory.mktemp("emulator"),
        read_limit_per_minute=1_000_000,
        update_limit_per_minute=1_000_000,
    )
    yield running
    running.stop()


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[EmulatorFactory]:
    """``emulator_factory(**flags)`` starts a private emulator, stopped when the test ends."""
    started: list[RunningEmulator] = []

    def start(workdir: Path | None = None, **flags: Any) -> RunningEmulator:
        directory = workdir or tmp_path / f"emulator-{len(started)}"
        running = start_emulator(directory, **flags)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture(autouse=True)
def _an_event_loop_to_start_with() -> None:
    """Pulumi's SDK makes Futures on the current event loop outside any running loop; a test
    before this one in the same worker may have ended with ``asyncio.run``, which leaves none."""
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
