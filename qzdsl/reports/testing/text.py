"""The text report of a policy-test run, read like pytest's: a line of dots per file, then
each failure — expected against got, and the clause's verdict, reasons and trace — and the
summary line. With coverage, the coverage report comes before it.

Like every report it reads in the user's language (`lang`), naming clauses, groups and facts
by their labels and conditions as sentences; an expectation is pointed at where the test file
writes it (`file:line:col`), so no identifier needs to be shown.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qzdsl.diagnostics import PathStyle, display_width
from qzdsl.model import policy as m
from qzdsl.reports.eval.json import phrasing
from qzdsl.testing.coverage import Coverage
from qzdsl.testing.runner import PolicyTestResult, PolicyTestRun
from qzdsl.testing.spec import Amount
from qzdsl.wording import terms
from qzdsl.wording.amounts import yuan
from qzdsl.wording.conditions import Phrasing
from qzdsl.wording.testing import word

WIDTH = 80
_MARK = {True: "✓", False: "✗", None: "?"}


def render_run(run: PolicyTestRun, cov: Coverage | None = None, paths: PathStyle | None = None,
               lang: str = "zh") -> str:
    """The report; `paths` names the files (default: relative to the working directory)."""
    paths = paths or PathStyle()
    lines = [word("header", lang, policy=run.policy.info.doc_number, sha=run.policy.sha256[:12],
                  count=len(run.results))]
    by_file: dict[str, list[PolicyTestResult]] = {}
    for result in run.results:
        by_file.setdefault(result.test.file, []).append(result)
    for file, results in by_file.items():
        lines.append(f"{paths.show(file)} " + "".join("." if r.passed else "F" for r in results))
    failures = [r for r in run.results if not r.passed]
    if failures:
        lines += ["", _rule(word("failures", lang), "=")]
        for result in failures:
            lines += [_rule(_test_id(result, paths), "_"), failure_text(result, paths, lang), ""]
        lines.append(_rule(word("short_summary", lang), "="))
        for result in failures:
            lines.append(f"{word('failed', lang)} {_test_id(result, paths)} - {mismatch_fields(result, lang)}")
    if cov is not None:
        lines += ["", render_coverage(cov, lang)]
    lines.append(summary(run, lang))
    return "\n".join(lines) + "\n"


def summary(run: PolicyTestRun, lang: str = "zh") -> str:
    """The last line: how many tests passed and failed."""
    return word("summary", lang, passed=run.passed, failed=run.failed)


def _test_id(result: PolicyTestResult, paths: PathStyle) -> str:
    """`file::name`, as pytest names a test, with the file named as the reader sees it."""
    return f"{paths.show(result.test.file)}::{result.test.name}"


def _rule(title: str, fill: str) -> str:
    text = f" {title} "
    side = max(WIDTH - display_width(text), 4) // 2
    return f"{fill * side}{text}{fill * side}"


def _field(field: str, lang: str) -> str:
    """An expectation's field in words; the phases of a schedule as every report says them."""
    if field in ("paid", "due", "projected"):
        return terms.period_state(field, lang)
    return word(f"field.{field}", lang)


def _title(policy: m.Policy, clause_id: str) -> str:
    clause = policy.clause(clause_id)
    return f"{clause.ref} {clause.title}"


def mismatch_fields(result: PolicyTestResult, lang: str = "zh") -> str:
    """What failed, in one line: each clause's title with the fields it failed on, then
    the decision's own fields."""
    policy, sep = result.decision.policy, "；" if lang == "zh" else "; "
    fields: dict[str | None, list[str]] = {}
    for x in result.mismatches:
        names = fields.setdefault(x.clause, [])
        if _field(x.field, lang) not in names:
            names.append(_field(x.field, lang))
    inner = "、" if lang == "zh" else ", "
    return sep.join((inner.join(names) if clause is None else
                     f"{_title(policy, clause)}（{inner.join(names)}）" if lang == "zh" else
                     f"{_title(policy, clause)} ({inner.join(names)})") for clause, names in fields.items())


# ---- one failure ---------------------------------------------------------------------------


def failure_text(result: PolicyTestResult, paths: PathStyle | None = None, lang: str = "zh") -> str:
    """Expected against got for every unmet expectation, grouped by clause; then each
    failing clause's verdict, reasons and requirement trace."""
    test, decision = result.test, result.decision
    policy = decision.policy
    paths = paths or PathStyle()
    kind = policy.kinds[test.case.kind].label if test.case.kind in policy.kinds else test.case.kind
    lines = [word("case", lang, case=paths.show(test.case.path or test.file), kind=kind,
                  as_of=test.as_of.isoformat())]
    for clause_id in (*result.failing_clauses(), None):
        mismatches = [x for x in result.mismatches if x.clause == clause_id]
        if not mismatches:
            continue
        if clause_id is None:
            lines.append(word("decision", lang))
        else:
            lines.append(f"{_title(policy, clause_id)}{'：' if lang == 'zh' else ':'}")
        for x in mismatches:
            lines.append(f"  {paths.location(x.check.span)}: {_field(x.field, lang)}")
            lines.append(f"  - {word('expected', lang)}{_colon(lang)}{show(x.expected, x.field, policy, lang)}")
            lines.append(f"  + {word('got', lang)}{_colon(lang)}{show(x.got, x.field, policy, lang)}")
    for clause_id in result.failing_clauses():
        lines += ["", *clause_explanation(decision.result(clause_id), policy, lang)]
    return "\n".join(lines)


