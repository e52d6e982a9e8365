"""The words of `qzdsl test`'s text report and messages: labels `test_report.*` of the
one wording table (`wording.labels`), in Chinese (default) and English.

The report is read by the people who encode a policy and write its tests: it names
clauses, groups and facts by their labels and states conditions as sentences (through
`wording.conditions`), like every other report; where an expectation is written in a
test file, its `file:line:col` points there."""

from __future__ import annotations

from qzdsl.wording.labels import label


def word(key: str, lang: str = "zh", **values: object) -> str:
    """The words of `test_report.<key>` in `lang` (Chinese when `lang` has none), filled in."""
    return label(f"test_report.{key}", lang).format(**values)
