"""The double's EventBridge rule and CloudWatch alarm keep their tags as pulumi-aws does: a read
gives back what was created (so a second ``pulumi up`` has nothing to change), and an update
makes the tags what the program now says. A Lambda permission removed out of band is gone at
the next read, as pulumi-aws finds it gone from the function's policy."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest

from devtools.aws_double import Ec2Model
from devtools.aws_double.watch import EVENT_RULE, METRIC_ALARM, PERMISSION
from tests.support.aws_double import REGION, create, new_model

TAGS = {"Name": "rockset-stack-watch", "team": "platform"}
RULE = {"name": "rockset-watch-schedule", "scheduleExpression": "rate(15 minutes)"}
ALARM = {
    "name": "rockset-watch-alarm",
    "namespace": "RocksetPulumi/Lockdown",
    "metricName": "LockdownHolds",
    "statistic": "Minimum",
    "period": 1800,
    "evaluationPeriods": 1,
    "threshold": 1,
    "comparisonOperator": "LessThanThreshold",
    "treatMissingData": "breaching",
    "dimensions": {"Stack": "o/p/s", "Component": "rockset"},
}


@pytest.fixture
def watch_model(ec2: Any) -> Ec2Model:
    return new_model(
        ec2,
        clients=lambda service, _account: boto3.client(service, region_name=REGION),
        lambda_client=boto3.client("lambda", region_name=REGION),
    )


@pytest.mark.parametrize(("typ", "inputs"), [(EVENT_RULE, RULE), (METRIC_ALARM, ALARM)])
def test_a_read_gives_back_the_tags_created_and_an_update_replaces_them(
    watch_model: Ec2Model, typ: str, inputs: dict[str, Any]
) -> None:
    resource_id, outputs = create(watch_model, typ, "watch", {**inputs, "tags": TAGS})
    assert outputs["tags"] == outputs["tagsAll"] == TAGS
    read = watch_model.read(typ, resource_id)
    assert read is not None
    assert {key: read[key] for key in inputs} == inputs

    retagged = {"Name": "rockset-stack-watch"}
    news, _ = watch_model.check(typ, "watch", {**inputs, "tags": retagged})
    updated = watch_model.update(typ, resource_id, outputs, news)
    assert updated["tags"] == updated["tagsAll"] == retagged


def a_function(name: str) -> None:
    # Lambda wants a role that exists; what it trusts does not matter here.
    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({"Statement": []})
    )["Role"]["Arn"]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as bundle:
        bundle.writestr("handler.py", "def handler(event, context):\n    return None\n")
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": zipped.getvalue()},
    )


def test_a_permission_removed_out_of_band_is_gone_at_the_next_read(watch_model: Ec2Model) -> None:
    a_function("rockset-watch-0123abcd")
    statement, _ = create(
        watch_model,
        PERMISSION,
        "rockset-watch-invoke",
        {
            "action": "lambda:InvokeFunction",
            "function": "rockset-watch-0123abcd",
            "principal": "events.amazonaws.com",
            "sourceArn": f"arn:aws:events:{REGION}:123456789012:rule/rockset-watch-schedule",
        },
    )
    assert watch_model.read(PERMISSION, statement) is not None
    boto3.client("lambda", region_name=REGION).remove_permission(
        FunctionName="rockset-watch-0123abcd", StatementId=statement
    )
    # `pulumi refresh` then drops it from the state, and the next `up` adds it again.
    assert watch_model.read(PERMISSION, statement) is None
