"""The canonical layout of a policy file (`qzdsl fmt`).

One layout, decided by the syntax tree alone, so that `fmt(fmt(x)) == fmt(x)` and
`parse(fmt(x)) == parse(x)`:

* a declaration with properties is a header `KEYWORD NAME "label":` followed by one
  property per line, indented four spaces, each ending in ',' but the last;
* the header line of a `fact` also holds its type and `of`, that of a `target` its `goal`,
  `by` and `within`, that of a `define` its expression (as many of these leading items as
  fit in `WIDTH` columns);
* `import`, `kind` and a `section` without properties take one line;
* one blank line between declarations, none between one-line declarations of the same
  keyword (a block of `kind`s, of facts with only a type and `of`);
* a property wider than `WIDTH` columns is broken: an enumeration one member per line, a
  list of units filling its lines, a `requires` (or a definition's expression) before each
  top-level `and` / `or`; strings are never broken;
* money, numbers and percentages are written as in the source (``2万``, ``8000``, ``37%``);
  everything else in one spelling (``1 year`` / ``3 years``, no redundant parentheses).

Comments are kept. A full-line comment stays before the declaration or property that
follows it (a blank line between comments above a declaration is kept, as one); an
end-of-line comment stays at the end of the line of the header or property it follows.
When a property spanning several lines carried several end-of-line comments, the second
and later ones move to their own lines after it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

from qzdsl.language import ast
from qzdsl.diagnostics import display_width, lines_of
from qzdsl.language.parser import parse
from qzdsl.money import parse_number

INDENT = "    "
WIDTH = 100
_BARE_NAME = re.compile(r"[^\W\d]\w*")
_SINGULAR = {"years": "year", "months": "month", "days": "day"}


def format_text(text: str, file: str = "<input>") -> str:
    """`text` in the canonical layout; raises `QzError` when it does not parse."""
    return format_policy(parse(text, file))


def format_policy(policy: ast.PolicyFile) -> str:
    """The canonical text of a parsed file, comments included."""
    decls: list[_Decl] = []
    units = 0
    for decl in policy.decls:
        decls.append(_layout(decl, first=units))
        units += len(decls[-1].units)
    writer = _Writer(policy, decls)
    lines: list[str] = []
    for index, decl in enumerate(decls):
        if index and not writer.tight(decls[index - 1], decl):
            lines.append("")
        lines += writer.decl(decl)
    if writer.end:
        lines += [""] if lines else []
        lines += writer.comment_block(writer.end, None)
    return "".join(line.rstrip() + "\n" for line in lines)


# ---- layout of one declaration ----------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A header or a property: its lines (without indent or comma) and the source line it
    starts on, which comments are anchored to."""

    line: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class _Decl:
    keyword: str
    units: tuple[_Unit, ...]  # the header, then the properties
    first: int  # number of the header among all units of the file
    head: int  # how many properties may join the header line (when comments allow)


# The properties that may join a header line when they lead the list: a fact's signature, a
# target's figure and deadline (and a definition's expression, see `_joins_header`).
_HEAD_PROPS = {ast.FactDecl: (ast.FactType, ast.Of), ast.TargetDecl: (ast.Goal, ast.By, ast.Within)}


def _joins_header(decl: ast.Decl, item) -> bool:
    if isinstance(decl, ast.DefineDecl):
        return item is decl.expr
    return isinstance(item, _HEAD_PROPS.get(type(decl), ()))


def _layout(decl: ast.Decl, first: int) -> _Decl:
    items = [(p, _prop_lines(p)) for p in ast.props_of(decl)]
    if isinstance(decl, ast.DefineDecl):
        items.insert(0, (decl.expr, _expr_lines(decl.expr, INDENT)))
    props = [_Unit(item.span.line, tuple(lines)) for item, lines in items]
    title = _header(decl) + (":" if props else "")
    head = 0
    for item, lines in items:
        more = "," if head + 1 < len(props) else ""
        if not _joins_header(decl, item) or len(lines) > 1 \
                or display_width(_joined(title, props[:head + 1]).split("\n")[-1] + more) > WIDTH:
            break
        head += 1
    return _Decl(decl.KEYWORD, (_Unit(decl.span.line, (title,)), *props), first, head)


def _joined(head: str, props: list[_Unit] | tuple[_Unit, ...]) -> str:
    return " ".join([head, ", ".join(p.lines[0] for p in props)]) if props else head


