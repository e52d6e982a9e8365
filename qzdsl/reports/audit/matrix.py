"""The audit's picture as a reviewer reads it: one clause-by-clause matrix per section.

A circle of thirty clauses with every relation drawn as a chord is a tangle; a matrix per
section shows, row by row, how each clause meets the others of its section (同组, 排除,
可叠加, 同等待遇, 可同时适用, 支配), with the full Chinese titles, a legend, and a tooltip
in words on every cell. Relations that cross sections are listed under the section of
their first clause. The matrix is plain HTML data: the template lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from qzdsl.model.policy import Relation
from qzdsl.wording import audit as words
from qzdsl.wording.labels import label

# The mark each relation shows in a cell, drawn from the relation's own Chinese word.
_MARKS = {"zh": {Relation.SAME_GROUP: "组", Relation.EXCLUDES: "斥", Relation.STACKABLE: "叠",
                 Relation.EQUIVALENCE: "等", Relation.OVERLAP: "重", Relation.DOMINATES: "支"},
          "en": {Relation.SAME_GROUP: "G", Relation.EXCLUDES: "X", Relation.STACKABLE: "S",
                 Relation.EQUIVALENCE: "E", Relation.OVERLAP: "O", Relation.DOMINATES: "D"}}


@dataclass(frozen=True)
class Mark:
    relation: str
    mark: str
    tip: str


@dataclass(frozen=True)
class Row:
    number: int
    title: str
    flagged: bool
    cells: tuple[tuple[Mark, ...], ...]


@dataclass(frozen=True)
class SectionMatrix:
    heading: str
    rows: tuple[Row, ...]
    across: tuple[Mark, ...]  # relations with clauses of other sections


def legend(lang: str) -> tuple[Mark, ...]:
    return tuple(Mark(r.value, _MARKS[lang][r], words.text(f"relation.{r.value}", lang)) for r in Relation)


def matrices(report, lang: str = "zh", flagged: frozenset[str] = frozenset()) -> tuple[SectionMatrix, ...]:
    titles = {n.id: n.title for n in report.nodes}
    section_of = {n.id: n.section for n in report.nodes}
    result = []
    for section in dict.fromkeys(n.section for n in report.nodes):
        members = [n for n in report.nodes if n.section == section]
        index = {n.id: i for i, n in enumerate(members)}
        cells: list[list[list[Mark]]] = [[[] for _ in members] for _ in members]
        across: list[Mark] = []
        for edge in report.edges:
            relation = Relation(edge.relation)
            name = words.text(f"relation.{relation.value}", lang)
            # An edge's own label is an identifier (a group's, a definition's): not shown.
            tip = label("audit.matrix_tip", lang).format(a=titles[edge.source], b=titles[edge.target], relation=name)
            mark = Mark(relation.value, _MARKS[lang][relation], tip)
            inside = (edge.source in index, edge.target in index)
            if all(inside):
                i, j = index[edge.source], index[edge.target]
                cells[i][j].append(mark)
                if not relation.directed:
                    cells[j][i].append(mark)
            elif inside[0] or (inside[1] and section_of[edge.source] not in index):
                across.append(mark)
        rows = tuple(Row(i + 1, n.title, n.id in flagged, tuple(tuple(c) for c in cells[i]))
                     for i, n in enumerate(members))
        result.append(SectionMatrix(words.section_heading(report, section, lang), rows, tuple(across)))
    return tuple(result)
