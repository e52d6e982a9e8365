"""Case files: the applicant's kind and facts, read, validated and typed against a policy.

A case file is YAML or JSON (documented in docs/cases.md)::

    name: 张三 — 购房
    kind: person
    as_of: 2024-06-01
    facts:
      no_home_in_quzhou: true
      employment: non_public_employee
      purchase_date: 2023-07-15

Every problem becomes a positioned `Diagnostic` (QZ401–QZ406); all of them are reported
at once and nothing is evaluated from an invalid case. Positions come from PyYAML's
composer, which keeps the line and column of every key and value; values are typed from
their source text, so money stays exact and an impossible date is reported, not raised.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import field, replace
from decimal import Decimal
from pathlib import Path

from qzdsl.frozen import frozen
from qzdsl.model import policy as m
from qzdsl.money import SPELLING_PATTERN, to_json
from qzdsl.cases.values import EARLIEST, LATEST, MAX_COUNT, MAX_MONEY, FactValue, Refused, in_range, listed, \
    read_date, read_fact, read_kind
from qzdsl.diagnostics import Diagnostic, QzError, Span, Text, error

TOP_KEYS = ("name", "kind", "as_of", "facts")
_INT = re.compile(r"[-+]?\d+")
_DECIMAL = re.compile(r"[-+]?\d+(\.\d+)?")
__all__ = ["Case", "EARLIEST", "LATEST", "MAX_COUNT", "MAX_MONEY", "FactValue", "case_from_dict", "case_from_node",
           "case_schema", "canonical_facts", "in_range", "json_value", "load_case"]


@frozen(compiled_init=True)
class Case:
    """An applicant: its kind and the facts known about it (absent facts are unknown).

    Fact values are typed: bool, int (count), Decimal (money), datetime.date, or the
    enumeration member's name.

    `changes` holds the facts whose value changes over time (docs/cases.md): for each, its
    values in date order, each from the date it takes effect (None: unknown from then). The
    value on a date is the latest entry on or before it; before the first, it is unknown.
    A fact is in `facts` or in `changes`, never both.
    """

    kind: str
    facts: dict[str, FactValue] = field(default_factory=dict)
    as_of: dt.date | None = None
    name: str | None = None
    path: str | None = None
    changes: dict[str, tuple[tuple[dt.date, FactValue | None], ...]] = field(default_factory=dict)

    def facts_on(self, date: dt.date) -> dict[str, FactValue]:
        """The facts in effect on `date`: the plain ones, and each changing fact's value then."""
        if not self.changes:
            return self.facts
        facts = dict(self.facts)
        for name, entries in self.changes.items():
            value = value_on(entries, date)
            if value is not None:
                facts[name] = value
        return facts

    def change_dates(self, names) -> tuple[dt.date, ...]:
        """The dates on which any of the facts `names` takes a new value, in order."""
        return tuple(sorted({d for name in names for d, _ in self.changes.get(name, ())}))


def value_on(entries: tuple[tuple[dt.date, FactValue | None], ...], date: dt.date) -> FactValue | None:
    """The value of a changing fact on `date`: the latest entry on or before it (None before
    the first, or where that entry is unknown)."""
    value = None
    for start, entry in entries:
        if start > date:
            break
        value = entry
    return value


def json_value(value: FactValue) -> bool | int | str:
    """A fact value as JSON: dates in ISO form, money as an int when whole, else a string."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return to_json(value)
    return value


def changes_json(entries: tuple[tuple[dt.date, FactValue | None], ...]) -> dict[str, bool | int | str | None]:
    """A changing fact's entries as JSON: ISO date -> value (None: unknown from then)."""
    return {date.isoformat(): None if value is None else json_value(value) for date, value in entries}


def canonical_facts(case: Case) -> dict:
    """The case's facts as JSON values, sorted by name: the same facts give the same text.
    A fact that changes over time is a mapping of ISO dates to values."""
    facts: dict = {name: json_value(value) for name, value in case.facts.items()}
    facts.update({name: changes_json(entries) for name, entries in case.changes.items()})
    return {name: facts[name] for name in sorted(facts)}