def _header(decl: ast.Decl) -> str:
    if isinstance(decl, ast.Import):
        return f"import {_quote(decl.path)}"
    if isinstance(decl, ast.PolicyDecl):
        return f"policy {_quote(decl.doc_number)}"
    mode = f"{decl.mode} " if getattr(decl, "mode", None) else ""
    if isinstance(decl, ast.SectionDecl):
        return _with_english(f"{mode}section {_quote(decl.ref)} {_quote(decl.title)}", decl.title_en)
    if decl.label is None:
        return f"{mode}{decl.KEYWORD} {decl.name}"
    return _with_english(f"{mode}{decl.KEYWORD} {decl.name} {_quote(decl.label)}", decl.label_en)


def _english(text: str | None) -> str:
    """A label's English words, ` en "…"`, when it has them."""
    return "" if text is None else f" en {_quote(text)}"


def _with_english(chinese: str, english: str | None) -> str:
    """Words and their English: on one line when it fits (with the ':' that may follow),
    else the English on an indented line of its own."""
    if english is None or display_width(chinese + _english(english)) + 1 <= WIDTH:
        return chinese + _english(english)
    return f"{chinese}\n{INDENT}en {_quote(english)}"


# ---- comments and output --------------------------------------------------------------


class _Writer:
    """Writes declarations with the comments anchored to their units (numbered in order)."""

    def __init__(self, policy: ast.PolicyFile, decls: list[_Decl]):
        self.source_lines = lines_of(policy.text)
        self.leading: dict[int, list[ast.Comment]] = {}
        self.trailing: dict[int, ast.Comment] = {}
        self.end: list[ast.Comment] = []
        starts = [unit.line for decl in decls for unit in decl.units]
        for comment in policy.comments:
            after = bisect.bisect_right(starts, comment.line)  # the first unit starting below it
            owner = after - 1  # the last unit starting on or above its line
            full_line = self.source_lines[comment.line - 1].strip() == comment.text
            if full_line or owner < 0 or owner in self.trailing:
                if after < len(starts):
                    self.leading.setdefault(after, []).append(comment)
                else:
                    self.end.append(comment)
            else:
                self.trailing[owner] = comment

    def _numbers(self, decl: _Decl) -> range:
        return range(decl.first, decl.first + len(decl.units))

    def head(self, decl: _Decl) -> int:
        """How many properties join the header line: those that may, when their comments
        allow (none before them, at most one at the end of the line)."""
        numbers = self._numbers(decl)[:decl.head + 1]
        if any(n in self.leading for n in numbers[1:]) or sum(n in self.trailing for n in numbers) > 1:
            return 0
        return decl.head

    def tight(self, before: _Decl, after: _Decl) -> bool:
        """Whether two declarations follow each other without a blank line: both are one line."""
        return (before.keyword == after.keyword and self.head(before) == len(before.units) - 1
                and self.head(after) == len(after.units) - 1)

    def decl(self, decl: _Decl) -> list[str]:
        numbers = self._numbers(decl)
        header, props = decl.units[0], decl.units[1:]
        lines = self.comment_block(self.leading.get(decl.first, []), header.line)
        head = self.head(decl)
        first_line = _joined(header.lines[0], props[:head]) + ("," if 0 < head < len(props) else "")
        trailing = next((self.trailing[n] for n in numbers[:head + 1] if n in self.trailing), None)
        lines.append(_with_comment(first_line, trailing))
        for number, unit in zip(numbers[head + 1:], props[head:]):
            lines += [INDENT + c.text for c in self.leading.get(number, [])]
            body = [INDENT + line for line in unit.lines]
            if number != numbers[-1]:
                body[-1] += ","
            body[-1] = _with_comment(body[-1], self.trailing.get(number))
            lines += body
        return lines

    def comment_block(self, block: list[ast.Comment], before_line: int | None) -> list[str]:
        """Comments on lines of their own; a blank source line between two of them, or
        between the last one and `before_line`, is kept as one blank line."""
        lines = []
        for position, comment in enumerate(block):
            lines.append(comment.text)
            following = block[position + 1].line if position + 1 < len(block) else before_line
            if following is not None and self._blank_between(comment.line, following):
                lines.append("")
        return lines

    def _blank_between(self, line: int, later: int) -> bool:
        return any(not text.strip() for text in self.source_lines[line:later - 1])


def _with_comment(line: str, comment: ast.Comment | None) -> str:
    return line if comment is None else f"{line}  {comment.text}"


# ---- properties --------------------------------------------------------------------------


