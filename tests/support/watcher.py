"""The lockdown watcher on the offline stand-ins: its key, a watched stack's configuration, one
run as EventBridge starts it, and the runs served so far."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from devtools.engine import LocalAws, LocalStack, live_config
from devtools.vpc import inside_vpc
from tests.support.emulator import RunningEmulator

__all__ = [
    "SCHEDULED_EVENT",
    "WATCH_KEY",
    "WatchedStack",
    "run_watcher",
    "runs_of",
    "watched_config",
]

WATCH_KEY = "wk-7Hq2Zt9Lp4Xv8Nc3Rb6Ym1Fs"
"""The watcher's read-only key (the emulator's ``read_only_api_key``); distinctive, so a test
can assert it shows nowhere."""
# What EventBridge sends a scheduled function; the watcher ignores it, as it may.
SCHEDULED_EVENT = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-12-06T00:00:00Z",
    "region": "eu-central-1",
    "resources": ["arn:aws:events:eu-central-1:123456789012:rule/rockset-watch-schedule"],
    "detail": {},
}


def run_watcher(aws: LocalAws, function_name: str) -> dict[str, Any]:
    """One scheduled run of the watcher through the Lambda Invoke server (the uploaded zip, its
    environment, its AWS calls to moto); what the handler returned."""
    invoker = boto3.client(
        "lambda",
        region_name=aws.region,
        endpoint_url=aws.lambda_server.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=60),
    )
    answer = invoker.invoke(
        FunctionName=function_name,
        InvocationType="RequestResponse",
        Payload=json.dumps(SCHEDULED_EVENT).encode(),
    )
    result: dict[str, Any] = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, result
    return result


def watched_config(
    aws: LocalAws, emu: RunningEmulator, schedule: str
) -> tuple[str, dict[str, Any]]:
    """An SNS topic for the alarm, and the configuration of a watched stack on the stand-ins:
    PrivateLink's URL is the one inside the VPC, where the probe function and the watcher run."""
    topic: str = aws.client("sns").create_topic(Name="rockset-lockdown")["TopicArn"]
    config = {
        "aws:region": aws.region,
        **live_config(aws, emu.api, privatelinkUrl=inside_vpc(emu.privatelink_url)),
        "watchApiKey": WATCH_KEY,
        "watchSchedule": schedule,
        "alarmActions": [topic],
    }
    return topic, config


def runs_of(aws: LocalAws, function_name: str) -> list[str]:
    """The outcome of each invocation of ``function_name`` the Lambda Invoke server served."""
    return [
        str(entry["outcome"])
        for entry in aws.lambda_server.invocations
        if entry["function"] == function_name
    ]


@dataclass
class WatchedStack:
    """A watched stack on the stand-ins (:func:`watched_config`), and its outputs once up."""

    aws: LocalAws
    emu: RunningEmulator
    stack: LocalStack
    topic: str
    outputs: dict[str, Any] = field(default_factory=dict)
