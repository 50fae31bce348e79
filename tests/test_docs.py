"""The README's ``PrivateLinkArgs`` table is generated from the field docstrings, and stays so."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from devtools import aws_double, docs
from rockset_pulumi import PrivateLinkArgs
from rockset_pulumi.args import DEFAULT_CHECK_TIMEOUT
from tests.support.emulator import REPO_ROOT

SOURCE = docs.ARGS_SOURCE.read_text(encoding="utf-8")
DOCS = {doc.name: doc for doc in docs.field_docs(SOURCE)}


def test_readme_table_is_what_make_docs_generates() -> None:
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


def test_check_fails_with_a_diff_and_a_plain_run_repairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = docs.README.read_text(encoding="utf-8")
    stale = good.replace(
        "| `check_timeout` | `float \\| None` | 900 |", "| `check_timeout` | `float` | 600 |"
    )
    assert stale != good
    readme = tmp_path / "README.md"
    readme.write_text(stale, encoding="utf-8")
    monkeypatch.setattr(docs, "README", readme)

    assert docs.main(["--check"]) == 1
    out = capsys.readouterr()
    assert "-| `check_timeout` | `float` | 600 |" in out.out
    assert "run `make docs`" in out.err
    assert readme.read_text(encoding="utf-8") == stale

    assert docs.main([]) == 0
    assert readme.read_text(encoding="utf-8") == good
    assert docs.main(["--check"]) == 0


def test_a_readme_without_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="args:begin"):
        docs.replace_table("# no table here\n", "| a |\n")


def test_the_aws_double_docstring_names_each_of_its_modules() -> None:
    package = Path(aws_double.__file__).parent
    modules = {path.stem for path in package.glob("*.py")} - {"__init__"}
    assert modules >= {"route53", "iam", "lambda_functions", "log_groups"}
    unnamed = sorted(m for m in modules if f"`{m}`" not in (aws_double.__doc__ or ""))
    assert unnamed == []