def _prop_lines(prop: ast.Prop) -> list[str]:
    """A property's text: one line, or several when a list or condition is too wide."""
    if isinstance(prop, ast.FactType) and prop.base == "enum":
        return _bracketed("enum {", [_member(m) for m in prop.members], "}", fill=False)
    if isinstance(prop, ast.Units):
        return _bracketed("units [", [_unit_word(u) for u in prop.units], "]", fill=True)
    if isinstance(prop, ast.Requires):
        return _expr_lines(prop.expr, INDENT + "requires ")
    if isinstance(prop, ast.While):
        return _expr_lines(prop.expr, INDENT + "while ")
    shown = _PROPS[type(prop)](prop)
    return shown if isinstance(shown, list) else [shown]


def _bracketed(opening: str, items: list[str], closing: str, fill: bool) -> list[str]:
    """`opening a, b closing` on one line; when that is too wide, the items on lines of
    their own: one per line, or (`fill`) as many as fit on each."""
    line = opening + ", ".join(items) + closing
    if display_width(INDENT + line) <= WIDTH or not items:
        return [line]
    rows: list[list[str]] = [[]]
    for item in items:
        if rows[-1] and (not fill or display_width(INDENT * 2 + ", ".join(rows[-1] + [item]) + ",") > WIDTH):
            rows.append([])
        rows[-1].append(item)
    body = [INDENT + ", ".join(row) + "," for row in rows]
    return [opening, *body[:-1], body[-1][:-1], closing]


def _member(member: ast.EnumMember) -> str:
    return member.name if member.label is None else _with_english(f"{member.name} {_quote(member.label)}",
                                                                  member.label_en).replace("\n", " ")


def _unit_word(unit: str) -> str:
    return unit if _BARE_NAME.fullmatch(unit) else _quote(unit)


def _amount(prop: ast.Amount) -> str:
    words = {"up_to": ["up to"], "at_least": ["at least"], None: []}[prop.bound]
    words.append(f"amount of {prop.fact.name}" if prop.fact is not None else _money(prop.low))
    if prop.high is not None:
        words += ["to", _money(prop.high)]
    if prop.cadence == "once":
        words.append("once")
    elif prop.cadence is not None:
        words.append(f"per {_SINGULAR[prop.cadence]}")
    if prop.per_head is not None:
        words.append(f"per head of {prop.per_head.name}")
    return " ".join(words)


def _goal(prop: ast.Goal) -> str:
    if prop.unit == "%":
        figure = prop.value.text if prop.value.text.endswith("%") else f"{_decimal(prop.value.value)}%"
    elif prop.unit is None:
        figure = _money(prop.value)
    else:
        figure = f"{_money(prop.value)} {prop.unit}"
    return f"goal {prop.op} {figure}"


def _of(prop: ast.Of) -> str:
    names = [kind.name for kind in prop.kinds]
    return f"of {names[0]}" if len(names) == 1 else f"of [{', '.join(names)}]"


def _by(prop: ast.By) -> str:
    return f"by {prop.date.text}" if prop.date is not None else f"by {prop.year}"


def _ambiguity(p: ast.Ambiguity) -> str | list[str]:
    """`ambiguity "…" reading "…"`, each part followed by its English words when declared;
    with English, one part a line."""
    if p.question_en is None and p.reading_en is None:
        return f"ambiguity {_quote(p.question)} reading {_quote(p.reading)}"
    return [f"ambiguity {_quote(p.question)}", *([f"{INDENT}en {_quote(p.question_en)}"] if p.question_en else []),
            f"{INDENT}reading {_quote(p.reading)}", *([f"{INDENT}en {_quote(p.reading_en)}"] if p.reading_en else [])]


