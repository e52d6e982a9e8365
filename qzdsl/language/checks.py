"""Semantic checks of a parsed program: small passes, run in the order of `PASSES`.

Each pass is `check_x(program) -> list[Diagnostic]` and reads the AST through the
program's symbol tables; none of them stops the others.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from qzdsl.language import ast
from qzdsl.model import policy as m
from qzdsl.diagnostics import Diagnostic, Text, Word, did_you_mean, error, warning
from qzdsl.language.lowering import YEARS, Lowerer, date_problem, duration_problem, type_word
from qzdsl.language.program import TOO_DEEP, Entry, Program
from qzdsl.money import is_fen_exact
from qzdsl.language.source_text import SourceText, amounts_in, figures_in, squash

# ---- which properties each declaration takes ------------------------------------

_CLAUSE_COMMON = {ast.To, ast.Requires, ast.Group, ast.Excludes, ast.Stackable, ast.Discretionary,
                  ast.Cite, ast.Note, ast.Ambiguity, ast.Channel, ast.NeedProp}
ALLOWED: dict[str, set[type]] = {
    "policy": {ast.Title, ast.SourceFile, ast.Issued, ast.InForce, ast.AppliesFrom, ast.Principle, ast.Cite,
               ast.Note, ast.Ambiguity},
    "section": {ast.Lead, ast.Units, ast.Trial, ast.AfterTrial, ast.Cite, ast.Note, ast.Ambiguity},
    "fact": {ast.FactType, ast.Of, ast.Ask, ast.Note, ast.History},
    "define": {ast.Cite, ast.Note, ast.Ambiguity},
    "benefit": _CLAUSE_COMMON | {ast.Amount, ast.Rule, ast.Cap, ast.Max, ast.From, ast.OwnBalance, ast.OnceOnly,
                                 ast.While, ast.TermRef},
    "entitlement": _CLAUSE_COMMON | {ast.Grants, ast.Amount, ast.Rule, ast.Max, ast.From, ast.OnceOnly, ast.While,
                                     ast.TermRef},
    "reference": _CLAUSE_COMMON | {ast.Existing, ast.Rule},
    "equivalence": _CLAUSE_COMMON | {ast.Extends, ast.Grants},
    "target": {ast.Goal, ast.By, ast.Within, ast.Lead, ast.Units, ast.Cite, ast.Note, ast.Ambiguity},
    "aside": {ast.Reason, ast.Cite, ast.Note},
    "term": {ast.Max, ast.From, ast.Cite, ast.Note, ast.Ambiguity},
}
REPEATABLE = {ast.Cite, ast.Note, ast.Ambiguity, ast.Group, ast.Excludes, ast.Stackable, ast.NeedProp}
# Each inner tuple: one of these is required.
REQUIRED: dict[str, list[tuple[type, ...]]] = {
    "policy": [(ast.Title,), (ast.AppliesFrom,)],
    "fact": [(ast.FactType,), (ast.Of,)],
    "benefit": [(ast.Amount, ast.Rule), (ast.To,), (ast.Cite,)],
    "entitlement": [(ast.Grants,), (ast.To,), (ast.Cite,)],
    "reference": [(ast.Existing,), (ast.To,), (ast.Cite,)],
    "equivalence": [(ast.Extends,), (ast.To,), (ast.Cite,)],
    "target": [(ast.Goal,), (ast.Cite,)],
    "aside": [(ast.Reason,), (ast.Cite,)],
    "term": [(ast.Max,), (ast.From,), (ast.Cite,)],
}
PRINCIPLES = m.PRINCIPLES
AFTER_TRIAL_MODES = ("stop", "continue")
TRIAL_ANCHORS = ("applies_from", "in_force")


def _keyword(decl: ast.Decl) -> str:
    return decl.KEYWORD


def _decl_name(decl: ast.Decl) -> str:
    """What a declaration is called where a message names it: its name, a section's
    reference, the policy's document number."""
    for field in ("name", "ref", "doc_number"):
        value = getattr(decl, field, None)
        if isinstance(value, str):
            return value
    return decl.KEYWORD


def _prop_word(prop_class: type) -> str:
    return prop_class.KEYWORD


# ---- passes ---------------------------------------------------------------------


