"""A synthetic population for a policy, as a Parquet file of cases (run by hand).

    python benchmarks/synthetic_population.py OUT.parquet [--rows 1000000] [--seed 7] [--policy FILE]
        [--missing 0.03]

One row per applicant, in the batch file layout (`row_id`, `kind`, `as_of`, one column
per fact of the policy, typed BOOLEAN / BIGINT / DECIMAL(18,2) / DATE / VARCHAR). Kinds
are weighted like a city's population (mostly persons, a few percent enterprises, a
handful of agencies, communities …); a fact is set only for the kinds it is asked of,
and is missing (unknown) at the `--missing` rate. Values are drawn so that the policy's
conditions split the population: yes/no facts are yes 60 % of the time, counts 0..10,
money up to twice the largest amount the policy compares it with, dates over the years around
the policy's windows, enumeration members uniformly.

Generated inside DuckDB from `hash(row, seed, column)`, so it is fast (a million rows in
about a second) and the same seed gives the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

import qzdsl  # noqa: E402
from qzdsl.model import policy as m  # noqa: E402
from qzdsl.backends.sql import columns as sqlcols  # noqa: E402

# Share of each kind in the population; kinds not listed share what is left.
KIND_WEIGHTS = {"person": 0.93, "enterprise": 0.05}
AS_OF = dt.date(2024, 6, 30)
TRUE_SHARE = 0.6
MAX_COUNT = 10
DEFAULT_MONEY = Decimal(10000)  # for money facts the policy compares with nothing


def _uniform(seed: int, column: int) -> str:
    """A uniform draw in [0, 1) from the row number, the seed and the column index."""
    return f"(hash(i, {seed}, {column}) % 1000000) / 1000000.0"


def _thresholds(policy: m.Policy) -> dict[str, Decimal]:
    """Per money fact, the largest amount the policy compares it with."""
    exprs = [c.requires for c in policy.clauses] + [d.expr for d in policy.definitions.values()]
    found: dict[str, Decimal] = {}
    for node in (n for e in exprs for n in m.walk(e) if isinstance(n, m.Cmp)):
        for side, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(side, m.FactRef) and isinstance(other, m.Const) and isinstance(other.value, Decimal):
                found[side.name] = max(found.get(side.name, Decimal(0)), other.value)
    return found


def _kind_column(policy: m.Policy, seed: int) -> str:
    kinds = list(policy.kinds)
    rest = [k for k in kinds if k not in KIND_WEIGHTS]
    left = 1 - sum(KIND_WEIGHTS.get(k, 0) for k in kinds)
    weights = [(k, KIND_WEIGHTS[k]) for k in kinds if k in KIND_WEIGHTS] + [(k, left / len(rest)) for k in rest]
    if len(weights) == 1:
        return f"'{weights[0][0]}'"  # a CASE needs at least one WHEN
    draw, bound, whens = _uniform(seed, 0), 0.0, []
    for kind, weight in weights[:-1]:
        bound += weight
        whens.append(f"WHEN {draw} < {bound:.6f} THEN '{kind}'")
    return f"CASE {' '.join(whens)} ELSE '{weights[-1][0]}' END"


def _value(fact: m.Fact, draw: str, money_top: Decimal, first: dt.date, days: int) -> str:
    match fact.type:
        case m.Type.BOOL:
            return f"{draw} < {TRUE_SHARE}"
        case m.Type.COUNT:
            return f"CAST(floor({draw} * {MAX_COUNT + 1}) AS BIGINT)"
        case m.Type.MONEY:
            return f"CAST(floor({draw} * {int(money_top * 100)}) / 100 AS DECIMAL(18, 2))"
        case m.Type.DATE:
            return f"DATE '{first.isoformat()}' + CAST(floor({draw} * {days}) AS INTEGER)"
    members = [x.name for x in fact.members]
    index = f"CAST(floor({draw} * {len(members)}) AS INTEGER) + 1"
    return f"[{', '.join(repr(x) for x in members)}][{index}]"


def population_sql(policy: m.Policy, rows: int, seed: int, missing: float) -> str:
    """The SELECT generating the population (DuckDB SQL)."""
    thresholds = _thresholds(policy)
    first = dt.date(policy.info.applies_from.year - 8, 1, 1)
    days = (dt.date(policy.info.applies_from.year + 4, 12, 31) - first).days
    columns = ["i AS row_id", "kind", f"DATE '{AS_OF.isoformat()}' AS as_of"]
    for index, fact in enumerate(policy.facts.values(), start=1):
        kinds = ", ".join(f"'{k}'" for k in fact.kinds)
        money_top = 2 * thresholds.get(fact.name, DEFAULT_MONEY)
        value = _value(fact, _uniform(seed, 2 * index), money_top, first, days)
        present = f"kind IN ({kinds}) AND {_uniform(seed, 2 * index + 1)} >= {missing}"
        sql_type = sqlcols.COLUMN_TYPES[fact.type]
        columns.append(f"CAST(CASE WHEN {present} THEN {value} END AS {sql_type}) AS \"{fact.name}\"")
    # The fact columns read `kind`, so it is drawn one level down.
    kinds = f"SELECT i, {_kind_column(policy, seed)} AS kind FROM range({rows}) AS t(i)"
    return f"SELECT {', '.join(columns)} FROM ({kinds})"


def generate(out: Path, rows: int = 1_000_000, seed: int = 7, policy_path: Path | None = None,
             missing: float = 0.03) -> Path:
    policy = qzdsl.load(policy_path)
    connection = duckdb.connect()
    connection.execute(f"COPY ({population_sql(policy, rows, seed, missing)}) TO '{out}' "
                       "(FORMAT parquet, COMPRESSION zstd)")
    connection.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--policy", type=Path, default=None)
    parser.add_argument("--missing", type=float, default=0.03)
    args = parser.parse_args()
    generate(args.out, args.rows, args.seed, args.policy, args.missing)
    print(f"{args.out}: {args.rows} rows")


if __name__ == "__main__":
    main()
