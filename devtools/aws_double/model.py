"""The double's entry point: resource operations and look-ups, dispatched by type token.

Each resource family is one handler (`security_groups`, `vpc_endpoints`) and each look-up one
function (`lookups`); this module holds the tables from token to handler and the steps common to
every resource (defaults, preview, the read-back after create and update). Properties are plain
JSON-like values in pulumi-aws 7.x wire shapes; values unknown during a preview arrive as
`pulumi.runtime.rpc.UNKNOWN` and are passed through.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

from pulumi.runtime.rpc import UNKNOWN

from devtools.aws_double.catalog import Catalog
from devtools.aws_double.ec2 import ClientFactory, Ec2, Props
from devtools.aws_double.errors import AwsApiError, UnsupportedTokenError
from devtools.aws_double.iam import RolePolicyAttachments, Roles
from devtools.aws_double.lambda_functions import Functions
from devtools.aws_double.lambda_invocations import Invocations
from devtools.aws_double.log_groups import LogGroups
from devtools.aws_double.lookups import LOOKUPS
from devtools.aws_double.networks import Subnets, Vpcs
from devtools.aws_double.route53 import (
    Records,
    VpcAssociationAuthorizations,
    ZoneAssociations,
    Zones,
)
from devtools.aws_double.security_group_rules import SecurityGroupEgressRules
from devtools.aws_double.security_groups import SecurityGroups
from devtools.aws_double.vpc_endpoints import VpcEndpoints
from devtools.aws_double.watch import WATCH_RESOURCE_TYPES

__all__ = ["PULUMI_AWS_VERSION", "RESOURCE_TYPES", "Ec2Model", "ResourceType", "resource_type"]

PULUMI_AWS_VERSION = version("pulumi-aws")
"""The pulumi-aws the double stands in for: the one installed here (``constraints.txt``)."""


class ResourceType(Protocol):
    """One pulumi-aws resource type over EC2."""

    @property
    def token(self) -> str: ...

    @property
    def replace_on_change(self) -> frozenset[str]:
        """Inputs whose change forces replacement (ForceNew in the upstream Terraform schema)."""

    @property
    def computed_outputs(self) -> tuple[str, ...]:
        """Outputs a preview reports as unknown."""

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        """The inputs with the provider's defaults and autonaming, and (property, reason)
        failures."""

    def canonical(self, key: str, value: Any) -> Any:
        """An input reduced to what the provider treats as significant when diffing."""

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        """Create from checked inputs; return the id."""

    def read(self, ec2: Ec2, resource_id: str) -> Props | None:
        """Current outputs, or None when the resource no longer exists."""

    def update(
        self, ec2: Ec2, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None: ...

    def delete(self, ec2: Ec2, resource_id: str, props: Mapping[str, Any]) -> None: ...


RESOURCE_TYPES: Mapping[str, ResourceType] = {
    handler.token: handler
    for handler in (
        SecurityGroups(),
        SecurityGroupEgressRules(),
        VpcEndpoints(),
        Vpcs(),
        Subnets(),
        Zones(),
        Records(),
        ZoneAssociations(),
        VpcAssociationAuthorizations(),
        Roles(),
        RolePolicyAttachments(),
        LogGroups(),
        Functions(),
        Invocations(),
        *WATCH_RESOURCE_TYPES,
    )
}


def resource_type(typ: str) -> ResourceType:
    handler = RESOURCE_TYPES.get(typ)
    if handler is None:
        raise UnsupportedTokenError("resource type", typ)
    return handler


class Ec2Model:
    """pulumi-aws resource operations and invokes, backed by EC2 (moto) through boto3."""

    def __init__(
        self,
        ec2_client: Any,
        *,
        region: str,
        catalog: Catalog,
        sts_client: Any,
        registered_accounts: Collection[str] | None = None,
        accepted_accounts: Collection[str] | None = None,
        route53_client: Any = None,
        clients: ClientFactory | None = None,
        iam_client: Any = None,
        lambda_client: Any = None,
        logs_client: Any = None,
        lambda_code_dir: Path | None = None,
        lambda_invoker: Any = None,
    ) -> None:
        self.ec2 = Ec2(
            ec2_client,
            region,
            catalog,
            sts_client,
            registered_accounts,
            accepted_accounts,
            route53_client,
            clients,
            iam=iam_client,
            lambda_=lambda_client,
            logs=logs_client,
            lambda_code_dir=lambda_code_dir,
            invoker=lambda_invoker,
        )

    def check(
        self,
        typ: str,
        name: str,
        inputs: Mapping[str, Any],
        *,
        olds: Mapping[str, Any] | None = None,
        seed: bytes = b"",
    ) -> tuple[Props, list[tuple[str, str]]]:
        """Apply the provider's defaults and autonaming; return (inputs, failures)."""
        return resource_type(typ).check(self.ec2, name, inputs, olds or {}, seed)

    def preview(self, typ: str, inputs: Mapping[str, Any]) -> Props:
        """What a preview of creating the resource reports: inputs, with outputs unknown."""
        return dict.fromkeys(resource_type(typ).computed_outputs, UNKNOWN) | dict(inputs)

    def create(self, typ: str, inputs: Mapping[str, Any]) -> tuple[str, Props]:
        """Create from checked inputs; return (id, outputs)."""
        resource_id = resource_type(typ).create(self.ec2, inputs)
        return resource_id, self.kept(typ, inputs) | self._read_back(typ, resource_id, "creating")

    def read(self, typ: str, resource_id: str) -> Props | None:
        return resource_type(typ).read(self.ec2, resource_id)

    def update(
        self, typ: str, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> Props:
        resource_type(typ).update(self.ec2, resource_id, olds, news)
        return self.kept(typ, news) | self._read_back(typ, resource_id, "updating")

    @staticmethod
    def kept(typ: str, inputs: Mapping[str, Any]) -> Props:
        """The inputs AWS cannot give back (a function's code archive), kept in the outputs as
        pulumi-aws keeps them in its state, so that the next diff has them."""
        kept: tuple[str, ...] = getattr(resource_type(typ), "kept_inputs", ())
        return {key: inputs[key] for key in kept if key in inputs}

    def delete(self, typ: str, resource_id: str, props: Mapping[str, Any]) -> None:
        resource_type(typ).delete(self.ec2, resource_id, props)

    def invoke(self, token: str, args: Mapping[str, Any]) -> Props:
        lookup = LOOKUPS.get(token)
        if lookup is None:
            raise UnsupportedTokenError("function", token)
        return lookup(self.ec2, args)

    def _read_back(self, typ: str, resource_id: str, doing: str) -> Props:
        outputs = self.read(typ, resource_id)
        if outputs is None:
            raise AwsApiError(f"{doing} {typ} ({resource_id})", "NotFound", "resource is gone")
        return outputs
