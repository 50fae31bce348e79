"""Facts about Rockset's IP allowlist entries that the package relies on.

Rockset has no update call and entry names are unique, so a changed CIDR is first added under
``<name>-next``; the old entry goes only once its replacement is in place.
"""

from __future__ import annotations

__all__ = ["ROTATION_SUFFIX"]

ROTATION_SUFFIX = "-next"
"""Suffix of the staging entry that keeps an admin address allowed while its CIDR changes."""
