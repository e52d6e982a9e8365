"""The SQL back end (DuckDB) and the Python evaluator agree on every clause of every case.

Hypothesis generates batches of random cases — every applicant kind, facts missing at
random, dates on the edges of the windows and of the policy's own durations and on the
29th of February, counts 0..20, money on and around the policy's thresholds — and each
batch is evaluated by one SQL query and, case by case, by `qzdsl.evaluator`. Status,
excluded_by and every amount (per period low/high, periods, lifetime low/high, and paid /
due / projected on the as-of date) must match; the query built without the phase columns
(the batch default) must give the other columns unchanged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qzdsl
from qzdsl.model import policy as m
from qzdsl.backends.sql import columns as sqlcols
from qzdsl.backends.sql import query as sqlgen
from qzdsl.cases.case import case_from_dict
from qzdsl.model.dates import shift
from qzdsl.backends.evaluator.evaluator import evaluate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"
POLICIES = {
    "bundled": None,
    "housing": FIXTURES / "housing.qz",
    "employment": FIXTURES / "employment.qz",
    "trial_stop": FIXTURES / "trial_stop.qz",
}
ARROW_TYPES = {
    m.Type.BOOL: pa.bool_(),
    m.Type.COUNT: pa.int64(),
    m.Type.MONEY: pa.decimal128(18, 2),
    m.Type.DATE: pa.date32(),
    m.Type.ENUM: pa.string(),
}
BATCHES = 12  # hypothesis examples per policy; each one is a batch of cases and one query
BATCH_SIZE = (60, 160)


# ---- what to generate ----------------------------------------------------------------


def _constants(policy: m.Policy) -> tuple[list[Decimal], list[dt.date], list[tuple[int, str]]]:
    """The money thresholds, dates and durations written in the policy."""
    money, dates, durations = set(), set(), set()
    exprs = [c.eligibility for c in policy.clauses] + [d.expr for d in policy.definitions.values()]
    for expr in exprs:
        for node in m.walk(expr):
            if isinstance(node, m.Const) and node.type in (m.Type.NUMBER, m.Type.MONEY):
                money.add(node.value)
            elif isinstance(node, m.Const) and node.type is m.Type.DATE:
                dates.add(node.value)
            elif isinstance(node, m.Shift):
                durations.add((node.amount, node.unit))
    for clause in policy.clauses:
        window = clause.window
        dates |= {window.start, window.start - dt.timedelta(days=1)}
        if window.end:
            dates |= {window.end, window.end + dt.timedelta(days=1)}
    return sorted(money), sorted(dates), sorted(durations)


LEAP_DAYS = [dt.date(y, 2, 29) for y in (1960, 1964, 1988, 2000, 2020, 2024, 2028)]
MONTH_ENDS = [dt.date(2023, 1, 31), dt.date(2023, 2, 28), dt.date(2024, 3, 31), dt.date(2023, 8, 31),
              dt.date(2024, 12, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 1)]


def _in_force_dates(dates: list[dt.date]) -> st.SearchStrategy[dt.date]:
    """Dates from a little before the earliest window to a little after the latest edge."""
    return st.dates(min(dates) - dt.timedelta(days=90), max(dates) + dt.timedelta(days=90))


def _as_of(dates: list[dt.date]) -> st.SearchStrategy[dt.date]:
    return st.one_of(st.sampled_from(dates + LEAP_DAYS[-3:] + MONTH_ENDS), _in_force_dates(dates),
                     st.dates(dt.date(2022, 6, 1), dt.date(2031, 12, 31)))


def _date_fact(dates: list[dt.date], durations: list[tuple[int, str]], as_of: dt.date) -> st.SearchStrategy:
    """Dates near the edges that matter: the policy's dates, as_of moved by the policy's
    durations (± a day), leap days, month ends, the windows, and anything from 1950 on."""
    near = [as_of, as_of - dt.timedelta(days=1)]
    for amount, unit in durations:
        for sign in (1, -1):
            edge = shift(as_of, amount, unit, sign)
            near += [edge - dt.timedelta(days=1), edge, edge + dt.timedelta(days=1)]
    return st.one_of(st.sampled_from(dates + near + LEAP_DAYS + MONTH_ENDS), _in_force_dates(dates),
                     st.dates(dt.date(1950, 1, 1), dt.date(2032, 12, 31)))


def _money_fact(thresholds: list[Decimal]) -> st.SearchStrategy[Decimal]:
    near = sorted({t + d for t in thresholds for d in (Decimal("-0.01"), Decimal(0), Decimal("0.01"), Decimal(-1))
                   if t + d >= 0})
    cents = st.integers(0, 2 * int(max(thresholds, default=Decimal(10000))) * 100).map(lambda c: Decimal(c) / 100)
    return st.one_of(st.sampled_from(near), cents) if near else cents


@st.composite
def cases(draw, policy: m.Policy, constants) -> dict:
    """One case of a random kind. Half the cases know every fact, the others miss each
    with probability 1/3; yes/no facts lean to yes so long requirements get met."""
    money, dates, durations = constants
    kinds = sorted({c.beneficiary for c in policy.evaluated_clauses})
    kind = draw(st.sampled_from(kinds))
    as_of = draw(_as_of(dates))
    complete = draw(st.booleans())
    facts = {}
    for fact in policy.facts.values():
        if kind not in fact.kinds or (not complete and draw(st.integers(0, 2)) == 0):
            continue  # absent: unknown
        match fact.type:
            case m.Type.BOOL:
                facts[fact.name] = draw(st.integers(0, 3)) > 0
            case m.Type.COUNT:
                facts[fact.name] = draw(st.integers(0, 20))
            case m.Type.MONEY:
                facts[fact.name] = draw(_money_fact(money))
            case m.Type.DATE:
                facts[fact.name] = draw(_date_fact(dates, durations, as_of))
            case m.Type.ENUM:
                facts[fact.name] = draw(st.sampled_from([x.name for x in fact.members]))
    return {"kind": kind, "as_of": as_of, "facts": facts}


# ---- the two back ends -----------------------------------------------------------------


def cases_table(policy: m.Policy, batch: list[dict]) -> pa.Table:
    columns = {
        "row_id": pa.array(range(len(batch)), pa.int64()),
        "kind": pa.array([c["kind"] for c in batch], pa.string()),
        "as_of": pa.array([c["as_of"] for c in batch], pa.date32()),
    }
    for name, fact in policy.facts.items():
        columns[name] = pa.array([c["facts"].get(name) for c in batch], ARROW_TYPES[fact.type])
    return pa.table(columns)


def sql_results(connection, policy: m.Policy, sql: str, batch: list[dict]) -> list[dict]:
    connection.register("cases", cases_table(policy, batch))
    try:
        result = connection.execute(sql)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]
    finally:
        connection.unregister("cases")


def _expected(policy: m.Policy, case: dict) -> dict[str, tuple]:
    decision = evaluate(policy, case_from_dict(case, policy))
    expected = {}
    for result in decision.results:
        paid, line = result.amount, result.timeline
        amounts = (None,) * 11 if paid is None else (paid.low, paid.high, paid.count, paid.total_low, paid.total_high,
                                                     *line.paid, *line.due, *line.projected)
        expected[result.clause.id] = (result.status.value, result.excluded_by, *amounts)
    return expected


def _actual(row: dict, columns: tuple[sqlcols.ClauseColumns, ...]) -> dict[str, tuple]:
    actual = {}
    for names in columns:
        if row[names.status] is None:
            continue  # a clause for another kind of applicant
        amounts = (None,) * 11
        if names.monetary:
            # the amounts, the lifetime, and paid / due / projected on the row's as-of date
            amounts = tuple(row[getattr(names, part)] for part in sqlcols.AMOUNT_PARTS)
        actual[names.clause.id] = (row[names.status], row[names.excluded_by], *amounts)
    return actual


def assert_agree(connection, policy: m.Policy, sql: str, batch: list[dict]) -> None:
    columns = sqlcols.clause_columns(policy, phases=True)
    rows = sql_results(connection, policy, sql, batch)
    assert len(rows) == len(batch)
    # Without the phases (`eval --batch` by default): the same rows, less the phase columns.
    if id(policy) not in _PLAIN:
        _PLAIN[id(policy)] = (policy, sqlgen.to_sql(policy, pretty=False))
    without = sql_results(connection, policy, _PLAIN[id(policy)][1], batch)
    assert without == [{k: v for k, v in row.items() if not k.endswith(_PHASE_SUFFIXES)} for row in rows]
    for row, case in zip(rows, batch):
        expected, actual = _expected(policy, case), _actual(row, columns)
        assert actual == expected, f"case {case}:\n" + "\n".join(
            f"  {cid}: sql {actual.get(cid)} != evaluator {expected.get(cid)}"
            for cid in sorted(set(expected) | set(actual)) if actual.get(cid) != expected.get(cid))


# ---- the tests -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def connection():
    con = duckdb.connect()
    yield con
    con.close()


@pytest.fixture(scope="module", params=list(POLICIES), ids=list(POLICIES))
def policy(request) -> m.Policy:
    return qzdsl.load(POLICIES[request.param])


_PHASE_SUFFIXES = tuple(f"__{part}" for part in sqlcols.PHASE_PARTS)
_PLAIN: dict[int, tuple[m.Policy, str]] = {}  # the query without phases, per policy (kept alive: ids stay unique)


def _phased(policy: m.Policy) -> str:
    return sqlgen.to_sql(policy, pretty=False, phases=True)


def test_sql_and_evaluator_agree_on_random_cases(policy, connection):
    constants = _constants(policy)
    sql = _phased(policy)

    @settings(max_examples=BATCHES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.lists(cases(policy, constants), min_size=BATCH_SIZE[0], max_size=BATCH_SIZE[1]))
    def check(batch):
        assert_agree(connection, policy, sql, batch)

    check()


def _person(as_of: str, **facts) -> dict:
    return {"kind": "person", "as_of": dt.date.fromisoformat(as_of), "facts": facts}


@pytest.mark.parametrize("case", [
    # hired on 31 January: monthly periods start on the 28th/29th of February, then the 31st
    _person("2024-06-01", hire_date=dt.date(2023, 1, 31), region="local"),
    # hired on leap day, the trial ends 2025-02-28: the cut counts periods starting on or before it
    _person("2024-06-01", hire_date=dt.date(2024, 2, 29), region="province", veteran=True, dependants=3),
    # as_of after the trial's end, reading "stop": not in force whatever the facts
    _person("2025-03-01", hire_date=dt.date(2024, 2, 29), region="local", veteran=True, dependants=0),
    # 60th birthday on a leap day: birth_date + 60 years clamps to 28 February
    _person("2024-02-28", birth_date=dt.date(1964, 2, 29), salary=Decimal(5000), deductions=Decimal("0.01")),
    # just under the money threshold: a net salary of 2999.99
    _person("2024-01-15", hire_date=dt.date(2023, 6, 1), birth_date=dt.date(1995, 1, 1), salary=Decimal(3000),
            deductions=Decimal("0.01"), region="local", leave_start=dt.date(2023, 5, 1),
            leave_end=dt.date(2023, 8, 7), dependants=20),
    # a failing requirement decides even when the anchor date is unknown
    _person("2024-01-15", region="abroad", veteran=False, disabled=False),
    # a tie: trial_yearly pays 4000 × 2 years, trial_capped 800 × 10 months; the one declared
    # first wins
    _person("2024-06-01", veteran=True, dependants=1, hire_date=dt.date(2024, 3, 1),
            leave_start=dt.date(2024, 5, 1), leave_end=dt.date(2024, 7, 1)),
    # a chain: standing_floor beats standing_upto, which excludes trial_range; standing_floor
    # does not conflict with trial_range, so trial_range is kept
    _person("2024-06-01", birth_date=dt.date(1960, 1, 1), hire_date=dt.date(2023, 6, 1), salary=Decimal(5000),
            deductions=Decimal(0)),
], ids=["month-end", "leap-day-cut", "stopped", "leap-birthday", "threshold", "false-before-dates", "tie", "chain"])
def test_corner_cases_agree(case, connection):
    policy = qzdsl.load(POLICIES["trial_stop"])
    assert_agree(connection, policy, _phased(policy), [case])


@pytest.mark.parametrize("history", [True, False, None], ids=["received", "never", "unknown"])
def test_once_only_agrees(history, connection):
    """`once_only`: the history fact true refuses the clause, false lets it be granted,
    unknown leaves it undetermined — on DuckDB exactly as in the evaluator."""
    import yaml

    policy = qzdsl.load()
    root = Path(__file__).resolve().parents[3] / "policies/qzf-2023-12/cases"
    batch = []
    for name, fact in (("graduate-homebuyer.yaml", "received_graduate_si_subsidy"),
                       ("graduate-homebuyer.yaml", "received_purchase_subsidies_before"),
                       ("graduate-homebuyer.yaml", "withdrew_rent_balance_before"),
                       ("public-welfare-post-resettlement.yaml", "resettled_via_public_welfare_post")):
        data = yaml.safe_load((root / name).read_text(encoding="utf-8"))
        facts = dict(data["facts"])
        if history is None:
            facts.pop(fact)
        else:
            facts[fact] = history
        batch.append({"kind": data["kind"], "as_of": data["as_of"], "facts": facts})
    assert_agree(connection, policy, _phased(policy), batch)


_EXISTING_BASES = (
    # (case file, the existing-policy amount facts it may receive, the clauses of this text they compete with)
    ("graduate-homebuyer.yaml", ("existing_talent_purchase_amount", "existing_talent_rent_amount"),
     ("housing_annual_subsidy", "home_purchase_grant", "pf_topup_subsidy")),
    ("low-income-renter.yaml", ("existing_talent_rent_amount",), ("low_income_rent_subsidy",)),
    ("startup-enterprise.yaml", ("existing_provincial_hiring_amount", "existing_key_group_si_amount"),
     ("startup_hiring_subsidy",)),
)


def test_most_favourable_across_the_existing_policies_agrees(connection):
    """末段 从优、从高、不重复 across 衢政发〔2023〕12号 and the existing policies it names:
    a case receiving an existing city rent or purchase subsidy (or the provincial hiring
    subsidy) of any amount — none, less, equal, more than this text's — gets the same
    verdicts, winners and amounts from DuckDB as from the evaluator, and both sides win
    somewhere in the batch."""
    import yaml

    policy = qzdsl.load()
    root = Path(__file__).resolve().parents[3] / "policies/qzf-2023-12/cases"
    sql = _phased(policy)
    bases = [(yaml.safe_load((root / name).read_text(encoding="utf-8")), facts, rivals)
             for name, facts, rivals in _EXISTING_BASES]
    amounts = st.one_of(st.sampled_from([0, 1, 9000, 12000, 20000, 80000, 150000, 150001, 200000, None]),
                        st.integers(0, 300000))
    seen = set()

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, len(bases) - 1), st.data()), min_size=4, max_size=12))
    def check(draws):
        batch = []
        for index, data in draws:
            base, names, rivals = bases[index]
            facts = dict(base["facts"])
            for name in names:
                value = data.draw(amounts)
                if value is None:
                    facts.pop(name, None)
                else:
                    facts[name] = Decimal(value)
            batch.append({"kind": base["kind"], "as_of": base["as_of"], "facts": facts})
        assert_agree(connection, policy, sql, batch)
        for case in batch:
            decision = evaluate(policy, case_from_dict(case, policy))
            for result in decision.results:
                if result.status is m.Status.EXCLUDED:
                    winner = policy.clause(result.excluded_by)
                    if winner.policy != result.clause.policy:  # across the two policies
                        seen.add("existing won" if winner.policy != policy.info.doc_number else "existing lost")

    check()
    assert seen == {"existing lost", "existing won"}


def _most(pair: tuple) -> Decimal:
    """One grant's money in a phase at its most, as `simulate` counts it (0 when none)."""
    low, high = pair
    return high if high is not None else low if low is not None else Decimal(0)


