"""AST expressions -> typed model expressions, reporting name and type errors on the way.

One walk serves both the type-check pass and the compiler, so that what is checked is
exactly what is compiled.
"""

from __future__ import annotations

from decimal import Decimal

from qzdsl.language import ast
from qzdsl.model import policy as m
from qzdsl.diagnostics import Diagnostic, Span, Text, Word, did_you_mean, error, lines_of
from qzdsl.language.program import Program

_NUMERIC = {m.Type.COUNT, m.Type.MONEY, m.Type.NUMBER}


def type_word(t: m.Type) -> Word:
    """The type as a message names it ("an amount of money", 金额): a label of the wording layer."""
    return Word(f"type.{t.value}")


# The dates and durations a policy may write. Wider ones are typos, and calendar arithmetic
# on them would run past the year 9999 where `datetime` ends.
YEARS = range(1900, 3000)
LONGEST = {"years": 100, "months": 1200, "days": 36525}


def date_problem(date: ast.DateText) -> Text | None:
    """Why a written date cannot be used (a QZ204 message), or None."""
    if date.value is None:
        return Text("QZ204.calendar", (("text", date.text),))
    if date.value.year not in YEARS:
        return Text("QZ204.years", (("text", date.text), ("first", YEARS.start), ("last", YEARS.stop - 1)))
    return None


def duration_problem(amount: int, unit: str, least: int = 1) -> Text | None:
    """Why a written duration cannot be used (a QZ206 message), or None."""
    if least <= amount <= LONGEST[unit]:
        return None
    return Text("QZ206", (("least", least), ("most", LONGEST[unit]), ("unit", Word(f"unit.{unit}"))))


def source_slice(texts: dict[str, str], span: Span | None) -> str:
    """The text a span covers, on one line (white space folded)."""
    if span is None or span.line == 0 or span.file not in texts:
        return ""
    lines = lines_of(texts[span.file])
    if span.line > len(lines):
        return ""
    if span.end_line == span.line:
        piece = lines[span.line - 1][span.column - 1 : span.end_column - 1]
    else:
        piece = "\n".join(
            [lines[span.line - 1][span.column - 1 :]]
            + lines[span.line : span.end_line - 1]
            + [lines[span.end_line - 1][: span.end_column - 1]]
        )
    return " ".join(piece.split())


