"""A local emulator of the Rockset REST API parts rockset-pulumi uses, served over HTTPS.

Run it with ``python -m rockset_emulator --api-key KEY`` or in-process with
``Emulator(EmulatorConfig(api_keys=("KEY",))).start()``.
"""

from __future__ import annotations

from rockset_emulator.server import Emulator, EmulatorConfig, FaultConfig

__all__ = ["Emulator", "EmulatorConfig", "FaultConfig"]
