"""Fixtures for the AWS stand-in's own tests: moto in process, a seeded network, the model, and
the model with the IAM, Lambda and CloudWatch Logs clients the probe function's resources use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from devtools.aws_double import Catalog, Ec2Model, Network, seed_network
from tests.support.aws_double import REGION, moto_ec2, new_model


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


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    return tmp_path / "lambda-code"


@pytest.fixture
def probe_model(ec2: Any, code_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Ec2Model:
    """The model with IAM, Lambda and CloudWatch Logs, keeping uploaded zips in ``code_dir``."""
    # AWS's managed policies exist in AWS: the probe function's role attaches one. moto reads
    # this when its IAM backend first starts, after this fixture.
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    return Ec2Model(
        ec2,
        region=REGION,
        catalog=Catalog(),
        sts_client=boto3.client("sts", region_name=REGION),
        iam_client=boto3.client("iam", region_name=REGION),
        lambda_client=boto3.client("lambda", region_name=REGION),
        logs_client=boto3.client("logs", region_name=REGION),
        lambda_code_dir=code_dir,
    )
