"""What the resource families and look-ups share: one region's EC2 (moto) through boto3, with the
other services the probe function needs (IAM, Lambda, CloudWatch Logs) beside it, and the network
that tests and engine runs seed it with."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from devtools.aws_double.catalog import (
    MOTO_DEFAULT_ACCOUNT_ID,
    Catalog,
    EndpointService,
    accepted_accounts_from_env,
    registered_accounts_from_env,
)
from devtools.aws_double.errors import AwsApiError

__all__ = [
    "ACCOUNTS_ENV",
    "ClientFactory",
    "Ec2",
    "Network",
    "Props",
    "autoname",
    "in_account",
    "provider_account",
    "seed_network",
    "tags_to_dict",
    "tags_to_list",
]

ACCOUNTS_ENV = "AWS_DOUBLE_ACCOUNTS"
"""Comma-separated AWS accounts whose Route 53 zones the double reaches by id (a VPC of one account
associated with another account's zone), besides the caller's, moto's default and the registered
ones."""

MOTO_ACCOUNT_HEADER = "x-moto-account-id"

ClientFactory = Callable[[str, str], Any]
"""(service, account) -> a boto3 client on the same AWS acting as that account."""


def in_account(client: Any, account: str | None) -> Any:
    """``client``, with every request made as ``account`` (moto's account header); unchanged
    for None (moto's account for the credentials)."""
    if account is not None:

        def as_account(request: Any, **_: Any) -> None:
            request.headers[MOTO_ACCOUNT_HEADER] = account

        client.meta.events.register("before-sign", as_account)
    return client


Props = dict[str, Any]
"""Properties keyed by the camelCase names of pulumi-aws's schema."""


def autoname(resource_name: str, seed: bytes) -> str:
    """pulumi-aws's autoname: the resource name plus seven random hex digits."""
    return f"{resource_name}-{hashlib.sha256(seed + resource_name.encode()).hexdigest()[:7]}"


def tags_to_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def tags_to_dict(tags: Iterable[Mapping[str, str]]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags}


def provider_account(inputs: Mapping[str, Any]) -> str | None:
    """The account an aws provider acts as in the double: its ``allowedAccountIds`` when that
    names exactly one account (the provider refuses any other), else moto's account for the
    credentials. Non-string provider config arrives JSON-encoded."""
    allowed = inputs.get("allowedAccountIds")
    if isinstance(allowed, str):
        allowed = json.loads(allowed)
    if isinstance(allowed, list) and len(allowed) == 1:
        return str(allowed[0])
    return None


@dataclass(frozen=True)
class Ec2:
    """EC2 in one region as the provider sees it: moto's API plus what moto cannot know (Rockset's
    endpoint services, which accounts see them and whose connections Rockset accepts)."""

    client: Any
    region: str
    catalog: Catalog
    sts: Any
    """STS on the same AWS as `client`: who the caller is."""
    registered: Collection[str] | None = None
    """Accounts that see Rockset's services; None means: read `AWS_DOUBLE_REGISTERED_ACCOUNTS`
    on each use."""
    accepted: Collection[str] | None = None
    """Accounts whose endpoints Rockset accepts; None means: read `AWS_DOUBLE_ACCEPTED_ACCOUNTS`
    on each use, and without it, every registered account."""
    route53: Any = None
    """Route 53 (global) on the same AWS, as the same account."""
    clients: ClientFactory | None = None
    """Clients acting as other accounts, for Route 53 zones another account owns."""
    iam: Any = None
    """IAM on the same AWS (roles and their policies), where the probe function is served."""
    lambda_: Any = None
    """Lambda on the same AWS: moto's, never the Lambda Invoke server (see `lambda_functions`)."""
    logs: Any = None
    """CloudWatch Logs on the same AWS."""
    lambda_code_dir: Path | None = None
    """Where each function's uploaded zip is kept for the Lambda Invoke server, which moto does
    not serve it to; None keeps no copy."""
    invoker: Any = None
    """Lambda's Invoke call, which moto cannot serve (it needs docker): the Lambda Invoke server
    (``devtools.lambda_invoke``) under the engine, a stand-in in the mocks; None: none."""
    invocation_results: dict[str, str] = field(default_factory=dict)
    """What each ``aws.lambda.Invocation`` created here returned, by id: only its create knows
    it (Lambda keeps no record of a result), so a later process reads it from the state."""

    def account_id(self) -> str:
        return str(self.caller_identity()["Account"])

    def known_accounts(self) -> list[str]:
        """moto's default account, the accounts Rockset registered and `AWS_DOUBLE_ACCOUNTS`
        (read on each use)."""
        raw = os.environ.get(ACCOUNTS_ENV, "")
        listed = [part.strip() for part in raw.split(",") if part.strip()]
        return list(dict.fromkeys([MOTO_DEFAULT_ACCOUNT_ID, *self.registered_accounts, *listed]))

    def route53_as(self, account: str) -> Any:
        if account == self.account_id() or self.clients is None:
            return self.route53
        return self.clients("route53", account)

    @property
    def registered_accounts(self) -> Collection[str]:
        return registered_accounts_from_env() if self.registered is None else self.registered

    @property
    def accepted_accounts(self) -> Collection[str]:
        if self.accepted is not None:
            return self.accepted
        return accepted_accounts_from_env(self.registered_accounts)

    def caller_identity(self) -> Mapping[str, str]:
        """GetCallerIdentity: `Account`, `Arn` and `UserId` of the credentials in use."""
        try:
            identity: Mapping[str, str] = self.sts.get_caller_identity()
        except ClientError as error:
            raise AwsApiError.from_client_error("reading STS Caller Identity", error) from error
        return identity

    def call(self, operation: str, method: str, **kwargs: Any) -> Any:
        """An EC2 API call whose errors read as pulumi-aws reports them for `operation`."""
        return self.call_on(self.client, operation, method, **kwargs)

    def call_unless(self, not_found: str, operation: str, method: str, **kwargs: Any) -> Any:
        """`call`, but None where AWS answers with the error code `not_found`."""
        return self.call_on_unless(self.client, not_found, operation, method, **kwargs)

    @staticmethod
    def call_on(client: Any, operation: str, method: str, **kwargs: Any) -> Any:
        """`call` on another service's client (`iam`, `lambda_`, `logs`)."""
        if client is None:
            raise AwsApiError(operation, "UnsupportedOperation", "this double has no such client")
        try:
            return getattr(client, method)(**kwargs)
        except ClientError as error:
            raise AwsApiError.from_client_error(operation, error) from error

    @classmethod
    def call_on_unless(
        cls, client: Any, not_found: str, operation: str, method: str, **kwargs: Any
    ) -> Any:
        """`call_on`, but None where AWS answers with the error code `not_found`."""
        try:
            return cls.call_on(client, operation, method, **kwargs)
        except AwsApiError as error:
            if error.code == not_found:
                return None
            raise

    def service(self, service_name: str, operation: str) -> EndpointService:
        """The service as the caller sees it: AWS answers for a service whose allowed principals
        leave the caller out exactly as for one that does not exist."""
        service = self.catalog.lookup(service_name, self.region)
        if service is None or self.caller_identity()["Account"] not in self.registered_accounts:
            raise AwsApiError(
                operation,
                "InvalidServiceName",
                f"The Vpc Endpoint Service '{service_name}' does not exist",
            )
        return service

    def vpc_dns_attributes(self, vpc_id: str, operation: str) -> tuple[bool, bool]:
        """(enableDnsSupport, enableDnsHostnames) of the VPC."""
        support = self.call(
            operation, "describe_vpc_attribute", VpcId=vpc_id, Attribute="enableDnsSupport"
        )["EnableDnsSupport"]["Value"]
        hostnames = self.call(
            operation, "describe_vpc_attribute", VpcId=vpc_id, Attribute="enableDnsHostnames"
        )["EnableDnsHostnames"]["Value"]
        return bool(support), bool(hostnames)

    def sync_tags(
        self, resource_id: str, current: Mapping[str, str], desired: Mapping[str, str]
    ) -> None:
        operation = f"updating tags of ({resource_id})"
        if removed := [key for key in current if key not in desired]:
            self.call(
                operation,
                "delete_tags",
                Resources=[resource_id],
                Tags=[{"Key": key} for key in removed],
            )
        if changed := {k: v for k, v in desired.items() if current.get(k) != v}:
            self.call(operation, "create_tags", Resources=[resource_id], Tags=tags_to_list(changed))


@dataclass(frozen=True)
class Network:
    vpc_id: str
    subnet_ids_by_az: dict[str, str]


def seed_network(
    ec2_client: Any,
    *,
    cidr: str = "10.0.0.0/16",
    azs: Sequence[str] | None = None,
    dns_support: bool = True,
    dns_hostnames: bool = True,
) -> Network:
    """Create a VPC with one subnet per AZ (default: the client region's a, b and c)."""
    region = ec2_client.meta.region_name
    zones = list(azs) if azs is not None else [f"{region}{suffix}" for suffix in "abc"]
    network = ipaddress.ip_network(cidr)
    blocks = network.subnets(new_prefix=max(network.prefixlen + 4, 24))
    vpc_id: str = ec2_client.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2_client.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": dns_support})
    ec2_client.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": dns_hostnames})
    subnets = {
        zone: ec2_client.create_subnet(VpcId=vpc_id, CidrBlock=str(block), AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for zone, block in zip(zones, blocks, strict=False)
    }
    return Network(vpc_id=vpc_id, subnet_ids_by_az=subnets)
