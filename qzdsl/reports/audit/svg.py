"""The conflict graph as an inline SVG picture: no scripts, no fonts to fetch, no network.

Layout: the clauses sit on a circle in declaration order, so the clauses of one section
are neighbours and the relations inside a section are short chords; labels point outward
along their radius, so that neighbours' labels never cross. (networkx's own layouts need
numpy, which qzdsl does not depend on; a circle needs only `math`.) Edges are quadratic
curves bent towards the centre, each relation of a pair bent a little differently so that
none hides another. Every coordinate is rounded: the same graph gives the same bytes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from html import escape

from qzdsl.wording.amounts import describe_amount
from qzdsl.backends.audit.graph import ClauseNode, Edge
from qzdsl.model.policy import Relation
from qzdsl.wording import audit as words
from qzdsl.reports.audit.graph import COLOURS, DASHED

_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac",
            "#e15759")
_LABEL_CHARS = 12
_MARGIN = 190
_LEGEND_HEIGHT = 22 * len(Relation) + 20


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg(nodes: tuple[ClauseNode, ...], edges: tuple[Edge, ...], lang: str = "zh",
        flagged: frozenset[str] = frozenset()) -> str:
    """The picture; `flagged` clauses (those with an error) are ringed in red."""
    count = max(len(nodes), 1)
    radius = max(120.0, 6.0 * count)
    size = 2 * (radius + _MARGIN)
    cx = cy = size / 2
    position = {}
    for i, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        position[node.id] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
    sections = list(dict.fromkeys(n.section for n in nodes))
    colour = {s: _PALETTE[i % len(_PALETTE)] for i, s in enumerate(sections)}

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(size)} {_num(size + _LEGEND_HEIGHT)}" '
           f'width="{_num(size)}" height="{_num(size + _LEGEND_HEIGHT)}" role="img" '
           f'aria-label="{escape(words.text("graph", lang))}" font-family="sans-serif" font-size="12">',
           "<defs>"]
    for relation in Relation:
        out.append(f'<marker id="arrow-{relation}" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
                   f'fill="{COLOURS[relation]}"/></marker>')
    out.append("</defs>")

    seen: dict[tuple[str, str], int] = defaultdict(int)
    for edge in edges:
        pair = tuple(sorted((edge.source, edge.target)))
        bend = 0.25 + 0.15 * seen[pair]
        seen[pair] += 1
        x1, y1, _ = position[edge.source]
        x2, y2, _ = position[edge.target]
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        qx, qy = mx + (cx - mx) * bend, my + (cy - my) * bend
        dash = ' stroke-dasharray="5,4"' if edge.relation in DASHED else ""
        arrow = f' marker-end="url(#arrow-{edge.relation})"' if edge.directed else ""
        name = words.text(f"relation.{edge.relation}", lang)
        title = f"{edge.source} — {edge.target}: {name}" + (f" ({edge.label})" if edge.label else "")
        out.append(f'<path d="M{_num(x1)},{_num(y1)} Q{_num(qx)},{_num(qy)} {_num(x2)},{_num(y2)}" fill="none" '
                   f'stroke="{COLOURS[edge.relation]}" stroke-width="1.6" opacity="0.85"{dash}{arrow}>'
                   f"<title>{escape(title)}</title></path>")

    for node in nodes:
        x, y, angle = position[node.id]
        ring = ' stroke="#d62728" stroke-width="3"' if node.id in flagged else ' stroke="#333" stroke-width="1"'
        right = math.cos(angle) >= 0
        # Left of the circle the text is turned half round, so that it never reads upside down.
        turn = math.degrees(angle) + (0 if right else 180)
        lx = x + (12 if right else -12)
        anchor = "start" if right else "end"
        tip = f"{node.title} ({node.id}) · {node.section} · {describe_amount(node.amount, lang)}"
        shown = _short(node.title) if lang == "zh" else node.id
        out.append(f'<g><title>{escape(tip)}</title>'
                   f'<circle cx="{_num(x)}" cy="{_num(y)}" r="8" fill="{colour[node.section]}"{ring}/>'
                   f'<text x="{_num(lx)}" y="{_num(y + 4)}" text-anchor="{anchor}" '
                   f'transform="rotate({_num(turn)} {_num(x)} {_num(y)})">{escape(shown)}</text></g>')

    top = size + 4
    for i, relation in enumerate(Relation):
        y = top + 22 * i
        dash = ' stroke-dasharray="5,4"' if relation in DASHED else ""
        out.append(f'<line x1="20" y1="{_num(y)}" x2="60" y2="{_num(y)}" stroke="{COLOURS[relation]}" '
                   f'stroke-width="2"{dash}/><text x="70" y="{_num(y + 4)}">'
                   f'{escape(words.text(f"relation.{relation}", lang))}</text>')
    out.append("</svg>")
    return "\n".join(out)
