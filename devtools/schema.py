"""The ``rockset`` package's Pulumi schema, generated from the code it describes.

``rockset_pulumi/plugin/schema.json`` is what the plugin serves (``pulumi package get-schema``)
and what other languages generate their SDKs from. Its parts come from where each thing is
defined, so it cannot drift from them:

- the component's inputs: ``PrivateLinkArgs``' fields, their annotations (``pulumi.Input[...]``
  is not ``plain``, a field with a default is not required; ``probe`` and ``dns`` are enums of
  their ``Literal`` values, described by their :class:`~rockset_pulumi.choices.Choices`), their
  defaults (a ``default`` where the field's is a constant, which its docstring must state) and
  their docstrings (meaning and default, as in the configuration reference's table,
  :mod:`devtools.docs`);
- the component's outputs: the ``pulumi.Output`` attributes of ``PrivateLink`` and their
  docstrings, typed by :data:`COMPONENT_OUTPUTS`;
- the object types: the dataclasses the steps return (``Probe``, ``LockdownStatus``,
  ``CostEstimate``);
- the check resources: their lifecycles' input and output names (declared in
  :mod:`rockset_pulumi.check_resources`), typed and described by :data:`CHECK_PROPERTIES`;
- the package's metadata: the distribution's (version, license) and :data:`REPOSITORY`'s.

Every description is Markdown in the schema's terms: the Python names of the properties the
schema renames (``api_key``, ``lockdown_status``'s ``public_refuses_key``) and Python's literals
are told as the schema spells them (``apiKey``, ``publicRefusesKey``, ``false``), as the
plugin's refusals are (:func:`rockset_pulumi.plugin.refusals.in_schema_terms`).

``python -m devtools.schema`` rewrites the file; ``--check`` fails with a diff when it is out of
date (``tests/test_schema.py`` does too).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import json
import sys
import types
import typing
from collections.abc import Sequence
from importlib.metadata import metadata, version
from pathlib import Path
from typing import Any

from devtools.docs import ARGS_SOURCE, COMPONENT_SOURCE, FieldDoc, field_docs, output_docs
from rockset_pulumi.args import PROBES, PrivateLinkArgs
from rockset_pulumi.choices import Choices
from rockset_pulumi.diagnosis import DnsExpectation
from rockset_pulumi.lifecycle import LIFECYCLES
from rockset_pulumi.plugin.naming import camel, snake
from rockset_pulumi.plugin.refusals import in_schema_terms, shown
from rockset_pulumi.pricing import CostEstimate, SharingComparison, WatchCost
from rockset_pulumi.sharing import DNS_MODES
from rockset_pulumi.steps import EndpointAnswer, LockdownStatus
from rockset_pulumi.tokens import COMPONENT_TOKEN, FORMER_COMPONENT_TOKEN, PACKAGE, index_token
from rockset_pulumi.vpc_probe.spec import RelaySpec

__all__ = [
    "CHECK_PROPERTIES",
    "COMPONENT_OUTPUTS",
    "ENUMS",
    "GO_IMPORT_BASE_PATH",
    "LANGUAGES",
    "NPM_PACKAGE",
    "PLUGIN_DOWNLOAD_URL",
    "REPOSITORY",
    "SCHEMA_FILE",
    "constant_default",
    "generate",
    "main",
    "property_names",
    "render",
]

_ROOT = Path(__file__).resolve().parent.parent
WATCH_SOURCE = _ROOT / "rockset_pulumi" / "watch" / "settings.py"
SCHEMA_FILE = _ROOT / "rockset_pulumi" / "plugin" / "schema.json"
REPOSITORY = "github.com/rockset-pulumi/rockset-pulumi"
"""Where the project lives: the schema's ``repository`` and ``homepage``, and the Go module's
path."""
NPM_PACKAGE = "@rockset-pulumi/rockset"
"""The TypeScript SDK's npm name: scoped by this project's name (the ``@rockset`` scope is Rockset's
own), named for the Pulumi package, so programs read ``rockset.PrivateLink``."""
PUBLISHER = "rockset-pulumi"
"""Who publishes the package: this project (not Rockset, whose names it does not take)."""
PLUGIN_DOWNLOAD_URL = f"https://{REPOSITORY}/releases/download/v${{VERSION}}/"
"""Where a release puts the plugin archives (``make dist``, named by
``devtools.dist.archive_name``): the engine fills in ``${VERSION}`` and appends the archive's
name for its platform."""
GO_IMPORT_BASE_PATH = f"{REPOSITORY}/sdk/go/{PACKAGE}"
"""The Go SDK's package; its module (``sdk/go/go.mod``) is the directory above."""
LANGUAGES: dict[str, Spec] = {
    "nodejs": {"packageName": NPM_PACKAGE},
    "go": {"importBasePath": GO_IMPORT_BASE_PATH},
    "csharp": {"rootNamespace": "RocksetPulumi", "packageReferences": {"Pulumi": "3.*"}},
    "java": {"basePackage": "io.github.rocksetpulumi"},
}
"""Each language's package of the SDK: npm ``@rockset-pulumi/rockset``, the Go module's
package, NuGet ``RocksetPulumi.Rockset`` and Maven ``io.github.rocksetpulumi.rockset``, all under
this project's names. No Python: Python programs use this distribution itself."""
_SECRET = frozenset({"api_key"})

