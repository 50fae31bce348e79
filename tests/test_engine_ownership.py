"""Allowlist ownership on the real engine: renames with and without an alias, two stacks
sharing one Rockset organization, and writes that fail (the emulator restarted at the same
addresses with write faults). Each keeps the lockdown holding and destroy truthful.

Each stack is a project directory the test writes (``Pulumi.yaml`` and ``__main__.py``), run
through the CLI and the language host like the example; a rename is an edit of ``__main__.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import CommandError, OpType

from devtools.engine import (
    LocalStack,
    engine_env,
    live_config,
    local_aws,
    open_stack,
)
from devtools.projects import write_project
from rockset_pulumi import AuthenticationError
from tests.support.emulator import RunningEmulator, restart_emulator, start_emulator
from tests.support.engine_gate import require_pulumi_cli

require_pulumi_cli()

pytestmark = pytest.mark.engine

OFFICE = {"office": "203.0.113.0/24"}
MOVED = {"office": "203.0.113.128/25"}
VPN = {"vpn": "198.51.100.7/32"}
ROTATION_SECOND_WRITE = [2, 3, 4]
"""The rotation's second write (the old entry's delete) and the client's two retries of it."""

PROGRAM = """\
import pulumi

from rockset_pulumi import PrivateLink, PrivateLinkArgs

config = pulumi.Config()
parent = {parent}
PrivateLink(
    {name!r},
    PrivateLinkArgs(
        vpc_id=config.require("vpcId"),
        subnet_ids=config.require_object("subnetIds"),
        api_key=config.require_secret("apiKey"),
        admin_cidrs=config.require_object("adminCidrs"),
        lockdown=True,
        check_timeout=config.require_int("checkTimeout"),
        public_url=config.require("publicUrl"),
        privatelink_url=config.require("privatelinkUrl"),
        ca_bundle=config.require("caBundle"),
    ),
    opts=pulumi.ResourceOptions(aliases={aliases}, parent=parent),
)
"""
# Only what the CLI checks or fills in: checkTimeout's value comes from this default.
SCHEMA = {
    "subnetIds": {"type": "array", "items": {"type": "string"}},
    "adminCidrs": {"type": "object"},
    "checkTimeout": {"type": "integer", "default": 60},
}


def program(name: str, *, alias: str | None = None, wrapped: bool = False) -> str:
    """``__main__.py``: the component under ``name`` with lockdown; ``wrapped`` puts it under a
    parent component (its URN changes, its name does not)."""
    aliases = "[]" if alias is None else f"[pulumi.Alias(name={alias!r})]"
    parent = 'pulumi.ComponentResource("acme:net:Wrapper", "wrapper")' if wrapped else "None"
    return PROGRAM.format(name=name, aliases=aliases, parent=parent)


def edit(stack: LocalStack, source: str) -> LocalStack:
    """The user changes the program; the next preview or up runs the new one."""
    (stack.project / "__main__.py").write_text(source, encoding="utf-8")
    return stack


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
    workdir: Path, emu: RunningEmulator, name: str, source: str, **config: Any
) -> Iterator[LocalStack]:
    """A local AWS and stack ``name`` of a project running ``source``."""
    home = workdir / name
    home.mkdir()
    with local_aws(home) as aws:
        settings = {
            "aws:region": aws.region,
            "adminCidrs": OFFICE,
            **live_config(aws, emu.api),
            **config,
        }
        project = write_project(home / "project", source, config=SCHEMA)
        yield open_stack(home, engine_env(aws), settings, name=name, project=project)


