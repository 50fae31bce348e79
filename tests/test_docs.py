"""The tables of ``PrivateLinkArgs`` and of ``PrivateLink``'s outputs in the configuration
reference (``docs/configuration.md``) are generated from the docstrings, and stay so."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import pytest

from devtools import aws_double, docs
from devtools.pulumi_mocks import program
from devtools.schema import generate
from rockset_pulumi import PrivateLink, PrivateLinkArgs
from rockset_pulumi.args import DEFAULT_CHECK_TIMEOUT
from rockset_pulumi.plugin.naming import camel
from tests.support.emulator import REPO_ROOT
from tests.test_component import link

SOURCE = docs.ARGS_SOURCE.read_text(encoding="utf-8")
DOCS = {doc.name: doc for doc in docs.field_docs(SOURCE)}
OUTPUTS = docs.output_docs(docs.COMPONENT_SOURCE.read_text(encoding="utf-8"))


def test_readme_tables_are_what_make_docs_generates() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "devtools.docs", "--check"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}{result.stderr}"


def test_every_field_has_a_docstring_ending_in_its_default() -> None:
    # field_docs refuses a field without one; this ties what it read to the real dataclass.
    assert list(DOCS) == [field.name for field in fields(PrivateLinkArgs)]
    for doc in DOCS.values():
        assert doc.meaning, doc.name
        assert doc.default, doc.name


def test_documented_literal_defaults_are_the_dataclass_defaults() -> None:
    literal = [
        field
        for field in fields(PrivateLinkArgs)
        if field.default is not MISSING and isinstance(field.default, bool | int | float)
    ]
    assert {field.name for field in literal} >= {"lockdown", "expected_gb_per_month"}
    for field in literal:
        assert ast.literal_eval(DOCS[field.name].default) == field.default, field.name
    # None in the dataclass means "resolve_args fills it in"; the docstring states what with.
    assert float(DOCS["check_timeout"].default) == DEFAULT_CHECK_TIMEOUT


def test_types_are_the_annotations_as_written() -> None:
    assert DOCS["check_timeout"].annotation == "float | None"
    assert DOCS["subnet_ids"].annotation == "Input[Sequence[Input[str]]]"
    row = next(
        line
        for line in docs.render_table(list(DOCS.values())).splitlines()
        if line.startswith("| `checks` |")
    )
    # Escaped, or the "|" of the union would split the table cell.
    assert row.startswith(
        r"| `checks` | `bool \| None` | True when `api_key` is given, else False |"
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            '    lockdown: bool = False\n    """Lock it down."""\n',
            "does not end in a 'Default: ...'",
        ),
        ("    lockdown: bool = False\n", "has no docstring"),
    ],
)
def test_a_field_without_its_default_sentence_is_refused(field: str, message: str) -> None:
    documented = '    vpc_id: str\n    """The VPC. Default: required."""\n'
    source = f"class PrivateLinkArgs:\n{documented}{field}"
    with pytest.raises(ValueError, match=message):
        docs.field_docs(source)


@pytest.mark.parametrize(
    ("good_row", "stale_row"),
    [
        ("| `check_timeout` | `float \\| None` | 900 |", "| `check_timeout` | `float` | 600 |"),
        ("| `endpoint_state` | `str` | The endpoint's", "| `endpoint_state` | `str` | An"),
    ],
    ids=["args", "outputs"],
)
def test_check_fails_with_a_diff_and_a_plain_run_repairs(
    good_row: str,
    stale_row: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = docs.REFERENCE.read_text(encoding="utf-8")
    stale = good.replace(good_row, stale_row)
    assert stale != good
    readme = tmp_path / "configuration.md"
    readme.write_text(stale, encoding="utf-8")
    monkeypatch.setattr(docs, "REFERENCE", readme)

    assert docs.main(["--check"]) == 1
    out = capsys.readouterr()
    assert f"-{stale_row}" in out.out
    assert "run `make docs`" in out.err
    assert readme.read_text(encoding="utf-8") == stale

    assert docs.main([]) == 0
    assert readme.read_text(encoding="utf-8") == good
    assert docs.main(["--check"]) == 0


@pytest.mark.parametrize("table", docs.TABLES, ids=lambda table: table.marker)
def test_a_readme_without_markers_is_refused(table: docs.Table) -> None:
    with pytest.raises(ValueError, match=f"{table.marker}:begin"):
        docs.replace_table("# no table here\n", table, "| a |\n")


def test_the_outputs_table_has_a_row_for_each_registered_output_and_no_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: list[str] = []

    def record(self: PrivateLink, outputs: Mapping[str, Any]) -> None:
        registered.extend(outputs)

    monkeypatch.setattr(PrivateLink, "register_outputs", record)
    with program() as aws:
        link(aws)
    rows = re.findall(r"^\| `(\w+)` \|", _between(docs.TABLES[1]), re.MULTILINE)
    assert "vpc_endpoint_id" in registered
    assert sorted(registered) == sorted(rows)


def test_an_output_names_every_field_of_the_object_it_holds() -> None:
    # The schema's object types are generated from the dataclasses the steps return.
    schema = generate()
    types = schema["types"]
    outputs = schema["resources"]["rockset:index:PrivateLink"]["properties"]

    def fields(spec: Mapping[str, Any]) -> set[str]:
        ref = spec.get("$ref") or spec.get("items", {}).get("$ref")
        if ref is None:
            return set()
        properties = types[ref.removeprefix("#/types/")]["properties"]
        return {camel(name) for name in properties} | {
            name for inner in properties.values() for name in fields(inner)
        }

    objects = {doc.name: fields(outputs[camel(doc.name)]) for doc in OUTPUTS}
    assert {"holds", "userEmail", "monthlySaving"} <= set().union(*objects.values())
    for doc in OUTPUTS:
        if doc.name == "dns_entries":
            continue  # AWS's own record, as pulumi-aws returns it
        named = {camel(name) for name in re.findall(r"`(\w+)`", doc.meaning)}
        assert objects[doc.name] <= named, doc.name


def test_an_output_without_a_docstring_is_refused() -> None:
    source = (
        "class PrivateLink:\n"
        '    public_url: pulumi.Output[str]\n    """The URL."""\n'
        "    privatelink_url: pulumi.Output[str]\n"
    )
    with pytest.raises(ValueError, match=r"PrivateLink\.privatelink_url has no docstring"):
        docs.output_docs(source)


def test_output_types_are_what_the_outputs_hold_as_written() -> None:
    types = {doc.name: doc.type for doc in OUTPUTS}
    assert types["hosted_zone_id"] == "str | None"
    assert types["dns_entries"] == "Sequence[Mapping[str, Any]]"
    # Child resources are attributes but not outputs.
    assert "endpoint" not in types


def _between(table: docs.Table) -> str:
    readme = docs.REFERENCE.read_text(encoding="utf-8")
    return readme[readme.index(table.begin) : readme.index(table.end)]


def test_the_aws_double_docstring_names_each_of_its_modules() -> None:
    package = Path(aws_double.__file__).parent
    modules = {path.stem for path in package.glob("*.py")} - {"__init__"}
    assert modules >= {"route53", "iam", "lambda_functions", "log_groups"}
    unnamed = sorted(m for m in modules if f"`{m}`" not in (aws_double.__doc__ or ""))
    assert unnamed == []
