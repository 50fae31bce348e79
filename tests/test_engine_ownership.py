"""Allowlist ownership on the real engine: renames with and without an alias, and two stacks
sharing one Rockset organization. Each keeps the lockdown holding and destroy truthful."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.automation import CommandError, OpType

from devtools.engine import LocalStack, engine_env, local_aws, open_stack, pulumi_cli, stack_config
from rockset_pulumi import AuthenticationError, PrivateLink, PrivateLinkArgs
from tests.support.emulator import RunningEmulator, start_emulator

if pulumi_cli() is None:
    pytest.fail("The Pulumi CLI is not built: run `make pulumi-cli` (needs Go).")

pytestmark = pytest.mark.engine

OFFICE = {"office": "203.0.113.0/24"}
VPN = {"vpn": "198.51.100.7/32"}


def program(name: str, *, alias: str | None = None, wrapped: bool = False) -> Callable[[], None]:
    """The component under ``name`` with lockdown, configured like the example program;
    ``wrapped`` puts it under a parent component (its URN changes, its name does not)."""

    def run() -> None:
        config = pulumi.Config()
        aliases = [] if alias is None else [pulumi.Alias(name=alias)]
        parent = pulumi.ComponentResource("acme:net:Wrapper", "wrapper") if wrapped else None
        PrivateLink(
            name,
            PrivateLinkArgs(
                vpc_id=config.require("vpcId"),
                subnet_ids=config.require_object("subnetIds"),
                api_key=config.require_secret("apiKey"),
                admin_cidrs=config.require_object("adminCidrs"),
                lockdown=True,
                check_timeout=config.get_float("checkTimeout"),
                public_url=config.require("publicUrl"),
                privatelink_url=config.require("privatelinkUrl"),
                ca_bundle=config.require("caBundle"),
            ),
            opts=pulumi.ResourceOptions(aliases=aliases, parent=parent),
        )

    return run


def allowlist(emu: RunningEmulator) -> dict[str, str]:
    with emu.client("privatelink") as client:
        return {e.name: e.ip_address for e in client.list_ip_allowlist()}


def public_refuses_key(emu: RunningEmulator) -> bool:
    with emu.client("public") as client:
        try:
            client.current_user()
        except AuthenticationError:
            return True
    return False


@contextmanager
def stack_of(
    workdir: Path, emu: RunningEmulator, name: str, run: Callable[[], None], **config: Any
) -> Iterator[Callable[[Callable[[], None]], LocalStack]]:
    """A local AWS and stack ``name``; yields a function that opens it with a given program."""
    (workdir / name).mkdir()
    with local_aws(workdir / name) as aws:
        env = engine_env(aws)
        settings = stack_config(aws, emu.api, **config)

        def opened(program_: Callable[[], None]) -> LocalStack:
            return open_stack(workdir / name / "pulumi", env, settings, name=name, program=program_)

        opened(run)
        yield opened


def test_a_rename_without_an_alias_is_refused_and_lockdown_keeps_holding(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with stack_of(tmp_path, emu, "local", program("rockset")) as opened:
            opened(program("rockset")).up()
            with pytest.raises(CommandError) as err:
                opened(program("renamed")).up()
            message = str(err.value)
            assert "Cannot manage allowlist entry 'office'" in message
            assert (
                "urn:pulumi:local::rockset-privatelink::rockset:aws:PrivateLink::rockset" in message
            )
            assert "add an alias" in message
            # The old resource was never deleted: its entry, and the lockdown, are intact.
            assert allowlist(emu) == OFFICE
            assert public_refuses_key(emu)
            assert emu.api_key not in message
    finally:
        emu.stop()


def test_moving_under_a_parent_without_an_alias_is_refused(tmp_path: Path) -> None:
    # Same name, new URN: the new resource must not take the old one's entries, which the old
    # one's delete would then remove.
    emu = start_emulator(tmp_path / "emulator")
    try:
        with stack_of(tmp_path, emu, "local", program("rockset")) as opened:
            opened(program("rockset")).up()
            with pytest.raises(CommandError) as err:
                opened(program("rockset", wrapped=True)).up()
            assert "add an alias" in str(err.value)
            assert allowlist(emu) == OFFICE
            assert public_refuses_key(emu)
    finally:
        emu.stop()


def test_a_rename_with_an_alias_keeps_the_entries_in_place(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with stack_of(tmp_path, emu, "local", program("rockset")) as opened:
            opened(program("rockset")).up()
            writes_before = len([r for r in emu.requests() if r["method"] in ("POST", "DELETE")])
            renamed = opened(program("renamed", alias="rockset"))
            preview = renamed.preview()
            assert OpType.CREATE not in preview.change_summary
            assert OpType.DELETE not in preview.change_summary
            renamed.up()
            writes = [r for r in emu.requests() if r["method"] in ("POST", "DELETE")]
            assert len(writes) == writes_before
            assert allowlist(emu) == OFFICE
            assert public_refuses_key(emu)
            # The entries still carry the mark recorded at create: destroy finds and removes them.
            renamed.destroy()
            assert allowlist(emu) == {}
            assert not public_refuses_key(emu)
    finally:
        emu.stop()


def test_two_stacks_share_an_organization_without_undoing_each_other(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with (
            stack_of(tmp_path, emu, "prod", program("rockset"), adminCidrs=OFFICE) as prod,
            stack_of(tmp_path, emu, "staging", program("rockset"), adminCidrs=VPN) as staging,
        ):
            prod(program("rockset")).up()
            staging_stack = staging(program("rockset"))
            staging_stack.up()
            assert allowlist(emu) == {**OFFICE, **VPN}

            # Overlapping: staging may not take over prod's entry.
            staging_stack.set_config({"adminCidrs": {**VPN, **OFFICE}})
            with pytest.raises(CommandError) as err:
                staging_stack.up()
            assert "urn:pulumi:prod::rockset-privatelink::" in str(err.value)
            assert allowlist(emu) == {**OFFICE, **VPN}

            staging_stack.set_config({"adminCidrs": VPN})
            staging_stack.output.clear()
            staging_stack.destroy()
            assert allowlist(emu) == OFFICE
            assert public_refuses_key(emu)
            said = "\n".join(staging_stack.output)
            assert "stays restricted to the entries that remain: office" in said

            prod_stack = prod(program("rockset"))
            prod_stack.destroy()
            assert allowlist(emu) == {}
            assert "accepts keys from any address again" in "\n".join(prod_stack.output)
    finally:
        emu.stop()
