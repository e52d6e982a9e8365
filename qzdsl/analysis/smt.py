"""The compiled model -> z3: when a clause can be granted, as formulas a solver decides.

The encoding (docs/audit.md, "How overlap is decided"):

* A bool fact is a z3 Bool; a count an Int >= 0; money an Int >= 0 (case files carry
  whole yuan); an enumeration an Int indexing its members in declaration order.
* A date — a date fact, `as_of`, a literal — is an Int day number (`date.toordinal()`)
  within 1901-01-01 .. 2099-12-31. In that range every fourth year is a leap year, so
  `year % 4 == 0` is the exact Gregorian rule and the calendar below is exact.
* `d ± n days` is day arithmetic. `d ± n years|months` splits the day number into
  (year, month, day) — fresh Ints bound to it by the exact day-number formula — moves the
  month, clamps the day to the target month's length exactly as `dates.shift` does, and
  recomposes. The shifted date must stay within the range too.
* Definitions are inlined; `Via` (同等待遇) is transparent.
* A clause applies when its requirement holds and its entitlement date (the `from` anchor,
  else `as_of`) lies within its section's window; with the reading `after_trial stop`
  `as_of` must not pass the window's end either (the evaluator's "in force" rule).

Every unknown fact is a free variable, so "satisfiable" means: some applicant, with some
values for the facts, is granted the clause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import z3

from .. import model as m
from ..diagnostics import Span

FIRST_DAY = dt.date(1901, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
_EPOCH = FIRST_DAY.toordinal()
# A witness's dates stay within this many days before its as-of date when they can.
PLAUSIBLE_SPAN_DAYS = 10 * 366


@dataclass(frozen=True)
class Atom:
    """One conjunct of when a clause applies, in words: what unsat cores are made of."""

    clause: str
    text: str
    span: Span | None = None


@dataclass(frozen=True)
class ClauseFormula:
    """When one clause applies: conjuncts (`atoms`, parallel to `exprs`), the definitional
    constraints of the auxiliary variables they use (`sides`), and the facts a case needs
    to decide the clause (requirement, anchor date, head count)."""

    clause: str
    atoms: tuple[Atom, ...]
    exprs: tuple[z3.BoolRef, ...]
    sides: tuple[z3.BoolRef, ...]
    facts: tuple[str, ...]


def _number(value: Decimal) -> z3.ArithRef:
    return z3.IntVal(int(value)) if value == value.to_integral_value() else z3.RealVal(str(value))


def _leap(year: z3.ArithRef) -> z3.BoolRef:
    return year % 4 == 0


def _days_in_month(year: z3.ArithRef, month: z3.ArithRef) -> z3.ArithRef:
    short = z3.Or(month == 4, month == 6, month == 9, month == 11)
    return z3.If(month == 2, z3.If(_leap(year), 29, 28), z3.If(short, 30, 31))


def _day_number(year: z3.ArithRef, month: z3.ArithRef, day: z3.ArithRef) -> z3.ArithRef:
    # (367m - 362) / 12 is the number of days before month m in a 30/31-alternating year;
    # February then takes away 2 days (1 in a leap year) from every later month.
    before_year = 365 * (year - 1901) + (year - 1901) / 4
    before_month = (367 * month - 362) / 12 + z3.If(month > 2, z3.If(_leap(year), -1, -2), 0)
    return _EPOCH + before_year + before_month + day - 1


class Translator:
    """Translates clauses of one policy; remembers every translation (per clause, per
    definition, per split date) so that a clause met in many pairs is translated once."""

    def __init__(self, policy: m.Policy):
        self.policy = policy
        self.as_of = z3.Int("as_of")
        self.vars: dict[str, z3.ExprRef] = {}
        self.domain: list[z3.BoolRef] = [self._in_range(self.as_of)]
        for index, fact in enumerate(policy.facts.values()):
            self.vars[fact.name] = self._declare(f"f{index}", fact)
        self._sides: list[z3.BoolRef] = []
        # id of a day-number term -> (year, month, day, side constraint, the term itself)
        self._splits: dict[int, tuple] = {}
        self._definitions: dict[str, tuple[z3.ExprRef, frozenset[int]]] = {}
        self._definition_facts: dict[str, tuple[str, ...]] = {}
        self._clauses: dict[str, ClauseFormula] = {}
        self._using: set[int] = set()  # side constraints used by the translation in progress

    # ---- facts ------------------------------------------------------------------------
    def _declare(self, name: str, fact: m.Fact) -> z3.ExprRef:
        match fact.type:
            case m.Type.BOOL:
                return z3.Bool(name)
            case m.Type.DATE:
                var = z3.Int(name)
                self.domain.append(self._in_range(var))
            case m.Type.ENUM:
                var = z3.Int(name)
                self.domain.append(z3.And(var >= 0, var < len(fact.members)))
            case _:
                var = z3.Int(name)
                self.domain.append(var >= 0)
        return var

    @staticmethod
    def _in_range(day: z3.ArithRef) -> z3.BoolRef:
        return z3.And(day >= FIRST_DAY.toordinal(), day <= LAST_DAY.toordinal())

    # ---- clauses ----------------------------------------------------------------------
    def clause(self, clause: m.Clause) -> ClauseFormula:
        cached = self._clauses.get(clause.id)
        if cached is not None:
            return cached
        self._using = set()
        atoms, exprs = [], []
        for node in self._conjuncts(clause.requires):
            atoms.append(Atom(clause.id, self._text(node), node.span))
            exprs.append(self._bool(node))
        for atom, expr in self._window(clause):
            atoms.append(atom)
            exprs.append(expr)
        facts = self._facts_of_clause(clause)
        formula = ClauseFormula(clause.id, tuple(atoms), tuple(exprs),
                                tuple(self._sides[i] for i in sorted(self._using)), facts)
        self._clauses[clause.id] = formula
        return formula

    def _conjuncts(self, node: m.Expr) -> list[m.Expr]:
        """The top-level conjuncts of a requirement, through definitions that are
        conjunctions themselves: the finer they are, the more an unsat core says."""
        match node:
            case m.And(operands=ops):
                return [part for op in ops for part in self._conjuncts(op)]
            case m.DefRef(name=name) if isinstance(self.policy.definitions[name].expr, m.And):
                return self._conjuncts(self.policy.definitions[name].expr)
            case m.Const(value=True, type=m.Type.BOOL):
                return []
        return [node]

    def _text(self, node: m.Expr) -> str:
        if node.text:
            return node.text
        match node:
            case m.DefRef(name=name) | m.FactRef(name=name):
                return name
        return type(node).__name__.lower()

    def entitlement_date(self, clause: m.Clause) -> z3.ArithRef:
        """The date a clause's window is checked against: its anchor, else as_of."""
        anchor = clause.amount.anchor
        if anchor is None:
            return self.as_of
        return self._name(anchor)

    def _window(self, clause: m.Clause) -> list[tuple[Atom, z3.BoolRef]]:
        window = clause.window
        anchor = clause.amount.anchor or "as_of"
        where = f"{clause.section} window"
        date = self.entitlement_date(clause)
        found = [(Atom(clause.id, f"{anchor} >= {window.start.isoformat()} ({where})", clause.span),
                  date >= window.start.toordinal())]
        if window.end is not None:
            found.append((Atom(clause.id, f"{anchor} <= {window.end.isoformat()} ({where})", clause.span),
                          date <= window.end.toordinal()))
            if window.after_end == "stop" and clause.amount.anchor is not None:
                found.append((Atom(clause.id, f"as_of <= {window.end.isoformat()} ({where}, after_trial stop)",
                                   clause.span), self.as_of <= window.end.toordinal()))
        return found

    # ---- expressions ------------------------------------------------------------------
    def _bool(self, node: m.Expr) -> z3.BoolRef:
        return self._term(node)

    def _name(self, name: str) -> z3.ExprRef:
        if name in self.vars:
            return self.vars[name]
        return self._definition(name)

    def _definition(self, name: str) -> z3.ExprRef:
        cached = self._definitions.get(name)
        if cached is None:
            outer = self._using
            self._using = set()
            expr = self._term(self.policy.definitions[name].expr)
            cached = (expr, frozenset(self._using))
            self._definitions[name] = cached
            self._using = outer
        self._using |= cached[1]
        return cached[0]

    def _term(self, node: m.Expr) -> z3.ExprRef:
        match node:
            case m.Const(value=value, type=m.Type.BOOL):
                return z3.BoolVal(bool(value))
            case m.Const(value=dt.date() as day):
                return z3.IntVal(day.toordinal())
            case m.Const(value=Decimal() as number):
                return _number(number)
            case m.FactRef(name=name):
                return self.vars[name]
            case m.DefRef(name=name):
                return self._definition(name)
            case m.AsOfRef():
                return self.as_of
            case m.Via(operand=operand):
                return self._term(operand)
            case m.Not(operand=operand):
                return z3.Not(self._term(operand))
            case m.And(operands=ops):
                return z3.And(*[self._term(o) for o in ops])
            case m.Or(operands=ops):
                return z3.Or(*[self._term(o) for o in ops])
            case m.In(operand=operand, members=members, negated=negated):
                return self._member(operand, members, negated)
            case m.Cmp(op=op, left=left, right=right):
                return _compare(op, self._term(left), self._term(right))
            case m.Arith(op=op, left=left, right=right):
                lhs, rhs = self._term(left), self._term(right)
                return lhs + rhs if op == "+" else lhs - rhs
            case m.Shift(date=date, amount=amount, unit=unit, sign=sign):
                return self._shift(self._term(date), sign * amount, unit)
        raise TypeError(f"cannot translate {node!r}")

    def _member(self, operand: m.Expr, members: tuple[str, ...], negated: bool) -> z3.BoolRef:
        fact = self.policy.facts[operand.name]
        names = [x.name for x in fact.members]
        var = self.vars[fact.name]
        test = z3.Or(*[var == names.index(name) for name in members])
        return z3.Not(test) if negated else test

    # ---- calendar ---------------------------------------------------------------------
    def _shift(self, day: z3.ArithRef, amount: int, unit: str) -> z3.ArithRef:
        if unit == "days":
            return day + amount
        year, month, mday = self._split(day)
        if unit == "years":
            new_year, new_month = year + amount, month
        else:
            index = 12 * year + (month - 1) + amount
            new_year, new_month = index / 12, index % 12 + 1
        length = _days_in_month(new_year, new_month)
        new_day = z3.If(mday <= length, mday, length)
        self._add_side(z3.And(new_year >= FIRST_DAY.year, new_year <= LAST_DAY.year))
        return _day_number(new_year, new_month, new_day)

    def _split(self, day: z3.ArithRef) -> tuple[z3.ArithRef, z3.ArithRef, z3.ArithRef]:
        """(year, month, day) of a day number: fresh variables bound to it exactly."""
        key = day.get_id()
        if key not in self._splits:
            n = len(self._splits)
            year, month, mday = z3.Ints(f"y{n} m{n} d{n}")
            side = self._new_side(z3.And(
                year >= FIRST_DAY.year, year <= LAST_DAY.year, month >= 1, month <= 12,
                mday >= 1, mday <= _days_in_month(year, month), day == _day_number(year, month, mday)))
            # The term is kept alive with its entry: z3 may reuse the id of a freed term.
            self._splits[key] = (year, month, mday, side, day)
        year, month, mday, side, _ = self._splits[key]
        self._using.add(side)
        return year, month, mday

    def _new_side(self, constraint: z3.BoolRef) -> int:
        self._sides.append(constraint)
        return len(self._sides) - 1

    def _add_side(self, constraint: z3.BoolRef) -> None:
        self._using.add(self._new_side(constraint))

    # ---- facts a case needs ---------------------------------------------------------
    def _facts_of_clause(self, clause: m.Clause) -> tuple[str, ...]:
        names = list(self.facts_of(clause.requires))
        for extra in (clause.amount.anchor, clause.amount.per_head):
            if extra is not None:
                names += self._facts_of_name(extra)
        return tuple(dict.fromkeys(names))

    def facts_of(self, expr: m.Expr) -> tuple[str, ...]:
        """Every fact an expression reads, through definitions, in order of first use."""
        names: list[str] = []
        for node in m.walk(expr):
            if isinstance(node, m.FactRef):
                names.append(node.name)
            elif isinstance(node, m.DefRef):
                names += self._facts_of_name(node.name)
        return tuple(dict.fromkeys(names))

    def _facts_of_name(self, name: str) -> tuple[str, ...]:
        if name in self.policy.facts:
            return (name,)
        if name not in self._definition_facts:
            self._definition_facts[name] = ()  # definitions are acyclic (QZ205); this guards the walk
            self._definition_facts[name] = self.facts_of(self.policy.definitions[name].expr)
        return self._definition_facts[name]

    # ---- witness preferences --------------------------------------------------------
    def plausible(self, formulas: tuple[ClauseFormula, ...], clauses: tuple[m.Clause, ...],
                  as_of: dt.date) -> tuple[tuple[str, z3.BoolRef], ...]:
        """Soft wishes for a readable witness, strongest last dropped first: dates shortly
        before as-of, head counts of at least one, and a given as-of date."""
        dates, heads = [], []
        for formula in formulas:
            for name in formula.facts:
                fact = self.policy.facts[name]
                var = self.vars[name]
                if fact.type is m.Type.DATE:
                    dates.append(z3.And(var <= self.as_of, var >= self.as_of - PLAUSIBLE_SPAN_DAYS))
        for clause in clauses:
            per_head = clause.amount.per_head
            if per_head is not None:
                heads += [self.vars[n] >= 1 for n in self._facts_of_name(per_head)
                          if self.policy.facts[n].type is m.Type.COUNT]
        return (
            ("dates", z3.And(*dates) if dates else z3.BoolVal(True)),
            ("heads", z3.And(*heads) if heads else z3.BoolVal(True)),
            ("as_of", self.as_of == as_of.toordinal()),
        )