def check_header(program: Program) -> list[Diagnostic]:
    found = []
    for file in program.files:
        headers = [d for d in file.decls if isinstance(d, ast.PolicyDecl)]
        if not headers:
            first_span = file.decls[0].span if file.decls else None
            found.append(error("QZ110", None, first_span, Text("hint.policy_header"), path=Path(file.path)))
        for extra in headers[1:]:
            found.append(error("QZ102", None, extra.span, variant="second_header"))
    return found


_NAMESPACES = {
    "value": (ast.FactDecl, ast.DefineDecl),
    "clause": (ast.ClauseDecl, ast.TargetDecl, ast.AsideDecl, ast.TermDecl),
    "kind": (ast.KindDecl,),
    "group": (ast.GroupDecl,),
    "need": (ast.NeedDecl,),
}


# Words an expression reads as built-ins: a fact or definition of that name could never be read.
RESERVED_NAMES = ("true", "false", "as_of")


def check_duplicates(program: Program) -> list[Diagnostic]:
    found = []
    for entry in program.entries:
        decl = entry.decl
        if isinstance(decl, (ast.FactDecl, ast.DefineDecl)) and decl.name in RESERVED_NAMES:
            found.append(error("QZ102", None, decl.name_span, Text("hint.another_name"), variant="reserved",
                               name=decl.name, keyword=decl.KEYWORD))
        for prop in ast.props_of(decl):
            if isinstance(prop, ast.FactType):
                found += _repeated([(m.name, m.span) for m in prop.members], "member")
            elif isinstance(prop, ast.Of):
                found += _repeated([(k.name, k.span) for k in prop.kinds], "kind")
    for classes in _NAMESPACES.values():
        seen: dict[str, Entry] = {}
        for entry in program.entries:
            if not isinstance(entry.decl, classes):
                continue
            decl = entry.decl
            first = seen.get(decl.name)
            if first is None:
                seen[decl.name] = entry
                continue
            # Another policy file may repeat a shared fact or kind word for word.
            if first.file is not entry.file and first.decl == decl and isinstance(
                    decl, (ast.FactDecl, ast.KindDecl, ast.GroupDecl, ast.NeedDecl)):
                continue
            found.append(error("QZ102", None, decl.name_span, Text("hint.rename"), variant="redeclared",
                               name=decl.name, at=first.decl.name_span))
    for file in program.files:
        refs: dict[str, ast.SectionDecl] = {}
        for decl in file.decls:
            if isinstance(decl, ast.SectionDecl):
                if decl.ref in refs:
                    found.append(error("QZ102", None, decl.name_span, variant="section", name=decl.ref,
                                       at=refs[decl.ref].span))
                refs.setdefault(decl.ref, decl)
    return found


def _repeated(names: list[tuple[str, object]], what: str) -> list[Diagnostic]:
    """A diagnostic for every name of a list that repeats an earlier one; `what` the list
    holds: "member" (of an enumeration) or "kind" (of applicant)."""
    seen: set[str] = set()
    found = []
    for name, span in names:
        if name in seen:
            found.append(error("QZ102", None, span, Text("hint.remove_one"), variant=f"twice_{what}", name=name))
        seen.add(name)
    return found


def check_properties(program: Program) -> list[Diagnostic]:
    found = []
    for entry in program.entries:
        decl = entry.decl
        keyword = _keyword(decl)
        if keyword not in ALLOWED:
            continue
        props = ast.props_of(decl)
        allowed = ALLOWED[keyword]
        seen: dict[type, ast.Prop] = {}
        for prop in props:
            cls = type(prop)
            if cls not in allowed:
                words = sorted(_prop_word(c) for c in allowed)
                found.append(error("QZ106", None, prop.span,
                                   Text("hint.takes", (("keyword", keyword), ("words", tuple(words)))),
                                   prop=_prop_word(cls), keyword=keyword))
            elif cls in seen and cls not in REPEATABLE:
                found.append(error("QZ107", None, prop.span, Text("hint.first_at", (("at", seen[cls].span),)),
                                   prop=_prop_word(cls)))
            seen.setdefault(cls, prop)
        for options in REQUIRED.get(keyword, []):
            if options == (ast.Cite,) and _textless(program, entry) and ast.first(props, ast.Note):
                continue  # no text to quote: the recorded note says where the rule comes from
            if not any(isinstance(p, options) for p in props):
                span = getattr(decl, "name_span", decl.span)
                if options == (ast.Cite,):
                    found.append(error("QZ306", None, span, keyword=keyword))
                elif len(options) == 1:
                    found.append(error("QZ108", None, span, keyword=keyword, prop=_prop_word(options[0])))
                else:  # one of two
                    first, second = options
                    found.append(error("QZ108", None, span, variant="either", keyword=keyword,
                                       first=_prop_word(first), second=_prop_word(second)))
        if keyword == "benefit" and ast.first(props, ast.Amount) and ast.first(props, ast.Rule):
            found.append(error("QZ106", None, ast.first(props, ast.Rule).span, variant="amount_and_rule"))
    return found


