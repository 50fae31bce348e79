"""The TypeScript and Go SDKs (``sdk/nodejs``, ``sdk/go``), generated from ``schema.json``.

The generator is ``tools/sdkgen`` (Pulumi's own ``codegen/nodejs`` and ``codegen/go``, built from
Go modules into ``.tools/sdkgen/bin`` by ``tools/sdkgen/build.sh``). The SDKs are committed, as
Pulumi packages do, under the names the schema's ``language`` section gives
(:mod:`devtools.schema`).

``python -m devtools.sdks`` rewrites them (``make sdks``; ``make docs`` too, after the schema);
``--check`` changes nothing and exits 1 naming the files that differ (``tests/test_sdks.py``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from devtools.projects import REPO
from devtools.schema import SCHEMA_FILE

__all__ = ["LANGUAGES", "SDK_DIR", "drift", "generate", "sdk_files", "sdkgen"]

SDK_DIR = REPO / "sdk"
LANGUAGES = ("go", "nodejs")
_SDKGEN = REPO / ".tools" / "sdkgen" / "bin" / "sdkgen"
_BUILD = "bash tools/sdkgen/build.sh"


def sdkgen() -> Path | None:
    """The built generator, or None when ``tools/sdkgen/build.sh`` has not run (or Go is
    missing)."""
    return _SDKGEN if _SDKGEN.is_file() else None


def generate(out: Path) -> None:
    """Write the SDKs of the committed ``schema.json`` into ``out/nodejs`` and ``out/go``."""
    tool = sdkgen()
    if tool is None:
        raise FileNotFoundError(f"{_SDKGEN} is not built: run `{_BUILD}` (it needs Go)")
    subprocess.run(
        [str(tool), "-schema", str(SCHEMA_FILE), "-out", str(out)],
        check=True,
        timeout=120,
    )


def sdk_files(root: Path) -> dict[str, bytes]:
    """The SDKs' files under ``root`` by relative path, less the build outputs that an SDK's
    ``.gitignore`` names (``node_modules/``, ``bin/``)."""
    found: dict[str, bytes] = {}
    for language in LANGUAGES:
        base = root / language
        ignore = base / ".gitignore"
        ignored = (
            {line.strip().strip("/") for line in ignore.read_text(encoding="utf-8").splitlines()}
            if ignore.is_file()
            else set()
        )
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(base)
            if path.is_file() and relative.parts[0] not in ignored:
                found[f"{language}/{relative.as_posix()}"] = path.read_bytes()
    return found


def drift(generated: Path, committed: Path) -> list[str]:
    """The files that differ between two SDK trees, each with how."""
    new, old = sdk_files(generated), sdk_files(committed)

    def how(name: str) -> str:
        return "missing" if name not in old else "not generated" if name not in new else "differs"

    return [
        f"{name}: {how(name)}"
        for name in sorted(new.keys() | old.keys())
        if new.get(name) != old.get(name)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.sdks", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 naming the files out of date"
    )
    options = parser.parse_args(argv)
    if not options.check:
        generate(SDK_DIR)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        generate(Path(scratch))
        stale = drift(Path(scratch), SDK_DIR)
    for line in stale:
        print(line)
    if stale:
        print("sdk/ is out of date with schema.json: run `make sdks`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
