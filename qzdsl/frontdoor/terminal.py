"""`qzdsl interview`: the interview in a terminal, on rich.

One question at a time, the one deciding the most first; after every answer, what is
settled (granted, ineligible) and what is still open. "不知道" leaves a fact unknown,
"返回" takes the last answer back, "结束" stops asking. At the end the case file is
written and the decision printed. End of input (Ctrl-D, or a piped script running out)
stops asking as "结束" does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from qzdsl.backends.evaluator.questions import Question
from qzdsl.cases.values import Refused
from qzdsl.frontdoor.interview import Interview, Progress, case_yaml
from qzdsl.model import policy as m
from qzdsl.wording.interview import BACK, STOP, say

_SHOWN_CLAUSES = 3  # clauses named under a question before "等 N 项"


def choose_kind(policy: m.Policy, console: Console, lang: str) -> str | None:
    """Ask for the kind of applicant until one is given; None at end of input."""
    from qzdsl.cases.values import read_kind

    kinds = list(policy.kinds.values())
    console.print(f"[bold]{escape(say('kind', lang))}[/]")
    for number, kind in enumerate(kinds, 1):
        console.print(f"  {number}) {escape(kind.label)}（{kind.name}）")
    while True:
        text = _ask(console, say("kind_choice", lang))
        if text is None:
            return None
        if text.isdigit() and 1 <= int(text) <= len(kinds):
            return kinds[int(text) - 1].name
        try:
            return read_kind(policy, text)
        except Refused as refusal:
            _refused(console, refusal, lang)


def run(talk: Interview, console: Console, lang: str) -> None:
    """Ask until no question is needed, the person stops, or input ends."""
    number = 0
    while True:
        question = talk.next_question()
        if question is None:
            console.print(f"\n[bold green]{escape(say('no_more', lang))}[/]")
            return
        number += 1
        fact = talk.policy.facts[question.fact]
        over_time = fact.name in talk.policy.facts_over_time(talk.kind)
        _show_question(talk.policy, question, fact, number, console, lang, over_time)
        while True:
            text = _ask(console, say("answer", lang) + "> ")
            if text is None or text.casefold() in STOP:
                console.print(say("stopped", lang))
                return
            if text.casefold() in BACK:
                undone = talk.back()
                said = say("went_back", lang, label=talk.policy.facts[undone].label) if undone \
                    else say("nothing_to_undo", lang)
                console.print(f"[yellow]{escape(said)}[/]")
                number = max(number - 2, 0)
                break
            try:
                value = talk.answer(question.fact, _menu_choice(fact, text))
            except Refused as refusal:
                _refused(console, refusal, lang)
                continue
            if value is None:
                console.print(escape(say("unknown_kept", lang, label=fact.label)))
            show_progress(talk.progress(lang), console, lang)
            break


def _show_question(policy: m.Policy, question: Question, fact: m.Fact, number: int, console: Console,
                   lang: str, over_time: bool = False) -> None:
    console.print()
    titles = [policy.clause(c).title for c in question.clauses]
    decided = "、".join(titles[:_SHOWN_CLAUSES])
    if len(titles) > _SHOWN_CLAUSES:
        decided += " " + say("and_more", lang, n=len(titles))
    money = f"；{say('decides_money', lang, money=_yuan(question.stake))}" if question.stake else ""
    console.print(f"[bold cyan]{escape(say('question', lang, n=number))}[/] "
                  f"[dim]{escape(say('decides', lang, clauses=decided) + money)}[/]")
    console.print(f"[bold]{escape(fact.question or fact.label)}[/]")
    if fact.type is m.Type.ENUM:
        for index, member in enumerate(fact.members, 1):
            console.print(f"  {index}) {escape(member.label)}")
    elif fact.type is m.Type.BOOL:
        console.print(f"  {escape(say('yes_no', lang))}")
    if over_time:  # read period by period: a count, a rate or a condition that may change
        from qzdsl.cases.template import dated_example

        console.print(f"  {escape(say('over_time', lang, example=dated_example(fact, braces=False)))}")
    console.print(f"[dim]{escape(say('controls', lang))}[/]")


def _menu_choice(fact: m.Fact, text: str) -> str:
    """A menu number of an enumeration's member stands for the member."""
    if fact.type is m.Type.ENUM and text.isdigit() and 1 <= int(text) <= len(fact.members):
        return fact.members[int(text) - 1].name
    return text


def show_progress(progress: Progress, console: Console, lang: str) -> None:
    counts = [say("granted", lang, n=len(progress.granted)), say("ineligible", lang, n=progress.ineligible)]
    if progress.not_in_force:
        counts.append(say("not_in_force", lang, n=progress.not_in_force))
    counts.append(say("open", lang, n=len(progress.open)))
    if progress.granted:
        counts.append(say("total", lang, total=progress.total))
    console.print(f"[bold]{escape(say('settled', lang))}[/]：" + escape("；".join(counts)))
    for item in progress.granted:
        console.print(f"  [green]✔[/] {escape(item.ref)} {escape(item.title)} — {escape(item.amount)}")


def save(talk: Interview, out: Path | None, default: Path, console: Console, lang: str) -> Path | None:
    """Write the case file to `out`, or where the person says (default `default`)."""
    from qzdsl.output import CannotWrite, write_text

    target = out
    if target is None:
        text = _ask(console, say("save_as", lang, path=default))
        target = Path(text) if text else default
    try:
        write_text(target, case_yaml(talk.case_data()))
    except CannotWrite as problem:
        console.print(f"[red]{escape(say('not_saved', lang, reason=problem.message(lang)))}[/]")
        return None
    console.print(escape(say("saved", lang, path=target)))
    return target


def _refused(console: Console, refusal: Refused, lang: str) -> None:
    console.print(f"[red]{escape(say('refused', lang, reason=refusal.message(lang)))}[/]")
    hint = refusal.hint(lang)
    if hint:
        console.print(f"[yellow]{escape(say('hint', lang, hint=hint))}[/]")


def _ask(console: Console, prompt: str) -> str | None:
    try:
        return console.input(escape(prompt)).strip()
    except EOFError:
        return None


def _yuan(amount) -> str:
    from qzdsl.money import to_json

    value = to_json(amount)
    return f"{value:,}元" if isinstance(value, int) else f"{value}元"


def header(talk: Interview, console: Console, lang: str, as_of: dt.date) -> None:
    policy = say("policy", lang, doc=talk.policy.info.doc_number)
    console.print(f"[bold]{escape(say('title', lang))}[/] — {escape(policy)}"
                  f"，{escape(say('as_of', lang, date=as_of.isoformat()))}")


def resumed(talk: Interview, lang: str) -> str:
    return escape(say("resumed", lang, name=talk.name or "", known=len(talk.facts) + len(talk.changes)))


def report_saved(path: Path, lang: str) -> str:
    return escape(say("report_saved", lang, path=path))
