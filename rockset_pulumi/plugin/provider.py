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
import contextvars
import dataclasses
import sys
import traceback
from collections.abc import Collection, Mapping
from importlib.metadata import version
from typing import Any

import grpc
import pulumi
from pulumi.errors import InputPropertyErrorDetails, RunError
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
from ..errors import ConfigurationError, InputPath, InputWarning, RocksetPulumiError
from ..lifecycle import LIFECYCLES, Change, Lifecycle
from ..tokens import COMPONENT_TOKEN
from ..validate import HIDDEN
from ..watch.settings import Watch
from .inputs import NOT_KNOWN, settle
from .naming import camel, camel_keys, snake, snake_keys
from .refusals import INTERNAL_ERROR, in_schema_terms, refusal
from .refusals import warning as schema_warning
from .resources import PLUGIN_CHECKS
from .schema import CHECK_TOKENS, ComponentShape, schema, schema_text

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
    resources served by this plugin, and the inputs the engine sent as secrets."""

    check_resources = PLUGIN_CHECKS

    def __init__(
        self,
        name: str,
        args: PrivateLinkArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        secret_inputs: frozenset[str] = frozenset(),
    ) -> None:
        self.secret_inputs = secret_inputs
        super().__init__(name, args, opts)

    def told(self, warning: InputWarning) -> str:
        """``warning`` in the schema's terms, its value hidden where the input was sent
        secret."""
        return schema_warning(warning, [(name,) for name in self.secret_inputs])


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
        return PropertyValue({str(k): _property(v) for k, v in value.items() if v is not None})
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


def to_engine(props: Mapping[str, Any], secret: Collection[str] = ()) -> dict[str, PropertyValue]:
    """A lifecycle's props as engine properties, the API key and ``secret`` (schema names)
    secret. A None, here or in an object, is unset: left out, as the dynamic-provider host
    (the Python SDK) leaves it, so that both hosts show the same outputs."""
    out: dict[str, PropertyValue] = {}
    for name, value in props.items():
        if value is None:
            continue
        shown = camel_keys(value) if name in _OBJECTS else value
        key = camel(name)
        out[key] = _property(shown).with_secret(name in SECRET or key in secret)
    return out


def _secrets(*given: Mapping[str, PropertyValue]) -> set[str]:
    """The properties the engine sent as secrets (a secret admin CIDR's entries): what the
    provider returns under those names stays secret."""
    return {key for props in given for key, value in props.items() if value.is_secret}


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


class _EngineLog:
    """The engine's log: what the plugin says beside a resource."""

    def __init__(self, engine_address: str) -> None:
        self._engine_address = engine_address

    async def send(self, urn: str, message: str, severity: Any) -> bool:
        """Whether the engine took ``message``."""
        try:
            async with grpc.aio.insecure_channel(
                self._engine_address, options=_GRPC_CHANNEL_OPTIONS
            ) as channel:
                await engine_pb2_grpc.EngineStub(channel).Log(
                    engine_pb2.LogRequest(severity=severity, message=message, urn=urn),
                    timeout=10,
                )
        except grpc.aio.AioRpcError:
            return False
        return True

    async def debug(self, urn: str, message: str) -> None:
        """``message`` in the debug log only (``--debug``), never in the plugin's stderr, which
        the engine shows to the user."""
        await self.send(urn, message, engine_pb2.DEBUG)


class RocksetProvider(Provider):
    """The custom resources' protocol over their lifecycles; Rockset calls run off the loop.

    What a lifecycle has to tell the user (destroy's summary) goes to the engine's log, beside
    the resource, as a dynamic provider's output does."""

    def __init__(self, engine_address: str) -> None:
        self._log = _EngineLog(engine_address)

    async def _tell(self, urn: str, message: str) -> None:
        if not await self._log.send(urn, message, engine_pb2.INFO):
            # No engine to tell (a provider driven directly): the work is done, keep the words.
            print(message, file=sys.stderr, flush=True)

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema_text())

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        # No preview support: the engine then never asks for a create or update in preview.
        # Output values let Construct receive another resource's output per item, with its
        # secrecy and dependencies, as a Python program passes it.
        return ConfigureResponse(accept_secrets=True, supports_preview=False, accept_outputs=True)

    async def check(self, request: CheckRequest) -> CheckResponse:
        checked = _lifecycle(request.urn).check(to_lifecycle(request.new_inputs))
        return CheckResponse(
            inputs=to_engine(checked.inputs, _secrets(request.new_inputs)),
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
        return CreateResponse(created.id, to_engine(created.outputs, _secrets(request.properties)))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        lifecycle = _lifecycle(request.urn)
        outputs = await asyncio.to_thread(
            lifecycle.update, to_lifecycle(request.olds), to_lifecycle(request.news)
        )
        return UpdateResponse(to_engine(outputs, _secrets(request.olds, request.news)))

    async def read(self, request: ReadRequest) -> ReadResponse:
        lifecycle = _lifecycle(request.urn)
        now = await asyncio.to_thread(lifecycle.read, to_lifecycle(request.properties))
        secret = _secrets(request.properties, request.inputs)
        inputs = to_engine(to_lifecycle(request.inputs), secret)
        return ReadResponse(request.resource_id, to_engine(now, secret), inputs)

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
        secret = frozenset(str(path[0]) for path in _SECRETS.get())
        for path in _SECRETS.get():
            if path[0] not in PrivateLink.KEEPS_SECRET:
                raise ConfigurationError.invalid(
                    path,
                    HIDDEN,
                    "It is a secret, and the component uses it in plain text: pass a plain "
                    f"value. Of the plain inputs only {', '.join(PrivateLink.KEEPS_SECRET)} "
                    "can be secret.",
                )
        component = HostedPrivateLink(name, self.args(inputs), options, secret_inputs=secret)
        state: dict[str, pulumi.Input[Any]] = {}
        for output in self.shape.outputs:
            value: pulumi.Output[Any] = getattr(component, snake(output))
            state[output] = (
                value.apply(camel_keys) if output in self.shape.object_outputs else value
            )
        return ConstructResult(component.urn, state)

    def args(self, inputs: Mapping[str, Any]) -> PrivateLinkArgs:
        """``PrivateLinkArgs`` from the schema's names (an input not given, or given null, is
        unset, as in Python); the component validates them."""
        unknown = sorted(set(inputs) - set(self.shape.inputs))
        if unknown:
            raise ConfigurationError.invalid(
                (snake(unknown[0]),),
                inputs[unknown[0]],
                f"PrivateLink has no such input; its inputs are {', '.join(self.shape.inputs)}.",
            )
        # A required input left out is refused by the component's own check, as None is.
        given = {snake(key): value for key, value in inputs.items()}
        if given.get("watch") is not None:
            given["watch"] = _watch(given["watch"])
        return PrivateLinkArgs(**{**dict.fromkeys(_REQUIRED), **given})


def _watch(value: object) -> object:
    """The ``watch`` object as ``Watch`` (a property given null is unset); anything but an
    object is left for the component to refuse."""
    if isinstance(value, pulumi.Output):
        raise ConfigurationError.invalid(
            ("watch",),
            NOT_KNOWN,
            "Write the watch object in the program (its apiKey may be a secret, its "
            "alarmActions other resources' outputs), not another resource's output: the "
            "component validates it before creating anything.",
        )
    if not isinstance(value, Mapping):
        return value
    given = {snake(key): item for key, item in value.items() if item is not None}
    known = [f.name for f in dataclasses.fields(Watch)]
    for name, item in given.items():
        if name not in known:
            raise ConfigurationError.invalid(
                ("watch", name),
                item,
                f"watch has no such property; its properties are "
                f"{', '.join(camel(k) for k in known)}.",
            )
    # A missing apiKey is refused by the component, as null is.
    return Watch(**{"api_key": None, **given})


_REQUIRED = tuple(
    f.name
    for f in dataclasses.fields(PrivateLinkArgs)
    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
)
_SECRETS: contextvars.ContextVar[tuple[InputPath, ...]] = contextvars.ContextVar(
    "rockset_secret_inputs", default=()
)
"""The paths of the inputs the engine sent as secrets, for the ``Construct`` being served."""


class _ComponentServicer(ComponentServicer):
    """The SDK's ``Construct``, with every failure told in the schema's terms: a refused input
    as the engine's input-property error, another of this package's errors as its message, and
    anything else as an internal error whose stack goes to the engine's debug log only."""

    def __init__(self, components: RocksetComponents, args: list[str], engine: str) -> None:
        super().__init__(components, args, engine)
        self._specs = schema()["resources"][COMPONENT_TOKEN]["inputProperties"]
        self._log = _EngineLog(engine)

    async def Construct(self, request: Any, context: Any) -> Any:
        secrets: list[InputPath] = [(name,) for name in SECRET]
        try:
            settled = settle(request.inputs, self._specs)
            secrets += settled.secrets
            request.inputs.CopyFrom(settled.inputs)
            for key in settled.plain & set(request.inputDependencies):
                # Known values now: the SDK would otherwise make an Output of each again.
                del request.inputDependencies[key]
            token = _SECRETS.set(tuple(settled.secrets))
            try:
                # The SDK's public Construct turns every other error into a Python stack.
                return await self._construct(request, context)
            finally:
                _SECRETS.reset(token)
        except RunError:
            raise
        except Exception as exc:
            found = _package_error_in(exc)
            if isinstance(found, ConfigurationError):
                path, message = refusal(found, secrets)
                errors = (
                    [InputPropertyErrorDetails(property_path=path, reason=message)]
                    if path
                    else None
                )
                status = self.create_grpc_invalid_properties_status(message, errors)
                await context.abort_with_status(status)
            elif found is not None:
                await context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION, in_schema_terms(str(found))
                )
            # A bug: its stack goes to the debug log, as the plugin's stderr reaches the user.
            await self._log.debug(request.parent, traceback.format_exc())
            await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_ERROR)
        raise AssertionError("unreachable: context.abort raises")


def _package_error_in(exc: BaseException) -> RocksetPulumiError | None:
    """The package's own error behind ``exc``: itself, or the cause the SDK wrapped it in when an
    Output that a child reads failed (``ValueError: While processing resource ...``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, RocksetPulumiError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class _Servicer(ProviderServicer):
    """The SDK's provider servicer, with ``Construct`` answered by the component servicer."""

    def __init__(self, args: list[str], engine_address: str) -> None:
        provider = RocksetProvider(engine_address)
        super().__init__(args, version("rockset-pulumi"), provider, engine_address)
        self._components = _ComponentServicer(RocksetComponents(), args, engine_address)

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
    try:
        await server.wait_for_termination()
    finally:
        # The engine ends the plugin with SIGINT, which cancels this task: the server stops here,
        # on its loop, or its finalizer runs after the loop is closed and leaves a traceback.
        await server.stop(None)


def main() -> None:
    """The console script ``pulumi-resource-rockset``."""
    parser = argparse.ArgumentParser(description="The rockset Pulumi provider (gRPC server)")
    parser.add_argument("engine", help="the Pulumi engine's address")
    known, _ = parser.parse_known_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(sys.argv[1:], known.engine))
