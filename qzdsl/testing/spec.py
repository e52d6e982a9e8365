"""Policy tests: YAML files beside a policy that pin what a case gets, and why.

A test names a case (inline, or a case file), the date it is decided at, and what is
expected of some clauses — status, amount, schedule, lifetime total, the clause that
excluded it, the facts still missing — and of the decision's totals (docs/testing.md)::

    tests:
      - name: 2024年购房的衢州高校毕业生
        case: ../cases/graduate-homebuyer.yaml
        as_of: 2024-06-01
        expect:
          home_purchase_grant: {status: granted, amount: 20000}
          flexible_si_subsidy: ineligible

This module reads and validates test files into `PolicyTest`s; `policy_test_runner` runs them.
Every problem is a positioned `Diagnostic` (QZ501–QZ508, or the case codes QZ401–QZ406
for a case written inside a test), all of them reported at once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import yaml

from qzdsl.model import policy as m
from qzdsl.cases.case import Case, case_from_node, load_case
from qzdsl.reading import ROOT_ENV, Confinement
from qzdsl.diagnostics import Diagnostic, QzError, Span, Text, did_you_mean, error
from qzdsl.resources import bundled_policy_path
from qzdsl.money import AmountError, parse_amount, to_json
from qzdsl.model.policy import Status

TEST_SUFFIXES = (".yaml", ".yml")

TEST_KEYS = ("name", "case", "kind", "facts", "as_of", "expect", "totals", "questions", "exhaustive")
CLAUSE_KEYS = ("status", "amount", "total", "heads", "periods", "starts", "ends", "open_ended", "excluded_by",
               "missing", "window", "paid", "due", "projected", "stopped", "undetermined", "inside_trial",
               "after_trial")
TOTALS_KEYS = ("granted", "low", "high", "value", "open_ended", "own_balance", "paid", "due", "projected")
AMOUNT_KEYS = ("low", "high", "up_to", "at_least")
WINDOW_SIDES = ("before", "after", "stopped")
STATUSES = tuple(s.value for s in Status)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"


@dataclass(frozen=True)
class Amount:
    """An amount as the tests compare it: the guaranteed `low` and the highest `high`
    (None: nothing guaranteed / no ceiling), like `results.Payout`."""

    low: Decimal | None
    high: Decimal | None

    def __str__(self) -> str:
        if self.low == self.high and self.low is not None:
            return _number(self.low)
        if self.low is None and self.high is not None:
            return f"{{up_to: {_number(self.high)}}}"
        if self.high is None and self.low is not None:
            return f"{{at_least: {_number(self.low)}}}"
        return f"{{low: {_number(self.low)}, high: {_number(self.high)}}}"


def _number(value: Decimal | None) -> str:
    if value is None:
        return "null"
    return str(to_json(value))


@dataclass(frozen=True)
class Check:
    """One expected property: `field` (a key of CLAUSE_KEYS, `totals.<key>` or
    `questions`), its expected value as the runner compares it, and where it is written."""

    field: str
    expected: object
    span: Span


@dataclass(frozen=True)
class ClauseExpectation:
    clause: str
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class PolicyTest:
    """One test: a case decided at `as_of`, with the expectations on its decision.
    `decision_checks` are the totals and the questions; `exhaustive` expects every
    clause not listed to be ineligible."""

    name: str
    file: str
    case: Case
    as_of: dt.date
    clauses: tuple[ClauseExpectation, ...]
    decision_checks: tuple[Check, ...]
    exhaustive: bool
    span: Span
    exhaustive_span: Span | None = None

    @property
    def id(self) -> str:
        """`file::name`, as pytest names a test."""
        return f"{self.file}::{self.name}"


# ---- finding and reading test files ---------------------------------------------------


def default_test_dir(policy_path: Path | None = None) -> Path:
    """The `tests/` directory beside a policy file (default: the bundled policy); reports
    make its name short when they show it (`PathStyle`)."""
    return (policy_path or bundled_policy_path()).resolve().parent / "tests"


_TESTS_KEY = re.compile(r"^tests\s*:", re.MULTILINE)


def find_test_files(paths: list[Path]) -> list[Path]:
    """The test files named by `paths`: files as given; directories searched recursively,
    in sorted order, for YAML files with a top-level `tests:` key — so that a policy's
    folder can be named whole without its case files being taken for tests."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*")
                                if p.suffix in TEST_SUFFIXES and p.is_file() and _declares_tests(p)))
        else:
            found.append(path)
    return found


