"""`qzdsl audit --graph FILE`: the conflict graph as DOT, GraphML or JSON, by extension.

DOT is written here: networkx's DOT writer needs pydot, which qzdsl does not depend on.
GraphML comes from networkx; JSON is networkx's node-link form. All three are
deterministic: nodes in declaration order, edges in the audit's order.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from qzdsl.wording.amounts import describe_amount
from qzdsl.backends.audit.audit import AuditReport
from qzdsl.backends.audit.graph import to_networkx
from qzdsl.reports.audit import json as audit_json
from qzdsl.wording import audit as words

GRAPH_FORMATS = (".dot", ".graphml", ".json")
COLOURS = {
    "overlap": "#d62728",
    "same_group": "#7f7f7f",
    "excludes": "#ff7f0e",
    "stackable": "#2ca02c",
    "equivalence": "#1f77b4",
    "dominates": "#9467bd",
}
DASHED = frozenset({"same_group", "excludes", "stackable"})


def _quote(value: object) -> str:
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def dot(report: AuditReport, lang: str = "zh") -> str:
    lines = [f"digraph {_quote(report.info.doc_number)} {{",
             f"  graph [label={_quote(words.text('graph', lang))}, labelloc=t, layout=circo];",
             '  node [shape=box, style="rounded"];']
    for node in report.nodes:
        label = f"{node.title}\n{node.id}\n{describe_amount(node.amount, lang)}"
        lines.append(f"  {_quote(node.id)} [label={_quote(label)}, section={_quote(node.section)}, "
                     f"groups={_quote(', '.join(node.groups))}, beneficiary={_quote(node.beneficiary or '')}];")
    for edge in report.edges:
        name = words.text(f"relation.{edge.relation}", lang)
        label = f"{name} {edge.label}" if edge.label and edge.relation != "overlap" else name
        attrs = [f"relation={_quote(edge.relation)}", f"label={_quote(label)}",
                 f"color={_quote(COLOURS[edge.relation])}"]
        if not edge.directed:
            attrs.append("dir=none")
        if edge.relation in DASHED:
            attrs.append("style=dashed")
        lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(report: AuditReport, path: Path, lang: str = "zh") -> None:
    """Write the graph in the format the file's extension names (one of GRAPH_FORMATS)."""
    from qzdsl.output import staged, write_text

    suffix = path.suffix.lower()
    if suffix == ".dot":
        write_text(path, dot(report, lang))
    elif suffix == ".graphml":
        with staged(path) as temporary:
            nx.write_graphml(to_networkx(report.nodes, report.edges, lambda a: describe_amount(a, lang)), temporary)
    elif suffix == ".json":
        write_text(path, json.dumps(audit_json.graph(report, lang), ensure_ascii=False, indent=2) + "\n")
    else:
        raise ValueError(f"unknown graph format {suffix!r}: use one of {', '.join(GRAPH_FORMATS)}")