Spec = dict[str, Any]


def _ref(name: str) -> Spec:
    return {"$ref": f"#/types/{index_token(name)}"}


_STRING: Spec = {"type": "string"}
_STRINGS: Spec = {"type": "array", "items": {"type": "string"}}
_STRING_MAP: Spec = {"type": "object", "additionalProperties": {"type": "string"}}
_NUMBER: Spec = {"type": "number"}
_BOOLEAN: Spec = {"type": "boolean"}

COMPONENT_OUTPUTS: dict[str, tuple[Spec, bool]] = {
    "vpc_endpoint_id": (_STRING, True),
    "security_group_id": (_STRING, True),
    "service_name": (_STRING, True),
    "dns_entries": ({"type": "array", "items": _ref("DnsEntry")}, True),
    "network_interface_ids": (_STRINGS, True),
    "availability_zones": (_STRINGS, True),
    "skipped_subnet_ids": (_STRINGS, True),
    "private_dns_enabled": (_BOOLEAN, True),
    "endpoint_state": (_STRING, True),
    "public_url": (_STRING, True),
    "privatelink_url": (_STRING, True),
    "connectivity": (_ref("Connectivity"), False),
    "allowlist_entries": (_STRING_MAP, False),
    "lockdown_status": (_ref("LockdownStatus"), False),
    "cost_estimate": (_ref("CostEstimate"), False),
    "hosted_zone_id": (_STRING, False),
    "resolving_vpc_ids": (_STRINGS, True),
    "watch": (_ref("WatchStatus"), False),
}
"""Each ``pulumi.Output`` attribute of ``PrivateLink``: its schema type, and whether it is
always set (the others are null where their step is off)."""

