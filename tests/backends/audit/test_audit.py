"""`qzdsl audit`'s analysis: which pairs are asked about, what the solver decides, the
findings with their rules and locations, and — the point of it all — that every witness
is a case the evaluator grants both clauses of."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import qzdsl
import qzdsl.wording.audit
from qzdsl.backends.audit import graph
from qzdsl.backends.audit.audit import audit_file
from qzdsl.codes import CODES
from qzdsl.cases.case import case_from_dict, load_case
from qzdsl.diagnostics import Severity
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.model import policy as m
from qzdsl.model.policy import Status
from qzdsl.wording import audit as words

ROOT = Path(__file__).resolve().parents[3]
FIXTURE = "tests/fixtures/audit/policy.qz"



@pytest.fixture(scope="module")
def fixture_report():
    return audit_file(ROOT / FIXTURE)


@pytest.fixture(scope="module")
def bundled_report():
    return audit_file()


def pair(report, a, b):
    return next(p for p in report.pairs if {p.a, p.b} == {a, b})


def findings(report, rule):
    return [f for f in report.findings if f.code == rule]


# ---- the fixture: every kind of finding, where it is expected ----------------------------

EXPECTED = [
    ("QZA001", ("purchase_grant", "graduate_withdrawal")),
    ("QZA001", ("talent_purchase_subsidy", "graduate_withdrawal")),
    ("QZA002", ("purchase_grant", "employer_rent_advance")),
    ("QZA002", ("talent_purchase_subsidy", "purchase_grant")),
    ("QZA002", ("talent_purchase_subsidy", "employer_rent_advance")),
    ("QZA002", ("talent_rent_subsidy", "low_income_rent")),
    ("QZA003", ("purchase_grant", "annual_subsidy")),
    ("QZA004", ("graduate_si_subsidy", "flexible_si_subsidy")),
    ("QZA004", ("graduate_si_subsidy", "small_enterprise_si")),
    ("QZA005", ("employer_rent_advance", "purchase_grant")),
    ("QZA006", ("purchase_grant_2022",)),
    ("QZA007", ("flexible_si_subsidy",)),
    ("QZA007", ("small_enterprise_si",)),
    ("QZA008", ("mentor_subsidy",)),
    ("QZA008", ("graduate_withdrawal",)),
    ("QZA009", ("annual_subsidy",)),
    ("QZA010", ("annual_subsidy",)),
]


@pytest.mark.parametrize("rule, clauses", EXPECTED, ids=lambda x: x if isinstance(x, str) else "+".join(x))
def test_fixture_finding(fixture_report, rule, clauses):
    assert clauses in [f.clauses for f in findings(fixture_report, rule)]


def test_fixture_errors_are_exactly_the_double_payments_and_the_impossible_clause(fixture_report):
    errors = sorted((f.code, f.clauses) for f in fixture_report.findings if f.severity is Severity.ERROR)
    assert errors == [
        ("QZA001", ("purchase_grant", "graduate_withdrawal")),
        ("QZA001", ("talent_purchase_subsidy", "graduate_withdrawal")),
        ("QZA006", ("purchase_grant_2022",)),
    ]


def test_every_finding_has_its_rules_severity_and_a_location(fixture_report):
    for f in fixture_report.findings:
        if f.code.startswith("QZA"):
            assert f.severity is CODES[f.code].severity
        assert f.spans and all(s.line > 0 and s.column > 0 for s in f.spans)


def test_encoding_checks_become_findings(fixture_report):
    assert {f.code for f in fixture_report.findings if f.code.startswith("QZ3")} == {"QZ304", "QZ305"}


def test_disjoint_reason_names_the_clashing_conditions(fixture_report):
    result = pair(fixture_report, "graduate_si_subsidy", "flexible_si_subsidy")
    assert result.overlap is False and result.relation == "conflict"
    assert [(a.clause, a.text) for a in result.reason] == [
        ("graduate_si_subsidy", "employment == non_public_employee"),
        ("flexible_si_subsidy", "employment == flexible"),
    ]


def test_different_applicant_kinds_are_disjoint_without_a_witness(fixture_report):
    result = pair(fixture_report, "flexible_si_subsidy", "small_enterprise_si")
    assert result.overlap is False and result.witness is None
    assert [a.text for a in result.reason] == ["to person", "to enterprise"]


def test_impossible_clause_blames_its_window(fixture_report):
    (finding,) = findings(fixture_report, "QZA006")
    assert tuple(atom.technical for atom in finding.args["reason"]) == (
        "purchase_grant_2022: purchase_date <= 2022-12-31",
        "purchase_grant_2022: purchase_date >= 2023-01-01 (二（十） window)",
    )
    assert [atom.role for atom in finding.args["reason"]] == [m.AtomRole.REQUIRES, m.AtomRole.WINDOW_START]
    assert words.message(finding, "zh", fixture_report.policy) == (
        "“购房补贴（2022年购房）”永远不能适用，因为以下条件不能同时成立：“购房补贴（2022年购房）”要求购房日期"
        "不晚于2022-12-31；“购房补贴（2022年购房）”的适用期自2023-01-01起（购房日期不早于2023-01-01）。")
    # QZA006 says it once: the pairs with the impossible clause are not listed as disjoint.
    assert not [f for f in findings(fixture_report, "QZA004") if "purchase_grant_2022" in f.clauses]


def test_resolution_names_the_winner_and_the_margin(fixture_report):
    (finding,) = [f for f in findings(fixture_report, "QZA002")
                  if f.clauses == ("talent_purchase_subsidy", "purchase_grant")]
    assert finding.args["winner"] == "talent_purchase_subsidy"
    assert finding.args["margin"] == Decimal(10000)


def test_dominated_clause_is_the_smaller_narrower_one(fixture_report):
    result = pair(fixture_report, "purchase_grant", "employer_rent_advance")
    assert result.dominated == "employer_rent_advance"
    (finding,) = findings(fixture_report, "QZA005")
    assert (finding.args["value"], finding.args["by_value"]) == (Decimal(5000), Decimal(20000))


def test_overlap_with_an_existing_policy_is_located_in_this_text(fixture_report):
    (finding,) = [f for f in findings(fixture_report, "QZA001") if "talent_purchase_subsidy" in f.clauses]
    assert finding.spans[0].file == str(ROOT / FIXTURE) and finding.section == "二（十）"
    assert "anchor:purchase_date" in finding.args["why"]


def test_duration_past_the_trial(fixture_report):
    (finding,) = findings(fixture_report, "QZA010")
    assert (str(finding.args["last"]), str(finding.args["end"])) == ("2032-12-31", "2025-12-31")


def test_equivalence_edge_follows_the_via(fixture_report):
    edges = [e for e in fixture_report.edges if e.relation == "equivalence"]
    assert [(e.source, e.target, e.label) for e in edges] == [("partner_equal", "graduate_withdrawal",
                                                               "quzhou_graduate")]


def test_the_audit_is_deterministic(fixture_report):
    assert audit_file(ROOT / FIXTURE) == fixture_report


# ---- candidate pairs ------------------------------------------------------------------------


def test_candidates_within_a_policy_share_a_section_or_a_relation():
    policy = qzdsl.load(ROOT / FIXTURE)
    found = {(c.a, c.b): c.why for c in graph.candidates(policy)}
    assert found[("purchase_grant", "graduate_withdrawal")] == ("section:二（十）",)
    assert found[("graduate_si_subsidy", "flexible_si_subsidy")] == ("group:social_insurance",)
    # A one-off and a rent subsidy of different sections: different needs, not asked.
    assert ("graduate_si_subsidy", "low_income_rent") not in found


def test_same_event_across_sections_of_one_policy_is_not_a_candidate(bundled_report):
    # Both start from employment_start_date, but meet different needs (insurance, rent).
    assert not [p for p in bundled_report.pairs
                if {p.a, p.b} == {"graduate_si_subsidy", "low_income_rent_subsidy"}]


# ---- the bundled policy ------------------------------------------------------------------


def test_bundled_purchase_grant_and_graduates_withdrawal_overlap(bundled_report):
    result = pair(bundled_report, "home_purchase_grant", "graduate_rent_balance_withdrawal")
    assert result.overlap is True and result.witness is not None
    assert result.relation == "stackable"  # the encoding's recorded resolution
    assert ("home_purchase_grant", "graduate_rent_balance_withdrawal") in [
        f.clauses for f in findings(bundled_report, "QZA003")]


def test_bundled_social_insurance_subsidies_are_proven_disjoint(bundled_report):
    result = pair(bundled_report, "graduate_si_subsidy", "flexible_si_subsidy")
    assert result.overlap is False
    assert {a.text for a in result.reason} == {"employment == non_public_employee", "employment == flexible"}
    assert ("graduate_si_subsidy", "flexible_si_subsidy") in [f.clauses for f in findings(bundled_report, "QZA004")]


# ---- witnesses, replayed through the evaluator ----------------------------------------------


def _replayed(policy, witness):
    """The witness as `qzdsl eval` reads it: YAML text, then the case reader."""
    return evaluate(policy, case_from_dict(yaml.safe_load(witness.yaml()), policy))


def _witness_pairs(report):
    return [p for p in report.pairs if p.witness is not None]


@pytest.mark.parametrize("path", [None, FIXTURE], ids=["bundled", "fixture"])
def test_every_witness_is_granted_both_clauses(path):
    policy = qzdsl.load(ROOT / path if path else None)
    report = audit_file(ROOT / path if path else None)
    assert _witness_pairs(report)
    for result in _witness_pairs(report):
        decision = _replayed(policy, result.witness)
        for clause in (result.a, result.b):
            assert decision.result(clause).status in (Status.GRANTED, Status.EXCLUDED), (result.witness.name, clause)


def test_resolved_witnesses_are_resolved_as_reported(fixture_report):
    policy = qzdsl.load(ROOT / FIXTURE)
    for result in fixture_report.pairs:
        if result.resolution is None:
            continue
        decision = _replayed(policy, result.witness)
        assert decision.result(result.resolution.winner).status is Status.GRANTED
        losers = [c for c in (result.a, result.b) if c != result.resolution.winner]
        assert all(decision.result(c).status is Status.EXCLUDED for c in losers)


def test_dominated_clause_loses_its_witness(fixture_report):
    policy = qzdsl.load(ROOT / FIXTURE)
    (finding,) = findings(fixture_report, "QZA005")
    decision = _replayed(policy, finding.witness)
    assert decision.result("employer_rent_advance").excluded_by == "purchase_grant"


def test_witness_files_load_as_case_files(fixture_report, tmp_path):
    policy = qzdsl.load(ROOT / FIXTURE)
    for witness in fixture_report.witnesses:
        path = tmp_path / witness.filename
        path.write_text(witness.yaml(), encoding="utf-8")
        case = load_case(path, policy)
        assert case.kind == witness.kind and case.as_of == witness.as_of


def test_a_question_that_runs_out_of_time_is_reported_as_timed_out_never_as_disjoint(monkeypatch):
    import z3

    from qzdsl.backends.audit.audit import audit
    from qzdsl.backends.audit.smt import TIMED_OUT

    policy = qzdsl.load()
    patient = audit(policy)
    # z3 out of time on every third question, whichever question that is (a real 1 ms
    # limit stops some questions or none, depending on z3's settings and the machine)
    check, reason = z3.Solver.check, z3.Solver.reason_unknown
    asked = {"n": 0, "stopped": False}

    def hurried_check(self, *assumptions):
        asked["n"] += 1
        asked["stopped"] = asked["n"] % 3 == 0
        return z3.unknown if asked["stopped"] else check(self, *assumptions)

    monkeypatch.setattr(z3.Solver, "check", hurried_check)
    monkeypatch.setattr(z3.Solver, "reason_unknown", lambda self: "timeout" if asked["stopped"] else reason(self))
    hurried = audit(policy)
    monkeypatch.undo()
    undecided = {(p.a, p.b) for p in hurried.pairs if p.overlap is None}
    assert undecided and all(p.undecided in TIMED_OUT for p in hurried.pairs if p.overlap is None)
    timed_out = {f.clauses for f in hurried.findings if f.body.key == "QZA011.timeout"}
    assert undecided <= timed_out
    disjoint = {(p.a, p.b) for p in hurried.pairs if p.overlap is False}
    assert disjoint <= {(p.a, p.b) for p in patient.pairs if p.overlap is False}  # never a guess
    assert not {f.clauses for f in hurried.findings if f.code == "QZA004"} & undecided
    assert hurried.coverage.disjoint == len(disjoint)


# ---- candidates by need -----------------------------------------------------------------------


def test_clauses_paying_for_one_need_are_paired_across_sections_and_policies(bundled_report):
    # 二（七）'s 创业带动就业补贴 and the existing small-enterprise key-group social-insurance
    # subsidy that 二（五） names: different sections, different policies, no shared anchor.
    result = pair(bundled_report, "key_group_si_subsidy", "startup_hiring_subsidy")
    assert "need:hiring_cost" in result.why
    # Every pair the audit finds by need is resolved by a declaration: an exclusion group
    # (从优) or `stackable` with its recorded reading — none is left as a possible double payment.
    by_need = [p for p in bundled_report.pairs if any(w.startswith("need:") for w in p.why)]
    assert len(by_need) >= 20
    assert all(p.relation != "none" for p in by_need)
    assert not findings(bundled_report, "QZA001")


def test_an_undeclared_pair_found_by_need_has_a_witness_that_replays(tmp_path):
    """Take away the encoding's `stackable` between 创业带动就业补贴 and the key-group
    subsidy: the pair is still asked about because of their shared need, and the audit
    reports a possible double payment with a case the evaluator grants both."""
    import shutil

    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    path = tmp_path / "policies/qzf-2023-12/policy.qz"
    text = path.read_text(encoding="utf-8")
    assert "    stackable with key_group_si_subsidy,\n" in text
    path.write_text(text.replace("    stackable with key_group_si_subsidy,\n", "", 1), encoding="utf-8")
    policy = qzdsl.load(path)
    report = audit_file(path)
    result = pair(report, "key_group_si_subsidy", "startup_hiring_subsidy")
    assert result.why == ("need:hiring_cost",)
    assert result.overlap is True and result.relation == "none"
    (finding,) = [f for f in findings(report, "QZA001")
                  if set(f.clauses) == {"key_group_si_subsidy", "startup_hiring_subsidy"}]
    assert "吸纳就业的用工成本" in qzdsl.wording.audit.message(finding, "zh")
    decision = _replayed(policy, finding.witness)
    for clause in ("key_group_si_subsidy", "startup_hiring_subsidy"):
        assert decision.result(clause).status is Status.GRANTED


def test_a_need_pairs_by_buckets_not_every_clause_with_every_other(tmp_path):
    # 40 clauses of one kind, each in its own section, 4 needs: only the pairs inside a need.
    lines = ['policy "测试〔2024〕1号": title "按需要配对", applies_from 2023-01-01', 'kind person "个人"',
             'fact eligible "符合条件": bool, of person']
    lines += [f'need n{k} "需要{k}"' for k in range(4)]
    for i in range(40):
        lines += [f'section "S{i}" "措施{i}"',
                  f'benefit c{i} "待遇{i}": 1000 once, to person, requires eligible, need n{i % 4}, '
                  f'cite "第{i}句：1000元"']
    path = tmp_path / "needs.qz"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = graph.candidates(qzdsl.load(path))
    assert len(found) == 4 * (10 * 9 // 2)
    assert all(c.why == (f"need:n{int(c.a[1:]) % 4}",) for c in found)
    assert all(int(c.a[1:]) % 4 == int(c.b[1:]) % 4 for c in found)


def test_bundled_overlaps_with_the_existing_policies_replay_as_reported(bundled_report):
    """末段 从优、从高、不重复 across 衢政发〔2023〕12号 and the existing policies: every
    such pair the audit resolves has a witness that, replayed through the evaluator, pays
    the winner it names and excludes the other, the final paragraph cited."""
    from qzdsl.reports.eval.json import record

    policy = qzdsl.load()
    own = policy.info.doc_number
    across = [p for p in bundled_report.pairs if p.resolution is not None
              and (policy.clause(p.a).policy == own) != (policy.clause(p.b).policy == own)]
    assert {frozenset((p.a, p.b)) for p in across} >= {
        frozenset(("talent_purchase_subsidy", "housing_annual_subsidy")),
        frozenset(("talent_rent_subsidy", "low_income_rent_subsidy"))}
    for result in across:
        decision = _replayed(policy, result.witness)
        winner = result.resolution.winner
        loser = result.b if winner == result.a else result.a
        assert decision.result(winner).status is Status.GRANTED, (result.a, result.b)
        assert decision.result(loser).status is Status.EXCLUDED, (result.a, result.b)
        shown = next(c for c in record(decision, "zh")["clauses"] if c["id"] == loser)
        message = next(r["message"] for r in shown["reasons"] if r["kind"] == "excluded_by")
        assert "与我市现行政策有重复、交叉的" in message and "末段" in message
