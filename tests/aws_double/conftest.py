"""Fixtures for the AWS stand-in's own tests: moto in process, a seeded network, the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.aws_double import Ec2Model, Network, seed_network
from tests.support.aws_double import moto_ec2, new_model


@pytest.fixture
def ec2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with moto_ec2(monkeypatch) as client:
        yield client


@pytest.fixture
def network(ec2: Any) -> Network:
    return seed_network(ec2)


@pytest.fixture
def model(ec2: Any) -> Ec2Model:
    return new_model(ec2)
