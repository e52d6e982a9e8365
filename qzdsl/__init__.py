"""qzdsl: a rules-as-code compiler and audit tool for Chinese municipal policies.

    >>> import qzdsl
    >>> policy = qzdsl.load()                # the bundled 衢政发〔2023〕12号
    >>> policy.info.doc_number
    '衢政发〔2023〕12号'

The library is usable without the CLI: `load` returns a plain `model.Policy`.
"""

from .diagnostics import Diagnostic, QzError
from .loader import check, load

__all__ = ["Diagnostic", "QzError", "check", "load"]
__version__ = "0.1.0"
