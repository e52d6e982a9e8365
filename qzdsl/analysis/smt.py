"""The compiled model -> z3: when a clause can be granted, as formulas a solver decides.

The encoding (docs/audit.md, "How overlap is decided"):

* A bool fact is a z3 Bool; a count an Int >= 0; money an Int >= 0 (case files carry
  whole yuan); an enumeration an Int indexing its members in declaration order.
* A date — a date fact, `as_of`, a literal — is its calendar parts: year = 4q + r with
  0 <= r <= 3, month, day, within 1901-01-01 .. 2099-12-31. In that range every fourth
  year is a leap year, so "leap" is exactly r == 0. Dates are compared by the linear key
  512 * year + 32 * month + day, which orders valid dates exactly as the calendar does.
* `d ± n years|months` moves the month (a carry into the year when it passes December),
  then clamps the day to the new month's length, exactly as `dates.shift` does; a year
  shift only ever clamps 29 February. `d ± n days` goes through the day number
  (days since 1901-01-01: 365 a year, q - 475 - [r == 0] leap days before the year, a
  12-way case split for the days before the month) and back. A shifted date must stay
  within the range too.
* Definitions are inlined; `Via` (同等待遇) is transparent.
* A clause applies when its requirement holds and its entitlement date (the `from` anchor,
  else `as_of`) lies within its section's window; with the reading `after_trial stop`
  `as_of` must not pass the window's end either (the evaluator's "in force" rule).

No division or remainder appears anywhere: the same formulas written with div and mod on
day numbers made z3 an order of magnitude slower.

Every unknown fact is a free variable, so "satisfiable" means: some applicant, with some
values for the facts, is granted the clause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import z3

from .. import model as m
from ..diagnostics import Span

FIRST_DAY = dt.date(1901, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
# A witness's dates stay within this many years before its as-of date when they can.
PLAUSIBLE_YEARS = 10


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


def date_key(date: dt.date) -> int:
    """The order key of a date (see `Date.key`)."""
    return 512 * date.year + 32 * date.month + date.day


_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)  # days, in a common year


@dataclass(frozen=True)
class Date:
    """A date as z3 terms: year = 4 * quarter + rest (0 <= rest <= 3), month, day."""

    quarter: z3.ArithRef
    rest: z3.ArithRef
    month: z3.ArithRef
    day: z3.ArithRef

    @staticmethod
    def variable(name: str) -> "Date":
        return Date(z3.Int(f"{name}.q"), z3.Int(f"{name}.r"), z3.Int(f"{name}.m"), z3.Int(f"{name}.d"))

    @staticmethod
    def constant(date: dt.date) -> "Date":
        quarter, rest = divmod(date.year, 4)
        return Date(z3.IntVal(quarter), z3.IntVal(rest), z3.IntVal(date.month), z3.IntVal(date.day))

    # Terms are built once per date: building z3 terms in Python costs more than solving.
    @cached_property
    def year(self) -> z3.ArithRef:
        return 4 * self.quarter + self.rest

    @cached_property
    def leap(self) -> z3.BoolRef:
        return self.rest == 0

    @cached_property
    def key(self) -> z3.ArithRef:
        """Orders dates like the calendar: the day is below 32, the month below 16."""
        return 512 * self.year + 32 * self.month + self.day

    def month_length(self) -> z3.ArithRef:
        short = z3.Or(self.month == 4, self.month == 6, self.month == 9, self.month == 11)
        return z3.If(self.month == 2, z3.If(self.leap, 29, 28), z3.If(short, 30, 31))

    def day_number(self) -> z3.ArithRef:
        """Days since 1901-01-01."""
        before_month = z3.IntVal(_BEFORE_MONTH[11])
        for month in range(11, 0, -1):
            before_month = z3.If(self.month == month, _BEFORE_MONTH[month - 1], before_month)
        leap_days = self.quarter - 475 - z3.If(self.leap, 1, 0)  # leap years in 1901 .. year - 1
        february = z3.If(z3.And(self.month > 2, self.leap), 1, 0)
        return 365 * (self.year - 1901) + leap_days + before_month + february + self.day - 1

    def in_range(self) -> z3.BoolRef:
        return z3.And(self.rest >= 0, self.rest <= 3, self.year >= FIRST_DAY.year, self.year <= LAST_DAY.year)

    def valid(self) -> z3.BoolRef:
        return z3.And(self.in_range(), self.month >= 1, self.month <= 12, self.day >= 1,
                      self.day <= self.month_length())

    def value(self, model: z3.ModelRef) -> dt.date:
        quarter, rest, month, day = (model.eval(t, model_completion=True).as_long()
                                     for t in (self.quarter, self.rest, self.month, self.day))
        return dt.date(4 * quarter + rest, month, day)


Term = z3.ExprRef | Date


class Translator:
    """Translates clauses of one policy; remembers every translation (per clause and per
    definition) so that a clause met in many pairs is translated once."""

    def __init__(self, policy: m.Policy):
        self.policy = policy
        self.as_of = Date.variable("as_of")
        self.vars: dict[str, Term] = {}
        # fact -> its domain: asserted only in questions that mention the fact, so that a
        # question costs the same in a policy of 40 clauses and in one of 2,000.
        self.domain: dict[str, z3.BoolRef] = {}
        for index, fact in enumerate(policy.facts.values()):
            self.vars[fact.name], self.domain[fact.name] = self._declare(f"f{index}", fact)
        self._sides: list[z3.BoolRef] = []
        self._fresh = 0
        self._definitions: dict[str, tuple[Term, frozenset[int]]] = {}
        self._definition_facts: dict[str, tuple[str, ...]] = {}
        self._clauses: dict[str, ClauseFormula] = {}
        self._wishes: dict[tuple, z3.BoolRef] = {}
        self._using: set[int] = set()  # side constraints used by the translation in progress

    # ---- facts ------------------------------------------------------------------------
    @staticmethod
    def _declare(name: str, fact: m.Fact) -> tuple[Term, z3.BoolRef]:
        """A fact's variable and its domain."""
        match fact.type:
            case m.Type.BOOL:
                return z3.Bool(name), z3.BoolVal(True)
            case m.Type.DATE:
                date = Date.variable(name)
                return date, date.valid()
            case m.Type.ENUM:
                var = z3.Int(name)
                return var, z3.And(var >= 0, var < len(fact.members))
        var = z3.Int(name)
        return var, var >= 0

    # ---- clauses ----------------------------------------------------------------------
    def clause(self, clause: m.Clause) -> ClauseFormula:
        cached = self._clauses.get(clause.id)
        if cached is not None:
            return cached
        self._using = set()
        atoms, exprs = [], []
        for node in self._conjuncts(clause.requires):
            atoms.append(Atom(clause.id, self._text(node), node.span))
            exprs.append(self._term(node))
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

    def entitlement_date(self, clause: m.Clause) -> Date:
        """The date a clause's window is checked against: its anchor, else as_of."""
        anchor = clause.amount.anchor
        return self.as_of if anchor is None else self._name(anchor)

    def _window(self, clause: m.Clause) -> list[tuple[Atom, z3.BoolRef]]:
        window = clause.window
        anchor = clause.amount.anchor or "as_of"
        where = f"{clause.section} window"
        date = self.entitlement_date(clause).key
        found = [(Atom(clause.id, f"{anchor} >= {window.start.isoformat()} ({where})", clause.span),
                  date >= date_key(window.start))]
        if window.end is not None:
            found.append((Atom(clause.id, f"{anchor} <= {window.end.isoformat()} ({where})", clause.span),
                          date <= date_key(window.end)))
            if window.after_end == "stop" and clause.amount.anchor is not None:
                found.append((Atom(clause.id, f"as_of <= {window.end.isoformat()} ({where}, after_trial stop)",
                                   clause.span), self.as_of.key <= date_key(window.end)))
        return found

    # ---- expressions ------------------------------------------------------------------
    def _name(self, name: str) -> Term:
        if name in self.vars:
            return self.vars[name]
        return self._definition(name)

    def _definition(self, name: str) -> Term:
        cached = self._definitions.get(name)
        if cached is None:
            outer = self._using
            self._using = set()
            term = self._term(self.policy.definitions[name].expr)
            cached = (term, frozenset(self._using))
            self._definitions[name] = cached
            self._using = outer
        self._using |= cached[1]
        return cached[0]

    def _term(self, node: m.Expr) -> Term:
        match node:
            case m.Const(value=value, type=m.Type.BOOL):
                return z3.BoolVal(bool(value))
            case m.Const(value=dt.date() as day):
                return Date.constant(day)
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
    def _shift(self, date: Date, amount: int, unit: str) -> Date:
        if unit == "days":
            shifted = self._fresh_date()
            self._add_side(z3.And(shifted.valid(), shifted.day_number() == date.day_number() + amount))
            return shifted
        months = amount * 12 if unit == "years" else amount
        years, within = divmod(months, 12)  # floored: 0 <= within < 12
        carry = z3.If(date.month + within > 12, 1, 0)
        # The new year is 4 * quarter + rest again; years % 4 + carry adds at most 4 to rest.
        total = date.rest + years % 4 + carry
        over = z3.If(total >= 4, 1, 0)
        moved = Date(date.quarter + years // 4 + over, total - 4 * over, date.month + within - 12 * carry, date.day)
        length = moved.month_length()
        shifted = Date(moved.quarter, moved.rest, moved.month, z3.If(date.day <= length, date.day, length))
        self._add_side(shifted.in_range())
        return shifted

    def _fresh_date(self) -> Date:
        self._fresh += 1
        return Date.variable(f"t{self._fresh}")

    def _add_side(self, constraint: z3.BoolRef) -> None:
        self._sides.append(constraint)
        self._using.add(len(self._sides) - 1)

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
            self._definition_facts[name] = self.facts_of(self.policy.definitions[name].expr)
        return self._definition_facts[name]

    # ---- witness preferences --------------------------------------------------------
    def plausible(self, formulas: tuple[ClauseFormula, ...], clauses: tuple[m.Clause, ...],
                  as_of: dt.date) -> tuple[tuple[str, z3.BoolRef], ...]:
        """Soft wishes for a readable witness, dropped last first when they cannot all
        hold: dates within some years before as-of, head counts of at least one, and a
        given as-of date."""
        dates = [self._recent(name) for formula in formulas for name in formula.facts
                 if self.policy.facts[name].type is m.Type.DATE]
        heads = [self._counted(name) for clause in clauses if clause.amount.per_head
                 for name in self._facts_of_name(clause.amount.per_head)
                 if self.policy.facts[name].type is m.Type.COUNT]
        return (
            ("dates", z3.And(*dates) if dates else z3.BoolVal(True)),
            ("heads", z3.And(*heads) if heads else z3.BoolVal(True)),
            ("as_of", self._wish("as_of", as_of, lambda: self.as_of.key == date_key(as_of))),
        )

    def _wish(self, kind: str, subject, build) -> z3.BoolRef:
        key = (kind, subject)
        if key not in self._wishes:
            self._wishes[key] = build()
        return self._wishes[key]

    def _recent(self, fact: str) -> z3.BoolRef:
        key = self.vars[fact].key
        return self._wish("recent", fact, lambda: z3.And(key <= self.as_of.key,
                                                         key >= self.as_of.key - 512 * PLAUSIBLE_YEARS))

    def _counted(self, fact: str) -> z3.BoolRef:
        return self._wish("counted", fact, lambda: self.vars[fact] >= 1)


def _compare(op: str, left: Term, right: Term) -> z3.BoolRef:
    if isinstance(left, Date):
        left, right = left.key, right.key
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
    once, each question between push and pop. Atoms are asserted as they are; only when
    the answer is unsat is the question asked again with each atom behind an assumption
    literal, for the core — that costs twice as much, and most answers are sat."""

    def __init__(self, translator: Translator, timeout_ms: int = 10_000):
        self.translator = translator
        self.solver = z3.Solver()
        self.solver.set("timeout", timeout_ms)
        self.solver.set("core.minimize", True)
        self.solver.add(translator.as_of.valid())
        self.checks = 0
        self._literals: dict[tuple[str, int], z3.BoolRef] = {}

    def decide(self, formulas: tuple[ClauseFormula, ...], *, unless: tuple[ClauseFormula, ...] = (),
               wishes: tuple[tuple[str, z3.BoolRef], ...] = (), facts: tuple[str, ...] = ()) -> Outcome:
        """Can every formula of `formulas` hold while no formula of `unless` holds in full?

        `wishes` are honoured when they can be (the model then satisfies as many of them
        as possible, dropping the last first); they never change whether it is sat.
        `facts` are further facts the model must give valid values (a witness's).
        """
        solver = self.solver
        solver.push()
        try:
            sides = {side.get_id(): side for f in formulas + unless for side in f.sides}
            solver.add(*sides.values())
            used = dict.fromkeys([name for f in formulas + unless for name in f.facts] + list(facts))
            solver.add(*[self.translator.domain[name] for name in used])
            for formula in unless:
                solver.add(z3.Not(z3.And(*formula.exprs)))
            outcome = self._model(formulas, [wish for _, wish in wishes])
            if outcome.sat is False:
                return Outcome(False, core=self._core(formulas))
            return outcome
        finally:
            solver.pop()

    def _check(self) -> z3.CheckSatResult:
        self.checks += 1
        return self.solver.check()

    def _model(self, formulas: tuple[ClauseFormula, ...], wishes: list[z3.BoolRef]) -> Outcome:
        solver = self.solver
        solver.push()
        try:
            solver.add(*[expr for formula in formulas for expr in formula.exprs])
            # All wishes first (the usual answer in one check), then none (deciding the
            # question), then as many wishes as can be kept.
            for keep in dict.fromkeys([len(wishes), 0, *range(len(wishes) - 1, 0, -1)]):
                solver.push()
                solver.add(*wishes[:keep])
                answer = self._check()
                model = solver.model() if answer == z3.sat else None
                solver.pop()
                if answer == z3.unknown:
                    return Outcome(None)
                if model is not None:
                    return Outcome(True, model)
                if keep == 0:
                    return Outcome(False)
            return Outcome(False)
        finally:
            solver.pop()

    def _literal(self, clause: str, index: int) -> z3.BoolRef:
        key = (clause, index)
        if key not in self._literals:
            self._literals[key] = z3.Bool(f"a{len(self._literals)}")
        return self._literals[key]

    def _core(self, formulas: tuple[ClauseFormula, ...]) -> tuple[Atom, ...]:
        """The atoms that cannot hold together (z3's minimised unsat core)."""
        solver = self.solver
        solver.push()
        try:
            atoms: dict[int, tuple[z3.BoolRef, Atom]] = {}
            for formula in formulas:
                for index, (atom, expr) in enumerate(zip(formula.atoms, formula.exprs)):
                    literal = self._literal(formula.clause, index)
                    solver.add(z3.Implies(literal, expr))
                    atoms[literal.get_id()] = (literal, atom)
            self.checks += 1
            if solver.check(*[literal for literal, _ in atoms.values()]) != z3.unsat:
                return ()
            core = {c.get_id() for c in solver.unsat_core()}
            return tuple(atom for key, (_, atom) in atoms.items() if key in core)
        finally:
            solver.pop()
