"""`qzdsl show` as terminal tables (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qzdsl.model import policy as m
from qzdsl.output import console as safe_console
from qzdsl.wording.amounts import describe_amount


def render_policy(policy: m.Policy, console: Console | None = None) -> None:
    console = console or safe_console()
    info = policy.info
    console.print(Text.assemble((info.doc_number, "bold"), f" {info.title}"))
    console.print(f"施行 {info.in_force or '—'}  执行 {info.applies_from}  原则 {info.principle or '—'}  "
                  f"sha256 {policy.sha256[:12]}")

    facts = Table(title="事实 Facts", show_lines=False)
    for col in ("id", "标签", "类型", "主体"):
        facts.add_column(col)
    for f in policy.facts.values():
        kind = f.type.value + (" {" + ", ".join(x.name for x in f.members) + "}" if f.members else "")
        facts.add_row(f.name, f.label, kind, ", ".join(f.kinds))
    console.print(facts)

    clauses = Table(title="条款 Clauses")
    for col in ("id", "名称", "条款", "对象", "金额", "组", "引文"):
        clauses.add_column(col, overflow="fold")
    for c in policy.clauses:
        quote = c.quote if len(c.quote) <= 30 else c.quote[:30] + "…"
        clauses.add_row(c.id, c.title, c.section, c.beneficiary or "", describe_amount(c.amount, "zh"),
                        ", ".join(c.groups), quote)
    console.print(clauses)
