"""The plugin's console script, ``pulumi-resource-rockset``, started as the engine starts it, and
a stub to drive its custom resources over gRPC."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import IO

import grpc
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc

__all__ = ["PLUGIN", "Plugin"]

PLUGIN = Path(sys.prefix) / "bin" / "pulumi-resource-rockset"


class Plugin:
    """The console script, started as the engine starts it, and a stub to drive it. Its engine
    address answers nothing, so what the plugin tells the user goes to its stderr (``stderr``,
    by default ours)."""

    def __init__(self, stderr: IO[str] | None = None) -> None:
        self.process = subprocess.Popen(
            [str(PLUGIN), "127.0.0.1:1"],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            stderr=stderr,
        )
        assert self.process.stdout is not None
        port = int(self.process.stdout.readline())  # the engine's handshake
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.stub.Configure(proto.ConfigureRequest(acceptSecrets=True))

    def close(self) -> None:
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=10)
