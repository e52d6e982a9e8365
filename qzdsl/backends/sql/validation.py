"""Validation of a batch file's rows, as SQL: each input column typed by the rules of
`cases.case_from_dict`, and every reason a row is rejected.

Built with sqlglot for any of `query.DIALECTS`; the batch runner caches the text it emits
(`batch.plan`), so this module is imported only when a file of a new shape is met.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlglot import exp

from qzdsl.model import policy as m
from qzdsl.backends.sql import query as sqlgen
from qzdsl.backends.sql.columns import COLUMN_TYPES, INTEGER_TYPES, MONEY_TYPE
from qzdsl.cases.case import EARLIEST, LATEST, MAX_COUNT, MAX_MONEY
from qzdsl.money import MACHINE_PATTERN, SUB_FEN_PATTERN
from qzdsl.wording.labels import label


# Spellings of yes and no accepted in text files (compared in lower case).
_YES = ("true", "t", "yes", "y", "1")
_NO = ("false", "f", "no", "n", "0")

def _text(value: exp.Expression) -> exp.Expression:
    """A value as trimmed text, with the empty text as NULL (unknown)."""
    return exp.Nullif(this=exp.Trim(this=exp.cast(value, "VARCHAR")), expression=exp.Literal.string(""))


def _matches(value: exp.Expression, pattern: str) -> exp.Expression:
    return exp.RegexpFullMatch(this=value, expression=exp.Literal.string(pattern))


def _message(template: str, value: exp.Expression | None = None, **names: str) -> exp.Expression:
    """A reason: the label text with its {placeholders} filled, `{value}` from the row."""
    text = template.format(value="\0", **names)
    before, _, after = text.partition("\0")
    if value is None or not _:
        return exp.Literal.string(text)
    return exp.Concat(expressions=[exp.Literal.string(before), value, exp.Literal.string(after)])


@dataclass(frozen=True)
class _Checked:
    """One input column, typed: its value, and the problems that reject the row."""

    value: exp.Expression
    problems: tuple[tuple[exp.Expression, exp.Expression], ...]


class _Validator:
    """Builds the typed value and the problems of each column from its type in the file.

    A column already of the fact's SQL type — or a text column holding nothing but exact
    member names (`clean`) — is used as it is; only other columns are parsed as text.
    """

    def __init__(self, policy: m.Policy, types: dict[str, str], clean: set[str], lang: str,
                 proof: frozenset[str] = frozenset()):
        self.policy = policy
        self.types = types
        self.clean = clean
        self.lang = lang
        self.proof = proof
        self.parsed: list[str] = []  # the columns parsed as text

    def reason(self, key: str, value: exp.Expression | None = None, **names: str) -> exp.Expression:
        return _message(label(f"batch.reason.{key}", self.lang), value, **names)

    def kind(self) -> _Checked:
        """The kind's name, from its name or its label (NULL: unknown or missing)."""
        column = sqlgen.col("kind")
        if "kind" in self.clean:
            return _Checked(column, ((exp.Is(this=column.copy(), expression=exp.Null()), self.reason("kind_missing")),))
        self.parsed.append("kind")
        text = _text(column)
        whens = []
        for kind in self.policy.kinds.values():
            names = sorted({kind.name, kind.label})
            whens.append((exp.In(this=text.copy(), expressions=[exp.Literal.string(n) for n in names]),
                          exp.Literal.string(kind.name)))
        value = sqlgen.case_when(whens)
        missing = exp.Is(this=text.copy(), expression=exp.Null())
        return _Checked(value, ((self._invalid(text, value), self.reason("kind", text.copy())),
                                (missing, self.reason("kind_missing"))))

    def as_of(self) -> _Checked:
        if "as_of" not in self.types:
            return _Checked(sqlgen.null("DATE"), ())
        return self._date(sqlgen.col("as_of"), "as_of")

    def fact(self, fact: m.Fact, kind: exp.Expression) -> _Checked:
        column = sqlgen.col(fact.name)
        name = f"{fact.name}（{fact.label}）" if self.lang == "zh" else f"{fact.name} ({fact.label})"
        match fact.type:
            case m.Type.BOOL:
                checked = self._bool(column, name)
            case m.Type.COUNT:
                checked = self._count(column, name)
            case m.Type.MONEY:
                checked = self._money(column, name)
            case m.Type.DATE:
                checked = self._date(column, name)
            case _:
                checked = self._enum(column, fact, name)
        # A fact of another kind of applicant is an error in a case file too (QZ406).
        foreign = exp.and_(exp.Not(this=exp.Is(this=column.copy(), expression=exp.Null())),
                           exp.Not(this=exp.In(this=kind.copy(),
                                               expressions=[exp.Literal.string(k) for k in fact.kinds])))
        kinds = ", ".join(fact.kinds)
        return _Checked(checked.value, checked.problems + ((foreign, self.reason("foreign", name=name, kinds=kinds)),))

    def _invalid(self, raw: exp.Expression, value: exp.Expression) -> exp.Expression:
        """Written (not NULL) yet without a typed value."""
        return exp.and_(exp.Not(this=exp.Is(this=raw.copy(), expression=exp.Null())),
                        exp.Is(this=value.copy(), expression=exp.Null()))

    def _unproven(self, column: exp.Column, checks) -> tuple[tuple[exp.Expression, exp.Expression], ...]:
        """The (problem, reason) of `checks` (check, problem, reason) that the file's
        statistics do not already rule out."""
        return tuple((problem, reason) for check, problem, reason in checks
                     if f"{column.name}:{check}" not in self.proof)

    def _text_of(self, column: exp.Column) -> exp.Expression:
        self.parsed.append(column.name)
        return _text(column)

    def _bool(self, column, name: str) -> _Checked:
        if self.types[column.name] == "BOOLEAN":
            return _Checked(column, ())
        text = exp.Lower(this=self._text_of(column))
        value = sqlgen.case_when([
            (exp.In(this=text, expressions=[exp.Literal.string(x) for x in _YES]), exp.true()),
            (exp.In(this=text.copy(), expressions=[exp.Literal.string(x) for x in _NO]), exp.false()),
        ])
        return _Checked(value, ((self._invalid(text, value), self.reason("bool", _text(column), name=name)),))

    def _count(self, column, name: str) -> _Checked:
        limit = exp.Literal.number(MAX_COUNT)
        if self.types[column.name] in INTEGER_TYPES:
            negative = exp.LT(this=column.copy(), expression=exp.Literal.number(0))
            large = exp.GT(this=column.copy(), expression=limit)
            shown = exp.cast(column.copy(), "VARCHAR")
            return _Checked(exp.TryCast(this=column, to=exp.DataType.build("BIGINT")), self._unproven(column, (
                ("negative", negative, self.reason("count_negative", shown, name=name)),
                ("large", large, self.reason("count_large", shown.copy(), name=name, limit=f"{MAX_COUNT:,}")))))
        text = self._text_of(column)
        value = sqlgen.case_when([(_matches(text, r"\+?[0-9]+"),
                               exp.TryCast(this=text.copy(), to=exp.DataType.build("BIGINT")))])
        negative = _matches(text.copy(), r"-[0-9]+")
        digits = _matches(text.copy(), r"\+?[0-9]+")
        large = exp.and_(digits, exp.or_(exp.GT(this=value.copy(), expression=limit.copy()),
                                         exp.Is(this=value.copy(), expression=exp.Null())))
        invalid = exp.and_(self._invalid(text, value), exp.Not(this=negative.copy()), exp.Not(this=digits.copy()))
        return _Checked(value, ((negative, self.reason("count_negative", text.copy(), name=name)),
                                (large, self.reason("count_large", text.copy(), name=name, limit=f"{MAX_COUNT:,}")),
                                (invalid, self.reason("count", text.copy(), name=name))))

    def _money(self, column, name: str) -> _Checked:
        money = exp.DataType.build(MONEY_TYPE)
        type_ = self.types[column.name]
        if type_ in INTEGER_TYPES or (type_.startswith("DECIMAL") and _scale(type_) <= 2):
            value = exp.TryCast(this=column, to=money)
            negative = exp.LT(this=column.copy(), expression=exp.Literal.number(0))
            large = exp.GT(this=column.copy(), expression=exp.Literal.number(MAX_MONEY))
            shown = exp.cast(column.copy(), "VARCHAR")
            # An integer or a decimal of at most two places always fits DECIMAL(18,2) once
            # it is below MAX_MONEY, so proving "not large" proves the cast too.
            return _Checked(value, self._unproven(column, (
                ("negative", negative, self.reason("money_negative", shown, name=name)),
                ("large", large, self.reason("money_large", shown.copy(), name=name, limit=f"{MAX_MONEY:,}")),
                ("large", exp.and_(self._invalid(column, value), exp.Not(this=large.copy())),
                 self.reason("money", shown.copy(), name=name)))))
        text = self._text_of(column)
        value = sqlgen.case_when([(_matches(text, MACHINE_PATTERN), exp.TryCast(this=text.copy(), to=money))])
        negative = _matches(text.copy(), r"-[0-9]+(\.[0-9]+)?")
        fen = _matches(text.copy(), SUB_FEN_PATTERN)
        well_formed = _matches(text.copy(), MACHINE_PATTERN)
        large = exp.and_(well_formed, exp.or_(exp.GT(this=value.copy(), expression=exp.Literal.number(MAX_MONEY)),
                                              exp.Is(this=value.copy(), expression=exp.Null())))
        invalid = exp.and_(self._invalid(text, value), exp.Not(this=negative.copy()), exp.Not(this=fen.copy()),
                           exp.Not(this=well_formed.copy()))
        return _Checked(value, ((negative, self.reason("money_negative", text.copy(), name=name)),
                                (fen, self.reason("money_fen", text.copy(), name=name)),
                                (large, self.reason("money_large", text.copy(), name=name, limit=f"{MAX_MONEY:,}")),
                                (invalid, self.reason("money", text.copy(), name=name))))

    def _date(self, column, name: str) -> _Checked:
        if self.types[column.name] == "DATE":
            value, problems = column, ()
        else:
            text = self._text_of(column)
            value = sqlgen.case_when([(_matches(text, r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
                                   exp.TryCast(this=text.copy(), to=exp.DataType.build("DATE")))])
            problems = ((self._invalid(text, value), self.reason("date", text.copy(), name=name)),)
        # The evaluator's calendar (`cases.in_range`): shifts must not run past year 9999.
        outside = exp.or_(exp.LT(this=value.copy(), expression=sqlgen.date_literal(EARLIEST)),
                          exp.GT(this=value.copy(), expression=sqlgen.date_literal(LATEST)))
        shown = exp.cast(value.copy(), "VARCHAR")
        return _Checked(value, problems + self._unproven(column, (
            ("range", outside, self.reason("date_range", shown, name=name, earliest=EARLIEST.isoformat(),
                                           latest=LATEST.isoformat())),)))

    def _enum(self, column, fact: m.Fact, name: str) -> _Checked:
        if column.name in self.clean:
            return _Checked(column, ())
        text = self._text_of(column)
        whens = []
        for member in fact.members:
            spellings = sorted({member.name, member.label})
            whens.append((exp.In(this=text.copy(), expressions=[exp.Literal.string(s) for s in spellings]),
                          exp.Literal.string(member.name)))
        value = sqlgen.case_when(whens)
        members = ", ".join(f"{x.name} ({x.label})" for x in fact.members)
        return _Checked(value, ((self._invalid(text, value), self.reason("enum", text.copy(), name=name,
                                                                             members=members)),))


def _scale(type_: str) -> int:
    """The scale of a DECIMAL(p,s) type name."""
    return int(type_.rstrip(")").split(",")[1]) if "," in type_ else 0


def clean_scan(policy: m.Policy, types: dict[str, str], dialect: str) -> tuple[tuple[str, ...], str | None]:
    """The text columns (kind, enumerations) that may hold only exact names or NULL, and
    one query over `raw_cases` telling, per column, whether they do (then they need no
    parsing)."""
    names = {"kind": list(policy.kinds)}
    names |= {f.name: [x.name for x in f.members] for f in policy.facts.values()
              if f.type is m.Type.ENUM and f.name in types}
    candidates = tuple(c for c in names if types.get(c) == "VARCHAR")
    if not candidates:
        return (), None
    tests = [exp.func("bool_and", exp.or_(exp.Is(this=sqlgen.col(c), expression=exp.Null()),
                                          exp.In(this=sqlgen.col(c),
                                                 expressions=[exp.Literal.string(n) for n in names[c]])))
             for c in candidates]
    return candidates, exp.select(*tests).from_("raw_cases").sql(dialect)


@dataclass(frozen=True)
class Checked:
    """The validating query over `raw_cases`: every row with `__row_number`, `row_id`,
    the typed `kind`, `as_of` and facts, `__valid` and `__reasons`. `parses` tells
    whether it parses text (costly: worth materialising once)."""

    sql: str
    parses: bool


def checked_select(policy: m.Policy, types: dict[str, str], clean: frozenset[str], proof: frozenset[str],
                   as_of: dt.date, lang: str, dialect: str) -> Checked:
    """The validating query for a file with columns `types`, of which `clean` hold exact
    names only and `proof` are checks its statistics prove."""
    validator = _Validator(policy, types, set(clean), lang, proof)
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
    tree = exp.select(*typed, exp.alias_(exp.Not(this=exp.Paren(this=invalid)), "__valid", quoted=True),
                      exp.alias_(reasons, "__reasons", quoted=True)).from_("raw_cases")
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
