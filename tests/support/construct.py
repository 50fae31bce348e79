"""The plugin's ``Construct`` driven in this process, as the engine drives it.

A gRPC server stands in for the engine: its resource monitor is Pulumi's mock monitor over the
moto-backed AWS double (what :func:`devtools.pulumi_mocks.program` gives a Python program), and
its log keeps what the plugin says, by severity. :meth:`Constructor.construct` sends one
``ConstructRequest`` and returns the component's outputs, or the refusal the engine would show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc
import pulumi
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    errors_pb2,
    provider_pb2,
    resource_pb2,
    resource_pb2_grpc,
    status_pb2,
)

from devtools.aws_double.mocks import MockedAws
from devtools.pulumi_mocks import WithDynamicResources, program
from rockset_pulumi.plugin.provider import RocksetComponents, _ComponentServicer
from rockset_pulumi.tokens import COMPONENT_TOKEN, PACKAGE

__all__ = ["Constructed", "Constructor", "Refused", "constructor"]


class _WithPluginChecks(WithDynamicResources):
    """The AWS double, and the plugin's check resources echoed (the allowlist as written)."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        if not args.typ.startswith(f"{PACKAGE}:index:"):
            return super().new_resource(args)
        self.aws.mocks.resources.append((args.typ, args.name, dict(args.inputs)))
        state = dict(args.inputs)
        if "entries" in state:
            state["liveEntries"] = state["entries"]
        return (None if pulumi.runtime.is_dry_run() else f"{args.name}-id"), state


class _Monitor(resource_pb2_grpc.ResourceMonitorServicer):
    def __init__(self, mocks: WithDynamicResources) -> None:
        self.mock = MockMonitor(mocks)
        self.registrations: list[Any] = []

    def SupportsFeature(self, request: Any, context: Any) -> Any:
        # As Pulumi's mocks: no output values, so the mocks see plain values and secrets.
        return resource_pb2.SupportsFeatureResponse(hasSupport=request.id != "outputValues")

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:
        return self.mock.GetDeploymentInfo(request)  # type: ignore[no-untyped-call]

    def Invoke(self, request: Any, context: Any) -> Any:
        return self.mock.Invoke(request)  # type: ignore[no-untyped-call]

    def RegisterResource(self, request: Any, context: Any) -> Any:
        self.registrations.append(request)
        return self.mock.RegisterResource(request)  # type: ignore[no-untyped-call]

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()

    def RegisterPackage(self, request: Any, context: Any) -> Any:
        return self.mock.RegisterPackage(request)  # type: ignore[no-untyped-call]

    def SignalAndWaitForShutdown(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.logs: list[tuple[int, str]] = []

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.SetRootResourceResponse()


@dataclass
class Refused(Exception):
    """What the engine is told: the status, its message, and each property's error."""

    code: grpc.StatusCode
    message: str
    properties: list[tuple[str, str]] = field(default_factory=list)


class _Context:
    """The servicer's side of the call: an abort ends it with :class:`Refused`."""

    async def abort_with_status(self, status: Any) -> None:
        properties: list[tuple[str, str]] = []
        for key, value in status.trailing_metadata or ():
            if key == "grpc-status-details-bin":
                details = status_pb2.Status.FromString(value)
                for packed in details.details:
                    errors = errors_pb2.InputPropertiesError()
                    packed.Unpack(errors)
                    properties += [(e.property_path, e.reason) for e in errors.errors]
        raise Refused(status.code, status.details, properties)

    async def abort(self, code: grpc.StatusCode, details: str) -> None:
        raise Refused(code, details)


@dataclass
class Constructed:
    """The component's outputs as the engine gets them (secrets as secret objects)."""

    state: dict[str, Any]

    def secret(self, output: str) -> bool:
        value = self.state.get(output)
        return (
            isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig
        )


class Constructor:
    """One engine stand-in, for ``Construct`` requests of the component."""

    def __init__(self, aws: MockedAws, monitor: _Monitor, engine: _Engine, address: str) -> None:
        self.aws = aws
        self.monitor = monitor
        self.engine = engine
        self.address = address

    def construct(
        self,
        inputs: dict[str, Any],
        *,
        preview: bool = False,
        dependencies: dict[str, list[str]] | None = None,
    ) -> Constructed:
        """``Construct`` of ``rockset`` with ``inputs`` (wire values: output values and
        secrets as the engine sends them); raises :class:`Refused` as the engine would be."""
        struct = struct_pb2.Struct()
        struct.update(inputs)
        request = provider_pb2.ConstructRequest(
            project="p",
            stack="dev",
            type=COMPONENT_TOKEN,
            name="rockset",
            inputs=struct,
            dryRun=preview,
            monitorEndpoint=self.address,
            config={"aws:region": "eu-central-1"},
            inputDependencies={
                key: provider_pb2.ConstructRequest.PropertyDependencies(urns=urns)
                for key, urns in (dependencies or {}).items()
            },
        )
        servicer = _ComponentServicer(RocksetComponents(), [], self.address)
        response = asyncio.run(servicer.Construct(request, _Context()))
        return Constructed(json_format.MessageToDict(response.state))

    def registration(self, name: str) -> Any:
        """The last ``RegisterResourceRequest`` of the child ``name`` (``rockset-allowlist``)."""
        return [r for r in self.monitor.registrations if r.name == name][-1]


@contextmanager
def constructor(**aws_options: Any) -> Iterator[Constructor]:
    """A stand-in engine over a fresh AWS double (``program``'s options)."""
    with program(**aws_options) as aws:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        monitor = _Monitor(_WithPluginChecks(aws))
        engine = _Engine()
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(monitor, server)
        engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        try:
            yield Constructor(aws, monitor, engine, f"127.0.0.1:{port}")
        finally:
            server.stop(grace=None)
