"""A policy file with its imports, and the symbol tables the checks and the compiler share."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from qzdsl.language import ast
from qzdsl.diagnostics import Diagnostic, QzError, Span, Text, did_you_mean, error
from qzdsl.language.parser import parse
from qzdsl.language.source_text import SourceText
from qzdsl.reading import Confinement, ReadRefused, decode, read_regular


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
    # The SHA-256 of the exact bytes of every file read (policy files and source texts),
    # by resolved path: what was compiled, for the cache to compare the files on disk with.
    digests: dict[str, str] = field(default_factory=dict)
    confinement: Confinement = field(default_factory=Confinement)
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
    def needs(self) -> dict[str, Entry]:
        return self.table(ast.NeedDecl)

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


def load_program(path: str | Path, text: str | None = None, also: tuple[str | Path, ...] = (),
                 confinement: Confinement | None = None) -> Program:
    """Read a policy file and, depth first, everything it imports; `also` names further
    policy files loaded as if the main file imported them (`--policy A --policy B`).

    Imports and source texts are read only inside `confinement` (default: the folders of
    policies `path` and `also` belong to, see `qzdsl.reading`); the files named here are
    the caller's choice. Syntax errors and unreadable files are collected in
    `program.diagnostics`; the files that could be parsed are still returned so that later
    checks can run on them.
    """
    confinement = confinement if confinement is not None else Confinement.around(path, *also)
    program = Program(confinement=confinement)
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
    program.diagnostics.extend(_amend(program))
    program.diagnostics.extend(_too_deep(program))
    return program


# Properties an amendment adds to, rather than replaces.
_ANNOTATIONS = frozenset({ast.Cite, ast.Note, ast.Ambiguity})


def _amend(program: Program) -> list[Diagnostic]:
    """Apply the amendments of reform files (`amend`, `replace`, `repeal`) to the clauses
    and sections they name in the policies loaded before them, in the order written.

    `amend` keeps the declaration where it stands and replaces each kind of property the
    amendment gives with the amendment's, except citations, notes and recorded readings,
    which are added: a report then quotes the policy's sentence and the amending one side
    by side. `replace` puts the amendment's properties in place of all of them; `repeal`
    removes the declaration. A section's change reaches
    every clause under it. Amendment entries then leave the program: the checks, the
    compiler and every back end see one policy, as amended.
    """
    found: list[Diagnostic] = []
    entries = program.entries
    for amendment in [e for e in entries if getattr(e.decl, "mode", None)]:
        decl = amendment.decl
        is_section = isinstance(decl, ast.SectionDecl)
        key = decl.ref if is_section else decl.name
        earlier = [e for e in entries if e.order < amendment.order and not getattr(e.decl, "mode", None)
                   and type(e.decl) is type(decl) and (e.decl.ref if is_section else e.decl.name) == key]
        target = earlier[-1] if earlier else None
        what = "section" if is_section else "clause"
        if target is None:
            names = [e.decl.ref if is_section else e.decl.name for e in entries
                     if type(e.decl) is type(decl) and not getattr(e.decl, "mode", None)]
            span = decl.name_span if decl.name_span.line else decl.span
            found.append(error("QZ112", span=span, hint=did_you_mean(key, names), mode=decl.mode,
                               what=Text(f"QZ112.what.{what}"), name=key))
            continue
        if not is_section and target.decl.kind != decl.kind:
            found.append(error("QZ112", span=decl.span, variant="kind", name=key, actual=target.decl.kind,
                               given=decl.kind))
            continue
        if is_section and target.decl.title != decl.title:
            found.append(error("QZ112", span=decl.span, variant="title", name=key, title=target.decl.title))
            continue
        index = entries.index(target)
        if decl.mode == "repeal":
            del entries[index]
            continue
        if decl.mode == "replace":
            props = decl.props
        else:
            given = {type(p) for p in decl.props} - _ANNOTATIONS
            props = tuple(p for p in target.decl.props if type(p) not in given) + decl.props
        changes = {"props": props, "mode": None}
        if not is_section and decl.label is not None:
            changes["label"] = decl.label
        new = dataclasses.replace(target.decl, **changes)
        entries[index] = dataclasses.replace(target, decl=new)
        if is_section:  # the clauses under the section now sit under the amended heading
            for i, e in enumerate(entries):
                if e.section is target.decl:
                    entries[i] = dataclasses.replace(e, section=new, decl=new if e.decl is target.decl else e.decl)
    program.entries[:] = [e for e in entries if not getattr(e.decl, "mode", None)]
    program._tables.clear()
    return found


# Every stage after parsing (lowering, checks, the evaluator, the SQL and z3 translators)
# walks an expression with its definitions expanded, recursively. Chains of definitions
# and nested expressions up to this depth together stay well inside Python's recursion
# limit in every one of them; deeper ones are refused here, before any stage runs.
MAX_DEPTH = 200
TOO_DEEP = "QZ208"


def _too_deep(program: Program) -> list[Diagnostic]:
    """A diagnostic where a definition (or a clause's condition) first nests more than
    MAX_DEPTH levels deep, counting every definition it uses as expanded in place.
    Iterative: the chain's length is the file's to choose."""
    defines = {name: entry.decl for name, entry in program.defines.items()}
    refs = {name: _references(decl.expr, defines) for name, decl in defines.items()}
    total: dict[str, int] = {}
    for root in defines:
        stack = [root]
        while stack:
            name = stack[-1]
            if name in total:
                stack.pop()
                continue
            pending = [ref for ref, _ in refs[name][1] if ref not in total and ref not in stack]
            if pending:
                stack.extend(pending)
                continue
            own, used = refs[name]
            # a definition in a cycle counts as flat here: QZ205 reports the cycle
            total[name] = max([own] + [level + total.get(ref, 0) for ref, level in used])
            stack.pop()
    found = []
    for entry in program.entries:
        decl = entry.decl
        exprs = [(decl.expr, decl)] if isinstance(decl, ast.DefineDecl) and defines.get(decl.name) is decl else []
        exprs += [(p.expr, p) for p in ast.props_of(decl) if isinstance(p, (ast.Requires, ast.While))]
        for expr, where in exprs:
            own, used = _references(expr, defines)
            depth = max([own] + [level + total.get(ref, 0) for ref, level in used])
            if depth > MAX_DEPTH and all(total.get(ref, 0) <= MAX_DEPTH for ref, _ in used):
                span = getattr(where, "name_span", None) or where.span
                found.append(error(TOO_DEEP, None, span, Text("hint.shorter_chain"), depth=depth, limit=MAX_DEPTH))
    return found


def _references(expr: ast.Expr, defines: dict) -> tuple[int, list[tuple[str, int]]]:
    """The nesting depth of `expr` itself, and each definition it names with its level."""
    deepest, used, stack = 0, [], [(expr, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, ast.Name) and node.name in defines:
            used.append((node.name, level))
        for child in ast.children(node):
            stack.append((child, level + 1))
    return deepest, used


def _reason(exc: OSError | ValueError) -> Text:
    """Why a file cannot be read, in a few words (the system's own for an OSError)."""
    if isinstance(exc, UnicodeDecodeError):
        return Text("read.not_utf8")
    return Text("read.os", (("reason", getattr(exc, "strerror", None) or str(exc)),))  # a ValueError: a NUL


def _load(path: Path, program: Program, stack: list[Path], text: str | None, importer: ast.Import | None) -> None:
    where = importer.span if importer else None
    try:
        resolved = path.resolve()
    except RuntimeError:  # Python 3.11's pathlib reports a symlink loop so
        program.diagnostics.append(error("QZ010", span=where, path=path, reason=Text("read.loop")))
        return
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
    if importer is not None and path.suffix != ".qz":
        # Never parse (and so never quote in a diagnostic) a file that is not a policy.
        program.diagnostics.append(error("QZ010", None, where, variant="not_a_policy", path=importer.path))
        return
    if text is None:
        try:
            # An import only inside the confinement; the files the caller named anywhere.
            data = program.confinement.read_bytes(path) if importer else read_regular(path)
            text = decode(data)  # tolerates the BOM some editors write
        except ReadRefused as reason:
            named = Path(importer.path) if importer else path
            program.diagnostics.append(error("QZ010", span=where, path=named, reason=reason.reason))
            return
        program.digests[str(resolved)] = hashlib.sha256(data).hexdigest()
    else:
        program.digests[str(resolved)] = hashlib.sha256(text.encode("utf-8")).hexdigest()
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
        data = program.confinement.read_bytes(source_path)
        text = decode(data)
    except ReadRefused as reason:
        program.diagnostics.append(error("QZ307", None, source.span, variant="unreadable", path=source.path,
                                         reason=reason.reason))
        return None
    program.digests[str(source_path.resolve())] = hashlib.sha256(data).hexdigest()
    return SourceText(text, str(source_path))


def span_of(decl: ast.Decl) -> Span:
    return getattr(decl, "name_span", None) or decl.span
