"""Example program: Rockset PrivateLink for one region, one stack per region.

Every key read here is declared, with its type, description and default, in Pulumi.yaml.
"""

from __future__ import annotations

import pulumi

from rockset_pulumi import PrivateLink, PrivateLinkArgs

config = pulumi.Config()


def optional(key: str) -> str | None:
    """Pulumi.yaml defaults optional strings to "", which means "not set"."""
    return config.get(key) or None


link = PrivateLink(
    "rockset",
    PrivateLinkArgs(
        vpc_id=config.require("vpcId"),
        subnet_ids=config.require_object("subnetIds"),
        region=optional("region"),
        allowed_cidrs=config.get_object("allowedCidrs") or [],
        allowed_security_group_ids=config.get_object("allowedSecurityGroupIds") or [],
        api_key=config.require_secret("apiKey"),
        admin_cidrs=config.get_object("adminCidrs") or {},
        lockdown=config.get_bool("lockdown") or False,
        checks=config.get_bool("checks"),
        check_timeout=config.get_float("checkTimeout"),
        probe=config.get("probe") or "runner",  # type: ignore[arg-type]  # resolve_args checks it
        service_name=optional("serviceName"),
        public_url=optional("publicUrl"),
        privatelink_url=optional("privatelinkUrl"),
        ca_bundle=optional("caBundle"),
        triggers=config.get_object("triggers") or [],
        tags=config.get_object("tags") or {},
        dns=config.get("dns") or "endpoint",  # type: ignore[arg-type]  # validated by the component
        shared_vpc_ids=config.get_object("sharedVpcIds") or [],
    ),
)

pulumi.export("vpcEndpointId", link.vpc_endpoint_id)
pulumi.export("securityGroupId", link.security_group_id)
pulumi.export("serviceName", link.service_name)
pulumi.export("endpointState", link.endpoint_state)
pulumi.export("availabilityZones", link.availability_zones)
pulumi.export("skippedSubnetIds", link.skipped_subnet_ids)
pulumi.export("dnsEntries", link.dns_entries)
pulumi.export("networkInterfaceIds", link.network_interface_ids)
pulumi.export("privateDnsEnabled", link.private_dns_enabled)
pulumi.export("publicUrl", link.public_url)
pulumi.export("privatelinkUrl", link.privatelink_url)
pulumi.export("connectivity", link.connectivity)
pulumi.export("allowlistEntries", link.allowlist_entries)
pulumi.export("lockdownStatus", link.lockdown_status)
pulumi.export("costEstimate", link.cost_estimate)
pulumi.export("hostedZoneId", link.hosted_zone_id)
pulumi.export("resolvingVpcIds", link.resolving_vpc_ids)
