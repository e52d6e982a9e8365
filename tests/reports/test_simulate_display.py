"""`qzdsl simulate` as a reviewer reads it: open-ended grants shown by what they cost a
year (never as a lifetime of 0), kinds and benefits by their Chinese labels, and a CSV for
spreadsheets whose totals are the JSON's."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli_runner import run_main


@pytest.fixture()
def population(tmp_path):
    path = tmp_path / "mentors.csv"
    rows = ["kind,in_mentor_pool,provides_startup_service"] + ["mentor,true,true"] * 3 + ["mentor,true,false"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _simulate(capsys, monkeypatch, population, *args):
    code, out, _ = run_main(capsys, monkeypatch, "simulate", str(population), "--as-of", "2024-06-01", *args)
    assert code == 0
    return out


def test_open_ended_grants_show_their_yearly_cost_not_a_zero_lifetime(capsys, monkeypatch, population):
    out = _simulate(capsys, monkeypatch, population)
    line = next(line for line in out.splitlines() if "创业导师补贴" in line)
    # 可给予每人每年最高8000元: open-ended, and "up to", never owed (the cell may fold)
    assert "不定期：每年最" in line and "不定期：每年最高24,000" in "".join(out.split())
    assert "最高额" in line, "the kind of money is named"
    assert "创业导师" in line.split("创业导师补贴", 1)[1], "the kind is shown by its label"
    assert "mentor" not in out and "mentor_subsidy" not in out
    data = json.loads(_simulate(capsys, monkeypatch, population, "-f", "json"))
    mentor = next(c for c in data["clauses"] if c["id"] == "mentor_subsidy")
    assert (mentor["granted"], mentor["open_ended"], mentor["open_ended_per_year"]) == (3, 3, 24000)
    assert mentor["kind_label"] == "创业导师"
    assert (mentor["money_kind"], mentor["up_to"], mentor["first_year_guaranteed"]) == ("ceiling", True, 0)
    assert all(s["granted"] == 0 for s in data["sections"] if s["ref"] != "二（一）"), \
        "a section no row of the population can reach counts 0, not nothing"


def test_english_names_it_open_ended(capsys, monkeypatch, population):
    out = _simulate(capsys, monkeypatch, population, "--lang", "en")
    assert "open-ended: up to 24,000" in out


def test_csv_has_a_row_per_clause_section_and_total_matching_the_json(capsys, monkeypatch, population):
    rows = list(csv.DictReader(io.StringIO(_simulate(capsys, monkeypatch, population, "-f", "csv"))))
    data = json.loads(_simulate(capsys, monkeypatch, population, "-f", "json"))
    assert [r["clause"] for r in rows if r["level"] == "clause"] == [c["id"] for c in data["clauses"]]
    assert [r["section"] for r in rows if r["level"] == "section"] == [s["ref"] for s in data["sections"]]
    total = next(r for r in rows if r["level"] == "total")
    assert int(total["granted"]) == data["total"]["granted"]
    mentor = next(r for r in rows if r["clause"] == "mentor_subsidy")
    assert (mentor["first_year"], mentor["lifetime"], mentor["open_ended_per_year"]) == ("24000.00", "0.00", "24000.00")
    assert (mentor["money_kind"], mentor["first_year_guaranteed"], mentor["up_to"]) == ("ceiling", "0.00", "true")
    assert total["money_kind"] == "new_money"


def test_the_money_is_split_by_period_in_json_csv_and_both_languages(capsys, monkeypatch, tmp_path):
    # Per clause and in total: owed for past periods, due now, projected for later ones,
    # adding up to the lifetime for grants with an end (issue 11).
    import sys
    from decimal import Decimal
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from synthetic_population import generate

    source = tmp_path / "population.parquet"
    generate(source, rows=600)
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(tmp_path / "cache"))
    args = ("simulate", str(source), "--as-of", "2025-06-30")
    code, out, _ = run_main(capsys, monkeypatch, *args, "-f", "json")
    data = json.loads(out)
    total = data["total"]
    assert all(Decimal(str(total[p])) > 0 for p in ("paid", "due", "projected"))
    for clause in data["clauses"]:
        if clause["paid"] is not None and clause["granted"] and not clause["open_ended"]:
            parts = sum(Decimal(str(clause[p])) for p in ("paid", "due", "projected"))
            assert parts == Decimal(str(clause["lifetime"])), clause["id"]
    public = [c for c in data["clauses"] if c["public_money"] and c["paid"] is not None]
    assert Decimal(str(total["projected"])) == sum(Decimal(str(c["projected"])) for c in public)
    code, out, _ = run_main(capsys, monkeypatch, *args, "-f", "csv")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["level"] == "total")
    assert [Decimal(row[p]) for p in ("paid", "due", "projected")] == \
        [Decimal(str(total[p])) for p in ("paid", "due", "projected")]
    code, out, _ = run_main(capsys, monkeypatch, *args)
    assert code == 0 and "按测算日划分" in out and "往期应发（元）" in out and "预计以后各期（元）" in out
    code, out, _ = run_main(capsys, monkeypatch, *args, "--lang", "en")
    assert code == 0 and "Owed, past periods (yuan)" in out and "往期" not in out
