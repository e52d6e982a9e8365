"""A batch file accepts what a case file accepts, with the same value, and refuses what a
case file refuses, for the same reason (issue 18 item 5).

Hypothesis writes populations whose every value is spelt as a person might — money as
``2.5万``, ``20,000``, ``２００００``, ``两万元``, ``壹万贰仟``; dates as ``2024/6/1`` or
``2024年6月1日``; yes/no as ``是``, ``Y``, ``1``; members and kinds by label or in
other case — or misspelt: dates whose day and month could be swapped, two-digit years,
money below the fen, negative, partial labels, random text. Each row is validated by the
batch runner and, as a dict, by `case_from_dict`: the typed values must be equal, and a
refused row's reasons in the errors file must be the case file's diagnostics (message
and hint), one by one. The same populations run on Spark in test_spark.py.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import cn2an
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qzdsl
from qzdsl.backends.sql import batch
from qzdsl.backends.sql.duckdb_engine import DuckDB
from qzdsl.cases.case import case_from_dict
from qzdsl.diagnostics import QzError
from qzdsl.escape import terminal
from qzdsl.model import policy as m

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sql"
POLICIES = {"housing": FIXTURES / "housing.qz", "employment": FIXTURES / "employment.qz", "bundled": None}
# Hypothesis populations per policy: the bundled policy's validating query takes seconds to plan.
EXAMPLES = {"housing": 8, "employment": 8, "bundled": 2}
AS_OF = dt.date(2024, 6, 30)
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
# Every printable ASCII character as its full-width form (NFKC reads it back).
WIDE = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


# ---- spellings ----------------------------------------------------------------------------

def _padded(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(["", " ", "\u3000"]), text, st.sampled_from(["", " "])).map("".join)


def _strip(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@st.composite
def money_spelling(draw) -> str:
    fen = draw(st.one_of(st.integers(0, 300_000_000), st.sampled_from([0, 1, 100, 2_000_000, 250_000_000])))
    value = Decimal(fen) / 100
    whole = value == value.to_integral_value()
    forms = [str(value), f"{value:,}", str(value).translate(FULL_WIDTH), f"{value}元",
             f"{value:,}".translate(FULL_WIDTH)]
    if whole:
        forms += [str(int(value)), f"{int(value):,}", cn2an.an2cn(int(value)), cn2an.an2cn(int(value), "up") + "元"]
    if value >= 1000:
        forms.append(_strip(value / 10000) + "万")
    return draw(st.sampled_from(forms))


@st.composite
def date_spelling(draw) -> str:
    day = draw(st.one_of(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)),
                         st.sampled_from([dt.date(2024, 2, 29), dt.date(1900, 1, 1), dt.date(2199, 12, 31)])))
    y, mo, d = day.year, day.month, day.day
    return draw(st.sampled_from([day.isoformat(), f"{y}/{mo}/{d}", f"{y}-{mo}-{d}", f"{y}.{mo}.{d}",
                                 f"{y}年{mo}月{d}日", f"{y}年{mo}月{d}号", day.isoformat().translate(FULL_WIDTH)]))


BAD_DATES = ["6/1/2024", "13/1/2024", "31/12/2023", "24/6/1", "20240601", "2024年6月", "2023-02-30", "1899-12-31",
             "2200-01-01", "2024-6", "tomorrow"]
BAD_MONEY = ["-5", "12.345", "0.001", "1e3", "abc", "2万块", "一二三", "20亿", "1,00", "１２．３４５", "$100"]
BAD_COUNTS = ["-1", "2.5", "+3", "several", "2000000", "一二"]
BAD_BOOLS = ["maybe", "2", "不知道", "yess", "真"]


def _text() -> st.SearchStrategy[str]:
    # Any character but surrogates and the CSV line breaks: ESC, bidi overrides and NUL-free
    # controls included (a reason shows them as escapes, as the terminal does).
    return st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), min_size=1,
                   max_size=6)


def _fact_spelling(fact: m.Fact) -> st.SearchStrategy[str]:
    match fact.type:
        case m.Type.MONEY:
            good, bad = money_spelling(), st.sampled_from(BAD_MONEY)
        case m.Type.DATE:
            good, bad = date_spelling(), st.sampled_from(BAD_DATES)
        case m.Type.COUNT:
            n = st.integers(0, 120)
            good = st.one_of(n.map(str), n.map(cn2an.an2cn), n.map(lambda x: str(x).translate(FULL_WIDTH)))
            bad = st.sampled_from(BAD_COUNTS)
        case m.Type.BOOL:
            words = ["true", "false", "yes", "no", "y", "n", "t", "f", "1", "0", "是", "否", "有", "无", "没有", "对",
                     "不是"]
            good = st.sampled_from(words).flatmap(
                lambda w: st.sampled_from([w, w.upper(), w.capitalize(), w.translate(WIDE)]))
            bad = st.sampled_from(BAD_BOOLS)
        case _:
            members = fact.members
            good = st.sampled_from(members).flatmap(
                lambda x: st.sampled_from([x.name, x.label, x.name.upper(), x.name.capitalize()]))
            bad = st.sampled_from(members).flatmap(
                lambda x: st.sampled_from([x.label[:2], x.label + "的", x.name + "x", "other"]))
    return st.one_of(_padded(good), _padded(good), _padded(good), bad, _text())


@st.composite
def spelt_row(draw, policy: m.Policy) -> dict[str, str]:
    kinds = sorted({c.beneficiary for c in policy.evaluated_clauses})
    kind = draw(st.sampled_from([policy.kinds[k] for k in kinds]))
    row = {"kind": draw(st.one_of(st.sampled_from([kind.name, kind.label, kind.name.upper()]),
                                  st.just("alien")) if draw(st.integers(0, 15)) else st.just("alien"))}
    row["as_of"] = draw(st.one_of(st.just(""), date_spelling(), st.sampled_from(BAD_DATES)))
    for fact in policy.facts.values():
        if kind.name in fact.kinds and draw(st.integers(0, 3)):
            row[fact.name] = draw(_fact_spelling(fact))
    return row


# ---- the two readers ------------------------------------------------------------------------

def write_population(policy: m.Policy, rows: list[dict[str, str]], path: Path) -> None:
    names = ["row_id", "kind", "as_of", *policy.facts]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for number, row in enumerate(rows, 1):
            writer.writerow([str(number)] + [row.get(n, "") for n in names[1:]])


def expected(policy: m.Policy, row: dict[str, str], lang: str) -> tuple[dict, list[str]]:
    """What a case file says of the row: its typed values, or every diagnostic as the
    batch words it (message — hint). A blank cell is a fact left out, as in a batch."""
    written = {k: v for k, v in row.items() if v.strip()}
    data = {"kind": written.get("kind", ""), "facts": {k: v for k, v in written.items() if k not in ("kind", "as_of")}}
    if "as_of" in written:
        data["as_of"] = written["as_of"]
    try:
        case = case_from_dict(data, policy)
    except QzError as refused:
        joiner = "——" if lang == "zh" else " — "
        return {}, sorted(terminal(d.message_in(lang) + (joiner + d.hint_in(lang) if d.suggestion else ""))
                          for d in refused.diagnostics)
    return {"kind": case.kind, "as_of": case.as_of or AS_OF, **case.facts}, []


def batch_rows(policy: m.Policy, source: Path, lang: str, engine=None) -> list[tuple[dict, list[str]]]:
    """What the batch runner says of each row: its typed values when valid, else its reasons."""
    with engine or DuckDB(1) as running:
        staged = batch.stage(running, policy, source, AS_OF, lang)
        names = ["kind", "as_of", *policy.facts]
        columns = ", ".join(f'"{n}"' for n in names)
        rows = running.fetch_all(f"SELECT __valid, __reasons, {columns} FROM checked_cases ORDER BY __row_number")
    found = []
    for valid, reasons, *values in rows:
        if valid:
            found.append(({n: v for n, v in zip(names, values) if v is not None}, []))
        else:
            found.append(({}, sorted(reasons.split("; "))))
    del staged
    return found


def assert_same(policy: m.Policy, rows: list[dict[str, str]], found: list[tuple[dict, list[str]]], lang: str) -> None:
    assert len(found) == len(rows)
    for number, (row, got) in enumerate(zip(rows, found), 1):
        want = expected(policy, row, lang)
        assert got == want, f"row {number} {row}:\n  batch     {got}\n  case file {want}"


# ---- the tests -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("name", list(POLICIES))
def test_batch_reads_every_spelling_as_a_case_file_does(name, tmp_path):
    policy = qzdsl.load(POLICIES[name])

    @settings(max_examples=EXAMPLES[name], deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.lists(spelt_row(policy), min_size=20, max_size=60), st.sampled_from(["en", "zh"]))
    def check(rows, lang):
        source = tmp_path / "population.csv"
        write_population(policy, rows, source)
        assert_same(policy, rows, batch_rows(policy, source, lang), lang)

    check()


def test_the_spellings_of_the_issue_are_read_in_a_batch(tmp_path):
    policy = qzdsl.load(POLICIES["housing"])
    rows = [{"kind": "个人", "rent_advance": spelt, "purchase_date": day}
            for spelt, day in [("１２３", "2024-06-01"), ("2万", "2024/6/1"), ("2.5万", "2024年6月1日"),
                               ("两万元", "2024.6.1"), ("20,000", "２０２４-０６-０１"), ("壹万贰仟", "2024-6-1")]]
    rows.append({"kind": "person", "rent_advance": "12.345", "purchase_date": "6/1/2024"})
    source = tmp_path / "spelt.csv"
    write_population(policy, rows, source)
    found = batch_rows(policy, source, "en")
    assert [f[0].get("rent_advance") for f in found[:-1]] == [Decimal(x) for x in
                                                              ("123", "20000", "25000", "20000", "20000", "12000")]
    assert {f[0]["purchase_date"] for f in found[:-1]} == {dt.date(2024, 6, 1)}
    assert found[-1][1] == [
        "'purchase_date' (购房日期): '6/1/2024' is ambiguous: day and month could be either way round — "
        "write 2024-01-06 or 2024-06-01",
        "'rent_advance' (单位提前支付的租房补贴): '12.345' has more than two decimal places — "
        "money is counted to the fen (0.01 yuan)"]
    assert_same(policy, rows, found, "en")


def test_json_lines_and_typed_columns_read_spellings_too(tmp_path):
    policy = qzdsl.load(POLICIES["housing"])
    source = tmp_path / "spelt.jsonl"
    source.write_text('{"kind": "person", "rent_advance": 100.5, "no_home": true}\n'
                      '{"kind": "person", "rent_advance": "2.5万", "no_home": "是"}\n'
                      '{"kind": "person", "rent_advance": "１００", "no_home": "有"}\n', encoding="utf-8")
    found = batch_rows(policy, source, "en")
    assert [(f[0]["rent_advance"], f[0]["no_home"]) for f in found] == [
        (Decimal("100.50"), True), (Decimal(25000), True), (Decimal(100), True)]


def test_a_batch_of_plain_spellings_needs_no_lookup(tmp_path):
    policy = qzdsl.load(POLICIES["housing"])
    source = tmp_path / "plain.csv"
    write_population(policy, [{"kind": "person", "rent_advance": "250.50", "purchase_date": "2024-06-01",
                               "no_home": "TRUE", "household": "低保"}], source)
    with DuckDB(1) as engine:
        staged = batch.stage(engine, policy, source, AS_OF, "en")
        assert "JOIN" not in staged.plan.checked.upper()
        tables = engine.fetch_all("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '__spellings%'")
    assert tables == []