def _textless(program: Program, entry) -> bool:
    """Whether the entry's file names no source text (an existing policy whose text is not
    at hand): its clauses may record a `note` instead of quoting."""
    policy = program.policy_of(entry.file)
    return policy is not None and ast.first(policy.props, ast.SourceFile) is None


def check_kinds(program: Program) -> list[Diagnostic]:
    kinds = program.kinds
    found = []
    for entry in program.entries:
        for prop in ast.props_of(entry.decl):
            names = prop.kinds if isinstance(prop, ast.Of) else (prop.kind,) if isinstance(prop, ast.To) else ()
            for name in names:
                if name.name not in kinds:
                    found.append(error("QZ104", None, name.span, did_you_mean(name.name, kinds)
                                       or Text("hint.declare_kind", (("name", name.name),)), name=name.name))
    return found


def check_keywords(program: Program) -> list[Diagnostic]:
    """Values that must be one of a fixed set of words."""
    found = []
    for entry in program.entries:
        for prop in ast.props_of(entry.decl):
            if isinstance(prop, ast.Principle) and prop.name not in PRINCIPLES:
                found.append(error("QZ109", None, prop.span, did_you_mean(prop.name, PRINCIPLES)
                                   or Text("hint.principles"), variant="principle", name=prop.name))
            elif isinstance(prop, ast.AfterTrial) and prop.mode not in AFTER_TRIAL_MODES:
                found.append(error("QZ109", None, prop.span, did_you_mean(prop.mode, AFTER_TRIAL_MODES)
                                   or Text("hint.after_trial"), variant="after_trial", name=prop.mode))
            elif isinstance(prop, (ast.Trial, ast.Within)) and prop.anchor and prop.anchor not in TRIAL_ANCHORS:
                if ast.DateText(prop.anchor).value is None:
                    found.append(error("QZ109", None, prop.span, did_you_mean(prop.anchor, TRIAL_ANCHORS),
                                       variant="trial" if isinstance(prop, ast.Trial) else "within",
                                       name=prop.anchor))
                elif date_problem(ast.DateText(prop.anchor)):
                    found.append(error("QZ204", date_problem(ast.DateText(prop.anchor)), prop.span))
            if isinstance(prop, (ast.Max, ast.Within, ast.Trial)) and duration_problem(prop.amount, prop.unit):
                found.append(error("QZ206", duration_problem(prop.amount, prop.unit), prop.span))
    return found


def check_dates(program: Program) -> list[Diagnostic]:
    found = []
    for entry in program.entries:
        for prop in ast.props_of(entry.decl):
            date = getattr(prop, "date", None)
            if isinstance(date, ast.DateText) and date_problem(date):
                found.append(error("QZ204", date_problem(date), date.span))
            if isinstance(prop, ast.By) and prop.year is not None and prop.year not in YEARS:
                found.append(error("QZ204", None, prop.span, variant="year", year=prop.year, first=YEARS.start,
                                   last=YEARS.stop - 1))
        policy = entry.decl if isinstance(entry.decl, ast.PolicyDecl) else None
        if policy:
            in_force = ast.first(policy.props, ast.InForce)
            issued = ast.first(policy.props, ast.Issued)
            if in_force and issued and in_force.date.value and issued.date.value and \
                    in_force.date.value < issued.date.value:
                found.append(warning("QZ204", None, in_force.span, variant="in_force_before_issued"))
    return found


