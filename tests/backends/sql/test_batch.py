"""Population files on DuckDB: `qzdsl eval --batch` and `qzdsl simulate`.

Rows are validated by the rules of a case file and rejected with their row numbers and
reasons; counts reconcile; CSV, Parquet and JSON lines give the same results; results
agree with the Python evaluator; `simulate` totals are the sums of single evaluations.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

import qzdsl
from qzdsl.backends.sql import batch
from qzdsl.backends.sql import columns as sqlcols
from qzdsl.backends.sql.duckdb_engine import DuckDB
from qzdsl.cases.case import case_from_dict, load_case
from qzdsl.diagnostics import QzError
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.model.policy import Status
from qzdsl.backends.sql.simulate import simulate

from cli_runner import run_main

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "sql"
POPULATION = FIXTURES / "population.csv"
AS_OF = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def housing():
    return qzdsl.load(FIXTURES / "housing.qz")


def rows_of(path: Path, policy=None) -> list[dict]:
    """The rows of a results file; with `policy`, in the wide layout (`batch.widen`)."""
    connection = duckdb.connect()
    result = connection.execute(f"SELECT * FROM '{path}'")
    names = [d[0] for d in result.description]
    rows = [dict(zip(names, row)) for row in result.fetchall()]
    if policy is None or path.suffix == ".csv":
        return rows
    metadata = metadata_of(path)
    return [batch.widen(policy, row, metadata) for row in rows]


def metadata_of(path: Path) -> dict:
    found = duckdb.connect().execute(f"SELECT value FROM parquet_kv_metadata('{path}') WHERE key = 'qzdsl'").fetchone()
    return json.loads(found[0])


# ---- validation and the errors file ------------------------------------------------------


def test_rejected_rows_are_listed_with_row_numbers_and_every_reason(housing, tmp_path):
    out = tmp_path / "result.parquet"
    summary = batch.evaluate_file(housing, POPULATION, out, as_of=AS_OF, lang="en")
    assert (summary.rows_in, summary.rows_out, summary.rows_rejected) == (11, 6, 5)
    assert summary.reconciled
    assert summary.errors == str(tmp_path / "result.errors.csv")
    expected = (FIXTURES / "population.errors.en.csv").read_text(encoding="utf-8")
    assert (tmp_path / "result.errors.csv").read_text(encoding="utf-8") == expected
    assert summary.unused_columns == ("note",)


def test_results_keep_the_input_order_and_ids(housing, tmp_path):
    out = tmp_path / "result.parquet"
    batch.evaluate_file(housing, POPULATION, out, as_of=AS_OF)
    rows = rows_of(out, housing)
    assert [r["row_id"] for r in rows] == ["p01", "p04", "p06", "p07", "p08", "p10"]
    assert [r["as_of"] for r in rows][1:3] == [AS_OF, AS_OF]  # no as_of in the file: the command's date
    first = rows[0]
    assert first["purchase_annual__status"] == "granted"
    assert (first["purchase_annual__periods"], first["purchase_annual__total_high"]) == (10, Decimal("80000"))
    assert first["rent_advance_purchase__status"] == "excluded"
    assert first["rent_advance_purchase__excluded_by"] == "purchase_annual"


def test_the_narrow_layout_gives_the_clause_that_excluded_another(housing, tmp_path):
    # A clause ranked against one other only is excluded by that one: the narrow file
    # leaves its `excluded_by` out, and reads back as the wide file has it.
    batch.evaluate_file(housing, POPULATION, tmp_path / "narrow.parquet", as_of=AS_OF)
    batch.evaluate_file(housing, POPULATION, tmp_path / "wide.parquet", as_of=AS_OF, layout=batch.Layout.wide)
    given = metadata_of(tmp_path / "narrow.parquet")["excluded_by"]
    assert given and given.keys().isdisjoint(rows_of(tmp_path / "narrow.parquet")[0])
    wide = rows_of(tmp_path / "wide.parquet")
    assert rows_of(tmp_path / "narrow.parquet", housing) == wide
    assert any(row[name] == clause for row in wide for name, clause in given.items())


def test_the_progress_bar_run_writes_the_same_results(housing, tmp_path, capsys):
    quiet, shown = tmp_path / "quiet.parquet", tmp_path / "shown.parquet"
    batch.evaluate_file(housing, POPULATION, quiet, as_of=AS_OF)
    summary = batch.evaluate_file(housing, POPULATION, shown, as_of=AS_OF, progress=True)
    assert summary.reconciled
    assert rows_of(quiet) == rows_of(shown)
    assert capsys.readouterr().out == ""  # the bar goes to stderr, never into the data


def test_kind_and_members_may_be_written_as_labels(housing, tmp_path):
    out = tmp_path / "result.csv"
    batch.evaluate_file(housing, POPULATION, out, as_of=AS_OF)
    p04 = next(r for r in rows_of(out, housing) if r["row_id"] == "p04")
    assert p04["kind"] == "person"
    assert p04["purchase_once__status"] == "ineligible"  # no_home is false: the labels were understood


def test_a_fact_of_another_kind_rejects_the_row(tmp_path):
    policy = qzdsl.load(FIXTURES / "employment.qz")
    source = tmp_path / "mixed.csv"
    source.write_text("row_id,kind,hires,provides_service\n1,enterprise,3,\n2,mentor,,true\n3,mentor,2,true\n",
                      encoding="utf-8")
    summary = batch.evaluate_file(policy, source, tmp_path / "out.parquet", as_of=AS_OF, lang="en")
    assert (summary.rows_out, summary.rows_rejected) == (2, 1)
    errors = (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()
    assert errors[1] == "3,3,hires (吸纳就业人数) is not asked of this kind of applicant (only of: enterprise)"


def test_money_in_rows_follows_the_fen_rule_of_case_files(housing, tmp_path):
    # The fen rule counts the value: trailing zeros are fine, a third non-zero decimal is not,
    # exactly as in a case file (both come from qzdsl.money).
    source = tmp_path / "fen.csv"
    source.write_text("row_id,kind,fund_employer_monthly\n1,person,250.500\n2,person,250.505\n", encoding="utf-8")
    summary = batch.evaluate_file(housing, source, tmp_path / "out.parquet", as_of=AS_OF, lang="en")
    assert (summary.rows_out, summary.rows_rejected) == (1, 1)
    errors = (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()
    assert errors[1].startswith("2,2,") and "'250.505' has more than two decimal places" in errors[1]
    with pytest.raises(QzError):
        case_from_dict({"kind": "person", "facts": {"fund_employer_monthly": "250.505"}}, housing)
    assert case_from_dict({"kind": "person", "facts": {"fund_employer_monthly": "250.500"}}, housing).facts == {
        "fund_employer_monthly": Decimal("250.50")}


def test_counts_too_large_for_exact_amounts_reject_their_row_not_the_run(tmp_path):
    # A per-head count of 10^14 would overflow the amount columns: the row is rejected,
    # whether the count arrives as text (CSV) or as an unsigned 64-bit integer (Parquet).
    policy = qzdsl.load(FIXTURES / "employment.qz")
    source = tmp_path / "big.csv"
    source.write_text("row_id,kind,hires\n1,enterprise,100000000000000\n2,enterprise,3\n", encoding="utf-8")
    summary = batch.evaluate_file(policy, source, tmp_path / "out.parquet", as_of=AS_OF, lang="en")
    assert (summary.rows_in, summary.rows_out, summary.rows_rejected) == (2, 1, 1)
    errors = (tmp_path / "out.errors.csv").read_text(encoding="utf-8").splitlines()
    assert errors[1] == "1,1,\"'hires' (吸纳就业人数): 100000000000000 is more than 1,000,000 — check the number\""
    parquet = tmp_path / "big.parquet"
    duckdb.sql(f"COPY (SELECT 1 AS row_id, 'enterprise' AS kind, 18446744073709551615::UBIGINT AS hires) "
               f"TO '{parquet}'")
    summary = batch.evaluate_file(policy, parquet, tmp_path / "out2.parquet", as_of=AS_OF, lang="en")
    assert (summary.rows_out, summary.rows_rejected) == (0, 1)


def test_a_file_without_a_kind_column_or_of_an_unknown_format_is_refused(housing, tmp_path):
    no_kind = tmp_path / "no_kind.csv"
    no_kind.write_text("row_id,no_home\n1,true\n", encoding="utf-8")
    with pytest.raises(batch.BatchInputError, match="no 'kind' column"):
        batch.evaluate_file(housing, no_kind, tmp_path / "out.parquet")
    with pytest.raises(batch.BatchInputError, match="must end in"):
        batch.evaluate_file(housing, tmp_path / "cases.xlsx", tmp_path / "out.parquet")
    with pytest.raises(batch.BatchInputError, match="result file must end in"):
        batch.evaluate_file(housing, POPULATION, tmp_path / "out.json")


# ---- the three input formats agree --------------------------------------------------------


def _as_typed_parquet(source: Path, target: Path) -> None:
    """The valid rows of the CSV, written with the SQL types a data team would use."""
    duckdb.connect().execute(f"""
        COPY (SELECT row_id, 'person' AS kind, TRY_CAST(as_of AS DATE) AS as_of,
                     TRY_CAST(trim(no_home) AS BOOLEAN) AS no_home,
                     CASE trim(employer) WHEN '非公企业' THEN 'non_public' ELSE trim(employer) END AS employer,
                     TRY_CAST(purchase_date AS DATE) AS purchase_date,
                     TRY_CAST(fund_employer_monthly AS DECIMAL(18, 2)) AS fund_employer_monthly,
                     TRY_CAST(rent_advance AS DECIMAL(18, 2)) AS rent_advance,
                     TRY_CAST(quzhou_graduate AS BOOLEAN) AS quzhou_graduate,
                     TRY_CAST(graduation_date AS DATE) AS graduation_date,
                     TRY_CAST(first_job_date AS DATE) AS first_job_date,
                     CASE household WHEN '低保' THEN 'dibao' ELSE household END AS household
              FROM read_csv('{source}', all_varchar = true)
              WHERE row_id IN ('p01', 'p04', 'p06', 'p07', 'p08', 'p10'))
        TO '{target}' (FORMAT parquet)""")


def test_csv_parquet_and_json_lines_give_the_same_results(housing, tmp_path):
    parquet, jsonl = tmp_path / "population.parquet", tmp_path / "population.jsonl"
    _as_typed_parquet(POPULATION, parquet)
    duckdb.connect().execute(f"COPY (SELECT * FROM read_csv('{POPULATION}', all_varchar = true)) "
                             f"TO '{jsonl}' (FORMAT json)")
    results = {}
    for source in (POPULATION, parquet, jsonl):
        out = tmp_path / f"{source.suffix[1:]}.parquet"
        batch.evaluate_file(housing, source, out, as_of=AS_OF)
        results[source.suffix] = [{k: v for k, v in r.items() if k != "row_id"} for r in rows_of(out)]
    assert results[".csv"] == results[".parquet"] == results[".jsonl"]


# ---- agreement with the evaluator ------------------------------------------------------------


def _typed_cases(policy, source: Path) -> list[dict]:
    """The valid rows as the batch runner typed them, as case dicts for the evaluator."""
    with DuckDB() as engine:
        batch.stage(engine, policy, source, AS_OF)
        result = engine.connection.execute(engine.expand("SELECT * FROM cases"))
        names = [d[0] for d in result.description]
        cases = []
        for row in result.fetchall():
            values = dict(zip(names, row))
            facts = {f: values[f] for f in policy.facts if values[f] is not None}
            cases.append({"kind": values["kind"], "as_of": values["as_of"], "facts": facts})
    return cases


def test_batch_results_agree_with_the_evaluator(housing, tmp_path):
    out = tmp_path / "result.parquet"
    batch.evaluate_file(housing, POPULATION, out, as_of=AS_OF)
    for row, case in zip(rows_of(out, housing), _typed_cases(housing, POPULATION), strict=True):
        decision = evaluate(housing, case_from_dict(case, housing))
        for result in decision.results:
            names = next(c for c in sqlcols.clause_columns(housing) if c.clause.id == result.clause.id)
            assert row[names.status] == result.status.value, (row["row_id"], result.clause.id)
            assert row[names.excluded_by] == result.excluded_by
            if result.amount is not None:
                assert row[names.total_high] == result.amount.total_high


def test_simulate_totals_are_the_sums_of_single_evaluations(housing):
    simulation = simulate(housing, POPULATION, AS_OF)
    assert (simulation.rows_in, simulation.rows_evaluated, simulation.rows_rejected) == (11, 6, 5)
    decisions = [evaluate(housing, case_from_dict(c, housing)) for c in _typed_cases(housing, POPULATION)]
    for item in simulation.clauses:
        granted = [d.result(item.clause.id) for d in decisions
                   if d.result(item.clause.id).status is Status.GRANTED]
        assert item.exposure.granted == len(granted), item.clause.id
        assert item.exposure.lifetime == sum((r.amount.value for r in granted), Decimal(0))
    purchase_annual = next(c for c in simulation.clauses if c.clause.id == "purchase_annual").exposure
    assert purchase_annual.first_year == 8000 * purchase_annual.granted  # one year of a yearly amount
    fund = next(c for c in simulation.clauses if c.clause.id == "fund_monthly").exposure
    assert fund.first_year == 1200 * fund.granted  # twelve months
    section = next(s for s in simulation.sections if s.ref == "二（十）").exposure
    anyone = [d for d in decisions if d.by_status(Status.GRANTED)]
    assert section.granted == simulation.total.granted == len(anyone)


# ---- the commands ------------------------------------------------------------------------


def test_eval_batch_reports_the_reconciled_counts_and_exits_1_on_rejections(capsys, monkeypatch, tmp_path):
    out = tmp_path / "result.parquet"
    code, stdout, _ = run_main(capsys, monkeypatch, "eval", "--batch", str(POPULATION), "--out", str(out), "--policy",
                          str(FIXTURES / "housing.qz"), "--as-of", "2024-01-01", "--format", "json")
    assert code == 1
    summary = json.loads(stdout)
    assert (summary["rows_in"], summary["rows_out"], summary["rows_rejected"]) == (11, 6, 5)
    assert summary["reconciled"] is True
    assert summary["errors"] == str(tmp_path / "result.errors.csv")
    assert out.is_file()


def test_eval_batch_of_valid_rows_exits_0_with_a_table(capsys, monkeypatch, tmp_path):
    source = tmp_path / "valid.csv"
    source.write_text("kind,no_home,employer,purchase_date\nperson,true,non_public,2023-07-15\n", encoding="utf-8")
    errors = tmp_path / "rejected.csv"
    code, stdout, _ = run_main(capsys, monkeypatch, "eval", "--batch", str(source), "--out", str(tmp_path / "r.csv"),
                          "--errors", str(errors), "--policy", str(FIXTURES / "housing.qz"), "--lang", "en")
    assert code == 0
    assert "reconciled: 1 read = 1 written + 0 rejected" in stdout
    assert errors.read_text(encoding="utf-8") == "row_number,row_id,reasons\n"


@pytest.mark.parametrize("args, message", [
    (["eval"], "请给出案例文件 CASE，或使用 --batch FILE --out RESULT"),
    (["eval", "--lang", "en"], "give a CASE file, or --batch FILE --out RESULT"),
    (["eval", "--batch", str(POPULATION)], "--batch 需要 --out"),
    (["eval", "--batch", str(POPULATION), "--out", "r.parquet", "--format", "html"], "table 或 json"),
    (["eval", "--batch", "missing.csv", "--out", "r.parquet"], "没有这个文件"),
])
def test_eval_batch_usage_errors_exit_2(capsys, monkeypatch, args, message):
    code, _, err = run_main(capsys, monkeypatch, *args)
    assert code == 2
    assert message in err


def test_simulate_command_prints_the_exposure(capsys, monkeypatch):
    code, stdout, _ = run_main(capsys, monkeypatch, "simulate", str(POPULATION),
                               "--policy", str(FIXTURES / "housing.qz"), "--as-of", "2024-01-01", "--format", "json")
    assert code == 0
    data = json.loads(stdout)
    assert data["rows_evaluated"] == 6
    annual = next(c for c in data["clauses"] if c["id"] == "purchase_annual")
    assert annual["first_year"] == 8000 * annual["granted"]  # money in JSON: an int when whole, as eval writes it
    code, stdout, _ = run_main(capsys, monkeypatch, "simulate", str(POPULATION),
                               "--policy", str(FIXTURES / "housing.qz"), "--as-of", "2024-01-01", "--lang", "en")
    assert code == 0
    assert "Fiscal exposure" in stdout and "purchase_annual" not in stdout, "clauses by their titles, not ids"


def test_jsonl_rows_are_numbered_and_unknown_keys_reported(tmp_path):
    policy = qzdsl.load(FIXTURES / "employment.qz")
    source = tmp_path / "cases.jsonl"
    source.write_text('{"kind": "enterprise", "hires": 3, "zz": 1}\n{"kind": "enterprise"}\n', encoding="utf-8")
    summary = batch.evaluate_file(policy, source, tmp_path / "out.csv", as_of=AS_OF, lang="en")
    assert (summary.rows_in, summary.rows_out) == (2, 2)
    assert "zz" in summary.unused_columns
    rows = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["1", "2"]


# ---- the result layouts ----------------------------------------------------------------------


def _bundled_population(tmp_path: Path, rows: int = 3000) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic_population import generate

    source = tmp_path / "population.parquet"
    generate(source, rows=rows)
    return source


def test_the_narrow_layout_carries_everything_the_wide_one_does(tmp_path):
    # Read back with `batch.widen`, the narrow file gives every column of the wide one on
    # every row: amounts left out are constant where granted, or equal to a written one.
    policy = qzdsl.load()
    source = _bundled_population(tmp_path)
    batch.evaluate_file(policy, source, tmp_path / "narrow.parquet", as_of=AS_OF)
    batch.evaluate_file(policy, source, tmp_path / "wide.parquet", as_of=AS_OF, layout=batch.Layout.wide)
    narrow, wide = rows_of(tmp_path / "narrow.parquet"), rows_of(tmp_path / "wide.parquet")
    assert len(narrow[0]) < len(wide[0]) / 2
    assert metadata_of(tmp_path / "wide.parquet")["layout"] == "wide"
    assert [batch.widen(policy, r, metadata_of(tmp_path / "narrow.parquet")) for r in narrow[:1]] == wide[:1]
    assert rows_of(tmp_path / "narrow.parquet", policy) == wide
    granted = {name for row in wide for name, value in row.items() if value == "granted"}
    assert len(granted) > 20  # the population exercises most clauses


def test_paid_due_and_projected_are_written_only_when_asked(tmp_path):
    # `--phases` adds each paying clause's paid / due / projected columns and changes no
    # other column; read back whole, narrow and wide agree with them too.
    policy = qzdsl.load()
    source = _bundled_population(tmp_path, 1500)
    batch.evaluate_file(policy, source, tmp_path / "plain.parquet", as_of=AS_OF)
    summary = batch.evaluate_file(policy, source, tmp_path / "phased.parquet", as_of=AS_OF, phases=True)
    batch.evaluate_file(policy, source, tmp_path / "wide.parquet", as_of=AS_OF, phases=True,
                        layout=batch.Layout.wide)
    assert summary.phases
    plain, phased = rows_of(tmp_path / "plain.parquet"), rows_of(tmp_path / "phased.parquet")
    phase_columns = {n for n in phased[0] if n.endswith(("__paid_low", "__due_low", "__projected_low",
                                                           "__paid_high", "__due_high", "__projected_high"))}
    assert phase_columns and not any(n.endswith("__paid_low") for n in plain[0])
    assert [{k: v for k, v in row.items() if k not in phase_columns} for row in phased] == plain
    assert metadata_of(tmp_path / "phased.parquet")["phases"] is True
    assert metadata_of(tmp_path / "plain.parquet")["phases"] is False
    wide = rows_of(tmp_path / "wide.parquet")
    assert rows_of(tmp_path / "phased.parquet", policy) == wide
    assert "housing_annual_subsidy__projected_high" in wide[0]
    # the population has periods already over, and periods to come
    assert any(row[n] for row in wide for n in row if n.endswith("__paid_low"))
    assert any(row[n] for row in wide for n in row if n.endswith("__projected_low"))


def test_the_narrow_layout_keeps_per_head_amounts_and_ranked_exclusions(tmp_path):
    policy = qzdsl.load()
    batch.evaluate_file(policy, _bundled_population(tmp_path, 200), tmp_path / "narrow.parquet", as_of=AS_OF)
    columns = set(rows_of(tmp_path / "narrow.parquet")[0])
    assert {"child_transport_subsidy__low", "child_transport_subsidy__total_low"} <= columns  # per head
    assert "child_transport_subsidy__high" not in columns  # equal to __low: a fixed amount
    assert "talent_purchase_subsidy__excluded_by" in columns  # ranked by 从优 against three clauses
    assert "mentor_subsidy__excluded_by" not in columns  # never excluded: always NULL
    # ranked against one clause only: when excluded, by that one
    assert "graduate_si_subsidy__excluded_by" not in columns
    assert "home_purchase_grant__low" not in columns  # the same on every granted row
    meta = metadata_of(tmp_path / "narrow.parquet")
    assert meta["constant"]["home_purchase_grant__low"] == 20000  # money as in every JSON: an int when whole
    assert meta["same_as"]["child_transport_subsidy__high"] == "child_transport_subsidy__low"
    assert meta["excluded_by"]["graduate_si_subsidy__excluded_by"] == "flexible_si_subsidy"
    # A one-off's lifetime is its one period: written once (3 periods: written apart).
    assert meta["same_as"]["talent_rent_subsidy__total_low"] == "talent_rent_subsidy__low"
    assert "talent_rent_subsidy__total_low" not in columns


def test_a_narrow_csv_is_refused_and_csv_is_wide_by_default(housing, tmp_path):
    with pytest.raises(batch.BatchInputError, match="narrow layout"):
        batch.evaluate_file(housing, POPULATION, tmp_path / "r.csv", as_of=AS_OF, layout=batch.Layout.narrow)
    summary = batch.evaluate_file(housing, POPULATION, tmp_path / "r.csv", as_of=AS_OF)
    assert summary.layout == "wide"


def test_a_warm_batch_run_imports_neither_sqlglot_nor_networkx(tmp_path):
    # The compiled SQL is cached with the compiled policy: the second run builds nothing.
    source = _bundled_population(tmp_path, 100)
    script = ("import sys, datetime; from qzdsl.backends.sql.batch import run_batch; "
              f"run_batch([None], {str(source)!r}, {str(tmp_path / 'r.parquet')!r}, None, "
              "as_of=datetime.date(2024, 1, 1)); "
              "print(sorted(m for m in ('sqlglot', 'networkx') if m in sys.modules))")
    env = {**os.environ, "QZDSL_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                           check=True).stdout.strip() for _ in range(2)]
    assert runs == ["['sqlglot']", "[]"]


def test_eval_batch_imports_neither_the_evaluator_nor_the_case_reader(tmp_path):
    # `qzdsl eval --batch` runs SQL only: the single-case evaluator and the case files'
    # reader stay off its path (and, warm, sqlglot and networkx too).
    source = _bundled_population(tmp_path, 100)
    script = ("import sys\nfrom qzdsl.cli import main\n"
              f"sys.argv = ['qzdsl', 'eval', '--batch', {str(source)!r}, '--out', {str(tmp_path / 'r.parquet')!r}, "
              "'--as-of', '2024-01-01']\n"
              "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
              "print(sorted(m for m in ('qzdsl.backends.evaluator', 'qzdsl.cases.case', 'sqlglot', 'networkx') "
              "if m in sys.modules))")
    env = {**os.environ, "QZDSL_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                           check=True).stdout.strip().splitlines()[-1] for _ in range(2)]
    assert runs[1] == "[]"


def test_checks_a_typed_file_statistics_prove_are_left_out_and_others_kept(tmp_path):
    policy = qzdsl.load(FIXTURES / "employment.qz")
    proven = tmp_path / "proven.parquet"
    duckdb.sql(f"COPY (SELECT i AS row_id, 'enterprise' AS kind, (i % 5)::BIGINT AS hires FROM range(10) t(i)) "
               f"TO '{proven}'")
    with DuckDB() as engine:
        staged = batch.stage(engine, policy, proven, AS_OF, "en")
        assert "is more than" not in staged.plan.checked and "cannot be negative" not in staged.plan.checked
    negative = tmp_path / "negative.parquet"
    duckdb.sql(f"COPY (SELECT i AS row_id, 'enterprise' AS kind, (i - 1)::BIGINT AS hires FROM range(3) t(i)) "
               f"TO '{negative}'")
    summary = batch.evaluate_file(policy, negative, tmp_path / "out.parquet", as_of=AS_OF, lang="en")
    assert (summary.rows_out, summary.rows_rejected) == (2, 1)


@pytest.mark.parametrize("first, last, rejected", [("2024-01-01", "2024-06-30", 0), ("1899-12-31", "2024-06-30", 1),
                                                   ("2024-01-01", "2200-01-01", 1)])
def test_the_dates_of_evaluation_are_checked_row_by_row_unless_the_statistics_prove_them(tmp_path, first, last,
                                                                                         rejected):
    policy = qzdsl.load(FIXTURES / "employment.qz")
    source = tmp_path / "dated.parquet"
    duckdb.sql(f"COPY (SELECT * FROM (VALUES (1, 'enterprise', DATE '{first}'), (2, 'enterprise', NULL), "
               f"(3, 'enterprise', DATE '{last}')) t(row_id, kind, as_of)) TO '{source}'")
    with DuckDB() as engine:
        staged = batch.stage(engine, policy, source, AS_OF, "en")
        assert ("\"as_of\" < CAST('1900-01-01' AS DATE)" in staged.plan.checked) == bool(rejected)
    summary = batch.evaluate_file(policy, source, tmp_path / "out.parquet", as_of=AS_OF, lang="en")
    assert (summary.rows_out, summary.rows_rejected) == (3 - rejected, rejected)


def test_simulate_leaves_an_applicants_own_balance_out_of_the_public_totals(tmp_path):
    # 二（十）'s withdrawal of the graduate's own rent-subsidy balance: shown for its
    # clause, counted in no section or policy total.
    bundled = qzdsl.load()
    example = ROOT / "policies/qzf-2023-12/cases/graduate-homebuyer.yaml"
    case = yaml.safe_load(example.read_text(encoding="utf-8"))
    population = tmp_path / "homebuyers.jsonl"
    population.write_text(json.dumps({"kind": "person", **case["facts"]}, default=str) + "\n", encoding="utf-8")
    simulation = simulate(bundled, population, dt.date(2024, 6, 1))
    withdrawal = next(c for c in simulation.clauses if c.clause.id == "graduate_rent_balance_withdrawal")
    assert withdrawal.exposure.lifetime == 28000
    public = sum(c.exposure.lifetime or 0 for c in simulation.clauses if not c.clause.own_balance)
    assert simulation.total.lifetime == public == 114400
    housing = next(s for s in simulation.sections if s.ref == "二（十）").exposure
    assert housing.lifetime == 112000


def test_simulate_totals_say_what_is_owed_what_is_up_to_and_own_balances_apart(tmp_path):
    """Over a population of example cases, the guaranteed public total is the sum of the
    evaluator's guaranteed totals (a discretionary grant, 可给予, counts 0 in it but its
    ceiling in the "up to" figure), and own-balance releases are the evaluator's
    `own_balance`, totalled apart, never in the public total."""
    bundled = qzdsl.load()
    names = ("graduate-homebuyer", "hr-agency-dispatch", "startup-enterprise", "partner-graduate-homebuyer",
             "low-income-renter", "employment-community")
    rows, low, own = [], 0, 0
    for name in names:
        case = load_case(ROOT / f"policies/qzf-2023-12/cases/{name}.yaml", bundled)
        totals = evaluate(bundled, case).totals
        low, own = low + totals.low, own + totals.own_balance
        data = yaml.safe_load((ROOT / f"policies/qzf-2023-12/cases/{name}.yaml").read_text(encoding="utf-8"))
        rows.append(json.dumps({"kind": data["kind"], "as_of": str(data["as_of"]), **data["facts"]}, default=str))
    population = tmp_path / "cases.jsonl"
    population.write_text("\n".join(rows) + "\n", encoding="utf-8")
    simulation = simulate(bundled, population, dt.date(2024, 6, 1))
    assert simulation.rows_evaluated == len(names)
    assert simulation.total.lifetime_guaranteed == low
    assert simulation.own_balance.lifetime == own > 0
    assert simulation.total.lifetime > simulation.total.lifetime_guaranteed and simulation.total.up_to
    dispatch = next(c for c in simulation.clauses if c.clause.id == "hr_agency_dispatch_subsidy").exposure
    assert dispatch.granted == 1 and dispatch.lifetime > 0 and dispatch.lifetime_guaranteed == 0 and dispatch.up_to
    grant = next(c for c in simulation.clauses if c.clause.id == "home_purchase_grant").exposure
    assert grant.lifetime == grant.lifetime_guaranteed and not grant.up_to


def test_a_batch_run_says_the_kind_of_money_of_every_clauses_amount_columns(tmp_path, capsys, monkeypatch):
    """An own-balance release and the discretionary amounts are named in the summary and in
    the results file's metadata, so that whoever totals the file does not add the one to
    public money nor count the other as owed."""
    source = _bundled_population(tmp_path, 200)
    summary = batch.evaluate_file(qzdsl.load(), source, tmp_path / "r.parquet", as_of=AS_OF)
    kinds = {clause: kind for clause, _, kind in summary.money_kinds}
    assert kinds["graduate_rent_balance_withdrawal"] == "own_balance"
    assert kinds["hr_agency_dispatch_subsidy"] == "discretionary"  # 可给予每人每月200元
    assert kinds["mentor_subsidy"] == "ceiling" and kinds["home_purchase_grant"] == "new_money"
    assert kinds["high_quality_employment_community_award"] == "floor"
    assert metadata_of(tmp_path / "r.parquet")["money_kind"] == kinds
    from qzdsl.reports.batch.summary import record, render

    assert record(summary)["money_kinds"] == kinds
    table = render(summary, "table", "zh")
    assert "衢州高校毕业生购房一次性提取租房补贴余额" in table and "申请人自有账户余额" in table
    assert "不得计入财政合计" in table and "graduate_rent_balance_withdrawal" not in table
