"""The double's aws.lambda.Invocation (Terraform's ``aws_lambda_invocation``, create-only): one
invocation per create, its id and ``result`` as pulumi-aws records them, a function error failing
the create in pulumi-aws's words, and a result kept in the state across reads."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from devtools.aws_double import AwsApiError, Ec2Model, UnsupportedTokenError
from devtools.aws_double.errors import ProviderError
from devtools.aws_double.lambda_invocations import INVOCATION
from devtools.aws_double.model import resource_type
from tests.support.aws_double import create, new_model

FUNCTION = "rockset-watch-0123abcd"
INPUT = json.dumps({"source": "pulumi up"})


class Lambda:
    """Lambda's Invoke as boto3 answers it: ``answers`` in turn, each a payload (and
    ``FunctionError``), or a ``ClientError`` to raise."""

    def __init__(self, *answers: tuple[bytes, str | None] | ClientError) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **call: Any) -> dict[str, Any]:
        self.calls.append(call)
        answer = self.answers.pop(0)
        if isinstance(answer, ClientError):
            raise answer
        payload, error = answer
        return {"StatusCode": 200, "Payload": io.BytesIO(payload)} | (
            {"FunctionError": error} if error else {}
        )


def model_with(ec2: Any, invoker: Lambda | None) -> Ec2Model:
    return new_model(ec2, lambda_invoker=invoker)


def test_check_applies_the_create_only_defaults_and_wants_json(ec2: Any) -> None:
    model = model_with(ec2, Lambda())
    checked, failures = model.check(INVOCATION, "run", {"functionName": FUNCTION, "input": INPUT})
    assert failures == []
    assert (checked["qualifier"], checked["lifecycleScope"]) == ("$LATEST", "CREATE_ONLY")

    _, failures = model.check(INVOCATION, "run", {"input": "{not json"})
    assert [key for key, _ in failures] == ["functionName", "input"]
    assert failures[1][1].startswith('"input" contains an invalid JSON: ')


def test_create_invokes_once_and_records_the_id_and_result_as_pulumi_aws_does(ec2: Any) -> None:
    invoker = Lambda((b'{"lockdown_holds": 1}', None))
    model = model_with(ec2, invoker)

    resource_id, outputs = create(
        model, INVOCATION, "run", {"functionName": FUNCTION, "input": INPUT}
    )

    digest = hashlib.md5(INPUT.encode()).hexdigest()  # noqa: S324
    assert resource_id == f"{FUNCTION}_$LATEST_{digest}"
    assert outputs["result"] == '{"lockdown_holds": 1}'
    assert outputs["functionName"] == FUNCTION
    [call] = invoker.calls
    assert call == {
        "FunctionName": FUNCTION,
        "InvocationType": "RequestResponse",
        "Payload": INPUT.encode(),
        "Qualifier": "$LATEST",
    }


def test_a_function_error_fails_the_create_with_the_functions_answer(ec2: Any) -> None:
    answer = b'{"errorMessage": "no route to Secrets Manager", "errorType": "RuntimeError"}'
    model = model_with(ec2, Lambda((answer, "Unhandled"), (b"null", None)))
    with pytest.raises(ProviderError) as raised:
        create(model, INVOCATION, "run", {"functionName": FUNCTION, "input": INPUT})
    assert str(raised.value) == f"invoking Lambda Function ({FUNCTION}): {answer.decode()}"
    # Nothing was recorded: the next up creates it again, and so invokes again.
    resource_id, _ = create(model, INVOCATION, "run", {"functionName": FUNCTION, "input": INPUT})
    assert resource_id.startswith(FUNCTION)


def test_an_unknown_function_is_lambdas_resource_not_found(ec2: Any) -> None:
    missing = ClientError(
        {"Error": {"Code": "ResourceNotFoundException", "Message": "Function not found"}}, "Invoke"
    )
    model = model_with(ec2, Lambda(missing))
    with pytest.raises(AwsApiError) as raised:
        create(model, INVOCATION, "run", {"functionName": FUNCTION, "input": INPUT})
    assert raised.value.code == "ResourceNotFoundException"
    assert str(raised.value).startswith(f"invoking Lambda Function ({FUNCTION}): ")


def test_a_later_read_passes_the_states_result_back_and_a_new_trigger_replaces(
    ec2: Any,
) -> None:
    model = model_with(ec2, Lambda((b"1", None)))
    resource_id, outputs = create(
        model, INVOCATION, "run", {"functionName": FUNCTION, "input": INPUT, "triggers": {"a": "1"}}
    )
    # Another process (the next `pulumi refresh`) knows only the id and the state.
    later = model_with(ec2, None)
    fresh = later.read(INVOCATION, resource_id)
    assert fresh is not None and "result" not in fresh
    assert later.kept(INVOCATION, outputs) | fresh == outputs
    assert "triggers" in resource_type(INVOCATION).replace_on_change
    assert "input" in resource_type(INVOCATION).replace_on_change


def test_without_an_invoke_server_the_double_says_so(ec2: Any) -> None:
    model = model_with(ec2, None)
    with pytest.raises(UnsupportedTokenError):
        create(model, INVOCATION, "run", {"functionName": FUNCTION, "input": INPUT})
