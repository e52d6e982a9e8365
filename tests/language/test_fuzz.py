"""No input makes qzdsl crash: random text and random damage to a realistic policy give
diagnostics (or a `QzError` from the formatter), never any other exception; what checks
clean compiles. Damaged policies that still parse must also survive the formatter's
round trip."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qzdsl
from qzdsl.language.compiler import compile_program
from qzdsl.diagnostics import QzError, render_all
from qzdsl.language.formatter import format_policy
from qzdsl.language.parser import parse
from qzdsl.resources import bundled_policy_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _realistic_policy() -> Path:
    """The bundled policy when it parses, else the largest fixture that does."""
    candidates = [bundled_policy_path()] + sorted(FIXTURES.rglob("*.qz"), key=lambda p: -p.stat().st_size)
    for path in candidates:
        try:
            parse(path.read_text(encoding="utf-8"))
            return path
        except (OSError, QzError):
            continue
    raise AssertionError("no fixture parses")


POLICY = _realistic_policy()
TEXT = POLICY.read_text(encoding="utf-8")
# Strings, comments, words, numbers with their unit, white space, any other single character.
TOKENS = re.findall(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|\w+|\s+|.', TEXT)
LINES = TEXT.split("\n")
SYNTAX_ERRORS = {"QZ001", "QZ002", "QZ003"}
# Each example checks the whole bundled policy (some 40 ms): few examples keep the suite fast.
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _survives(text: str) -> None:
    """Check and format `text` as if it were the policy file; only diagnostics may come out."""
    result = qzdsl.check(POLICY, text=text)
    render_all(result.diagnostics, result.sources)
    if result.ok:  # what `qzdsl.load` would do next
        compile_program(result.program)
    try:
        original = parse(text, "policy.qz")
    except QzError as error:
        assert {d.code for d in error.diagnostics} <= SYNTAX_ERRORS
        assert not result.ok
        return
    formatted = format_policy(original)
    reparsed = parse(formatted, original.path)
    assert reparsed == original
    assert format_policy(reparsed) == formatted
    assert Counter(c.text for c in reparsed.comments) == Counter(c.text for c in original.comments)


def _mutate(pieces: list[str], edits: list[tuple[str, float, float]]) -> str:
    pieces = list(pieces)
    for kind, at, other in edits:
        if not pieces:
            break
        i, j = int(at * len(pieces)), int(other * len(pieces))
        if kind == "delete":
            del pieces[i]
        elif kind == "duplicate":
            pieces.insert(i, pieces[i])
        else:
            pieces[i], pieces[j] = pieces[j], pieces[i]
    return "".join(pieces)


_edits = st.lists(
    st.tuples(st.sampled_from(["delete", "duplicate", "swap"]),
              st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True)),
    min_size=1, max_size=4,
)


@FEW
@given(_edits)
def test_damaged_tokens_never_crash(edits):
    _survives(_mutate(TOKENS, edits))


@FEW
@given(_edits)
def test_damaged_lines_never_crash(edits):
    _survives("\n".join(_mutate([line + "\n" for line in LINES], edits).split("\n")[:-1]))


# Pieces of the language and of the texts it is written in, for random text.
_VOCABULARY = [
    "policy", "kind", "section", "fact", "define", "benefit", "entitlement", "target", "aside", "import",
    "to", "per", "year", "month", "day", "days", "once", "requires", "cite", "in", "not", "and", "or", "enum", "up",
    "at", "least", "of", "head", "from", "as_of", "max", "cap", "total", "goal", "by",
    ":", ",", "{", "}", "[", "]", "(", ")", "==", "<=", "+", "-", "%", '"', "\\", "#", "\n", " ",
    "“", "”", "8000", "2万", "10亿元", "0", "2023-02-30", "2023-01-01", "37%", "99999", "9999-12-31", "个人", "补贴",
    "\t", "\r", "\x0c",
    "\u2028", "\x00", "é",
]
_random_text = st.lists(st.one_of(st.sampled_from(_VOCABULARY), st.text(max_size=3)), max_size=40).map("".join)


@settings(max_examples=80, deadline=None)
@given(_random_text)
def test_random_text_never_crashes(text):
    _survives(text)


@FEW
@given(st.lists(st.tuples(st.integers(0, len(LINES) - 1), st.booleans()), min_size=1, max_size=6))
def test_comments_anywhere_survive_formatting(places):
    """Comments on lines of their own or at line ends, anywhere: each is kept exactly once."""
    lines = list(LINES)
    for number, (line, own_line) in enumerate(sorted(places, reverse=True)):
        if own_line:
            lines.insert(line, f"# comment {number}")
        else:
            lines[line] += f"  # comment {number}"
    _survives("\n".join(lines))


@FEW
@given(st.sampled_from(_VOCABULARY), st.integers(0, len(TEXT)))
def test_a_word_dropped_anywhere_never_crashes(word, offset):
    _survives(TEXT[:offset] + word + TEXT[offset:])
