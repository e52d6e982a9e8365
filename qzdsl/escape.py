"""One escaper per place text goes: the terminal, Markdown, HTML and CSV.

Case names, case and column keys, policy strings and doc numbers are written by whoever
wrote the file; none of them may act on the medium it is shown in — an escape sequence on
a terminal, a link or raw HTML in Markdown, a formula in a spreadsheet.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls (a lone 0x9b is a CSI on some
# terminals), and the bidirectional overrides/isolates that make text display in an
# order other than the one it has (the "Trojan Source" characters).
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """`text` safe to print on a terminal: every control character (ESC, OSC's BEL, CR,
    backspace, C1, bidi overrides) shown as a visible escape like `\\x1b`; tab and newline kept."""
    return _TERMINAL_UNSAFE.sub(_visible, text)


def terminal_line(text: str) -> str:
    """`terminal(text)` on one line: a newline is shown as `\\n` too (a name in a heading)."""
    return terminal(text).replace("\n", "\\n").replace("\t", "\\t")


# ---- Markdown -----------------------------------------------------------------------------

# The ASCII characters that form inline markup anywhere in a line: emphasis, code, links
# and images (no `[`, no link), tables, strikethrough; `<`, `>` and `&` become entities, so
# no raw HTML or autolink. At the start of a line, also what starts a block.
# An underscore between two letters or digits cannot start or end emphasis (CommonMark's
# intraword rule): identifiers such as graduate_grant stay as written.
_MARKDOWN_INLINE = re.compile(r"([\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_]))")
_MARKDOWN_BLOCK_START = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")


def markdown(text: str) -> str:
    """Text as literal Markdown inline content: no link, image, emphasis, heading, list or
    raw HTML can be formed from it; control characters are shown as escapes and line
    breaks become spaces."""
    text = " ".join(terminal(str(text)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_BLOCK_START.sub(_block_start, text)


def _block_start(match: re.Match) -> str:
    space, start = match.groups()
    return space + (start + "\\" if start[0].isdigit() else "\\" + start)


def markdown_cell(text: str) -> str:
    """`markdown(text)` for a table cell, where a line break is written `<br>`."""
    return "<br>".join(markdown(line) for line in str(text).split("\n"))


# ---- HTML ---------------------------------------------------------------------------------


def html(text: str) -> str:
    """Text as HTML content or a quoted attribute value (quotes escaped too); control
    characters shown as escapes, since a browser silently drops some of them."""
    import html as _html  # here, not at the top: the terminal's `qzdsl eval` needs no HTML

    return _html.escape(terminal(str(text)), quote=True)


# ---- CSV ----------------------------------------------------------------------------------

# A spreadsheet takes a cell starting with one of these for a formula (OWASP "CSV
# injection"); tab and carriage return, because some spreadsheets strip them first.
FORMULA_STARTS = "=+-@\t\r"


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character is neutralised
    with an apostrophe (which spreadsheets hide and treat as "text follows")."""
    text = str(text)
    return "'" + text if text[:1] and text[0] in FORMULA_STARTS else text


def csv_cell_sql(expression: str) -> str:
    """`csv_cell` as a SQL expression over a text `expression`, for CSV files that the
    batch engine writes itself (the errors file): the same text for DuckDB and Spark SQL,
    hence chr(39) for the quote, which the two engines escape differently in a literal."""
    starts = ", ".join(f"chr({ord(ch)})" for ch in FORMULA_STARTS)
    return f"CASE WHEN left({expression}, 1) IN ({starts}) THEN chr(39) || {expression} ELSE {expression} END"