# ---- reading -------------------------------------------------------------------------


@frozen(compiled_init=True)
class _Nested:
    """Stands for a list, or a mapping nested deeper than `facts`, where a case file
    never has one (not read further: aliases could make it exponentially large)."""

    what: str


_LIST = _Nested("a list")
_MAPPING = _Nested("a mapping")


@frozen(compiled_init=True)
class _Item:
    """A key of a case file with its value, and where each is written (None: no file)."""

    key: str
    value: object  # a scalar, a tuple of _Item (a mapping) or a _Nested
    key_span: Span | None
    value_span: Span | None


def load_case(path: str | Path, policy: m.Policy) -> Case:
    """Read and validate a case file (YAML, or JSON when it ends in .json).

    Raises `QzError` with every problem found, each positioned in the file.
    """
    from qzdsl.diagnostics import Text
    from qzdsl.reading import ReadRefused, decode, read_regular

    file = str(path)
    try:  # a regular file of bounded size: never a FIFO's wait or /dev/zero's endless bytes
        text = decode(read_regular(path))
    except ReadRefused as refused:
        raise QzError([error("QZ401", Text("QZ010", (("path", file), ("reason", refused.reason))))]) from None
    items = _read(text, file, json_syntax=file.lower().endswith(".json"))
    return _validate(items, policy, file, Span.point(file, 1, 1))


def case_from_dict(data: dict, policy: m.Policy, path: str | None = None) -> Case:
    """Validate a case given as plain data (e.g. from a form): the same rules as a file.

    Values may be typed already (bool, int, Decimal, datetime.date) or written as a person
    writes them (`qzdsl.cases.values`: 2024/6/1, 2万, 是, enumeration names or labels).
    """
    if not isinstance(data, dict):
        raise QzError([error("QZ401", _text("case.not_mapping"))])
    return _validate(_items_of(data), policy, path, None)


