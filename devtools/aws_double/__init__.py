"""A moto-backed test double of the pulumi-aws provider: exactly the resources and look-ups that
rockset_pulumi uses, and the VPC and subnets a user's program makes for it, laid out as moto lays
out its services (one module per resource family).

- one handler per resource type, by family: `networks` (VPCs, subnets), `security_groups`,
  `security_group_rules` (egress rules), `vpc_endpoints`, `route53` (private zones, alias
  records, zone associations and their authorizations), and for the probe function `iam`
  (roles, policy attachments), `log_groups` and `lambda_functions`, and for the watch `watch`
  (its secret, role policy, schedule, permission and alarm), `lambda_invocations` (its first
  run, sent to the Lambda Invoke server, as moto cannot run a function), and `alarms`: CloudWatch's
  evaluation of an alarm on the data moto holds, which moto does not do;
- `lookups`: one function per invoke;
- `model`: `Ec2Model`, dispatching by type token to those;
- `ec2`: the clients they share (EC2, IAM, Lambda, CloudWatch Logs), and the seeded network;
  `catalog`: Rockset's services; `errors`: AWS's errors, and a token the double does not emulate;
- `mocks`: `Ec2Model` as `pulumi.runtime.Mocks`; `provider`: as the `pulumi-resource-aws` plugin.
"""

from devtools.aws_double.catalog import (
    ACCEPTED_ACCOUNTS_ENV,
    EXTRA_SERVICES_ENV,
    REGISTERED_ACCOUNTS_ENV,
    ROCKSET_ACCOUNT_ID,
    ROCKSET_SERVICES,
    Catalog,
    EndpointService,
    accepted_accounts_from_env,
    registered_accounts_from_env,
)
from devtools.aws_double.ec2 import Network, seed_network
from devtools.aws_double.errors import AwsApiError, UnsupportedTokenError
from devtools.aws_double.model import PULUMI_AWS_VERSION, Ec2Model
from devtools.aws_double.networks import SUBNET, VPC
from devtools.aws_double.security_groups import SECURITY_GROUP
from devtools.aws_double.vpc_endpoints import VPC_ENDPOINT

__all__ = [
    "ACCEPTED_ACCOUNTS_ENV",
    "EXTRA_SERVICES_ENV",
    "PULUMI_AWS_VERSION",
    "REGISTERED_ACCOUNTS_ENV",
    "ROCKSET_ACCOUNT_ID",
    "ROCKSET_SERVICES",
    "SECURITY_GROUP",
    "SUBNET",
    "VPC",
    "VPC_ENDPOINT",
    "AwsApiError",
    "Catalog",
    "Ec2Model",
    "EndpointService",
    "Network",
    "UnsupportedTokenError",
    "accepted_accounts_from_env",
    "registered_accounts_from_env",
    "seed_network",
]
