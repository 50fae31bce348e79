"""The example project on the real Pulumi engine, offline.

Pieces, all on loopback:

- a moto server (a subprocess) standing in for AWS's EC2, IAM, Lambda and CloudWatch Logs APIs,
  seeded with a VPC and subnets, and beside it the Lambda Invoke server
  (:mod:`devtools.lambda_invoke`), which runs a function's uploaded zip inside the offline VPC
  (:mod:`devtools.vpc`), for ``probe: vpc``;
- the moto-backed ``pulumi-resource-aws`` plugin (``devtools/bin``), found on PATH as an ambient
  plugin, with automatic plugin download off;
- the Python language host ``pulumi-language-python`` (``devtools/bin-lang``), which runs the
  program with the Python of the project's ``virtualenv`` runtime option;
- the Rockset API emulator (the caller starts it and passes its URLs and CA bundle);
- the Pulumi CLI built by ``tools/pulumi/build.sh``, with a local file backend and the
  passphrase secrets provider.

The program is a project directory (a copy of the example, or one a test writes), set up with
the commands a user types (:mod:`devtools.pulumi_cli`): the engine, the state, secrets
encryption, the config schema, preview and the dynamic-provider host are all the real ones.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import yaml
from pulumi import automation as auto

from devtools.aws_double import Network, seed_network
from devtools.aws_double.lambda_functions import LAMBDA_CODE_DIR_ENV
from devtools.lambda_invoke import LambdaInvokeServer
from devtools.net import free_port
from devtools.projects import PROJECT, REPO, copy_example
from devtools.pulumi_cli import PulumiCli
from devtools.vpc import vpc_hosts
from rockset_pulumi.api import RocksetApi

__all__ = [
    "PROJECT",
    "REPO",
    "LocalAws",
    "LocalStack",
    "cli_env",
    "engine_env",
    "live_config",
    "local_aws",
    "local_stack_file",
    "open_stack",
    "pulumi_cli",
    "with_rockset_plugin",
]

PULUMI_ROOT = REPO / ".tools" / "pulumi"
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
    lambda_server: LambdaInvokeServer
    """Lambda's Invoke call for the functions in moto (``AWS_ENDPOINT_URL_LAMBDA``)."""

    def client(self, service: str) -> Any:
        """A boto3 client of moto's ``service`` (never the Lambda Invoke server)."""
        return boto3.client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's documented dummy credentials
        )

    def ec2(self) -> Any:
        return self.client("ec2")

    def live_endpoints(self) -> list[dict[str, Any]]:
        """The VPC endpoints moto holds, without the deleted ones it still lists."""
        found: list[dict[str, Any]] = self.ec2().describe_vpc_endpoints()["VpcEndpoints"]
        return [e for e in found if e["State"] != "deleted"]


@contextmanager
def local_aws(
    workdir: Path, *, region: str = "eu-central-1", azs: list[str] | None = None
) -> Iterator[LocalAws]:
    """Start a moto server and the Lambda Invoke server beside it, wait until moto answers, seed
    a network; stop both afterwards."""
    port = free_port()
    log = (workdir / "moto.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        # AWS's managed policies exist in AWS: the probe function's role attaches one.
        env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
    )
    url = f"http://127.0.0.1:{port}"
    lambdas = LambdaInvokeServer(
        aws_endpoint_url=url,
        code_dir=workdir / "lambda-code",
        vpc_hosts=vpc_hosts(),
        log_dir=workdir / "lambda-logs",
    ).start()
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
        aws = LocalAws(url, region, Network("", {}), process, lambdas)
        aws.network = seed_network(aws.ec2(), azs=azs)
        yield aws
    finally:
        lambdas.stop()
        process.terminate()
        process.wait(timeout=10)
        log.close()


def local_stack_file() -> dict[str, Any]:
    """Pulumi.local.yaml's settings, keyed as ``pulumi config`` names them without the project."""
    settings = yaml.safe_load((REPO / "Pulumi.local.yaml").read_text(encoding="utf-8"))["config"]
    return {key.removeprefix(f"{PROJECT}:"): value for key, value in settings.items()}


def live_config(aws: LocalAws, rockset: RocksetApi, **overrides: Any) -> dict[str, Any]:
    """What only exists once the stand-ins run, for ``pulumi config set`` on top of
    Pulumi.local.yaml (plus ``overrides``)."""
    return {
        "vpcId": aws.network.vpc_id,
        "subnetIds": list(aws.network.subnet_ids_by_az.values()),
        "apiKey": rockset.api_key,
        "publicUrl": rockset.public_url,
        "privatelinkUrl": rockset.privatelink_url,
        "caBundle": rockset.ca_bundle,
        **overrides,
    }


