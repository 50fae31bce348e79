"""Running the component under Pulumi's mocks, answered by the moto-backed AWS double."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pulumi
from pulumi.runtime.sync_await import _sync_await

from devtools.aws_double.mocks import MockedAws, mocked_aws

T = TypeVar("T")

DYNAMIC_PREFIX = "pulumi-python:dynamic"


def resolve(output: pulumi.Output[T]) -> T:
    """Run the program's event loop until ``output`` is known, raising what its apply raised."""
    return _sync_await(output.future())  # type: ignore[no-any-return]


def registered(aws: MockedAws, prefix: str = "") -> list[tuple[str, str, dict[str, Any]]]:
    """Resources registered so far whose type starts with ``prefix``."""
    return [r for r in aws.mocks.resources if r[0].startswith(prefix)]


@contextmanager
def program(
    *,
    region: str = "eu-central-1",
    azs: Sequence[str] | None = None,
    config: dict[str, str] | None = None,
    **kwargs: Any,
) -> Iterator[MockedAws]:
    """A fresh mocked Pulumi program with ``aws:region`` set and a seeded VPC."""
    pulumi.runtime.set_all_config({"aws:region": region, **(config or {})})
    try:
        with mocked_aws(region=region, azs=azs, **kwargs) as aws:
            yield aws
    finally:
        pulumi.runtime.set_all_config({})