def test_simulate_splits_paid_due_and_projected_as_the_evaluator(policy, tmp_path):
    """Over random populations, `simulate`'s paid / due / projected per clause (at the most,
    and guaranteed) and in total are the sums of the evaluator's timelines of the granted
    rows, and for the grants with an end they add up to the lifetime."""
    import pyarrow.parquet as pq

    from qzdsl.backends.sql.simulate import simulate

    import yaml

    constants = _constants(policy)
    source = tmp_path / "population.parquet"
    seen: set[str] = set()  # the phases some grant had money in
    known = []
    if policy.sha256 == qzdsl.load().sha256:
        # A 2024 home-buyer seen in mid-2026: years of the housing subsidies already paid, one
        # due, the rest projected — so that every phase has money in every batch.
        root = Path(__file__).resolve().parents[3] / "policies/qzf-2023-12/cases"
        data = yaml.safe_load((root / "graduate-homebuyer.yaml").read_text(encoding="utf-8"))
        known.append({"kind": data["kind"], "as_of": dt.date(2026, 6, 1), "facts": data["facts"]})

    @settings(max_examples=max(4, BATCHES // 2), deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.lists(cases(policy, constants), min_size=BATCH_SIZE[0], max_size=BATCH_SIZE[1]))
    def check(batch):
        batch = batch + known
        pq.write_table(cases_table(policy, batch), source)
        simulation = simulate(policy, source, lang="en")
        assert simulation.rows_rejected == 0
        decisions = [evaluate(policy, case_from_dict(case, policy)) for case in batch]
        totals = dict.fromkeys(("paid", "due", "projected"), Decimal(0))
        for item in simulation.clauses:
            if not item.clause.pays_money:
                assert item.exposure.paid is None
                continue
            granted = [r for d in decisions for r in d.results
                       if r.clause.id == item.clause.id and r.status.value == "granted"]
            for phase in ("paid", "due", "projected"):
                expected = sum((_most(getattr(r.timeline, phase)) for r in granted), Decimal(0))
                guaranteed = sum((getattr(r.timeline, phase)[0] or Decimal(0) for r in granted), Decimal(0)) \
                    if item.clause.guaranteed else Decimal(0)
                assert getattr(item.exposure, phase) == expected, (item.clause.id, phase)
                if expected:
                    seen.add(phase)
                assert getattr(item.exposure, f"{phase}_guaranteed") == guaranteed, (item.clause.id, phase)
                if not item.clause.own_balance:
                    totals[phase] += expected
            ended = [r for r in granted if r.timeline.projected != (None, None)]
            assert sum((_most(r.timeline.paid) + _most(r.timeline.due) + _most(r.timeline.projected)
                        for r in ended), Decimal(0)) == \
                sum((_most((r.amount.total_low, r.amount.total_high)) for r in ended), Decimal(0))
        for phase, total in totals.items():
            assert getattr(simulation.total, phase) == total, phase

    check()
    if known:
        assert seen == {"paid", "due", "projected"}


@pytest.mark.parametrize("existing", [50000, 15000, 100000, 0])
def test_a_star_shaped_group_is_settled_in_its_rounds(existing, connection):
    """The bundled housing group is a star: the city's existing purchase subsidy conflicts
    with each of 二（十）'s three purchase subsidies, which stack. With the existing one
    ranked between them (50,000), the best of the three excludes it, and then it no longer
    excludes the ones it beats: that takes the second round (`ConflictGroup.rounds`)."""
    import yaml

    policy = qzdsl.load()
    root = Path(__file__).resolve().parents[3] / "policies/qzf-2023-12/cases"
    data = yaml.safe_load((root / "graduate-homebuyer.yaml").read_text(encoding="utf-8"))
    facts = {**data["facts"], "existing_talent_purchase_amount": Decimal(existing)}
    group = next(g for g in sqlcols.conflict_groups(policy) if g.clauses[0].id == "talent_purchase_subsidy")
    assert (len(group.clauses), group.rounds) == (4, 2)
    case = {"kind": data["kind"], "as_of": data["as_of"], "facts": facts}
    assert_agree(connection, policy, _phased(policy), [case])
    if existing == 50000:  # the case this test is about: one kept above it, two below it kept too
        statuses = {r.clause.id: r.status.value for r in evaluate(policy, case_from_dict(case, policy)).results}
        assert statuses["talent_purchase_subsidy"] == "excluded"
        assert statuses["home_purchase_grant"] == statuses["housing_annual_subsidy"] == "granted"
