"""The parser: numbers and amounts as Chinese texts write them, the typed AST, comments,
and syntax errors that say where and what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qzdsl.language import ast
from qzdsl.diagnostics import QzError, render
from qzdsl.language.parser import parse
from qzdsl.money import parse_number
from qzdsl.language.source_text import SourceText, amounts_in, figures_in


@pytest.mark.parametrize("text, value", [
    ("8000", 8000), ("2万", 20000), ("2万元", 20000), ("8000元", 8000), ("10亿", 1_000_000_000),
    ("10亿元", 1_000_000_000), ("1.5万", 15000), ("3.5万", 35000), ("0.5", Decimal("0.5")),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_number_gives_whole_yuan_as_integers():
    assert str(parse_number("1.5万")) == "15000"
    assert str(parse_number("2万元")) == "20000"


@pytest.mark.parametrize("text, amounts", [
    ("可享受一次性2万元购房补贴", [20000]),
    ("政府性融资担保安排10亿元规模专项用于支持创业", [1_000_000_000]),
    ("为符合条件的创业主体给予10—30万元担保", [100000, 300000]),
    ("可给予每人每年最高8000元补贴", [8000]),
    ("每人每年5000元最高5万元的创业带动就业补贴", [5000, 50000]),
    ("给予每人每月100元补贴，两项补贴最长享受10年", [100]),
    ("支持各县（市、区）打造1—2个乡村创业品牌", []),
    ("可按规定申请住房公积金贷款", []),
    ("给予10万—30万元担保", [100000, 300000]),
    ("每人每年8,000元补贴", [8000]),
    ("补助12,345.50元", ["12345.50"]),
    ("可享受两万元购房补贴", [20000]),
    ("给予一万五千元奖励，另给予8000元", [15000, 8000]),
    # Read by cn2an: the old hand-written reader made these 10005, 2005 and 30005.
    ("给予一万五元奖励", [15000]), ("补贴两千五元", [2500]), ("最高三万五元", [35000]),
    ("奖励壹万贰仟元", [12000]), ("补助２００００元", [20000]), ("补助2.5万元", [25000]),
    ("推进多元化职业伤害保障", []),
])
def test_amounts_in(text, amounts):
    assert amounts_in(text) == [Decimal(a) for a in amounts]


def test_figures_in_reads_people_firms_and_percentages():
    assert figures_in("力争新增城镇就业达到25万人以上，市场主体规模达到35万家以上") == [250000, 350000]
    assert figures_in("技能人才占从业人员比例达到37%") == [37]
    assert figures_in("职业技能培训25万人次以上") == [250000]


def test_quotes_are_found_regardless_of_white_space():
    source = SourceText("第一句。\n（十）实施就业创业安居保障行动。首次到衢\n非公企业就业　的人员。")
    assert source.find("首次到衢非公企业就业的人员") >= 0
    assert source.line_of_quote("首次到衢 非公企业") == 2
    assert source.find("") == -1


def test_sentences_that_mention_money_are_marked():
    source = SourceText("强化组织领导。可享受每年4500元的租房补贴；领导小组要定期研究。")
    assert [s.mentions_payout for s in source.sentences] == [False, True, False]


# ---- the typed AST ------------------------------------------------------------------


def test_a_benefit_parses_to_its_typed_properties():
    policy = parse('benefit housing "购房补贴": up to 8000 per year per head of family_size, max 10 years,\n'
                   '  from year of purchase_date, to person, cite "q" in "二（十）"')
    (decl,) = policy.decls
    assert decl == ast.ClauseDecl("benefit", "housing", "购房补贴", (
        ast.Amount("up_to", ast.Money(Decimal(8000)), None, "years", ast.Name("family_size")),
        ast.Max(10, "years"),
        ast.From(ast.Name("purchase_date"), calendar_year=True),
        ast.To(ast.Name("person")),
        ast.Cite("q", "二（十）"),
    ))
    assert decl.props[0].low.text == "8000"
    assert (decl.span.line, decl.span.column, decl.name_span.column) == (1, 1, 9)
    assert (decl.props[2].span.line, decl.props[2].span.column) == (2, 3)


def test_spans_do_not_take_part_in_equality():
    assert parse("kind person") == parse("\n\n   kind    person\n")
    assert parse("kind person") != parse("kind persons")


def test_and_or_chains_are_flattened():
    expr = parse("define d: a and (b and c) or d").decls[0].expr
    assert expr == ast.BoolOp("or", (ast.BoolOp("and", (ast.Name("a"), ast.Name("b"), ast.Name("c"))),
                                     ast.Name("d")))


def test_date_arithmetic_and_as_of():
    expr = parse("define d: as_of <= graduation_date + 2 years").decls[0].expr
    assert expr == ast.Compare("<=", ast.AsOf(),
                               ast.Arith("+", ast.Name("graduation_date"), ast.Duration(2, "years")))


def test_keywords_may_be_names_where_no_keyword_fits():
    assert parse('kind to "x"').decls[0].name == "to"
    assert parse("section \"a\" \"b\": lead 市住建局").decls[0].props[0] == ast.Lead("市住建局")


def test_strings_unescape_quotes_and_backslashes():
    assert parse(r'kind a "say \"hi\" \\ bye"').decls[0].label == 'say "hi" \\ bye'


def test_comments_are_collected_with_their_lines():
    policy = parse('# head\nkind a "x # not a comment"  # trailing\n  # indented\nkind b\n')
    assert [(c.text, c.line) for c in policy.comments] == [("# head", 1), ("# trailing", 2), ("# indented", 3)]


def test_lines_are_counted_like_the_parser_counts_them():
    # A form feed is white space to the parser, not a line break (str.splitlines breaks there).
    text = "kind a\x0c\r\n# c\r\nkind b b"
    assert parse(text.removesuffix(" b")).comments[0].line == 2
    with pytest.raises(QzError) as error:
        parse(text, "p.qz")
    (diagnostic,) = error.value.diagnostics
    assert str(diagnostic.span) == "p.qz:3:8"
    assert render(diagnostic, {"p.qz": text}).splitlines()[1:3] == [" 3 | kind b b", "   |        ^"]


# ---- syntax errors ------------------------------------------------------------------


def _errors(text: str) -> list[tuple[str, int, int, str, str | None]]:
    with pytest.raises(QzError) as error:
        parse(text, "p.qz")
    return [(d.code, d.span.line, d.span.column, d.message, d.hint) for d in error.value.diagnostics]


def test_missing_comma_between_properties():
    assert _errors("fact a: bool of person") == [
        ("QZ001", 1, 14, "unexpected 'of'; expected a property or the next declaration",
         "properties are separated by ','; is one missing before this?"),
    ]


def test_misspelled_keywords_get_a_suggestion():
    assert _errors("kind p\nbenfit b: 1")[0][4] == "did you mean 'benefit'?"
    assert _errors("benefit b: 1, to p, requries x")[0][3:] == (
        "unexpected 'requries'; expected a property", "did you mean 'requires'?")


def test_chinese_numerals_get_a_hint():
    assert _errors("benefit b: 四千五百元 per year")[0][4] == "write amounts in digits: 4500, 2万, 10亿 (元 may follow)"


def test_every_broken_declaration_is_reported():
    errors = _errors('kind a "x\nfact b: bool of a\nkind c\nfact d "d" bool')
    assert [(code, line) for code, line, *_ in errors] == [("QZ002", 1), ("QZ001", 2), ("QZ001", 4)]


def test_end_of_file_inside_a_declaration():
    assert _errors("fact a: bool, of")[0][:4] == ("QZ003", 1, 17, "unexpected end of file; expected '[', a name")


def test_end_of_a_declaration_before_the_next_one():
    code, line, _, message, hint = _errors("fact a: bool, of\nkind b")[0]
    assert (code, line, message) == ("QZ003", 1, "unexpected end of declaration; expected '[', a name")
    assert hint == "the declaration is incomplete before the next one starts"


def test_long_chains_parse_without_deep_recursion():
    # `a and b and …` is a left-deep tree as long as the chain before it is flattened.
    expr = parse("define d: " + " and ".join(["a"] * 5000)).decls[0].expr
    assert expr == ast.BoolOp("and", (ast.Name("a"),) * 5000)


@pytest.mark.parametrize("expr", ["not " * 100 + "a", " + ".join(["a"] * 100) + " > 1"])  # 101 levels
def test_expressions_nested_too_deep_are_refused(expr):
    assert _errors("define d: " + expr) == [
        ("QZ001", 1, 11, "this expression nests more than 100 levels deep", "split it into definitions")]
    parse("define d: " + expr.replace("not ", "", 1).replace("a + ", "", 1))  # one level less is fine


def test_a_byte_order_mark_is_not_an_error(tmp_path):
    from qzdsl.language.loader import check

    path = tmp_path / "bom.qz"
    path.write_bytes('\ufeffpolicy "测试": title "带BOM的文件", applies_from 2023-01-01\n'.encode("utf-8"))
    assert check(path).ok
