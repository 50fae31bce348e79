"""The double served as the `pulumi-resource-aws` plugin, backed by a moto server.

Run by `devtools/bin/pulumi-resource-aws` (the engine finds it on PATH). The moto server's URL
comes from `AWS_ENDPOINT_URL`; the region from the provider config `region`, else
`AWS_REGION`/`AWS_DEFAULT_REGION`; the account from `allowedAccountIds` when it names one (moto's
account for the credentials otherwise). Other provider config keys are accepted and ignored.
Uploaded Lambda zips are kept in `AWS_DOUBLE_LAMBDA_CODE_DIR` for the Lambda Invoke server
(`devtools.lambda_invoke`), when it is set. Which
accounts see Rockset's services, and whose endpoints Rockset accepts, come from
`AWS_DOUBLE_REGISTERED_ACCOUNTS` and `AWS_DOUBLE_ACCEPTED_ACCOUNTS` (see `catalog`). State
lives in the moto server, so separate engine runs (preview, up, refresh, destroy) see each other's
work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import grpc
from botocore.config import Config as BotoConfig
from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN, _special_archive_sig, _special_sig_key

from devtools.aws_double.catalog import Catalog
from devtools.aws_double.ec2 import Props, in_account, provider_account
from devtools.aws_double.errors import AwsApiError, UnsupportedTokenError
from devtools.aws_double.lambda_functions import ELIDED_ARCHIVE, LAMBDA_CODE_DIR_ENV
from devtools.aws_double.model import PULUMI_AWS_VERSION, Ec2Model, ResourceType, resource_type

__all__ = ["AwsDoubleProvider", "diff_properties", "main", "plain_map", "to_plain", "to_property"]

_FAKE_CREDENTIAL = "testing"
_SIG = _special_sig_key
_ARCHIVE_SIG = _special_archive_sig
_STRUCT = struct_pb2.Struct.DESCRIPTOR.full_name


def to_plain(value: PropertyValue) -> Any:
    """A PropertyValue as a JSON-like value; secrets are unwrapped, unknowns stay UNKNOWN."""
    inner = value.value
    if isinstance(inner, Mapping):
        return {key: to_plain(item) for key, item in inner.items()}
    if isinstance(inner, tuple):
        return [to_plain(item) for item in inner]
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    return inner


def to_property(value: Any) -> PropertyValue:
    if isinstance(value, Mapping):
        return PropertyValue({key: to_property(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([to_property(item) for item in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


def plain_map(values: Mapping[str, PropertyValue]) -> Props:
    return {key: to_plain(item) for key, item in values.items()}


def property_map(
    values: Mapping[str, Any], secrets: Mapping[str, PropertyValue]
) -> dict[str, PropertyValue]:
    """Properties for the engine; keys that arrived secret leave secret."""
    return {
        key: to_property(item).with_secret(key in secrets and secrets[key].contains_secret())
        for key, item in values.items()
    }


def _contains_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(_contains_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_unknown(item) for item in value)
    return False


def _significant(resource: ResourceType, key: str, value: Any) -> Any:
    # Empty and absent are the same to the provider.
    return None if value in (None, [], {}) else resource.canonical(key, value)


def _unchanged(resource: ResourceType, key: str, old: Any, new: Any) -> bool:
    if _contains_unknown(new):
        return False
    return bool(_significant(resource, key, old) == _significant(resource, key, new))


def diff_properties(
    typ: str,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    ignore_changes: list[str],
) -> DiffResponse:
    resource = resource_type(typ)
    replace_keys = resource.replace_on_change
    detailed: dict[str, PropertyDiff] = {}
    # Only inputs are compared: computed outputs missing from the inputs are not changes, except
    # tags, whose removal from the inputs is.
    keys = set(news) | ({"tags"} if olds.get("tags") else set())
    for key in sorted(keys - set(ignore_changes)):
        new = news.get(key)
        old = olds.get(key)
        if _unchanged(resource, key, old, new):
            continue
        replace = key in replace_keys
        if old is None:
            kind = PropertyDiffKind.ADD_REPLACE if replace else PropertyDiffKind.ADD
        elif new is None:
            kind = PropertyDiffKind.DELETE_REPLACE if replace else PropertyDiffKind.DELETE
        else:
            kind = PropertyDiffKind.UPDATE_REPLACE if replace else PropertyDiffKind.UPDATE
        detailed[key] = PropertyDiff(kind, input_diff=True)
    return DiffResponse(
        changes=bool(detailed),
        replaces=[key for key in detailed if key in replace_keys],
        diffs=list(detailed),
        detailed_diff=detailed,
    )


def _resource_type(request: Any) -> str:
    """The resource's own type token. The SDK reads it from the URN, whose type part is qualified
    by the parents' types (``rockset:aws:PrivateLink$aws:ec2/securityGroup:SecurityGroup``) for a
    resource with a parent."""
    return str(request.type).rsplit("$", 1)[-1]


_STRING = {"type": "string"}
_BOOLEAN = {"type": "boolean"}
_VPC_INPUTS = {"cidrBlock": _STRING, "enableDnsSupport": _BOOLEAN, "enableDnsHostnames": _BOOLEAN}
_SCHEMA = {
    "name": "aws",
    "version": PULUMI_AWS_VERSION,
    # pulumi-aws's: `aws:ec2:Vpc` in YAML is `aws:ec2/vpc:Vpc`.
    "meta": {"moduleFormat": "(.*)(?:/[^/]*)"},
    "resources": {
        "aws:ec2/vpc:Vpc": {
            "inputProperties": _VPC_INPUTS,
            "properties": {**_VPC_INPUTS, "arn": _STRING, "ownerId": _STRING},
        }
    },
}
"""What a program in a language other than Python needs of pulumi-aws's schema: the one type
the YAML example creates."""


class AwsDoubleProvider(Provider):
    """Resource-provider protocol over `Ec2Model`; boto3 calls run off the event loop."""

    def __init__(self) -> None:
        self._model: Ec2Model | None = None

    @property
    def model(self) -> Ec2Model:
        if self._model is None:
            raise RuntimeError("aws double: the provider has not been configured")
        return self._model

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(json.dumps(_SCHEMA))

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        config = plain_map(request.args)
        region = (
            config.get("region")
            or request.variables.get("aws:config:region")
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or "us-east-1"
        )
        session = boto3.session.Session(
            region_name=region,
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", _FAKE_CREDENTIAL),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", _FAKE_CREDENTIAL),
        )
        endpoint_url = os.environ.get("AWS_ENDPOINT_URL")
        account = provider_account(config)
        # Explicit, and no service-specific variable may redirect a client: the engine's
        # environment points AWS_ENDPOINT_URL_LAMBDA at the Lambda Invoke server for the probe's
        # invocations, while this provider manages functions in moto.
        boto_config = BotoConfig(ignore_configured_endpoint_urls=True)

        def client(service: str, as_account: str | None = account) -> Any:
            made = session.client(service, endpoint_url=endpoint_url, config=boto_config)
            return in_account(made, as_account)

        code_dir = os.environ.get(LAMBDA_CODE_DIR_ENV)
        self._model = Ec2Model(
            client("ec2"),
            region=region,
            catalog=Catalog(),
            sts_client=client("sts"),
            route53_client=client("route53"),
            clients=client,
            iam_client=client("iam"),
            lambda_client=client("lambda"),
            logs_client=client("logs"),
            lambda_code_dir=Path(code_dir) if code_dir else None,
            lambda_invoker=self._invoker(session, account),
        )
        # Resource references and output values are not needed: ids and plain values suffice.
        return ConfigureResponse(accept_secrets=True, supports_preview=True)

    @staticmethod
    def _invoker(session: boto3.session.Session, account: str | None) -> Any:
        """Lambda's Invoke call on the Lambda Invoke server the engine's environment names, for
        ``aws:lambda/invocation:Invocation``; None without one."""
        url = os.environ.get("AWS_ENDPOINT_URL_LAMBDA")
        if not url:
            return None
        # One attempt, as an invocation is not idempotent.
        once = BotoConfig(retries={"total_max_attempts": 1}, read_timeout=60)
        made = session.client("lambda", endpoint_url=url, config=once)
        return in_account(made, account)

    async def check(self, request: CheckRequest) -> CheckResponse:
        checked, failures = self.model.check(
            _resource_type(request),
            request.name,
            plain_map(request.new_inputs),
            olds=plain_map(request.old_inputs),
            seed=request.random_seed,
        )
        return CheckResponse(
            inputs=property_map(checked, request.new_inputs),
            failures=[CheckFailure(prop, reason) for prop, reason in failures],
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        return diff_properties(
            _resource_type(request),
            plain_map(request.old_state),
            plain_map(request.new_inputs),
            list(request.ignore_changes),
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        inputs = plain_map(request.properties)
        if request.preview:
            return CreateResponse(
                resource_id="",
                properties=property_map(
                    self.model.preview(_resource_type(request), inputs), request.properties
                ),
            )
        resource_id, outputs = await asyncio.to_thread(
            self.model.create, _resource_type(request), inputs
        )
        return CreateResponse(resource_id, property_map(outputs, request.properties))

    async def read(self, request: ReadRequest) -> ReadResponse:
        outputs = await asyncio.to_thread(
            self.model.read, _resource_type(request), request.resource_id
        )
        if outputs is None:
            return ReadResponse()
        # What AWS cannot give back (a function's code) is passed back as the state sent it, as
        # pulumi-aws's Read does for an archive-valued input; the engine sends it elided, and
        # restores the contents of an archive whose hash it recognizes.
        kept = self.model.kept(_resource_type(request), plain_map(request.properties))
        return ReadResponse(
            request.resource_id, property_map(kept | outputs, request.properties), request.inputs
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        olds = plain_map(request.olds)
        news = plain_map(request.news)
        if request.preview:
            return UpdateResponse(property_map(olds | news, request.news))
        outputs = await asyncio.to_thread(
            self.model.update, _resource_type(request), request.resource_id, olds, news
        )
        return UpdateResponse(property_map(outputs, request.news))

    async def delete(self, request: DeleteRequest) -> None:
        await asyncio.to_thread(
            self.model.delete,
            _resource_type(request),
            request.resource_id,
            plain_map(request.properties),
        )

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        result = await asyncio.to_thread(self.model.invoke, request.tok, plain_map(request.args))
        return InvokeResponse(return_value=property_map(result, request.args))


def _walk_value(value: struct_pb2.Value) -> None:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        _name_elided_archives(value.struct_value)
    elif kind == "list_value":
        for item in value.list_value.values:
            _walk_value(item)


def _restore_elided_archives(struct: struct_pb2.Struct) -> None:
    """Turn each archive named by `_name_elided_archives` back into what the engine sent: the
    archive's hash alone, so that a value passed back (a Read's kept code) is the engine's own."""
    for key in list(struct.fields.keys()):
        value = struct.fields[key]
        if value.WhichOneof("kind") == "list_value":
            for item in value.list_value.values:
                if item.WhichOneof("kind") == "struct_value":
                    _restore_elided_archives(item.struct_value)
            continue
        if value.WhichOneof("kind") != "struct_value":
            continue
        fields = value.struct_value.fields
        uri = fields["uri"].string_value if "uri" in fields else ""
        if _SIG in fields and fields[_SIG].string_value == _ARCHIVE_SIG and uri:
            if uri.startswith(ELIDED_ARCHIVE):
                del fields["uri"]
                fields["hash"].string_value = uri.removeprefix(ELIDED_ARCHIVE)
            continue
        _restore_elided_archives(value.struct_value)


