"""A local emulator of the Rockset REST API parts rockset-pulumi uses, served over HTTPS.

Run it with ``python -m rockset_emulator --api-key KEY`` or in-process with
``Emulator(EmulatorConfig(api_keys=("KEY",))).start()``.

Faults are injected at random (``FaultConfig``'s rates, ``--reset-rate`` and the like) or on the
N-th allowlist write exactly (``WriteFault``, ``--drop-write N`` and ``--lose-write-answer N``):
dropped before the write takes effect, or applied with the answer lost. ``Emulator.writes`` and
the request log's ``write`` field count the allowlist writes so far.
"""

from __future__ import annotations

from rockset_emulator.faults import FaultConfig, WriteFault
from rockset_emulator.server import Emulator, EmulatorConfig

__all__ = ["Emulator", "EmulatorConfig", "FaultConfig", "WriteFault"]
