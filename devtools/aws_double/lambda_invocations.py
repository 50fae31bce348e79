"""``aws:lambda/invocation:Invocation`` as pulumi-aws 7.x manages it (Terraform's
``aws_lambda_invocation``, with its default ``lifecycleScope`` ``CREATE_ONLY``):

- create invokes the function once (``RequestResponse``); the id is
  ``<function>_<qualifier>_<md5 hex of the payload>`` and the output ``result`` is what the
  function returned;
- a function error fails the create with the function's answer, worded as pulumi-aws words it
  (``invoking Lambda Function (<name>): <payload>``), so nothing is recorded and the next
  ``pulumi up`` invokes again;
- read gives the state back (Terraform's read is a no-op: nothing can be read from AWS), update
  does nothing, delete does nothing;
- a change of ``functionName``, ``qualifier``, ``triggers`` or ``input`` replaces it, which is
  what invokes the function again.

moto stores functions but cannot run one (that needs docker): the invocation goes to
``Ec2.invoker``, which under the engine is the Lambda Invoke server (``devtools.lambda_invoke``,
``AWS_ENDPOINT_URL_LAMBDA``), running the function's uploaded zip.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, ClassVar

from devtools.aws_double.ec2 import Ec2, Props
from devtools.aws_double.errors import ProviderError, UnsupportedTokenError

__all__ = ["INVOCATION", "Invocations"]

INVOCATION = "aws:lambda/invocation:Invocation"
_INPUTS = ("functionName", "input", "qualifier", "triggers", "lifecycleScope", "terraformKey")


class Invocations:
    token = INVOCATION
    replace_on_change = frozenset({"functionName", "input", "qualifier", "triggers"})
    computed_outputs = ("result",)
    kept_inputs = (*_INPUTS, "result")
    _defaults: ClassVar[Mapping[str, Any]] = {
        "qualifier": "$LATEST",
        "lifecycleScope": "CREATE_ONLY",
        "terraformKey": "tf",
    }

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        for key, value in sorted(inputs.items()):
            if key not in _INPUTS and value not in (None, "", {}):
                raise UnsupportedTokenError("argument", f"{INVOCATION} {key}")
        checked = {**self._defaults, **{k: v for k, v in inputs.items() if v is not None}}
        if checked["lifecycleScope"] != "CREATE_ONLY":
            raise UnsupportedTokenError("argument", f"{INVOCATION} lifecycleScope")
        failures = [
            (key, f"Missing required property '{key}'")
            for key in ("functionName", "input")
            if checked.get(key) in (None, "")
        ]
        text = checked.get("input")
        if isinstance(text, str) and text:
            try:
                json.loads(text)
            except ValueError as error:
                failures.append(("input", f'"input" contains an invalid JSON: {error}'))
        return checked, failures

    def canonical(self, key: str, value: Any) -> Any:
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        function, qualifier = str(inputs["functionName"]), str(inputs["qualifier"])
        payload = str(inputs["input"]).encode()
        doing = f"invoking Lambda Function ({function})"
        if ec2.invoker is None:
            raise UnsupportedTokenError("client", "Lambda Invoke (moto cannot run a function)")
        answer = ec2.call_on(
            ec2.invoker,
            doing,
            "invoke",
            FunctionName=function,
            InvocationType="RequestResponse",
            Payload=payload,
            Qualifier=qualifier,
        )
        result = answer["Payload"].read().decode()
        if answer.get("FunctionError"):
            raise ProviderError(f"{doing}: {result}")
        resource_id = f"{function}_{qualifier}_{hashlib.md5(payload).hexdigest()}"  # noqa: S324
        ec2.invocation_results[resource_id] = result
        return resource_id

    def read(self, ec2: Ec2, resource_id: str) -> Props | None:
        # A later process has the result from the state only: `kept_inputs` passes it back.
        found = ec2.invocation_results.get(resource_id)
        return {"id": resource_id} | ({} if found is None else {"result": found})

    def update(
        self, ec2: Ec2, resource_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> None:
        return

    def delete(self, ec2: Ec2, resource_id: str, props: Mapping[str, Any]) -> None:
        return
