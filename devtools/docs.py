"""The tables of ``PrivateLinkArgs`` and of ``PrivateLink``'s outputs in the configuration
reference (``docs/configuration.md``), generated from the docstrings in ``args.py`` and
``component.py``.

The docstrings are the one place an argument's or an output's meaning (and an argument's
default) is written; the reference only shows them, and the plugin's schema describes the same
with them (:mod:`devtools.schema`). ``python -m devtools.docs`` rewrites both tables, ``--check``
fails with a diff when either is out of date. The source is read with :mod:`ast`, not imported:
runtime objects do not keep an attribute's docstring or its annotation as written.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ARGS_SOURCE",
    "COMPONENT_SOURCE",
    "REFERENCE",
    "TABLES",
    "FieldDoc",
    "OutputDoc",
    "Table",
    "field_docs",
    "generate",
    "main",
    "output_docs",
    "readme_diff",
    "render_outputs_table",
    "render_table",
    "replace_table",
]

_ROOT = Path(__file__).resolve().parent.parent
ARGS_SOURCE = _ROOT / "rockset_pulumi" / "args.py"
COMPONENT_SOURCE = _ROOT / "rockset_pulumi" / "component.py"
REFERENCE = _ROOT / "docs" / "configuration.md"
_SHOWN = REFERENCE.relative_to(_ROOT).as_posix()
_ARGS_CLASS = "PrivateLinkArgs"
_COMPONENT_CLASS = "PrivateLink"
_OUTPUT = re.compile(r"pulumi\.Output\[(?P<type>.*)\]", re.DOTALL)

# Whatever follows the last "Default:" is the default: some defaults are sentences themselves.
_DEFAULT = re.compile(r"(?P<meaning>.*\S)\s+Default:\s+(?P<default>.*?)\.?", re.DOTALL)
_ROLE = re.compile(r":[a-z]+:`([^`]+)`")


@dataclass(frozen=True)
class FieldDoc:
    """One row of the arguments table, in Markdown."""

    name: str
    annotation: str
    default: str
    meaning: str


@dataclass(frozen=True)
class OutputDoc:
    """One row of the outputs table, in Markdown."""

    name: str
    type: str
    """What the ``pulumi.Output`` holds, as annotated."""
    meaning: str


def _markdown(text: str) -> str:
    """A reST docstring as one line of Markdown: roles and double backticks become code spans."""
    text = _ROLE.sub(r"`\1`", text).replace("``", "`")
    return " ".join(text.split())


def _split(name: str, docstring: str) -> tuple[str, str]:
    match = _DEFAULT.fullmatch(docstring.strip())
    if match is None:
        raise ValueError(
            f"{_ARGS_CLASS}.{name}: the docstring does not end in a 'Default: ...' sentence"
        )
    return _markdown(match["meaning"]), _markdown(match["default"])


def _attributes(source: str, class_name: str) -> Iterator[tuple[str, ast.expr, str]]:
    """Each annotated attribute of ``class_name`` in ``source``, in order: its name, its
    annotation and the docstring under it, which every one must have."""
    tree = ast.parse(source)
    body = next(
        node.body
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == class_name
    )
    for node, following in zip(body, [*body[1:], None], strict=True):
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        name = node.target.id
        if not (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            raise ValueError(f"{class_name}.{name} has no docstring")
        yield name, node.annotation, following.value.value


def _as_written(annotation: str) -> str:
    return re.sub(r"\bpulumi\.", "", annotation)


def field_docs(source: str, class_name: str = _ARGS_CLASS) -> list[FieldDoc]:
    """The fields of ``class_name`` (``PrivateLinkArgs``) in ``source``, in order; every one must
    be documented."""
    docs: list[FieldDoc] = []
    for name, annotation, docstring in _attributes(source, class_name):
        meaning, default = _split(name, docstring)
        docs.append(FieldDoc(name, _as_written(ast.unparse(annotation)), default, meaning))
    return docs


def output_docs(source: str) -> list[OutputDoc]:
    """The ``pulumi.Output`` attributes of ``PrivateLink`` in ``source``, in order (its child
    resources are attributes too, but no outputs); every one must be documented."""
    docs: list[OutputDoc] = []
    for name, annotation, docstring in _attributes(source, _COMPONENT_CLASS):
        output = _OUTPUT.fullmatch(ast.unparse(annotation))
        if output is not None:
            docs.append(OutputDoc(name, _as_written(output["type"]), _markdown(docstring)))
    return docs


def _cell(text: str) -> str:
    # A "|" splits a table cell even inside a code span unless escaped (GFM).
    return text.replace("|", r"\|")


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "".join(f"| {' | '.join(line)} |\n" for line in lines)


def render_table(docs: Sequence[FieldDoc]) -> str:
    """The arguments table in Markdown, ending in a newline."""
    return _markdown_table(
        ("argument", "type", "default", "meaning"),
        [
            (f"`{d.name}`", f"`{_cell(d.annotation)}`", _cell(d.default), _cell(d.meaning))
            for d in docs
        ],
    )


def render_outputs_table(docs: Sequence[OutputDoc]) -> str:
    """The outputs table in Markdown, ending in a newline."""
    return _markdown_table(
        ("output", "type", "meaning"),
        [(f"`{d.name}`", f"`{_cell(d.type)}`", _cell(d.meaning)) for d in docs],
    )


@dataclass(frozen=True)
class Table:
    """A generated table of the configuration reference: its markers, and the source it is
    rendered from."""

    marker: str
    source: Path
    render: Callable[[str], str]
    """The source's text to the Markdown table."""

    @property
    def begin(self) -> str:
        return f"<!-- {self.marker}:begin -->"

    @property
    def end(self) -> str:
        return f"<!-- {self.marker}:end -->"

    @property
    def note(self) -> str:
        where = self.source.relative_to(_ROOT).as_posix()
        return f"<!-- generated by `make docs` from the docstrings in {where}: edit those -->"