def check_sections(program: Program) -> list[Diagnostic]:
    found = []
    for entry in program.entries:
        sections = program.sections_of(entry.file)
        for prop in ast.props_of(entry.decl):
            if isinstance(prop, ast.Cite) and prop.section is not None and prop.section not in sections:
                found.append(error("QZ103", None, prop.span, did_you_mean(prop.section, sections),
                                   name=prop.section))
        decl = entry.decl
        needs_section = isinstance(decl, (ast.ClauseDecl, ast.TargetDecl, ast.AsideDecl))
        if needs_section and entry.section is None:
            cites = ast.all_of(ast.props_of(decl), ast.Cite)
            if not any(c.section for c in cites):
                found.append(error("QZ103", None, decl.name_span, Text("hint.under_section"),
                                   variant="outside", keyword=_keyword(decl)))
    return found


def check_types(program: Program) -> list[Diagnostic]:
    lowerer = Lowerer(program)
    found: list[Diagnostic] = []
    for name in program.defines:
        lowerer.definition(name)
    clause_names = set(program.clauses)
    for entry in program.of_type(ast.ClauseDecl):
        decl = entry.decl
        requires = ast.first(decl.props, ast.Requires)
        if requires:
            lowerer.condition(requires.expr, Text("QZ201.what.requires"))
        continuing = ast.first(decl.props, ast.While)
        if continuing:
            lowered = lowerer.condition(continuing.expr, Text("QZ201.what.while"))
            if lowered is not None:
                found += _as_of_in_while(lowered, lowerer, continuing)
        for prop in decl.props:
            if isinstance(prop, ast.Amount) and prop.fact is not None:
                found += _expect_type(lowerer, prop.fact, m.Type.MONEY, "amount")
            if isinstance(prop, ast.Amount) and prop.per_head is not None:
                found += _expect_type(lowerer, prop.per_head, m.Type.COUNT, "per_head")
            elif isinstance(prop, ast.From):
                found += _expect_type(lowerer, prop.anchor, m.Type.DATE, "from")
            elif isinstance(prop, ast.TermRef):
                found += _check_term_use(program, decl, prop)
            elif isinstance(prop, (ast.Group,)):
                continue
            elif isinstance(prop, (ast.Excludes, ast.Stackable)):
                if prop.name.name not in clause_names:
                    found.append(error("QZ101", None, prop.name.span, did_you_mean(prop.name.name, clause_names),
                                       variant="clause", name=prop.name.name))
                elif prop.name.name == decl.name:
                    found.append(error("QZ201", None, prop.name.span, variant="itself"))
            elif isinstance(prop, ast.NeedProp):
                if prop.need.name not in program.needs:
                    found.append(error("QZ101", None, prop.need.span, did_you_mean(prop.need.name, program.needs),
                                       variant="need", name=prop.need.name))
            elif isinstance(prop, ast.OnceOnly):
                found += _check_once_only(program, decl, prop)
            elif isinstance(prop, ast.Extends):
                target = program.defines.get(prop.name.name)
                if target is None:
                    found.append(error("QZ101", None, prop.name.span, did_you_mean(prop.name.name, program.defines),
                                       variant="definition", name=prop.name.name))
                else:
                    lowered = lowerer.definition(prop.name.name)
                    if lowered is not None and lowered.type is not m.Type.BOOL:
                        found.append(error("QZ201", None, prop.name.span, variant="extends", name=prop.name.name,
                                           type=type_word(lowered.type)))
    return lowerer.diagnostics + found


def _as_of_in_while(expr: m.Expr, lowerer: Lowerer, prop: ast.While) -> list[Diagnostic]:
    """A continuing condition is judged on each period's facts: the evaluation date has no
    meaning there (QZ209), whether written in it or in a definition it uses."""
    for node, owner in m.reach((expr,), lowerer.definition):
        if isinstance(node, m.AsOfRef):
            return [error("QZ209", None, prop.span, Text("hint.QZ209"), name=owner or "while")]
    return []


def _check_once_only(program: Program, decl: ast.ClauseDecl, prop: ast.OnceOnly) -> list[Diagnostic]:
    """`once_only` names a yes/no history fact of the clause's own applicant kind."""
    name, span = prop.fact.name, prop.fact.span
    entry = program.facts.get(name)
    if entry is None:
        return [error("QZ101", None, span, did_you_mean(name, program.facts), variant="fact", name=name)]
    props = entry.decl.props
    ftype = ast.first(props, ast.FactType)
    if ftype is not None and ftype.base != "bool":
        return [error("QZ201", None, span, variant="once_only_type", name=name, type=ftype.base)]
    if ast.first(props, ast.History) is None:
        return [error("QZ201", None, span, Text("hint.once_only_history", (("name", name),)),
                      variant="once_only_history", name=name)]
    to = ast.first(decl.props, ast.To)
    of = ast.first(props, ast.Of)
    kinds = sorted({k.name for k in of.kinds}) if of else []
    if to is not None and of is not None and to.kind.name not in kinds:
        return [error("QZ207", None, span, Text("hint.fact_of", (("kind", to.kind.name),)), name=name,
                      kinds=tuple(kinds), kind=to.kind.name)]
    return []