CHECK_PROPERTIES: dict[str, tuple[Spec, str]] = {
    "public_url": (_STRING, "Rockset's public API endpoint (https)."),
    "privatelink_url": (_STRING, "Rockset's API endpoint through PrivateLink (https)."),
    "api_key": (_STRING, "The Rockset API key the calls authenticate with."),
    "ca_bundle": (_STRING, "PEM file of CAs for Rockset's TLS certificates."),
    "timeout": (_NUMBER, "Seconds to wait for the PrivateLink endpoint to answer."),
    "public_may_refuse_key": (
        _BOOLEAN,
        "Lockdown is configured: the public endpoint may refuse the key.",
    ),
    "probe": (
        _ref("ProbeFunction"),
        "With `probe: vpc`, the function that sends the PrivateLink side from inside the VPC.",
    ),
    "dns_expectation": (
        _ref("DnsExpectation"),
        "What the PrivateLink host resolves to inside the VPC, for step 3's diagnosis.",
    ),
    "endpoint_id": (_STRING, "The VPC endpoint checked; a new one re-runs the check."),
    "triggers": (_STRINGS, "Arbitrary values; changing any of them re-runs the check."),
    "public": (_ref("Probe"), "What the public endpoint answered."),
    "privatelink": (_ref("Probe"), "What the PrivateLink endpoint answered."),
    "checked_at": (_STRING, "When the check passed (UTC, ISO-8601)."),
    "entries": (_STRING_MAP, "The admin entries: allowlist entry name -> CIDR."),
    "verified_at": (_STRING, "When PrivateLink was last verified; the guard runs again anyway."),
    "owner": (
        _STRING,
        "Labels the component whose allowlist owns the entries; null for a check without lockdown.",
    ),
    "live_entries": (_STRING_MAP, "The wanted entries as Rockset has them."),
    "adopted": (_STRINGS, "Entries that existed unmarked before: kept as found on destroy."),
    "owner_mark": (_STRING, "The mark in the description of every entry step 4 writes."),
    "generation": (_STRING, "This incarnation's generation (a replacement gets a new one)."),
    "allowlist": (_STRING_MAP, "The allowlist entries step 4 made."),
    "status": (_ref("LockdownStatus"), "Step 5's expectations as observed."),
}
"""Every property of the check resources, by its lifecycle's (snake_case) name."""

_CHECK_DESCRIPTIONS = {
    "ConnectivityCheck": "Step 3 of Rockset's PrivateLink guide: both API endpoints answer "
    "and accept the key, checked during `pulumi up`.",
    "IpAllowlist": "Step 4: the organization's IP allowlist holds the admin entries, written "
    "through PrivateLink behind a lock-out guard; only this resource's own entries are "
    "deleted.",
    "LockdownCheck": "Step 5: the public endpoint refuses the key while PrivateLink accepts "
    "it; re-observed by `pulumi refresh`.",
}


def _secret(name: str, spec: Spec) -> Spec:
    return {**spec, "secret": True} if name in _SECRET else spec


def _annotation_spec(node: ast.expr, where: str) -> tuple[Spec, bool]:
    """A field's annotation (as written, ``pulumi.`` removed) as a schema type, and whether an
    Output may be passed (``Input[...]`` around it). Items and values that may not be Outputs
    are ``plain`` too (``Sequence[str]``), those that may are not (``Sequence[Input[str]]``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts = [p for p in (node.left, node.right) if not _is_none(p)]
        if len(parts) != 1:
            raise ValueError(f"{where}: only `X | None` unions are supported")
        return _annotation_spec(parts[0], where)
    if isinstance(node, ast.Name):
        simple = {"str": _STRING, "bool": _BOOLEAN, "float": _NUMBER, "int": {"type": "integer"}}
        if node.id in simple:
            return simple[node.id], False
        if node.id in ENUMS:
            return _ref(ENUMS[node.id][0]), False
        if node.id == "Watch":
            # Its key is a secret, so the object arrives as an input, not a plain value.
            return _ref("Watch"), True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        outer = node.value.id
        if outer == "Input":
            spec, _ = _annotation_spec(node.slice, where)
            return spec, True
        if outer == "Sequence":
            return {"type": "array", "items": _element(node.slice, where)}, False
        if outer == "Mapping" and isinstance(node.slice, ast.Tuple):
            values = _element(node.slice.elts[1], where)
            return {"type": "object", "additionalProperties": values}, False
    raise ValueError(
        f"{where}: annotation {ast.unparse(node)!r} has no schema type; extend "
        "devtools.schema._annotation_spec"
    )


def _element(node: ast.expr, where: str) -> Spec:
    spec, via_input = _annotation_spec(node, where)
    return spec if via_input else {**spec, "plain": True}


ENUMS: dict[str, tuple[str, Choices, str]] = {
    "Probe": ("ProbeMode", PROBES, "Where the PrivateLink side of steps 3-5 is sent from."),
    "DnsMode": ("DnsMode", DNS_MODES, "How callers resolve Rockset's PrivateLink name."),
}
"""The ``Literal`` aliases ``PrivateLinkArgs`` annotates with, by the name the source uses: the
schema's enum type each is, its values and their meanings, and what it is."""


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _enum(choices: Choices, description: str) -> Spec:
    """An enum type of strings: each value named for the SDKs' constants (``hosted_zone`` is
    ``HostedZone``), described by its meaning."""
    return {
        "type": "string",
        "description": description,
        "enum": [
            {
                "name": _capitalized(camel(value)),
                "value": value,
                "description": f"{_capitalized(meaning)}.",
            }
            for value, meaning in choices.meanings.items()
        ],
    }


