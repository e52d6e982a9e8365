"""`qzdsl interview`, driven as a person drives it: in a pseudo-terminal, reading each
question off the screen and typing an answer as people write it."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import qzdsl
from qzdsl.backends.evaluator.results import Status
from qzdsl.cases.case import load_case
from qzdsl.frontdoor.interview import Interview, case_yaml

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the interview in a pseudo-terminal")

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "policies" / "qzf-2023-12" / "cases"
PROMPT = "回答> "
_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def screen_of(child) -> str:
    """What the terminal shows before the last match, without colours and styles."""
    return _STYLE.sub("", child.before).replace("\r\n", "\n")


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


def spoken(fact, value, menu: bool = True) -> str:
    """A fact's value as a caseworker would type it (not as a case file writes it): a
    choice by its number in the terminal's menu, else by its label."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return f"{value}元"
    if fact.members and menu:
        return str([m.name for m in fact.members].index(value) + 1)
    if fact.members:
        return fact.member(value).label
    return str(value)


def over_time(fact, entries) -> str:
    """Values over time as a caseworker types them: 2024年5月1日：300；2025年1月1日：不知道."""
    return "；".join(f"{spoken(fact, start)}：{'不知道' if value is None else spoken(fact, value, menu=False)}"
                    for start, value in entries)


def spawn(tmp_path: Path, *args: str):
    env = {**os.environ, "COLUMNS": "250", "LINES": "50", "TERM": "xterm", "LANG": "zh_CN.UTF-8"}
    return pexpect.spawn(sys.executable, ["-m", "qzdsl", "interview", *args], cwd=str(tmp_path), env=env,
                         encoding="utf-8", timeout=30, dimensions=(50, 250))


def answer_everything(child, policy, facts: dict, asked: list[str]) -> None:
    """Answer each question from `facts` ("不知道" for a fact the case does not have)
    until the interview stops asking."""
    by_question = {(f.question or f.label): f for f in policy.facts.values()}
    while child.expect([PROMPT, "不需要再提问了"]) == 0:
        screen = screen_of(child).rsplit("问题 ", 1)[-1]
        question = next(q for q in sorted(by_question, key=len, reverse=True) if q in screen)
        fact = by_question[question]
        asked.append(fact.name)
        child.sendline(spoken(fact, facts[fact.name]) if fact.name in facts else "不知道")


def test_from_nothing_to_the_decision_of_the_graduate_homebuyer(tmp_path, policy):
    expected = qzdsl.evaluate(policy, load_case(CASES / "graduate-homebuyer.yaml", policy))
    facts = dict(expected.case.facts)
    child = spawn(tmp_path, "--as-of", "2024-06-01", "--out", "case.yaml", "--report", "report.html")
    child.expect("请输入编号或类型名称")
    child.sendline("个人")
    asked: list[str] = []
    answer_everything(child, policy, facts, asked)
    child.expect("案例已保存")
    child.expect(pexpect.EOF)
    screen = screen_of(child)
    child.close()
    assert child.exitstatus == 0
    # Asked only what was needed, each once, the question deciding the most money first.
    assert len(asked) == len(set(asked)) < len(facts)
    assert asked[0] == "works_in_quzhou"
    saved = load_case(tmp_path / "case.yaml", policy)
    decision = qzdsl.evaluate(policy, saved)
    assert {r.clause.id for r in decision.by_status(Status.GRANTED)} == \
        {r.clause.id for r in expected.by_status(Status.GRANTED)}
    assert decision.totals == expected.totals
    assert not decision.by_status(Status.UNDETERMINED)
    # The decision is printed, and the report written.
    for granted in expected.by_status(Status.GRANTED):
        assert granted.clause.title[:6] in screen.replace("\n", "").replace(" ", "")
    assert "衢州高校毕业生购房一次性提取租房补贴余额" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_progress_refusals_going_back_and_dont_know(tmp_path, policy):
    child = spawn(tmp_path, "--kind", "person", "--as-of", "2024/6/1", "--out", "case.yaml")

    def say(text: str) -> str:
        child.sendline(text)
        child.expect(PROMPT)
        return screen_of(child)

    child.expect(PROMPT)
    screen = say("是")                         # works in Quzhou
    clauses = len(policy.clauses_for("person"))
    assert f"已确定：可享受 0 项；不符合 0 项；待定 {clauses} 项" in screen and "您目前的就业状态是" in screen
    screen = say("1")                         # in a private firm
    assert "购房日期" in screen
    screen = say("6/1/2024")                  # ambiguous: refused, with both readings
    assert "无法采用：“6/1/2024”有歧义：无法确定哪个是月、哪个是日" in screen
    assert "提示：请写作 2024-01-06 或 2024-06-01" in screen
    screen = say("返回")                       # takes back the employment status
    assert "已撤回上一题的回答：就业状态" in screen and "您目前的就业状态是" in screen
    screen = say("不知道")
    assert "记为不知道：就业状态" in screen
    assert "您目前的就业状态是" not in screen.rsplit("问题 ", 1)[-1]  # not asked again
    child.sendline("结束")
    child.expect(pexpect.EOF)
    child.close()
    assert yaml.safe_load((tmp_path / "case.yaml").read_text(encoding="utf-8")) == {
        "kind": "person", "as_of": dt.date(2024, 6, 1), "facts": {"works_in_quzhou": True}}