def test_a_rename_without_an_alias_is_refused_and_lockdown_keeps_holding(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with stack_of(tmp_path, emu, "local", program("rockset")) as stack:
            stack.up()
            with pytest.raises(CommandError) as err:
                edit(stack, program("renamed")).up()
            message = str(err.value)
            assert "Cannot manage allowlist entry 'office'" in message
            assert (
                "urn:pulumi:local::rockset-privatelink::rockset:index:PrivateLink::rockset"
                in message
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
        with stack_of(tmp_path, emu, "local", program("rockset")) as stack:
            stack.up()
            with pytest.raises(CommandError) as err:
                edit(stack, program("rockset", wrapped=True)).up()
            assert "add an alias" in str(err.value)
            assert allowlist(emu) == OFFICE
            assert public_refuses_key(emu)
    finally:
        emu.stop()


def test_a_rename_with_an_alias_keeps_the_entries_in_place(tmp_path: Path) -> None:
    emu = start_emulator(tmp_path / "emulator")
    try:
        with stack_of(tmp_path, emu, "local", program("rockset")) as stack:
            stack.up()
            writes_before = len([r for r in emu.requests() if r["method"] in ("POST", "DELETE")])
            renamed = edit(stack, program("renamed", alias="rockset"))
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
            prod.up()
            staging.up()
            assert allowlist(emu) == {**OFFICE, **VPN}

            # Overlapping: staging may not take over prod's entry.
            staging.set_config({"adminCidrs": {**VPN, **OFFICE}})
            with pytest.raises(CommandError) as err:
                staging.up()
            assert "urn:pulumi:prod::rockset-privatelink::" in str(err.value)
            assert allowlist(emu) == {**OFFICE, **VPN}

            staging.set_config({"adminCidrs": VPN})
            staging.output.clear()
            staging.destroy()
            assert allowlist(emu) == OFFICE
            assert public_refuses_key(emu)
            said = "\n".join(staging.output)
            assert "stays restricted to the entries that remain: office" in said

            prod.output.clear()
            prod.destroy()
            assert allowlist(emu) == {}
            assert "accepts keys from any address again" in "\n".join(prod.output)
    finally:
        emu.stop()


def test_a_failed_rotation_undoes_itself_and_a_revert_converges(tmp_path: Path) -> None:
    # Issue 19's first sequence: office moves, a write after its staging entry fails, the user
    # reverts. The update undid its writes, so the state Pulumi kept is true and the revert's
    # empty diff is right.
    emu = start_emulator(tmp_path / "emulator", state_file=tmp_path / "org.json")
    try:
        with stack_of(tmp_path, emu, "local", program("rockset")) as stack:
            stack.up()
            emu = restart_emulator(emu, drop_write=ROTATION_SECOND_WRITE)
            stack.set_config({"adminCidrs": MOVED})
            with pytest.raises(CommandError) as err:
                stack.up()
            assert "Its writes were undone; the allowlist is as it was." in str(err.value)
            assert allowlist(emu) == OFFICE
            assert emu.api_key not in str(err.value)

            emu = restart_emulator(emu)
            stack.set_config({"adminCidrs": OFFICE})
            assert set(stack.preview().change_summary) == {OpType.SAME}
            stack.up()
            assert allowlist(emu) == OFFICE
            assert public_refuses_key(emu)
    finally:
        emu.stop()


def test_destroy_removes_what_a_failed_create_and_its_failed_undo_left(tmp_path: Path) -> None:
    # Issue 19's third sequence: one entry is written, then Rockset takes no write, the undo's
    # included. No state records the allowlist; the connectivity check, deleted after it,
    # knows the mark and removes the entry.
    emu = start_emulator(
        tmp_path / "emulator", state_file=tmp_path / "org.json", drop_write=list(range(2, 40))
    )
    try:
        with stack_of(tmp_path, emu, "local", program("rockset"), adminCidrs={**OFFICE, **VPN}) as (
            stack
        ):
            with pytest.raises(CommandError) as err:
                stack.up()
            # The first write went through (the engine passes the entries in no fixed order).
            [(name, cidr)] = allowlist(emu).items()
            assert f"Undoing them failed too; still to undo: delete {name!r} ({cidr})" in str(
                err.value
            )
            assert not any(
                r["type"].endswith(":IpAllowlist") for r in stack.deployment()["resources"]
            )

            emu = restart_emulator(emu)
            stack.output.clear()
            stack.destroy()
            assert allowlist(emu) == {}
            assert f"Removed allowlist entries [{name!r}]" in "\n".join(stack.output)
    finally:
        emu.stop()
