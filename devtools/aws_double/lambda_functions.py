"""aws.lambda.Function with a zip from an asset archive, as pulumi-aws 7.x manages it over Lambda.

pulumi-aws zips the `code` archive itself and uploads the bytes (`ZipFile`); so does this double,
with fixed timestamps, so that the same files give the same `CodeSha256`. Lambda checks what
moto does not: the role exists and, for a function in a VPC, that its policies allow creating
network interfaces (`InvalidParameterValueException`, as AWS answers), which is why the role's
policy attachment must exist first.

moto stores the function but serves neither its code nor its invocation (that needs docker), so
each uploaded zip is also kept as `<lambda_code_dir>/<sha256 hex>.zip`, where the devtools Lambda
Invoke server (`devtools.lambda_invoke`) finds it by the function's `CodeSha256`. The `code`
input cannot be read back from AWS, so it is kept in the outputs as given (`kept_inputs`), as
pulumi-aws keeps it in its state, and a Read passes back the state's as the engine sent it. The
engine sends archives to a diff without their contents (see `ELIDED_ARCHIVE`), and with its hash
only at times (not after a create or an update): so Check, which gets the contents, records the
zip's digest as `sourceCodeHash` (the `CodeSha256` of that upload, which a Read reports), and a
diff compares the code through it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pulumi

from devtools.aws_double.ec2 import Ec2, Props, autoname
from devtools.aws_double.errors import AwsApiError, UnsupportedTokenError

__all__ = [
    "ELIDED_ARCHIVE",
    "FUNCTION",
    "LAMBDA_CODE_DIR_ENV",
    "Functions",
    "code_file",
    "zip_archive",
]

FUNCTION = "aws:lambda/function:Function"
LAMBDA_CODE_DIR_ENV = "AWS_DOUBLE_LAMBDA_CODE_DIR"
"""Where the plugin keeps uploaded zips, and the Lambda Invoke server finds them."""
ELIDED_ARCHIVE = "aws-double-elided-archive:"
"""The URI prefix of an archive the engine sent by its hash alone (see `provider`)."""

_NOT_FOUND = "ResourceNotFoundException"
_SUPPORTED = frozenset(
    {
        "name",
        "role",
        "runtime",
        "handler",
        "code",
        "description",
        "timeout",
        "memorySize",
        "environment",
        "vpcConfig",
        "tags",
        "packageType",
        "architectures",
        "publish",
        "region",
    }
)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ENI_ACTION = "ec2:CreateNetworkInterface"


def zip_archive(archive: Any) -> bytes:
    """The zip pulumi-aws uploads for an `AssetArchive` of file and string assets."""
    if not isinstance(archive, pulumi.AssetArchive):
        raise UnsupportedTokenError("argument", f"{FUNCTION} code of type {type(archive)}")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(archive.assets):
            asset = archive.assets[name]
            if isinstance(asset, pulumi.FileAsset):
                data = Path(str(asset.path)).read_bytes()
            elif isinstance(asset, pulumi.StringAsset):
                data = str(asset.text).encode("utf-8")
            else:
                raise UnsupportedTokenError("argument", f"{FUNCTION} code asset {name}")
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            entry.external_attr = 0o644 << 16
            bundle.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _code_sha256(zipped: bytes) -> str:
    """A zip's `CodeSha256` as Lambda reports it: its SHA-256 in base64."""
    return base64.b64encode(hashlib.sha256(zipped).digest()).decode("ascii")


def code_file(code_dir: Path, code_sha256: str) -> Path:
    """Where the zip whose `CodeSha256` (base64, as Lambda reports it) is this is kept."""
    return code_dir / f"{base64.b64decode(code_sha256).hex()}.zip"


def _environment(inputs: Mapping[str, Any]) -> Props:
    variables = (inputs.get("environment") or {}).get("variables") or {}
    return {"Variables": dict(variables)}


def _vpc_config(inputs: Mapping[str, Any]) -> Props:
    config = inputs.get("vpcConfig") or {}
    return {
        "SubnetIds": list(config.get("subnetIds") or []),
        "SecurityGroupIds": list(config.get("securityGroupIds") or []),
    }


def _allows(document: Any, action: str) -> bool:
    if isinstance(document, str):
        document = json.loads(unquote(document))
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect") == "Allow" and any(a in (action, "*", "ec2:*") for a in actions):
            return True
    return False


