"""No control character reaches a terminal raw, and no report format can be driven by what
a case or policy says: one terminal sanitiser, one escaper per format (qzdsl.escape). The
hostile inputs are the files of tests/fixtures/probes/."""

from __future__ import annotations

import csv

import pytest

from qzdsl import escape

POLICY = "tests/fixtures/eval/policy.qz"
PROBES = "tests/fixtures/probes"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


def _clean(text: str) -> bool:
    return not any(ch in text for ch in RAW)


# ---- the escapers --------------------------------------------------------------------------


@pytest.mark.parametrize("text, shown", [
    ("a\x1b]0;t\x07b", "a\\x1b]0;t\\x07b"),
    ("\x9b31m", "\\x9b31m"),
    ("r\u202eevil", "r\\u202eevil"),
    ("行一\n\t行二", "行一\n\t行二"),
])
def test_terminal_shows_control_characters_as_escapes(text, shown):
    assert escape.terminal(text) == shown


@pytest.mark.parametrize("text", ["![x](http://e)", "[a](b)", "<img src=x>", "*em*", "`code`", "a|b", "# h", "1. x"])
def test_markdown_forms_no_markup(text):
    import re

    escaped = escape.markdown(text)
    assert "<" not in escaped and not re.search(r"(?<!\\)[\[*`|]", escaped)
    assert not re.match(r"#|\d+\.", escaped)


@pytest.mark.parametrize("cell, expected", [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
                                            ("\t=1", "'\t=1"), ("ok", "ok"), ("", "")])
def test_csv_cells_cannot_be_formulas(cell, expected):
    assert escape.csv_cell(cell) == expected


def test_html_escapes_quotes_and_tags():
    assert escape.html('<a href="x">\x1b') == "&lt;a href=&quot;x&quot;&gt;\\x1b"


# ---- every place text is shown ---------------------------------------------------------------


def test_the_eval_table_never_prints_an_escape_sequence(run_cli, root):
    code, out, _ = run_cli("eval", root / PROBES / "escape-in-name.yaml", "-p", root / POLICY)
    assert code == 0 and _clean(out) and "\\x1b]0;pwned" in out


def test_a_diagnostic_never_prints_an_escape_sequence(run_cli, root):
    code, _, err = run_cli("eval", root / PROBES / "escape-in-key.yaml", "-p", root / POLICY)
    assert code == 1 and "QZ402" in err and _clean(err) and "\\x1b[2Jkey" in err


def test_show_never_prints_an_escape_sequence(run_cli, tmp_path, root):
    policy = tmp_path / "policy.qz"
    text = (root / POLICY).read_text(encoding="utf-8").replace('"在本市就业"', '"在本市\\e[31m就业"', 1)
    policy.write_text(text, encoding="utf-8")
    (tmp_path / "source.txt").write_bytes((root / "tests/fixtures/eval/source.txt").read_bytes())
    code, out, _ = run_cli("show", "-p", policy)
    assert code == 0 and _clean(out)


def test_markdown_and_html_reports_carry_no_markup_from_the_case(run_cli, root):
    case = root / PROBES / "markup-in-name.yaml"
    _, md, _ = run_cli("eval", case, "-p", root / POLICY, "-f", "md")
    assert "![x](" not in md and "[click](" not in md and "<img" not in md
    _, html, _ = run_cli("eval", case, "-p", root / POLICY, "-f", "html")
    assert "<img src=x" not in html


def test_the_batch_errors_file_holds_no_live_formula(run_cli, root, tmp_path):
    out = tmp_path / "result.csv"
    code, _, _ = run_cli("eval", "--batch", root / PROBES / "formula-row-id.csv", "--out", out, "-p", root / POLICY)
    assert code == 1
    with open(tmp_path / "result.errors.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    assert all(row["row_id"][0] not in "=+-@" and row["reasons"][:1] not in ("=", "+", "-", "@") for row in rows)
    assert rows[0]["row_id"].startswith("'=HYPERLINK")