def _colon(lang: str) -> str:
    return "：" if lang == "zh" else ": "


def clause_explanation(result, policy: m.Policy, lang: str = "zh") -> list[str]:
    """A clause's verdict as the eval report words it: its verdict and amount, the
    sentence it cites, the reasons, and the requirement's trace."""
    entry = phrasing(policy, lang).clause(result)
    amount = entry["amount"]["text"] if entry["amount"] else entry["rate_text"]
    lines = [f"{_title(policy, result.clause.id)}{_colon(lang)}"
             f"{word('status_amount', lang, status=entry['status_text'], amount=amount)}"]
    for citation in entry["clause"]["citations"]:
        lines.append(f"  {citation['section']}：“{citation['quote']}”")
    lines += [f"  {reason['message']}" for reason in entry["reasons"]]
    lines.append(f"  {word('trace', lang)}")
    lines += trace_lines(entry["trace"], 2, lang)
    return lines


def trace_lines(node: dict, depth: int, lang: str = "zh") -> list[str]:
    """The requirement trace (as the eval record gives it) as an indented tree of
    sentences: ✓ holds, ✗ fails, ? unknown; `=` a value the condition compares."""
    value = node["value"]
    mark = _MARK[value] if value is None or isinstance(value, bool) else "="
    line = f"{'  ' * depth}{mark} {node['sentence']}"
    if node["masked"]:
        line += f"（{word('masked', lang)}）" if lang == "zh" else f" ({word('masked', lang)})"
    return [line, *(text for child in node["children"] for text in trace_lines(child, depth + 1, lang))]


def show(value: object, field: str, policy: m.Policy, lang: str = "zh") -> str:
    """An expected or actual value in words: a verdict, a clause or a fact by its label,
    money in yuan, a window side as a sentence."""
    if value is None:
        return word("null", lang)
    if isinstance(value, bool):
        return word("yes" if value else "no", lang)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Amount):
        return _amount(value, lang)
    if isinstance(value, Decimal):
        return yuan(value, lang)
    sep = "、" if lang == "zh" else ", "
    if isinstance(value, (frozenset, set, tuple, list)):
        return sep.join(sorted(policy.label(str(v)) for v in value)) or word("null", lang)
    match field:
        case "status":
            return terms.status(value, lang)
        case "excluded_by":
            return policy.label(str(value))
        case "window":
            return word(f"window_side.{value}", lang)
    return str(value)


def _amount(a: Amount, lang: str) -> str:
    if a.low == a.high:
        return yuan(a.low, lang)
    if a.low is None:
        return word("amount.up_to", lang, high=yuan(a.high, lang))
    if a.high is None:
        return word("amount.at_least", lang, low=yuan(a.low, lang))
    return word("amount.range", lang, low=yuan(a.low, lang), high=yuan(a.high, lang))


# ---- coverage ------------------------------------------------------------------------------


def render_coverage(cov: Coverage, lang: str = "zh") -> str:
    policy = cov.policy
    covered = sum(1 for c in cov.clauses if c.covered)
    lines = [_rule(word("coverage", lang), "="),
             word("coverage.clauses", lang, covered=covered, count=len(cov.clauses), percent=cov.clause_percent)]
    statuses = ("granted", "excluded", "ineligible", "undetermined", "not_in_force")
    header = (word("coverage.clause", lang), *(terms.status(s, lang) for s in statuses), word("coverage.verdict", lang))
    rows = [header] + [
        (f"{c.clause.ref} {c.clause.title}", str(c.granted), str(c.excluded), str(c.ineligible), str(c.undetermined),
         str(c.not_in_force),
         word("coverage." + ("ok" if c.covered else "untouched" if not c.touched else
                             "never_granted" if not c.granted else "never_denied"), lang))
        for c in cov.clauses
    ]
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        lines.append("  " + "  ".join(cell + " " * (w - display_width(cell)) for cell, w in zip(row, widths)).rstrip())
    sep = "、" if lang == "zh" else ", "
    untouched = cov.untouched()
    if untouched:
        lines.append(word("coverage.no_test", lang, clauses=sep.join(_title(policy, c) for c in untouched)))
    if cov.groups:
        lines.append(word("coverage.groups", lang))
        for g in cov.groups:
            group = policy.groups[g.group].label if g.group in policy.groups else g.group
            lines.append(word("coverage.group", lang, group=group,
                              members=sep.join(policy.label(c) for c in g.members), granted=g.granted,
                              contested=g.contested, excluded=g.excluded,
                              note="" if g.contested else word("coverage.never_contested", lang)))
    atoms_covered = sum(1 for a in cov.atoms if a.covered)
    lines.append(word("coverage.atoms", lang, covered=atoms_covered, count=len(cov.atoms), percent=cov.atom_percent))
    words = Phrasing(policy, lang)
    for atom in cov.atoms:
        if atom.covered:
            continue
        missing = "never_seen" if not (atom.seen_true or atom.seen_false) else \
            "never_false" if atom.seen_true else "never_true"
        within = word("coverage.within", lang, path=" › ".join(policy.label(d) for d in atom.within)) \
            if atom.within else ""
        lines.append(f"  {_title(policy, atom.clause)}{_colon(lang)}{words.holds(atom.expr)}{within}"
                     f" — {word('coverage.' + missing, lang)}")
    return "\n".join(lines)