class Lowerer:
    """Lowers expressions of one program; remembers definitions already lowered."""

    def __init__(self, program: Program):
        self.program = program
        self.facts = {name: e.decl for name, e in program.facts.items()}
        self.defines = {name: e.decl for name, e in program.defines.items()}
        self.lowered: dict[str, m.Expr | None] = {}
        self.in_progress: list[str] = []
        self.diagnostics: list[Diagnostic] = []

    # ---- definitions ------------------------------------------------------
    def definition(self, name: str) -> m.Expr | None:
        if name in self.lowered:
            return self.lowered[name]
        decl = self.defines[name]
        if name in self.in_progress:
            cycle = " -> ".join(self.in_progress[self.in_progress.index(name):] + [name])
            self.diagnostics.append(
                error("QZ205", None, decl.name_span, Text("hint.not_itself"), name=name, cycle=cycle)
            )
            return None
        self.in_progress.append(name)
        result = self.expr(decl.expr)
        self.in_progress.pop()
        self.lowered[name] = result
        return result

    def fact_type(self, decl: ast.FactDecl) -> m.Type | None:
        t = ast.first(decl.props, ast.FactType)
        return None if t is None else m.Type(t.base)

    def enum_members(self, fact: str) -> tuple[str, ...]:
        t = ast.first(self.facts[fact].props, ast.FactType)
        return tuple(member.name for member in t.members) if t else ()

    # ---- expressions ------------------------------------------------------
    def _text(self, node) -> str:
        return source_slice(self.program.texts, node.span)

    def _fail(self, code: str, message: Text | None, span: Span, hint: Text | None = None, **args) -> None:
        self.diagnostics.append(error(code, message, span, hint, **args))

    def expr(self, node: ast.Expr) -> m.Expr | None:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node)

    def condition(self, node: ast.Expr, what: Text) -> m.Expr | None:
        """Lower an expression that must be a yes/no condition; `what` names it in a message."""
        lowered = self.expr(node)
        if lowered is not None and lowered.type is not m.Type.BOOL:
            self._fail("QZ201", None, node.span, variant="condition", what=what, type=type_word(lowered.type))
            return None
        return lowered

    def _name(self, node: ast.Name) -> m.Expr | None:
        if node.name in self.facts:
            t = self.fact_type(self.facts[node.name])
            return None if t is None else m.FactRef(node.name, t, node.name, node.span)
        if node.name in self.defines:
            lowered = self.definition(node.name)
            if lowered is None:
                return None
            return m.DefRef(node.name, lowered.type, node.name, node.span)
        candidates = list(self.facts) + list(self.defines)
        self._fail("QZ101", None, node.span, did_you_mean(node.name, candidates), name=node.name)
        return None

    def _number(self, node: ast.Number) -> m.Expr:
        return m.Const(node.value, m.Type.NUMBER, node.text or str(node.value), node.span)

    def _datelit(self, node: ast.DateLit) -> m.Expr | None:
        problem = date_problem(node.date)
        if problem:
            self._fail("QZ204", problem, node.span)
            return None
        return m.Const(node.date.value, m.Type.DATE, node.date.text, node.span)

    def _duration(self, node: ast.Duration) -> m.Expr | None:
        problem = duration_problem(node.amount, node.unit, least=0)
        if problem:
            self._fail("QZ206", problem, node.span)
            return None
        return m.Const(Decimal(node.amount), m.Type.DURATION, f"{node.amount} {node.unit}", node.span)

    def _bool(self, node: ast.Bool) -> m.Expr:
        return m.Const(node.value, m.Type.BOOL, "true" if node.value else "false", node.span)

    def _asof(self, node: ast.AsOf) -> m.Expr:
        return m.AsOfRef(span=node.span)

    def _not(self, node: ast.Not) -> m.Expr | None:
        operand = self.condition(node.operand, Text("QZ201.what.not"))
        return None if operand is None else m.Not(operand, text=self._text(node), span=node.span)

    def _boolop(self, node: ast.BoolOp) -> m.Expr | None:
        operands = [self.condition(o, Text("QZ201.what.operand", (("op", node.op),))) for o in node.operands]
        if any(o is None for o in operands):
            return None
        cls = m.And if node.op == "and" else m.Or
        return cls(tuple(operands), text=self._text(node), span=node.span)

    def _enum_side(self, node: ast.Expr) -> str | None:
        """The fact name when `node` is an enumeration fact."""
        if isinstance(node, ast.Name) and node.name in self.facts:
            if self.fact_type(self.facts[node.name]) is m.Type.ENUM:
                return node.name
        return None

    def _members(self, fact: str, names: tuple[ast.Name, ...]) -> tuple[str, ...] | None:
        known = self.enum_members(fact)
        ok = True
        for name in names:
            if name.name not in known:
                ok = False
                self._fail("QZ105", None, name.span, did_you_mean(name.name, known)
                           or Text("hint.values", (("values", tuple(known)),)), name=name.name, fact=fact)
        return tuple(n.name for n in names) if ok else None

    def _compare(self, node: ast.Compare) -> m.Expr | None:
        fact = self._enum_side(node.left)
        if fact is not None:
            if node.op not in ("==", "!=") or not isinstance(node.right, ast.Name):
                self._fail("QZ201", None, node.span, variant="enum_compare", fact=fact)
                return None
            members = self._members(fact, (node.right,))
            if members is None:
                return None
            operand = m.FactRef(fact, m.Type.ENUM, fact, node.left.span)
            return m.In(operand, members, node.op == "!=", text=self._text(node), span=node.span)
        left, right = self.expr(node.left), self.expr(node.right)
        if left is None or right is None:
            return None
        lt, rt = left.type, right.type
        ok = (
            (lt in _NUMERIC and rt in _NUMERIC and {lt, rt} != {m.Type.COUNT, m.Type.MONEY})
            or (lt == rt == m.Type.DATE)
            or (lt == rt == m.Type.BOOL and node.op in ("==", "!="))
        )
        if not ok:
            hint = None
            if m.Type.DATE in (lt, rt) and ({lt, rt} & _NUMERIC):
                hint = Text("hint.shift_date")
            self._fail("QZ201", None, node.span, hint, variant="compare", left=type_word(lt), right=type_word(rt),
                       op=node.op)
            return None
        return m.Cmp(node.op, left, right, text=self._text(node), span=node.span)

    def _member(self, node: ast.Member) -> m.Expr | None:
        fact = self._enum_side(node.operand)
        if fact is None:
            self._fail("QZ201", None, node.operand.span, variant="member")
            return None
        members = self._members(fact, node.members)
        if members is None:
            return None
        operand = m.FactRef(fact, m.Type.ENUM, fact, node.operand.span)
        return m.In(operand, members, node.negated, text=self._text(node), span=node.span)

    def _arith(self, node: ast.Arith) -> m.Expr | None:
        left = self.expr(node.left)
        if isinstance(node.right, ast.Duration):
            if left is None or self.expr(node.right) is None:
                return None
            if left.type is not m.Type.DATE:
                self._fail("QZ201", None, node.span, variant="shift", type=type_word(left.type))
                return None
            sign = 1 if node.op == "+" else -1
            return m.Shift(left, node.right.amount, node.right.unit, sign, text=self._text(node), span=node.span)
        right = self.expr(node.right)
        if left is None or right is None:
            return None
        lt, rt = left.type, right.type
        if lt in _NUMERIC and rt in _NUMERIC and {lt, rt} != {m.Type.COUNT, m.Type.MONEY}:
            result = lt if lt is not m.Type.NUMBER else rt
            return m.Arith(node.op, left, right, result, text=self._text(node), span=node.span)
        self._fail("QZ201", None, node.span, variant="arith", op=node.op, left=type_word(lt), right=type_word(rt))
        return None
