"""The lawyer's table of a policy, in Markdown, generated from the compiled policy
(`qzdsl doc`): every clause with its verbatim quotes, its amount and the kind of money,
its beneficiary, its conditions as a sentence, its period, how it meets the other clauses
under 从优、从高、不重复, and the readings recorded for it; then every sentence of the
official text that no clause encodes, with the reason in legal terms. Identifiers appear
only in the closing concordance, for whoever checks the encoding.
"""

from __future__ import annotations

from qzdsl.model import policy as m
from qzdsl.reports.doc.coverage import SentenceCoverage, sentence_coverage
from qzdsl.wording import terms
from qzdsl.wording.amounts import describe_amount
from qzdsl.wording.conditions import Phrasing
from qzdsl.wording.labels import label


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell: no column break, no raw HTML, one line
    (a line break the text needs is written as <br>)."""
    text = str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", "<br>")


class _Doc:
    def __init__(self, policy: m.Policy, lang: str):
        self.policy = policy
        self.lang = lang
        self.words = Phrasing(policy, lang)

    def t(self, key: str, **values) -> str:
        return label(f"doc.{key}", self.lang).format(**values)

    # ---- one clause --------------------------------------------------------------------
    def conditions(self, clause: m.Clause) -> str:
        """The requirement, tested once, and the continuing condition, in every period."""
        text = self.words.holds(clause.requires, True)
        if clause.continuing is not None:
            text += ("；" if self.lang == "zh" else "; ") + self.words.continuing(clause.continuing)
        return text

    def period(self, clause: m.Clause) -> str:
        a, w = clause.amount, clause.window
        term = self.policy.term_of(clause)
        parts = [term.label] if term is not None else []
        if a.max_text:
            parts.append(self.t("longest", span=terms.written_duration(a.max_text, self.lang)))
        if a.anchor:
            key = "from_year" if a.calendar_year else "from"
            parts.append(self.t(key, anchor=self.policy.label(a.anchor)))
        if w.end is not None:
            parts.append(self.t("window", start=w.start.isoformat(), end=w.end.isoformat()))
            parts.append(label(f"eval.after_end.{terms.key_of(w.after_end)}", self.lang))
        elif w.start > self.policy.info.applies_from:
            parts.append(self.t("window_open", start=w.start.isoformat()))
        return "；".join(parts) or "—"

    def relations(self, clause: m.Clause) -> str:
        parts = []
        if clause.pays_for:
            needs = "、".join(f"“{self.policy.label(n)}”" for n in clause.pays_for)
            parts.append(self.t("needs", needs=needs))
        if clause.once_only:
            parts.append(self.t("once_only", label=self.policy.label(clause.once_only)))
        rivals = [c for c in self.policy.clauses if c.id != clause.id and self.policy.conflicts(clause, c)]
        if rivals:
            parts.append(self.t("rivals", clauses=self._titles(rivals)))
        stacked = [c for c in self.policy.clauses if c.id != clause.id
                   and (c.id in clause.stackable or clause.id in c.stackable)]
        if stacked:
            parts.append(self.t("stacked", clauses=self._titles(stacked)))
        if clause.extends:
            parts.append(self.t("extends", label=self.policy.label(clause.extends)))
        if clause.existing:
            parts.append(self.t("existing", text=self.words.plain(clause.existing)))
        if clause.grants:
            parts.append(self.t("grants", text=self.words.plain(clause.grants)))
        if clause.channel:
            parts.append(self.t("channel", text=self.words.plain(clause.channel)))
        return "\n".join(parts) or "—"

    def amount(self, clause: m.Clause, per_head: str | None) -> str:
        """The amount as the text sets it; a reference or an equivalence sets none itself."""
        if terms.key_of(clause.kind) in ("reference", "equivalence") and clause.amount.kind is m.AmountKind.NONE:
            return "—"
        rate = self.policy.label(clause.amount.fact) if clause.amount.fact else None
        return describe_amount(clause.amount, self.lang, per_head, rate)

    def discretion(self, clause: m.Clause) -> str:
        if clause.discretionary:
            return self.t("discretionary")
        if clause.amount.kind is m.AmountKind.UP_TO:
            return self.t("up_to")
        return "—"

    def readings(self, items) -> str:
        return "\n".join(self.t("reading", question=self.words.plain(a.question), reading=self.words.plain(a.reading))
                         for a in items) or "—"

    def quotes(self, citations) -> str:
        return "\n".join(f"“{c.quote}”" + (self.t("line", line=c.source_line) if c.source_line else "")
                         for c in citations)

    def _titles(self, clauses) -> str:
        return "、".join(f"“{c.title}”" for c in clauses)

    # ---- sentences not encoded ---------------------------------------------------------
    def reason(self, s: SentenceCoverage) -> str:
        if s.asides:
            return "；".join(self.words.plain(a.reason) for a in s.asides)
        if s.others:
            return self.t("reason.quoted", what="、".join(f"“{o}”" for o in s.others))
        if s.coverage == "not_encoded":
            return self.t("reason.not_encoded")
        return self.t("reason.no_payout")


def render(policy: m.Policy, lang: str = "zh") -> str:
    d = _Doc(policy, lang)
    t = d.t
    info = policy.info
    out = [f"# {info.doc_number} {t('title')}", "", f"**{info.title}**", "", t("intro"), ""]

    out += [f"## {t('general')}", "", f"| {t('item')} | {t('rule')} |", "|---|---|"]
    if info.in_force:
        out.append(f"| {t('in_force')} | {info.in_force.isoformat()} |")
    out.append(f"| {t('applies_from')} | {info.applies_from.isoformat()} |")
    for section in policy.sections.values():
        if section.window.end is not None:
            after = label(f"eval.after_end.{terms.key_of(section.window.after_end)}", lang)
            out.append(f"| {_cell(t('trial', section=section.ref + ' ' + section.title))} | "
                       f"{section.window.start.isoformat()}—{section.window.end.isoformat()}；{after} |")
    if info.principle:
        out.append(f"| {t('principle')} | {t('principle_text')} |")
    for c in info.citations:
        out.append(f"| {t('quote')} | “{_cell(c.quote)}”{t('line', line=c.source_line) if c.source_line else ''} |")
    out.append("")
    if info.ambiguities:
        out += [_cell(d.readings(info.ambiguities)).replace("<br>", "\n\n"), ""]

    out += [f"## {t('clauses')}", "", t("clauses_note"), ""]
    header = ("no", "benefit", "kind", "quote", "amount", "money", "beneficiary", "conditions", "period",
              "discretion", "relations", "readings")
    number = 0
    for key, section in policy.sections.items():
        clauses = [c for c in policy.clauses if c.section_key == key]
        if not clauses:
            continue
        out += [f"### {section.ref} {section.title}", "", "| " + " | ".join(t(f"col.{h}") for h in header) + " |",
                "|" + "---|" * len(header)]
        for clause in clauses:
            number += 1
            kind = policy.kinds.get(clause.beneficiary)
            per_head = policy.label(clause.amount.per_head) if clause.amount.per_head else None
            cells = (number, clause.title, terms.clause_kind(clause.kind, lang), d.quotes(clause.citations),
                     d.amount(clause, per_head), terms.money_kind(terms.money_kind_of(clause), lang),
                     kind.label if kind else "—", d.conditions(clause), d.period(clause),
                     d.discretion(clause), d.relations(clause), d.readings(clause.ambiguities))
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        if section.ambiguities:
            out += ["", _cell(d.readings(section.ambiguities)).replace("<br>", "\n\n")]
        out.append("")

    definitions = [x for x in policy.definitions.values() if x.ambiguities or x.citations]
    if definitions:
        out += [f"## {t('definitions')}", "", f"| {t('col.term')} | {t('col.meaning')} | {t('col.quote')} | "
                f"{t('col.readings')} |", "|---|---|---|---|"]
        for x in definitions:
            out.append(f"| {_cell(x.label)} | {_cell(d.words.holds(x.expr, True))} | {_cell(d.quotes(x.citations))} | "
                       f"{_cell(d.readings(x.ambiguities))} |")
        out.append("")

    if policy.targets:
        out += [f"## {t('targets')}", "", f"| {t('col.target')} | {t('col.goal')} | {t('col.deadline')} | "
                f"{t('col.quote')} |", "|---|---|---|---|"]
        for target in policy.targets:
            value = f"{target.value.normalize():f}{target.unit or ''}"
            deadline = target.deadline.isoformat() if target.deadline else "—"
            out.append(f"| {_cell(target.title)} | {_cell(t('goal', value=value))} | "
                       f"{deadline} | {_cell(d.quotes(target.citations))} |")
        out.append("")

    coverage = sentence_coverage(policy)
    rest = [s for s in coverage if s.coverage in ("not_encoded", "not_payout", "partly")]
    out += [f"## {t('not_encoded')}", "", t("not_encoded_note", total=len(coverage), encoded=len(coverage) - len(rest),
                                             rest=len(rest)), "",
            f"| {t('col.line')} | {t('col.sentence')} | {t('col.coverage')} | {t('col.reason')} |", "|---|---|---|---|"]
    for s in rest:
        reason = d.reason(s) if s.coverage != "partly" else t(
            "reason.partly", amounts="、".join(f"{a.normalize():f}元" for a in s.missing_amounts))
        out.append(f"| {s.line} | {_cell(s.text)} | {t('coverage.' + s.coverage)} | {_cell(reason)} |")
    out.append("")

    out += [f"## {t('concordance')}", "", t("concordance_note"), "", f"| {t('col.benefit')} | {t('col.id')} |",
            "|---|---|"]
    out += [f"| {_cell(c.title)} | `{c.id}` |" for c in policy.clauses]
    out += [f"| {_cell(x.title)} | `{x.id}` |" for x in policy.targets]
    out.append("")
    return "\n".join(out)