def _declares_tests(path: Path) -> bool:
    try:
        return _TESTS_KEY.search(path.read_text(encoding="utf-8-sig")) is not None
    except (OSError, UnicodeDecodeError):
        return True  # let loading report why it cannot be read


def load_tests(paths: list[Path], policy: m.Policy) -> tuple[PolicyTest, ...]:
    """Every test of every file in `paths`, validated against `policy`.

    Raises `QzError` carrying the diagnostics of every file when any is invalid, so that
    no test runs from a test file that does not mean what its author thinks.
    """
    tests: list[PolicyTest] = []
    found: list[Diagnostic] = []
    for path in find_test_files(paths):
        try:
            tests.extend(load_test_file(path, policy))
        except QzError as exc:
            found.extend(exc.diagnostics)
    if found:
        # A case file shared by several tests would report its problems once per test.
        raise QzError(dict.fromkeys(found))
    return tuple(tests)


def _t(name: str, /, **args: object) -> Text:
    """A test-file message or hint (`codes.MESSAGES["test.<name>"]`), worded when rendered."""
    return Text(f"test.{name}", tuple(args.items()))


def load_test_file(path: Path, policy: m.Policy) -> tuple[PolicyTest, ...]:
    """The tests of one file: a mapping with a `tests:` list, or a single test."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise QzError([error("QZ501", _t("unreadable", file=file, reason=Text("read.not_utf8")))]) from None
    except OSError as exc:
        raise QzError([error("QZ501", _t("unreadable", file=file, reason=exc.strerror or str(exc)))]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        from qzdsl.wording.syntax import malformed

        message, span, note = malformed(exc, file)
        raise QzError([replace(error("QZ501", message, span), notes=(note,) if note else ())]) from None
    reader = _Reader(file, policy)
    tests = reader.tests(root)
    if reader.found:
        raise QzError(sorted(reader.found, key=Diagnostic.sort_key))
    return tests


# ---- validation ------------------------------------------------------------------------


def _span(file: str, node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    if end.line > start.line:  # a block value: point at its first line only
        return Span(file, start.line + 1, start.column + 1, start.line + 1, start.column + 2)
    return Span(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


class _Reader:
    """Reads one test file's node tree, collecting every problem in `found`."""

    def __init__(self, file: str, policy: m.Policy):
        self.file = file
        self.policy = policy
        self.found: list[Diagnostic] = []
        self.clause_ids = {c.id: c for c in policy.clauses}
        # A test's case file is read only inside the folders of policies of the policy and
        # of the test file (and QZDSL_READ_ROOT): `case: ../../etc/passwd` is refused unread.
        self.confinement = Confinement.around(policy.info.path or None, file)

    def fail(self, code: str, message: Text, node: yaml.Node | None, hint: Text | None = None) -> None:
        span = _span(self.file, node) if node is not None else Span.point(self.file, 1, 1)
        self.found.append(error(code, message, span, hint))

    def _kind(self, kind: str | None) -> str:
        """A kind of applicant as a reader names it: its label."""
        known = self.policy.kinds.get(kind or "")
        return known.label if known else str(kind)

    def mapping(self, node: yaml.Node, keys: tuple[str, ...], what: Text) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """The keys of a mapping node as {key: (key node, value node)}; unknown and
        duplicate keys are reported."""
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name not in keys:
                message = _t("unknown_key", name=name, what=what) if name is not None else \
                    _t("odd_key", what=what)
                self.fail("QZ501", message, key, did_you_mean(str(name), keys) or _t("hint.keys", what=what,
                                                                                   keys=", ".join(keys)))
            elif name in result:
                first = result[name][0].start_mark.line + 1
                self.fail("QZ501", _t("duplicate_key", name=name, what=what), key,
                          Text("hint.case.first_line", (("first", first),)))
            else:
                result[name] = (key, value)
        return result

    # -- the file and its tests --

    def tests(self, root: yaml.Node | None) -> tuple[PolicyTest, ...]:
        if root is None:
            self.fail("QZ501", _t("empty"), None, _t("hint.empty"))
            return ()
        if not isinstance(root, yaml.MappingNode):
            self.fail("QZ501", _t("file_shape"), root)
            return ()
        keys = [k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)]
        if "tests" not in keys:
            test = self.test(root)
            return (test,) if test else ()
        fields = self.mapping(root, ("tests",), _t("what.file"))
        tests_node = fields["tests"][1]
        if not isinstance(tests_node, yaml.SequenceNode) or not tests_node.value:
            self.fail("QZ501", _t("tests_list"), tests_node, _t("hint.tests_list"))
            return ()
        tests = []
        seen: dict[str, PolicyTest] = {}
        for node in tests_node.value:
            test = self.test(node)
            if test is None:
                continue
            if test.name in seen:
                self.fail("QZ508", _t("duplicate_name", name=test.name), node,
                          _t("hint.duplicate_name", line=seen[test.name].span.line))
                continue
            seen[test.name] = test
            tests.append(test)
        return tuple(tests)

    def test(self, node: yaml.Node) -> PolicyTest | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail("QZ501", _t("test_shape"), node)
            return None
        before = len(self.found)
        fields = self.mapping(node, TEST_KEYS, _t("what.test"))
        name = self.name(fields, node)
        case = self.case(fields, node)
        as_of = self.date(fields["as_of"][1], "as_of") if "as_of" in fields else None
        if as_of is None and case is not None and "as_of" not in fields:
            as_of = case.as_of
            if as_of is None:
                self.fail("QZ507", _t("no_as_of"), node, _t("hint.no_as_of"))
        exhaustive, exhaustive_span = False, None
        if "exhaustive" in fields:
            exhaustive_span = _span(self.file, fields["exhaustive"][1])
            exhaustive = self.boolean(fields["exhaustive"][1], "exhaustive") is True
        kind = case.kind if case is not None else None
        clauses = self.expectations(fields["expect"][1], kind) if "expect" in fields else ()
        checks = self.totals(fields["totals"][1]) if "totals" in fields else ()
        if "questions" in fields:
            facts = self.fact_list(fields["questions"][1], "questions")
            if facts is not None:
                checks += (Check("questions", facts, _span(self.file, fields["questions"][1])),)
        if not clauses and not checks and not exhaustive and len(self.found) == before:
            self.fail("QZ501", _t("expects_nothing", name=name), node, _t("hint.expects_nothing"))
        if len(self.found) > before or case is None or as_of is None or name is None:
            return None
        return PolicyTest(name, self.file, case, as_of, clauses, checks, exhaustive, _span(self.file, node),
                          exhaustive_span)

    def name(self, fields, node: yaml.Node) -> str | None:
        if "name" not in fields:
            self.fail("QZ501", _t("no_name"), node, _t("hint.no_name"))
            return None
        value = fields["name"][1]
        if not isinstance(value, yaml.ScalarNode) or _is_null(value) or not value.value.strip():
            self.fail("QZ501", _t("name_text"), value)
            return None
        return value.value

    # -- the case --

    def case(self, fields, node: yaml.Node) -> Case | None:
        if "case" in fields:
            if "kind" in fields:
                self.fail("QZ501", _t("case_or_kind"), fields["kind"][0], _t("hint.case_or_kind"))
                return None
            return self.case_file(fields["case"][1], fields.get("facts"))
        if "kind" not in fields:
            self.fail("QZ501", _t("no_case"), node, _t("hint.no_case"))
            return None
        inline = yaml.MappingNode(_MAP, [fields[k] for k in ("kind", "facts") if k in fields],
                                  node.start_mark, node.end_mark)
        return self.validated(lambda: case_from_node(inline, self.policy, self.file))

    def case_file(self, value: yaml.Node, facts: tuple[yaml.Node, yaml.Node] | None) -> Case | None:
        """The case file named by `value` (relative to the test file), with the test's
        `facts` laid over it: a fact given here replaces the file's, a null removes it."""
        if not isinstance(value, yaml.ScalarNode) or _is_null(value):
            self.fail("QZ501", _t("case_path"), value)
            return None
        path = Path(os.path.normpath(Path(self.file).parent / value.value))
        if not self.confinement.allows(path):
            self.fail("QZ505", _t("case_outside", path=value.value), value, _t("hint.case_outside", env=ROOT_ENV))
            return None
        if path.suffix.lower() not in (".yaml", ".yml", ".json"):
            self.fail("QZ505", _t("not_a_case", path=value.value), value)
            return None
        if not path.is_file():
            self.fail("QZ505", _t("case_missing", path=value.value), value,
                      Text("hint.looked_for", (("path", path),)))
            return None
        base = self.validated(lambda: load_case(path, self.policy))
        if base is None or facts is None:
            return base
        key, node = facts
        if not isinstance(node, yaml.MappingNode):
            self.fail("QZ501", Text("case.facts"), node)
            return None
        # The overrides are validated as a case of the file's kind written here, so that
        # their problems point into the test file.
        kind_key = yaml.ScalarNode(_STR, "kind", key.start_mark, key.end_mark)
        kind_value = yaml.ScalarNode(_STR, base.kind, key.start_mark, key.end_mark)
        given = yaml.MappingNode(node.tag, [(k, v) for k, v in node.value if not _is_null(v)],
                                 node.start_mark, node.end_mark)
        inline = yaml.MappingNode(_MAP, [(kind_key, kind_value), (key, given)], node.start_mark, node.end_mark)
        removed = {k.value for k, v in node.value if _is_null(v) and isinstance(k, yaml.ScalarNode)}
        for name in sorted(removed - set(self.policy.facts)):
            key = next(k for k, _ in node.value if k.value == name)
            self.fail("QZ402", Text("case.unknown_fact", (("text", name),)), key, did_you_mean(name, self.policy.facts))
        over = self.validated(lambda: case_from_node(inline, self.policy, self.file))
        if over is None:
            return None
        # A fact given here replaces the case file's, plain or changing over time.
        replaced = removed | set(over.facts) | set(over.changes)
        merged = {k: v for k, v in base.facts.items() if k not in replaced}
        merged.update(over.facts)
        changes = {k: v for k, v in base.changes.items() if k not in replaced}
        changes.update(over.changes)
        return Case(base.kind, merged, base.as_of, base.name, base.path, changes)

    def validated(self, make) -> Case | None:
        try:
            return make()
        except QzError as exc:
            self.found.extend(exc.diagnostics)
            return None

    # -- expectations --

    def expectations(self, node: yaml.Node, kind: str | None) -> tuple[ClauseExpectation, ...]:
        if not isinstance(node, yaml.MappingNode):
            example = _t("hint.expect_shape", status="home_purchase_grant: granted",
                         mapping="home_purchase_grant: {status: granted, amount: 20000}")
            self.fail("QZ501", _t("expect_shape"), node, example)
            return ()
        result = []
        seen: set[str] = set()
        for key, value in node.value:
            clause_id = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            clause = self.clause_ref(key, kind)
            if clause is None:
                continue
            if clause_id in seen:
                self.fail("QZ501", _t("expected_twice", clause=clause_id), key)
                continue
            seen.add(clause_id)
            checks = self.clause_checks(value, clause)
            if checks:
                result.append(ClauseExpectation(clause_id, checks))
        return tuple(result)

    def clause_ref(self, node: yaml.Node, kind: str | None) -> m.Clause | None:
        """The clause a key or value names; it must exist and (when `kind` is given)
        be a clause the test's applicant can receive."""
        name = node.value if isinstance(node, yaml.ScalarNode) else None
        clause = self.clause_ids.get(name) if name else None
        if clause is None:
            self.fail("QZ502", _t("unknown_clause", name=name), node, did_you_mean(str(name), self.clause_ids)
                      or _t("hint.unknown_clause"))
            return None
        if kind is not None and clause.beneficiary != kind:
            message = _t("wrong_kind", name=name, title=clause.title, beneficiary=self._kind(clause.beneficiary),
                         kind=self._kind(kind))
            self.fail("QZ506", message, node, _t("hint.wrong_kind"))
            return None
        return clause

    def clause_checks(self, node: yaml.Node, clause: m.Clause) -> tuple[Check, ...]:
        if isinstance(node, yaml.ScalarNode):  # the shorthand `clause: status`
            status = self.status(node)
            return (Check("status", status, _span(self.file, node)),) if status else ()
        if not isinstance(node, yaml.MappingNode):
            self.fail("QZ501", _t("expectation_shape", clause=clause.id), node)
            return ()
        checks = []
        for key, (key_node, value) in self.mapping(node, CLAUSE_KEYS, _t("what.expectation", clause=clause.id)).items():
            expected = self.clause_value(key, value)
            if expected is not _INVALID:
                checks.append(Check(key, expected, _span(self.file, key_node)))
        return tuple(checks)

    def clause_value(self, key: str, node: yaml.Node) -> object:
        match key:
            case "status":
                return self.status(node) or _INVALID
            case "amount" | "total" | "paid" | "due" | "projected" | "inside_trial" | "after_trial":
                return self.amount(node, key)
            case "heads" | "periods" | "stopped" | "undetermined":
                return self.count(node, key)
            case "starts" | "ends":
                return self.date(node, key) or _INVALID
            case "open_ended":
                return self.boolean(node, key)
            case "excluded_by":
                if _is_null(node):
                    return None
                clause = self.clause_ref(node, None)
                return clause.id if clause else _INVALID
            case "missing":
                facts = self.fact_list(node, key)
                return _INVALID if facts is None else facts
            case "window":
                if _is_null(node):
                    return None
                if isinstance(node, yaml.ScalarNode) and node.value in WINDOW_SIDES:
                    return node.value
                self.fail("QZ501", _t("window", sides=", ".join(WINDOW_SIDES)), node, _t("hint.window"))
                return _INVALID
        raise AssertionError(key)

    def status(self, node: yaml.Node) -> str | None:
        name = node.value if isinstance(node, yaml.ScalarNode) else None
        if name in STATUSES:
            return name
        self.fail("QZ503", _t("unknown_status", name=name), node,
                  did_you_mean(str(name), STATUSES) or _t("hint.statuses", statuses=", ".join(STATUSES)))
        return None

    def amount(self, node: yaml.Node, key: str) -> Amount | None | object:
        """`20000`, `2万`, `null` (no computable amount), or a mapping of `low`/`high`
        or `up_to`/`at_least`."""
        if _is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode):
            value = self.money(node, key)
            return _INVALID if value is _INVALID else Amount(value, value)
        if not isinstance(node, yaml.MappingNode):
            self.fail("QZ504", _t("amount_shape", key=key), node)
            return _INVALID
        fields = self.mapping(node, AMOUNT_KEYS, _t("what.amount", key=key))
        if not fields or ({"up_to", "at_least"} & set(fields) and {"low", "high"} & set(fields)):
            self.fail("QZ504", _t("amount_keys", key=key), node, _t("hint.amount_keys", up_to="{up_to: 40000}",
                                                             range="{low: 100000, high: 300000}"))
            return _INVALID
        values = {k: (None if _is_null(v) else self.money(v, f"{key}.{k}")) for k, (_, v) in fields.items()}
        if _INVALID in values.values():
            return _INVALID
        if "up_to" in values or "at_least" in values:
            if len(values) > 1:
                self.fail("QZ504", _t("amount_one_of", key=key), node)
                return _INVALID
            return Amount(None, values["up_to"]) if "up_to" in values else Amount(values["at_least"], None)
        return Amount(values.get("low"), values.get("high"))

    def money(self, node: yaml.Node, key: str) -> Decimal | object:
        text = node.value.strip() if isinstance(node, yaml.ScalarNode) else ""
        try:
            return parse_amount(text)
        except AmountError as problem:
            hint = _t("hint.sub_fen" if problem.reason == "sub_fen" else "hint.money")
            self.fail("QZ504", _t("not_money", key=key, text=text), node, hint)
            return _INVALID

    def count(self, node: yaml.Node, key: str) -> int | None | object:
        if _is_null(node):
            return None
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT and node.value.isdigit():
            return int(node.value)
        self.fail("QZ501", _t("whole_number", key=key), node)
        return _INVALID

    def boolean(self, node: yaml.Node, key: str) -> bool | object:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return node.value.lower() in ("true", "yes", "on")
        self.fail("QZ501", _t("true_or_false", key=key), node)
        return _INVALID

    def date(self, node: yaml.Node, key: str) -> dt.date | None:
        text = node.value if isinstance(node, yaml.ScalarNode) else ""
        if _DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        self.fail("QZ404", _t("not_a_date", key=key, text=text), node, _t("hint.date"))
        return None

    def fact_list(self, node: yaml.Node, key: str) -> frozenset[str] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.fail("QZ501", _t("fact_list", key=key), node, _t("hint.fact_list", key=key))
            return None
        names = []
        for item in node.value:
            name = item.value if isinstance(item, yaml.ScalarNode) else None
            if name not in self.policy.facts:
                self.fail("QZ402", Text("case.unknown_fact", (("text", name),)), item,
                          did_you_mean(str(name), self.policy.facts))
                continue
            names.append(name)
        return frozenset(names) if len(names) == len(node.value) else None

    def totals(self, node: yaml.Node) -> tuple[Check, ...]:
        if not isinstance(node, yaml.MappingNode):
            self.fail("QZ501", _t("totals_shape", keys=", ".join(TOTALS_KEYS)), node)
            return ()
        checks = []
        for key, (key_node, value) in self.mapping(node, TOTALS_KEYS, _t("what.totals")).items():
            if key in ("granted", "open_ended"):
                expected = self.count(value, f"totals.{key}")
            elif key in ("paid", "due", "projected"):
                expected = self.amount(value, f"totals.{key}")
            elif _is_null(value):
                expected = None
            else:
                expected = self.money(value, f"totals.{key}")
            if expected is not _INVALID:
                checks.append(Check(f"totals.{key}", expected, _span(self.file, key_node)))
        return tuple(checks)


_INVALID = object()  # marks a value already reported as invalid
