"""The double's aws.cloudwatch.LogGroup: retention and tags as CloudWatch Logs holds them, and its
refusals."""

from __future__ import annotations

import boto3
import pytest

from devtools.aws_double import AwsApiError, Ec2Model
from devtools.aws_double.log_groups import LOG_GROUP
from tests.support.aws_double import MOTO_ACCOUNT, REGION, create

NAME = "/aws/lambda/probe-0123abcd"


def retention(name: str) -> int | None:
    """The retention CloudWatch Logs itself holds; None for none (kept forever)."""
    logs = boto3.client("logs", region_name=REGION)
    [group] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    found: int | None = group.get("retentionInDays")
    return found


def test_a_created_group_has_its_retention_and_tags(probe_model: Ec2Model) -> None:
    group_id, outputs = create(
        probe_model, LOG_GROUP, "logs", {"name": NAME, "retentionInDays": 1, "tags": {"a": "b"}}
    )

    assert group_id == NAME
    assert retention(NAME) == 1
    assert outputs["retentionInDays"] == 1
    assert outputs["tags"] == {"a": "b"}
    assert outputs["arn"] == f"arn:aws:logs:{REGION}:{MOTO_ACCOUNT}:log-group:{NAME}"
    assert outputs["logGroupClass"] == "STANDARD"


def test_a_second_group_of_the_same_name_is_refused(probe_model: Ec2Model) -> None:
    create(probe_model, LOG_GROUP, "logs", {"name": NAME, "retentionInDays": 1})

    with pytest.raises(AwsApiError) as raised:
        create(probe_model, LOG_GROUP, "again", {"name": NAME})

    assert raised.value.code == "ResourceAlreadyExistsException"
    assert f"creating CloudWatch Logs Log Group ({NAME})" in str(raised.value)


def test_update_changes_and_removes_the_retention_and_tags(probe_model: Ec2Model) -> None:
    olds = {"name": NAME, "retentionInDays": 1, "tags": {"a": "b", "c": "d"}}
    create(probe_model, LOG_GROUP, "logs", olds)

    outputs = probe_model.update(LOG_GROUP, NAME, olds, {**olds, "retentionInDays": 7})
    assert retention(NAME) == 7
    assert outputs["retentionInDays"] == 7

    outputs = probe_model.update(
        LOG_GROUP, NAME, olds, {"name": NAME, "retentionInDays": 0, "tags": {"a": "z"}}
    )
    assert retention(NAME) is None
    assert outputs["retentionInDays"] == 0
    assert outputs["tags"] == {"a": "z"}


def test_a_deleted_group_reads_as_gone_and_deletes_again(probe_model: Ec2Model) -> None:
    create(probe_model, LOG_GROUP, "logs", {"name": NAME})

    probe_model.delete(LOG_GROUP, NAME, {})
    assert probe_model.read(LOG_GROUP, NAME) is None
    probe_model.delete(LOG_GROUP, NAME, {})


def test_a_group_whose_name_is_a_prefix_of_another_is_not_it(probe_model: Ec2Model) -> None:
    create(probe_model, LOG_GROUP, "logs", {"name": f"{NAME}-longer"})

    assert probe_model.read(LOG_GROUP, NAME) is None