_PROPS = {
    ast.Title: lambda p: _with_english(f"title {_quote(p.text)}", p.text_en).split("\n"),
    ast.SourceFile: lambda p: f"source {_quote(p.path)}",
    ast.Issued: lambda p: f"issued {p.date.text}",
    ast.InForce: lambda p: f"in_force {p.date.text}",
    ast.AppliesFrom: lambda p: f"applies_from {p.date.text}",
    ast.Principle: lambda p: f"principle {p.name}",
    ast.Lead: lambda p: f"lead {_unit_word(p.unit)}",
    ast.Trial: lambda p: f"trial {_period(p.amount, p.unit)} from {p.anchor}",
    ast.AfterTrial: lambda p: f"after_trial {p.mode}",
    ast.FactType: lambda p: p.base,
    ast.Of: _of,
    ast.Ask: lambda p: _with_english(f"ask {_quote(p.text)}", p.text_en).split("\n"),
    ast.Amount: _amount,
    ast.Rule: lambda p: f"rule {_quote(p.text)}",
    ast.Cap: lambda p: f"cap {_money(p.amount)} " + ("total" if p.scope == "total" else f"per {_SINGULAR[p.scope]}"),
    ast.Max: lambda p: f"max {_period(p.amount, p.unit)}",
    ast.From: lambda p: f"from year of {p.anchor.name}" if p.calendar_year else f"from {p.anchor.name}",
    ast.To: lambda p: f"to {p.kind.name}",
    ast.Channel: lambda p: f"channel {_quote(p.text)}",
    ast.Group: lambda p: f"group {p.name.name}",
    ast.Excludes: lambda p: f"excludes {p.name.name}",
    ast.Stackable: lambda p: f"stackable with {p.name.name}",
    ast.Discretionary: lambda p: "discretionary",
    ast.OwnBalance: lambda p: "own_balance",
    ast.OnceOnly: lambda p: f"once_only {p.fact.name}",
    ast.History: lambda p: "history",
    ast.NeedProp: lambda p: f"need {p.need.name}",
    ast.Grants: lambda p: f"grants {_quote(p.text)}",
    ast.Existing: lambda p: f"existing {_quote(p.text)}",
    ast.Extends: lambda p: f"extends {p.name.name}",
    ast.Cite: lambda p: f"cite {_quote(p.quote)}" + ("" if p.section is None else f" in {_quote(p.section)}"),
    ast.Note: lambda p: _with_english(f"note {_quote(p.text)}", p.text_en).split("\n"),
    ast.Ambiguity: lambda p: _ambiguity(p),
    ast.Goal: _goal,
    ast.By: _by,
    ast.TermRef: lambda p: f"term {p.name.name}",
    ast.Within: lambda p: f"within {_period(p.amount, p.unit)}" + (f" from {p.anchor}" if p.anchor else ""),
    ast.Reason: lambda p: f"reason {_quote(p.text)}",
}


# ---- expressions ----------------------------------------------------------------------
# Binding strength, loosest first, as in the grammar: or < and < not < comparison < sum < atom.
_OR, _AND, _NOT, _COMPARE, _SUM, _ATOM = range(6)


def _expr_lines(expr: ast.Expr, prefix: str) -> list[str]:
    """An expression after `prefix` (which starts with the indent), broken before each
    top-level 'and' / 'or' when it does not fit on one line. The result has no indent."""
    line = prefix + _expr(expr)
    if display_width(line) <= WIDTH or not isinstance(expr, ast.BoolOp):
        return [line[len(INDENT):]]
    level = _OR if expr.op == "or" else _AND
    parts = [_expr(operand, level + 1) for operand in expr.operands]
    first = prefix[len(INDENT):] + parts[0]
    return [first] + [f"{INDENT}{expr.op} {part}" for part in parts[1:]]


def _expr(node: ast.Expr, context: int = _OR) -> str:
    """The expression's text, parenthesised when it binds more loosely than `context` needs."""
    level, text = _expr_text(node)
    return f"({text})" if level < context else text


def _expr_text(node: ast.Expr) -> tuple[int, str]:
    if isinstance(node, ast.BoolOp):
        level = _OR if node.op == "or" else _AND
        return level, f" {node.op} ".join(_expr(o, level + 1) for o in node.operands)
    if isinstance(node, ast.Not):
        return _NOT, f"not {_expr(node.operand, _NOT)}"
    if isinstance(node, ast.Compare):
        return _COMPARE, f"{_expr(node.left, _SUM)} {node.op} {_expr(node.right, _SUM)}"
    if isinstance(node, ast.Member):
        members = ", ".join(m.name for m in node.members)
        return _COMPARE, f"{_expr(node.operand, _SUM)} {'not in' if node.negated else 'in'} {{{members}}}"
    if isinstance(node, ast.Arith):
        return _SUM, f"{_expr(node.left, _SUM)} {node.op} {_expr(node.right, _ATOM)}"
    return _ATOM, _atom(node)


def _atom(node: ast.Expr) -> str:
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Number):
        return _spelled(node.text, node.value)
    if isinstance(node, ast.DateLit):
        return node.date.text
    if isinstance(node, ast.Duration):
        return _period(node.amount, node.unit)
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    if isinstance(node, ast.AsOf):
        return "as_of"
    raise TypeError(f"not an expression node: {node!r}")


# ---- literals --------------------------------------------------------------------------


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _period(amount: int, unit: str) -> str:
    return f"{amount} {_SINGULAR[unit] if amount == 1 else unit}"


def _money(money: ast.Money) -> str:
    return _spelled(money.text, money.value)


def _spelled(text: str, value: Decimal) -> str:
    """The source spelling of a number when it still means `value`, else plain digits."""
    return text if text and parse_number(text) == value else _decimal(value)


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")
