"""What the AWS double's tests share: a moto region, the model over it, and input builders."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devtools.aws_double import (
    ACCEPTED_ACCOUNTS_ENV,
    EXTRA_SERVICES_ENV,
    REGISTERED_ACCOUNTS_ENV,
    VPC_ENDPOINT,
    Catalog,
    Ec2Model,
    Network,
)

REGION = "eu-central-1"
EUC1 = "com.amazonaws.vpce.eu-central-1.vpce-svc-02f409ce75f330219"
"""Rockset's Frankfurt service, which the double serves in zones a and b only."""
MOTO_ACCOUNT = "123456789012"
HTTPS = {"protocol": "tcp", "fromPort": 443, "toPort": 443}


@contextmanager
def moto_ec2(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An EC2 client inside moto, with the double's environment settings cleared so that a
    developer's own do not leak into the test."""
    for setting in (REGISTERED_ACCOUNTS_ENV, ACCEPTED_ACCOUNTS_ENV, EXTRA_SERVICES_ENV):
        monkeypatch.delenv(setting, raising=False)
    with mock_aws():
        yield boto3.client("ec2", region_name=REGION)


def new_model(
    ec2: Any,
    registered_accounts: Collection[str] | None = None,
    accepted_accounts: Collection[str] | None = None,
    **more: Any,
) -> Ec2Model:
    """The model on moto in :data:`REGION`; ``more`` are further :class:`Ec2Model` clients."""
    return Ec2Model(
        ec2,
        region=REGION,
        catalog=Catalog(),
        sts_client=boto3.client("sts", region_name=REGION),
        registered_accounts=registered_accounts,
        accepted_accounts=accepted_accounts,
        **more,
    )


def create(model: Ec2Model, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, Any]:
    """Check then create, as the engine does; the inputs must pass the check."""
    checked, failures = model.check(typ, name, inputs)
    assert failures == []
    return model.create(typ, checked)


def group_inputs(network: Network, **extra: Any) -> dict[str, Any]:
    """A security group in the seeded VPC (pulumi_aws always sends a description)."""
    return {"vpcId": network.vpc_id, "description": "Managed by Pulumi", **extra}


def endpoint_inputs(network: Network, *azs: str, **extra: Any) -> dict[str, Any]:
    """A Rockset endpoint in the seeded subnets of zones `azs` (letters)."""
    return {
        "vpcId": network.vpc_id,
        "serviceName": EUC1,
        "vpcEndpointType": "Interface",
        "subnetIds": [network.subnet_ids_by_az[f"{REGION}{az}"] for az in azs],
        **extra,
    }


def read_endpoint(model: Ec2Model, endpoint_id: str) -> dict[str, Any]:
    outputs = model.read(VPC_ENDPOINT, endpoint_id)
    assert outputs is not None
    return outputs
