"""``pulumi-resource-rockset``: the gRPC provider the engine runs for the ``rockset`` package.

One process answers both kinds of request:

- ``Construct`` of ``rockset:index:PrivateLink`` builds the same :class:`PrivateLink` a Python
  program does (through the SDK's component servicer, which turns the inputs into Outputs with
  their secrets and dependencies), registering the check resources as this package's custom
  resources instead of dynamic ones;
- ``Check``, ``Diff``, ``Create``, ``Read``, ``Update`` and ``Delete`` of the check resources
  adapt the engine's property values to the one lifecycle of each
  (:mod:`rockset_pulumi.lifecycle`): ``check`` and ``diff`` call nothing, and the provider does
  not take part in preview (it tells the engine so), so preview never calls Rockset.

The API key is secret wherever it appears in a check resource's state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import sys
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import grpc
import pulumi
from pulumi.errors import InputPropertyError
from pulumi.provider import ConstructResult
from pulumi.provider import Provider as ComponentProvider
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.provider.server import ProviderServicer as ComponentServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN

from ..args import PrivateLinkArgs
from ..check_resources import SECRET
from ..component import PrivateLink
from ..lifecycle import LIFECYCLES, Change, Lifecycle
from ..tokens import COMPONENT_TOKEN
from ..watch.settings import Watch
from .naming import camel, camel_keys, snake, snake_keys
from .resources import PLUGIN_CHECKS
from .schema import CHECK_TOKENS, ComponentShape, schema_text

__all__ = ["RocksetComponents", "RocksetProvider", "main", "serve"]

_OBJECTS = frozenset({"public", "privatelink", "status", "dns_expectation", "probe"})
"""Check properties of this package's object types: their nested keys are translated too."""
_KINDS = {
    Change.ADD: PropertyDiffKind.ADD,
    Change.UPDATE: PropertyDiffKind.UPDATE,
    Change.DELETE: PropertyDiffKind.DELETE,
}


class HostedPrivateLink(PrivateLink):
    """The component as the plugin builds it: the same type token and code, with the check
    resources served by this plugin."""

    check_resources = PLUGIN_CHECKS


# --- the check resources -------------------------------------------------------------------


def _plain(value: PropertyValue) -> Any:
    """A property value as the lifecycles see values: JSON-like, secrets unwrapped, unknowns
    as the SDK's UNKNOWN sentinel (what the dynamic-provider host passes too)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: _plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple):
        return [_plain(v) for v in inner]
    if isinstance(inner, float) and inner.is_integer() and not isinstance(inner, bool):
        return int(inner)
    return inner


def _property(value: Any) -> PropertyValue:
    # An unknown stays the UNKNOWN string, which is how the wire spells it (the SDK's
    # PropertyValue cannot marshal its own Computed).
    if isinstance(value, Mapping):
        return PropertyValue({str(k): _property(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([_property(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


def to_lifecycle(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """Engine properties (camelCase) as a lifecycle's props (snake_case)."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        name = snake(key)
        plain = _plain(value)
        out[name] = snake_keys(plain) if name in _OBJECTS else plain
    return out


