"""The component's children for ``probe: vpc``: a Lambda function in the endpoint's subnets that
relays the PrivateLink side's requests (:mod:`rockset_pulumi.vpc_probe.handler`).

- :func:`probe_security_group` (``<name>-probe-sg``), created before the endpoint's group, which
  admits it: no inline rules, so that its one rule can be a resource of its own;
- :func:`deploy_probe`: its egress rule (``<name>-probe-egress``, TCP 443 to the endpoint's
  group only), an IAM role (``<name>-probe-role``, trusted by Lambda, with only the
  AWSLambdaVPCAccessExecutionRole managed policy, ``<name>-probe-vpc-access``), the function's
  log group (``<name>-probe-logs``, ``/aws/lambda/<function>``, kept a day), created before the
  function so that Lambda does not create one kept forever, and the function (``<name>-probe``),
  whose environment names the one host it relays to and holds nothing secret.
- :func:`role_and_logs`: that role and log group, for any function in the VPC (the watcher's
  too).

The function's name is fixed from the organization, project, stack and component name, so that
its log group can be named before it exists and two stacks never share one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pulumi
import pulumi_aws as aws

from .handler import TARGET_ENV

__all__ = [
    "FUNCTION_TIMEOUT",
    "HANDLER_FILE",
    "LOG_RETENTION_DAYS",
    "RUNTIME",
    "VPC_ACCESS_POLICY",
    "FunctionIdentity",
    "ProbeFunction",
    "deploy_probe",
    "function_name",
    "probe_security_group",
    "role_and_logs",
    "target_of",
]

HANDLER_FILE = Path(__file__).with_name("handler.py")
"""The function's whole code, uploaded as ``handler.py``. Its bytes are the deployed code: any
change to them, a comment's included, updates every stack's function on its next ``pulumi up``.
Its path is in every stack's state too: the engine reads the recorded file again at the next
preview, so moving it (renaming this package) fails existing stacks' preview once the package is
upgraded (``tests/test_engine_upgrade.py``)."""
RUNTIME = "python3.12"
MEMORY_MB = 128
FUNCTION_TIMEOUT = 15
"""Seconds: each request the client sends is bounded at 10 s, plus a cold start."""
LOG_RETENTION_DAYS = 1
VPC_ACCESS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
"""The only policy the role gets: network interfaces in the VPC, and writing its own logs."""
HTTPS = 443

_TRUST_LAMBDA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_NAME_PREFIX = 40


def function_name(component_name: str, role: str = "probe") -> str:
    """``<component>-<role>-<8 hex digits>``, at most 64 characters of Lambda's alphabet; the
    digits tell stacks (and organizations, projects) apart."""
    # The organization is unknown to some engines (and to mocks): then the rest tells apart.
    parts = (pulumi.get_organization(), pulumi.get_project(), pulumi.get_stack(), component_name)
    owner = "/".join(part or "" for part in parts)
    digest = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:8]
    prefix = _NAME_UNSAFE.sub("-", component_name).strip("-")[:_NAME_PREFIX] or "rockset"
    return f"{prefix}-{role}-{digest}"


def target_of(privatelink_url: str) -> str:
    """``host:port`` of the PrivateLink URL: the one place the function relays to."""
    parts = urlsplit(privatelink_url)
    return f"{(parts.hostname or '').lower()}:{parts.port or HTTPS}"


def probe_security_group(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> aws.ec2.SecurityGroup:
    """The function's security group; its only rule is :func:`deploy_probe`'s egress rule."""
    return aws.ec2.SecurityGroup(
        f"{name}-probe-sg",
        vpc_id=vpc_id,
        description=f"Rockset PrivateLink probe {name}: HTTPS to the endpoint only",
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass(frozen=True)
class FunctionIdentity:
    """What a function in the VPC runs as and writes to, besides its own permissions."""

    role: aws.iam.Role
    vpc_access: aws.iam.RolePolicyAttachment
    log_group: aws.cloudwatch.LogGroup


def role_and_logs(
    prefix: str,
    function: str,
    *,
    description: str,
    retention_days: int,
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> FunctionIdentity:
    """``<prefix>-role``, trusted by Lambda, with AWSLambdaVPCAccessExecutionRole
    (``<prefix>-vpc-access``: network interfaces, its own logs), and ``<prefix>-logs``
    (``/aws/lambda/<function>``), which the function must wait for: else Lambda creates one kept
    forever."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{prefix}-role",
        assume_role_policy=_TRUST_LAMBDA,
        description=description,
        tags=tags,
        opts=child,
    )
    vpc_access = aws.iam.RolePolicyAttachment(
        f"{prefix}-vpc-access", role=role.name, policy_arn=VPC_ACCESS_POLICY, opts=child
    )
    logs = aws.cloudwatch.LogGroup(
        f"{prefix}-logs",
        name=f"/aws/lambda/{function}",
        retention_in_days=retention_days,
        tags=tags,
        opts=child,
    )
    return FunctionIdentity(role, vpc_access, logs)