NOT_OFFERED: dict[str, str] = {
    "shared_vpcs": "another account's `aws.Provider` per VPC cannot be passed to a component "
    "through the plugin here; other languages share VPCs of the endpoint's account "
    "(`sharedVpcIds`)",
}
"""``PrivateLinkArgs`` fields the plugin's schema leaves out, and why."""


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def constant_default(doc: FieldDoc, value: object) -> Spec:
    """``{"default": value}`` where a field's default is a constant the schema can hold (a
    boolean, number or string; the others, None or empty, the docstring describes); its
    docstring must state that value."""
    if value in (dataclasses.MISSING, None) or isinstance(value, list | tuple | dict):
        return {}
    if not isinstance(value, bool | int | float | str):
        raise ValueError(f"PrivateLinkArgs.{doc.name}: default {value!r} has no schema value")
    stated = in_schema_terms(doc.default).strip("`")
    if stated != shown(value):
        raise ValueError(
            f"PrivateLinkArgs.{doc.name}: its docstring's default {doc.default!r} is not the "
            f"field's, {shown(value)}"
        )
    return {"default": value}


def _component_inputs() -> tuple[dict[str, Spec], list[str]]:
    docs = field_docs(ARGS_SOURCE.read_text(encoding="utf-8"))
    fields = {f.name: f for f in dataclasses.fields(PrivateLinkArgs)}
    required = {
        name
        for name, f in fields.items()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    inputs: dict[str, Spec] = {}
    for doc in docs:
        if doc.name in NOT_OFFERED:
            continue
        where = f"PrivateLinkArgs.{doc.name}"
        spec, via_input = _annotation_spec(ast.parse(doc.annotation, mode="eval").body, where)
        default = fields[doc.name].default
        prop = {
            **spec,
            "description": f"{doc.meaning} Default: {doc.default}.",
            **({} if doc.name in required else constant_default(doc, default)),
        }
        if not via_input:
            # Read before anything is registered, so known at preview: a value, not an output.
            prop["plain"] = True
        inputs[camel(doc.name)] = _secret(doc.name, prop)
    return inputs, [camel(name) for name in (d.name for d in docs) if name in required]


def _watch_type() -> Spec:
    """The ``watch`` input's object type, from ``Watch``'s fields and docstrings."""
    properties: dict[str, Spec] = {}
    for doc in field_docs(WATCH_SOURCE.read_text(encoding="utf-8"), "Watch"):
        spec, _ = _annotation_spec(ast.parse(doc.annotation, mode="eval").body, f"Watch.{doc.name}")
        prop = {**spec, "description": f"{doc.meaning} Default: {doc.default}."}
        properties[camel(doc.name)] = _secret(doc.name, prop)
    return {
        "type": "object",
        "description": "Checks the lockdown on a schedule between deployments and alarms when "
        "it stops holding.",
        "properties": properties,
        "required": ["apiKey"],
    }


def _component_outputs() -> dict[str, Spec]:
    found: dict[str, Spec] = {}
    for doc in output_docs(COMPONENT_SOURCE.read_text(encoding="utf-8")):
        if doc.name not in COMPONENT_OUTPUTS:
            raise ValueError(f"PrivateLink.{doc.name}: add its schema type to COMPONENT_OUTPUTS")
        spec, _ = COMPONENT_OUTPUTS[doc.name]
        found[camel(doc.name)] = {**spec, "description": doc.meaning}
    missing = {camel(n) for n in COMPONENT_OUTPUTS} - set(found)
    if missing:
        raise ValueError(f"COMPONENT_OUTPUTS names outputs PrivateLink lacks: {sorted(missing)}")
    return found


def _python_type_spec(hint: Any, where: str) -> tuple[Spec, bool]:
    """A dataclass field's type as a schema type, and whether it is always set."""
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) and type(None) in args:
        [inner] = [a for a in args if a is not type(None)]
        spec, _ = _python_type_spec(inner, where)
        return spec, False
    if typing.get_origin(hint) is dict and args == (str, str):
        return dict(_STRING_MAP), True
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        items, _ = _python_type_spec(args[0], where)
        return {"type": "array", "items": items}, True
    simple = {str: _STRING, bool: _BOOLEAN, float: _NUMBER, int: {"type": "integer"}}
    if hint in simple:
        return simple[hint], True
    raise ValueError(f"{where}: type {hint!r} has no schema type")


