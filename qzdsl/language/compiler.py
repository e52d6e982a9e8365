"""A checked program -> the compiled `model.Policy` every back end consumes."""

from __future__ import annotations

import datetime as dt
import hashlib

from qzdsl.language import ast
from qzdsl.model import policy as m
from qzdsl.model.dates import last_day_of_period
from qzdsl.language.lowering import Lowerer
from qzdsl.language.program import Entry, Program

_PERIODS_PER = {("years", "years"): 1, ("months", "years"): 12, ("months", "months"): 1, ("years", "months"): None}


def _citations(program: Program, entry_file: ast.PolicyFile, props,
               default_section: str | None) -> tuple[m.Citation, ...]:
    result = []
    for cite in ast.all_of(props, ast.Cite):
        # A reform's quote is found in the text of the file it is written in.
        source = program.official.get(cite.span.file) or program.official.get(entry_file.path)
        line = source.line_of_quote(cite.quote) if source else None
        result.append(m.Citation(cite.section or default_section or "", cite.quote, cite.span, line))
    return tuple(result)


def _ambiguities(props) -> tuple[m.Ambiguity, ...]:
    return tuple(m.Ambiguity(a.question, a.reading, a.span, a.question_en, a.reading_en)
                 for a in ast.all_of(props, ast.Ambiguity))


def _notes(props) -> tuple[str, ...]:
    return tuple(n.text for n in ast.all_of(props, ast.Note))


def _info(program: Program, file: ast.PolicyFile) -> m.PolicyInfo:
    header = program.policy_of(file)
    props = header.props if header else ()

    def date_of(cls):
        prop = ast.first(props, cls)
        return prop.date.value if prop else None

    title = ast.first(props, ast.Title)
    principle = ast.first(props, ast.Principle)
    source = ast.first(props, ast.SourceFile)
    applies = date_of(ast.AppliesFrom) or date_of(ast.InForce) or dt.date.min
    return m.PolicyInfo(
        doc_number=header.doc_number if header else file.path,
        title=title.text if title else "",
        title_en=title.text_en if title else None,
        issued=date_of(ast.Issued),
        in_force=date_of(ast.InForce),
        applies_from=applies,
        principle=principle.name if principle else None,
        source_path=source.path if source else None,
        citations=_citations(program, file, props, None),
        path=file.path,
        notes=_notes(props),
        ambiguities=_ambiguities(props),
    )


def _window(info: m.PolicyInfo, section: ast.SectionDecl | None, program: Program, file) -> m.Window:
    if section is None:
        return m.Window(start=info.applies_from)
    trial = ast.first(section.props, ast.Trial)
    after = ast.first(section.props, ast.AfterTrial)
    if trial is None:
        return m.Window(start=info.applies_from)
    anchors = {"applies_from": info.applies_from, "in_force": info.in_force or info.applies_from}
    start = anchors.get(trial.anchor) or dt.date.fromisoformat(trial.anchor)
    cites = _citations(program, file, section.props, section.ref)
    end = last_day_of_period(start, trial.amount, trial.unit)
    # The other reading of the start: the in-force date for the apply-from date, and back.
    other = {"applies_from": anchors["in_force"], "in_force": anchors["applies_from"]}.get(trial.anchor)
    other_end = last_day_of_period(other, trial.amount, trial.unit) if other else None
    return m.Window(
        start=max(start, info.applies_from),
        end=end,
        other_end=other_end if other_end != end else None,
        after_end=m.AfterEnd(after.mode) if after else m.AfterEnd.STOP,
        # The sentence that sets the trial: an amended one (a reform's) is quoted last.
        provision=next((c for c in reversed(cites) if c.span.file != section.span.file), cites[0]) if cites else None,
    )


def _term_name(props) -> str | None:
    within = ast.first(props, ast.TermRef)
    return within.name.name if within else None


def _term_of(props, program: Program) -> ast.TermDecl | None:
    name = _term_name(props)
    return next((e.decl for e in program.of_type(ast.TermDecl) if e.decl.name == name), None)


def _term(entry: Entry, program: Program) -> m.Term:
    decl: ast.TermDecl = entry.decl
    length, start = ast.first(decl.props, ast.Max), ast.first(decl.props, ast.From)
    return m.Term(
        name=decl.name,
        label=decl.label or decl.name,
        label_en=decl.label_en,
        amount=length.amount,
        unit=length.unit,
        anchor=start.anchor.name,
        citations=_citations(program, entry.file, decl.props, entry.section.ref if entry.section else None),
        notes=_notes(decl.props),
        ambiguities=_ambiguities(decl.props),
        span=decl.name_span,
    )