def _check_term_use(program: Program, decl: ast.ClauseDecl, prop: ast.TermRef) -> list[Diagnostic]:
    """`within TERM` names a declared term; the clause takes its duration and start from it,
    so it writes no `max` of its own, and a `from` of its own names the term's date."""
    terms = {e.decl.name: e.decl for e in program.of_type(ast.TermDecl)}
    term = terms.get(prop.name.name)
    if term is None:
        return [error("QZ101", None, prop.name.span, did_you_mean(prop.name.name, terms), variant="term",
                      name=prop.name.name)]
    own_max = ast.first(decl.props, ast.Max)
    if own_max is not None:
        return [error("QZ201", None, own_max.span, variant="term_max", term=term.name)]
    own_from, term_from = ast.first(decl.props, ast.From), ast.first(term.props, ast.From)
    if own_from is not None and term_from is not None and own_from.anchor.name != term_from.anchor.name:
        return [error("QZ201", None, own_from.span, variant="term_from", term=term.name,
                      anchor=term_from.anchor.name)]
    return []


def _expect_type(lowerer: Lowerer, name: ast.Name, wanted: m.Type, what: str) -> list[Diagnostic]:
    """`name` is of type `wanted`, where property `what` (amount, per_head, from) takes it."""
    before = len(lowerer.diagnostics)
    lowered = lowerer.expr(name)
    if lowered is None or len(lowerer.diagnostics) > before:
        return []
    if lowered.type is not wanted:
        return [error("QZ201", None, name.span, variant="expect", what=Text(f"QZ201.what.{what}"),
                      wanted=type_word(wanted), name=name.name, type=type_word(lowered.type))]
    return []


def check_fact_kinds(program: Program) -> list[Diagnostic]:
    """A clause for one kind of applicant may only ask facts of that kind."""
    lowerer = Lowerer(program)
    facts = {name: e.decl for name, e in program.facts.items()}
    found = []
    for entry in program.of_type(ast.ClauseDecl):
        to = ast.first(entry.decl.props, ast.To)
        for requires in (ast.first(entry.decl.props, ast.Requires), ast.first(entry.decl.props, ast.While)):
            if to is None or requires is None or to.kind.name not in program.kinds:
                continue  # an unknown kind is reported by check_kinds
            found += _facts_of_kind(requires, to, lowerer, facts)
    return found


def _facts_of_kind(requires: ast.Requires | ast.While, to: ast.To, lowerer: Lowerer, facts: dict) \
        -> list[Diagnostic]:
    found = []
    expr = lowerer.expr(requires.expr)
    if expr is not None:
        for name in sorted(_facts_used(expr, lowerer)):
            of = ast.first(facts[name].props, ast.Of)
            kinds = {k.name for k in of.kinds} if of else set()
            if of and to.kind.name not in kinds:
                listed = tuple(sorted(kinds))
                hint = Text("hint.fact_of_or_grant", (("kind", to.kind.name), ("kinds", listed)))
                found.append(error("QZ207", None, requires.span, hint, name=name, kinds=listed, kind=to.kind.name))
    return found


def _facts_used(expr: m.Expr, lowerer: Lowerer) -> set[str]:
    return set(m.facts_reached(m.reach((expr,), lowerer.definition)))


