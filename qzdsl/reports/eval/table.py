"""The counter's view of a decision: one terminal table (rich), the total, the questions."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qzdsl.wording import terms
from qzdsl.wording.labels import label

_STYLE = {"granted": "bold green", "excluded": "yellow", "undetermined": "cyan", "ineligible": "dim",
          "not_in_force": "magenta", "inapplicable": "dim"}


def render(record: dict, console: Console) -> None:
    """Print the decision `record` (see `eval_json.record`) to `console`."""
    lang = record["lang"]

    def t(key: str, **values) -> str:
        return label(key, lang).format(**values)

    case = record["case"]
    policy = record["policy"]
    console.print(Text(f"{t('eval.title')} — {policy['doc_number']}", style="bold"))
    heading = [(t("eval.case"), case["name"] or case["path"] or "—"),
               (t("eval.kind"), case["kind_label"]),
               (t("eval.as_of"), record["as_of"]),
               (t("eval.decision_id"), record["decision_id"])]
    for key, value in heading:
        console.print(Text.assemble((f"{key}: ", "bold"), value))

    table = Table(show_lines=False)
    for key in ("eval.status", "eval.ref", "eval.clause", "eval.amount", "eval.details"):
        table.add_column(t(key), overflow="fold")
    clauses = sorted(record["clauses"], key=lambda c: terms.status_rank(c["shown_as"]))
    for clause in clauses:
        status = clause["shown_as"]
        table.add_row(Text(clause["status_text"], style=_STYLE[status]), clause["clause"]["ref"], clause["title"],
                      _amount(clause, t), _details(clause, t))
    totals = record["totals"]
    table.add_section()
    table.add_row(Text(t("eval.total"), style="bold"), "", t("eval.total_granted", count=totals["granted"]),
                  Text(totals["text"], style="bold") + Text("\n" + totals["schedule_text"] if totals["schedule_text"]
                                                           else ""), "")
    console.print(table)

    console.print(Text(t("eval.questions"), style="bold"))
    if not record["questions"]:
        console.print(f"  {t('eval.questions_none')}")
    # A grid, not running text: Chinese has no spaces to wrap at, so a column folds it.
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    topic = None
    for number, question in enumerate(record["questions"], start=1):
        if question["topic_text"] != topic:
            topic = question["topic_text"]
            grid.add_row("", Text(topic or t("eval.other_questions"), style="bold"))
        stake = "；".join(p for p in (question["stake_text"], question["decides_text"]) if p) \
            if question["clauses"] else t("eval.decides_none")
        grid.add_row(f"{number}.", Text(f"{question['question']}（{stake}）"))
    if record["questions"]:
        console.print(grid)


def _amount(clause: dict, t) -> str:
    if clause["amount"] is not None and clause["payout_shown"]:
        text = clause["amount"]["text"]
    else:
        text = clause["rate_text"]
    if clause["discretionary"]:
        text += f" ({t('eval.discretionary')})"
    if clause["own_balance"]:
        text += f" ({t('money_kind.own_balance')})"
    if clause["timeline"] and clause["payout_shown"]:
        text += "\n" + clause["timeline"]["text"]
    return text


def _details(clause: dict, t) -> str:
    status = clause["shown_as"]
    reasons = clause["reasons"]
    if status == "inapplicable":
        return "\n".join(r["message"] for r in reasons if r["kind"] == "inapplicable")
    if status == "granted":
        return "\n".join(r["message"] for r in reasons
                         if r["kind"] in ("schedule_cut", "continuing_stopped", "periods_undetermined"))
    if status == "excluded":
        return "\n".join(r["message"] for r in reasons if r["kind"] == "excluded_by")
    if status == "undetermined":
        return "\n".join(r["message"] for r in reasons)
    return "\n".join(r["message"] for r in reasons if r["kind"] in ("condition_failed", "not_in_force"))