def _compare(op: str, left: z3.ExprRef, right: z3.ExprRef) -> z3.BoolRef:
    match op:
        case "==":
            return left == right
        case "!=":
            return left != right
        case "<":
            return left < right
        case "<=":
            return left <= right
        case ">":
            return left > right
        case ">=":
            return left >= right
    raise ValueError(f"unknown comparison {op!r}")


# ---- deciding -----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A solver's answer. `sat` is None when z3 gave up (unknown); `model` is set when
    satisfiable; `core` names the atoms that cannot hold together when not."""

    sat: bool | None
    model: z3.ModelRef | None = None
    core: tuple[Atom, ...] = ()


class Decider:
    """One z3 solver reused for every question of an audit: the fact domains are asserted
    once; each question is asked between push and pop, its atoms behind assumption
    literals so that an unsat answer comes with the atoms responsible."""

    def __init__(self, translator: Translator, timeout_ms: int = 10_000):
        self.translator = translator
        self.solver = z3.Solver()
        self.solver.set("timeout", timeout_ms)
        self.solver.set("core.minimize", True)
        self.solver.add(*translator.domain)
        self.checks = 0
        self._literals: dict[tuple[str, int], z3.BoolRef] = {}

    def _literal(self, clause: str, index: int) -> z3.BoolRef:
        key = (clause, index)
        if key not in self._literals:
            self._literals[key] = z3.Bool(f"a{len(self._literals)}")
        return self._literals[key]

    def decide(self, formulas: tuple[ClauseFormula, ...], *, unless: tuple[ClauseFormula, ...] = (),
               wishes: tuple[tuple[str, z3.BoolRef], ...] = ()) -> Outcome:
        """Can every formula of `formulas` hold while no formula of `unless` holds in full?

        `wishes` are honoured when they can be (the answer's model then satisfies them);
        they never change whether the answer is sat.
        """
        solver = self.solver
        solver.push()
        try:
            atoms: dict[int, tuple[z3.BoolRef, Atom]] = {}
            sides = {}
            for formula in formulas + unless:
                for side in formula.sides:
                    sides[side.get_id()] = side
            solver.add(*sides.values())
            for formula in formulas:
                for index, (atom, expr) in enumerate(zip(formula.atoms, formula.exprs)):
                    literal = self._literal(formula.clause, index)
                    solver.add(z3.Implies(literal, expr))
                    atoms[literal.get_id()] = (literal, atom)
            for formula in unless:
                solver.add(z3.Not(z3.And(*formula.exprs)))
            wish_literals = []
            for name, wish in wishes:
                literal = z3.Bool(f"wish:{name}")
                solver.add(z3.Implies(literal, wish))
                wish_literals.append(literal)
            return self._check(atoms, wish_literals)
        finally:
            solver.pop()

    def _check(self, atoms: dict[int, tuple[z3.BoolRef, Atom]], wish_literals: list[z3.BoolRef]) -> Outcome:
        literals = [literal for literal, _ in atoms.values()]
        keep = len(wish_literals)
        while True:
            self.checks += 1
            answer = self.solver.check(*literals, *wish_literals[:keep])
            if answer == z3.sat:
                return Outcome(True, self.solver.model())
            if answer == z3.unknown:
                return Outcome(None)
            core = {c.get_id() for c in self.solver.unsat_core()}
            # Wishes are dropped, the last first, until they no longer take part in the core.
            if keep == 0 or not core & {w.get_id() for w in wish_literals[:keep]}:
                return Outcome(False, core=tuple(atom for key, (_, atom) in atoms.items() if key in core))
            keep -= 1