def _name_elided_archives(struct: struct_pb2.Struct) -> None:
    """Give each archive the engine sent as its hash alone a URI the SDK can read (see
    `ELIDED_ARCHIVE`)."""
    fields = struct.fields
    if (
        _SIG in fields
        and fields[_SIG].string_value == _ARCHIVE_SIG
        and not {"assets", "path", "uri"} & set(fields.keys())
    ):
        fields["uri"].string_value = ELIDED_ARCHIVE + fields["hash"].string_value
        return
    for key in list(fields.keys()):
        _walk_value(fields[key])


class _ReadElidedArchives(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """The engine sends an archive it already holds in state (a function's code) by its hash
    alone, which pulumi-aws reads but the SDK's property values cannot; this names such an archive
    as a remote archive at `ELIDED_ARCHIVE` + hash before the SDK unmarshals the request, and
    turns it back into the hash alone in the response."""

    async def intercept_service(self, continuation: Any, details: Any) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def behaviour(request: Any, context: Any) -> Any:
            for descriptor, value in request.ListFields():
                if getattr(descriptor.message_type, "full_name", "") == _STRUCT:
                    _name_elided_archives(value)
            response = await inner(request, context)
            for descriptor, value in response.ListFields():
                if getattr(descriptor.message_type, "full_name", "") == _STRUCT:
                    _restore_elided_archives(value)
            return response

        return grpc.unary_unary_rpc_method_handler(
            behaviour,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


class _ReportErrorsPlainly(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Report the double's expected errors as pulumi-aws would: the message, no traceback.

    The SDK's servicer re-raises every error as a generic Exception carrying the traceback; the
    original error is that exception's context.
    """

    async def intercept_service(self, continuation: Any, details: Any) -> Any:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def behaviour(request: Any, context: Any) -> Any:
            try:
                return await inner(request, context)
            except Exception as error:
                for candidate in (error, error.__context__):
                    if isinstance(candidate, AwsApiError | UnsupportedTokenError):
                        await context.abort(grpc.StatusCode.UNKNOWN, str(candidate))
                raise

        return grpc.unary_unary_rpc_method_handler(
            behaviour,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def serve(args: list[str], engine_address: str) -> None:
    """pulumi.provider.experimental.server.main's server, plus the error interceptor."""
    server = grpc.aio.server(
        options=_GRPC_CHANNEL_OPTIONS,
        interceptors=[_ReportErrorsPlainly(), _ReadElidedArchives()],
    )
    servicer = ProviderServicer(args, PULUMI_AWS_VERSION, AwsDoubleProvider(), engine_address)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    # The engine reads the port from the first line of stdout.
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


def main() -> None:
    parser = argparse.ArgumentParser(description="pulumi-aws provider double (gRPC server)")
    parser.add_argument("engine", help="Pulumi engine address")
    known, _ = parser.parse_known_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(sys.argv[1:], known.engine))


if __name__ == "__main__":
    main()
