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

_WORDS = {
    "zh": {
        "title": "{doc} — {kind}（{name}）的案例文件模板",
        "how": "留空的事实为“未知”。填写已知的事实，然后运行：qzdsl eval 本文件",
        "as_of": "评估日期 YYYY-MM-DD（留空：今天）",
        "name": "案例名称（自由文字）",
        "members": "可选值",
        "question": "提问",
        "over_time": "可随时间变化：按生效日期逐项填写，如 {example}（各值自该日起适用，首个日期之前为未知）",
        m.Type.BOOL: "是/否（true/false）",
        m.Type.COUNT: "人数或次数（整数）",
        m.Type.MONEY: "金额（元，最多两位小数）",
        m.Type.DATE: "日期 YYYY-MM-DD",
        m.Type.ENUM: "选项（填写名称）",
        m.Type.DURATION: "期限",
        m.Type.NUMBER: "数",
    },
    "en": {
        "title": "{doc} — case file template for {kind} ({name})",
        "how": "An empty fact is unknown. Fill in what you know, then run: qzdsl eval THIS_FILE",
        "as_of": "evaluation date YYYY-MM-DD (empty: today)",
        "name": "a name for the case (free text)",
        "members": "one of",
        "question": "ask",
        "over_time": ("may change over time: give each value from the date it takes effect, e.g. {example} "
                      "(unknown before the first date)"),
        m.Type.BOOL: "yes/no (true/false)",
        m.Type.COUNT: "a whole number",
        m.Type.MONEY: "yuan, at most two decimals",
        m.Type.DATE: "a date YYYY-MM-DD",
        m.Type.ENUM: "one option (by name)",
        m.Type.DURATION: "a duration",
        m.Type.NUMBER: "a number",
    },
}


def _comment(text: str) -> str:
    # One comment line: a label or question with a line break would end the comment.
    return "# " + " ".join(text.split())


def _dated_example(fact: m.Fact) -> str:
    """The dated form of a fact that may change over time (docs/cases.md), with values of
    its type: what a caseworker copies and fills in."""
    first, second = {
        m.Type.BOOL: ("true", "false"),
        m.Type.COUNT: ("4", "5"),
        m.Type.MONEY: ("300", "150"),
        m.Type.NUMBER: ("1", "2"),
        m.Type.DATE: ("2024-05-01", "2026-01-01"),
    }.get(fact.type, (fact.members[0].name, fact.members[-1].name) if fact.members else ("…", "…"))
    return f"{{2024-05-01: {first}, 2026-01-01: {second}}}"


def case_template(policy: m.Policy, kind: str, lang: str = "zh") -> str:
    """The template for `kind` (a kind's name; the caller checks it exists). A fact read
    period by period (`Policy.facts_over_time`) shows the dated form beside its plain one."""
    words = _WORDS[lang]
    k = policy.kinds[kind]
    over_time = set(policy.facts_over_time(kind))
    lines = [
        _comment(words["title"].format(doc=policy.info.doc_number, kind=k.label, name=k.name)),
        _comment(words["how"]),
        "",
        _comment(words["name"]),
        'name: ""',
        f"kind: {kind}",
        _comment(words["as_of"]),
        "as_of:",
        "facts:",
    ]
    for fact in policy.facts.values():
        if kind not in fact.kinds:
            continue
        lines.append(f"  {_comment(f'{fact.label} — {words[fact.type]}')}")
        if fact.members:
            options = "; ".join(f"{x.name}（{x.label}）" if lang == "zh" else f"{x.name} ({x.label})"
                                for x in fact.members)
            lines.append(f"  {_comment(words['members'] + ': ' + options)}")
        if fact.question:
            lines.append(f"  {_comment(words['question'] + ': ' + fact.question)}")
        if fact.name in over_time:
            lines.append(f"  {_comment(words['over_time'].format(example=_dated_example(fact)))}")
        # json.dumps quotes a name YAML would misread; plain names stay bare.
        key = fact.name if fact.name.isidentifier() else json.dumps(fact.name, ensure_ascii=False)
        lines.append(f"  {key}:")
    return "\n".join(lines) + "\n"
