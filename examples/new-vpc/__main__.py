"""A first program: the network and Rockset PrivateLink in one stack.

The VPC and its subnets are created here, so at the first ``pulumi preview`` their ids are not
known yet: the component shows its plan and does its look-ups (zones, DNS attributes) once they
exist, in ``pulumi up``. Every key read here is declared, with its type and default, in
Pulumi.yaml.
"""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws

from rockset_pulumi import PrivateLink, PrivateLinkArgs

config = pulumi.Config()


def optional(key: str) -> str | None:
    """Pulumi.yaml defaults optional strings to "", which means "not set"."""
    return config.get(key) or None


cidr = ipaddress.ip_network(config.require("vpcCidr"))
# A /20 per subnet, or a sixteenth of a VPC smaller than a /16.
blocks = cidr.subnets(new_prefix=max(cidr.prefixlen + 4, 20))
region = aws.get_region_output().region


def zone(letter: str) -> pulumi.Output[str]:
    return region.apply(lambda name: f"{name}{letter}")


vpc = aws.ec2.Vpc(
    "network",
    cidr_block=str(cidr),
    # The endpoint's private DNS name (privatelink.<cluster>.rockset.com) needs both.
    enable_dns_support=True,
    enable_dns_hostnames=config.require_bool("enableDnsHostnames"),
    tags={"Name": f"{pulumi.get_stack()}-network"},
)
subnets = [
    aws.ec2.Subnet(
        f"network-{letter}",
        vpc_id=vpc.id,
        cidr_block=str(block),
        availability_zone=zone(letter),
        tags={"Name": f"{pulumi.get_stack()}-network-{letter}"},
    )
    for letter, block in zip(config.require_object("zones"), blocks, strict=False)
]

checks = config.require_bool("checks")
link = PrivateLink(
    "rockset",
    PrivateLinkArgs(
        vpc_id=vpc.id,
        subnet_ids=[subnet.id for subnet in subnets],
        api_key=config.require_secret("apiKey") if checks else None,
        checks=checks,
        lockdown=config.require_bool("lockdown"),
        admin_cidrs=config.require_object("adminCidrs"),
        public_url=optional("publicUrl"),
        privatelink_url=optional("privatelinkUrl"),
        ca_bundle=optional("caBundle"),
    ),
)

pulumi.export("vpcId", vpc.id)
pulumi.export("subnetIds", [subnet.id for subnet in subnets])
pulumi.export("vpcEndpointId", link.vpc_endpoint_id)
pulumi.export("endpointState", link.endpoint_state)
pulumi.export("availabilityZones", link.availability_zones)
pulumi.export("skippedSubnetIds", link.skipped_subnet_ids)
pulumi.export("privatelinkUrl", link.privatelink_url)
pulumi.export("connectivity", link.connectivity)
pulumi.export("lockdownStatus", link.lockdown_status)