class Functions:
    """The `aws:lambda/function:Function` resource type (zip packages)."""

    token = FUNCTION
    replace_on_change = frozenset({"name", "packageType", "region"})
    computed_outputs = (
        "arn",
        "invokeArn",
        "qualifiedArn",
        "version",
        "lastModified",
        "codeSha256",
        "sourceCodeHash",
        "sourceCodeSize",
        "tagsAll",
    )

    def check(
        self, ec2: Ec2, name: str, inputs: Mapping[str, Any], olds: Mapping[str, Any], seed: bytes
    ) -> tuple[Props, list[tuple[str, str]]]:
        for key, value in sorted(inputs.items()):
            if key not in _SUPPORTED and value not in (None, False, "", [], {}):
                raise UnsupportedTokenError("argument", f"{self.token} {key}")
        checked = {
            "region": ec2.region,
            "packageType": "Zip",
            "memorySize": 128,
            "timeout": 3,
            "publish": False,
            "architectures": ["x86_64"],
            **inputs,
        }
        if checked.get("name") is None:
            checked["name"] = olds.get("name") or autoname(name, seed)
        if isinstance(checked.get("code"), pulumi.AssetArchive):
            # pulumi-aws's own digest of what it will upload: a diff compares this, as the
            # engine sends the code itself to a diff without its contents.
            checked["sourceCodeHash"] = _code_sha256(zip_archive(checked["code"]))
        failures = [
            (key, f"Missing required property '{key}'")
            for key in ("role", "runtime", "handler", "code")
            if checked.get(key) is None
        ]
        return checked, failures

    kept_inputs = ("code",)

    def canonical(self, key: str, value: Any) -> Any:
        if key == "code":
            # Compared through `sourceCodeHash` (see `check`).
            return "archive"
        if key == "vpcConfig" and isinstance(value, Mapping):
            return {
                "subnetIds": frozenset(value.get("subnetIds") or []),
                "securityGroupIds": frozenset(value.get("securityGroupIds") or []),
            }
        return value

    def create(self, ec2: Ec2, inputs: Mapping[str, Any]) -> str:
        name = str(inputs["name"])
        operation = f"creating Lambda Function ({name})"
        zipped = zip_archive(inputs["code"])
        self._check_role(
            ec2, str(inputs["role"]), bool(_vpc_config(inputs)["SubnetIds"]), operation
        )
        ec2.call_on(
            ec2.lambda_,
            operation,
            "create_function",
            FunctionName=name,
            Runtime=inputs["runtime"],
            Role=inputs["role"],
            Handler=inputs["handler"],
            Code={"ZipFile": zipped},
            Description=inputs.get("description") or "",
            Timeout=int(inputs["timeout"]),
            MemorySize=int(inputs["memorySize"]),
            Environment=_environment(inputs),
            VpcConfig=_vpc_config(inputs),
            PackageType=inputs["packageType"],
            Architectures=list(inputs["architectures"]),
            Publish=bool(inputs["publish"]),
            Tags=dict(inputs.get("tags") or {}),
        )
        self._keep(ec2, zipped)
        return name

    def read(self, ec2: Ec2, name: str) -> Props | None:
        found = ec2.call_on_unless(
            ec2.lambda_,
            _NOT_FOUND,
            f"reading Lambda Function ({name})",
            "get_function",
            FunctionName=name,
        )
        if found is None:
            return None
        config = found["Configuration"]
        vpc = config.get("VpcConfig") or {}
        tags = dict(found.get("Tags") or {})
        variables = (config.get("Environment") or {}).get("Variables") or {}
        arn = config["FunctionArn"]
        return {
            "id": name,
            "name": name,
            "arn": arn,
            "qualifiedArn": f"{arn}:$LATEST",
            "invokeArn": f"arn:aws:apigateway:{ec2.region}:lambda:path/2015-03-31/functions/"
            f"{arn}/invocations",
            "version": config.get("Version", "$LATEST"),
            "lastModified": config.get("LastModified", ""),
            "role": config["Role"],
            "runtime": config.get("Runtime"),
            "handler": config.get("Handler"),
            "description": config.get("Description") or "",
            "timeout": config.get("Timeout"),
            "memorySize": config.get("MemorySize"),
            "environment": {"variables": variables} if variables else None,
            "vpcConfig": {
                "subnetIds": list(vpc.get("SubnetIds") or []),
                "securityGroupIds": list(vpc.get("SecurityGroupIds") or []),
                "vpcId": vpc.get("VpcId", ""),
                "ipv6AllowedForDualStack": False,
            }
            if vpc.get("SubnetIds")
            else None,
            "codeSha256": config.get("CodeSha256", ""),
            "sourceCodeHash": config.get("CodeSha256", ""),
            "sourceCodeSize": config.get("CodeSize", 0),
            "packageType": config.get("PackageType", "Zip"),
            "architectures": list(config.get("Architectures") or ["x86_64"]),
            "publish": False,
            "tags": tags or None,
            "tagsAll": tags,
            "region": ec2.region,
        }

    def update(self, ec2: Ec2, name: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> None:
        operation = f"updating Lambda Function ({name})"
        self._check_role(ec2, str(news["role"]), bool(_vpc_config(news)["SubnetIds"]), operation)
        ec2.call_on(
            ec2.lambda_,
            operation,
            "update_function_configuration",
            FunctionName=name,
            Runtime=news["runtime"],
            Role=news["role"],
            Handler=news["handler"],
            Description=news.get("description") or "",
            Timeout=int(news["timeout"]),
            MemorySize=int(news["memorySize"]),
            Environment=_environment(news),
            VpcConfig=_vpc_config(news),
        )
        if olds.get("codeSha256") != _code_sha256(zip_archive(news["code"])):
            zipped = zip_archive(news["code"])
            ec2.call_on(
                ec2.lambda_, operation, "update_function_code", FunctionName=name, ZipFile=zipped
            )
            self._keep(ec2, zipped)
        arn = ec2.call_on(ec2.lambda_, operation, "get_function", FunctionName=name)[
            "Configuration"
        ]["FunctionArn"]
        old_tags, new_tags = olds.get("tags") or {}, news.get("tags") or {}
        if removed := [key for key in old_tags if key not in new_tags]:
            ec2.call_on(ec2.lambda_, operation, "untag_resource", Resource=arn, TagKeys=removed)
        if new_tags:
            ec2.call_on(ec2.lambda_, operation, "tag_resource", Resource=arn, Tags=dict(new_tags))

    def delete(self, ec2: Ec2, name: str, props: Mapping[str, Any]) -> None:
        ec2.call_on_unless(
            ec2.lambda_,
            _NOT_FOUND,
            f"deleting Lambda Function ({name})",
            "delete_function",
            FunctionName=name,
        )

    @staticmethod
    def _keep(ec2: Ec2, zipped: bytes) -> None:
        if ec2.lambda_code_dir is None:
            return
        ec2.lambda_code_dir.mkdir(parents=True, exist_ok=True)
        code_file(ec2.lambda_code_dir, _code_sha256(zipped)).write_bytes(zipped)

    @staticmethod
    def _check_role(ec2: Ec2, role_arn: str, in_vpc: bool, operation: str) -> None:
        """Lambda's checks of the execution role at create and update."""
        role_name = role_arn.rsplit("/", 1)[-1]
        found = ec2.call_on_unless(
            ec2.iam, "NoSuchEntity", operation, "get_role", RoleName=role_name
        )
        if found is None:
            raise AwsApiError(
                operation,
                "InvalidParameterValueException",
                "The role defined for the function cannot be assumed by Lambda.",
            )
        if not in_vpc:
            return
        attached = ec2.call_on(
            ec2.iam, operation, "list_attached_role_policies", RoleName=role_name
        )["AttachedPolicies"]
        for policy in attached:
            version = ec2.call_on(ec2.iam, operation, "get_policy", PolicyArn=policy["PolicyArn"])[
                "Policy"
            ]["DefaultVersionId"]
            document = ec2.call_on(
                ec2.iam,
                operation,
                "get_policy_version",
                PolicyArn=policy["PolicyArn"],
                VersionId=version,
            )["PolicyVersion"]["Document"]
            if _allows(document, _ENI_ACTION):
                return
        raise AwsApiError(
            operation,
            "InvalidParameterValueException",
            "The provided execution role does not have permissions to call "
            "CreateNetworkInterface on EC2",
        )