def to_engine(props: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """A lifecycle's props as engine properties, the API key secret."""
    out: dict[str, PropertyValue] = {}
    for name, value in props.items():
        shown = camel_keys(value) if name in _OBJECTS else value
        out[camel(name)] = _property(shown).with_secret(name in SECRET)
    return out


def _camel_path(path: str) -> str:
    """``entries.office`` stays; ``admin_cidrs.office`` -> ``adminCidrs.office``."""
    cut = min((i for i in (path.find("."), path.find("[")) if i >= 0), default=len(path))
    return camel(path[:cut]) + path[cut:]


def _lifecycle(urn: str) -> Lifecycle:
    # A child's type in its URN is qualified by its parents' (`a$b$rockset:index:IpAllowlist`).
    token = urn.split("::")[2].rsplit("$", 1)[-1]
    for name, known in CHECK_TOKENS.items():
        if token == known:
            return LIFECYCLES[name]
    raise ValueError(f"The rockset plugin has no custom resource {token!r}")


class RocksetProvider(Provider):
    """The custom resources' protocol over their lifecycles; Rockset calls run off the loop.

    What a lifecycle has to tell the user (destroy's summary) goes to the engine's log, beside
    the resource, as a dynamic provider's output does."""

    def __init__(self, engine_address: str) -> None:
        self._engine_address = engine_address

    async def _tell(self, urn: str, message: str) -> None:
        try:
            async with grpc.aio.insecure_channel(
                self._engine_address, options=_GRPC_CHANNEL_OPTIONS
            ) as channel:
                await engine_pb2_grpc.EngineStub(channel).Log(
                    engine_pb2.LogRequest(severity=engine_pb2.INFO, message=message, urn=urn),
                    timeout=10,
                )
        except grpc.aio.AioRpcError:
            # No engine to tell (a provider driven directly): the work is done, keep the words.
            print(message, file=sys.stderr, flush=True)

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema_text())

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        # No preview support: the engine then never asks for a create or update in preview.
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    async def check(self, request: CheckRequest) -> CheckResponse:
        checked = _lifecycle(request.urn).check(to_lifecycle(request.new_inputs))
        return CheckResponse(
            inputs=to_engine(checked.inputs),
            failures=[CheckFailure(camel(prop), reason) for prop, reason in checked.failures],
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        found = _lifecycle(request.urn).diff(
            to_lifecycle(request.old_state), to_lifecycle(request.new_inputs)
        )
        detailed = {
            _camel_path(path): PropertyDiff(_KINDS[change], input_diff=path not in found.from_state)
            for path, change in found.changes.items()
        }
        top = sorted({_camel_path(path.split(".")[0].split("[")[0]) for path in found.changes})
        return DiffResponse(changes=bool(detailed), replaces=[], diffs=top, detailed_diff=detailed)

    async def create(self, request: CreateRequest) -> CreateResponse:
        lifecycle = _lifecycle(request.urn)
        created = await asyncio.to_thread(lifecycle.create, to_lifecycle(request.properties))
        return CreateResponse(created.id, to_engine(created.outputs))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        lifecycle = _lifecycle(request.urn)
        outputs = await asyncio.to_thread(
            lifecycle.update, to_lifecycle(request.olds), to_lifecycle(request.news)
        )
        return UpdateResponse(to_engine(outputs))

    async def read(self, request: ReadRequest) -> ReadResponse:
        lifecycle = _lifecycle(request.urn)
        now = await asyncio.to_thread(lifecycle.read, to_lifecycle(request.properties))
        inputs = to_engine(to_lifecycle(request.inputs))
        return ReadResponse(request.resource_id, to_engine(now), inputs)

    async def delete(self, request: DeleteRequest) -> None:
        lifecycle = _lifecycle(request.urn)
        told = await asyncio.to_thread(lifecycle.delete, to_lifecycle(request.properties))
        if told is not None:
            await self._tell(request.urn, told)


# --- the component -------------------------------------------------------------------------


class RocksetComponents(ComponentProvider):
    """``Construct`` of ``rockset:index:PrivateLink``: schema names in, the component's
    outputs (camelCase, objects too) out."""

    def __init__(self) -> None:
        super().__init__(version("rockset-pulumi"), schema_text())
        self.shape = ComponentShape.load()

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: pulumi.Inputs,
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        if resource_type != COMPONENT_TOKEN:
            raise ValueError(f"The rockset plugin has no component {resource_type!r}")
        component = HostedPrivateLink(name, self.args(inputs), options)
        state: dict[str, pulumi.Input[Any]] = {}
        for output in self.shape.outputs:
            value: pulumi.Output[Any] = getattr(component, snake(output))
            state[output] = (
                value.apply(camel_keys) if output in self.shape.object_outputs else value
            )
        return ConstructResult(component.urn, state)

    def args(self, inputs: Mapping[str, Any]) -> PrivateLinkArgs:
        """``PrivateLinkArgs`` from the schema's names; a plain input given another resource's
        output is refused by name (the component reads it before registering anything)."""
        unknown = sorted(set(inputs) - set(self.shape.inputs))
        if unknown:
            raise InputPropertyError(unknown[0], f"PrivateLink has no input {unknown[0]!r}")
        fields = {f.name for f in dataclasses.fields(PrivateLinkArgs)}
        kwargs: dict[str, Any] = {}
        for key, value in inputs.items():
            if key in self.shape.plain_inputs and isinstance(value, pulumi.Output):
                raise InputPropertyError(
                    key,
                    f"{key} must be a value known before deployment (a literal or plain config), "
                    "not another resource's output or a secret: the component validates it "
                    "before creating anything.",
                )
            if value is not None and snake(key) in fields:
                kwargs[snake(key)] = value
        if "watch" in kwargs:
            kwargs["watch"] = _watch(kwargs["watch"])
        return PrivateLinkArgs(**kwargs)


def _watch(value: object) -> object:
    """The ``watch`` object as ``Watch``; anything else is left for the component to refuse."""
    if isinstance(value, pulumi.Output):
        raise InputPropertyError(
            "watch",
            "watch must be an object written in the program (its apiKey may be a secret), not "
            "another resource's output: the component validates it before creating anything.",
        )
    if not isinstance(value, Mapping):
        return value
    fields = {f.name for f in dataclasses.fields(Watch)}
    given = {snake(k): v for k, v in value.items() if v is not None}
    unknown = sorted(set(given) - fields)
    if unknown:
        raise InputPropertyError("watch", f"watch has no property {camel(unknown[0])!r}")
    return Watch(**given)


class _Servicer(ProviderServicer):
    """The SDK's provider servicer, with ``Construct`` answered by its component servicer."""

    def __init__(self, args: list[str], engine_address: str) -> None:
        provider = RocksetProvider(engine_address)
        super().__init__(args, version("rockset-pulumi"), provider, engine_address)
        self._components = ComponentServicer(RocksetComponents(), args, engine_address)

    async def Construct(self, request: Any, context: Any) -> Any:
        return await self._components.Construct(request, context)


async def serve(args: list[str], engine_address: str) -> None:
    """Serve on a loopback port, announced on stdout's first line as the engine expects."""
    server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(
        _Servicer(args, engine_address), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


def main() -> None:
    """The console script ``pulumi-resource-rockset``."""
    parser = argparse.ArgumentParser(description="The rockset Pulumi provider (gRPC server)")
    parser.add_argument("engine", help="the Pulumi engine's address")
    known, _ = parser.parse_known_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(sys.argv[1:], known.engine))