def _object_type(cls: type, description: str, extra: dict[str, Spec] | None = None) -> Spec:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Spec] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        spec, always = _python_type_spec(hints[f.name], f"{cls.__name__}.{f.name}")
        properties[camel(f.name)] = spec
        if always:
            required.append(camel(f.name))
    for name, spec in (extra or {}).items():
        properties[name] = spec
        required.append(name)
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
    }


def _optional(spec: Spec, **properties: Spec) -> Spec:
    """``spec`` with more properties that may be absent."""
    return {**spec, "properties": {**spec["properties"], **properties}}


def _types() -> dict[str, Spec]:
    prefix = f"{PACKAGE}:index:"
    return {
        f"{prefix}Probe": _object_type(
            EndpointAnswer, "What one API endpoint answered to `GET /` and an authenticated call."
        ),
        f"{prefix}Connectivity": {
            "type": "object",
            "description": "Step 3's result.",
            "properties": {
                "public": _ref("Probe"),
                "privatelink": _ref("Probe"),
                "checkedAt": _STRING,
            },
            "required": ["public", "privatelink", "checkedAt"],
        },
        f"{prefix}LockdownStatus": _object_type(
            LockdownStatus,
            "Step 5's expectations as observed; `holds` when all three do.",
            extra={"holds": _BOOLEAN},
        ),
        f"{prefix}CostEstimate": _optional(
            _object_type(CostEstimate, "A month of one endpoint, in USD."),
            sharing=_ref("SharingComparison"),
            watch=_ref("WatchCost"),
        ),
        f"{prefix}Watch": _watch_type(),
        f"{prefix}WatchCost": _object_type(
            WatchCost, "With `watch`: a month of the watch, in USD, before free tiers."
        ),
        f"{prefix}WatchStatus": {
            "type": "object",
            "description": "With `watch`: the alarm, the metrics and the schedule.",
            "properties": {
                "alarmName": _STRING,
                "alarmArn": _STRING,
                "namespace": _STRING,
                "metrics": _STRINGS,
                "dimensions": _STRING_MAP,
                "schedule": _STRING,
                "functionName": _STRING,
                "monthlyCost": _ref("WatchCost"),
            },
        },
        f"{prefix}SharingComparison": _object_type(
            SharingComparison,
            "With `dns: hosted_zone`: the shared endpoint against one endpoint per VPC.",
        ),
        f"{prefix}DnsExpectation": _object_type(
            DnsExpectation, "What the PrivateLink host should resolve to inside the VPC."
        ),
        f"{prefix}ProbeFunction": _object_type(
            RelaySpec, "The function that relays the PrivateLink side's requests."
        ),
        f"{prefix}DnsEntry": {
            "type": "object",
            "description": "One DNS name of the endpoint.",
            "properties": {"dnsName": _STRING, "hostedZoneId": _STRING},
        },
        **{
            index_token(name): _enum(choices, description)
            for name, choices, description in ENUMS.values()
        },
    }


