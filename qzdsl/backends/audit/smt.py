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
* Definitions are inlined; `Via` (同等待遇) holds through its operand for the equivalence's
  own beneficiaries and is false for every other applicant kind (as in the evaluator).
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
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

import z3

from qzdsl.model import policy as m
from qzdsl.interrupt import check_z3_reason

FIRST_DAY = dt.date(1901, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
# A witness's dates stay within this many years before its as-of date when they can.
PLAUSIBLE_YEARS = 10


# One conjunct of when a clause applies: what unsat cores are made of.
Atom = m.Atom


@dataclass(frozen=True)
class ClauseFormula:
    """When one clause applies: its conjuncts (`atoms`, parallel to `exprs`) and their
    conjunction (`body`); the `facts` a case needs to decide it (requirement, anchor date,
    head count) and their `domains`; its `support`: those domains and the definitional
    constraints of the auxiliary variables it uses; and two wishes for its witnesses:
    `recent` (its dates lie shortly before as-of) and `counted` (its head counts are
    positive). Whole conjunctions are kept because z3py's cost is per expression added."""

    clause: str
    atoms: tuple[Atom, ...]
    exprs: tuple[z3.BoolRef, ...]
    body: z3.BoolRef
    support: z3.BoolRef
    facts: tuple[str, ...]
    domains: z3.BoolRef
    recent: z3.BoolRef
    counted: z3.BoolRef


def _number(value: Decimal, ctx: z3.Context) -> z3.ArithRef:
    return z3.IntVal(int(value), ctx) if value == value.to_integral_value() else z3.RealVal(str(value), ctx)


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
    def variable(name: str, ctx: z3.Context) -> "Date":
        return Date(*(z3.Int(f"{name}.{part}", ctx) for part in "qrmd"))

    @staticmethod
    def constant(date: dt.date, ctx: z3.Context) -> "Date":
        quarter, rest = divmod(date.year, 4)
        return Date(*(z3.IntVal(v, ctx) for v in (quarter, rest, date.month, date.day)))

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

    @cached_property
    def month_length(self) -> z3.ArithRef:
        short = z3.Or(self.month == 4, self.month == 6, self.month == 9, self.month == 11)
        return z3.If(self.month == 2, z3.If(self.leap, 29, 28), z3.If(short, 30, 31))

    def day_number(self) -> z3.ArithRef:
        """Days since 1901-01-01."""
        before_month = z3.IntVal(_BEFORE_MONTH[11], self.month.ctx)
        for month in range(11, 0, -1):
            before_month = z3.If(self.month == month, _BEFORE_MONTH[month - 1], before_month)
        leap_days = self.quarter - 475 - z3.If(self.leap, 1, 0)  # leap years in 1901 .. year - 1
        february = z3.If(z3.And(self.month > 2, self.leap), 1, 0)
        return 365 * (self.year - 1901) + leap_days + before_month + february + self.day - 1

    def in_range(self) -> z3.BoolRef:
        return z3.And(self.rest >= 0, self.rest <= 3, self.year >= FIRST_DAY.year, self.year <= LAST_DAY.year)

    def valid(self) -> z3.BoolRef:
        # The month's length as three implications, not as `month_length`'s if-then-else
        # term: the same dates, and z3 answers a question about them about a fifth faster
        # (no auxiliary integer per date for the solver to branch on).
        month, day = self.month, self.day
        return z3.And(self.in_range(), month >= 1, month <= 12, day >= 1, day <= 31,
                      z3.Implies(z3.Or(month == 4, month == 6, month == 9, month == 11), day <= 30),
                      z3.Implies(month == 2, day <= 29),
                      z3.Implies(z3.And(month == 2, z3.Not(self.leap)), day <= 28))

    def value(self, model: z3.ModelRef) -> dt.date:
        # One evaluation, of the key, decodes the whole date (day < 32, month < 16).
        key = model.eval(self.key, model_completion=True).as_long()
        return dt.date(key // 512, key % 512 // 32, key % 32)


Term = z3.ExprRef | Date


@dataclass(frozen=True)
class Wishes:
    """Soft wishes for a readable witness: `groups`, the last dropped first when they
    cannot all hold; `together`, when given, is all of them at once written more cheaply
    for z3 (the same condition: what is asked first)."""

    groups: tuple[tuple[z3.BoolRef, ...], ...]
    together: tuple[z3.BoolRef, ...] | None = None

    def all(self) -> tuple[z3.BoolRef, ...]:
        return self.together if self.together is not None else tuple(w for g in self.groups for w in g)


class Translator(m.ExprVisitor[Term]):
    """Translates clauses of one policy; remembers every translation (per clause, per
    definition, per shifted date) so that a clause met in many pairs is translated once."""

    def __init__(self, policy: m.Policy, like: "Translator | None" = None):
        """`like`: a translator of another version of the policy whose context, as_of and
        facts (those of the same name, type and members) this one shares, so that one
        question can speak of both versions (`qzdsl diff`)."""
        self.policy = policy
        # An audit's own z3 context: in the shared global one, terms left by an earlier
        # audit change which model z3 finds, and the report would depend on history.
        self.ctx = like.ctx if like is not None else z3.Context()
        self.as_of = like.as_of if like is not None else Date.variable("as_of", self.ctx)
        self.vars: dict[str, Term] = {}
        # fact -> its domain: asserted only in questions that mention the fact, so that a
        # question costs the same in a policy of 40 clauses and in one of 2,000.
        self.domain: dict[str, z3.BoolRef] = {}
        prefix = "f" if like is None else like._prefix + "'"
        self._prefix = prefix
        for index, fact in enumerate(policy.facts.values()):
            other = like.policy.facts.get(fact.name) if like is not None else None
            if other is not None and (other.type, other.members) == (fact.type, fact.members):
                self.vars[fact.name], self.domain[fact.name] = like.vars[fact.name], like.domain[fact.name]
            else:
                self.vars[fact.name], self.domain[fact.name] = self._declare(f"{prefix}{index}", fact, self.ctx)
        self._sides: list[z3.BoolRef] = []
        self._fresh = 0
        # Keyed by (definition, applicant kind): an equivalence extends a definition for
        # its own beneficiaries only.
        self._definitions: dict[tuple[str, str | None], tuple[Term, frozenset[int]]] = {}
        self._kind: str | None = None  # the applicant kind of the clause being translated
        self._clauses: dict[str, ClauseFormula] = {}
        self._as_of_wishes: dict[dt.date, tuple[z3.BoolRef, z3.BoolRef]] = {}
        self._recent_wishes: dict[tuple[str, dt.date], z3.BoolRef] = {}
        self._shifts: dict[tuple, tuple] = {}
        self._using: set[int] = set()  # side constraints used by the translation in progress

    # ---- facts ------------------------------------------------------------------------
    @staticmethod
    def _declare(name: str, fact: m.Fact, ctx: z3.Context) -> tuple[Term, z3.BoolRef]:
        """A fact's variable and its domain."""
        match fact.type:
            case m.Type.BOOL:
                return z3.Bool(name, ctx), z3.BoolVal(True, ctx)
            case m.Type.DATE:
                date = Date.variable(name, ctx)
                return date, date.valid()
            case m.Type.ENUM:
                var = z3.Int(name, ctx)
                return var, z3.And(var >= 0, var < len(fact.members))
        var = z3.Int(name, ctx)
        return var, var >= 0

    # ---- clauses ----------------------------------------------------------------------
    def clause(self, clause: m.Clause) -> ClauseFormula:
        cached = self._clauses.get(clause.id)
        if cached is not None:
            return cached
        self._using = set()
        self._kind = clause.beneficiary
        atoms, exprs = [], []
        for node in self._conjuncts(clause.eligibility):
            atoms.append(Atom(clause.id, self._text(node), node.span, node))
            exprs.append(self.visit(node))
        for atom, expr in self._window(clause):
            atoms.append(atom)
            exprs.append(expr)
        facts = self.policy.facts_of(clause)
        domains = [self.domain[name] for name in facts]
        sides = [self._sides[i] for i in sorted(self._using)]
        recent = [self._recent(name) for name in facts if self.policy.facts[name].type is m.Type.DATE]
        counted = [self.vars[name] >= 1 for name in self._head_counts(clause)]
        formula = ClauseFormula(clause.id, tuple(atoms), tuple(exprs), body=self._all(exprs),
                                support=self._all(sides + domains), facts=facts, domains=self._all(domains),
                                recent=self._all(recent), counted=self._all(counted))
        self._clauses[clause.id] = formula
        return formula

    def _all(self, exprs: list[z3.BoolRef]) -> z3.BoolRef:
        if not exprs:
            return z3.BoolVal(True, self.ctx)
        # z3.And's own way re-casts every (already Boolean) argument: through the C API,
        # the same term at a fraction of the cost.
        args = (z3.Ast * len(exprs))(*[e.as_ast() for e in exprs])
        return z3.BoolRef(z3.Z3_mk_and(self.ctx.ref(), len(exprs), args), self.ctx)

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

    def _entitlement_date(self, clause: m.Clause) -> Date:
        """The date a clause's window is checked against: its anchor, else as_of."""
        anchor = clause.amount.anchor
        return self.as_of if anchor is None else self._name(anchor)

    def _window(self, clause: m.Clause) -> list[tuple[Atom, z3.BoolRef]]:
        window = clause.window
        anchor = clause.amount.anchor
        where = f"{clause.section} window"
        date = self._entitlement_date(clause).key
        ref = m.AsOfRef() if anchor is None else self.policy.named(anchor)

        def bound(op: str, day: dt.date, role: m.AtomRole, on: m.Expr = ref, note: str = "") -> Atom:
            expr = m.Cmp(op, on, m.Const(day, m.Type.DATE, day.isoformat()), text=f"{on.text} {op} {day.isoformat()}")
            return Atom(clause.id, f"{on.text} {op} {day.isoformat()} ({where}{note})", clause.span, expr, role)

        found = [(bound(">=", window.start, m.AtomRole.WINDOW_START), date >= date_key(window.start))]
        if window.end is not None:
            found.append((bound("<=", window.end, m.AtomRole.WINDOW_END), date <= date_key(window.end)))
            if window.stops and anchor is not None:
                found.append((bound("<=", window.end, m.AtomRole.WINDOW_STOP, m.AsOfRef(), ", after_trial stop"),
                              self.as_of.key <= date_key(window.end)))
        return found

    # ---- expressions ------------------------------------------------------------------
    def _name(self, name: str) -> Term:
        if name in self.vars:
            return self.vars[name]
        return self._definition(name)

    def _definition(self, name: str) -> Term:
        cached = self._definitions.get((name, self._kind))
        if cached is None:
            outer = self._using
            self._using = set()
            term = self.visit(self.policy.definitions[name].expr)
            cached = (term, frozenset(self._using))
            self._definitions[(name, self._kind)] = cached
            self._using = outer
        self._using |= cached[1]
        return cached[0]

    def visit_Const(self, node: m.Const) -> Term:
        match node.value:
            case bool() as value:
                return z3.BoolVal(value, self.ctx)
            case dt.date() as day:
                return Date.constant(day, self.ctx)
            case Decimal() as number:
                return _number(number, self.ctx)
        raise TypeError(f"cannot translate {node!r}")

    def visit_FactRef(self, node: m.FactRef) -> Term:
        return self.vars[node.name]

    def visit_DefRef(self, node: m.DefRef) -> Term:
        return self._definition(node.name)

    def visit_AsOfRef(self, node: m.AsOfRef) -> Term:
        return self.as_of

    def visit_Via(self, node: m.Via) -> Term:
        if not node.applies_to(self._kind):
            return z3.BoolVal(False, self.ctx)
        return self.visit(node.operand)

    def visit_Not(self, node: m.Not) -> Term:
        return z3.Not(self.visit(node.operand))

    def visit_And(self, node: m.And) -> Term:
        return z3.And(*[self.visit(o) for o in node.operands])

    def visit_Or(self, node: m.Or) -> Term:
        return z3.Or(*[self.visit(o) for o in node.operands])

    def visit_In(self, node: m.In) -> Term:
        fact = self.policy.facts[node.operand.name]
        names = [x.name for x in fact.members]
        var = self.vars[fact.name]
        test = z3.Or(*[var == names.index(name) for name in node.members])
        return z3.Not(test) if node.negated else test

    def visit_Cmp(self, node: m.Cmp) -> Term:
        return _compare(node.op, self.visit(node.left), self.visit(node.right))

    def visit_Arith(self, node: m.Arith) -> Term:
        lhs, rhs = self.visit(node.left), self.visit(node.right)
        return lhs + rhs if node.op == "+" else lhs - rhs

    def visit_Shift(self, node: m.Shift) -> Term:
        return self._shift(self.visit(node.date), node.sign * node.amount, node.unit)

    # ---- calendar ---------------------------------------------------------------------
    def _shift(self, date: Date, amount: int, unit: str) -> Date:
        # z3 hash-conses terms: the same date shifted the same way has the same key id.
        memo = (date.key.get_id(), amount, unit)
        if memo not in self._shifts:
            start = len(self._sides)
            shifted = self._new_shift(date, amount, unit)
            # The date is kept with its entry: z3 may reuse the id of a freed term.
            self._shifts[memo] = (shifted, range(start, len(self._sides)), date)
        shifted, sides, _ = self._shifts[memo]
        self._using.update(sides)
        return shifted

    def _new_shift(self, date: Date, amount: int, unit: str) -> Date:
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
        length = moved.month_length
        shifted = Date(moved.quarter, moved.rest, moved.month, z3.If(date.day <= length, date.day, length))
        self._add_side(shifted.in_range())
        return shifted

    def _fresh_date(self) -> Date:
        self._fresh += 1
        return Date.variable(f"{self._prefix}t{self._fresh}", self.ctx)

    def _add_side(self, constraint: z3.BoolRef) -> None:
        self._sides.append(constraint)
        self._using.add(len(self._sides) - 1)

    # ---- witness preferences --------------------------------------------------------
    def wishes(self, formulas: tuple[ClauseFormula, ...], as_of: dt.date) -> Wishes:
        """Soft wishes for a readable witness, dropped last first when they cannot all
        hold: dates within some years before as-of, head counts of at least one, and a
        given as-of date. All of them together (asked first) pin as-of's parts and bound
        each date by constants: the same condition, without tying every date to as-of's
        variables, which z3 answers in about two thirds of the time."""
        if as_of not in self._as_of_wishes:
            quarter, rest = divmod(as_of.year, 4)
            self._as_of_wishes[as_of] = (self.as_of.key == date_key(as_of),
                                         z3.And(self.as_of.quarter == quarter, self.as_of.rest == rest,
                                                self.as_of.month == as_of.month, self.as_of.day == as_of.day))
        keyed, pinned = self._as_of_wishes[as_of]
        dates = dict.fromkeys(name for f in formulas for name in f.facts
                              if self.policy.facts[name].type is m.Type.DATE)
        counted = tuple(f.counted for f in formulas)
        return Wishes(
            groups=(tuple(f.recent for f in formulas), counted, (keyed,)),
            together=tuple(self._recent_before(name, as_of) for name in dates) + counted + (pinned,),
        )

    def _recent(self, fact: str) -> z3.BoolRef:
        key = self.vars[fact].key
        return z3.And(key <= self.as_of.key, key >= self.as_of.key - 512 * PLAUSIBLE_YEARS)

    def _recent_before(self, fact: str, as_of: dt.date) -> z3.BoolRef:
        """`_recent` with as-of fixed to a date: the fact's date within PLAUSIBLE_YEARS
        before it (date keys: 512 a year)."""
        memo = (fact, as_of)
        if memo not in self._recent_wishes:
            key, last = self.vars[fact].key, date_key(as_of)
            self._recent_wishes[memo] = z3.And(key <= last, key >= last - 512 * PLAUSIBLE_YEARS)
        return self._recent_wishes[memo]

    def _head_counts(self, clause: m.Clause) -> list[str]:
        per_head = clause.amount.per_head
        if per_head is None:
            return []
        facts = m.facts_reached(self.policy.reach((per_head,), clause.beneficiary))
        return [name for name in facts if self.policy.facts[name].type is m.Type.COUNT]


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
    """A solver's answer. `sat` is None when z3 gave up (unknown), and `reason` then says
    why in z3's words ("timeout", "canceled": out of time); `model` is set when
    satisfiable; `core` names the atoms that cannot hold together when not."""

    sat: bool | None
    model: z3.ModelRef | None = None
    core: tuple[Atom, ...] = ()
    reason: str = ""

    @property
    def timed_out(self) -> bool:
        return self.sat is None and self.reason in TIMED_OUT


# z3's reason_unknown() when a check was stopped by its time limit.
TIMED_OUT = ("timeout", "canceled")


# z3's arithmetic solver for audits: the classic simplex-based one (2). On the audit's
# questions — linear integer constraints on date parts and amounts, with their case
# splits — it answers in about three quarters of the time of the default (6) (measured
# on the recorded questions of benchmarks/bench_audit.py; docs/audit.md, "Scale").
ARITH_SOLVER = 2


class Decider:
    """One z3 solver reused for every question of an audit, each question between push
    and pop. The body of every formula is asserted whole; only when the answer is unsat
    is the question asked again with each atom behind an assumption literal, for the
    core — that costs twice as much, and most answers are sat. An unsat answer with
    wishes goes straight to the core question, which also decides the question without
    them (an unsat core, or sat: then the wishes were what failed)."""

    def __init__(self, translator: Translator, timeout_ms: int = 10_000, deadline: float | None = None):
        self.translator = translator
        self.solver = z3.Solver(ctx=translator.ctx)
        self.timeout_ms = timeout_ms
        self.deadline = deadline  # time.monotonic() by which the whole audit must be done
        self.solver.set("timeout", timeout_ms)
        self.solver.set("core.minimize", True)
        self.solver.set("smt.arith.solver", ARITH_SOLVER)
        self.solver.add(translator.as_of.valid())
        self.checks = 0
        self._literals: dict[str, list[tuple[z3.BoolRef, z3.BoolRef]]] = {}

    def decide(self, formulas: tuple[ClauseFormula, ...], *, unless: tuple[ClauseFormula, ...] = (),
               wishes: Wishes | None = None, also: tuple[ClauseFormula, ...] = (), model: bool = False) -> Outcome:
        """Can every formula of `formulas` hold while no formula of `unless` holds in full?

        `wishes` are honoured when they can be (the model then keeps as many groups of
        them as possible, dropping the last first); they never change whether it is sat.
        The facts of the formulas in `also` get valid values in the model too (a witness
        needs them), without those formulas having to hold. An unsat answer names its
        core, except with `unless` (then it would mean little). The outcome carries z3's
        model when `model` is asked for or there are wishes (a witness is read from it).
        """
        model = model or bool(wishes)
        support = ([f.support for f in formulas + unless] + [f.domains for f in also]
                   + [z3.Not(f.body) for f in unless])
        asserted = support + [f.body for f in formulas]
        outcome = self._attempt(asserted + list(wishes.all() if wishes else ()), model)  # usually the answer
        if outcome.sat is False and not unless:
            # Straight to the core question: it is asked without the wishes, so its unsat
            # answer decides the question too (a disjoint pair: two checks, not three).
            core = self._core(support, formulas)
            if core is not None or not wishes:  # unsat (or the core gave up on an unsat question)
                return Outcome(False, core=core or ())
            # sat without the wishes, or z3 gave up: the question is asked again below
        if outcome.sat is False and wishes:
            outcome = self._attempt(asserted, model)  # without wishes: decides the question
            groups = wishes.groups
            for keep in range(len(groups) - 1, 0, -1):  # then keep as many wishes as can be kept
                if not outcome.sat:
                    break
                kept = self._attempt(asserted + [w for group in groups[:keep] for w in group], model)
                if kept.sat:
                    return kept
        if outcome.sat is False and not unless:
            return Outcome(False, core=self._core(support, formulas) or ())
        return outcome

    def _assert(self, exprs) -> None:
        # Through the C API: z3py's `add` re-casts every (already Boolean) term, which
        # cost more than the solving.
        context, solver = self.translator.ctx.ref(), self.solver.solver
        for expr in exprs:
            z3.Z3_solver_assert(context, solver, expr.as_ast())

    def _attempt(self, asserted: list[z3.BoolRef], model: bool) -> Outcome:
        solver = self.solver
        solver.push()
        try:
            self._assert(asserted)
            self.checks += 1
            self._budget()
            answer = solver.check()
            if answer == z3.sat:
                # z3 builds a model object only when asked: a question that needs only
                # yes or no (can a clause ever apply, is one within another) saves that.
                return Outcome(True, solver.model() if model else None)
            if answer == z3.unknown:
                reason = solver.reason_unknown()
                check_z3_reason(reason)
                return Outcome(None, reason=reason)
            return Outcome(False)
        finally:
            solver.pop()

    def _budget(self) -> None:
        """Each question gets its own cap, or what remains of the audit's budget if less."""
        if self.deadline is not None:
            remaining = int((self.deadline - time.monotonic()) * 1000)
            self.solver.set("timeout", max(1, min(self.timeout_ms, remaining)))

    def _guarded(self, formula: ClauseFormula) -> list[tuple[z3.BoolRef, z3.BoolRef]]:
        """(literal, literal → atom) for each atom of a formula, made once per clause."""
        if formula.clause not in self._literals:
            ctx = self.translator.ctx
            literals = [z3.Bool(f"{formula.clause}#{i}", ctx) for i in range(len(formula.exprs))]
            self._literals[formula.clause] = [(lit, z3.Implies(lit, expr))
                                              for lit, expr in zip(literals, formula.exprs)]
        return self._literals[formula.clause]

    def _core(self, support: list[z3.BoolRef], formulas: tuple[ClauseFormula, ...]) -> tuple[Atom, ...] | None:
        """The atoms that cannot hold together (z3's minimised unsat core); None when
        the question is satisfiable after all or z3 gave up on it."""
        solver = self.solver
        solver.push()
        try:
            self._assert(support)
            atoms: dict[int, tuple[z3.BoolRef, Atom]] = {}
            for formula in formulas:
                for (literal, guarded), atom in zip(self._guarded(formula), formula.atoms):
                    self._assert([guarded])
                    atoms[literal.get_id()] = (literal, atom)
            self.checks += 1
            self._budget()
            answer = solver.check(*[literal for literal, _ in atoms.values()])
            if answer == z3.unknown:
                check_z3_reason(solver.reason_unknown())
            if answer != z3.unsat:
                return None
            core = {c.get_id() for c in solver.unsat_core()}
            return tuple(atom for key, (_, atom) in atoms.items() if key in core)
        finally:
            solver.pop()

