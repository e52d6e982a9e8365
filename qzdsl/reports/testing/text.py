"""The text report of a policy-test run, read like pytest's: a line of dots per file, then
each failure — expected against got, and the trace of the clause in question — and the
summary line `N passed, M failed`. With coverage, the coverage report comes before it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qzdsl.money import to_json
from qzdsl.wording.amounts import describe_amount
from qzdsl.diagnostics import PathStyle, display_width
from qzdsl.backends.evaluator.results import ClauseResult, ExcludedBy, OutOfWindow, TraceNode
from qzdsl.testing.coverage import Coverage
from qzdsl.testing.runner import PolicyTestResult, PolicyTestRun

WIDTH = 80
FIELD_NAMES = {
    "amount": "amount (per period)",
    "total": "total (lifetime)",
    "heads": "heads (per-head count)",
    "periods": "periods (schedule length)",
    "starts": "starts (first period's start)",
    "ends": "ends (last period's end)",
    "missing": "missing facts",
}


def render_run(run: PolicyTestRun, cov: Coverage | None = None, paths: PathStyle | None = None) -> str:
    """The report; `paths` names the files (default: relative to the working directory)."""
    paths = paths or PathStyle()
    lines = [f"policy {run.policy.info.doc_number} (sha256 {run.policy.sha256[:12]}), {len(run.results)} test(s)"]
    by_file: dict[str, list[PolicyTestResult]] = {}
    for result in run.results:
        by_file.setdefault(result.test.file, []).append(result)
    for file, results in by_file.items():
        lines.append(f"{paths.show(file)} " + "".join("." if r.passed else "F" for r in results))
    failures = [r for r in run.results if not r.passed]
    if failures:
        lines += ["", _rule("FAILURES", "=")]
        for result in failures:
            lines += [_rule(_test_id(result, paths), "_"), failure_text(result, paths), ""]
        lines.append(_rule("short test summary info", "="))
        for result in failures:
            lines.append(f"FAILED {_test_id(result, paths)} - {mismatch_fields(result)}")
    if cov is not None:
        lines += ["", render_coverage(cov)]
    lines.append(f"{run.passed} passed, {run.failed} failed")
    return "\n".join(lines) + "\n"


def _test_id(result: PolicyTestResult, paths: PathStyle) -> str:
    """`file::name`, as pytest names a test, with the file named as the reader sees it."""
    return f"{paths.show(result.test.file)}::{result.test.name}"


def _rule(title: str, fill: str) -> str:
    text = f" {title} "
    side = max(WIDTH - display_width(text), 4) // 2
    return f"{fill * side}{text}{fill * side}"


def mismatch_fields(result: PolicyTestResult) -> str:
    """What failed, in one line: `clause.field, …` (`totals.low` for the decision's)."""
    return ", ".join(dict.fromkeys(f"{x.clause}.{x.field}" if x.clause else x.field for x in result.mismatches))


# ---- one failure ---------------------------------------------------------------------------


def failure_text(result: PolicyTestResult, paths: PathStyle | None = None) -> str:
    """Expected against got for every unmet expectation, grouped by clause; then each
    failing clause's status, reasons and requirement trace."""
    test, decision = result.test, result.decision
    paths = paths or PathStyle()
    lines = [f"case: {paths.show(test.case.path or test.file)} ({test.case.kind}), "
             f"as of {test.as_of.isoformat()}"]
    for clause_id in (*result.failing_clauses(), None):
        mismatches = [x for x in result.mismatches if x.clause == clause_id]
        if not mismatches:
            continue
        if clause_id is None:
            lines.append("decision:")
        else:
            clause = decision.result(clause_id).clause
            lines.append(f"{clause_id} {clause.title} [{clause.section}]:")
        for x in mismatches:
            lines.append(f"  {paths.location(x.check.span)}: {FIELD_NAMES.get(x.field, x.field)}")
            lines.append(f"  - expected: {show(x.expected)}")
            lines.append(f"  + got:      {show(x.got)}")
    for clause_id in result.failing_clauses():
        lines += ["", *clause_explanation(decision.result(clause_id))]
    return "\n".join(lines)


def clause_explanation(result: ClauseResult) -> list[str]:
    clause = result.clause
    lines = [f"{clause.id}: {result.status.value}, amount {describe_amount(clause.amount, 'en')}"]
    if clause.citations:
        lines.append(f"  {clause.section}：“{clause.quote}”")
    for reason in result.reasons:
        if isinstance(reason, OutOfWindow):
            end = reason.window.end.isoformat() if reason.window.end else "open"
            cited = f" ({reason.window.provision.quote})" if reason.window.provision else ""
            lines.append(f"  window {reason.window.start.isoformat()}..{end}{cited}: "
                         f"{reason.date.isoformat()} is {reason.which}")
        elif isinstance(reason, ExcludedBy):
            lines.append(f"  excluded by {reason.clause} ({show(reason.winner_value)} against {show(reason.value)})")
    if result.missing_facts:
        lines.append("  missing facts: " + ", ".join(result.missing_facts))
    lines.append("  trace:")
    lines += trace_lines(result.trace, depth=2)
    return lines


def trace_lines(node: TraceNode, depth: int = 0, condition: bool = True) -> list[str]:
    """The requirement trace as an indented tree: ✓ true, ✗ false, ? unknown for
    conditions; `·` and the value for what a condition compares (facts, dates, as_of)."""
    pad = "  " * depth
    label = f" {node.label}" if node.label else ""
    match node.op:
        case "const":
            return []
        case "and" | "or":
            head = f"{pad}{_mark(node.value)} {'all of' if node.op == 'and' else 'any of'}"
        case "def":
            head = f"{pad}{_mark(node.value)} {node.name}{label}"
        case "via":
            head = f"{pad}{_mark(node.value)} via {node.name}{label}"
        case "not" | "cmp" | "in":
            head = f"{pad}{_mark(node.value)} {node.text}"
        case "fact" if condition:
            head = f"{pad}{_mark(node.value)} {node.name} = {show(node.value)}{label}"
        case _:
            head = f"{pad}· {node.text} = {show(node.value)}{label}"
    inner = node.op in ("and", "or", "def", "via", "not")
    return [head, *(line for child in node.children for line in trace_lines(child, depth + 1, inner))]


def _mark(value: object) -> str:
    return {True: "✓", False: "✗", None: "?"}[value] if value is None or isinstance(value, bool) else "·"


def show(value: object) -> str:
    """A value the way a test file writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(to_json(value))
    if isinstance(value, (frozenset, set, tuple, list)):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    return str(value)


# ---- coverage ------------------------------------------------------------------------------


def render_coverage(cov: Coverage) -> str:
    covered = sum(1 for c in cov.clauses if c.covered)
    lines = [_rule("coverage", "="),
             f"clause coverage: {covered}/{len(cov.clauses)} clauses granted and denied ({cov.clause_percent}%)"]
    header = ("clause", "granted", "excluded", "ineligible", "undetermined", "not_in_force", "verdict")
    rows = [header] + [
        (c.clause.id, str(c.granted), str(c.excluded), str(c.ineligible), str(c.undetermined), str(c.not_in_force),
         "ok" if c.covered else ("NOT TOUCHED" if not c.touched else "never granted" if not c.granted
                                 else "never denied"))
        for c in cov.clauses
    ]
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        lines.append("  " + "  ".join(cell + " " * (w - display_width(cell)) for cell, w in zip(row, widths)).rstrip())
    untouched = cov.untouched()
    if untouched:
        lines.append("clauses no test touches: " + ", ".join(untouched))
    if cov.groups:
        lines.append("exclusion groups:")
        for g in cov.groups:
            note = "" if g.contested else " — never contested: no test has two members pass at once"
            lines.append(f"  {g.group} ({', '.join(g.members)}): granted in {g.granted} test(s), "
                         f"contested in {g.contested}, excluded a member in {g.excluded}{note}")
    atoms_covered = sum(1 for a in cov.atoms if a.covered)
    lines.append(f"condition coverage: {atoms_covered}/{len(cov.atoms)} atoms seen true and false "
                 f"({cov.atom_percent}%)")
    for atom in cov.atoms:
        if atom.covered:
            continue
        missing = "never true or false" if not (atom.seen_true or atom.seen_false) else \
            "never false" if atom.seen_true else "never true"
        within = f" (in {' > '.join(atom.within)})" if atom.within else ""
        lines.append(f"  {atom.clause}: {atom.text}{within} — {missing}")
    return "\n".join(lines)
