"""PyYAML's and the json module's complaints about a case file, a test file or a decision
record, worded in the reader's language.

Both say what is wrong in English sentences of a small, fixed set (PyYAML's scanner's and
parser's `problem` and `context`, json's `msg`). The ones a person writing a file by hand
meets are matched here and become `diagnostics.Text` of keys `read.yaml.*` and
`read.json.*` (templates in `qzdsl.codes.MESSAGES`), whose English is the library's own
words; anything else is shown as the library wrote it.
"""

from __future__ import annotations

import re

from qzdsl.diagnostics import Span, Text

# problem → key; named groups become the template's arguments (tokens worded below)
_PROBLEMS = (
    (re.compile(r"expected (?P<expected>.+), but got (?P<found>.+)"), "expected_got"),
    (re.compile(r"expected (?P<expected>.+), but found (?P<found>.+)"), "expected_found"),
    (re.compile(r"found character (?P<found>.+) that cannot start any token"), "cannot_start"),
    (re.compile(r"mapping values are not allowed here"), "mapping_values"),
    (re.compile(r"mapping keys are not allowed here"), "mapping_keys"),
    (re.compile(r"could not find expected ':'"), "no_colon"),
    (re.compile(r"found undefined alias (?P<found>.+)"), "undefined_alias"),
    (re.compile(r"found unknown escape character (?P<found>.+)"), "unknown_escape"),
    (re.compile(r"found unexpected end of stream"), "end_of_stream"),
    (re.compile(r"expected a single document in the stream"), "one_document"),
)

# PyYAML's names of tokens and characters, as `expected`/`found` show them
_TOKENS = {
    "'<stream end>'": "stream_end", "'<block end>'": "block_end", "'<block mapping start>'": "block_mapping",
    "'<block sequence start>'": "block_sequence", "'<scalar>'": "scalar", "'<document start>'": "document_start",
    "'<document end>'": "document_end", "'<block entry>'": "block_entry", "'<key>'": "key", "'<value>'": "value",
    "'<alias>'": "alias", "'<anchor>'": "anchor", "'<tag>'": "tag", "'<flow entry>'": "flow_entry",
    "'<flow sequence end>'": "flow_sequence_end", "'<flow mapping end>'": "flow_mapping_end",
    "'<flow sequence start>'": "flow_sequence_start", "'<flow mapping start>'": "flow_mapping_start",
    "'\\t'": "tab", "',' or ']'": "comma_or_bracket", "',' or '}'": "comma_or_brace", "' '": "space",
    "<block end>": "block_end_bare", "<document start>": "document_start_bare",
}

_CONTEXT = re.compile(r"while (?:parsing|scanning|composing) (?:an? )?(?P<what>.+)")
_SUBJECTS = {"flow sequence": "flow_sequence", "flow mapping": "flow_mapping", "block mapping": "block_mapping",
             "block collection": "block_collection", "block scalar": "block_scalar",
             "quoted scalar": "quoted_scalar", "double-quoted scalar": "quoted_scalar",
             "single-quoted scalar": "quoted_scalar", "simple key": "simple_key", "node": "node",
             "mapping": "mapping", "plain scalar": "plain_scalar", "for the next token": "next_token"}


def _word(text: str) -> Text:
    key = _TOKENS.get(text)
    return Text(f"read.yaml.token.{key}", (("text", text),)) if key else Text.plain(text)


def problem(text: str) -> Text:
    """One of PyYAML's problems as a sentence to word."""
    for pattern, key in _PROBLEMS:
        match = pattern.fullmatch(text.strip())
        if match:
            return Text(f"read.yaml.{key}", tuple((name, _word(value)) for name, value in match.groupdict().items()))
    return Text.plain(text)


def context(text: str, mark) -> Text | None:
    """Where PyYAML was when it failed ("while parsing a flow sequence" and the place it
    started), as a note; None when it said nothing."""
    if not text:
        return None
    match = _CONTEXT.fullmatch(text.strip())
    subject = _SUBJECTS.get(match.group("what")) if match else None
    what = Text(f"read.yaml.while.{subject}", (("text", text),)) if subject else Text.plain(text)
    if mark is None:
        return Text("read.yaml.context", (("context", what),))
    return Text("read.yaml.context_at", (("context", what), ("line", mark.line + 1), ("column", mark.column + 1)))


def malformed(exc, file: str) -> tuple[Text, Span | None, Text | None]:
    """A YAML error as (message, place, note): "malformed YAML: …" positioned at the
    problem (or, lacking one, where its context began), with the context as the note."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    span = Span.point(file, mark.line + 1, mark.column + 1) if mark else None
    said = getattr(exc, "problem", None) or getattr(exc, "context", None)
    if said is None:
        return Text("read.yaml", (("problem", Text.plain(str(exc))),)), span or Span.point(file, 1, 1), None
    note = context(exc.context, exc.context_mark) if getattr(exc, "problem", None) else None
    return Text("read.yaml", (("problem", problem(said)),)), span, note


# json's messages are fixed strings (`JSONDecodeError.msg`), looked up as written
_JSON = {
    "Expecting property name enclosed in double quotes": "property_name",
    "Expecting value": "value",
    "Expecting ',' delimiter": "comma",
    "Expecting ':' delimiter": "colon",
    "Unterminated string starting at": "unterminated",
    "Extra data": "extra",
    "Invalid control character at": "control",
    "Invalid \\escape": "escape",
}


def json_error(exc) -> Text:
    """A `json.JSONDecodeError` as a sentence to word: its problem and where."""
    return Text("read.json.at", (("problem", json_problem(exc.msg)), ("line", exc.lineno), ("column", exc.colno)))


def json_problem(text: str) -> Text:
    """One of the json module's messages (`JSONDecodeError.msg`) as a sentence to word."""
    key = _JSON.get(text.strip())
    return Text(f"read.json.{key}", (("text", text),)) if key else Text.plain(text)