def _amount(props, term: ast.TermDecl | None = None) -> m.AmountSpec:
    """The clause's amount; within a declared term, its duration and start are the term's."""
    amount = ast.first(props, ast.Amount)
    rule = ast.first(props, ast.Rule)
    anchor = ast.first(props, ast.From) or (ast.first(term.props, ast.From) if term else None)
    if amount is None:
        # Without an amount, `from` still dates the grant: the window is checked on it.
        dated = dict(anchor=anchor.anchor.name, calendar_year=anchor.calendar_year) if anchor else {}
        if rule is not None:
            return m.AmountSpec(kind=m.AmountKind.RULE, rule=rule.text, **dated)
        return m.AmountSpec(kind=m.AmountKind.NONE, **dated)
    if amount.fact is not None:
        # The rate is a fact's value, known per case: `with_rate` fills it in.
        kind = m.AmountKind.UP_TO if amount.bound == "up_to" else m.AmountKind.FIXED
        low = high = None
    elif amount.high is not None:
        kind, low, high = m.AmountKind.RANGE, amount.low.value, amount.high.value
    elif amount.bound == "up_to":
        kind, low, high = m.AmountKind.UP_TO, None, amount.low.value
    elif amount.bound == "at_least":
        kind, low, high = m.AmountKind.AT_LEAST, amount.low.value, None
    else:
        kind, low, high = m.AmountKind.FIXED, amount.low.value, None
    cadence = m.Cadence(amount.cadence or "once")
    cap = ast.first(props, ast.Cap)
    max_prop = ast.first(props, ast.Max) or (ast.first(term.props, ast.Max) if term else None)
    max_periods = None
    if max_prop is not None and cadence != "once":
        per = _PERIODS_PER.get((cadence, max_prop.unit))
        max_periods = max_prop.amount * per if per else None
    return m.AmountSpec(
        kind=kind,
        low=low,
        high=high,
        cadence=cadence,
        per_head=amount.per_head.name if amount.per_head else None,
        cap=cap.amount.value if cap else None,
        cap_scope=m.CapScope(cap.scope) if cap else None,
        max_periods=max_periods,
        max_text=f"{max_prop.amount} {max_prop.unit}" if max_prop else None,
        anchor=anchor.anchor.name if anchor else None,
        calendar_year=bool(anchor and anchor.calendar_year),
        rule=rule.text if rule else None,
        fact=amount.fact.name if amount.fact else None,
    )


