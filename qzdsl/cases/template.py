"""A commented case-file template for one kind of applicant (`qzdsl new-case KIND`).

Every fact the policy asks of that kind is listed, empty (an empty fact is unknown), above
it its label, its type and the question a caseworker asks, and, for a fact read period by
period (a continuing condition's, a recurring amount's head count or rate), the dated form
in which it may be given over time. The template loads as it is: a case with every fact
unknown.
"""

from __future__ import annotations

import json

from qzdsl.model import policy as m
from qzdsl.wording.labels import label

def _comment(text: str) -> str:
    # One comment line: a label or question with a line break would end the comment.
    return "# " + " ".join(text.split())


def dated_example(fact: m.Fact, braces: bool = True) -> str:
    """The dated form of a fact that may change over time (docs/cases.md), with values of
    its type: what a caseworker copies and fills in (in a case file, in braces; typed as an
    answer, without)."""
    first, second = {
        m.Type.BOOL: ("true", "false"),
        m.Type.COUNT: ("4", "5"),
        m.Type.MONEY: ("300", "150"),
        m.Type.NUMBER: ("1", "2"),
        m.Type.DATE: ("2024-05-01", "2026-01-01"),
    }.get(fact.type, (fact.members[0].name, fact.members[-1].name) if fact.members else ("…", "…"))
    pairs = f"2024-05-01: {first}, 2026-01-01: {second}"
    return f"{{{pairs}}}" if braces else pairs


def case_template(policy: m.Policy, kind: str, lang: str = "zh") -> str:
    """The template for `kind` (a kind's name; the caller checks it exists). A fact read
    period by period (`Policy.facts_over_time`) shows the dated form beside its plain one."""
    def words(key: str) -> str:
        return label(f"new_case.{key}", lang)

    k = policy.kinds[kind]
    over_time = set(policy.facts_over_time(kind))
    lines = [
        _comment(words("title").format(doc=policy.info.doc_number, kind=k.label, name=k.name)),
        _comment(words("how")),
        "",
        _comment(words("name")),
        'name: ""',
        f"kind: {kind}",
        _comment(words("as_of")),
        "as_of:",
        "facts:",
    ]
    for fact in policy.facts.values():
        if kind not in fact.kinds:
            continue
        kind_of_value = words(f"type.{fact.type.value}")
        lines.append(f"  {_comment(f'{fact.label} — {kind_of_value}')}")
        if fact.members:
            options = "; ".join(words("member").format(name=x.name, label=x.label) for x in fact.members)
            lines.append(f"  {_comment(words('members') + ': ' + options)}")
        if fact.question:
            lines.append(f"  {_comment(words('question') + ': ' + fact.question)}")
        if fact.name in over_time:
            lines.append(f"  {_comment(words('over_time').format(example=dated_example(fact)))}")
        # json.dumps quotes a name YAML would misread; plain names stay bare.
        key = fact.name if fact.name.isidentifier() else json.dumps(fact.name, ensure_ascii=False)
        lines.append(f"  {key}:")
    return "\n".join(lines) + "\n"