def test_a_partial_case_is_resumed(tmp_path, policy):
    partial = CASES / "homebuyer-missing-facts.yaml"
    start = load_case(partial, policy)
    child = spawn(tmp_path, str(partial), "--out", "resumed.yaml")
    child.expect(PROMPT)
    assert f"接着案例“{start.name}”继续：已知 {len(start.facts)} 项事实" in screen_of(child)
    first = Interview.resume(policy, start).next_question()
    assert (policy.facts[first.fact].question or "") in screen_of(child)
    child.sendline("是")
    child.expect(PROMPT)
    child.sendline("结束")
    child.expect(pexpect.EOF)
    child.close()
    resumed = load_case(tmp_path / "resumed.yaml", policy)
    assert resumed.facts == {**start.facts, first.fact: True}
    assert resumed.name == start.name and resumed.as_of == start.as_of


def test_values_over_time_are_answered_kept_and_saved(policy, tmp_path):
    """A case file's values over time survive resuming and saving; an answer typed as
    DATE: VALUE pairs is read as the case file reads `{date: value}`, and refused with its
    date when one value is not one of the fact's."""
    from qzdsl.cases.values import Refused

    start = load_case(CASES / "graduate-homebuyer-over-time.yaml", policy)
    assert start.changes
    talk = Interview.resume(policy, start)
    assert talk.case().changes == start.changes
    assert not {q.fact for q in talk.questions()} & set(start.changes)  # answered: not asked again
    saved = tmp_path / "saved.yaml"
    saved.write_text(case_yaml(talk.case_data()), encoding="utf-8")
    again = load_case(saved, policy)
    assert again.changes == start.changes and again.facts == start.facts
    assert qzdsl.evaluate(policy, again).totals == qzdsl.evaluate(policy, start).totals

    hires = Interview(policy, "enterprise", dt.date(2025, 6, 1))
    entries = hires.answer("insured_hires", "{2024-05-01: 4，2025年1月1日：6}")
    assert entries == ((dt.date(2024, 5, 1), 4), (dt.date(2025, 1, 1), 6))
    assert hires.case().changes == {"insured_hires": entries} and "insured_hires" not in hires.facts
    written = tmp_path / "hires.yaml"
    written.write_text(case_yaml(hires.case_data()) + "", encoding="utf-8")
    assert load_case(written, policy).changes == {"insured_hires": entries}
    with pytest.raises(Refused) as refused:
        hires.answer("insured_hires", "2024-05-01: 4; 2025-01-01: 三个")
    assert refused.value.message("zh") == "自 2025-01-01 起：“三个”不是人数或次数"
    assert hires.changes["insured_hires"] == entries  # a refused answer records nothing
    with pytest.raises(Refused, match="given twice"):
        hires.answer("insured_hires", "2024-05-01: 4, 2024-05-01: 5")
    assert hires.answer("insured_hires", "5") == 5 and "insured_hires" not in hires.changes  # plain again
    assert hires.back() == "insured_hires" and not hires.answered("insured_hires")


def test_the_terminal_says_which_answers_may_change_over_time(tmp_path, policy):
    child = spawn(tmp_path, "--kind", "enterprise", "--as-of", "2025-06-01", "--out", "hires.yaml")
    asked = []
    while child.expect([PROMPT, "不需要再提问了"]) == 0:
        screen = screen_of(child).rsplit("问题 ", 1)[-1]
        if policy.facts["insured_hires"].question in screen:
            assert "此项可随时间变化：可按生效日期逐项填写，如 2024-05-01: 4, 2026-01-01: 5" in screen
            child.sendline("2024年5月1日：4；2025年1月1日：6")
            asked.append("insured_hires")
            continue
        child.sendline("不知道")
    child.expect(pexpect.EOF)
    child.close()
    assert asked == ["insured_hires"]
    saved = load_case(tmp_path / "hires.yaml", policy)
    assert saved.changes == {"insured_hires": ((dt.date(2024, 5, 1), 4), (dt.date(2025, 1, 1), 6))}


def test_the_interview_library_asks_by_stake_and_writes_a_readable_case(policy):
    talk = Interview(policy, "person", dt.date(2024, 6, 1))
    stakes = [q.stake for q in talk.questions()]
    assert stakes[0] == max(stakes)
    talk.answer("employer_pf_monthly", "300元")
    talk.answer("purchase_date", "2024年4月18日")
    text = case_yaml(talk.case_data())
    assert re.search(r"^as_of: 2024-06-01$", text, re.M) and "employer_pf_monthly: 300" in text
    assert talk.back() == "purchase_date" and "purchase_date" not in talk.facts


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_answering_the_questions_reaches_every_bundled_cases_decision(path, policy):
    """From nothing to the decision of each bundled case, answering only what is asked
    (as a caseworker would type it; "不知道" where the case does not say)."""
    case = load_case(path, policy)
    talk = Interview(policy, case.kind, case.as_of)
    asked = []
    while (question := talk.next_question()) is not None:
        fact = policy.facts[question.fact]
        value = case.facts.get(fact.name)
        if fact.name in case.changes:  # typed as values over time, each from its date
            talk.answer(fact.name, over_time(fact, case.changes[fact.name]))
        else:
            talk.answer(fact.name, "不知道" if value is None else spoken(fact, value, menu=False))
        asked.append(fact.name)
    assert len(asked) == len(set(asked))
    reached, expected = talk.decision(), qzdsl.evaluate(policy, case)

    def outcome(decision):
        # Granted (with the amount) and still open must agree; a clause already settled
        # as not paid may be so for another reason than the full case gives (not in force
        # rather than ineligible), since no question is asked once nothing hangs on it.
        return [(r.clause.id, r.status if r.status in (Status.GRANTED, Status.UNDETERMINED) else "not paid",
                 r.amount) for r in decision.results]

    assert outcome(reached) == outcome(expected)
    assert reached.totals == expected.totals
