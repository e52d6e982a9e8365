"""A decision as Markdown: the summary table, the questions, and each clause's trace."""

from __future__ import annotations

from qzdsl.escape import markdown, markdown_cell, terminal
from qzdsl.reports.eval.json import record as eval_record
from qzdsl.wording import terms
from qzdsl.wording.labels import label

_MARK = {True: "✔", False: "✘", None: "?"}


def render(decision, lang: str = "zh") -> str:
    return render_record(eval_record(decision, lang))


def _cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell (qzdsl.escape): no column breaks, no links,
    images or raw HTML (a case's name is the applicant's to choose)."""
    return markdown_cell(text or "")


def _inline(text: str | None) -> str:
    """Text safe in running Markdown: one line, no emphasis, link, image or raw HTML."""
    return markdown(text or "")


def render_record(record: dict) -> str:
    lang = record["lang"]

    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    case, policy = record["case"], record["policy"]
    out = [f"# {t('eval.title')} — {_inline(policy['doc_number'])}", ""]
    out += [f"| {t('eval.case')} | {_cell(case['name'] or case['path'] or '—')} |", "|---|---|",
            f"| {t('eval.kind')} | {_cell(case['kind_label'])} |",
            f"| {t('eval.as_of')} | {record['as_of']} |",
            f"| {t('eval.decision_id')} | `{record['decision_id']}` |",
            f"| {t('eval.sha256')} | `{policy['sha256']}` |", ""]

    out += [f"## {t('eval.summary')}", ""]
    out.append("| " + " | ".join(t(k) for k in ("eval.status", "eval.ref", "eval.clause", "eval.amount",
                                                 "eval.details")) + " |")
    out.append("|---|---|---|---|---|")
    for clause in sorted(record["clauses"], key=lambda c: terms.status_rank(c["shown_as"])):
        amount = clause["amount"]["text"] if clause["amount"] and clause["payout_shown"] else clause["rate_text"]
        if clause["timeline"] and clause["payout_shown"]:
            amount += "\n" + clause["timeline"]["text"]
        for flag, key in (("discretionary", "eval.discretionary"), ("own_balance", "money_kind.own_balance")):
            if clause[flag]:
                amount += f"（{t(key)}）" if lang == "zh" else f" ({t(key)})"
        details = "\n".join(r["message"] for r in clause["reasons"] if r["kind"] != "requirement_met")
        out.append(f"| {clause['status_text']} | {_cell(clause['clause']['ref'])} | {_cell(clause['title'])} | "
                   f"{_cell(amount)} | {_cell(details)} |")
    totals = record["totals"]
    schedule = f"<br>{_cell(totals['schedule_text'])}" if totals["schedule_text"] else ""
    out += [f"| **{t('eval.total')}** | | {t('eval.total_granted', count=totals['granted'])} | "
            f"**{_cell(totals['text'])}**{schedule} | |", ""]

    out += [f"## {t('eval.questions')}", ""]
    if not record["questions"]:
        out.append(t("eval.questions_none"))
    topic = None
    for number, q in enumerate(record["questions"], start=1):
        if q["topic_text"] != topic:
            topic = q["topic_text"]
            out += ["", f"**{_inline(topic or t('eval.other_questions'))}**", ""]
        out.append(f"{number}. {_inline(q['question'])}（{_inline(_stake(q, t))}）")
    out.append("")

    out += [f"## {t('eval.facts')}", "", f"| {t('eval.fact')} | {t('eval.value')} |", "|---|---|"]
    for fact in case["facts"]:
        out.append(f"| {_cell(fact['label'])} | {_cell(fact['text'])} |")
    out.append("")

    out += [f"## {t('eval.trace')}", ""]
    for clause in record["clauses"]:
        out += _clause(clause, t)
    out += _technical(record, t)
    return "\n".join(out).rstrip("\n") + "\n"


def _stake(question: dict, t) -> str:
    """What hangs on the answer: the money and entitlements, then the clauses it decides."""
    parts = [question["stake_text"], question["decides_text"]] if question["clauses"] else [t("eval.decides_none")]
    return "；".join(p for p in parts if p)


def _technical(record: dict, t) -> list[str]:
    """Identifiers and encoded expressions, folded away: for whoever checks the encoding."""
    case = record["case"]
    out = [f"## {t('eval.technical')}", "", "<details>", f"<summary>{t('eval.technical')}</summary>", "",
           t("eval.technical_note"), "",
           f"- {t('eval.kind')}: `{case['kind']}`"]
    out += [f"- {_inline(f['label'])}: `{f['name']}`" for f in case["facts"]]
    out.append("")
    for clause in record["clauses"]:
        out.append(f"- {_inline(clause['title'])}: `{clause['id']}` — `{_code(clause['trace']['text'])}`")
        out += [f"  - {_inline(note)}" for note in clause["notes"]]
        out += [f"  - {_inline(r['source']['question'])} → {_inline(r['source']['reading'])}"
                for r in clause["readings"]]
    out += ["", "</details>", ""]
    return out


def _code(text: str) -> str:
    return " ".join(terminal(text).split()).replace("`", "'")


def _clause(clause: dict, t) -> list[str]:
    ref = clause["clause"]
    out = [f"### {ref['ref']} {_inline(clause['title'])} — {clause['status_text']}", "",
           f"{_inline(ref['section_title'])} · {_inline(ref['policy'])}", ""]
    for citation in ref["citations"]:
        out.append(f"> {_inline(citation['quote'])}（{_inline(citation['section'])}）")
        out.append(">")
    if ref["citations"]:
        out.pop()
        out.append("")
    out.append(f"- {t('eval.amount_rule')}: {_inline(clause['rate_text'])}")
    if clause["amount"]:
        out.append(f"- {t('eval.amount')}: {_inline(clause['amount']['text'])}")
    if clause["continuing"]:
        out.append(f"- {t('eval.continuing_label')}: {_inline(clause['continuing']['text'])}")
    if clause["timeline"]:
        out.append(f"- {t('eval.schedule')}: {_inline(clause['timeline']['text'])}")
        out += [f"  - {_inline(run)}" for run in _runs(clause["amount"]["schedule"], t)]
    out.append(f"- {t('eval.window')}: {_inline(clause['window']['text'])}")
    if clause["term"]:
        out.append(f"- {t('eval.term')}: {_inline(clause['term']['text'])}")
    if clause["reasons"]:
        out.append(f"- {t('eval.reasons')}:")
        out += [f"  - {_inline(r['message'])}" for r in clause["reasons"]]
    for reading in clause["readings"]:
        out.append(f"- {t('eval.reading')}: {_inline(reading['question'])} → {_inline(reading['reading'])}")
    out.append(f"- {t('eval.requirement')}:")
    out += _trace(clause["trace"], 1, t)
    out.append("")
    return out


def _runs(schedule: list[dict], t) -> list[str]:
    """Consecutive periods in the same state and amount, one line each (120 months read
    as a few lines): 2024-04-18 — 2024-05-17（1期）：100元，往期应发."""
    runs: list[list[dict]] = []
    for period in schedule:
        if not period["start"] or not period["state"]:
            return []
        if runs and (runs[-1][-1]["state"], runs[-1][-1]["text"]) == (period["state"], period["text"]):
            runs[-1].append(period)
        else:
            runs.append([period])
    return [f"{run[0]['start']} — {run[-1]['end']}（{t('eval.periods_count', count=len(run))}）："
            f"{run[0]['text']}，{run[0]['state_text']}" for run in runs]


def _trace(node: dict, depth: int, t) -> list[str]:
    value = node["value"]
    mark = _MARK[value] if value is None or isinstance(value, bool) else "="
    line = f"{'  ' * depth}- {mark} {_inline(node['sentence'])}"
    if node["masked"]:
        line += f" ({t('eval.masked')})"
    lines = [line]
    for child in node["children"]:
        lines += _trace(child, depth + 1, t)
    return lines
