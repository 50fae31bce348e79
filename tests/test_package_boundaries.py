"""What each installed package pulls in: the product never loads the emulator or test doubles.

Each check runs in a fresh interpreter, because this test session has long since imported the
emulator for other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import rockset_pulumi
from rockset_pulumi import errors
from tests.support.emulator import REPO_ROOT

# Top-level packages a program using rockset_pulumi must not load: the emulator, its TLS
# dependency, and the test doubles and tests of this repository.
NOT_IN_THE_PRODUCT = ("rockset_emulator", "trustme", "devtools", "tests", "moto")

IMPORT_EVERY_PRODUCT_MODULE = """
import importlib, json, pkgutil, sys
import rockset_pulumi
for module in pkgutil.walk_packages(rockset_pulumi.__path__, "rockset_pulumi."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def run_python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run this interpreter in ``cwd``, seeing only what is installed and what ``cwd`` holds."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_rockset_pulumi_loads_no_emulator_and_no_test_double() -> None:
    # From the repository root, so that the test doubles would be importable if anything asked.
    result = run_python("-c", IMPORT_EVERY_PRODUCT_MODULE, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert "rockset_pulumi.component" in loaded
    offending = [name for name in loaded if name.split(".")[0] in NOT_IN_THE_PRODUCT]
    assert offending == []


PREVIEW_THEN_CLIENT = """
import json, sys
import rockset_pulumi, rockset_pulumi.plugin.provider, rockset_pulumi.providers
from rockset_pulumi.api import RocksetApi
before = sorted(sys.modules)
RocksetApi("https://a.example", "https://b.example", "key").client("https://a.example", deadline=1)
print(json.dumps([before, sorted(sys.modules)]))
"""


def test_what_a_preview_loads_has_no_http_client_until_a_check_makes_one() -> None:
    # The plugin's Construct, a program's component and the dynamic providers' module load on
    # every preview, which never calls Rockset: httpx (a tenth of a second) waits for a client.
    result = run_python("-c", PREVIEW_THEN_CLIENT, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    before, after = json.loads(result.stdout)
    assert "rockset_pulumi.component" in before
    assert [name for name in before if name.split(".")[0] in ("httpx", "httpcore")] == []
    assert "httpx" in after


def test_the_emulator_is_installed_as_its_own_package(tmp_path: Path) -> None:
    # Outside the repository only the installed distribution can provide it.
    result = run_python("-m", "rockset_emulator", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m rockset_emulator")


def test_every_error_the_package_raises_is_exported_from_it() -> None:
    # A caller catches what it can import from the package itself, not from a private module.
    raised = [
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type) and issubclass(getattr(errors, name), Exception)
    ]
    assert "ConfigurationError" in raised
    missing = [name for name in raised if name not in rockset_pulumi.__all__]
    assert missing == []
    assert rockset_pulumi.ProbeFunctionError is errors.ProbeFunctionError