def compile_program(program: Program) -> m.Policy:
    """Build the model. The program must have passed `checks.run_checks` without errors."""
    lowerer = Lowerer(program)
    main = program.main
    infos = {f.path: _info(program, f) for f in program.files}

    kinds = {}
    for name, entry in program.kinds.items():
        decl = entry.decl
        kinds[name] = m.Kind(name, decl.label or name, infos[entry.file.path].doc_number, decl.name_span,
                             label_en=decl.label_en, label_zh=decl.label or name)

    needs = {name: m.Need(name, entry.decl.label or name, entry.decl.name_span, entry.decl.label_en)
             for name, entry in program.needs.items()}

    facts = {}
    for name, entry in program.facts.items():
        props = entry.decl.props
        ftype = ast.first(props, ast.FactType)
        of = ast.first(props, ast.Of)
        ask = ast.first(props, ast.Ask)
        facts[name] = m.Fact(
            name=name,
            label=entry.decl.label or name,
            label_en=entry.decl.label_en,
            type=m.Type(ftype.base),
            kinds=tuple(k.name for k in of.kinds),
            members=tuple(m.EnumMember(x.name, x.label or x.name, x.label_en, x.label or x.name)
                          for x in ftype.members),
            question=ask.text if ask else None,
            question_en=ask.text_en if ask else None,
            history=ast.first(props, ast.History) is not None,
            policy=infos[entry.file.path].doc_number,
            span=entry.decl.name_span,
        )

    sections: dict[str, m.Section] = {}
    for entry in program.of_type(ast.SectionDecl):
        decl = entry.decl
        info = infos[entry.file.path]
        lead = ast.first(decl.props, ast.Lead)
        units = ast.first(decl.props, ast.Units)
        trial = ast.first(decl.props, ast.Trial)
        key = m.section_key(info.doc_number, decl.ref, infos[main.path].doc_number)
        sections[key] = m.Section(
            ref=decl.ref,
            title=decl.title,
            title_en=decl.title_en,
            lead=lead.unit if lead else (units.units[0] if units and units.units else None),
            units=units.units if units else (),
            window=_window(info, decl, program, entry.file),
            policy=info.doc_number,
            trial_text=f"{trial.amount} {trial.unit} from {trial.anchor}" if trial else None,
            ambiguities=_ambiguities(decl.props),
            span=decl.name_span,
        )

    clauses = []
    equivalences: dict[str, list[m.Clause]] = {}
    for entry in program.of_type(ast.ClauseDecl):
        clause = _clause(entry, program, lowerer, infos, infos[main.path])
        clauses.append(clause)
        if clause.extends:
            equivalences.setdefault(clause.extends, []).append(clause)

    definitions = {}
    for name, entry in program.defines.items():
        expr = lowerer.definition(name)
        for equivalence in equivalences.get(name, []):
            condition = equivalence.requires
            via = m.Via(equivalence.id, equivalence.beneficiary, condition, text=f"{equivalence.id}: {condition.text}",
                        span=condition.span)
            expr = m.Or((expr, via), text=expr.text, span=expr.span)
        decl = entry.decl
        definitions[name] = m.Definition(
            name=name,
            label=decl.label or name,
            label_en=decl.label_en,
            type=expr.type,
            expr=expr,
            citations=_citations(program, entry.file, decl.props, entry.section.ref if entry.section else None),
            notes=_notes(decl.props),
            ambiguities=_ambiguities(decl.props),
            policy=infos[entry.file.path].doc_number,
            span=decl.name_span,
        )

    targets = tuple(_target(e, program, infos) for e in program.of_type(ast.TargetDecl))
    terms = {e.decl.name: _term(e, program) for e in program.of_type(ast.TermDecl)}
    asides = tuple(
        m.Aside(
            id=e.decl.name,
            title=e.decl.label or e.decl.name,
            title_en=e.decl.label_en,
            reason=ast.first(e.decl.props, ast.Reason).text,
            section=e.section.ref if e.section else "",
            citations=_citations(program, e.file, e.decl.props, e.section.ref if e.section else None),
            policy=infos[e.file.path].doc_number,
            span=e.decl.name_span,
        )
        for e in program.of_type(ast.AsideDecl)
    )
    digest = hashlib.sha256()
    for file in program.files:
        digest.update(file.text.encode("utf-8"))
    main_source = program.official.get(main.path)
    return m.Policy(
        info=infos[main.path],
        imports=tuple(infos[f.path] for f in program.files[:-1]),
        kinds=kinds,
        facts=facts,
        definitions=definitions,
        sections=sections,
        clauses=tuple(clauses),
        targets=targets,
        asides=asides,
        terms=terms,
        sha256=digest.hexdigest(),
        source_text=main_source.text if main_source else None,
        files=dict(program.texts),
        groups=_groups(program, infos),
        needs=needs,
        notes_en=_english_notes(program),
    )


def _english_notes(program: Program) -> dict[str, str]:
    """The English words of every note that declares them (`note "…" en "…"`), by its text."""
    return {prop.text: prop.text_en for entry in program.entries for prop in ast.props_of(entry.decl)
            if isinstance(prop, ast.Note) and prop.text_en}


def _groups(program: Program, infos) -> dict[str, m.Group]:
    """The exclusion groups declared with a label (`group NAME "…"`), first declaration first."""
    groups: dict[str, m.Group] = {}
    for entry in program.of_type(ast.GroupDecl):
        decl = entry.decl
        if decl.name not in groups and decl.label:
            groups[decl.name] = m.Group(decl.name, decl.label, infos[entry.file.path].doc_number, decl.name_span,
                                        label_en=decl.label_en)
    return groups


