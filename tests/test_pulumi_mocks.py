"""The mocks harness: under the SDK's own concurrency, and the dependencies it reports.

Pulumi's MockMonitor answers each registration and invoke on a thread of the event loop's default
executor, so the mocks are entered from several threads at once. In-process moto is not
thread-safe (a security group's create iterates the VPC's groups while another thread's create
adds one: "dictionary changed size during iteration"), so the AWS double must let one thread into
moto at a time. Which calls overlap is up to the scheduler, so instead of waiting for the rare
crash this counts the threads inside moto, which overlap on nearly every run without that guard.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pulumi
import pulumi_aws as aws_sdk
import pytest

from devtools.pulumi_mocks import dependencies, program, resolve
from rockset_pulumi import PrivateLink, PrivateLinkArgs

COMPONENTS = 12


class MotoOccupancy:
    """How many threads are inside a boto3 client's calls at once, at most."""

    def __init__(self, client: Any) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self.most = 0
        # after-call fires for error responses too; an exception from moto itself skips it, but
        # then the program under test fails anyway.
        client.meta.events.register("before-call.ec2.*", self._enter)
        client.meta.events.register("after-call.ec2.*", self._leave)

    def _enter(self, **_: Any) -> None:
        with self._lock:
            self._inside += 1
            self.most = max(self.most, self._inside)

    def _leave(self, **_: Any) -> None:
        with self._lock:
            self._inside -= 1


def test_many_components_in_one_program_enter_moto_one_thread_at_a_time() -> None:
    with program() as aws:
        occupancy = MotoOccupancy(aws.mocks.model.ec2.client)
        subnets = list(aws.network.subnet_ids_by_az.values())
        links = [
            PrivateLink(
                f"rockset-{i}",
                PrivateLinkArgs(
                    vpc_id=aws.network.vpc_id,
                    subnet_ids=subnets,
                    api_key="key",
                    admin_cidrs={"office": "203.0.113.0/24"},
                    lockdown=True,
                ),
            )
            for i in range(COMPONENTS)
        ]
        states = resolve(pulumi.Output.all(*(link.endpoint_state for link in links)))

        assert states == ["available"] * COMPONENTS
        groups = aws.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [aws.network.vpc_id]}]
        )["SecurityGroups"]
        # Each component's group, and the VPC's default group.
        assert len(groups) == COMPONENTS + 1
        assert occupancy.most == 1


def test_dependencies_are_what_each_registration_declared() -> None:
    # Tests judge the order of creates and deletes by these, not by when the mocks saw each.
    with program() as aws:
        vpc_id = aws.network.vpc_id
        first = aws_sdk.ec2.SecurityGroup("first", vpc_id=vpc_id)
        after = aws_sdk.ec2.SecurityGroup(
            "after", vpc_id=vpc_id, opts=pulumi.ResourceOptions(depends_on=[first])
        )
        fed = aws_sdk.ec2.SecurityGroup("fed", vpc_id=first.vpc_id)
        alone = aws_sdk.ec2.SecurityGroup("alone", vpc_id=vpc_id)
        resolve(pulumi.Output.all(after.id, fed.id, alone.id))
        assert dependencies("first") == frozenset()
        assert dependencies("after") == {"first"}
        assert dependencies("fed") == {"first"}
        assert dependencies("alone") == frozenset()


def test_a_program_after_one_whose_loop_was_abandoned_registers_on_its_own_loop() -> None:
    # A failed test may leave its program's root stack unregistered, and a later test that ran
    # `asyncio.run` leaves the next one a new event loop: the next program must not wait on the
    # old root's never-resolved URN from the old loop ("attached to a different loop").
    with program():
        pass
    asyncio.set_event_loop(asyncio.new_event_loop())
    with program() as aws:
        group = aws_sdk.ec2.SecurityGroup("after-abandoned", vpc_id=aws.network.vpc_id)
        assert resolve(group.vpc_id) == aws.network.vpc_id


def test_what_a_program_started_finishes_inside_it_while_the_double_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A warning beside a resource is logged only once the resource's URN is known; nothing here
    # waits for it, so only the program's own exit can.
    with caplog.at_level(logging.WARNING):
        with program() as aws:
            group = aws_sdk.ec2.SecurityGroup("settled", vpc_id=aws.network.vpc_id)
            pulumi.log.warn("beside the group", resource=group)
            described = group.id.apply(
                lambda group_id: aws.ec2.describe_security_groups(GroupIds=[group_id])
            )
            answered: list[Any] = []
            described.apply(answered.append)
        assert "beside the group" in caplog.messages
        # Answered by the double, not left for a later program's loop with no double behind it.
        [described_group] = answered[0]["SecurityGroups"]
        assert described_group["GroupName"].startswith("settled-")
