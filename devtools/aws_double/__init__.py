"""A moto-backed test double of the pulumi-aws provider, limited to what rockset_pulumi uses.

`Ec2Model` speaks pulumi-aws 7.x wire shapes (camelCase properties) over a boto3 EC2 client;
`MotoMocks` exposes it as `pulumi.runtime.Mocks`, and `provider` serves it as the
`pulumi-resource-aws` plugin for the real engine.
"""

from devtools.aws_double.catalog import (
    EXTRA_SERVICES_ENV,
    REGISTERED_ACCOUNTS_ENV,
    ROCKSET_ACCOUNT_ID,
    ROCKSET_SERVICES,
    Catalog,
    EndpointService,
    registered_accounts_from_env,
)
from devtools.aws_double.model import (
    PULUMI_AWS_VERSION,
    SECURITY_GROUP,
    VPC_ENDPOINT,
    AwsApiError,
    Ec2Model,
    Network,
    UnsupportedTokenError,
    seed_network,
)

__all__ = [
    "EXTRA_SERVICES_ENV",
    "PULUMI_AWS_VERSION",
    "REGISTERED_ACCOUNTS_ENV",
    "ROCKSET_ACCOUNT_ID",
    "ROCKSET_SERVICES",
    "SECURITY_GROUP",
    "VPC_ENDPOINT",
    "AwsApiError",
    "Catalog",
    "Ec2Model",
    "EndpointService",
    "Network",
    "UnsupportedTokenError",
    "registered_accounts_from_env",
    "seed_network",
]