def case_from_node(node, policy: m.Policy, file: str) -> Case:
    """Validate a case written as a YAML mapping node inside another document (a policy
    test's inline case): the same rules as a case file, positioned in that document."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        raise QzError([error("QZ401", _text("case.not_mapping"), _span(file, node))])
    return _validate(_items(node, file), policy, file, _span(file, node))


def _items_of(data: dict, depth: int = 0) -> tuple[_Item, ...]:
    def value(v):
        if isinstance(v, dict):
            return _items_of(v, depth + 1) if depth <= 1 else _MAPPING
        return _LIST if isinstance(v, (list, tuple)) else v

    return tuple(_Item(str(k), value(v), None, None) for k, v in data.items())


def _read(text: str, file: str, json_syntax: bool) -> tuple[_Item, ...]:
    import yaml  # only when a case file is read: keeps `qzdsl` start-up light

    if json_syntax:
        try:
            json.loads(text)
        except RecursionError:
            raise QzError([error("QZ401", _text("case.too_deep"), Span.point(file, 1, 1))]) from None
        except json.JSONDecodeError as exc:
            from qzdsl.wording.syntax import json_problem

            raise QzError([error("QZ401", _text("read.json", problem=json_problem(exc.msg)),
                                 Span.point(file, exc.lineno, exc.colno))]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise QzError([error("QZ401", _text("case.too_deep"), Span.point(file, 1, 1))]) from None
    except yaml.YAMLError as exc:
        from qzdsl.wording.syntax import malformed

        message, span, note = malformed(exc, file)
        raise QzError([replace(error("QZ401", message, span), notes=(note,) if note else ())]) from None
    if node is None:
        raise QzError([error("QZ401", _text("case.empty"), Span.point(file, 1, 1), _text("hint.case.empty"))])
    if not isinstance(node, yaml.MappingNode):
        raise QzError([error("QZ401", _text("case.file_not_mapping"), _span(file, node))])
    return _items(node, file)


def _span(file: str, node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _mapping(node, file: str, diagnostics: list[Diagnostic], depth: int = 0) -> tuple[_Item, ...]:
    import yaml

    items = []
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            diagnostics.append(error("QZ401", _text("case.plain_key"), _span(file, key)))
            continue
        if isinstance(value, yaml.MappingNode):
            # The top level holds `facts`, whose values may be mappings (a value changing
            # over time); nothing deeper is read.
            content = _mapping(value, file, diagnostics, depth + 1) if depth <= 1 else _MAPPING
        elif isinstance(value, yaml.SequenceNode):
            content = _LIST
        else:
            content = _scalar(value)
        items.append(_Item(key.value, content, _span(file, key), _span(file, value)))
    return tuple(items)


def _scalar(node) -> object:
    """A YAML scalar as a Python value, typed from its text (never through float)."""
    kind = node.tag.rsplit(":", 1)[-1]
    text = node.value
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() in ("true", "yes", "on")
    if kind == "int" and _INT.fullmatch(text):
        return int(text)
    if kind == "float" and _DECIMAL.fullmatch(text):
        return Decimal(text)
    return text  # strings, and timestamps: dates are checked by the fact that reads them


# ---- validation ----------------------------------------------------------------------


def _validate(items: tuple[_Item, ...], policy: m.Policy, file: str | None, top: Span | None) -> Case:
    found: list[Diagnostic] = []
    fields = _unique_keys(items, found, "key")
    for item in fields.values():
        if item.key not in TOP_KEYS:
            close = _closest(item.key, TOP_KEYS)
            found.append(error("QZ401", _text("case.unknown_key", text=item.key), item.key_span,
                               _text("hint.value.did_you_mean", first=close) if close
                               else _text("hint.case.top_keys", first=", ".join(TOP_KEYS))))

    name = None
    if "name" in fields:
        item = fields["name"]
        if isinstance(item.value, (tuple, _Nested)):
            found.append(error("QZ401", _text("case.name"), item.value_span))
        elif item.value is not None:
            name = str(item.value)

    kind = None
    if "kind" not in fields:
        found.append(error("QZ401", _text("case.no_kind"), top,
                           _text("hint.case.add_kind", first=listed({k.name: k.label for k in policy.kinds.values()}))))
    else:
        kind = _kind(fields["kind"], policy, found)

    as_of = None
    if "as_of" in fields and fields["as_of"].value is not None:
        as_of = _date_field(fields["as_of"], found)

    facts: dict[str, FactValue] = {}
    changes: dict[str, tuple] = {}
    if "facts" in fields and fields["facts"].value is not None:
        item = fields["facts"]
        if not isinstance(item.value, tuple):
            found.append(error("QZ401", _text("case.facts"), item.value_span, _text("hint.case.facts")))
        else:
            facts, changes = _facts(item.value, policy, kind, found)

    if found:
        raise QzError(sorted(found, key=Diagnostic.sort_key))
    return Case(kind, facts, as_of, name, file, changes)


def _unique_keys(items: tuple[_Item, ...], found: list[Diagnostic], what: str) -> dict[str, _Item]:
    result: dict[str, _Item] = {}
    for item in items:
        if item.key in result:
            first = result[item.key].key_span
            found.append(error("QZ401", _text(f"case.duplicate.{what}", text=item.key),
                               item.key_span, _text("hint.case.first_line", first=first.line) if first else None))
        else:
            result[item.key] = item
    return result


def _kind(item: _Item, policy: m.Policy, found: list[Diagnostic]) -> str | None:
    try:
        return read_kind(policy, item.value)
    except Refused as refusal:
        found.append(_refused("QZ405", refusal, item))
        return None


def _date_field(item: _Item, found: list[Diagnostic]) -> dt.date | None:
    try:
        return read_date(item.value)
    except Refused as refusal:
        found.append(_refused("QZ404", refusal, item))
        return None


def _facts(items: tuple[_Item, ...], policy: m.Policy, kind: str | None, found: list[Diagnostic]) \
        -> tuple[dict[str, FactValue], dict[str, tuple]]:
    facts: dict[str, FactValue] = {}
    changes: dict[str, tuple] = {}
    by_label = {f.label: f.name for f in policy.facts.values()}
    for item in _unique_keys(items, found, "fact").values():
        fact = policy.facts.get(item.key)
        if fact is None:
            close = _closest(item.key, policy.facts)
            hint = _text("hint.value.did_you_mean", first=close) if close else None
            if item.key in by_label:
                hint = _text("hint.case.fact_label", first=by_label[item.key], text=item.key)
            found.append(error("QZ402", _text("case.unknown_fact", text=item.key), item.key_span, hint))
            continue
        if kind is not None and kind not in fact.kinds:
            found.append(error("QZ406", _text("case.not_asked", text=fact.name, label=fact.label, kind=kind),
                               item.key_span, _text("hint.case.fact_of", first=", ".join(fact.kinds))))
        if item.value is None:
            continue  # written but left empty: unknown
        if isinstance(item.value, tuple):
            entries = _changes(fact, item, found)
            if entries:
                changes[fact.name] = entries
            continue
        value = _typed(fact, item, found)
        if value is not None:
            facts[fact.name] = value
    return facts, changes


def _changes(fact: m.Fact, item: _Item, found: list[Diagnostic]) -> tuple:
    """A value that changes over time: `{date: value, …}`, each value from its date on."""
    if not item.value:
        found.append(error("QZ403", _text("case.changes.empty", name=fact.name, label=fact.label),
                           item.value_span, _text("hint.case.changes", name=fact.name)))
        return ()
    entries: dict[dt.date, FactValue | None] = {}
    before = len(found)
    for entry in item.value:
        try:
            date = read_date(entry.key)
        except Refused as refusal:
            found.append(error("QZ404", _text("case.changes.date", name=fact.name, label=fact.label,
                                              reason=refusal.text), entry.key_span,
                               _text("hint.case.changes", name=fact.name)))
            continue
        if date in entries:
            found.append(error("QZ403", _text("case.changes.duplicate", name=fact.name, label=fact.label,
                                              text=date.isoformat()), entry.key_span))
            continue
        entries[date] = None if entry.value is None else _typed(fact, entry, found)
    if len(found) > before:
        return ()
    return tuple(sorted(entries.items()))


def _closest(name: str, candidates) -> str | None:
    import difflib

    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _typed(fact: m.Fact, item: _Item, found: list[Diagnostic]) -> FactValue | None:
    """The value of one fact in its declared type (read by `values.read_fact`), or None
    after reporting why not."""
    value = item.value
    if isinstance(value, (tuple, _Nested)):
        value = [] if value is _LIST else {}
    try:
        return read_fact(fact, value)
    except Refused as refusal:
        code = "QZ404" if fact.type is m.Type.DATE else "QZ403"
        found.append(_refused(code, refusal, item, fact))
        return None


def _refused(code: str, refusal: Refused, item: _Item, fact: m.Fact | None = None) -> Diagnostic:
    """A refused value as a diagnostic naming the fact (label and name) or the key."""
    if fact is not None:
        message = _text("case.value", name=fact.name, label=fact.label, reason=refusal.text)
    elif refusal.key == "value.kind.unknown":
        message = refusal.text
    else:
        message = _text("case.key_value", name=item.key, reason=refusal.text)
    return error(code, message, item.value_span, refusal.suggestion)


def _text(key: str, **args: object) -> Text:
    return Text(key, tuple(args.items()))


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "a mapping"
    if isinstance(value, _Nested):
        return value.what
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


# ---- the JSON Schema of case files ----------------------------------------------------

SCHEMA_ID = "https://qzdsl.invalid/schema/case.v1.json"


def case_schema(policy: m.Policy) -> dict:
    """A JSON Schema (2020-12) of case files for `policy`, generated from its declarations:
    one property per fact with its type, enumeration members (names and labels) and the
    kinds of applicant it is asked of; per kind, the facts it may carry."""
    facts = {name: _changing(_fact_schema(fact)) for name, fact in policy.facts.items()}
    kinds = [k.name for k in policy.kinds.values()]
    per_kind = [
        {
            "if": {"properties": {"kind": {"enum": [k.name, k.label]}}, "required": ["kind"]},
            "then": {"properties": {"facts": {"propertyNames": {
                "enum": [f.name for f in policy.facts.values() if k.name in f.kinds]}}}},
        }
        for k in policy.kinds.values()
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"qzdsl case file — {policy.info.doc_number}",
        "description": "An applicant's kind and facts; absent facts are unknown. Policy sha256 " + policy.sha256,
        "type": "object",
        "required": ["kind"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "description": "free text naming the case"},
            "kind": {
                "description": "the kind of applicant (name or Chinese label)",
                "enum": kinds + [k.label for k in policy.kinds.values()],
            },
            "as_of": {"type": ["string", "null"], "format": "date",
                      "description": "evaluation date (default: today)"},
            "facts": {"type": ["object", "null"], "additionalProperties": False, "properties": facts},
        },
        "allOf": per_kind,
    }


def _changing(plain: dict) -> dict:
    """A fact's schema: its plain value, or a value changing over time — a mapping of the
    dates each value takes effect (YYYY-MM-DD) to such values (docs/cases.md)."""
    described = {key: plain.pop(key) for key in ("title", "description") if key in plain}
    value = dict(plain)
    return {**described, "anyOf": [plain, {"type": "object", "minProperties": 1,
                                            "propertyNames": {"pattern": r"^\d{4}-\d{2}-\d{2}$"},
                                            "additionalProperties": value}]}


def _fact_schema(fact: m.Fact) -> dict:
    schema: dict = {"title": fact.label}
    if fact.question:
        schema["description"] = fact.question
    match fact.type:
        case m.Type.BOOL:
            schema["type"] = ["boolean", "null"]
        case m.Type.COUNT:
            schema["type"] = ["integer", "null"]
            schema["minimum"] = 0
            schema["maximum"] = MAX_COUNT
        case m.Type.MONEY:
            # A number is read from its text, never through a float: 350.5 is exact too.
            schema["anyOf"] = [
                {"type": "number", "minimum": 0, "maximum": int(MAX_MONEY), "multipleOf": 0.01},
                {"type": "string", "pattern": SPELLING_PATTERN},
                {"type": "null"},
            ]
        case m.Type.DATE:
            schema["type"] = ["string", "null"]
            schema["format"] = "date"
        case m.Type.ENUM:
            schema["enum"] = [x.name for x in fact.members] + [x.label for x in fact.members] + [None]
            schema["x-qzdsl-members"] = {x.name: x.label for x in fact.members}
    schema["x-qzdsl-kinds"] = list(fact.kinds)
    return schema


def _items(node, file: str) -> tuple["_Item", ...]:
    """The entries of a case's mapping node; raises with every problem of its text."""
    diagnostics = _unencodable(node, file)
    items = _mapping(node, file, diagnostics)
    if diagnostics:
        raise QzError(diagnostics)
    return items


def _unencodable(node, file: str) -> list[Diagnostic]:
    """Text that cannot be written out (a lone surrogate from an escape like \\ud800)."""
    return [error("QZ401", _text("case.surrogate"), _span(file, scalar), _text("hint.case.surrogate"))
            for scalar in _scalars(node) if not _encodable(scalar.value)]


def _scalars(node):
    """Every scalar node under `node`, each once: iteratively (nesting depth is the file's
    to choose) and through an alias only the first time (aliases may multiply a node)."""
    import yaml

    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            yield current
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(part for pair in current.value for part in pair)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
