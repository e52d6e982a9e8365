"""A policy file with its imports, and the symbol tables the checks and the compiler share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qzdsl.language import ast
from qzdsl.diagnostics import Diagnostic, QzError, Span, error
from qzdsl.language.parser import parse
from qzdsl.language.source_text import SourceText


@dataclass(frozen=True)
class Entry:
    """A declaration with the file it is in and the section heading it sits under."""

    decl: ast.Decl
    file: ast.PolicyFile
    section: ast.SectionDecl | None
    policy: ast.PolicyDecl | None
    order: int


@dataclass
class Program:
    files: list[ast.PolicyFile] = field(default_factory=list)  # imports first, main file last
    texts: dict[str, str] = field(default_factory=dict)  # every file read, for diagnostics
    official: dict[str, SourceText | None] = field(default_factory=dict)  # policy file -> its source text
    entries: list[Entry] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Symbol tables, built once per state of `entries`: every check pass reads them, many
    # of them once per declaration.
    _tables: dict = field(default_factory=dict, repr=False, compare=False)

    def _memo(self, key, build):
        key = (key, len(self.entries))
        if key not in self._tables:
            self._tables[key] = build()
        return self._tables[key]

    @property
    def main(self) -> ast.PolicyFile:
        return self.files[-1]

    def of_type(self, cls: type) -> list[Entry]:
        return self._memo(("of_type", cls), lambda: [e for e in self.entries if isinstance(e.decl, cls)])

    def table(self, cls: type) -> dict[str, Entry]:
        """The first declaration of each name of one declaration class."""
        def build() -> dict[str, Entry]:
            result: dict[str, Entry] = {}
            for entry in self.of_type(cls):
                result.setdefault(entry.decl.name, entry)
            return result

        return self._memo(("table", cls), build)

    @property
    def kinds(self) -> dict[str, Entry]:
        return self.table(ast.KindDecl)

    @property
    def facts(self) -> dict[str, Entry]:
        return self.table(ast.FactDecl)

    @property
    def defines(self) -> dict[str, Entry]:
        return self.table(ast.DefineDecl)

    @property
    def clauses(self) -> dict[str, Entry]:
        return self.table(ast.ClauseDecl)

    def sections_of(self, file: ast.PolicyFile) -> dict[str, ast.SectionDecl]:
        def build() -> dict[str, ast.SectionDecl]:
            result: dict[str, ast.SectionDecl] = {}
            for entry in self.of_type(ast.SectionDecl):
                if entry.file is file:
                    result.setdefault(entry.decl.ref, entry.decl)
            return result

        return self._memo(("sections_of", id(file)), build)

    def policy_of(self, file: ast.PolicyFile) -> ast.PolicyDecl | None:
        return next((d for d in file.decls if isinstance(d, ast.PolicyDecl)), None)


def load_program(path: str | Path, text: str | None = None, also: tuple[str | Path, ...] = ()) -> Program:
    """Read a policy file and, depth first, everything it imports; `also` names further
    policy files loaded as if the main file imported them (`--policy A --policy B`).

    Syntax errors and unreadable files are collected in `program.diagnostics`; the
    files that could be parsed are still returned so that later checks can run on them.
    """
    program = Program()
    for extra in also:  # as if the main file imported them: loaded first, the main file last
        _load(Path(extra), program, stack=[], text=None, importer=None)
    _load(Path(path), program, stack=[], text=text, importer=None)
    order = 0
    for file in program.files:
        section: ast.SectionDecl | None = None
        policy = program.policy_of(file)
        for decl in file.decls:
            if isinstance(decl, ast.SectionDecl):
                section = decl
            program.entries.append(Entry(decl, file, section, policy, order))
            order += 1
    return program


def _reason(exc: OSError | ValueError) -> str:
    """Why a file cannot be read, in a few words."""
    if isinstance(exc, UnicodeDecodeError):
        return "not valid UTF-8"
    return getattr(exc, "strerror", None) or str(exc)  # a ValueError: a NUL in the file name


def _load(path: Path, program: Program, stack: list[Path], text: str | None, importer: ast.Import | None) -> None:
    where = importer.span if importer else None
    try:
        resolved = path.resolve()
    except (OSError, ValueError) as exc:
        program.diagnostics.append(error("QZ010", span=where, path=path, reason=_reason(exc)))
        return
    if resolved in stack:
        cycle = " -> ".join(p.name for p in stack + [resolved])
        program.diagnostics.append(error("QZ011", span=where, cycle=cycle))
        return
    if any(Path(f.path).resolve() == resolved for f in program.files):
        return  # imported twice along different paths: load once
    display = str(resolved)  # spans name files absolutely; rendering makes them short
    if text is None:
        try:
            text = path.read_text(encoding="utf-8-sig")  # tolerate the BOM some editors write
        except (OSError, ValueError) as exc:
            program.diagnostics.append(error("QZ010", span=where, path=path, reason=_reason(exc)))
            return
    program.texts[display] = text
    try:
        policy_file = parse(text, display)
    except QzError as exc:
        program.diagnostics.extend(exc.diagnostics)
        return
    for decl in policy_file.decls:
        if isinstance(decl, ast.Import):
            _load(path.parent / decl.path, program, stack + [resolved], None, decl)
    program.files.append(policy_file)
    program.official[display] = _official_text(policy_file, path, program)


def _official_text(policy_file: ast.PolicyFile, path: Path, program: Program) -> SourceText | None:
    policy = program.policy_of(policy_file)
    source = ast.first(policy.props, ast.SourceFile) if policy else None
    if source is None:
        return None
    source_path = path.parent / source.path
    try:
        text = source_path.read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        program.diagnostics.append(
            error("QZ307", f"cannot read the source text {source.path}: {_reason(exc)}", source.span)
        )
        return None
    return SourceText(text, str(source_path))


def span_of(decl: ast.Decl) -> Span:
    return getattr(decl, "name_span", None) or decl.span