TABLES = (
    Table("args", ARGS_SOURCE, lambda source: render_table(field_docs(source))),
    Table("outputs", COMPONENT_SOURCE, lambda source: render_outputs_table(output_docs(source))),
)
"""The reference's generated tables: ``PrivateLinkArgs``, and ``PrivateLink``'s outputs."""


def replace_table(readme: str, table: Table, rendered: str) -> str:
    """``readme`` with everything between ``table``'s markers replaced by ``rendered``."""
    start, end = readme.find(table.begin), readme.find(table.end)
    if start < 0 or end < start:
        raise ValueError(
            f"{_SHOWN} needs {table.begin} and then {table.end} around the {table.marker} table"
        )
    return f"{readme[: start + len(table.begin)]}\n{table.note}\n\n{rendered}\n{readme[end:]}"


def generate(readme: str) -> str:
    """``readme`` with every table rendered afresh from its source."""
    for table in TABLES:
        readme = replace_table(readme, table, table.render(table.source.read_text("utf-8")))
    return readme


def readme_diff(readme: str, generated: str) -> str:
    """A unified diff from ``readme`` to ``generated``; empty when they are the same."""
    return "".join(
        difflib.unified_diff(
            readme.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            fromfile=_SHOWN,
            tofile=f"{_SHOWN} (generated)",
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.docs", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 with a diff if out of date"
    )
    options = parser.parse_args(argv)
    current = REFERENCE.read_text(encoding="utf-8")
    try:
        generated = generate(current)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if generated == current:
        return 0
    if options.check:
        sys.stdout.write(readme_diff(current, generated))
        print(f"{_SHOWN} is out of date: run `make docs`.", file=sys.stderr)
        return 1
    REFERENCE.write_text(generated, encoding="utf-8")
    print(f"{_SHOWN}: arguments and outputs tables rewritten.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
