"""Every diagnostic is worded from a template in both languages: no call of `error`,
`warning` or `diagnostic` in qzdsl passes a finished text (a string or an f-string) as
its message or hint, which would show in English inside Chinese output."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKERS = {"error", "warning", "diagnostic"}


def _literal(node: ast.AST | None) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def test_no_diagnostic_is_given_a_finished_text():
    found = []
    for path in sorted((ROOT / "qzdsl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MAKERS):
                continue
            message = node.args[1] if len(node.args) > 1 else None
            hint = node.args[3] if len(node.args) > 3 else None
            keywords = {k.arg: k.value for k in node.keywords}
            for what, value in (("message", message or keywords.get("message")),
                                ("hint", hint or keywords.get("hint"))):
                if _literal(value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.func.id}() given a finished {what}")
    assert not found, "\n".join(found)
