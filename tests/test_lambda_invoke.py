"""The devtools Lambda Invoke server's answers as boto3 sees them: Lambda's error shapes for an
unknown function, a function that raises, one that runs past its timeout, and a payload that is
not JSON, against functions stored in a moto server."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from devtools.aws_double.lambda_functions import code_file
from devtools.engine import LocalAws, local_aws

REGION = "eu-central-1"
HANDLERS = """
import time


def echo(event, context):
    return {"echo": event}


def fails(event, context):
    raise ValueError("the handler gave up")


def sleeps(event, context):
    time.sleep(30)


def cloud(event, context):
    import boto3

    key = boto3.client("secretsmanager").get_secret_value(SecretId=event["secret"])
    boto3.client("cloudwatch").put_metric_data(
        Namespace="Test/Watch", MetricData=[{"MetricName": "Seen", "Value": 1}]
    )
    return {"length": len(key["SecretString"])}
"""
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


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("handlers.py", HANDLERS)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    workdir = tmp_path_factory.mktemp("lambda-invoke")
    with local_aws(workdir, region=REGION) as found:
        zipped = _zip()
        role = found.client("iam").create_role(
            RoleName="handlers", AssumeRolePolicyDocument=json.dumps(TRUST)
        )["Role"]["Arn"]
        for handler, timeout in (("echo", 3), ("fails", 3), ("sleeps", 1), ("cloud", 20)):
            created = found.client("lambda").create_function(
                FunctionName=handler,
                Runtime="python3.12",
                Role=role,
                Handler=f"handlers.{handler}",
                Code={"ZipFile": zipped},
                Timeout=timeout,
            )
        kept = code_file(found.lambda_server.code_dir, created["CodeSha256"])
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(zipped)
        yield found


@pytest.fixture
def invoker(aws: LocalAws) -> Any:
    """boto3's Lambda client as the relay makes it, pointed at the Invoke server."""
    return boto3.client(
        "lambda",
        region_name=REGION,
        endpoint_url=aws.lambda_server.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


def invoke(invoker: Any, name: str, payload: bytes = b'{"n": 1}') -> tuple[dict[str, Any], Any]:
    response = invoker.invoke(FunctionName=name, InvocationType="RequestResponse", Payload=payload)
    return response, json.loads(response["Payload"].read())


def test_a_result_is_returned_as_the_payload(invoker: Any) -> None:
    response, result = invoke(invoker, "echo")

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert result == {"echo": {"n": 1}}


def test_an_unknown_function_is_resource_not_found(invoker: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(invoker, "no-such-function")

    error = raised.value.response
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    headers = error["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"
    assert "function:no-such-function" in error["Error"]["Message"]
    assert raised.value.operation_name == "Invoke"


def test_a_handler_that_raises_is_an_unhandled_function_error(invoker: Any) -> None:
    response, result = invoke(invoker, "fails")

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert result["errorType"] == "ValueError"
    assert result["errorMessage"] == "the handler gave up"
    assert isinstance(result["stackTrace"], list)


def test_a_handler_past_its_timeout_is_task_timed_out(invoker: Any, aws: LocalAws) -> None:
    response, result = invoke(invoker, "sleeps")

    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in result["errorMessage"]
    assert aws.lambda_server.invocations[-1]["function"] == "sleeps"
    assert aws.lambda_server.invocations[-1]["outcome"] == "Unhandled"


def test_a_payload_that_is_not_json_is_invalid_request_content(invoker: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(invoker, "echo", b"{not json")

    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_invocations_are_recorded_without_their_payload(invoker: Any, aws: LocalAws) -> None:
    invoke(invoker, "echo", b'{"secret": "rs-never-logged"}')

    assert "rs-never-logged" not in json.dumps(aws.lambda_server.invocations)
    log = Path(aws.lambda_server.log_dir or "") / "invocations.jsonl"
    assert "rs-never-logged" not in log.read_text(encoding="utf-8")


def test_a_handler_reaches_secrets_manager_and_cloudwatch_through_boto3(
    invoker: Any, aws: LocalAws
) -> None:
    """As on Lambda, the runtime has boto3, and the function's calls land in the AWS double."""
    secret = aws.client("secretsmanager").create_secret(Name="k", SecretString="s3cret-value")
    payload = json.dumps({"secret": secret["ARN"]}).encode()

    response, result = invoke(invoker, "cloud", payload)

    assert "FunctionError" not in response, result
    assert result == {"length": len("s3cret-value")}
    listed = aws.client("cloudwatch").list_metrics(Namespace="Test/Watch")["Metrics"]
    assert [m["MetricName"] for m in listed] == ["Seen"]
