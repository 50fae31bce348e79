"""`pulumi.runtime.Mocks` backed by in-process moto, for unit tests of Pulumi programs."""

from __future__ import annotations

import io
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import grpc
import pulumi
from moto import mock_aws
from moto.core.config import DefaultConfig

from devtools.aws_double.catalog import Catalog
from devtools.aws_double.ec2 import Network, in_account, provider_account, seed_network
from devtools.aws_double.errors import AwsApiError
from devtools.aws_double.model import Ec2Model

__all__ = ["MOTO_CONFIG", "FunctionsThatReturnNull", "MockedAws", "MotoMocks", "mocked_aws"]

MOTO_CONFIG: DefaultConfig = {"iam": {"load_aws_managed_policies": True}}
"""AWS's managed policies exist, as in AWS: the probe's role attaches one."""

_PROVIDER_TYPE_PREFIX = "pulumi:providers:"


class _InvokeFailed(grpc.RpcError):  # type: ignore[misc]
    """A failed invoke as the engine's resource monitor answers it. The SDK turns this into an
    exception the program can catch; any other exception from a mock is an unhandled RPC
    failure, which fails the whole program."""

    def __init__(self, token: str, error: AwsApiError) -> None:
        super().__init__(str(error))
        self._details = f"invocation of {token} returned an error: {error}"

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNKNOWN

    def details(self) -> str:
        return self._details


class FunctionsThatReturnNull:
    """Lambda's Invoke call for the mocks, where moto cannot run a function: a function moto
    holds answers as one that returned ``null``, an unknown one as Lambda does
    (``ResourceNotFoundException``). Every invocation is recorded in ``invoked`` (function,
    payload)."""

    def __init__(self, functions: Any) -> None:
        self._functions = functions
        self.invoked: list[tuple[str, bytes]] = []

    def invoke(self, *, FunctionName: str, Payload: bytes, **_: Any) -> dict[str, Any]:
        self._functions.get_function(FunctionName=FunctionName)
        self.invoked.append((FunctionName, Payload))
        return {"StatusCode": 200, "Payload": io.BytesIO(b"null")}


def _model(
    region: str,
    account: str | None,
    registered_accounts: Collection[str] | None,
    accepted_accounts: Collection[str] | None,
) -> Ec2Model:
    def client(service: str, as_account: str | None) -> Any:
        return in_account(boto3.client(service, region_name=region), as_account)

    return Ec2Model(
        client("ec2", account),
        region=region,
        catalog=Catalog(),
        sts_client=client("sts", account),
        registered_accounts=registered_accounts,
        accepted_accounts=accepted_accounts,
        route53_client=client("route53", account),
        clients=client,
        iam_client=client("iam", account),
        lambda_client=client("lambda", account),
        logs_client=client("logs", account),
        lambda_invoker=FunctionsThatReturnNull(client("lambda", account)),
    )


class MotoMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes from `Ec2Model` over moto.

    Construct it inside an active `moto.mock_aws()`. Every registration is recorded in
    `resources` as (type, name, inputs) and every invoke in `calls` as (token, args). During a
    preview (`set_mocks(..., preview=True)`) nothing is created: a resource reports its checked
    inputs with its outputs unknown, as the real provider does. An explicit aws provider gets a
    model of its own, in its region and account (see ``provider_account``), which its resources
    and invokes use.
    """

    def __init__(
        self,
        *,
        region: str = "eu-central-1",
        registered_accounts: Collection[str] | None = None,
        accepted_accounts: Collection[str] | None = None,
    ) -> None:
        self._region = region
        self._registered = registered_accounts
        self._accepted = accepted_accounts
        self.model = _model(region, None, registered_accounts, accepted_accounts)
        self._providers: dict[str, Ec2Model] = {}
        self.resources: list[tuple[str, str, dict[str, Any]]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._one_at_a_time = threading.Lock()

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        with self._one_at_a_time:
            inputs = dict(args.inputs)
            self.resources.append((args.typ, args.name, inputs))
            if args.typ.startswith(_PROVIDER_TYPE_PREFIX):
                provider_id = f"{args.name}-provider-id"
                self._providers[provider_id] = _model(
                    str(inputs.get("region") or self._region),
                    provider_account(inputs),
                    self._registered,
                    self._accepted,
                )
                return provider_id, inputs
            if not args.custom:
                return None, {}
            model = self._model_for(args.provider)
            checked, failures = model.check(args.typ, args.name, inputs)
            if failures:
                reasons = "; ".join(f"{prop}: {reason}" for prop, reason in failures)
                raise ValueError(f"{args.typ} {args.name}: {reasons}")
            if pulumi.runtime.is_dry_run():
                return None, model.preview(args.typ, checked)
            return model.create(args.typ, checked)

    def _model_for(self, provider: str | None) -> Ec2Model:
        """The model of the provider reference ``<urn>::<id>``; the default provider's else."""
        if not provider:
            return self.model
        return self._providers.get(provider.rsplit("::", 1)[-1], self.model)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        with self._one_at_a_time:
            call_args = dict(args.args)
            self.calls.append((args.token, call_args))
            try:
                # MockMonitor iterates the failures, so "none" must be an empty list, not None.
                return self._model_for(args.provider).invoke(args.token, call_args), []
            except AwsApiError as error:
                raise _InvokeFailed(args.token, error) from error


@dataclass(frozen=True)
class MockedAws:
    mocks: MotoMocks
    network: Network
    ec2: Any


@contextmanager
def mocked_aws(
    *,
    region: str = "eu-central-1",
    azs: Sequence[str] | None = None,
    dns_support: bool = True,
    dns_hostnames: bool = True,
    preview: bool = False,
    registered_accounts: Collection[str] | None = None,
    accepted_accounts: Collection[str] | None = None,
) -> Iterator[MockedAws]:
    """Enter moto, seed a VPC with a subnet per AZ, and install `MotoMocks` for the program.

    `registered_accounts` see Rockset's services and `accepted_accounts` get their endpoints
    accepted; None reads each from the environment as the plugin does (see `catalog`)."""
    with mock_aws(config=MOTO_CONFIG):
        ec2 = boto3.client("ec2", region_name=region)
        network = seed_network(ec2, azs=azs, dns_support=dns_support, dns_hostnames=dns_hostnames)
        mocks = MotoMocks(
            region=region,
            registered_accounts=registered_accounts,
            accepted_accounts=accepted_accounts,
        )
        pulumi.runtime.set_mocks(mocks, preview=preview)
        yield MockedAws(mocks=mocks, network=network, ec2=ec2)
