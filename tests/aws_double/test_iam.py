"""The double's aws.iam.Role and RolePolicyAttachment: what IAM holds, and IAM's refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from devtools.aws_double import AwsApiError, Ec2Model
from devtools.aws_double.iam import ROLE, ROLE_POLICY_ATTACHMENT
from tests.support.aws_double import MOTO_ACCOUNT, create

VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def role(model: Ec2Model, name: str = "probe-role", **extra: object) -> Any:
    _, outputs = create(
        model, ROLE, name, {"name": name, "assumeRolePolicy": json.dumps(TRUST), **extra}
    )
    return outputs


def test_check_requires_a_trust_policy_and_autonames(probe_model: Ec2Model) -> None:
    checked, failures = probe_model.check(ROLE, "probe-role", {}, seed=b"s")

    assert failures == [("assumeRolePolicy", "Missing required property 'assumeRolePolicy'")]
    assert str(checked["name"]).startswith("probe-role-")
    assert checked["path"] == "/"


def test_a_created_role_reports_its_arn_trust_policy_and_tags(probe_model: Ec2Model) -> None:
    outputs = role(probe_model, tags={"team": "data"})

    assert outputs["arn"] == f"arn:aws:iam::{MOTO_ACCOUNT}:role/probe-role"
    assert json.loads(str(outputs["assumeRolePolicy"])) == TRUST
    assert outputs["tags"] == {"team": "data"}
    assert outputs["managedPolicyArns"] == []


def test_an_attachment_shows_on_the_role_and_reads_back(probe_model: Ec2Model) -> None:
    role(probe_model)
    attachment_id, attached = create(
        probe_model,
        ROLE_POLICY_ATTACHMENT,
        "vpc-access",
        {"role": "probe-role", "policyArn": VPC_ACCESS},
    )

    assert attached == {"id": attachment_id, "role": "probe-role", "policyArn": VPC_ACCESS}
    assert attachment_id.startswith("probe-role-")
    found = probe_model.read(ROLE, "probe-role")
    assert found is not None
    assert found["managedPolicyArns"] == [VPC_ACCESS]


def test_attaching_to_a_missing_role_is_iams_no_such_entity(probe_model: Ec2Model) -> None:
    with pytest.raises(AwsApiError) as raised:
        create(
            probe_model,
            ROLE_POLICY_ATTACHMENT,
            "vpc-access",
            {"role": "no-such-role", "policyArn": VPC_ACCESS},
        )

    assert raised.value.code == "NoSuchEntity"
    assert "attaching IAM Policy" in str(raised.value)


def test_a_role_with_a_policy_attached_cannot_be_deleted(probe_model: Ec2Model) -> None:
    role(probe_model)
    inputs = {"role": "probe-role", "policyArn": VPC_ACCESS}
    attachment_id, _ = create(probe_model, ROLE_POLICY_ATTACHMENT, "vpc-access", inputs)

    with pytest.raises(AwsApiError) as raised:
        probe_model.delete(ROLE, "probe-role", {})
    assert raised.value.code == "DeleteConflict"
    assert probe_model.read(ROLE, "probe-role") is not None

    probe_model.delete(ROLE_POLICY_ATTACHMENT, attachment_id, inputs)
    assert probe_model.read(ROLE_POLICY_ATTACHMENT, attachment_id) is None
    probe_model.delete(ROLE, "probe-role", {})
    assert probe_model.read(ROLE, "probe-role") is None


def test_deleting_what_is_already_gone_succeeds(probe_model: Ec2Model) -> None:
    probe_model.delete(ROLE, "never-was", {})
    probe_model.delete(
        ROLE_POLICY_ATTACHMENT, "never-was-0", {"role": "never-was", "policyArn": VPC_ACCESS}
    )

    assert probe_model.read(ROLE, "never-was") is None
    assert probe_model.read(ROLE_POLICY_ATTACHMENT, "never-was-0") is None


def test_update_changes_the_trust_policy_description_and_tags(probe_model: Ec2Model) -> None:
    olds = {
        "name": "probe-role",
        "path": "/",
        "maxSessionDuration": 3600,
        "assumeRolePolicy": json.dumps(TRUST),
        "tags": {"team": "data", "old": "yes"},
    }
    role(probe_model, tags=olds["tags"])
    trust = json.loads(json.dumps(TRUST))
    trust["Statement"][0]["Principal"] = {"Service": "edgelambda.amazonaws.com"}
    news = {
        **olds,
        "assumeRolePolicy": json.dumps(trust),
        "description": "probe",
        "tags": {"team": "platform"},
    }

    outputs = probe_model.update(ROLE, "probe-role", olds, news)

    assert json.loads(str(outputs["assumeRolePolicy"])) == trust
    assert outputs["description"] == "probe"
    assert outputs["tags"] == {"team": "platform"}


def test_a_role_input_the_double_does_not_emulate_is_refused(probe_model: Ec2Model) -> None:
    with pytest.raises(Exception, match="unsupported argument"):
        probe_model.check(ROLE, "r", {"assumeRolePolicy": "{}", "managedPolicyArns": ["arn"]})
