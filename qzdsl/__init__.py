"""qzdsl: a rules-as-code compiler and audit tool for Chinese municipal policies.

    >>> import qzdsl
    >>> policy = qzdsl.load()                # the bundled 衢政发〔2023〕12号
    >>> policy.info.doc_number
    '衢政发〔2023〕12号'

The library is usable without the CLI (`qzdsl.api`): `load` returns a plain
`model.Policy`; `evaluate(policy, load_case("case.yaml", policy))` a `results.Decision`;
`check(path)` the diagnostics; `audit(path)` an `AuditReport`.
"""

from importlib import import_module

# The public names and the module each lives in. They are imported on first use, so that
# `import qzdsl` (and every CLI command) stays fast: the parser, Lark and the checks load
# only when a policy is actually compiled.
_EXPORTS = {
    "Case": "cases.case",
    "Decision": "backends.evaluator.results",
    "Policy": "model.policy",
    "AuditReport": "backends.audit.audit",
    "CheckResult": "language.loader",
    **{name: "api" for name in ("Diagnostic", "PathStyle", "QzError", "Severity", "Span", "audit", "check",
                                "evaluate", "load", "load_case", "case_from_dict")},
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # resolved once: `qzdsl.evaluate` in a loop costs no import
        return value
    raise AttributeError(f"module 'qzdsl' has no attribute {name!r}")
