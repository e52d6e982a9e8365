"""Validation of a batch file's rows, as SQL: each input column typed by the rules of
`cases.case_from_dict`, and every reason a row is rejected.

A text column is read two ways at once. Its plain spellings — what a machine writes:
``20000.50``, ``2024-06-01``, ``true``, a member's name or label — are read by SQL, at
the speed of the engine. Every other text (``2万``, ``２０２４年６月１日``, ``是``, a
misspelling …) is read in Python by the reader of case files, once per distinct text
(`spellings`), and joined back from a lookup table, its value or its refusal worded as
a case file's diagnostic. A scan of the file (`survey`) tells which columns hold any
such text; a file that holds none is validated by SQL alone, without a join.

Built with sqlglot for any of `query.DIALECTS`; the batch runner caches the text it emits
(`batch.plan`), so this module is imported only when a file of a new shape is met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from qzdsl.model import policy as m
from qzdsl.backends.sql import query as sqlgen
from qzdsl.backends.sql.columns import COLUMN_TYPES, INTEGER_TYPES, MONEY_TYPE
from qzdsl.backends.sql.spellings import reason as refusal_reason
from qzdsl.backends.sql.spellings import table_name
from qzdsl.cases.values import EARLIEST, FALSE_WORDS, LATEST, MAX_COUNT, MAX_MONEY, TRUE_WORDS, Refused
from qzdsl.money import MACHINE_PATTERN
from qzdsl.wording.labels import label


def _text(value: exp.Expression) -> exp.Expression:
    """A value as trimmed text, with the empty text as NULL (unknown)."""
    return exp.Nullif(this=exp.Trim(this=exp.cast(value, "VARCHAR")), expression=exp.Literal.string(""))


def _matches(value: exp.Expression, pattern: str) -> exp.Expression:
    return exp.RegexpFullMatch(this=value, expression=exp.Literal.string(pattern))


def _filled(template: str, value: exp.Expression | None) -> exp.Expression:
    """A text whose NUL characters stand for `value`, as SQL."""
    pieces = template.split("\0")
    if value is None or len(pieces) == 1:
        return exp.Literal.string(template.replace("\0", ""))
    parts: list[exp.Expression] = []
    for i, piece in enumerate(pieces):
        if i:
            parts.append(value.copy())
        if piece:
            parts.append(exp.Literal.string(piece))
    return exp.Concat(expressions=parts)


def _is_null(value: exp.Expression) -> exp.Expression:
    return exp.Is(this=value.copy(), expression=exp.Null())


def _not_null(value: exp.Expression) -> exp.Expression:
    return exp.Not(this=_is_null(value))


def _between(value: exp.Expression, low: exp.Expression, high: exp.Expression) -> exp.Expression:
    return exp.and_(exp.GTE(this=value.copy(), expression=low), exp.LTE(this=value.copy(), expression=high))


@dataclass(frozen=True)
class _Checked:
    """One input column, typed: its value, and the problems that reject the row."""

    value: exp.Expression
    problems: tuple[tuple[exp.Expression, exp.Expression], ...]


class _Validator:
    """Builds the typed value and the problems of each column from its type in the file.

    A column already of the fact's SQL type — or a text column holding nothing but exact
    member names (`clean`) — is used as it is; other columns are read as text: plain
    spellings by SQL, the others from the column's lookup table when it has one
    (`spelled`, in order: the position names the table). `plain` collects, per text
    column, the SQL test of a plain spelling, over the trimmed text.
    """

    def __init__(self, policy: m.Policy, types: dict[str, str], clean: set[str], lang: str,
                 proof: frozenset[str] = frozenset(), spelled: tuple[str, ...] = ()):
        self.policy = policy
        self.types = types
        self.clean = clean
        self.lang = lang
        self.proof = proof
        self.spelled = spelled
        self.parsed: list[str] = []  # the columns parsed as text
        self.plain: dict[str, tuple[exp.Expression, exp.Expression]] = {}  # column -> (text, test)
        self.inner: dict[str, exp.Expression] = {}  # what the inner query reads, by name

    def reason(self, key: str, **names: str) -> exp.Expression:
        return exp.Literal.string(label(f"batch.reason.{key}", self.lang).format(**names))

    def refused(self, column: str, key: str, hint: str | None, value: exp.Expression, **args) -> exp.Expression:
        """The reason the reader of case files gives for `value` in `column`, as SQL: the
        same words for a typed column checked here as for a text read in Python."""
        return _filled(refusal_reason(self.policy, column, Refused(key, hint, text="\0", **args), self.lang), value)

    # ---- text read two ways ----

    def _read(self, column: exp.Column, plain: Callable[[exp.Expression], exp.Expression],
              plain_value: Callable[[exp.Expression], exp.Expression], sql_type: str,
              form: tuple[str, str | None, dict]) -> tuple[exp.Expression, list, exp.Expression]:
        """A text column's value, its problems and its blankness (NULL, or only white
        space the reader drops). `plain(text)` tests a plain spelling and
        `plain_value(text)` reads it; `form` (key, hint, arguments) words a text that is
        neither plain nor in the lookup table (which the survey makes impossible)."""
        self.parsed.append(column.name)
        text = _text(column)
        self.plain[column.name] = (text, plain(text.copy()))
        key, hint, args = form
        # Read once, in the inner query (`inner`); the checks name what it read.
        read = self._inner(f"__text__{column.name}", text.copy())
        fallback = self.refused(column.name, key, hint, read.copy(), **args)
        if column.name not in self.spelled:
            value = self._inner(f"__value__{column.name}",
                                sqlgen.case_when([(plain(text.copy()), plain_value(text.copy()))]))
            return value, [(exp.and_(_not_null(read), _is_null(value)), fallback)], _is_null(read)
        table = table_name(self.spelled.index(column.name))

        def looked_up(name: str) -> exp.Column:
            return self._inner(f"__lookup{name}__{column.name}", exp.column(name, table=table, quoted=True))

        value = self._inner(f"__value__{column.name}", sqlgen.case_when(
            [(plain(text.copy()), plain_value(text.copy()))],
            exp.cast(exp.column("__value", table=table, quoted=True), sql_type)))
        unread = exp.and_(_not_null(read), _is_null(value))
        found, refusal = looked_up("__text"), looked_up("__reason")
        problems = [(exp.and_(unread, _not_null(refusal)), refusal.copy()),
                    (exp.and_(unread.copy(), _is_null(found)), fallback)]
        blank = exp.or_(_is_null(read), exp.and_(_not_null(found), _is_null(value), _is_null(refusal)))
        return value, problems, blank

    def _inner(self, name: str, expression: exp.Expression) -> exp.Column:
        """A column of the inner query, computed once per row: a reference to it."""
        self.inner[name] = expression
        return sqlgen.col(name)

    def _choice(self, column: exp.Column, names: dict[str, str], key: str) -> tuple:
        """A column of names (name -> label): plain when exactly a name or a label."""

        def spellings(name: str, label_: str) -> list[exp.Expression]:
            return [exp.Literal.string(s) for s in sorted({name, label_})]

        def plain(text):
            return exp.In(this=text, expressions=[s for n, lbl in names.items() for s in spellings(n, lbl)])

        def plain_value(text):
            return sqlgen.case_when([(exp.In(this=text.copy(), expressions=spellings(n, lbl)), exp.Literal.string(n))
                                     for n, lbl in names.items()])

        listed = "、".join(f"{lbl}（{n}）" for n, lbl in names.items())
        return self._read(column, plain, plain_value, "VARCHAR", (key, "hint.value.values", {"first": listed}))

    # ---- the columns ----

    def kind(self) -> _Checked:
        """The kind's name, from its name or its label (NULL: unknown or missing)."""
        column = sqlgen.col("kind")
        if "kind" in self.clean:
            return _Checked(column, ((_is_null(column), self.reason("kind_missing")),))
        names = {k.name: k.label for k in self.policy.kinds.values()}
        value, problems, blank = self._choice(column, names, "value.kind.unknown")
        return _Checked(value, (*problems, (blank, self.reason("kind_missing"))))

    def as_of(self) -> _Checked:
        if "as_of" not in self.types:
            return _Checked(sqlgen.null("DATE"), ())
        return self._date(sqlgen.col("as_of"))

    def fact(self, fact: m.Fact, kind: exp.Expression) -> _Checked:
        column = sqlgen.col(fact.name)
        match fact.type:
            case m.Type.BOOL:
                checked = self._bool(column)
            case m.Type.COUNT:
                checked = self._count(column)
            case m.Type.MONEY:
                checked = self._money(column)
            case m.Type.DATE:
                checked = self._date(column)
            case _:
                checked = self._enum(column, fact)
        # A fact of another kind of applicant is an error in a case file too (QZ406).
        name = f"{fact.name}（{fact.label}）" if self.lang == "zh" else f"{fact.name} ({fact.label})"
        foreign = exp.and_(_not_null(column),
                           exp.Not(this=exp.In(this=kind.copy(),
                                               expressions=[exp.Literal.string(k) for k in fact.kinds])))
        kinds = ", ".join(fact.kinds)
        return _Checked(checked.value, checked.problems + ((foreign, self.reason("foreign", name=name, kinds=kinds)),))

    def _unproven(self, column: exp.Column, checks) -> tuple[tuple[exp.Expression, exp.Expression], ...]:
        """The (problem, reason) of `checks` (check, problem, reason) that the file's
        statistics do not already rule out."""
        return tuple((problem, reason) for check, problem, reason in checks
                     if f"{column.name}:{check}" not in self.proof)

    def _bool(self, column) -> _Checked:
        if self.types[column.name] == "BOOLEAN":
            return _Checked(column, ())

        def words(text, spelled):
            return exp.In(this=exp.Lower(this=text), expressions=[exp.Literal.string(x) for x in spelled])

        def plain_value(text):
            return sqlgen.case_when([(words(text, TRUE_WORDS), exp.true()),
                                     (words(text.copy(), FALSE_WORDS), exp.false())])

        value, problems, _ = self._read(column, lambda t: words(t, TRUE_WORDS + FALSE_WORDS), plain_value, "BOOLEAN",
                                        ("value.bool.form", "hint.value.bool", {}))
        return _Checked(value, tuple(problems))

    def _count(self, column) -> _Checked:
        limit = exp.Literal.number(MAX_COUNT)
        if self.types[column.name] in INTEGER_TYPES:
            shown = exp.cast(column.copy(), "VARCHAR")
            return _Checked(exp.TryCast(this=column, to=exp.DataType.build("BIGINT")), self._unproven(column, (
                ("negative", exp.LT(this=column.copy(), expression=exp.Literal.number(0)),
                 self.refused(column.name, "value.count.negative", "hint.value.count", shown)),
                ("large", exp.GT(this=column.copy(), expression=limit),
                 self.refused(column.name, "value.count.large", "hint.value.check", shown,
                              limit=f"{MAX_COUNT:,}")))))

        def number(text):
            return exp.TryCast(this=text, to=exp.DataType.build("BIGINT"))

        def plain(text):
            return exp.and_(_matches(text, "[0-9]+"), exp.LTE(this=number(text.copy()), expression=limit.copy()))

        value, problems, _ = self._read(column, plain, number, "BIGINT", ("value.count.form", "hint.value.count", {}))
        return _Checked(value, tuple(problems))

    def _money(self, column) -> _Checked:
        money = exp.DataType.build(MONEY_TYPE)
        type_ = self.types[column.name]
        if type_ in INTEGER_TYPES or (type_.startswith("DECIMAL") and _scale(type_) <= 2):
            value = exp.TryCast(this=column, to=money)
            negative = exp.LT(this=column.copy(), expression=exp.Literal.number(0))
            large = exp.GT(this=column.copy(), expression=exp.Literal.number(MAX_MONEY))
            shown = exp.cast(column.copy(), "VARCHAR")
            limit = f"{int(MAX_MONEY):,}"
            # An integer or a decimal of at most two places always fits DECIMAL(18,2) once
            # it is below MAX_MONEY, so proving "not large" proves the cast too.
            return _Checked(value, self._unproven(column, (
                ("negative", negative, self.refused(column.name, "value.money.negative", None, shown)),
                ("large", large, self.refused(column.name, "value.money.large", "hint.value.check", shown,
                                              limit=limit)),
                ("large", exp.and_(_not_null(column), _is_null(value), exp.Not(this=large.copy())),
                 self.refused(column.name, "value.money.form", "hint.value.money", shown)))))

        def amount(text):
            return exp.TryCast(this=text, to=money.copy())

        def plain(text):
            return exp.and_(_matches(text, MACHINE_PATTERN),
                            exp.LTE(this=amount(text.copy()), expression=exp.Literal.number(MAX_MONEY)))

        value, problems, _ = self._read(column, plain, amount, MONEY_TYPE,
                                        ("value.money.form", "hint.value.money", {}))
        return _Checked(value, tuple(problems))

    def _date(self, column) -> _Checked:
        earliest, latest = sqlgen.date_literal(EARLIEST), sqlgen.date_literal(LATEST)
        if self.types[column.name] == "DATE":
            # The evaluator's calendar (`cases.in_range`): shifts must not run past year 9999.
            outside = exp.or_(exp.LT(this=column.copy(), expression=earliest),
                              exp.GT(this=column.copy(), expression=latest))
            shown = exp.cast(column.copy(), "VARCHAR")
            return _Checked(column, self._unproven(column, (
                ("range", outside, self.refused(column.name, "value.date.range", "hint.value.date_range", shown,
                                                first=EARLIEST.isoformat(), second=LATEST.isoformat())),)))

        def date(text):
            return exp.TryCast(this=text, to=exp.DataType.build("DATE"))

        def plain(text):
            return exp.and_(_matches(text, "[0-9]{4}-[0-9]{2}-[0-9]{2}"),
                            _between(date(text.copy()), earliest.copy(), latest.copy()))

        value, problems, _ = self._read(column, plain, date, "DATE", ("value.date.form", "hint.value.date", {}))
        return _Checked(value, tuple(problems))

    def _enum(self, column, fact: m.Fact) -> _Checked:
        if column.name in self.clean:
            return _Checked(column, ())
        value, problems, _ = self._choice(column, {x.name: x.label for x in fact.members}, "value.member.unknown")
        return _Checked(value, tuple(problems))