def check_amounts(program: Program) -> list[Diagnostic]:
    found = []
    for entry in program.of_type(ast.ClauseDecl):
        props = entry.decl.props
        amount = ast.first(props, ast.Amount)
        cap = ast.first(props, ast.Cap)
        for money in (amount.low if amount else None, amount.high if amount else None, cap.amount if cap else None):
            if money is not None and not is_fen_exact(money.value):
                found.append(error("QZ203", None, money.span, Text("hint.fen"), variant="fen", text=money.text))
        if amount:
            for money in (amount.low, amount.high):
                if money is not None and money.value <= 0:
                    found.append(error("QZ203", None, money.span, variant="positive"))
            if amount.high is not None and amount.bound is not None:
                found.append(error("QZ203", None, amount.span, variant="range_bound"))
            if amount.fact is not None and amount.bound == "at_least":
                found.append(error("QZ203", None, amount.span, variant="fact_at_least"))
            if amount.high is not None and amount.high.value < amount.low.value:
                found.append(error("QZ203", None, amount.span,
                                   Text("hint.range_order", (("low", amount.low.text), ("high", amount.high.text))),
                                   variant="backwards", low=amount.low.text, high=amount.high.text))
            cadence = amount.cadence or "once"
            # The grammar reads 'per day', but payouts are scheduled once, yearly or monthly.
            if cadence == "days":
                found.append(error("QZ203", None, amount.span, variant="per_day"))
            if cap and cap.scope == "days":
                found.append(error("QZ203", None, cap.span, variant="cap_per_day"))
            elif cap and cap.scope != "total" and cap.scope != cadence and cadence != "days":
                paid, capped = Word(f"cadence.{cadence}"), Word(f"cadence.{cap.scope}")
                found.append(error("QZ202", None, cap.span, Text("hint.cap_period", (("paid", paid),)),
                                   variant="cap", paid=paid, cap=capped))
            if cap and cap.amount.value <= 0:
                found.append(error("QZ203", None, cap.amount.span, variant="cap_positive"))
            max_prop = ast.first(props, ast.Max)
            if max_prop and cadence == "once":
                found.append(warning("QZ202", None, max_prop.span, variant="once_max"))
            if max_prop and cadence == "years" and max_prop.unit != "years":
                found.append(error("QZ202", None, max_prop.span, variant="yearly_max"))
            if max_prop and cadence == "months" and max_prop.unit == "days":
                found.append(error("QZ202", None, max_prop.span, variant="monthly_max"))
        elif cap:
            found.append(error("QZ203", None, cap.span, variant="cap_without_amount"))
    return found


def check_citations(program: Program) -> list[Diagnostic]:
    """Every quote occurs in the official text of the file it is written in, inside the
    section it is cited under. (A reform's amendment quotes its own text: its quotes are
    written in the reform's file, though the clause they amend stands in the policy's.)"""
    found = []
    by_path = {file.path: file for file in program.files}
    for file in program.files:
        source = program.official.get(file.path)
        cites = [(e, c) for e in program.entries for c in ast.all_of(ast.props_of(e.decl), ast.Cite)
                 if by_path.get(c.span.file, e.file) is file]
        policy = program.policy_of(file)
        named = policy is not None and ast.first(policy.props, ast.SourceFile) is not None
        if source is None:
            if cites and not named:  # a named but unreadable source is reported where it is read
                found.append(warning("QZ307", None, policy.span if policy else None, Text("hint.source"),
                                     variant="unnamed"))
            continue
        sections = program.sections_of(file)
        titles = [s.title for s in sections.values()]
        for entry, cite in cites:
            offset = source.find(cite.quote)
            if offset < 0:
                found.append(error("QZ301", None, cite.span, _closest(source, cite.quote)))
                continue
            ref = cite.section or (entry.section.ref if entry.section else None)
            section = sections.get(ref) if ref and entry.file is file else None
            if section is None:
                continue
            region = source.region(section.title, titles)
            if region is None:
                found.append(warning("QZ302", None, section.span, variant="heading", ref=section.ref,
                                     title=section.title))
            elif source.find(cite.quote, region[0], region[1]) < 0:
                found.append(warning("QZ302", None, cite.span,
                                     Text("hint.quote_line", (("line", source.line_at(offset)),)), ref=ref))
    return _unique(found)


def _closest(source: SourceText, quote: str) -> Text | None:
    """Where the longest matching prefix of the quote stops matching, as a hint."""
    needle = squash(quote)
    low, high = 0, len(needle)
    while low < high:
        mid = (low + high + 1) // 2
        if source.find(needle[:mid]) >= 0:
            low = mid
        else:
            high = mid - 1
    if low < 2:
        return None
    offset = source.find(needle[:low])
    actual = source.squashed[offset + low: offset + low + 12]
    return Text("hint.closest", (("matched", needle[max(0, low - 8):low]), ("actual", actual),
                                 ("line", source.line_at(offset))))


