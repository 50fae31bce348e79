"""Running the component under Pulumi's mocks, answered by the moto-backed AWS double."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import ROOT, SETTINGS, get_monitor
from pulumi.runtime.sync_await import _sync_await

from devtools.aws_double.mocks import MockedAws, mocked_aws

T = TypeVar("T")

DYNAMIC_PREFIX = "pulumi-python:dynamic"

# Long enough for any mocked program's outstanding work; a task still waiting then never ends.
SETTLE_SECONDS = 30.0


def resolve(output: pulumi.Output[T]) -> T | None:
    """Run the program's event loop until ``output`` is known (None if unknown in preview),
    raising what its apply raised."""
    return _sync_await(output.future())


def failures() -> list[BaseException]:
    """What the program's Outputs failed with so far. On the engine the SDK awaits every Output
    at exit, so each of these fails the program, even one that a caller caught and explained."""
    with SETTINGS.lock:
        tracked = list(SETTINGS.outputs)
    return [
        error
        for done in tracked
        if done.done() and not done.cancelled() and (error := done.exception()) is not None
    ]


def registered(aws: MockedAws, prefix: str = "") -> list[tuple[str, str, dict[str, Any]]]:
    """Resources registered so far whose type starts with ``prefix``."""
    return [r for r in aws.mocks.resources if r[0].startswith(prefix)]


class WithDynamicResources(pulumi.runtime.Mocks):
    """The AWS double, plus the package's dynamic resources echoed as registered.

    Mocks replace every provider, so the checks do not run here; the dynamic-provider tests and
    the engine tests run them for real.
    """

    def __init__(self, aws: MockedAws) -> None:
        self.aws = aws

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        if args.typ.startswith(DYNAMIC_PREFIX):
            self.aws.mocks.resources.append((args.typ, args.name, dict(args.inputs)))
            return (None if pulumi.runtime.is_dry_run() else f"{args.name}-id"), dict(args.inputs)
        return self.aws.mocks.new_resource(args)

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return self.aws.mocks.call(args)


class _RecordingMonitor(MockMonitor):
    """Pulumi's mock monitor, also keeping what the engine orders creates and deletes by: the
    resources each registration declared it depends on (``depends_on``, and those of its input
    Outputs)."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.dependencies: dict[str, frozenset[str]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        self.dependencies[response.urn] = frozenset(request.dependencies)
        return response


def dependencies(name: str) -> frozenset[str]:
    """The names of the resources that resource ``name``'s registration depends on, as the
    engine is told: a create waits for each of them, a delete comes before theirs."""
    monitor = get_monitor()
    assert isinstance(monitor, _RecordingMonitor), "only inside program()"
    [urn] = [urn for urn in monitor.dependencies if urn.rsplit("::", 1)[-1] == name]
    return frozenset(dependency.rsplit("::", 1)[-1] for dependency in monitor.dependencies[urn])


def _ensure_event_loop() -> None:
    # Registering a resource needs the thread's event loop, and anything before this program
    # that ran `asyncio.run` (a test, a library) leaves the main thread without one.
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


@contextmanager
def program(
    *,
    region: str = "eu-central-1",
    azs: Sequence[str] | None = None,
    config: dict[str, str] | None = None,
    **kwargs: Any,
) -> Iterator[MockedAws]:
    """A fresh mocked Pulumi program with ``aws:region`` set and a seeded VPC."""
    _ensure_event_loop()
    # As `pulumi.runtime.test` does: the Outputs of earlier programs are not this one's. Nor is
    # their root stack, which `set_mocks` would reuse: its URN may be a Future of a loop gone.
    with SETTINGS.lock:
        SETTINGS.outputs.clear()
    ROOT.set(None)
    pulumi.runtime.set_all_config({"aws:region": region, **(config or {})})
    # The program's loop, held: a program that runs `asyncio.run` (the plugin's Construct) leaves
    # the thread with no current loop, though what the program started here is still pending.
    loop = asyncio.get_event_loop()
    earlier = asyncio.all_tasks(loop)
    try:
        with mocked_aws(region=region, azs=azs, **kwargs) as aws:
            mocks = WithDynamicResources(aws)
            pulumi.runtime.set_mocks(
                mocks, preview=kwargs.get("preview"), monitor=_RecordingMonitor(mocks)
            )
            try:
                yield aws
            finally:
                _settle(loop, earlier)
    finally:
        pulumi.runtime.set_all_config({})


def _settle(loop: asyncio.AbstractEventLoop, earlier: set[asyncio.Task[Any]]) -> None:
    # As the engine's language host does before a program exits: let what the program started
    # finish (a warning waits for its resource's URN before it is logged), while the AWS double
    # still answers. Left running, it would run in the next program's loop turns against no
    # double at all, and log there.
    started = asyncio.all_tasks(loop) - earlier
    if not started:
        return
    _, stuck = loop.run_until_complete(asyncio.wait(started, timeout=SETTLE_SECONDS))
    if not stuck:
        return
    for task in stuck:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*stuck, return_exceptions=True))
