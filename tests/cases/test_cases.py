"""Case files: typed facts from YAML and JSON, and a positioned diagnostic for every
problem in a broken one (QZ401–QZ406), all of them at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

import qzdsl
from qzdsl.cases.case import Case, case_from_dict, case_schema, load_case
from qzdsl.diagnostics import QzError, render_all

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests/fixtures/eval"


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load(ROOT / EVAL / "policy.qz")


def _problems(path: Path, policy) -> list[tuple[str, int, int]]:
    with pytest.raises(QzError) as caught:
        load_case(path, policy)
    return [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics]


# ---- valid cases -------------------------------------------------------------------------


def test_yaml_case_is_typed_from_its_text(policy):
    case = load_case(EVAL / "cases/homebuyer.yaml", policy)
    assert case.kind == "person"
    assert case.name == "王五 — 2024年购房"
    assert case.as_of == dt.date(2024, 8, 1)
    assert case.path == str(EVAL / "cases/homebuyer.yaml")
    assert case.facts["works_here"] is True
    assert case.facts["family_members"] == 2
    assert case.facts["purchase_date"] == dt.date(2024, 6, 10)
    assert case.facts["salary"] == Decimal("8500.50")
    assert case.facts["employer"] == "private"  # the Chinese label 非公企业 is read as its member


def test_json_case_reads_like_yaml(policy):
    case = load_case(EVAL / "cases/partner-graduate.json", policy)
    assert case == Case("person", {"works_here": True, "partner_school": True, "is_veteran": False,
                                   "no_home": False}, dt.date(2024, 3, 1), "合作院校毕业生",
                        str(EVAL / "cases/partner-graduate.json"))


def test_kind_may_be_given_by_its_label(policy):
    assert load_case(EVAL / "cases/startup.yaml", policy).kind == "enterprise"


def test_a_null_fact_is_unknown(policy):
    assert "purchase_date" not in load_case(EVAL / "cases/graduate-renter.yaml", policy).facts


def test_money_is_never_a_float(policy):
    case = case_from_dict({"kind": "person", "facts": {"salary": "0.10"}}, policy)
    assert case.facts["salary"] == Decimal("0.10") and isinstance(case.facts["salary"], Decimal)
    with pytest.raises(QzError) as caught:
        case_from_dict({"kind": "person", "facts": {"salary": 0.1}}, policy)
    assert [d.code for d in caught.value.diagnostics] == ["QZ403"]


@pytest.mark.parametrize("written, value", [
    ("8,500.50", "8500.50"), ("2.5万", "25000"), ("两千五", "2500"), ("壹万贰仟元", "12000"), ("３５０．５", "350.5"),
    ("350.500", "350.50"),
])
def test_money_may_be_written_as_people_write_it(policy, written, value):
    case = case_from_dict({"kind": "person", "facts": {"salary": written}}, policy)
    assert case.facts["salary"] == Decimal(value)


@pytest.mark.parametrize("written, words", [("350.505", "more than two decimal places"),
                                            ("-1", "cannot be negative"), ("两两", "'两两' is not an amount")])
def test_money_below_the_fen_negative_or_unreadable_is_refused(policy, written, words):
    with pytest.raises(QzError) as caught:
        case_from_dict({"kind": "person", "facts": {"salary": written}}, policy)
    [found] = caught.value.diagnostics
    assert found.code == "QZ403" and words in found.message


def test_case_from_dict_accepts_typed_values(policy):
    case = case_from_dict({"kind": "person", "as_of": dt.date(2024, 1, 1),
                           "facts": {"purchase_date": dt.date(2023, 5, 1), "salary": Decimal("12.5"),
                                     "family_members": 3, "employer": "机关事业单位"}}, policy)
    assert case.facts == {"purchase_date": dt.date(2023, 5, 1), "salary": Decimal("12.5"), "family_members": 3,
                          "employer": "public"}


def test_a_count_is_not_a_bool(policy):
    with pytest.raises(QzError):
        case_from_dict({"kind": "person", "facts": {"family_members": True}}, policy)


# ---- broken cases: every problem, positioned -------------------------------------------------

BROKEN = {
    "unknown-fact.yaml": [("QZ402", 4, 3), ("QZ402", 5, 3)],
    "wrong-types.yaml": [("QZ403", 3, 15), ("QZ403", 4, 19), ("QZ403", 5, 11), ("QZ403", 6, 13),
                         ("QZ404", 7, 20), ("QZ403", 8, 16)],
    "impossible-date.yaml": [("QZ404", 2, 8), ("QZ404", 4, 18), ("QZ404", 5, 17)],
    "unknown-kind.yaml": [("QZ405", 2, 7)],
    "wrong-kind-fact.yaml": [("QZ406", 4, 3)],
    "malformed.yaml": [("QZ401", 5, 1)],
    "missing-kind.yaml": [("QZ401", 1, 1), ("QZ401", 2, 1)],
    "duplicate.yaml": [("QZ401", 4, 3)],
    "malformed.json": [("QZ401", 5, 3)],
    "not-a-mapping.yaml": [("QZ401", 1, 1)],
    "empty.yaml": [("QZ401", 1, 1)],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_case_reports_every_problem_where_it_is(name, policy):
    assert _problems(EVAL / "broken" / name, policy) == BROKEN[name]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_case_diagnostics_read_like_a_compiler(name, policy, snapshot):
    path = EVAL / "broken" / name
    with pytest.raises(QzError) as caught:
        load_case(path, policy)
    assert render_all(caught.value.diagnostics, {str(path): path.read_text(encoding="utf-8")}) == snapshot


def test_unknown_fact_suggests_the_closest_name(policy):
    with pytest.raises(QzError) as caught:
        load_case(EVAL / "broken/unknown-fact.yaml", policy)
    hints = [d.hint for d in caught.value.diagnostics]
    assert hints == ["did you mean 'no_home'?", "did you mean 'bought_home'? ('在本市购房' is its label)"]


def test_impossible_date_is_reported_not_raised(policy):
    with pytest.raises(QzError) as caught:
        case_from_dict({"kind": "person", "facts": {"purchase_date": "2023-02-30"}}, policy)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "QZ404" and "2023-02-30" in diagnostic.message


def test_unreadable_case_file_is_a_diagnostic(tmp_path, policy):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("kind: 个人".encode("gb18030"))
    with pytest.raises(QzError) as caught:
        load_case(path, policy)
    assert [d.code for d in caught.value.diagnostics] == ["QZ401"]


def test_aliases_cannot_blow_up_reading(tmp_path, policy):
    # Each level refers to the previous one ten times: walked naively, 10**8 nodes.
    lines = ["kind: person", "l0: &l0 {a: 1}"]
    for level in range(1, 9):
        refs = ", ".join(f"k{i}: *l{level - 1}" for i in range(10))
        lines.append(f"l{level}: &l{level} {{{refs}}}")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert {d.code for d in _diagnostics(path, policy)} == {"QZ401"}


def _diagnostics(path, policy):
    with pytest.raises(QzError) as caught:
        load_case(path, policy)
    return caught.value.diagnostics


# ---- the JSON Schema ---------------------------------------------------------------------


def test_schema_is_generated_from_the_fact_declarations(policy):
    schema = case_schema(policy)
    described = schema["properties"]["facts"]["properties"]
    assert list(described) == list(policy.facts)
    assert described["no_home"]["description"] == "您在本市是否无房？"
    # a plain value, or one changing over time: dates to plain values
    facts = {name: d["anyOf"][0] for name, d in described.items()}
    assert all(d["anyOf"][1]["additionalProperties"] == facts[name] for name, d in described.items())
    assert facts["family_members"]["type"] == ["integer", "null"] and facts["family_members"]["minimum"] == 0
    assert facts["employer"]["enum"] == ["private", "public", "非公企业", "机关事业单位", None]
    assert facts["is_startup"]["x-qzdsl-kinds"] == ["enterprise"]
    assert schema["required"] == ["kind"]
    rules = {r["if"]["properties"]["kind"]["enum"][0]: r["then"]["properties"]["facts"]["propertyNames"]["enum"]
             for r in schema["allOf"]}
    assert rules["community"] == ["outstanding"]
    assert "works_here" in rules["person"] and "is_startup" not in rules["person"]


def test_schema_is_deterministic(policy):
    assert case_schema(policy) == case_schema(qzdsl.load(ROOT / EVAL / "policy.qz"))


def test_dates_outside_the_computable_range_are_refused(policy):
    with pytest.raises(QzError) as caught:
        case_from_dict({"kind": "person", "as_of": "1899-12-31",
                        "facts": {"purchase_date": dt.date(9999, 6, 1)}}, policy)
    assert [(d.code, "out of range" in d.message) for d in caught.value.diagnostics] == [("QZ404", True)] * 2


@pytest.mark.parametrize("name, text, code", [
    ("surrogate.json", '{"kind": "person", "name": "\\ud800"}', "QZ401"),
    ("surrogate.yaml", 'kind: person\nname: "\\ud800"\n', "QZ401"),
    ("deep.yaml", "kind: person\nname: " + "[" * 3000 + "]" * 3000 + "\n", "QZ401"),
    ("deep.json", '{"kind": "person", "name": ' + "[" * 100000 + "]" * 100000 + "}", "QZ401"),
    ("huge-count.yaml", "kind: person\nfacts:\n  family_members: 100000000000000\n", "QZ403"),
    ("huge-money.yaml", "kind: person\nfacts:\n  salary: 99999999999999\n", "QZ403"),
])
def test_hostile_case_files_are_diagnosed_not_crashed(name, text, code, policy, tmp_path):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(QzError) as caught:
        load_case(path, policy)
    assert [d.code for d in caught.value.diagnostics] == [code]


# ---- facts that change over time ---------------------------------------------------------


def test_a_fact_may_change_over_time(policy):
    case = case_from_dict({"kind": "person", "facts": {
        "salary": {"2024-01-01": "3000", dt.date(2025, 7, 1): "4,500.50"}, "no_home": True}}, policy)
    assert case.facts == {"no_home": True}
    assert case.changes == {"salary": ((dt.date(2024, 1, 1), Decimal(3000)), (dt.date(2025, 7, 1), Decimal("4500.50")))}
    assert "salary" not in case.facts_on(dt.date(2023, 12, 31))  # unknown before the first entry
    assert case.facts_on(dt.date(2025, 6, 30))["salary"] == Decimal(3000)
    assert case.facts_on(dt.date(2025, 7, 1))["salary"] == Decimal("4500.50")
    assert case.change_dates(["salary", "no_home"]) == (dt.date(2024, 1, 1), dt.date(2025, 7, 1))


def test_a_null_entry_makes_the_fact_unknown_from_its_date(policy):
    case = case_from_dict({"kind": "person", "facts": {"salary": {"2024-01-01": 3000, "2025-01-01": None}}},
                          policy)
    assert case.facts_on(dt.date(2024, 6, 1))["salary"] == Decimal(3000)
    assert "salary" not in case.facts_on(dt.date(2025, 6, 1))


def test_a_changing_value_is_checked_entry_by_entry_where_it_is_written(tmp_path, policy):
    path = tmp_path / "case.yaml"
    path.write_text("kind: person\nfacts:\n  salary:\n    2024-13-01: 3000\n    2024-02-01: lots\n"
                    "    2024/3/1: 1\n    2024-03-01: 2\n  no_home: {}\n", encoding="utf-8")
    with pytest.raises(QzError) as caught:
        load_case(path, policy)
    found = [(d.code, d.span.line, d.span.column) for d in caught.value.diagnostics]
    assert found == [("QZ404", 4, 5), ("QZ403", 5, 17), ("QZ403", 7, 5), ("QZ403", 8, 12)]
    sources = {str(path): path.read_text(encoding="utf-8")}
    zh, en = (render_all(caught.value.diagnostics, sources, lang) for lang in ("zh", "en"))
    assert "随时间变化的值，每一项的键是其生效日期" in zh and "写了两次" in zh and "至少要写一条" in zh
    assert "each key of a value that changes over time is the date it takes effect" in en
    assert "Traceback" not in zh + en