def check_amount_in_quote(program: Program) -> list[Diagnostic]:
    """Every amount a clause pays and every target figure appears in its quotes."""
    found = []
    for entry in program.entries:
        props = ast.props_of(entry.decl)
        quotes = " ".join(c.quote for c in ast.all_of(props, ast.Cite))
        if not quotes:
            continue
        if isinstance(entry.decl, ast.ClauseDecl):
            written = set(amounts_in(quotes))
            moneys = []
            amount = ast.first(props, ast.Amount)
            if amount and amount.low is not None:
                moneys += [amount.low] + ([amount.high] if amount.high else [])
            cap = ast.first(props, ast.Cap)
            if cap:
                moneys.append(cap.amount)
            for money in moneys:
                if money.value not in written:
                    hint = Text("hint.amounts_quoted", (("amounts", tuple(f"{v}元" for v in sorted(written))),)) \
                        if written else Text("hint.no_amounts_quoted")
                    found.append(error("QZ303", None, money.span, hint, variant="amount", text=money.text,
                                       value=money.value))
        elif isinstance(entry.decl, ast.TargetDecl):
            goal = ast.first(props, ast.Goal)
            if goal and goal.value.value not in set(figures_in(quotes)):
                found.append(error("QZ303", None, goal.value.span, variant="figure", text=goal.value.text))
    return found


def check_coverage(program: Program) -> list[Diagnostic]:
    """Source sentences that grant or mention money must be cited by some declaration."""
    found = []
    main = program.main if program.files else None
    if main is None:
        return []
    source = program.official.get(main.path)
    if source is None:
        return []
    cited: dict[int, list[tuple[int, int, Entry]]] = defaultdict(list)
    for entry in program.entries:
        for cite in ast.all_of(ast.props_of(entry.decl), ast.Cite):
            if cite.span.file != main.path and entry.file is not main:
                continue  # quoted in another file's text (an amendment quotes its reform's)
            start = source.find(cite.quote)
            if start < 0:
                continue
            end = start + len(squash(cite.quote))
            for sentence in source.sentences_overlapping(start, end):
                cited[sentence.index].append((start, end, entry))
    # The policy's `source` property names the text these warnings are about.
    span = ast.first(program.policy_of(main).props, ast.SourceFile).span
    for sentence in source.sentences:
        if not sentence.mentions_payout:
            continue
        if sentence.index not in cited:
            preview = sentence.text if len(sentence.text) <= 40 else sentence.text[:40] + "…"
            found.append(warning("QZ304", None, span, Text("hint.uncited"), line=sentence.line, preview=preview))
            continue
        encoded: set[Decimal] = set()
        for _, _, entry in cited[sentence.index]:
            encoded |= _encoded_amounts(entry.decl)
        missing = [v for v in amounts_in(sentence.text) if v not in encoded]
        if missing:
            found.append(warning("QZ305", None, span, Text("hint.unencoded"), line=sentence.line,
                                 amounts=tuple(f"{v}元" for v in missing)))
    return found


def _encoded_amounts(decl: ast.Decl) -> set[Decimal]:
    props = ast.props_of(decl)
    values: set[Decimal] = set()
    if isinstance(decl, ast.AsideDecl):
        quotes = " ".join(c.quote for c in ast.all_of(props, ast.Cite))
        return set(amounts_in(quotes))  # an aside accounts for what it quotes
    for prop in props:
        if isinstance(prop, ast.Amount) and prop.low is not None:
            values.add(prop.low.value)
            if prop.high:
                values.add(prop.high.value)
        elif isinstance(prop, ast.Cap):
            values.add(prop.amount.value)
        elif isinstance(prop, (ast.Requires, ast.While)):
            values |= {n.value for n in _numbers(prop.expr)}
    return values


def _numbers(expr: ast.Expr):
    if isinstance(expr, ast.Number):
        yield expr
    for child in vars(expr).values():
        if isinstance(child, tuple):
            for item in child:
                if hasattr(item, "span"):
                    yield from _numbers(item)
        elif hasattr(child, "span") and not isinstance(child, (str, int)):
            yield from _numbers(child)