@dataclass(frozen=True)
class ProbeFunction:
    """The children that run the probe, and the relay input naming them."""

    security_group: aws.ec2.SecurityGroup
    egress_rule: aws.vpc.SecurityGroupEgressRule
    role: aws.iam.Role
    policy: aws.iam.RolePolicyAttachment
    log_group: aws.cloudwatch.LogGroup
    function: aws.lambda_.Function
    relay: pulumi.Output[Mapping[str, Any]]
    """A :meth:`~rockset_pulumi.vpc_probe.spec.RelaySpec.as_input`, known once the function
    exists, so the checks wait for it (and destroy removes them first)."""

    @property
    def resources(self) -> list[pulumi.Resource]:
        """What a check must wait for: the function and the rule that lets it out."""
        return [self.function, self.egress_rule]


def deploy_probe(
    name: str,
    *,
    security_group: aws.ec2.SecurityGroup,
    endpoint_security_group: aws.ec2.SecurityGroup,
    subnet_ids: pulumi.Input[Sequence[str]],
    privatelink_url: pulumi.Output[str],
    region: pulumi.Input[str],
    profile: pulumi.Input[str | None],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> ProbeFunction:
    """The function and what it needs, in the endpoint's subnets."""
    child = pulumi.ResourceOptions(parent=parent)
    fixed_name = function_name(name)
    egress = aws.vpc.SecurityGroupEgressRule(
        f"{name}-probe-egress",
        security_group_id=security_group.id,
        referenced_security_group_id=endpoint_security_group.id,
        ip_protocol="tcp",
        from_port=HTTPS,
        to_port=HTTPS,
        description="HTTPS to the Rockset PrivateLink endpoint only",
        opts=child,
    )
    identity = role_and_logs(
        f"{name}-probe",
        fixed_name,
        description=f"Rockset PrivateLink probe {fixed_name}: VPC access and its own logs only",
        retention_days=LOG_RETENTION_DAYS,
        tags=tags,
        parent=parent,
    )
    role, policy, logs = identity.role, identity.vpc_access, identity.log_group
    function = aws.lambda_.Function(
        f"{name}-probe",
        name=fixed_name,
        description="Relays rockset-pulumi's PrivateLink checks from inside the VPC",
        role=role.arn,
        runtime=RUNTIME,
        handler="handler.handler",
        code=pulumi.AssetArchive({"handler.py": pulumi.FileAsset(str(HANDLER_FILE))}),
        memory_size=MEMORY_MB,
        timeout=FUNCTION_TIMEOUT,
        environment=aws.lambda_.FunctionEnvironmentArgs(
            variables={TARGET_ENV: privatelink_url.apply(target_of)}
        ),
        vpc_config=aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=subnet_ids, security_group_ids=[security_group.id]
        ),
        tags=tags,
        # The role must hold its policy before Lambda checks it may create network interfaces.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[policy, logs, egress]),
    )
    relay = pulumi.Output.all(function_name=function.name, region=region, profile=profile).apply(
        dict
    )
    return ProbeFunction(security_group, egress, role, policy, logs, function, relay)