@dataclass
class LocalStack:
    """One stack of a project directory on the real engine; its state and ``PULUMI_HOME`` are
    in ``workdir``. Operations go through the Automation API on the project directory (the same
    CLI, language host and plugins as a shell), which parses their results."""

    stack: auto.Stack
    workdir: Path
    shell: PulumiCli
    output: list[str] = field(default_factory=list)

    @property
    def project(self) -> Path:
        return self.shell.project

    def set_config(self, config: Mapping[str, Any]) -> None:
        """``pulumi config set`` as a user would (see :func:`config_commands`)."""
        self.shell.set_config(config)

    def preview(self) -> auto.PreviewResult:
        return self.stack.preview(diff=True, on_output=self.output.append, color="never")

    def up(self) -> auto.UpResult:
        return self.stack.up(diff=True, on_output=self.output.append, color="never")

    def refresh(self) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self.output.append, color="never")

    def destroy(self) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self.output.append, color="never")

    def export(self) -> str:
        """``pulumi stack export``: the state as it is stored, secrets encrypted."""
        return self.shell.run("stack", "export").stdout

    def deployment(self) -> dict[str, Any]:
        """The state with secrets encrypted, parsed."""
        exported: dict[str, Any] = json.loads(self.export())
        return dict(exported["deployment"])

    def providers(self, package: str) -> list[str]:
        """The names of the ``package`` providers in the state, sorted (``default_7_48_0``: the
        engine runs one default provider per version asked for)."""
        return sorted(
            resource["urn"].rsplit("::", 1)[-1]
            for resource in self.deployment()["resources"]
            if resource["type"] == f"pulumi:providers:{package}"
        )


def cli_env() -> dict[str, str]:
    """Environment for the CLI: offline, with this repository's language host and AWS plugin on
    PATH. The program's Python is the project's ``virtualenv``, found by the language host and
    the dynamic-provider host from ``Pulumi.yaml``'s runtime options."""
    path = os.pathsep.join(
        [
            str(PULUMI_ROOT / "bin"),
            str(REPO / "devtools" / "bin-lang"),
            str(REPO / "devtools" / "bin"),
            os.environ.get("PATH", ""),
        ]
    )
    env = {
        **os.environ,
        "PATH": path,
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    # An inherited PULUMI_PYTHON_CMD must not be what makes the dynamic-provider host work.
    env.pop("PULUMI_PYTHON_CMD", None)
    return env


def with_rockset_plugin(env: Mapping[str, str], workdir: Path) -> dict[str, str]:
    """``env`` with the ``rockset`` plugin on PATH as ``pipx install rockset-pulumi`` puts it:
    a directory holding only the console script ``pulumi-resource-rockset`` (which runs with its
    own virtualenv's Python), so no Python of that virtualenv is on PATH."""
    script = Path(sys.prefix) / "bin" / "pulumi-resource-rockset"
    if not script.is_file():
        raise RuntimeError(f"{script} is missing: reinstall the package (`make venv`).")
    bin_dir = workdir / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / script.name
    if not link.exists():
        link.symlink_to(script)
    return {**env, "PATH": os.pathsep.join([str(bin_dir), env.get("PATH", "")])}


def engine_env(aws: LocalAws, *, registered_accounts: str | None = None) -> dict[str, str]:
    """:func:`cli_env` with the AWS plugin pointed at the local AWS, and boto3's Lambda calls
    (the probe function's invocations, from the dynamic providers) at the Lambda Invoke server."""
    env = {
        **cli_env(),
        "AWS_DOUBLE_PYTHON": sys.executable,
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ENDPOINT_URL_LAMBDA": aws.lambda_server.url,
        LAMBDA_CODE_DIR_ENV: str(aws.lambda_server.code_dir),
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
    project: Path | None = None,
) -> LocalStack:
    """``pulumi login file://<workdir>/state``, ``pulumi stack init <name>`` and ``pulumi config
    set`` for ``config``, in ``project`` (default: a copy of the example in ``workdir``)."""
    cli = pulumi_cli()
    if cli is None:
        raise RuntimeError("The Pulumi CLI is not built: run `make pulumi-cli` (needs Go).")
    project = project or copy_example(workdir / "project")
    state = workdir / "state"
    home = workdir / "home"
    state.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    env = {**env, "PULUMI_HOME": str(home)}
    shell = PulumiCli(cli, project, env)
    shell.run("login", f"file://{state}")
    shell.run("stack", "init", name)
    shell.set_config(config)
    stack = auto.select_stack(
        stack_name=name,
        work_dir=str(project),
        opts=auto.LocalWorkspaceOptions(
            pulumi_home=str(home),
            env_vars=env,
            pulumi_command=auto.PulumiCommand(root=str(PULUMI_ROOT), skip_version_check=True),
        ),
    )
    return LocalStack(stack, workdir, shell)