def check_labels(program: Program) -> list[Diagnostic]:
    """Every name a person will read has a label: reports show labels, never identifiers,
    so an unlabelled declaration would surface as code in a lawyer's report. An exclusion
    group is named in the audit by the label of its `group NAME "…"` declaration."""
    found = []
    for entry in program.entries:
        decl = entry.decl
        if hasattr(decl, "label") and hasattr(decl, "name_span") and not decl.label:
            named = (("keyword", _keyword(decl)), ("name", decl.name))
            found.append(warning("QZ111", Text("QZ111", named), decl.name_span, Text("hint.label", named)))
        fact_type = ast.first(ast.props_of(decl), ast.FactType) if isinstance(decl, ast.FactDecl) else None
        for member in getattr(fact_type, "members", ()) or ():
            if not member.label:
                found.append(warning("QZ111", Text("QZ111.member", (("name", member.name),)), member.span,
                                     Text("hint.label_member", (("name", member.name),))))
    declared = {e.decl.name for e in program.of_type(ast.GroupDecl) if e.decl.label}
    named: set[str] = set()
    for entry in program.entries:
        for prop in ast.all_of(ast.props_of(entry.decl), ast.Group):
            name = prop.name.name
            if name not in declared and name not in named:
                named.add(name)
                found.append(warning("QZ111", Text("QZ111.group", (("name", name),)), prop.name.span,
                                     Text("hint.label", (("keyword", "group"), ("name", name)))))
    return found


def check_english_labels(program: Program) -> list[Diagnostic]:
    """Every label, section title, question, note and recorded reading has English words
    (`en "…"`): run when English output is asked for (`qzdsl check --english`), since a
    policy read only in Chinese is complete without them. A declaration without any label
    is QZ111's."""
    found = []

    def missing(what: str | Text, name: str, span, shape: str, code: str = "QZ113") -> None:
        key = code if code == "QZ113" else f"{code}.{what}"
        found.append(warning(code, Text(key, (("what", what), ("name", name))), span,
                             Text("hint.english", (("shape", shape),))))

    for entry in program.entries:
        decl = entry.decl
        if isinstance(decl, ast.SectionDecl) and decl.title_en is None:
            missing("section", decl.ref, decl.name_span, f'section "{decl.ref}" "{decl.title}" en "…"')
        elif getattr(decl, "label", None) and hasattr(decl, "name_span") and decl.label_en is None:
            missing(_keyword(decl), decl.name, decl.name_span, f'{_keyword(decl)} {decl.name} "{decl.label}" en "…"')
        for prop in ast.props_of(decl):
            if isinstance(prop, ast.Ask) and prop.text_en is None:
                missing("ask", getattr(decl, "name", ""), prop.span, 'ask "…" en "…"')
            elif isinstance(prop, ast.Note) and prop.text_en is None:
                missing("note", _decl_name(decl), prop.span, 'note "…" en "…"', "QZ114")
            elif isinstance(prop, ast.Ambiguity) and (prop.question_en is None or prop.reading_en is None):
                missing("ambiguity", _decl_name(decl), prop.span, 'ambiguity "…" en "…" reading "…" en "…"', "QZ114")
            elif isinstance(prop, ast.Title) and prop.text_en is None:
                missing("title", getattr(decl, "doc_number", ""), prop.span, 'title "…" en "…"')
            elif isinstance(prop, ast.FactType):
                for member in prop.members:
                    if member.label and member.label_en is None:
                        missing(Text("QZ113.what.member"), member.name, member.span,
                                f'{member.name} "{member.label}" en "…"')
    return found


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


PASSES = (
    check_header,
    check_duplicates,
    check_properties,
    check_kinds,
    check_keywords,
    check_dates,
    check_sections,
    check_types,
    check_fact_kinds,
    check_amounts,
    check_citations,
    check_amount_in_quote,
    check_coverage,
    check_labels,
)


def run_checks(program: Program, english: bool = False) -> list[Diagnostic]:
    """All diagnostics of a program: syntax and I/O first, then every pass, sorted;
    `english`: also that everything a reader sees has English words (QZ113)."""
    found = list(program.diagnostics)
    if any(d.code == TOO_DEEP for d in found):  # every pass would recurse past Python's limit
        return sorted(_unique(found), key=Diagnostic.sort_key)
    for check in PASSES + ((check_english_labels,) if english else ()):
        found.extend(check(program))
    return sorted(_unique(found), key=Diagnostic.sort_key)
