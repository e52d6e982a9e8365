"""docs/language.md stays true: its examples parse, its table of diagnostic codes lists every
code with its title, and its table of properties is the checker's."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from qzdsl.language import ast
from qzdsl.language.checks import ALLOWED
from qzdsl.diagnostics import CODES
from qzdsl.language.parser import parse

DOC = (Path(__file__).resolve().parents[2] / "docs" / "language.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```qz\n(.*?)```", DOC, re.DOTALL)


def test_the_reference_has_examples():
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda text: text.split("\n")[0][:40])
def test_every_example_parses(example):
    assert parse(example, "docs/language.md").decls


@pytest.mark.parametrize("code", sorted(c for c in CODES if CODES[c].family != "audit"))  # QZA: docs/audit.md
def test_every_diagnostic_code_is_documented_with_its_title(code):
    assert f"| {code} | {CODES[code].title_en} |" in DOC


def _table(header: str) -> list[list[str]]:
    start = DOC.index(header)
    rows = []
    for line in DOC[start:].split("\n")[2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_property_table_is_the_checkers():
    header = "| property | policy | section | fact | define | benefit |"
    columns = [c.strip() for c in DOC[DOC.index(header):].split("\n")[0].strip("|").split("|")][1:]
    by_word = {cls.KEYWORD: cls for cls in typing.get_args(ast.Prop)}
    documented: dict[str, set[type]] = {column: set() for column in columns}
    for first, *marks in _table(header):
        classes = {by_word[word.strip().strip("`")] for word in first.split(",")}
        for column, mark in zip(columns, marks):
            if mark == "✓":
                documented[column] |= classes
    assert documented == ALLOWED
