"""Route 53 private hosted zones as pulumi-aws 7.x manages them: ``aws.route53.Zone``,
``Record``, ``ZoneAssociation``, ``VpcAssociationAuthorization`` and the ``getZone`` look-up.

moto keeps zones, records and VPC associations, one account at a time. What it does not do,
the double adds, as Route 53 behaves:

- ``ConflictingDomainExists`` when a VPC would get a second private zone of the same name
  (creating a zone, associating a VPC), whichever account owns the other zone, and when the VPC
  has an interface endpoint whose private DNS name is that name (AWS's own zone for it);
- association authorizations (moto has none), kept as a reserved tag on the zone that is never
  reported; a VPC of another account is associated only once authorized, else
  ``NotAuthorizedException``;
- a VPC that does not exist (in the associating account) is ``InvalidVPCId``;
- a zone in another account is reached by its id: the double looks in the caller's account,
  then in each account of ``AWS_DOUBLE_ACCOUNTS`` (moto keeps accounts apart);
- ``getZone``'s filters and its "no matching" and "multiple" errors, worded as pulumi-aws's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError

from devtools.aws_double.ec2 import Ec2, Props, tags_to_dict, tags_to_list
from devtools.aws_double.errors import AwsApiError, ProviderError, UnsupportedTokenError
from devtools.aws_double.vpc_endpoints import endpoint_outputs

__all__ = [
    "GET_ZONE",
    "RECORD",
    "VPC_ASSOCIATION_AUTHORIZATION",
    "ZONE",
    "ZONE_ASSOCIATION",
    "Records",
    "VpcAssociationAuthorizations",
    "ZoneAssociations",
    "Zones",
    "get_zone",
]

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
ZONE_ASSOCIATION = "aws:route53/zoneAssociation:ZoneAssociation"
VPC_ASSOCIATION_AUTHORIZATION = (
    "aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization"
)
GET_ZONE = "aws:route53/getZone:getZone"

_AUTHORIZED = "aws-double:authorized:"
_DEFAULT_COMMENT = "Managed by Pulumi"


def _normal(name: str) -> str:
    return name.rstrip(".").lower()


def _refuse(token: str, inputs: Mapping[str, Any], supported: frozenset[str]) -> None:
    for key, value in sorted(inputs.items()):
        if key not in supported and value not in (None, False, "", [], {}):
            raise UnsupportedTokenError("argument", f"{token} {key}")


class _Zone:
    """One hosted zone as one account's Route 53 reports it."""

    def __init__(self, client: Any, account: str, zone_id: str) -> None:
        self.client = client
        self.account = account
        self.id = zone_id
        answer = client.get_hosted_zone(Id=zone_id)
        self.name: str = answer["HostedZone"]["Name"]
        self.config: Mapping[str, Any] = answer["HostedZone"].get("Config", {})
        self.caller_reference: str = answer["HostedZone"].get("CallerReference", "")
        self.record_count: int = answer["HostedZone"].get("ResourceRecordSetCount", 0)
        self.vpcs: list[dict[str, str]] = [
            {"vpcId": vpc["VPCId"], "vpcRegion": vpc.get("VPCRegion", "")}
            for vpc in answer.get("VPCs", [])
        ]
        self.name_servers: list[str] = list(answer.get("DelegationSet", {}).get("NameServers", []))

    @property
    def private(self) -> bool:
        return bool(self.config.get("PrivateZone", False))

    def all_tags(self) -> dict[str, str]:
        found = self.client.list_tags_for_resource(ResourceType="hostedzone", ResourceId=self.id)
        return tags_to_dict(found["ResourceTagSet"].get("Tags", []))

    def tags(self) -> dict[str, str]:
        return {k: v for k, v in self.all_tags().items() if not k.startswith(_AUTHORIZED)}

    def authorized(self, vpc_id: str) -> bool:
        return f"{_AUTHORIZED}{vpc_id}" in self.all_tags()

    def has_vpc(self, vpc_id: str) -> bool:
        return any(vpc["vpcId"] == vpc_id for vpc in self.vpcs)


