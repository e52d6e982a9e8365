"""Diagnostics of broken policies, as data: every file in fixtures/broken/ says in its
`# expect:` lines which diagnostics it must produce (code and location), and the full
rendering (message, caret, hint) is pinned by a snapshot. Then unit tests of the checks
that no fixture exercises on its own."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import qzdsl
from qzdsl.diagnostics import CODES, PathStyle, render_all
from qzdsl.language.checks import AFTER_TRIAL_MODES, PRINCIPLES, TRIAL_ANCHORS
from qzdsl.resources import grammar_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BROKEN = sorted((FIXTURES / "broken").glob("*.qz"))
OK = sorted((FIXTURES / "ok").glob("*.qz"))  # ok/layout/ holds formatter inputs: they need only parse
# "# expect: QZ101 12:14", or with the file the diagnostic is in: "# expect: QZ011 imports/a.qz:2:1"
EXPECT = re.compile(r"^# expect: (QZ\d{3}) (?:(\S+):)?(\d+):(\d+)$", re.MULTILINE)


def _expected(path: Path) -> set[tuple[str, str, int, int]]:
    return {(code, file or path.name, int(line), int(column))
            for code, file, line, column in EXPECT.findall(path.read_text(encoding="utf-8"))}


def _found(result, paths: PathStyle) -> set[tuple[str, str, int, int]]:
    return {(d.code, paths.show(d.span.file), d.span.line, d.span.column) for d in result.diagnostics}


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_input_reports_its_diagnostics(path, snapshot):
    paths = PathStyle(base=path.parent)  # file names as a person checking in that folder reads them
    expected = _expected(path)
    assert expected, f"{path.name} has no '# expect:' line"
    result = qzdsl.check(path)
    assert _found(result, paths) == expected
    assert render_all(result.diagnostics, result.sources, paths=paths) == snapshot


def test_broken_corpus_covers_every_policy_code():
    """Each code a policy file can get (QZ0xx–QZ3xx) is produced by some broken fixture."""
    produced = {code for path in BROKEN for code, *_ in _expected(path)}
    policy_codes = {code for code in CODES if code < "QZ400"}
    assert policy_codes - produced == {"QZ113", "QZ114"}  # asked for with english=True: see their own tests
    assert len(BROKEN) >= 35


@pytest.mark.parametrize("path", OK, ids=lambda p: p.stem)
def test_ok_fixture_checks_clean(path):
    result = qzdsl.check(path)
    assert result.diagnostics == ()


# ---- unit tests of single checks ----------------------------------------------------

HEADER = 'policy "衢政发〔2023〕12号": title "测试摘录", source "source.txt", applies_from 2023-01-01\n'
RENT_QUOTE = "首次到衢非公企业就业的低保、低保边缘户家庭成员可享受每年4500元最长2年的租房补贴"
BASE = HEADER + """kind person "个人"
kind enterprise "企业"
section "二（十）" "实施就业创业安居保障行动"
fact low_income_family "低保家庭成员": bool, of person
fact family_size "在衢家庭人口": count, of person
fact first_job_date "首次就业日期": date, of person
fact employer "单位": enum {non_public "非公企业", public "机关事业单位"}, of person
"""


@pytest.fixture
def check_text(tmp_path):
    """Check policy text written beside a copy of the test source excerpt."""
    shutil.copy(FIXTURES / "ok" / "source.txt", tmp_path / "source.txt")

    def run(text: str):
        return qzdsl.check(tmp_path / "policy.qz", text=text)
    return run


def _codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def _rent(props: str, name: str = "rent") -> str:
    return f'benefit {name} "租房补贴": {props},\n  cite "{RENT_QUOTE}"\n'


def test_the_base_of_these_tests_is_clean(check_text):
    assert _codes(check_text(BASE + _rent("4500 per year, to person, requires low_income_family"))) == []


def test_enumeration_compared_with_an_ordering_operator_is_a_type_error(check_text):
    result = check_text(BASE + _rent("4500 per year, to person, requires employer < non_public"))
    assert _codes(result) == ["QZ201"]
    assert "compare it with == or !=" in result.diagnostics[0].message


def test_membership_needs_an_enumeration_on_its_left(check_text):
    result = check_text(BASE + _rent("4500 per year, to person, requires family_size in {non_public}"))
    assert _codes(result) == ["QZ201"]


def test_negated_membership_checks_its_members(check_text):
    result = check_text(BASE + _rent("4500 per year, to person, requires employer not in {private}"))
    assert _codes(result) == ["QZ105"]
    assert result.diagnostics[0].hint == "the values are: non_public, public"


def test_date_shifted_by_a_duration_compares_with_a_date(check_text):
    requires = "as_of <= first_job_date + 2 years and as_of > first_job_date - 1 day"
    assert _codes(check_text(BASE + _rent(f"4500 per year, to person, requires {requires}"))) == []


def test_count_compared_with_a_plain_number_is_fine_but_not_with_money(check_text):
    assert _codes(check_text(BASE + _rent("4500 per year, to person, requires family_size >= 2"))) == []
    result = check_text(BASE + 'fact rent "租金": money, of person\n'
                        + _rent("4500 per year, to person, requires family_size > rent"))
    assert _codes(result) == ["QZ201"]


def test_a_clause_cannot_exclude_itself(check_text):
    result = check_text(BASE + _rent("4500 per year, to person, requires low_income_family, excludes rent"))
    assert _codes(result) == ["QZ201"]
    assert result.diagnostics[0].message == "a clause cannot refer to itself here"


def test_stackable_names_a_clause(check_text):
    result = check_text(BASE + _rent("4500 per year, to person, requires low_income_family, stackable with rnt"))
    assert _codes(result) == ["QZ101"]
    assert result.diagnostics[0].hint == "did you mean 'rent'?"


def test_from_needs_a_date(check_text):
    result = check_text(BASE + _rent("4500 per year, from family_size, to person, requires low_income_family"))
    assert _codes(result) == ["QZ201"]
    assert result.diagnostics[0].message == "'from' needs a date; 'family_size' is a count"


def test_one_off_amount_with_a_maximum_duration_is_a_warning(check_text):
    result = check_text(BASE + _rent("4500, max 2 years, to person, requires low_income_family"))
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("QZ202", "warning")]
    assert result.ok


def test_an_amount_below_the_fen_is_an_error(check_text):
    result = check_text(BASE + _rent("4500.005 per year, cap 9000.001 total, to person, requires low_income_family"))
    assert [(d.code, d.message) for d in result.diagnostics if d.code == "QZ203"] == [
        ("QZ203", "4500.005 is not a whole number of fen"), ("QZ203", "9000.001 is not a whole number of fen")]


def test_a_cap_per_day_is_not_a_period_of_payment(check_text):
    result = check_text(BASE + _rent("4500 per year, cap 4500 per day, to person, requires low_income_family"))
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("QZ203", "a cap is per year, per month or total, not per day")]


def test_extends_needs_a_definition(check_text):
    text = BASE + ('equivalence same "同等享受": extends eligble, grants "同等享受", to person,\n'
                   f'  cite "{RENT_QUOTE}"\n')
    result = check_text(text + 'define eligible "符合条件": low_income_family\n')
    assert "QZ101" in _codes(result)
    assert any(d.hint == "did you mean 'eligible'?" for d in result.diagnostics)


def test_a_fact_needs_a_type_and_a_kind(check_text):
    result = check_text(BASE + 'fact untyped "无类型": of person\nfact orphan "无主体": bool\n'
                        + _rent("4500 per year, to person, requires low_income_family"))
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("QZ108", "this fact needs 'type'"),
        ("QZ108", "this fact needs 'of'"),
    ]


def test_facts_and_definitions_share_one_namespace(check_text):
    result = check_text(BASE + 'define family_size "家庭人口": 3\n'
                        + _rent("4500 per year, to person, requires low_income_family"))
    assert _codes(result) == ["QZ102"]


def test_fact_of_several_kinds_may_be_asked_by_each(check_text):
    text = BASE + 'fact hires "招用": bool, of [person, enterprise]\n' + _rent(
        "4500 per year, to enterprise, requires hires")
    assert _codes(check_text(text)) == []


def test_fact_kind_is_checked_through_definitions(check_text):
    text = BASE + 'define eligible "符合条件": low_income_family\n' + _rent(
        "4500 per year, to enterprise, requires eligible")
    assert _codes(check_text(text)) == ["QZ207"]


def test_a_sentence_set_aside_counts_as_covered(check_text):
    text = BASE + f'aside rent_later "暂不编码": reason "测试", cite "{RENT_QUOTE}"\n'
    assert _codes(check_text(text)) == []


def test_quote_cited_in_another_section_with_in_is_accepted(check_text):
    text = BASE + 'section "三" "工作要求"\n' + f'benefit rent "租房补贴": 4500 per year, to person, ' \
        f'requires low_income_family,\n  cite "{RENT_QUOTE}" in "二（十）"\n'
    assert _codes(check_text(text)) == []


def test_target_figure_must_be_in_its_quote(check_text):
    target = 'target shared_ownership "共有产权住房": goal >= 2028 年, by 2027,\n' \
             '  cite "到2027年实现共有产权住房市域全覆盖"\n'
    result = check_text(BASE + _rent("4500 per year, to person, requires low_income_family") + target)
    assert _codes(result) == ["QZ303"]
    assert result.diagnostics[0].message == "the figure 2028 is not in the quoted text"


def test_section_heading_missing_from_the_source_is_a_warning(check_text):
    text = BASE.replace('section "二（十）" "实施就业创业安居保障行动"', 'section "二（十）" "没有这个标题"')
    result = check_text(text + _rent("4500 per year, to person, requires low_income_family"))
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("QZ302", "warning")]


def test_quotes_match_across_line_breaks_and_spaces(check_text):
    broken_quote = "首次到衢非公企业就业的低保、\n低保边缘户家庭成员 可享受每年4500元最长2年的租房补贴"
    text = BASE + 'benefit rent "租房补贴": 4500 per year, to person, requires low_income_family,\n' \
        f'  cite "{broken_quote}"\n'
    result = check_text(text)
    # a string cannot span lines: the quote must be written on one line ...
    assert _codes(result) == ["QZ002"]
    # ... but spaces inside it do not matter
    assert _codes(check_text(text.replace("、\n", "、 "))) == []


def test_syntax_errors_in_an_import_do_not_stop_the_main_file(tmp_path):
    (tmp_path / "shared.qz").write_text('policy "共享": title "t", applies_from 2023-01-01\nkind person "个人\n',
                                        encoding="utf-8")
    result = qzdsl.check(tmp_path / "main.qz", text='import "shared.qz"\n'
                         'policy "主": title "t", applies_from 2023-01-01\nfact x "x": bool, of nobody\n')
    assert sorted(_codes(result)) == ["QZ002", "QZ104"]


@pytest.mark.parametrize("text, code", [
    ('import "a\x00.qz"\npolicy "主": title "t", applies_from 2023-01-01\n', "QZ010"),
    ('policy "主": title "t", source "a\x00.txt", applies_from 2023-01-01\n', "QZ307"),
    ('import "."\npolicy "主": title "t", applies_from 2023-01-01\n', "QZ010"),
])
def test_paths_no_file_can_have_are_diagnostics(tmp_path, text, code):
    assert _codes(qzdsl.check(tmp_path / "main.qz", text=text)) == [code]


def test_a_fact_repeated_word_for_word_in_an_import_is_not_a_duplicate(tmp_path):
    shared = 'policy "共享": title "t", applies_from 2023-01-01\nkind person "个人"\n'
    (tmp_path / "shared.qz").write_text(shared + 'fact age "年龄": count, of person\n', encoding="utf-8")
    main = 'import "shared.qz"\npolicy "主": title "t", applies_from 2023-01-01\nkind person "个人"\n'
    assert _codes(qzdsl.check(tmp_path / "main.qz", text=main + 'fact age "年龄": count, of person\n')) == []
    assert _codes(qzdsl.check(tmp_path / "main.qz", text=main + 'fact age "年龄": date, of person\n')) == ["QZ102"]


def test_an_amount_taken_from_a_money_fact(check_text):
    # The quote's 4500元 is then encoded by no clause: QZ305, a warning, is all.
    money_fact = 'fact existing_rent "现行租房补贴": money, of person\n'
    assert _codes(check_text(BASE + money_fact + _rent("amount of existing_rent once, to person, "
                                                       "requires low_income_family"))) == ["QZ305"]
    assert _codes(check_text(BASE + money_fact + _rent("up to amount of existing_rent per year, to person, "
                                                       "requires low_income_family"))) == ["QZ305"]
    result = check_text(BASE + _rent("amount of family_size once, to person, requires low_income_family"))
    assert [(d.code, d.message) for d in result.diagnostics if d.code != "QZ305"] == [
        ("QZ201", "an amount needs an amount of money; 'family_size' is a count")]
    result = check_text(BASE + money_fact + _rent("at least amount of existing_rent once, to person, "
                                                  "requires low_income_family"))
    assert "QZ203" in _codes(result)


def test_a_clause_of_a_file_without_source_may_record_a_note_instead_of_a_quote(tmp_path):
    head = 'policy "现行": title "t", applies_from 2023-01-01\nkind person "个人"\nsection "一" "租房"\n' \
           'fact rent "租金": money, of person\n'
    clause = 'benefit rent_subsidy "租房补贴": amount of rent once, to person, requires rent > 0'
    noted = qzdsl.check(tmp_path / "existing.qz", text=head + clause + ', note "出处：现行政策（文本未收入）"\n')
    assert _codes(noted) == []
    assert _codes(qzdsl.check(tmp_path / "existing.qz", text=head + clause + "\n")) == ["QZ306"]
    sourced = head.replace('applies_from', 'source "source.txt", applies_from')
    shutil.copy(FIXTURES / "ok" / "source.txt", tmp_path / "source.txt")
    result = qzdsl.check(tmp_path / "existing.qz", text=sourced + clause + ', note "有原文而不引用"\n')
    assert "QZ306" in _codes(result)


def test_english_words_are_checked_only_when_asked_for(tmp_path):
    """QZ113: every label, section title, question and the policy's title has English
    words — reported by `check --english`, never by a plain check."""
    path = tmp_path / "p.qz"
    path.write_text('policy "X": title "标题", applies_from 2023-01-01\n'
                    'kind person "个人" en "individual"\n'
                    'group g "补贴"\n'
                    'section "一" "总则" en "General"\n'
                    'fact f "事实": enum {a "甲" en "A", b "乙"}, of person, ask "问题？" en "Question?"\n'
                    'fact h "另一事实" en "another fact": bool, of person, ask "问题？"\n', encoding="utf-8")
    assert [d.code for d in qzdsl.check(path).diagnostics] == []
    found = sorted((d.span.line, d.message_in("en")) for d in qzdsl.check(path, english=True).diagnostics)
    assert found == [(1, "title 'X' has no English words"), (3, "group 'g' has no English words"),
                     (5, "fact 'f' has no English words"), (5, "member 'b' has no English words"),
                     (6, "ask 'h' has no English words")]


def test_notes_and_readings_without_english_words_are_reported_when_asked_for(tmp_path):
    """QZ114: a note, and an ambiguity's question and reading, have English words —
    reported by `check --english` apart from labels; `--lang en` then shows them."""
    path = tmp_path / "p.qz"
    path.write_text('policy "X": title "标题" en "Title", applies_from 2023-01-01,\n'
                    '    note "说明" en "A note",\n'
                    '    note "另一说明"\n'
                    'kind person "个人" en "individual"\n'
                    'fact f "事实" en "fact": bool, of person, ask "问？" en "Asked?"\n'
                    'define d "定义" en "definition": f,\n'
                    '    ambiguity "问题" en "Question" reading "解读" en "Reading",\n'
                    '    ambiguity "问题二" reading "解读二" en "Reading two"\n', encoding="utf-8")
    assert [d.code for d in qzdsl.check(path).diagnostics] == []
    found = sorted((d.span.line, d.code, d.message_in("en"), d.message_in("zh"))
                   for d in qzdsl.check(path, english=True).diagnostics)
    assert found == [(3, "QZ114", "a note of 'X' has no English words", "“X”的注释缺少英文"),
                     (8, "QZ114", "an ambiguity recorded for 'd' (its question or reading) has no English words",
                      "“d”记录的疑义（问题或解读）缺少英文")]
    english = qzdsl.load(path).in_language("en")
    assert english.info.notes == ("A note", "另一说明")
    assert [(a.question, a.reading) for a in english.definitions["d"].ambiguities] == [
        ("Question", "Reading"), ("问题二", "Reading two")]
    chinese = qzdsl.load(path)
    assert [(a.question, a.reading) for a in chinese.definitions["d"].ambiguities] == [
        ("问题", "解读"), ("问题二", "解读二")]


def test_a_group_without_a_declared_label_is_a_warning(tmp_path):
    path = tmp_path / "p.qz"
    path.write_text(HEADER.replace('source "source.txt", ', "") + 'kind person "个人"\n'
                    'section "二（十）" "实施就业创业安居保障行动"\n'
                    'benefit a "甲": 1000 once, to person, group need, note "n"\n'
                    'benefit b "乙": 2000 once, to person, group need, note "n"\n', encoding="utf-8")
    codes = [(d.code, d.message_in("zh")) for d in qzdsl.check(path).diagnostics if d.code == "QZ111"]
    assert codes == [("QZ111", "排斥组 need 没有用带标签的 group 声明")]


# ---- messages in the reader's language ---------------------------------------------

# The language's own words: its keywords, and the values a few of them take.
LANGUAGE_WORDS = {*re.findall(r'"([a-z_]+)"', grammar_path().read_text(encoding="utf-8")), *PRINCIPLES,
                  *AFTER_TRIAL_MODES, *TRIAL_ANCHORS}
# Not the author's and not the language's, yet fine in a Chinese message: the date pattern, an
# example name of a hint, a file suffix, the variable that widens what is read.
FOREIGN_WORDS = {"YYYY", "MM", "DD", "graduation_date", "txt", "qz", "qzdsl", "QZDSL_READ_ROOT", "UTF"}


def _english_left(text: str, written: str) -> set[str]:
    """ASCII words of a Chinese message that are neither in the policy text the author
    wrote (names, keywords, paths) nor words of the language."""
    words = set(re.findall(r"[A-Za-z][A-Za-z_]*", text))
    return words - set(re.findall(r"[A-Za-z][A-Za-z_]*", written)) - LANGUAGE_WORDS - FOREIGN_WORDS


def _reads_chinese(diagnostic, written: str, paths: PathStyle | None = None) -> None:
    for text in (diagnostic.message_in("zh", paths=paths), diagnostic.hint_in("zh", paths) or "好"):
        assert re.search(r"[\u4e00-\u9fff]", text), (diagnostic.code, text)
        assert not _english_left(text, written), (diagnostic.code, text)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_input_is_reported_in_chinese_by_default(path):
    """In Chinese (the default language) no diagnostic of the language carries English of
    its own: only what the author wrote — names, keywords, paths — stays as written."""
    result = qzdsl.check(path)
    written = "\n".join([*result.sources.values(), *(Path(file).name for file in result.sources)])
    for found in result.diagnostics:
        _reads_chinese(found, written, PathStyle(base=path.parent))


_CLEAN = _rent("4500 per year, to person, requires low_income_family")
_MONEY = 'fact rent_paid "租金": money, of person\n'
_WORDED = [
    ("end_of_declaration", BASE + 'benefit early "甲": 4500 per year, to\n' + _CLEAN, "QZ003",
     "unexpected end of declaration; expected a name", "声明意外结束；此处应为名称",
     "下一个声明开始之前，本声明尚未写完"),
    ("expected_keywords", BASE + _rent("4500 per year, cap 9000, to person"), "QZ001",
     "unexpected ','; expected 'per', 'total'", "不应出现“,”；此处应为“per”、“total”", None),
    ("too_deep", BASE + 'define deep "深": ' + "not " * 101 + "low_income_family\n" + _CLEAN, "QZ001",
     "this expression nests more than 100 levels deep", "此表达式嵌套超过 100 层", "请拆分为若干定义（define）"),
    ("malformed_value", BASE + _rent("1" + "0" * 50 + " per year, to person"), "QZ001",
     "malformed value in 'money'", "“money”中的值无法读取", None),
    ("not_of_a_count", BASE + 'define d "甲": not family_size\n' + _CLEAN, "QZ201",
     "the operand of 'not' must be a yes/no condition, not a count", "not 的操作对象应为是/否条件，不能是数量", None),
    ("and_of_money", BASE + _MONEY + 'define d "甲": low_income_family and rent_paid\n' + _CLEAN, "QZ201",
     "each operand of 'and' must be a yes/no condition, not an amount of money",
     "and 连接的每一项应为是/否条件，不能是金额", None),
    ("while_of_money", BASE + _MONEY + _rent("4500 per year, to person, while rent_paid"), "QZ201",
     "'while' must be a yes/no condition, not an amount of money", "while 后的表达式应为是/否条件，不能是金额", None),
    ("enum_compared", BASE + _rent("4500 per year, to person, requires employer < non_public"), "QZ201",
     "'employer' is an enumeration: compare it with == or != to one of its values, or use 'in {…}'",
     "“employer”是枚举：只能用 == 或 != 与它的某个取值比较，或用 in {…}", None),
    ("membership_of_a_count", BASE + _rent("4500 per year, to person, requires family_size in {non_public}"),
     "QZ201", "'in {…}' needs an enumeration fact on its left", "in {…} 的左边应为枚举事实", None),
    ("arithmetic", BASE + _rent("4500 per year, to person, requires low_income_family + family_size > 1"),
     "QZ201", "cannot apply '+' to a yes/no condition and a count", "不能对是/否条件和数量做“+”运算", None),
    ("amount_of_a_count", BASE + _rent("amount of family_size per year, to person, requires low_income_family"),
     "QZ201", "an amount needs an amount of money; 'family_size' is a count",
     "amount of 后的事实应为金额；“family_size”为数量", None),
    ("unknown_term", BASE + _rent("4500 per year, term no_term, to person"), "QZ101",
     "no term named 'no_term'", "没有名为“no_term”的期限（term）", None),
    ("term_from", BASE + 'fact arrival "到衢日期": date, of person\n'
     f'term rent_term "最长2年": max 2 years, from first_job_date, cite "{RENT_QUOTE}"\n'
     + _rent("4500 per year, term rent_term, from arrival, to person"), "QZ201",
     "the term 'rent_term' starts from 'first_job_date'; a clause within it starts from the same date "
     "(from first_job_date, or from year of it)",
     "期限“rent_term”自“first_job_date”起算；其中的条款须自同一日期起算（from first_job_date，"
     "或 from year of first_job_date）", None),
    ("kind_listed_twice", BASE + 'fact twice "乙": bool, of [person, person]\n' + _CLEAN, "QZ102",
     "the applicant kind 'person' is listed twice", "申请人类别“person”列出了两次", "请删去其中一个"),
    ("amount_of_a_fact_at_least", BASE + _MONEY + _rent("at least amount of rent_paid per year, to person"),
     "QZ203", "an amount taken from a fact is exact or 'up to' it, not 'at least'",
     "取自事实的金额只能等于该值或以其为上限（up to），不能是 at least（不低于）", None),
    ("cap_per_day", BASE + _rent("4500 per year, cap 4500 per day, to person"), "QZ203",
     "a cap is per year, per month or total, not per day", "上限（cap）按每年、每月或总额计，不能按天", None),
    ("cap_of_another_period", BASE + _rent("4500, cap 4500 per year, to person"), "QZ202",
     "the amount is paid once but the cap is per year", "金额一次性发放，而上限按每年计",
     "请让上限与金额的发放方式一致（一次性），或写 total（总额）"),
    ("cap_zero", BASE + _rent("4500 per year, cap 0 total, to person"), "QZ203",
     "a cap must be positive", "上限必须大于零", None),
    ("one_off_with_max", BASE + _rent("4500, max 2 years, to person"), "QZ202",
     "a one-off amount has no duration; 'max' has no effect", "一次性金额没有发放期限；max 不起作用", None),
    ("months_too_long", BASE + _rent("4500 per month, max 1300 months, to person"), "QZ206",
     "a duration must be from 1 to 1200 months", "期限须在 1 至 1200 个月之间", None),
    ("days_too_long", BASE + _rent("4500 per year, to person, requires as_of < first_job_date + 40000 days"),
     "QZ206", "a duration must be from 0 to 36525 days", "期限须在 0 至 36525 天之间", None),
    ("no_amount_quoted", BASE + 'benefit rent "租房补贴": 4500 per year, to person, cite "首次到衢非公企业就业"\n',
     "QZ303", "the amount 4500 (4500元) is not in the quoted text", "金额4500（4500元）不在引文中", "引文中没有金额"),
    ("member_unlabelled", BASE + 'fact status "状态": enum {on "在职", off}, of person\n' + _CLEAN, "QZ111",
     "enumeration member 'off' has no label", "枚举值 off 没有标签", '请写上读者看到的文字：off "…"'),
    ("amend_unknown_section", BASE + _CLEAN + 'amend section "九（九）" "不存在"\n', "QZ112",
     "'amend' names no section '九（九）' in the policies this file imports",
     "“amend”所指的章节“九（九）”不在本文件导入的政策中", None),
]


@pytest.mark.parametrize("text, code, english, chinese, hint", [case[1:] for case in _WORDED],
                         ids=[case[0] for case in _WORDED])
def test_a_diagnostic_reads_the_same_in_english_and_in_chinese(check_text, text, code, english, chinese, hint):
    """Diagnostics no broken fixture shows, in both languages: the English as it always
    was, the Chinese with the same facts, the author's names kept as written."""
    result = check_text(text)
    found = next(d for d in result.diagnostics if d.code == code and d.message == english)
    assert found.message_in("zh") == chinese
    if hint is not None:
        assert found.hint_in("zh") == hint
    _reads_chinese(found, text)


def test_an_unreadable_import_says_why_in_the_readers_language(tmp_path):
    (tmp_path / "latin1.qz").write_bytes('policy "x": title "\xff", applies_from 2023-01-01\n'.encode("latin-1"))
    (tmp_path / "loop.qz").symlink_to(tmp_path / "loop.qz")
    text = 'import "latin1.qz"\nimport "loop.qz"\npolicy "x": title "y", applies_from 2023-01-01\n'
    result = qzdsl.check(tmp_path / "policy.qz", text=text)
    paths = PathStyle(base=tmp_path)
    assert [(d.code, d.message_in("en", paths=paths), d.message_in("zh", paths=paths)) for d in result.diagnostics] == [
        ("QZ010", "cannot read latin1.qz: not valid UTF-8", "无法读取 latin1.qz：不是有效的 UTF-8 文本"),
        ("QZ010", "cannot read loop.qz: a loop of symbolic links", "无法读取 loop.qz：符号链接构成循环"),
    ]
