"""What the audit reports: diagnostics of the audit's codes (QZA0xx, and the encoding
checks QZ3xx it repeats), each about a section and the clauses concerned.

A finding is a `Diagnostic` like any other: its arguments are language-neutral (strings,
numbers, Decimals for money, dates, tuples of strings) and the wording layer turns them
into Chinese or English sentences (`qzdsl.wording.audit.message`).
"""

from __future__ import annotations

import dataclasses

from qzdsl.codes import CODES
from qzdsl.diagnostics import Diagnostic, Text, diagnostic
from qzdsl.backends.audit.witness import Witness

# The encoding checks the audit repeats (citations QZ301–QZ303, coverage QZ304–QZ307).
ENCODING_CODES: tuple[str, ...] = tuple(code for code in CODES if CODES[code].family == "encoding")


def finding(code: str, spans, section: str, clauses=(), witness: Witness | None = None, variant: str = "",
            **args) -> Diagnostic:
    """A finding of an audit code at its default severity. The variant (which of the
    code's sentences) is also an argument: the JSON report lists it."""
    if variant:
        args["variant"] = variant
    body = Text(f"{code}.{variant}" if variant else code, tuple(args.items()))
    return diagnostic(code, body, spans=spans, section=section, clauses=clauses, witness=witness)


def from_diagnostic(found: Diagnostic, section: str) -> Diagnostic:
    """An encoding-check diagnostic as a finding of the section it lies in."""
    return dataclasses.replace(found, section=section)
