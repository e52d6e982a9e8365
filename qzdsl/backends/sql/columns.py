"""The shape of the SQL back end's tables, without building any SQL: the column types of
the facts, the result columns of each clause, and the groups of conflicting clauses that
从优、从高、不重复 ranks.

Kept apart from `query` (which builds the query with sqlglot) so that a batch run whose
compiled SQL is cached imports neither sqlglot nor a graph library.
"""

from __future__ import annotations

from dataclasses import dataclass

from qzdsl.model import policy as m

# SQL column type of each fact type; money is exact to the fen.
MONEY_TYPE = "DECIMAL(18, 2)"
COLUMN_TYPES = {
    m.Type.BOOL: "BOOLEAN",
    m.Type.COUNT: "BIGINT",
    m.Type.MONEY: MONEY_TYPE,
    m.Type.DATE: "DATE",
    m.Type.ENUM: "VARCHAR",
}

# Integer SQL types (DuckDB's names) that a count or money column may have in a typed file.
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT")

# Where the periods stand on the row's as-of date (a row is a snapshot: every period is
# paid by its phase): owed for past periods, due for the current one, projected after it.
PHASE_PARTS = ("paid_low", "paid_high", "due_low", "due_high", "projected_low", "projected_high")
AMOUNT_PARTS = ("low", "high", "periods", "total_low", "total_high", *PHASE_PARTS)


@dataclass(frozen=True)
class ClauseColumns:
    """The result columns of one clause. Amount columns exist only for clauses that pay
    a computable amount; they are per head multiplied by the head count and capped, like
    `results.Payout`. `periods`, `total_low` and `total_high` are NULL for an
    open-ended schedule."""

    clause: m.Clause
    status: str
    excluded_by: str
    low: str | None = None
    high: str | None = None
    periods: str | None = None
    total_low: str | None = None
    total_high: str | None = None
    paid_low: str | None = None
    paid_high: str | None = None
    due_low: str | None = None
    due_high: str | None = None
    projected_low: str | None = None
    projected_high: str | None = None

    @property
    def amounts(self) -> tuple[str, ...]:
        return tuple(n for n in (getattr(self, part) for part in AMOUNT_PARTS) if n is not None)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.status, self.excluded_by, *self.amounts)

    @property
    def monetary(self) -> bool:
        return self.low is not None


def clause_columns(policy: m.Policy, phases: bool = False) -> tuple[ClauseColumns, ...]:
    """The result columns of each clause; the paid, due and projected amounts
    (`PHASE_PARTS`) only with `phases` (the query computes them only when asked)."""
    parts = AMOUNT_PARTS if phases else tuple(p for p in AMOUNT_PARTS if p not in PHASE_PARTS)
    result = []
    for clause in policy.evaluated_clauses:
        c = clause.id
        if clause.computes_amount:
            result.append(ClauseColumns(clause, f"{c}__status", f"{c}__excluded_by",
                                        **{part: f"{c}__{part}" for part in parts}))
        else:
            result.append(ClauseColumns(clause, f"{c}__status", f"{c}__excluded_by"))
    return tuple(result)


@dataclass(frozen=True)
class ConflictGroup:
    """Clauses of one kind linked by conflicts (`Policy.conflicts`), in declaration order."""

    clauses: tuple[m.Clause, ...]
    pairs: frozenset[frozenset[str]]

    def conflicts(self, a: m.Clause, b: m.Clause) -> bool:
        return frozenset((a.id, b.id)) in self.pairs

    @property
    def rounds(self) -> int:
        """How many rounds of `query._exclusion_rounds` settle every clause of the group.

        A clause is settled by round r once every conflicting clause ranked before it is
        settled by round r-1 (0: none ranks before it), so r never needs to exceed the
        longest chain of conflicting clauses, each ranked before the next: a simple path of
        the conflict graph. When every pair conflicts (a "choose one" group), one round
        does: the best-ranked granted clause beats all the others at once. Groups too large
        to search take the general bound, one round fewer than clauses."""
        n = len(self.clauses)
        if n < 2:
            return 0
        if len(self.pairs) == n * (n - 1) // 2:
            return 1
        if n > _SEARCHED:
            return n - 1
        return min(n - 1, _longest_path({c.id for c in self.clauses}, self.pairs))


_SEARCHED = 12  # the largest group whose conflict graph's longest path is searched for


def _longest_path(nodes: set[str], pairs: frozenset[frozenset[str]]) -> int:
    """The number of edges of the longest simple path of the graph (depth-first, from
    every node: a group has a handful of clauses)."""
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in map(tuple, pairs):
        neighbours[a].add(b)
        neighbours[b].add(a)

    def longest(node: str, seen: frozenset[str]) -> int:
        return max((1 + longest(n, seen | {n}) for n in neighbours[node] if n not in seen), default=0)

    return max(longest(n, frozenset({n})) for n in sorted(nodes))


def conflict_groups(policy: m.Policy) -> tuple[ConflictGroup, ...]:
    """The groups of conflicting clauses (the connected parts of the conflict relation); a
    clause that conflicts with nothing is in none. Clauses for different kinds never meet
    in one row, so they never share a group."""
    clauses = policy.evaluated_clauses
    pairs = [frozenset((a.id, b.id)) for i, a in enumerate(clauses) for b in clauses[i + 1:]
             if a.beneficiary == b.beneficiary and policy.conflicts(a, b)]
    # Union-find over a few dozen clauses: all that connected components need here.
    parent: dict[str, str] = {}

    def root(clause_id: str) -> str:
        while parent.setdefault(clause_id, clause_id) != clause_id:
            clause_id = parent[clause_id]
        return clause_id

    for a, b in map(tuple, pairs):
        parent[root(a)] = root(b)
    members: dict[str, list[m.Clause]] = {}
    for clause in clauses:
        if clause.id in parent:
            members.setdefault(root(clause.id), []).append(clause)
    groups = [ConflictGroup(tuple(group), frozenset(p for p in pairs if next(iter(p)) in {c.id for c in group}))
              for group in members.values()]
    return tuple(sorted(groups, key=lambda g: g.clauses[0].order))
