"""The committed TypeScript and Go SDKs are what ``tools/sdkgen`` makes of ``schema.json``, under
the names the schema gives them, and ``make sdks`` leaves nothing stale behind."""

from __future__ import annotations

import json
import posixpath
import shutil
from pathlib import Path

import pytest

from devtools.schema import GO_IMPORT_BASE_PATH, NPM_PACKAGE, SCHEMA_FILE
from devtools.sdks import SDK_DIR, drift, generate, sdk_files
from tests.support.engine_gate import require_sdkgen

require_sdkgen()

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdk")
    generate(out)
    return out


def test_committed_sdks_are_what_the_generator_makes(generated: Path) -> None:
    assert drift(generated, SDK_DIR) == [], "sdk/ is out of date with schema.json: run `make sdks`"


def test_drift_names_a_changed_a_missing_and_an_extra_file(generated: Path, tmp_path: Path) -> None:
    copy = tmp_path / "sdk"
    shutil.copytree(generated, copy)
    (copy / "nodejs" / "index.ts").write_text("// edited by hand\n", encoding="utf-8")
    (copy / "go" / "rockset" / "init.go").unlink()
    (copy / "nodejs" / "extra.ts").write_text("", encoding="utf-8")
    assert drift(generated, copy) == [
        "go/rockset/init.go: missing",
        "nodejs/extra.ts: not generated",
        "nodejs/index.ts: differs",
    ]


def test_packages_carry_the_schema_names_and_ask_for_the_plugin_at_its_version_and_url(
    generated: Path,
) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    version, server = schema["version"], schema["pluginDownloadURL"]
    package = json.loads((generated / "nodejs" / "package.json").read_bytes())
    assert package["name"] == NPM_PACKAGE
    assert package["pulumi"] == {
        "resource": True,
        "name": "rockset",
        "version": version,
        "server": server,
    }
    go_mod = (generated / "go" / "go.mod").read_text(encoding="utf-8")
    assert go_mod.splitlines()[0] == f"module {posixpath.dirname(GO_IMPORT_BASE_PATH)}"
    plugin = json.loads((generated / "go" / "rockset" / "pulumi-plugin.json").read_bytes())
    assert plugin == {"resource": True, "name": "rockset", "version": version, "server": server}


def test_regenerating_removes_stale_files_and_keeps_build_outputs(
    generated: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sdk"
    shutil.copytree(generated, out)
    stale = [out / "nodejs" / "gone.ts", out / "go" / "rockset" / "old" / "gone.go"]
    built = [out / "nodejs" / "node_modules" / "x" / "index.js", out / "nodejs" / "bin" / "a.js"]
    for path in stale + built:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    generate(out)
    assert [p for p in stale if p.exists()] == []
    assert not (out / "go" / "rockset" / "old").exists()
    assert all(p.is_file() for p in built)
    assert sdk_files(out) == sdk_files(generated)
