"""The program, served by the project's own Python (the ``virtualenv`` runtime option).

``python program_server.py DIRECTORY ENTRY_POINT`` serves the program through the SDK's
:class:`pulumi.automation._server.LanguageServer` on a loopback port, printed as the first line
of stdout; the language host (``language_host.py``) forwards the engine's ``Run`` to it.

Run by path, not as ``devtools.program_server``: the project's virtualenv has ``pulumi`` (every
Pulumi Python program needs it) but not this repository's ``devtools``.
"""

from __future__ import annotations

import runpy
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
from pulumi.automation._server import LanguageServer
from pulumi.errors import RunError
from pulumi.runtime.proto import language_pb2_grpc

__all__ = ["serve"]


def serve(directory: str, entry_point: str) -> None:
    target = Path(directory, entry_point)
    # As `python __main__.py` would: the program imports its sibling modules.
    sys.path.insert(0, directory)

    def program() -> None:
        try:
            runpy.run_path(str(target), run_name="__main__")
        except RunError:
            raise  # its message is the whole story (a missing config key, say)
        except Exception as exc:
            # The SDK would call this an "inline source runtime error": it is not inline.
            raise RunError(
                f"Program failed with an unhandled exception:\n{traceback.format_exc()}"
            ) from exc

    server = grpc.server(ThreadPoolExecutor(max_workers=4))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageServer(program), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    serve(*sys.argv[1:3])