def _scale(type_: str) -> int:
    """The scale of a DECIMAL(p,s) type name."""
    return int(type_.rstrip(")").split(",")[1]) if "," in type_ else 0


@dataclass(frozen=True)
class Survey:
    """What to learn of a file before its validating query is built, as SQL over
    `raw_cases`: `sql`, one row telling per column of `clean` whether it holds exact
    names only (then it is used as it is) and per column of `parsed` whether it holds
    plain spellings only (then it needs no lookup table); `distinct`, per parsed column,
    the query of its distinct texts that are not plain, to be read in Python."""

    clean: tuple[str, ...]
    parsed: tuple[str, ...]
    sql: str | None
    distinct: dict[str, str]


def survey(policy: m.Policy, types: dict[str, str], dialect: str) -> Survey:
    """The survey of a file with columns `types`."""
    names = {"kind": list(policy.kinds)}
    names |= {f.name: [x.name for x in f.members] for f in policy.facts.values()
              if f.type is m.Type.ENUM and f.name in types}
    clean = tuple(c for c in names if types.get(c) == "VARCHAR")
    validator = _Validator(policy, types, set(), "en")
    kind = validator.kind()
    validator.as_of()
    for fact in policy.facts.values():
        if fact.name in types:
            validator.fact(fact, kind.value)
    # (column, test): whether every value of the column passes, each test reading its column only
    tests = [(c, exp.or_(_is_null(sqlgen.col(c)),
                         exp.In(this=sqlgen.col(c), expressions=[exp.Literal.string(n) for n in names[c]])))
             for c in clean]
    distinct = {}
    for column, (text, plain) in validator.plain.items():
        written = exp.Coalesce(this=exp.Paren(this=plain.copy()), expressions=[exp.false()])
        tests.append((column, exp.or_(_is_null(text), written)))
        tree = (exp.select(exp.alias_(text.copy(), "__text", quoted=True)).distinct().from_("raw_cases")
                .where(exp.and_(_not_null(text), exp.Not(this=exp.Paren(this=written.copy())))))
        distinct[column] = _for_dialect(tree, dialect).sql(dialect)
    if not tests:
        return Survey((), (), None, {})
    if dialect == "duckdb":
        # Each test over the column's distinct values: DuckDB finds those from a Parquet
        # column's dictionary, without testing every row (a tenth of the CPU on the
        # benchmark population); one small scan per column.
        over = [exp.Subquery(this=exp.select(exp.func("bool_and", test)).from_(
            exp.select(sqlgen.col(column)).distinct().from_("raw_cases").subquery("__values")))
            for column, test in tests]
        tree = exp.select(*over)
    else:  # one scan for all (Spark: a scan per column would cost more than the tests)
        tree = exp.select(*(exp.func("bool_and", test) for _, test in tests)).from_("raw_cases")
    sql = _for_dialect(tree, dialect).sql(dialect)
    return Survey(clean, tuple(validator.plain), sql, distinct)


