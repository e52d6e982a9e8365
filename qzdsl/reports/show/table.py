"""`qzdsl show` as terminal tables (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from qzdsl.model import policy as m
from qzdsl.output import console as safe_console
from qzdsl.wording.amounts import describe_amount


# Below this width the tables would squeeze labels to nothing: the list layout is shown.
_NARROWEST_TABLE = 100


def render_policy(policy: m.Policy, console: Console | None = None) -> None:
    console = console or safe_console()
    if console.width < _NARROWEST_TABLE:
        console.out(render_list(policy), end="", highlight=False)
        return
    info = policy.info
    console.print(Text.assemble((info.doc_number, "bold"), f" {info.title}"))
    console.print(f"施行 {info.in_force or '—'}  执行 {info.applies_from}  原则 {info.principle or '—'}  "
                  f"sha256 {policy.sha256[:12]}")

    facts = Table(title="事实 Facts", show_lines=False)
    # Identifiers are what a user types into a case file: never cut or broken, whatever the
    # width; the other columns wrap around them.
    widest = max((len(f.name) for f in policy.facts.values()), default=2)
    facts.add_column("id", no_wrap=True, min_width=widest)
    facts.add_column("标签", overflow="fold", min_width=8)
    facts.add_column("类型", no_wrap=True)
    facts.add_column("主体", no_wrap=True)
    for f in policy.facts.values():
        # Enumeration members and kinds are typed into case files too: one a line, whole.
        kind = "\n".join([f.type.value, *(f"  {x.name}" for x in f.members)])
        facts.add_row(f.name, f.label, kind, "\n".join(f.kinds))
    console.print(facts)

    clauses = Table(title="条款 Clauses")
    clauses.add_column("id", no_wrap=True, min_width=max((len(c.id) for c in policy.clauses), default=2))
    for col in ("名称", "条款", "对象", "金额", "组", "引文"):
        clauses.add_column(col, overflow="fold")
    for c in policy.clauses:
        quote = c.quote if len(c.quote) <= 30 else c.quote[:30] + "…"
        clauses.add_row(c.id, c.title, c.section, c.beneficiary or "", describe_amount(c.amount, "zh"),
                        ", ".join(c.groups), quote)
    console.print(clauses)


def render_list(policy: m.Policy) -> str:
    """The policy as plain lines, nothing cut: for narrow terminals, grep and copying
    identifiers. Each line starts with an identifier, then its label and details."""
    info = policy.info
    lines = [f"{info.doc_number} {info.title}", f"sha256 {policy.sha256}", "", "# 申请主体 kinds"]
    lines += [f"{k.name} — {k.label}" for k in policy.kinds.values()]
    lines += ["", "# 事实 facts"]
    for f in policy.facts.values():
        lines.append(f"{f.name} — {f.label} ({f.type.value}; {', '.join(f.kinds)})")
        lines += [f"    {x.name} — {x.label}" for x in f.members]
    lines += ["", "# 条款 clauses"]
    for c in policy.clauses:
        lines.append(f"{c.id} — {c.title} ({c.section}; {c.beneficiary or '—'}; {describe_amount(c.amount, 'zh')})")
    return "\n".join(lines) + "\n"
