"""The audit as Markdown, the conflict graph as a Mermaid diagram (templates/audit.md.j2)."""

from __future__ import annotations

from qzdsl.backends.audit.audit import AuditReport
from qzdsl.escape import terminal
from qzdsl.model.policy import Relation
from qzdsl.wording import audit as words
from qzdsl.reports.audit.graph import COLOURS, DASHED
from qzdsl.reports.templating import render as render_template


def _mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label, in a fenced block: no quote ends the label, no
    backtick ends the fence, no tag is formed (Mermaid renders labels as HTML)."""
    text = " ".join(terminal(text).split())
    for ch, entity in (('"', "#quot;"), ("`", "#96;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(ch, entity)
    return text


def mermaid(report: AuditReport, lang: str = "zh") -> str:
    """`graph LR` with one subgraph per section and one styled link per relation."""
    ids = {node.id: f"n{i}" for i, node in enumerate(report.nodes)}
    lines = ["graph LR"]
    sections = list(dict.fromkeys(n.section for n in report.nodes))
    for s, section in enumerate(sections):
        heading = words.section_heading(report, section, lang)
        lines.append(f'  subgraph s{s}["{_mermaid_text(heading)}"]')
        for node in report.nodes:
            if node.section == section:
                lines.append(f'    {ids[node.id]}["{_mermaid_text(node.title)}"]')
        lines.append("  end")
    styles = []
    for i, edge in enumerate(report.edges):
        name = words.text(f"relation.{edge.relation}", lang)
        label = f"{name} {edge.label}" if edge.label and edge.relation is not Relation.OVERLAP else name
        if edge.relation is Relation.DOMINATES:
            arrow = "==>"
        elif edge.relation in DASHED:
            arrow = "-.->" if edge.directed else "-.-"
        else:
            arrow = "-->" if edge.directed else "---"
        lines.append(f'  {ids[edge.source]} {arrow}|"{_mermaid_text(label)}"| {ids[edge.target]}')
        styles.append(f"  linkStyle {i} stroke:{COLOURS[edge.relation]}")
    return "\n".join(lines + styles)


def render(reports: list[AuditReport], lang: str = "zh") -> str:
    return render_template("audit.md.j2", reports=reports, lang=lang, w=words, mermaid=mermaid)