def _check_resource(name: str) -> Spec:
    lifecycle = LIFECYCLES[name]
    inputs = list(lifecycle.inputs)
    required_inputs = [i for i in inputs if i in lifecycle.required]

    def prop(prop_name: str) -> Spec:
        if prop_name not in CHECK_PROPERTIES:
            raise ValueError(f"{name}.{prop_name}: add it to CHECK_PROPERTIES")
        spec, description = CHECK_PROPERTIES[prop_name]
        return _secret(prop_name, {**spec, "description": description})

    outputs = [*inputs, *lifecycle.outputs]
    return {
        "description": _CHECK_DESCRIPTIONS[name],
        "inputProperties": {camel(i): prop(i) for i in inputs},
        "requiredInputs": [camel(i) for i in required_inputs],
        "properties": {camel(o): prop(o) for o in outputs},
        "required": [camel(o) for o in outputs if o not in ("ca_bundle",)],
    }


def property_names(value: object) -> set[str]:
    """Every property name in a part of the schema (its types', resources' and their inputs')."""
    if not isinstance(value, dict):
        return set()
    found = {
        name
        for key in ("properties", "inputProperties")
        if isinstance(value.get(key), dict)
        for name in value[key]
    }
    return found.union(*(property_names(v) for v in value.values()))


def _in_schema_terms(value: Any, renamed: frozenset[str]) -> Any:
    """``value`` with every description in the schema's terms."""
    if isinstance(value, dict):
        return {
            k: in_schema_terms(v, renamed) if k == "description" else _in_schema_terms(v, renamed)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_in_schema_terms(v, renamed) for v in value]
    return value


def generate() -> dict[str, Any]:
    """The schema, as a JSON value."""
    inputs, required = _component_inputs()
    outputs = _component_outputs()
    resources: dict[str, Spec] = {
        COMPONENT_TOKEN: {
            "isComponent": True,
            "description": "Private access to Rockset from a VPC through an Interface VPC "
            "endpoint, verified and, with `lockdown`, with Rockset's public endpoint turned off "
            "for everyone but the admins (Rockset's PrivateLink guide, steps 2 to 5).",
            "inputProperties": inputs,
            "requiredInputs": required,
            "properties": outputs,
            "required": [camel(n) for n, (_, always) in COMPONENT_OUTPUTS.items() if always],
            # Stacks made before the plugin hold the component under its former token.
            "aliases": [{"type": FORMER_COMPONENT_TOKEN}],
        },
        **{index_token(name): _check_resource(name) for name in sorted(LIFECYCLES)},
    }
    types = _types()
    renamed = frozenset(
        snake(name) for name in property_names({"types": types, "resources": resources})
    )
    return {
        "name": PACKAGE,
        "displayName": "Rockset PrivateLink",
        "description": "Private access to Rockset over AWS PrivateLink, created, verified and "
        "locked down in one `pulumi up`. Python programs use the `rockset-pulumi` package "
        "(`rockset_pulumi.PrivateLink`) itself rather than an SDK of this schema.",
        "keywords": [
            "pulumi",
            "rockset",
            "aws",
            "privatelink",
            "category/network",
            "kind/component",
        ],
        "homepage": f"https://{REPOSITORY}",
        "repository": f"https://{REPOSITORY}",
        "publisher": PUBLISHER,
        "license": metadata("rockset-pulumi")["License-Expression"],
        "version": version("rockset-pulumi"),
        "pluginDownloadURL": PLUGIN_DOWNLOAD_URL,
        # The provider takes no configuration: everything arrives as the resources' inputs.
        "config": {},
        "types": _in_schema_terms(types, renamed),
        "resources": _in_schema_terms(resources, renamed),
        # A Go module of its own in sdk/go, and the SDKs ask for the plugin at this version.
        "meta": {"supportPack": True},
        "language": LANGUAGES,
    }


def render() -> str:
    """The schema file's text."""
    return json.dumps(generate(), indent=2, sort_keys=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.schema", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 with a diff if out of date"
    )
    options = parser.parse_args(argv)
    generated = render()
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if options.check:
        if current == generated:
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                fromfile=str(SCHEMA_FILE.name),
                tofile=f"{SCHEMA_FILE.name} (generated)",
            )
        )
        print("schema.json is out of date: run `make docs`", file=sys.stderr)
        return 1
    SCHEMA_FILE.write_text(generated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