@dataclass(frozen=True)
class Checked:
    """The validating query over `raw_cases`: every row with `__row_number`, `row_id`,
    the typed `kind`, `as_of` and facts, `__valid` and `__reasons`. `parses` tells
    whether it parses text (costly: worth materialising once)."""

    sql: str
    parses: bool


def checked_select(policy: m.Policy, types: dict[str, str], clean: frozenset[str], proof: frozenset[str],
                   as_of: dt.date, lang: str, dialect: str, spelled: tuple[str, ...] = ()) -> Checked:
    """The validating query for a file with columns `types`, of which `clean` hold exact
    names only, `spelled` have a lookup table of their other spellings
    (`spellings.table_name` of their position) and `proof` are checks its statistics
    prove."""
    validator = _Validator(policy, types, set(clean), lang, proof, spelled)
    kind = validator.kind()
    as_of_checked = validator.as_of()
    typed = [sqlgen.col("__row_number"),
             exp.alias_(sqlgen.col("row_id") if "row_id" in types else sqlgen.col("__row_number"), "row_id",
                        quoted=True),
             exp.alias_(kind.value, "kind", quoted=True),
             exp.alias_(exp.Coalesce(this=as_of_checked.value, expressions=[sqlgen.date_literal(as_of)]), "as_of",
                        quoted=True)]
    problems = list(kind.problems) + list(as_of_checked.problems)
    for fact in policy.facts.values():
        if fact.name not in types:
            typed.append(exp.alias_(sqlgen.null(COLUMN_TYPES[fact.type]), fact.name, quoted=True))
            continue
        checked = validator.fact(fact, kind.value)
        typed.append(exp.alias_(exp.cast(checked.value, COLUMN_TYPES[fact.type]), fact.name, quoted=True))
        problems += checked.problems

    # A row is valid when no problem holds (a NULL problem does not hold, as in CASE).
    invalid = sqlgen.case_when([(c.copy(), exp.true()) for c, _ in problems], exp.false())
    # concat_ws skips NULLs (in DuckDB and Spark; sqlglot's ConcatWs would make any NULL win).
    reasons = exp.Anonymous(this="concat_ws",
                            expressions=[exp.Literal.string("; ")] + [sqlgen.case_when([(c, r)]) for c, r in problems])
    source: exp.Expression = exp.to_table("raw_cases")
    if validator.inner:
        # Text is read in an inner query, once per column and row, joined to the lookup
        # tables of its spellings; the outer query checks what it read.
        inner = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("raw_cases")),
                           *(exp.alias_(e, n, quoted=True) for n, e in validator.inner.items())).from_("raw_cases")
        for position, column in enumerate(spelled):
            text, _ = validator.plain[column]
            table = table_name(position)
            inner = inner.join(exp.Table(this=exp.to_identifier(table, quoted=True)), join_type="left", copy=False,
                               on=exp.EQ(this=exp.column("__text", table=table, quoted=True), expression=text.copy()))
        source = inner.subquery("__read")
    tree = exp.select(*typed, exp.alias_(exp.Not(this=exp.Paren(this=invalid)), "__valid", quoted=True),
                      exp.alias_(reasons, "__reasons", quoted=True)).from_(source)
    if spelled:
        # A join need not keep the rows in the file's order: the results follow it.
        tree = tree.order_by(sqlgen.col("__row_number"), copy=False)
    return Checked(_for_dialect(tree, dialect).sql(dialect), bool(validator.parsed))


def _for_dialect(tree: exp.Expression, dialect: str) -> exp.Expression:
    """What sqlglot does not translate for Spark: it has no full regular-expression
    match, so the pattern is anchored for RLIKE (`\\z`: Java's `$` would also match before
    a final line break); and a TRY_CAST is printed as TRY_CAST only when marked safe (a
    plain CAST would raise in ANSI mode on a value it cannot convert)."""
    if dialect != "spark":
        return tree

    def portable(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.RegexpFullMatch):
            pattern = exp.Literal.string(f"^(?:{node.expression.this})\\z")
            return exp.RegexpLike(this=node.this, expression=pattern)
        if isinstance(node, exp.TryCast):
            return exp.TryCast(this=node.this, to=node.args["to"], safe=True)
        return node

    return tree.transform(portable)
