"""`qzdsl fmt`: one canonical layout that keeps the meaning and every comment.

The layout itself is data: fixtures/ok/layout/NAME.in.qz formats to NAME.out.qz."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qzdsl.language import ast
from qzdsl import cli
from qzdsl.diagnostics import QzError
from qzdsl.language.formatter import format_policy, format_text
from qzdsl.language.parser import parse
from qzdsl.money import parse_number
from qzdsl.resources import bundled_policy_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LAYOUTS = sorted((FIXTURES / "ok" / "layout").glob("*.in.qz"))
runner = CliRunner()


def _parses(path: Path) -> bool:
    try:
        parse(path.read_text(encoding="utf-8"))
    except QzError:
        return False
    return True


PARSING = [p for p in sorted(FIXTURES.rglob("*.qz")) if _parses(p)]


def _comments(text: str) -> Counter:
    return Counter(c.text for c in parse(text).comments)


def _assert_round_trip(text: str) -> str:
    formatted = format_text(text, "policy.qz")
    assert parse(formatted, "policy.qz") == parse(text, "policy.qz")
    assert format_text(formatted, "policy.qz") == formatted
    assert _comments(formatted) == _comments(text)
    return formatted


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.name.removesuffix(".in.qz"))
def test_layout(path):
    expected = path.with_name(path.name.replace(".in.qz", ".out.qz")).read_text(encoding="utf-8")
    assert format_text(path.read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize("path", PARSING, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_round_trips(path):
    _assert_round_trip(path.read_text(encoding="utf-8"))


def test_bundled_policy_round_trips():
    _assert_round_trip(bundled_policy_path().read_text(encoding="utf-8"))


def test_bundled_policy_is_in_canonical_layout():
    path = bundled_policy_path()
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text, "run: qzdsl fmt policies/qzf-2023-12/policy.qz"


def test_within_keeps_its_start():
    text = 'target t "x": goal >= 5 个, within 5 years from applies_from, cite "新建省级及以上创业孵化平台5个"\n'
    formatted = format_text(text)
    assert "within 5 years from applies_from" in formatted
    assert parse(formatted).decls == parse(text).decls


def test_enough_fixtures_take_part_in_the_round_trip():
    assert len(PARSING) >= 40


def test_a_file_with_syntax_errors_is_not_formatted():
    with pytest.raises(QzError) as error:
        format_text('kind person "个人\n')
    assert [d.code for d in error.value.diagnostics] == ["QZ002"]


def test_empty_and_comment_only_files():
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("# only\n\n\n# comments   \n") == "# only\n\n# comments\n"


def test_money_keeps_its_spelling():
    text = format_text("benefit b: 2万元 to 10亿, cap 1.5万 total, to p, cite \"x\"")
    assert "2万元 to 10亿" in text and "cap 1.5万 total" in text


def test_several_end_of_line_comments_on_one_property_are_kept_in_order():
    text = 'fact a:\n  enum {x,  # one\n  y},  # two\n  of p  # three\n'
    formatted = _assert_round_trip(text)
    assert formatted == "fact a:\n    enum {x, y},  # one\n    # two\n    of p  # three\n"


# ---- expressions: any tree prints to text that parses back to the same tree -----------

_names = st.sampled_from(["a", "b", "employment", "就业状态", "as_of_date"]).map(ast.Name)
_numbers = st.sampled_from(["0", "3", "8000", "2万", "1.5万元", "10亿"]).map(
    lambda text: ast.Number(parse_number(text), text))
_atoms = st.one_of(
    _names, _numbers, st.builds(ast.Bool, st.booleans()), st.just(ast.AsOf()),
    st.sampled_from(["2023-01-01", "2024-02-29"]).map(lambda t: ast.DateLit(ast.DateText(t))),
    st.builds(ast.Duration, st.integers(1, 12), st.sampled_from(["years", "months", "days"])),
)


def _bool_op(op: str, children):
    # The parser flattens `a and (b and c)`: an operand never has its parent's operator.
    operand = children.filter(lambda e: not (isinstance(e, ast.BoolOp) and e.op == op))
    return st.lists(operand, min_size=2, max_size=3).map(lambda ops: ast.BoolOp(op, tuple(ops)))


def _compound(children):
    return st.one_of(
        _bool_op("and", children), _bool_op("or", children), st.builds(ast.Not, children),
        st.builds(ast.Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), children, children),
        st.builds(ast.Member, children, st.lists(_names, min_size=1, max_size=3).map(tuple), st.booleans()),
        st.builds(ast.Arith, st.sampled_from(["+", "-"]), children, children),
    )


expressions = st.recursive(_atoms, _compound, max_leaves=12)


_a, _b, _c = ast.Name("a"), ast.Name("b"), ast.Name("c")


@settings(max_examples=150, deadline=None)
@given(expressions)
@example(ast.Arith("-", _a, ast.Arith("-", _b, _c)))  # a - (b - c)
@example(ast.Not(ast.BoolOp("and", (_a, _b))))  # not (a and b)
@example(ast.BoolOp("and", (ast.BoolOp("or", (_a, _b)), _c)))  # (a or b) and c
@example(ast.Compare("==", ast.Compare("<", _a, _b), ast.Bool(True)))  # (a < b) == true
@example(ast.Member(ast.Not(_a), (_b,), negated=False))  # (not a) in {b}
def test_any_expression_prints_back_to_itself(expr):
    text = format_policy(ast.PolicyFile("p.qz", "", (ast.DefineDecl("d", None, expr, ()),)))
    assert parse(text).decls[0].expr == expr


# ---- the command -------------------------------------------------------------------------

MESSY = 'policy "测试":title "t",applies_from 2023-01-01\nkind person   "个人"\n'
TIDY = 'policy "测试":\n    title "t",\n    applies_from 2023-01-01\n\nkind person "个人"\n'


def test_fmt_rewrites_files_in_place(tmp_path):
    messy, tidy = tmp_path / "messy.qz", tmp_path / "tidy.qz"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    result = runner.invoke(cli.app, ["fmt", str(messy), str(tidy)])
    assert result.exit_code == 0
    assert messy.read_text(encoding="utf-8") == TIDY
    assert result.stderr == f"已重新格式化 {messy}\n"


def test_fmt_check_lists_files_that_would_change_and_writes_nothing(tmp_path):
    messy, tidy = tmp_path / "messy.qz", tmp_path / "tidy.qz"
    messy.write_text(MESSY, encoding="utf-8")
    tidy.write_text(TIDY, encoding="utf-8")
    result = runner.invoke(cli.app, ["fmt", "--check", str(messy), str(tidy)])
    assert result.exit_code == 1
    assert result.stdout == f"{messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY
    assert runner.invoke(cli.app, ["fmt", "--check", str(tidy)]).exit_code == 0


def test_fmt_stdout_prints_instead_of_writing(tmp_path):
    messy = tmp_path / "messy.qz"
    messy.write_text(MESSY, encoding="utf-8")
    result = runner.invoke(cli.app, ["fmt", "--stdout", str(messy)])
    assert result.exit_code == 0
    assert result.stdout == TIDY
    assert messy.read_text(encoding="utf-8") == MESSY


def test_fmt_leaves_a_file_with_syntax_errors_untouched(tmp_path):
    broken = tmp_path / "broken.qz"
    broken.write_text('kind person "个人\n', encoding="utf-8")
    result = runner.invoke(cli.app, ["fmt", str(broken)])
    assert result.exit_code == 1
    assert "error[QZ002]: 文字缺少结束的引号" in result.stderr  # in the default language, Chinese
    assert broken.read_text(encoding="utf-8") == 'kind person "个人\n'


def test_fmt_reports_a_file_that_is_not_utf8(tmp_path):
    latin = tmp_path / "latin.qz"
    latin.write_bytes(b"kind caf\xe9\n")
    result = runner.invoke(cli.app, ["fmt", str(latin)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error[QZ010]: 无法读取 {latin}：不是有效的 UTF-8 文本")
    assert latin.read_bytes() == b"kind caf\xe9\n"


@pytest.mark.parametrize("args", [["fmt", "no-such.qz"], ["fmt", "--check", "--stdout", "x.qz"]])
def test_fmt_usage_errors_exit_2(args, tmp_path):
    (tmp_path / "x.qz").write_text(TIDY, encoding="utf-8")
    result = runner.invoke(cli.app, [str(tmp_path / a) if a.endswith(".qz") else a for a in args])
    assert result.exit_code == 2
    assert "qzdsl fmt: 错误: " in result.stderr
