"""The front end in one call: read, parse, check, compile."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qzdsl.language.checks import run_checks
from qzdsl.language.compiler import compile_program
from qzdsl.diagnostics import Diagnostic, QzError
from qzdsl.model.policy import Policy
from qzdsl.language.program import Program, load_program
from qzdsl.resources import bundled_policy_path
from qzdsl.reading import Confinement


@dataclass(frozen=True)
class CheckResult:
    program: Program
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sources(self) -> dict[str, str]:
        return self.program.texts


def check(path: str | Path | None = None, text: str | None = None, also: tuple[str | Path, ...] = (),
          confinement: Confinement | None = None, english: bool = False) -> CheckResult:
    """Parse and check a policy file (default: the bundled policy) without compiling it;
    `also`: further policy files, loaded as if it imported them; `confinement`: where its
    imports and source texts may be read (default: `Confinement.around` the files named);
    `english`: also warn where a label has no English words (QZ113)."""
    program = load_program(path or bundled_policy_path(), text, also, confinement)
    return CheckResult(program, tuple(run_checks(program, english)))


def load(path: str | Path | None = None, also: tuple[str | Path, ...] = (),
         confinement: Confinement | None = None) -> Policy:
    """The compiled policy of `path` (default: the bundled 衢政发〔2023〕12号), with the
    policy files `also` loaded as if it imported them (existing policies to weigh it against).

    Raises `QzError` carrying every error diagnostic when the policy does not check.
    """
    result = check(path, also=also, confinement=confinement)
    if not result.ok:
        raise QzError(result.errors)
    return compile_program(result.program)