def _accounts(ec2: Ec2) -> list[str]:
    """The caller's account first, then every other account the double knows."""
    own = ec2.account_id()
    return [own, *(a for a in ec2.known_accounts() if a != own)]


def _zones_everywhere(ec2: Ec2) -> Iterator[_Zone]:
    for account in _accounts(ec2):
        client = ec2.route53_as(account)
        for summary in client.list_hosted_zones()["HostedZones"]:
            yield _Zone(client, account, summary["Id"].rsplit("/", 1)[-1])


def _find_zone(ec2: Ec2, zone_id: str, operation: str) -> _Zone:
    """The zone by id, in whichever known account owns it."""
    for account in _accounts(ec2):
        try:
            return _Zone(ec2.route53_as(account), account, zone_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchHostedZone":
                raise AwsApiError.from_client_error(operation, error) from error
    raise AwsApiError(operation, "NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}")


def _own_zone(ec2: Ec2, zone_id: str, operation: str) -> _Zone | None:
    try:
        return _Zone(ec2.route53, ec2.account_id(), zone_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchHostedZone":
            return None
        raise AwsApiError.from_client_error(operation, error) from error


def _managed_zone_owner(ec2: Ec2, name: str, vpc_id: str, operation: str) -> str | None:
    """An interface endpoint in the VPC with private DNS on for ``name``: AWS resolves it with a
    private zone of its own, which conflicts like any other."""
    found = ec2.call(
        operation, "describe_vpc_endpoints", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
    )["VpcEndpoints"]
    for endpoint in found:
        if str(endpoint.get("State", "")).lower() == "deleted":
            continue
        outputs = endpoint_outputs(ec2, endpoint)
        service = ec2.catalog.lookup(endpoint["ServiceName"], ec2.region)
        private = service.private_dns_name if service else None
        if outputs["privateDnsEnabled"] and private and _normal(private) == _normal(name):
            return str(endpoint["VpcEndpointId"])
    return None


def _check_no_conflict(ec2: Ec2, name: str, vpc_id: str, region: str, operation: str) -> None:
    endpoint_id = _managed_zone_owner(ec2, name, vpc_id, operation)
    if endpoint_id is not None:
        raise AwsApiError(
            operation,
            "ConflictingDomainExists",
            f"The VPC {vpc_id} in region {region} has already been associated with the hosted "
            f"zone of VPC endpoint {endpoint_id}'s private DNS name with the same domain name.",
        )
    for zone in _zones_everywhere(ec2):
        if zone.private and _normal(zone.name) == _normal(name) and zone.has_vpc(vpc_id):
            raise AwsApiError(
                operation,
                "ConflictingDomainExists",
                f"The VPC {vpc_id} in region {region} has already been associated with the "
                f"hosted zone {zone.id} with the same domain name.",
            )


def _check_vpc(ec2: Ec2, vpc_id: str, operation: str) -> None:
    if ec2.call_unless("InvalidVpcID.NotFound", operation, "describe_vpcs", VpcIds=[vpc_id]):
        return
    raise AwsApiError(operation, "InvalidVPCId", f"The VPC ID '{vpc_id}' is not valid.")


def _route53_call(operation: str, method: Any, **kwargs: Any) -> Any:
    try:
        return method(**kwargs)
    except ClientError as error:
        raise AwsApiError.from_client_error(operation, error) from error


def zone_outputs(zone: _Zone) -> Props:
    tags = zone.tags()
    return {
        "id": zone.id,
        "arn": f"arn:aws:route53:::hostedzone/{zone.id}",
        "comment": zone.config.get("Comment") or "",
        "delegationSetId": "",
        "enableAcceleratedRecovery": False,
        "forceDestroy": False,
        "name": _normal(zone.name),
        "nameServers": zone.name_servers,
        "primaryNameServer": zone.name_servers[0] if zone.name_servers else "",
        "tags": tags or None,
        "tagsAll": tags,
        "vpcs": zone.vpcs,
        "zoneId": zone.id,
    }


class Zones:
    """The ``aws:route53/zone:Zone`` resource type, private zones (a zone with ``vpcs``) and
    public ones. Its ``vpcs`` are set at create; the component ignores later changes to them
    (its shared VPCs are ZoneAssociations), and so does this update."""

    token = ZONE
    replace_on_change = frozenset({"name", "delegationSetId"})
    computed_outputs = ("arn", "nameServers", "primaryNameServer", "tagsAll", "zoneId")
    _supported = frozenset({"name", "comment", "vpcs", "tags", "forceDestroy"})

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        _refuse(self.token, inputs, self._supported)
        checked = {"comment": _DEFAULT_COMMENT, "forceDestroy": False, **inputs}
        failures = [("name", "Missing required property 'name'")] if not inputs.get("name") else []
        return checked, failures

    def canonical(self, key: str, value: Any) -> Any:
        return _normal(value) if key == "name" and isinstance(value, str) else value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        name = inputs["name"]
        operation = f"creating Route 53 Hosted Zone ({name})"
        vpcs = [
            {"vpcId": v["vpcId"], "vpcRegion": v.get("vpcRegion") or ec2.region}
            for v in inputs.get("vpcs") or []
        ]
        for vpc in vpcs:
            _check_vpc(ec2, vpc["vpcId"], operation)
            _check_no_conflict(ec2, name, vpc["vpcId"], vpc["vpcRegion"], operation)
        extra: Props = {}
        if vpcs:
            extra["VPC"] = {"VPCId": vpcs[0]["vpcId"], "VPCRegion": vpcs[0]["vpcRegion"]}
        created = _route53_call(
            operation,
            ec2.route53.create_hosted_zone,
            Name=name,
            CallerReference=f"pulumi-{name}-{len(list(_zones_everywhere(ec2)))}",
            HostedZoneConfig={"Comment": inputs.get("comment") or "", "PrivateZone": bool(vpcs)},
            **extra,
        )
        zone_id = str(created["HostedZone"]["Id"]).rsplit("/", 1)[-1]
        for vpc in vpcs[1:]:
            _route53_call(
                operation,
                ec2.route53.associate_vpc_with_hosted_zone,
                HostedZoneId=zone_id,
                VPC={"VPCId": vpc["vpcId"], "VPCRegion": vpc["vpcRegion"]},
            )
        self._sync_tags(ec2, zone_id, {}, inputs.get("tags") or {}, operation)
        return zone_id

    def read(self, ec2: Ec2, zone_id: str) -> Props | None:
        zone = _own_zone(ec2, zone_id, f"reading Route 53 Hosted Zone ({zone_id})")
        return None if zone is None else zone_outputs(zone)

    def update(
        self, ec2: Ec2, zone_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        operation = f"updating Route 53 Hosted Zone ({zone_id})"
        zone = _Zone(ec2.route53, ec2.account_id(), zone_id)
        comment = news.get("comment") or ""
        if comment != (zone.config.get("Comment") or ""):
            _route53_call(
                operation, ec2.route53.update_hosted_zone_comment, Id=zone_id, Comment=comment
            )
        self._sync_tags(ec2, zone_id, zone.tags(), news.get("tags") or {}, operation)

    def delete(self, ec2: Ec2, zone_id: str, props: Mapping[str, Any]) -> None:
        operation = f"deleting Route 53 Hosted Zone ({zone_id})"
        if _own_zone(ec2, zone_id, operation) is None:
            return
        _route53_call(operation, ec2.route53.delete_hosted_zone, Id=zone_id)

    @staticmethod
    def _sync_tags(
        ec2: Ec2,
        zone_id: str,
        current: Mapping[str, str],
        desired: Mapping[str, str],
        operation: str,
    ) -> None:
        removed = [key for key in current if key not in desired]
        changed = {k: v for k, v in desired.items() if current.get(k) != v}
        if not removed and not changed:
            return
        _route53_call(
            operation,
            ec2.route53.change_tags_for_resource,
            ResourceType="hostedzone",
            ResourceId=zone_id,
            **({"AddTags": tags_to_list(changed)} if changed else {}),
            **({"RemoveTagKeys": removed} if removed else {}),
        )


def _record_set(inputs: Mapping[str, Any]) -> Props:
    record: Props = {"Name": inputs["name"], "Type": inputs["type"]}
    aliases = inputs.get("aliases") or []
    if aliases:
        alias = aliases[0]
        record["AliasTarget"] = {
            "HostedZoneId": alias["zoneId"],
            "DNSName": alias["name"],
            "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth", False)),
        }
    else:
        record["TTL"] = int(inputs.get("ttl") or 300)
        record["ResourceRecords"] = [{"Value": v} for v in inputs.get("records") or []]
    return record


def _find_record(ec2: Ec2, zone_id: str, name: str, typ: str, operation: str) -> Props | None:
    try:
        found = ec2.route53.list_resource_record_sets(
            HostedZoneId=zone_id, StartRecordName=name, StartRecordType=typ, MaxItems="1"
        )["ResourceRecordSets"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchHostedZone":
            return None
        raise AwsApiError.from_client_error(operation, error) from error
    for record in found:
        if _normal(record["Name"]) == _normal(name) and record["Type"] == typ:
            return dict(record)
    return None


class Records:
    """The ``aws:route53/record:Record`` resource type: one simple record, or an alias."""

    token = RECORD
    replace_on_change = frozenset({"zoneId", "name", "type"})
    computed_outputs = ("fqdn",)
    _supported = frozenset({"zoneId", "name", "type", "aliases", "ttl", "records"})

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        _refuse(self.token, inputs, self._supported)
        failures = [
            (key, f"Missing required property '{key}'")
            for key in ("zoneId", "name", "type")
            if inputs.get(key) is None
        ]
        return dict(inputs), failures

    def canonical(self, key: str, value: Any) -> Any:
        return _normal(value) if key == "name" and isinstance(value, str) else value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        zone_id, name, typ = inputs["zoneId"], inputs["name"], inputs["type"]
        operation = f"creating Route 53 Record ({name} {typ})"
        if _find_record(ec2, zone_id, name, typ, operation) is not None:
            raise AwsApiError(
                operation,
                "InvalidChangeBatch",
                f"[Tried to create resource record set [name='{_normal(name)}.', type='{typ}'] "
                "but it already exists]",
            )
        self._change(ec2, zone_id, "CREATE", _record_set(inputs), operation)
        return f"{zone_id}_{_normal(name)}_{typ}"

    def read(self, ec2: Ec2, record_id: str) -> Props | None:
        zone_id, name, typ = record_id.split("_", 2)
        record = _find_record(ec2, zone_id, name, typ, f"reading Route 53 Record ({record_id})")
        if record is None:
            return None
        alias = record.get("AliasTarget")
        return {
            "id": record_id,
            "zoneId": zone_id,
            "name": name,
            "type": typ,
            "fqdn": name,
            "aliases": [
                {
                    "name": _normal(alias["DNSName"]),
                    "zoneId": alias["HostedZoneId"],
                    "evaluateTargetHealth": bool(alias.get("EvaluateTargetHealth", False)),
                }
            ]
            if alias
            else [],
            "records": [r["Value"] for r in record.get("ResourceRecords", [])],
            "ttl": record.get("TTL", 0),
        }

    def update(
        self, ec2: Ec2, record_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        zone_id = record_id.split("_", 2)[0]
        operation = f"updating Route 53 Record ({record_id})"
        self._change(ec2, zone_id, "UPSERT", _record_set(news), operation)

    def delete(self, ec2: Ec2, record_id: str, props: Mapping[str, Any]) -> None:
        zone_id, name, typ = record_id.split("_", 2)
        operation = f"deleting Route 53 Record ({record_id})"
        record = _find_record(ec2, zone_id, name, typ, operation)
        if record is not None:
            self._change(ec2, zone_id, "DELETE", record, operation)

    @staticmethod
    def _change(ec2: Ec2, zone_id: str, action: str, record: Props, operation: str) -> None:
        _route53_call(
            operation,
            ec2.route53.change_resource_record_sets,
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [{"Action": action, "ResourceRecordSet": record}]},
        )


def _check_pair(
    token: str, ec2: Ec2, inputs: Mapping[str, Any]
) -> tuple[Props, list[tuple[str, str]]]:
    """A zone and a VPC: the VPC's region defaults to the provider's."""
    _refuse(token, inputs, frozenset({"zoneId", "vpcId", "vpcRegion"}))
    checked = {"vpcRegion": ec2.region, **{k: v for k, v in inputs.items() if v is not None}}
    failures = [
        (key, f"Missing required property '{key}'")
        for key in ("zoneId", "vpcId")
        if inputs.get(key) is None
    ]
    return checked, failures


def _pair(resource_id: str) -> tuple[str, str]:
    zone_id, vpc_id = resource_id.split(":")[:2]
    return zone_id, vpc_id


class ZoneAssociations:
    """The ``aws:route53/zoneAssociation:ZoneAssociation`` resource type, made by the account
    that owns the VPC; the zone may be another account's, which must have authorized it."""

    token = ZONE_ASSOCIATION
    replace_on_change = frozenset({"zoneId", "vpcId", "vpcRegion"})
    computed_outputs = ("owningAccount",)

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        return _check_pair(self.token, ec2, inputs)

    def canonical(self, key: str, value: Any) -> Any:
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        zone_id, vpc_id, region = inputs["zoneId"], inputs["vpcId"], inputs["vpcRegion"]
        operation = f"creating Route 53 Zone Association ({zone_id}:{vpc_id})"
        zone = _find_zone(ec2, zone_id, operation)
        _check_vpc(ec2, vpc_id, operation)
        if zone.account != ec2.account_id() and not zone.authorized(vpc_id):
            raise AwsApiError(
                operation,
                "NotAuthorizedException",
                f"The VPC {vpc_id} of account {ec2.account_id()} is not authorized to be "
                f"associated with hosted zone {zone_id} of account {zone.account}: create a VPC "
                "association authorization in that account first.",
            )
        _check_no_conflict(ec2, zone.name, vpc_id, region, operation)
        _route53_call(
            operation,
            zone.client.associate_vpc_with_hosted_zone,
            HostedZoneId=zone_id,
            VPC={"VPCId": vpc_id, "VPCRegion": region},
        )
        return f"{zone_id}:{vpc_id}" + ("" if region == ec2.region else f":{region}")

    def read(self, ec2: Ec2, resource_id: str) -> Props | None:
        zone_id, vpc_id = _pair(resource_id)
        operation = f"reading Route 53 Zone Association ({resource_id})"
        try:
            zone = _find_zone(ec2, zone_id, operation)
        except AwsApiError as error:
            if error.code == "NoSuchHostedZone":
                return None
            raise
        for vpc in zone.vpcs:
            if vpc["vpcId"] == vpc_id:
                return {
                    "id": resource_id,
                    "zoneId": zone_id,
                    "vpcId": vpc_id,
                    "vpcRegion": vpc["vpcRegion"],
                    "owningAccount": zone.account,
                }
        return None

    def update(
        self, ec2: Ec2, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        """Every input forces replacement; nothing is updated in place."""

    def delete(self, ec2: Ec2, resource_id: str, props: Mapping[str, Any]) -> None:
        zone_id, vpc_id = _pair(resource_id)
        operation = f"deleting Route 53 Zone Association ({resource_id})"
        if self.read(ec2, resource_id) is None:
            return
        zone = _find_zone(ec2, zone_id, operation)
        _route53_call(
            operation,
            zone.client.disassociate_vpc_from_hosted_zone,
            HostedZoneId=zone_id,
            VPC={"VPCId": vpc_id, "VPCRegion": props.get("vpcRegion") or ec2.region},
        )


class VpcAssociationAuthorizations:
    """The ``aws:route53/vpcAssociationAuthorization:VpcAssociationAuthorization`` resource
    type, made by the account that owns the zone (moto has none: kept as a reserved tag)."""

    token = VPC_ASSOCIATION_AUTHORIZATION
    replace_on_change = frozenset({"zoneId", "vpcId", "vpcRegion"})
    computed_outputs = ()

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        return _check_pair(self.token, ec2, inputs)

    def canonical(self, key: str, value: Any) -> Any:
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        zone_id, vpc_id, region = inputs["zoneId"], inputs["vpcId"], inputs["vpcRegion"]
        operation = f"creating Route 53 VPC Association Authorization ({zone_id}:{vpc_id})"
        if _own_zone(ec2, zone_id, operation) is None:
            raise AwsApiError(
                operation, "NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}"
            )
        _route53_call(
            operation,
            ec2.route53.change_tags_for_resource,
            ResourceType="hostedzone",
            ResourceId=zone_id,
            AddTags=[{"Key": f"{_AUTHORIZED}{vpc_id}", "Value": region}],
        )
        return f"{zone_id}:{vpc_id}"

    def read(self, ec2: Ec2, resource_id: str) -> Props | None:
        zone_id, vpc_id = _pair(resource_id)
        zone = _own_zone(
            ec2, zone_id, f"reading Route 53 VPC Association Authorization ({resource_id})"
        )
        if zone is None or not zone.authorized(vpc_id):
            return None
        return {
            "id": resource_id,
            "zoneId": zone_id,
            "vpcId": vpc_id,
            "vpcRegion": zone.all_tags()[f"{_AUTHORIZED}{vpc_id}"],
        }

    def update(
        self, ec2: Ec2, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        """Every input forces replacement; nothing is updated in place."""

    def delete(self, ec2: Ec2, resource_id: str, props: Mapping[str, Any]) -> None:
        zone_id, vpc_id = _pair(resource_id)
        operation = f"deleting Route 53 VPC Association Authorization ({resource_id})"
        if _own_zone(ec2, zone_id, operation) is None:
            return
        _route53_call(
            operation,
            ec2.route53.change_tags_for_resource,
            ResourceType="hostedzone",
            ResourceId=zone_id,
            RemoveTagKeys=[f"{_AUTHORIZED}{vpc_id}"],
        )


def get_zone(ec2: Ec2, args: Mapping[str, Any]) -> Props:
    """pulumi-aws's ``getZone`` by name: the caller's account's zones of that name and type (a
    ``vpcId`` means private), associated with ``vpcId`` when given; exactly one must match."""
    for key, value in sorted(args.items()):
        if key not in {"name", "privateZone", "vpcId"} and value not in (None, "", {}, False):
            raise UnsupportedTokenError("argument", f"{GET_ZONE} {key}")
    name, vpc_id = args.get("name"), args.get("vpcId")
    private = bool(args.get("privateZone")) or bool(vpc_id)
    client = ec2.route53
    matches: list[_Zone] = []
    for summary in client.list_hosted_zones()["HostedZones"]:
        if name and _normal(summary["Name"]) != _normal(name):
            continue
        if bool(summary.get("Config", {}).get("PrivateZone", False)) != private:
            continue
        zone = _Zone(client, ec2.account_id(), summary["Id"].rsplit("/", 1)[-1])
        if vpc_id and not zone.has_vpc(vpc_id):
            continue
        matches.append(zone)
    if not matches:
        raise ProviderError("no matching Route 53 Hosted Zone found")
    if len(matches) > 1:
        raise ProviderError(
            "multiple Route 53 Hosted Zones matched; use additional constraints to reduce "
            "matches to a single Route 53 Hosted Zone"
        )
    [zone] = matches
    outputs = zone_outputs(zone)
    return {
        "id": zone.id,
        "arn": outputs["arn"],
        "callerReference": zone.caller_reference,
        "comment": outputs["comment"],
        "enableAcceleratedRecovery": False,
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
        "name": outputs["name"],
        "nameServers": outputs["nameServers"],
        "primaryNameServer": outputs["primaryNameServer"],
        "privateZone": zone.private,
        "resourceRecordSetCount": zone.record_count,
        "tags": outputs["tagsAll"],
        "vpcId": vpc_id or "",
        "zoneId": zone.id,
    }
