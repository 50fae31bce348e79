"""The release artifacts (``make dist``), in ``dist/``:

- the wheel, ``rockset_pulumi-<version>-py3-none-any.whl``;
- the ``rockset`` plugin archive, ``pulumi-resource-rockset-v<version>-<os>-<arch>.tar.gz``, that
  ``pulumi plugin install resource rockset <version> --file <archive>`` accepts: at its root the
  launcher (``rockset_pulumi/plugin/launcher.py`` as ``pulumi-resource-rockset``), the wheel and
  ``constraints.txt`` (the versions of the wheel's dependencies installed here, which the
  launcher pins when it makes the plugin's own virtualenv on first start). The archive holds no
  compiled code, so it is the same bytes under each platform's name (the names the engine asks a
  ``pluginDownloadURL`` for).

No ``PulumiPlugin.yaml`` in the archive: with one, ``pulumi plugin install`` would install the
plugin's dependencies through a Python language host; the launcher does it instead, with nothing
but ``python3``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from devtools.projects import REPO
from rockset_pulumi.plugin import launcher

__all__ = ["DIST_DIR", "PLATFORMS", "archive_name", "build_wheel", "constraints", "main"]

DIST_DIR = REPO / "dist"
DISTRIBUTION = "rockset-pulumi"
PLATFORMS = ("linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64")
"""Where the launcher runs: POSIX systems with Python (it uses ``fcntl``), so not Windows."""
_LAUNCHER = Path(launcher.__file__)


def archive_name(release: str, platform: str) -> str:
    """The file name the engine asks a plugin download URL for."""
    return f"pulumi-resource-rockset-v{release}-{platform}.tar.gz"


def build_wheel(out: Path) -> Path:
    """Build the wheel from the checkout into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", scratch, REPO],
            check=True,
            timeout=600,
        )
        [built] = Path(scratch).glob("*.whl")
        target = out / built.name
        built.replace(target)
    return target


def constraints(root: str = DISTRIBUTION) -> list[str]:
    """``name==version`` of every installed distribution ``root`` needs at run time (its
    requirements without extras, transitively), sorted by name."""
    pinned: dict[str, str] = {}
    pending = [root]
    while pending:
        name = pending.pop()
        for text in distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            key = canonicalize_name(requirement.name)
            if key in pinned:
                continue
            try:
                pinned[key] = version(requirement.name)
            except PackageNotFoundError:
                continue  # needed only where its marker holds, elsewhere than here
            pending.append(requirement.name)
    return [f"{name}=={pinned[name]}" for name in sorted(pinned)]


def _tar_gz(members: Iterable[tuple[str, bytes, int]]) -> bytes:
    """A gzipped tar of ``(name, content, mode)`` at its root, the same bytes for the same
    members (no times, owners or host names)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content, mode in members:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), mode, 0
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def plugin_archive(wheel: Path, pins: Sequence[str]) -> bytes:
    """The plugin archive's bytes."""
    return _tar_gz(
        [
            (launcher.PLUGIN, _LAUNCHER.read_bytes(), 0o755),
            (wheel.name, wheel.read_bytes(), 0o644),
            (launcher.CONSTRAINTS, "".join(f"{pin}\n" for pin in pins).encode(), 0o644),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.dist", description=__doc__)
    parser.add_argument("--out", type=Path, default=DIST_DIR, help="where to write (dist/)")
    options = parser.parse_args(argv)
    release = version(DISTRIBUTION)
    wheel = build_wheel(options.out)
    if not re.search(rf"-{re.escape(release)}-", wheel.name):
        raise SystemExit(
            f"{wheel.name} is not version {release}: reinstall the project (make venv)"
        )
    archive = plugin_archive(wheel, constraints())
    for platform in PLATFORMS:
        (options.out / archive_name(release, platform)).write_bytes(archive)
    print(f"{wheel}\n{options.out / archive_name(release, '<os>-<arch>')} ({len(archive)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
