"""The conflict graph of a compiled policy, and which pairs of clauses the solver is asked about.

Nodes are clauses. Edges are relations: `same_group`, `excludes`, `stackable` (declared),
`equivalence` (an equivalence clause extends a definition another clause's requirement
uses — a `Via` node in it), and the decided ones the audit adds: `overlap` (both can be
granted to one applicant in one period) and `dominates`.

Candidate pairs (docs/audit.md): two clauses go to the solver when they share a group, or
one declares `excludes` or `stackable` of the other, or both pay the same kind of applicant
for the same need. A need is declared (`need NAME "label"`, and `need NAME` on a clause):
clauses that pay one kind of applicant for one declared need are paired whatever their
section or policy — the 重复、交叉 of this text with the city's existing policies is found
by need, not by where the drafters put a sentence. Without a declared need, two clauses that
pay amounts the policies set (not a rule, not in kind) to one kind of applicant are paired
within one section (one measure), and across policies when the same event triggers both
(the same anchor date, e.g. a purchase). Related pairs for different kinds of applicant are
disjoint without asking.

Pairing is by buckets — (need, kind), (section, kind), (anchor, kind) — never by
comparing every clause with every other: the pairs grow with the square of a bucket's
size, not of the policy's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from qzdsl.model import policy as m
from qzdsl.diagnostics import PathStyle, Span



@dataclass(frozen=True)
class ClauseNode:
    id: str
    title: str
    kind: m.ClauseKind
    policy: str
    section: str  # the section's key in Policy.sections
    groups: tuple[str, ...]
    beneficiary: str | None
    amount: m.AmountSpec
    window: m.Window
    discretionary: bool
    order: int
    span: Span | None


@dataclass(frozen=True)
class Edge:
    """A relation between two clauses; undirected ones run from the earlier-declared."""

    source: str
    target: str
    relation: m.Relation
    label: str = ""

    @property
    def directed(self) -> bool:
        return self.relation.directed


@dataclass(frozen=True)
class Candidate:
    """A pair of clauses the solver decides, with why it was chosen (e.g. "group:x",
    "excludes", "stackable", "section:二（十）", "anchor:purchase_date")."""

    a: str
    b: str
    why: tuple[str, ...]


def clause_nodes(policy: m.Policy) -> tuple[ClauseNode, ...]:
    return tuple(
        ClauseNode(c.id, c.title, c.kind, c.policy, c.section_key, c.groups, c.beneficiary, c.amount, c.window,
                   c.at_discretion, c.order, c.span)
        for c in sorted(policy.clauses, key=lambda c: c.order)
    )


def declared_edges(policy: m.Policy) -> tuple[Edge, ...]:
    """Every declared relation; group edges once per pair and group."""
    edges: list[Edge] = []
    clauses = sorted(policy.clauses, key=lambda c: c.order)
    for group, members in sorted(groups(policy).items()):
        edges += [Edge(a, b, m.Relation.SAME_GROUP, group) for a, b in combinations(members, 2)]
    for clause in clauses:
        edges += [Edge(clause.id, other, m.Relation.EXCLUDES) for other in clause.excludes]
        edges += [Edge(clause.id, other, m.Relation.STACKABLE) for other in clause.stackable]
    for clause in clauses:
        for equivalence, definition in policy.equivalences_used(clause):
            if equivalence != clause.id:
                edges.append(Edge(equivalence, clause.id, m.Relation.EQUIVALENCE, definition))
    return tuple(dict.fromkeys(edges))


def groups(policy: m.Policy) -> dict[str, list[str]]:
    """Exclusion group -> its clauses, in declaration order."""
    found: dict[str, list[str]] = defaultdict(list)
    for clause in sorted(policy.clauses, key=lambda c: c.order):
        for group in clause.groups:
            found[group].append(clause.id)
    return dict(found)


def candidates(policy: m.Policy) -> tuple[Candidate, ...]:
    """The pairs the solver is asked about (see the module docstring), earlier clause
    first, in declaration order."""
    why: dict[tuple[str, str], list[str]] = defaultdict(list)
    order = {c.id: c.order for c in policy.clauses}
    for group, members in groups(policy).items():
        for a, b in combinations(members, 2):
            why[(a, b)].append(f"group:{group}")
    for clause in policy.clauses:
        for relation, others in (("excludes", clause.excludes), ("stackable", clause.stackable)):
            for other in others:
                pair = (clause.id, other) if order[clause.id] <= order[other] else (other, clause.id)
                why[pair].append(relation)
    sections: dict[tuple[str, str | None], list[m.Clause]] = defaultdict(list)
    anchors: dict[tuple[str, str | None], list[m.Clause]] = defaultdict(list)
    needs: dict[tuple[str, str | None], list[m.Clause]] = defaultdict(list)
    for clause in sorted(policy.clauses, key=lambda c: c.order):
        for need in clause.pays_for:
            needs[(need, clause.beneficiary)].append(clause)
        if clause.computes_amount:
            sections[(clause.section_key, clause.beneficiary)].append(clause)
            if clause.amount.anchor is not None:
                anchors[(clause.amount.anchor, clause.beneficiary)].append(clause)
    for (section, _), members in sections.items():
        for a, b in combinations(members, 2):
            why[(a.id, b.id)].append(f"section:{section}")
    for (need, _), members in needs.items():
        for a, b in combinations(members, 2):
            why[(a.id, b.id)].append(f"need:{need}")
    for (anchor, _), members in anchors.items():
        for a, b in combinations(members, 2):
            if a.policy != b.policy:
                why[(a.id, b.id)].append(f"anchor:{anchor}")
    return tuple(
        Candidate(a, b, tuple(dict.fromkeys(reasons)))
        for (a, b), reasons in sorted(why.items(), key=lambda item: (order[item[0][0]], order[item[0][1]]))
    )


def to_networkx(nodes: tuple[ClauseNode, ...], edges: tuple[Edge, ...], describe) -> nx.MultiDiGraph:
    """The graph with scalar attributes only (GraphML takes nothing else). `describe`
    renders an amount in the report's language."""
    graph = nx.MultiDiGraph()
    for node in nodes:
        graph.add_node(
            node.id,
            label=node.title,
            kind=node.kind.value,
            policy=node.policy,
            section=node.section,
            groups=", ".join(node.groups),
            beneficiary=node.beneficiary or "",
            amount=describe(node.amount),
            discretionary=node.discretionary,
            window_start=node.window.start.isoformat(),
            window_end=node.window.end.isoformat() if node.window.end else "",
            after_end=node.window.after_end.value,
            file=PathStyle().show(node.span.file) if node.span else "",  # named as reports name files
            line=node.span.line if node.span else 0,
        )
    for edge in edges:
        graph.add_edge(edge.source, edge.target, key=f"{edge.relation}:{edge.label}", relation=edge.relation.value,
                       label=edge.label, directed=edge.directed)
    return graph
