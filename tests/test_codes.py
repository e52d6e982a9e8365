"""The one registry of diagnostic codes (`qzdsl.codes`): every code named once with its
titles in both languages, and message templates that a translation cannot break."""

from __future__ import annotations

import re
import string

import pytest

from qzdsl.codes import CODES, MESSAGES, Severity
from qzdsl.diagnostics import Text, diagnostic


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_code_has_a_unique_name_and_titles_in_both_languages():
    names = [code.name for code in CODES.values()]
    assert len(names) == len(set(names))
    for key, code in CODES.items():
        assert code.code == key and code.name[:1].isupper() and code.name.isidentifier()
        assert code.title_en and code.title_zh and code.severity in Severity
        assert code.family in {"read", "check", "encoding", "case", "test", "audit"}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_template_belongs_to_a_code_and_renders_in_both_languages(key):
    prefix = key.split(".")[0]
    assert prefix in CODES or prefix in {"hint", "summary", "case", "value", "test", "read", "syntax"}, key
    templates = MESSAGES[key]
    assert set(templates) <= {"en", "zh"} and "en" in templates
    for lang, template in templates.items():
        # A translation may leave out an identifier a reader need not see, never invent one.
        assert _fields(template) <= _fields(templates["en"]), (key, lang)
        args = {name: f"<{name}>" for name in _fields(templates["en"]) | _fields(template)}
        rendered = Text(key, tuple(args.items())).render(lang)
        # Every field filled; braces written doubled ('in {{…}}') are text.
        assert not re.search(r"\{\w+\}", rendered), (key, lang)


def test_a_message_is_worded_in_the_language_asked_for():
    found = diagnostic("QZ109", variant="principle", name="most_favorable")
    assert found.message_in("en") == "unknown principle 'most_favorable'"
    assert found.message_in("zh") == "未知的原则“most_favorable”"


def test_a_missing_argument_shows_a_dash_not_a_crash():
    assert Text("QZ101").render("zh") == "未定义的名称“—”"


def test_an_unregistered_code_is_refused():
    with pytest.raises(KeyError):
        diagnostic("QZ999", "no such code")
