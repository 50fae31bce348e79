"""The example program on the real Pulumi engine, offline.

Pieces, all on loopback:

- a moto server (a subprocess) standing in for AWS's EC2 API, seeded with a VPC and subnets;
- the moto-backed ``pulumi-resource-aws`` plugin (``devtools/bin``), found on PATH as an ambient
  plugin, with automatic plugin download off;
- the Rockset API emulator (the caller starts it and passes its URLs and CA bundle);
- the Pulumi CLI built by ``tools/pulumi/build.sh``, driven through the Automation API with a local
  file backend and the passphrase secrets provider.

The program is ``__main__.py`` itself, run as an inline program: the engine, the state, secrets
encryption, preview and the dynamic-provider host are all the real ones.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import yaml
from pulumi import automation as auto

from devtools.aws_double import Network, seed_network
from devtools.net import free_port
from rockset_pulumi.api import RocksetApi

REPO = Path(__file__).resolve().parents[1]
PULUMI_ROOT = REPO / ".tools" / "pulumi"
PROJECT = "rockset-privatelink"
# Encrypts the throwaway local stack's secrets; a real stack uses its own passphrase or KMS.
PASSPHRASE = "rockset-pulumi-local"  # noqa: S105
MOTO_STARTUP = 30.0


def pulumi_cli() -> Path | None:
    """The built CLI, or None when ``make pulumi-cli`` has not run (or Go is missing)."""
    cli = PULUMI_ROOT / "bin" / "pulumi"
    return cli if cli.is_file() else None


@dataclass
class LocalAws:
    """A moto server seeded with one VPC, as the AWS the engine deploys to."""

    endpoint_url: str
    region: str
    network: Network
    process: subprocess.Popen[bytes]

    def ec2(self) -> Any:
        return boto3.client(
            "ec2",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's documented dummy credentials
        )


@contextmanager
def local_aws(
    workdir: Path, *, region: str = "eu-central-1", azs: list[str] | None = None
) -> Iterator[LocalAws]:
    """Start a moto server, wait until it answers, seed a network; stop it afterwards."""
    port = free_port()
    log = (workdir / "moto.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        give_up = time.monotonic() + MOTO_STARTUP
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1.0)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > give_up:
                    raise RuntimeError(f"moto server did not start: see {log.name}") from None
                time.sleep(0.05)
        aws = LocalAws(url, region, Network("", {}), process)
        aws.network = seed_network(aws.ec2(), azs=azs)
        yield aws
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def local_stack_file() -> dict[str, Any]:
    """Pulumi.local.yaml's settings, keyed as ``pulumi config`` names them without the project."""
    settings = yaml.safe_load((REPO / "Pulumi.local.yaml").read_text(encoding="utf-8"))["config"]
    return {key.removeprefix(f"{PROJECT}:"): value for key, value in settings.items()}


def stack_config(aws: LocalAws, rockset: RocksetApi, **overrides: Any) -> dict[str, Any]:
    """The ``local`` stack's configuration: Pulumi.local.yaml plus the live values."""
    config: dict[str, Any] = {
        **local_stack_file(),
        "aws:region": aws.region,
        "vpcId": aws.network.vpc_id,
        "subnetIds": list(aws.network.subnet_ids_by_az.values()),
        "apiKey": rockset.api_key,
        "publicUrl": rockset.public_url,
        "privatelinkUrl": rockset.privatelink_url,
        "caBundle": rockset.ca_bundle,
    }
    config.update(overrides)
    return config


def _config_value(key: str, value: Any) -> auto.ConfigValue:
    # Lists and maps travel as JSON, which Config.get_object reads back.
    text = value if isinstance(value, str) else json.dumps(value)
    return auto.ConfigValue(value=text, secret=key == "apiKey")


def _run_example() -> None:
    runpy.run_path(str(REPO / "__main__.py"), run_name="__main__")


@dataclass
class LocalStack:
    """One stack of the example program on the real engine, in ``workdir``."""

    stack: auto.Stack
    workdir: Path
    output: list[str] = field(default_factory=list)

    def _echo(self, echo: Callable[[str], None] | None) -> Callable[[str], None]:
        def collect(line: str) -> None:
            self.output.append(line)
            if echo is not None:
                echo(line)

        return collect

    def set_config(self, config: Mapping[str, Any]) -> None:
        self.stack.set_all_config({k: _config_value(k, v) for k, v in config.items()})

    def preview(self, echo: Callable[[str], None] | None = None) -> auto.PreviewResult:
        return self.stack.preview(diff=True, on_output=self._echo(echo), color="never")

    def up(self, echo: Callable[[str], None] | None = None) -> auto.UpResult:
        return self.stack.up(diff=True, on_output=self._echo(echo), color="never")

    def refresh(self, echo: Callable[[str], None] | None = None) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._echo(echo), color="never")

    def destroy(self, echo: Callable[[str], None] | None = None) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._echo(echo), color="never")

    def cli(self, *args: str) -> str:
        """Run ``pulumi <args>`` on this stack's workspace; returns stdout."""
        workspace = self.stack.workspace
        env = {"PULUMI_HOME": workspace.pulumi_home or "", **workspace.env_vars}
        result = workspace.pulumi_command.run(
            [*args, "--stack", self.stack.name], workspace.work_dir, env
        )
        return result.stdout

    def export(self) -> str:
        """``pulumi stack export``: the state as it is stored, secrets encrypted."""
        return self.cli("stack", "export")

    def deployment(self) -> dict[str, Any]:
        """The state with secrets encrypted, parsed."""
        exported: dict[str, Any] = json.loads(self.export())
        return dict(exported["deployment"])


def engine_env(aws: LocalAws, *, registered_accounts: str | None = None) -> dict[str, str]:
    """Environment for the CLI and its plugins: offline, local AWS, this virtualenv."""
    path = os.pathsep.join(
        [str(PULUMI_ROOT / "bin"), str(REPO / "devtools" / "bin"), os.environ.get("PATH", "")]
    )
    env = {
        "PATH": path,
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # The dynamic-provider host must import this package from the same virtualenv.
        "PULUMI_PYTHON_CMD": sys.executable,
        "AWS_DOUBLE_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": aws.region,
    }
    if registered_accounts is not None:
        env["AWS_DOUBLE_REGISTERED_ACCOUNTS"] = registered_accounts
    return env


def open_stack(
    workdir: Path,
    env: Mapping[str, str],
    config: Mapping[str, Any],
    *,
    name: str = "local",
    program: Callable[[], None] | None = None,
) -> LocalStack:
    """Create (or select) stack ``name`` of ``program`` (default: the example program), backed by
    files in ``workdir``."""
    cli = pulumi_cli()
    if cli is None:
        raise RuntimeError("The Pulumi CLI is not built: run `make pulumi-cli` (needs Go).")
    state = workdir / "state"
    home = workdir / "home"
    state.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    settings = auto.ProjectSettings(
        name=PROJECT,
        runtime="python",
        backend=auto.ProjectBackend(url=f"file://{state}"),
    )
    stack = auto.create_or_select_stack(
        stack_name=name,
        project_name=PROJECT,
        program=program or _run_example,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(workdir),
            pulumi_home=str(home),
            project_settings=settings,
            secrets_provider="passphrase",
            env_vars=dict(env),
            pulumi_command=auto.PulumiCommand(root=str(PULUMI_ROOT), skip_version_check=True),
        ),
    )
    local = LocalStack(stack, workdir)
    local.set_config(config)
    return local
