"""Drive Pulumi's real dynamic-provider host (``python -m pulumi.dynamic``) over gRPC.

The engine starts that host for every dynamic resource; this plays the engine's part: providers
are serialized exactly as ``pulumi.dynamic.Resource`` does, properties travel as protobuf structs,
and secrets are stripped before they are sent (the host answers ``acceptSecrets: false``).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(props, {}))


def _plain(struct: struct_pb2.Struct) -> dict[str, Any]:
    props = rpc.deserialize_properties(struct)
    return {k: v for k, v in props.items() if k != PROVIDER_KEY}


@dataclass
class DynamicHost:
    stub: Any
    provider: str
    type_token: str

    def urn(self, name: str) -> str:
        return f"urn:pulumi:test::rockset::{self.type_token}::{name}"

    def _with_provider(self, props: dict[str, Any]) -> struct_pb2.Struct:
        return _struct({**props, PROVIDER_KEY: self.provider})

    def check(self, name: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Check(
            provider_pb2.CheckRequest(
                urn=self.urn(name), olds=self._with_provider(olds), news=self._with_provider(news)
            )
        )

    def checked(self, name: str, news: dict[str, Any]) -> dict[str, Any]:
        response = self.check(name, {}, news)
        assert not response.failures, response.failures
        return _plain(response.inputs)

    def diff(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Diff(
            provider_pb2.DiffRequest(
                id=id_,
                urn=self.urn(name),
                olds=self._with_provider(olds),
                news=self._with_provider(news),
            )
        )

    def create(self, name: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self.stub.Create(
            provider_pb2.CreateRequest(urn=self.urn(name), properties=self._with_provider(props))
        )
        return response.id, _plain(response.properties)

    def read(self, name: str, id_: str, props: dict[str, Any]) -> dict[str, Any]:
        response = self.stub.Read(
            provider_pb2.ReadRequest(
                id=id_, urn=self.urn(name), properties=self._with_provider(props)
            )
        )
        return _plain(response.properties)

    def update(
        self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        response = self.stub.Update(
            provider_pb2.UpdateRequest(
                id=id_,
                urn=self.urn(name),
                olds=self._with_provider(olds),
                news=self._with_provider(news),
            )
        )
        return _plain(response.properties)

    def delete(self, name: str, id_: str, props: dict[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(
                id=id_, urn=self.urn(name), properties=self._with_provider(props)
            )
        )


@contextmanager
def dynamic_host(
    provider: ResourceProvider, type_token: str, stderr: IO[str] | None = None
) -> Iterator[DynamicHost]:
    """Start the SDK's provider host, configure it as the engine does, and yield a driver.
    ``stderr`` (what the engine shows the user) goes to the given file, by default to ours."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            configured = stub.Configure(provider_pb2.ConfigureRequest(args=_struct({})))
            assert configured.acceptSecrets is False
            yield DynamicHost(stub, serialize_provider(provider), type_token)
    finally:
        process.terminate()
        process.wait(timeout=10)