def _clause(entry: Entry, program: Program, lowerer: Lowerer, infos, main_info: m.PolicyInfo) -> m.Clause:
    decl: ast.ClauseDecl = entry.decl
    props = decl.props
    info = infos[entry.file.path]
    section = entry.section
    cites = _citations(program, entry.file, props, section.ref if section else None)
    requires_prop = ast.first(props, ast.Requires)
    requires = lowerer.expr(requires_prop.expr) if requires_prop else m.Const(True, m.Type.BOOL, "true")
    while_prop = ast.first(props, ast.While)
    once_only = ast.first(props, ast.OnceOnly)
    if once_only is not None:
        requires = _once_only(requires, once_only)
    to = ast.first(props, ast.To)
    grants = ast.first(props, ast.Grants)
    existing = ast.first(props, ast.Existing)
    extends = ast.first(props, ast.Extends)
    channel = ast.first(props, ast.Channel)
    lead = ast.first(section.props, ast.Lead) if section else None
    units = ast.first(section.props, ast.Units) if section else None
    section_ref = section.ref if section else (cites[0].section if cites else "")
    return m.Clause(
        id=decl.name,
        kind=m.ClauseKind(decl.kind),
        title=decl.label or decl.name,
        title_en=decl.label_en,
        policy=info.doc_number,
        section=section_ref,
        section_key=m.section_key(info.doc_number, section_ref, main_info.doc_number),
        section_title=section.title if section else "",
        section_title_en=section.title_en if section else None,
        beneficiary=to.kind.name if to else None,
        requires=requires,
        continuing=lowerer.expr(while_prop.expr) if while_prop else None,
        amount=_amount(props, _term_of(props, program)),
        term=_term_name(props),
        window=_window(info, section, program, entry.file),
        order=entry.order,
        channel=channel.text if channel else None,
        groups=tuple(g.name.name for g in ast.all_of(props, ast.Group)),
        excludes=tuple(x.name.name for x in ast.all_of(props, ast.Excludes)),
        stackable=tuple(x.name.name for x in ast.all_of(props, ast.Stackable)),
        discretionary=ast.first(props, ast.Discretionary) is not None,
        own_balance=ast.first(props, ast.OwnBalance) is not None,
        once_only=once_only.fact.name if once_only else None,
        pays_for=tuple(dict.fromkeys(p.need.name for p in ast.all_of(props, ast.NeedProp))),
        grants=grants.text if grants else None,
        existing=existing.text if existing else None,
        extends=extends.name.name if extends else None,
        citations=cites,
        notes=_notes(props),
        ambiguities=_ambiguities(props),
        lead=lead.unit if lead else (units.units[0] if units and units.units else None),
        span=decl.name_span,
    )


def _once_only(requires: m.Expr, prop: ast.OnceOnly) -> m.Expr:
    """`once_only FACT` compiled into the requirement: `… and not FACT`. Every back end
    then decides it as any condition: the history fact true refuses the clause, unknown
    leaves it undetermined (never silently granted)."""
    name = prop.fact.name
    fact = m.FactRef(name, m.Type.BOOL, name, prop.fact.span)
    never_before = m.Not(fact, text=f"not {name}", span=prop.span)
    if isinstance(requires, m.Const) and requires.value is True:
        return never_before
    operands = requires.operands if isinstance(requires, m.And) else (requires,)
    return m.And((*operands, never_before), text=f"{requires.text} and not {name}", span=requires.span)


def _target(entry: Entry, program: Program, infos) -> m.Target:
    decl: ast.TargetDecl = entry.decl
    props = decl.props
    info = infos[entry.file.path]
    goal = ast.first(props, ast.Goal)
    by = ast.first(props, ast.By)
    within = ast.first(props, ast.Within)
    deadline, text = None, None
    if by is not None and by.date is not None:
        deadline, text = by.date.value, by.date.text
    elif by is not None:
        deadline, text = dt.date(by.year, 12, 31), str(by.year)
    elif within is not None:
        anchors = {"applies_from": info.applies_from, "in_force": info.in_force or info.applies_from}
        anchor = within.anchor or "in_force"
        start = anchors[anchor] if anchor in anchors else dt.date.fromisoformat(anchor)
        deadline = last_day_of_period(start, within.amount, within.unit)
        text = f"within {within.amount} {within.unit} from {anchor}"
    section = entry.section
    lead = ast.first(props, ast.Lead) or (ast.first(section.props, ast.Lead) if section else None)
    units = ast.first(props, ast.Units) or (ast.first(section.props, ast.Units) if section else None)
    return m.Target(
        id=decl.name,
        title=decl.label or decl.name,
        title_en=decl.label_en,
        op=goal.op,
        value=goal.value.value,
        unit=goal.unit,
        deadline=deadline,
        deadline_text=text,
        section=section.ref if section else "",
        lead=lead.unit if lead else (units.units[0] if units and units.units else None),
        units=units.units if units else (),
        citations=_citations(program, entry.file, props, section.ref if section else None),
        policy=info.doc_number,
        notes=_notes(props),
        ambiguities=_ambiguities(props),
        span=decl.name_span,
    )
