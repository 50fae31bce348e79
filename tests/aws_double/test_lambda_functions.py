"""The double's aws.lambda.Function: Lambda's checks of the role, the zip it uploads and keeps for
the Invoke server, updates of code and configuration, and deletion."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import boto3
import pulumi
import pytest

from devtools.aws_double import AwsApiError, Ec2Model, Network
from devtools.aws_double.iam import ROLE, ROLE_POLICY_ATTACHMENT
from devtools.aws_double.lambda_functions import (
    ELIDED_ARCHIVE,
    FUNCTION,
    code_file,
    zip_archive,
)
from devtools.aws_double.provider import diff_properties
from tests.support.aws_double import MOTO_ACCOUNT, REGION, create

VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
ROLE_ARN = f"arn:aws:iam::{MOTO_ACCOUNT}:role/probe-role"
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


def code(text: str = "def handler(event, context):\n    return event\n") -> pulumi.AssetArchive:
    return pulumi.AssetArchive({"handler.py": pulumi.StringAsset(text)})


def sha256(zipped: bytes) -> str:
    return base64.b64encode(hashlib.sha256(zipped).digest()).decode("ascii")


def probe_role(model: Ec2Model, *policies: str) -> None:
    create(model, ROLE, "role", {"name": "probe-role", "assumeRolePolicy": json.dumps(TRUST)})
    for policy in policies:
        create(model, ROLE_POLICY_ATTACHMENT, "a", {"role": "probe-role", "policyArn": policy})


def function_inputs(network: Network | None = None, **extra: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "name": "probe-0123abcd",
        "role": ROLE_ARN,
        "runtime": "python3.12",
        "handler": "handler.handler",
        "code": code(),
        "timeout": 15,
        "environment": {"variables": {"ROCKSET_PROBE_TARGET": "privatelink.test:443"}},
    }
    if network is not None:
        subnets = sorted(network.subnet_ids_by_az.values())[:2]
        inputs["vpcConfig"] = {"subnetIds": subnets, "securityGroupIds": []}
    return {**inputs, **extra}


def lambda_has(name: str) -> bool:
    functions = boto3.client("lambda", region_name=REGION).list_functions()["Functions"]
    return any(f["FunctionName"] == name for f in functions)


def test_check_applies_lambdas_defaults_and_requires_the_code(probe_model: Ec2Model) -> None:
    checked, failures = probe_model.check(FUNCTION, "probe", {"role": ROLE_ARN}, seed=b"s")

    assert [key for key, _ in failures] == ["runtime", "handler", "code"]
    assert (checked["timeout"], checked["memorySize"], checked["packageType"]) == (3, 128, "Zip")
    assert str(checked["name"]).startswith("probe-")


def test_a_role_that_does_not_exist_cannot_be_assumed(probe_model: Ec2Model) -> None:
    with pytest.raises(AwsApiError) as raised:
        create(probe_model, FUNCTION, "probe", function_inputs())

    assert raised.value.code == "InvalidParameterValueException"
    assert "cannot be assumed by Lambda" in str(raised.value)
    assert not lambda_has("probe-0123abcd")


def test_in_a_vpc_the_role_must_allow_creating_network_interfaces(
    probe_model: Ec2Model, network: Network
) -> None:
    probe_role(probe_model, BASIC)

    with pytest.raises(AwsApiError) as raised:
        create(probe_model, FUNCTION, "probe", function_inputs(network))

    assert raised.value.code == "InvalidParameterValueException"
    assert "CreateNetworkInterface" in str(raised.value)
    assert not lambda_has("probe-0123abcd")


def test_a_created_function_reports_its_configuration_and_keeps_its_zip(
    probe_model: Ec2Model, network: Network, code_dir: Path
) -> None:
    probe_role(probe_model, VPC_ACCESS)
    inputs = function_inputs(network)
    zipped = zip_archive(inputs["code"])

    name, outputs = create(probe_model, FUNCTION, "probe", inputs)

    assert name == "probe-0123abcd"
    assert outputs["arn"] == f"arn:aws:lambda:{REGION}:{MOTO_ACCOUNT}:function:{name}"
    assert outputs["codeSha256"] == sha256(zipped)
    assert outputs["environment"] == inputs["environment"]
    assert set(outputs["vpcConfig"]["subnetIds"]) == set(inputs["vpcConfig"]["subnetIds"])
    assert outputs["timeout"] == 15
    # The archive cannot be read back from Lambda: it is kept as given, as pulumi-aws keeps it.
    assert outputs["code"] is inputs["code"]
    assert code_file(code_dir, sha256(zipped)).read_bytes() == zipped


def test_the_same_files_zip_to_the_same_code_sha256() -> None:
    assert zip_archive(code()) == zip_archive(code())
    assert zip_archive(code()) != zip_archive(code("def handler(e, c):\n    return 1\n"))


def test_update_uploads_new_code_and_changes_the_configuration(
    probe_model: Ec2Model, code_dir: Path
) -> None:
    probe_role(probe_model)
    olds = function_inputs()
    _, created = create(probe_model, FUNCTION, "probe", olds)
    news, _ = probe_model.check(
        FUNCTION,
        "probe",
        function_inputs(code=code("def handler(e, c):\n    return 2\n"), timeout=30),
    )

    outputs = probe_model.update(FUNCTION, "probe-0123abcd", created, news)

    new_zip = zip_archive(news["code"])
    assert outputs["codeSha256"] == sha256(new_zip) != created["codeSha256"]
    assert outputs["timeout"] == 30
    assert code_file(code_dir, sha256(new_zip)).read_bytes() == new_zip


def test_a_diff_finds_new_code_though_the_engine_sends_no_contents_and_no_hash(
    probe_model: Ec2Model,
) -> None:
    probe_role(probe_model)
    _, created = create(probe_model, FUNCTION, "probe", function_inputs())
    elided = pulumi.RemoteArchive(ELIDED_ARCHIVE)  # as after a create: no contents, no hash
    state = {**created, "code": elided}
    same, _ = probe_model.check(FUNCTION, "probe", function_inputs())
    new_code = code("def handler(e, c):\n    return 2\n")
    changed, _ = probe_model.check(FUNCTION, "probe", function_inputs(code=new_code))

    assert not diff_properties(FUNCTION, state, {**same, "code": elided}, []).changes
    diff = diff_properties(FUNCTION, state, {**changed, "code": elided}, [])
    assert diff.diffs == ["sourceCodeHash"]
    assert diff.replaces == []


def test_a_deleted_function_reads_as_gone_and_deletes_again(probe_model: Ec2Model) -> None:
    probe_role(probe_model)
    name, outputs = create(probe_model, FUNCTION, "probe", function_inputs())

    probe_model.delete(FUNCTION, name, outputs)
    assert probe_model.read(FUNCTION, name) is None
    assert not lambda_has(name)
    probe_model.delete(FUNCTION, name, outputs)


def test_an_input_the_double_does_not_emulate_is_refused(probe_model: Ec2Model) -> None:
    with pytest.raises(Exception, match="unsupported argument"):
        probe_model.check(FUNCTION, "probe", function_inputs(layers=["arn:layer"]))
