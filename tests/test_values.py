"""The one reader of fact values (qzdsl.cases.values): forgiving in spelling, exact in
meaning, and never guessing what is still ambiguous."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qzdsl.cases.case import case_from_dict, load_case
from qzdsl.cases.values import Refused, read_bool, read_count, read_date, read_fact, read_kind, read_money
from qzdsl.diagnostics import QzError

from cli_runner import run_main

JUNE_1 = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def bundled_policy():
    import qzdsl

    return qzdsl.load()


@pytest.mark.parametrize("written", ["2024-06-01", "2024/6/1", "2024-6-1", "2024.6.1", "2024年6月1日",
                                     "2024年06月01号", "２０２４年６月１日", " 2024/06/01 ", JUNE_1])
def test_dates_as_people_write_them(written):
    assert read_date(written) == JUNE_1


@pytest.mark.parametrize("written, key, hint", [
    ("6/1/2024", "value.date.order", "write 2024-01-06 or 2024-06-01"),  # which is the month?
    ("13/6/2024", "value.date.order", "did you mean 2024-06-13?"),       # still refused: never guessed
    ("24/6/1", "value.date.century", "did you mean 2024-06-01?"),
    ("20240601", "value.date.compact", "did you mean 2024-06-01?"),
    ("2024年6月", "value.date.no_day", "write the date as YYYY-MM-DD, e.g. 2024-06-01"),
    ("2024-02-30", "value.date.calendar", "check the month and the day"),
    ("2024/6-1", "value.date.form", "write the date as YYYY-MM-DD, e.g. 2024-06-01"),
    ("last June", "value.date.form", "write the date as YYYY-MM-DD, e.g. 2024-06-01"),
    ("9999-01-01", "value.date.range", "dates run from 1900-01-01 to 2199-12-31"),
])
def test_ambiguous_or_impossible_dates_are_refused_with_a_suggestion(written, key, hint):
    with pytest.raises(Refused) as refused:
        read_date(written)
    assert (refused.value.key, refused.value.hint("en")) == (key, hint)


@pytest.mark.parametrize("written, value", [
    ("20000", 20000), ("20,000", 20000), ("2万", 20000), ("2.5万", 25000), ("两万元", 20000), (20000, 20000),
    ("350.50", Decimal("350.50")), ("２万", 20000),
])
def test_money_as_people_write_it(written, value):
    assert read_money(written) == Decimal(value)


@pytest.mark.parametrize("written, key", [
    ("-5", "value.money.negative"), ("350.505", "value.money.sub_fen"), ("两两", "value.money.form"),
    ("2万块", "value.money.form"), (0.1, "value.money.form"), ("20亿", "value.money.large"), (True, "value.money.form"),
])
def test_money_that_is_not_exact_is_refused(written, key):
    with pytest.raises(Refused) as refused:
        read_money(written)
    assert refused.value.key == key


@pytest.mark.parametrize("written, value", [
    ("true", True), ("False", False), ("yes", True), ("NO", False), ("是", True), ("否", False), ("有", True),
    ("无", False), ("没有", False), (True, True),
])
def test_yes_and_no_in_either_language(written, value):
    assert read_bool(written) is value


@pytest.mark.parametrize("written", ["maybe", "1", "不知道", ""])
def test_anything_else_is_not_yes_or_no(written):
    with pytest.raises(Refused) as refused:
        read_bool(written)
    assert refused.value.hint("zh") == "请回答 是 或 否（也可写 有/无、yes/no、true/false）"


@pytest.mark.parametrize("written, value", [("3", 3), (3, 3), ("三", 3), ("十二", 12), ("０", 0)])
def test_counts(written, value):
    assert read_count(written) == value


@pytest.mark.parametrize("written, key", [
    ("2.5", "value.count.whole"), ("-1", "value.count.negative"), ("several", "value.count.form"),
    (False, "value.count.form"), ("2000000", "value.count.large"),
])
def test_what_is_not_a_count(written, key):
    with pytest.raises(Refused) as refused:
        read_count(written)
    assert refused.value.key == key


def test_members_by_name_or_label_and_a_part_of_a_label_is_suggested(bundled_policy):
    university = bundled_policy.facts["university"]
    assert read_fact(university, "quzhou") == "quzhou"
    assert read_fact(university, "衢州高校（衢州学院、衢州职业技术学院、衢州市技师学院）") == "quzhou"
    assert read_fact(university, "其他高校") == "other"
    with pytest.raises(Refused) as refused:
        read_fact(university, "衢州学院")
    assert refused.value.key == "value.member.partial"
    assert refused.value.hint("zh") == "是否指“衢州高校（衢州学院、衢州职业技术学院、衢州市技师学院）”？"


def test_a_part_of_several_labels_lists_them_all(bundled_policy):
    with pytest.raises(Refused) as refused:
        read_fact(bundled_policy.facts["low_income"], "低保")
    assert refused.value.key == "value.member.partial"
    assert refused.value.hint("en") == "it could be: 低保家庭成员、低保边缘户家庭成员"


def test_kinds_by_name_or_label(bundled_policy):
    assert read_kind(bundled_policy, "个人") == read_kind(bundled_policy, "person") == "person"
    with pytest.raises(Refused) as refused:
        read_kind(bundled_policy, "persn")
    assert refused.value.hint("en") == "did you mean 'person'?"


def test_case_files_and_dicts_read_values_the_same_way(bundled_policy, tmp_path):
    facts = {"purchase_date": "2024年4月18日", "employer_pf_monthly": "300元",
             "university": "衢州高校（衢州学院、衢州职业技术学院、衢州市技师学院）",
             "no_home_in_quzhou": "是", "pf_months": "十"}
    path = tmp_path / "case.yaml"
    path.write_text("kind: 个人\nas_of: 2024/6/1\nfacts:\n" + "".join(f"  {k}: {v}\n" for k, v in facts.items()),
                    encoding="utf-8")
    from_file = load_case(path, bundled_policy)
    from_dict = case_from_dict({"kind": "个人", "as_of": "2024/6/1", "facts": facts}, bundled_policy)
    assert from_file.facts == from_dict.facts == {
        "purchase_date": dt.date(2024, 4, 18), "employer_pf_monthly": Decimal(300), "university": "quzhou",
        "no_home_in_quzhou": True, "pf_months": 10}
    assert from_file.as_of == from_dict.as_of == JUNE_1


def test_case_diagnostics_are_worded_in_the_readers_language(bundled_policy):
    data = {"kind": "person", "as_of": "6/1/2024", "facts": {"university": "衢州学院", "unknown_thing": 1}}
    with pytest.raises(QzError) as caught:
        case_from_dict(data, bundled_policy)
    said = {d.message_in("zh"): d.hint_in("zh") for d in caught.value.diagnostics}
    assert said == {
        "“as_of”：“6/1/2024”有歧义：无法确定哪个是月、哪个是日": "请写作 2024-01-06 或 2024-06-01",
        "未知的事实“unknown_thing”": None,
        "“毕业院校类别”（university）：“衢州学院”只是某个可选值的一部分":
            "是否指“衢州高校（衢州学院、衢州职业技术学院、衢州市技师学院）”？",
    }
    assert "'university' (毕业院校类别): '衢州学院' names part of a value, not a value" in {
        d.message_in("en") for d in caught.value.diagnostics}


def test_eval_prints_case_diagnostics_in_the_language_asked_for(tmp_path, capsys, monkeypatch):
    path = tmp_path / "case.yaml"
    path.write_text("kind: person\nfacts:\n  purchase_date: 2024年6月\n", encoding="utf-8")
    code, _, err = run_main(capsys, monkeypatch, "eval", str(path), "--lang", "zh")
    assert code == 1 and "“购房日期”（purchase_date）：“2024年6月”没有写日" in err
    assert "提示: 日期请写作 YYYY-MM-DD，如 2024-06-01" in err
    code, _, err = run_main(capsys, monkeypatch, "eval", str(path), "--lang", "en")
    assert code == 1 and "'purchase_date' (purchase date): '2024年6月' gives no day" in err
