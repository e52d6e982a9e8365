"""Text -> typed AST: the Lark LALR parser, its Transformer, and syntax errors for people."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lark import Lark, Token, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive

from qzdsl.language import ast
from qzdsl.diagnostics import Diagnostic, QzError, Span, Text, did_you_mean, error, lines_of
from qzdsl.resources import grammar_path
from qzdsl.money import parse_number

_DECL_START = re.compile(
    r"^(import|policy|kind|section|fact|define|benefit|entitlement|reference|equivalence|target|aside|term"
    r"|amend|replace|repeal|group)\b",
    re.MULTILINE,
)
_UNIT = {"year": "years", "years": "years", "month": "months", "months": "months", "day": "days", "days": "days"}


@lru_cache(maxsize=1)
def _lark() -> Lark:
    # cache=True stores the analysed LALR tables in the temp dir: start-up stays fast.
    grammar = grammar_path().read_text(encoding="utf-8")
    keywords = {word.upper() for word in re.findall(r'"([a-z_]+)"', grammar)}
    return Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,
        lexer_callbacks={name: _keyword_ends_a_word for name in keywords},
    )


class GluedKeyword(UnexpectedInput):
    """A keyword run into the word after it (`toperson`, `a orx`).

    Where no name may stand, Lark's contextual lexer would take the keyword's letters and
    leave the rest for the next token, silently reading `toperson` as `to person`."""

    def __init__(self, token: Token, word: str):
        self.token, self.word = token, word
        self.line, self.column, self.pos_in_stream = token.line, token.column, token.start_pos
        super().__init__()


_text_being_lexed = ""


def _keyword_ends_a_word(token: Token) -> Token:
    text, end = _text_being_lexed, token.end_pos
    if end is not None and end < len(text) and (text[end].isalnum() or text[end] == "_"):
        word = re.match(r"\w+", text[token.start_pos:]).group()
        raise GluedKeyword(token, word)
    return token


def _unquote(token: Token) -> str:
    return re.sub(r"\\(.)", r"\1", str(token)[1:-1])


class _ToAst(Transformer_NonRecursive):
    """Builds `ast` nodes; every node gets the span of the text it came from. It walks the
    tree without recursion: `a and b and …` parses to a tree as deep as it is long."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    # ---- spans ---------------------------------------------------------
    def _span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 0, 0, 0, 0)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, token: Token) -> Span:
        return Span(self.file, token.line, token.column, token.end_line, token.end_column)

    def _name(self, token: Token) -> ast.Name:
        return ast.Name(str(token), self._tok(token))

    def _money(self, token: Token) -> ast.Money:
        return ast.Money(parse_number(str(token)), str(token), self._tok(token))

    def _date(self, token: Token) -> ast.DateText:
        return ast.DateText(str(token), self._tok(token))

    @staticmethod
    def _str(token: Token | None) -> str | None:
        return None if token is None else _unquote(token)

    # ---- declarations --------------------------------------------------
    @v_args(meta=True)
    def start(self, meta, children):
        return list(children)

    @v_args(meta=True)
    def import_decl(self, meta, c):
        return ast.Import(_unquote(c[0]), self._span(meta))

    @v_args(meta=True)
    def policy_decl(self, meta, c):
        return ast.PolicyDecl(_unquote(c[0]), tuple(c[1:]), self._span(meta))

    def english(self, c):
        return _unquote(c[0])

    @v_args(meta=True)
    def kind_decl(self, meta, c):
        return ast.KindDecl(str(c[0]), self._str(c[1]), self._span(meta), self._tok(c[0]), label_en=c[2])

    @v_args(meta=True)
    def group_decl(self, meta, c):
        return ast.GroupDecl(str(c[0]), self._str(c[1]), self._span(meta), self._tok(c[0]), label_en=c[2])

    @v_args(meta=True)
    def need_decl(self, meta, c):
        return ast.NeedDecl(str(c[0]), self._str(c[1]), self._span(meta), self._tok(c[0]), label_en=c[2])

    @v_args(meta=True)
    def section_decl(self, meta, c):
        props = tuple(p for p in c[3:] if p is not None)
        return ast.SectionDecl(_unquote(c[0]), _unquote(c[1]), props, self._span(meta), self._tok(c[0]),
                               title_en=c[2])

    def _named(self, cls, meta, c):
        return cls(str(c[0]), self._str(c[1]), tuple(c[3:]), self._span(meta), self._tok(c[0]), label_en=c[2])

    @v_args(meta=True)
    def fact_decl(self, meta, c):
        return self._named(ast.FactDecl, meta, c)

    @v_args(meta=True)
    def target_decl(self, meta, c):
        return self._named(ast.TargetDecl, meta, c)

    @v_args(meta=True)
    def aside_decl(self, meta, c):
        return self._named(ast.AsideDecl, meta, c)

    @v_args(meta=True)
    def term_decl(self, meta, c):
        return self._named(ast.TermDecl, meta, c)

    @v_args(meta=True)
    def term_prop(self, meta, c):
        return ast.TermRef(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def define_decl(self, meta, c):
        return ast.DefineDecl(str(c[0]), self._str(c[1]), c[3], tuple(c[4:]), self._span(meta), self._tok(c[0]),
                              label_en=c[2])

    @v_args(meta=True)
    def amend_decl(self, meta, c):
        return dataclasses.replace(c[1], mode=str(c[0]), span=self._span(meta))

    @v_args(meta=True)
    def clause_decl(self, meta, c):
        return ast.ClauseDecl(str(c[0]), str(c[1]), self._str(c[2]), tuple(c[4:]), self._span(meta), self._tok(c[1]),
                              label_en=c[3])

    # ---- properties ----------------------------------------------------
    @v_args(meta=True)
    def title_prop(self, meta, c):
        return ast.Title(_unquote(c[0]), self._span(meta), c[1])

    @v_args(meta=True)
    def source_prop(self, meta, c):
        return ast.SourceFile(_unquote(c[0]), self._span(meta))

    @v_args(meta=True)
    def issued_prop(self, meta, c):
        return ast.Issued(self._date(c[0]), self._span(meta))

    @v_args(meta=True)
    def in_force_prop(self, meta, c):
        return ast.InForce(self._date(c[0]), self._span(meta))

    @v_args(meta=True)
    def applies_from_prop(self, meta, c):
        return ast.AppliesFrom(self._date(c[0]), self._span(meta))

    @v_args(meta=True)
    def principle_prop(self, meta, c):
        return ast.Principle(str(c[0]), self._span(meta))

    @staticmethod
    def _unit_text(token: Token) -> str:
        return _unquote(token) if token.type == "STRING" else str(token)

    @v_args(meta=True)
    def lead_prop(self, meta, c):
        return ast.Lead(self._unit_text(c[0]), self._span(meta))

    @v_args(meta=True)
    def units_prop(self, meta, c):
        return ast.Units(tuple(self._unit_text(t) for t in c if t is not None), self._span(meta))

    @v_args(meta=True)
    def trial_prop(self, meta, c):
        return ast.Trial(int(c[0]), _UNIT[str(c[1])], str(c[2]), self._span(meta))

    @v_args(meta=True)
    def after_trial_prop(self, meta, c):
        return ast.AfterTrial(str(c[0]), self._span(meta))

    @v_args(meta=True)
    def type_prop(self, meta, c):
        return ast.FactType(str(c[0]), (), self._span(meta))

    @v_args(meta=True)
    def enum_type(self, meta, c):
        return ast.FactType("enum", tuple(c), self._span(meta))

    @v_args(meta=True)
    def enum_member(self, meta, c):
        return ast.EnumMember(str(c[0]), self._str(c[1]), self._span(meta), c[2])

    @v_args(meta=True)
    def of_prop(self, meta, c):
        return ast.Of(tuple(self._name(t) for t in c), self._span(meta))

    @v_args(meta=True)
    def ask_prop(self, meta, c):
        return ast.Ask(_unquote(c[0]), self._span(meta), c[1])

    def up_to(self, _):
        return "up_to"

    def at_least(self, _):
        return "at_least"

    def money(self, c):
        return self._money(c[0])

    def once(self, _):
        return "once"

    def total(self, _):
        return "total"

    def per(self, c):
        return _UNIT[str(c[0])]

    def per_head(self, c):
        return self._name(c[0])

    @v_args(meta=True)
    def amount_prop(self, meta, c):
        bound, low, high, cadence, per_head = c
        return ast.Amount(bound, low, high, cadence, per_head, self._span(meta))

    @v_args(meta=True)
    def fact_amount_prop(self, meta, c):
        bound, fact, cadence, per_head = c
        return ast.Amount(bound, None, None, cadence, per_head, self._span(meta), self._name(fact))

    @v_args(meta=True)
    def rule_prop(self, meta, c):
        return ast.Rule(_unquote(c[0]), self._span(meta))

    @v_args(meta=True)
    def cap_prop(self, meta, c):
        return ast.Cap(c[0], c[1], self._span(meta))

    @v_args(meta=True)
    def max_prop(self, meta, c):
        return ast.Max(int(c[0]), _UNIT[str(c[1])], self._span(meta))

    @v_args(meta=True)
    def from_date(self, meta, c):
        return ast.From(self._name(c[0]), False, self._span(meta))

    @v_args(meta=True)
    def from_year(self, meta, c):
        return ast.From(self._name(c[0]), True, self._span(meta))

    @v_args(meta=True)
    def to_prop(self, meta, c):
        return ast.To(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def channel_prop(self, meta, c):
        return ast.Channel(_unquote(c[0]), self._span(meta))

    @v_args(meta=True)
    def requires_prop(self, meta, c):
        return ast.Requires(c[0], self._span(meta))

    @v_args(meta=True)
    def while_prop(self, meta, c):
        return ast.While(c[0], self._span(meta))

    @v_args(meta=True)
    def group_prop(self, meta, c):
        return ast.Group(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def excludes_prop(self, meta, c):
        return ast.Excludes(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def stackable_prop(self, meta, c):
        return ast.Stackable(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def discretionary_prop(self, meta, c):
        return ast.Discretionary(self._span(meta))

    @v_args(meta=True)
    def own_balance_prop(self, meta, c):
        return ast.OwnBalance(self._span(meta))

    @v_args(meta=True)
    def once_only_prop(self, meta, c):
        return ast.OnceOnly(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def need_prop(self, meta, c):
        return ast.NeedProp(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def history_prop(self, meta, c):
        return ast.History(self._span(meta))

    @v_args(meta=True)
    def grants_prop(self, meta, c):
        return ast.Grants(_unquote(c[0]), self._span(meta))

    @v_args(meta=True)
    def existing_prop(self, meta, c):
        return ast.Existing(_unquote(c[0]), self._span(meta))

    @v_args(meta=True)
    def extends_prop(self, meta, c):
        return ast.Extends(self._name(c[0]), self._span(meta))

    @v_args(meta=True)
    def cite_prop(self, meta, c):
        return ast.Cite(_unquote(c[0]), self._str(c[1]), self._span(meta))

    @v_args(meta=True)
    def note_prop(self, meta, c):
        return ast.Note(_unquote(c[0]), self._span(meta), c[1])

    @v_args(meta=True)
    def ambiguity_prop(self, meta, c):
        return ast.Ambiguity(_unquote(c[0]), _unquote(c[2]), self._span(meta), c[1], c[3])

    def quantity(self, c):
        token, unit = (c[0], c[1] if len(c) > 1 else None)
        if token.type == "PERCENT":
            return ast.Money(Decimal(str(token)[:-1]), str(token), self._tok(token)), "%"
        return self._money(token), None if unit is None else str(unit)

    @v_args(meta=True)
    def goal_prop(self, meta, c):
        value, unit = c[1]
        return ast.Goal(str(c[0]), value, unit, self._span(meta))

    @v_args(meta=True)
    def by_prop(self, meta, c):
        token = c[0]
        if token.type == "DATE":
            return ast.By(self._date(token), None, self._span(meta))
        return ast.By(None, int(token), self._span(meta))

    @v_args(meta=True)
    def within_prop(self, meta, c):
        anchor = None if c[2] is None else str(c[2])
        return ast.Within(int(c[0]), _UNIT[str(c[1])], anchor, self._span(meta))

    @v_args(meta=True)
    def reason_prop(self, meta, c):
        return ast.Reason(_unquote(c[0]), self._span(meta))

    # ---- expressions ---------------------------------------------------
    def _flatten(self, op, meta, c):
        operands = []
        for child in c:
            if isinstance(child, ast.BoolOp) and child.op == op:
                operands.extend(child.operands)
            else:
                operands.append(child)
        return ast.BoolOp(op, tuple(operands), self._span(meta))

    @v_args(meta=True)
    def or_(self, meta, c):
        return self._flatten("or", meta, c)

    @v_args(meta=True)
    def and_(self, meta, c):
        return self._flatten("and", meta, c)

    @v_args(meta=True)
    def not_(self, meta, c):
        return ast.Not(c[0], self._span(meta))

    @v_args(meta=True)
    def compare(self, meta, c):
        return ast.Compare(str(c[1]), c[0], c[2], self._span(meta))

    @v_args(meta=True)
    def member(self, meta, c):
        return ast.Member(c[0], tuple(self._name(t) for t in c[1:]), False, self._span(meta))

    @v_args(meta=True)
    def not_member(self, meta, c):
        return ast.Member(c[0], tuple(self._name(t) for t in c[1:]), True, self._span(meta))

    @v_args(meta=True)
    def arith(self, meta, c):
        return ast.Arith(str(c[1]), c[0], c[2], self._span(meta))

    def name(self, c):
        return self._name(c[0])

    def number(self, c):
        return ast.Number(parse_number(str(c[0])), str(c[0]), self._tok(c[0]))

    def date(self, c):
        return ast.DateLit(self._date(c[0]), self._tok(c[0]))

    @v_args(meta=True)
    def duration(self, meta, c):
        return ast.Duration(int(c[0]), _UNIT[str(c[1])], self._span(meta))

    @v_args(meta=True)
    def true(self, meta, c):
        return ast.Bool(True, self._span(meta))

    @v_args(meta=True)
    def false(self, meta, c):
        return ast.Bool(False, self._span(meta))

    @v_args(meta=True)
    def as_of(self, meta, c):
        return ast.AsOf(self._span(meta))


# ---- syntax errors -----------------------------------------------------------

# The grammar's terminals a message names in words (templates `syntax.<terminal>` in
# `codes.MESSAGES`); punctuation and keywords are shown as written.
_WORDED_TERMINALS = frozenset({"NAME", "STRING", "DATE", "INT", "NUMBER", "PERCENT", "PERIOD_UNIT", "CMP_OP",
                               "ADD_OP", "BASE_TYPE", "CLAUSE_KIND", "$END"})
_PUNCTUATION = {"COMMA": ",", "COLON": ":", "LPAR": "(", "RPAR": ")", "LBRACE": "{", "RBRACE": "}", "LSQB": "[",
                "RSQB": "]"}

_DECL_KEYWORDS = ("IMPORT", "POLICY", "KIND", "SECTION", "FACT", "DEFINE", "CLAUSE_KIND", "TARGET", "ASIDE",
                  "AMEND_MODE", "GROUP")


def _word(terminal: str) -> Text:
    if terminal in _WORDED_TERMINALS:
        return Text("syntax." + ("end" if terminal == "$END" else terminal.lower()))
    return Text("syntax.keyword", (("word", _PUNCTUATION.get(terminal, terminal.lower())),))


def _expected_words(expected: set[str]) -> tuple[Text | str, ...]:
    """What the parser expected, in words, in the order of their English (a message lists
    them with the reader's separator)."""
    worded = {_word(t) for t in expected if not t.startswith("__")}
    words: list[Text | str] = sorted(worded, key=lambda w: w.render("en"))
    # 'group' is also a property: it alone does not say a declaration may start here.
    if any(t in expected for t in _DECL_KEYWORDS if t != "GROUP") and len(words) > 6:
        return (Text("syntax.property_or_declaration"),)
    if "CITE" in expected and len(words) > 6:  # every declaration with properties takes 'cite'
        return (Text("syntax.property"),)
    if len(words) > 8:
        words = words[:8] + ["…"]
    return tuple(words)


def _syntax_diagnostic(exc: UnexpectedInput, file: str, text: str, last_chunk: bool = True) -> Diagnostic:
    if isinstance(exc, GluedKeyword):
        keyword, rest = str(exc.token), exc.word[len(str(exc.token)):]
        span = Span(file, exc.line, exc.column, exc.line, exc.column + len(exc.word))
        return error("QZ001", None, span, Text("hint.glued", (("keyword", keyword), ("rest", rest))),
                     variant="glued", word=exc.word, keyword=keyword)
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        span = Span.point(file, exc.line, exc.column)
        if char == '"':
            return error("QZ002", None, span, Text("hint.close_string"), variant="unterminated")
        hint = Text("hint.ascii_quotes") if char in "“”" else None
        return error("QZ002", None, span, hint, char=char)
    if isinstance(exc, UnexpectedEOF):
        lines = lines_of(text.rstrip())
        span = Span.point(file, len(lines), len(lines[-1]) + 1)
        return error("QZ003", None, span, expected=_expected_words(set(exc.expected)))
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    if token.type == "$END":
        lines = lines_of(text.rstrip())
        span = Span.point(file, len(lines), len(lines[-1]) + 1)
        return error("QZ003", None, span, None if last_chunk else Text("hint.incomplete_declaration"),
                     variant="" if last_chunk else "declaration", expected=_expected_words(set(exc.expected)))
    span = Span(file, token.line, token.column, token.end_line or token.line,
                token.end_column or token.column + len(str(token)))
    expected = set(exc.expected)
    hint = None
    if "COMMA" in expected and token.type not in ("COMMA",):
        hint = Text("hint.missing_comma")
    elif "COLON" in expected:
        hint = Text("hint.missing_colon")
    if token.type == "NAME":
        hint = did_you_mean(str(token), _keywords(expected)) or hint
    if token.type == "NAME" and _CHINESE_NUMERAL.fullmatch(str(token)):
        hint = Text("hint.digits")
    if token.type == "NAME" and str(token) in _RESERVED_HINT_WORDS:
        hint = Text("hint.keyword_here", (("word", str(token)),))
    if str(token) == "-" and ({"NUMBER", "INT"} & expected) and text[token.end_pos:token.end_pos + 1].isdigit():
        return error("QZ203", None, span, Text("hint.positive"), variant="negative")
    return error("QZ001", None, span, hint, variant="unexpected", token=str(token), expected=_expected_words(expected))


def _keywords(expected: set[str]) -> set[str]:
    """The keywords among the expected terminals: a misspelled one is a likely cause."""
    words = {t.lower() for t in expected if t not in _WORDED_TERMINALS and t not in _PUNCTUATION and t.isupper()
             and not t.startswith("_")}
    return words | (set(ast.CLAUSE_KINDS) if "CLAUSE_KIND" in expected else set())


_CHINESE_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+元?")

# Names that authors commonly mistype as properties.
_RESERVED_HINT_WORDS = frozenset({"requires", "cite", "group"})


def _parse_tree(text: str, file: str):
    global _text_being_lexed
    _text_being_lexed = text
    return _ToAst(file).transform(_lark().parse(text))


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split at declarations starting a line, so one bad declaration does not hide the next."""
    starts = [m.start() for m in _DECL_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(text)]
    return [(bounds[i], text[bounds[i]:bounds[i + 1]]) for i in range(len(starts))]


# Strings are matched too, so that a '#' inside a string is not taken for a comment.
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def _tokens_comments(text: str) -> tuple[ast.Comment, ...]:
    """Every comment, full-line or at the end of a line, with its line (counted like Lark: by '\\n')."""
    comments = []
    line, counted = 1, 0  # lines are counted on from the previous match: linear in the text
    for match in _STRING_OR_COMMENT.finditer(text):
        if match.group().startswith("#"):
            line += text.count("\n", counted, match.start())
            counted = match.start()
            comments.append(ast.Comment(match.group().rstrip(), line))
    return tuple(comments)


def parse(text: str, file: str = "<input>") -> ast.PolicyFile:
    """Parse policy text into an `ast.PolicyFile`; raise `QzError` with every syntax error."""
    try:
        decls = _parse_tree(text, file)
        too_deep = _too_deep(decls)
        if too_deep:
            raise QzError(too_deep)
        return ast.PolicyFile(file, text, tuple(decls), _tokens_comments(text))
    except UnexpectedInput as exc:
        first_error = _syntax_diagnostic(exc, file, text)
    except VisitError as exc:  # an exception inside a transformer method
        raise QzError([_visit_error(exc, file)]) from None
    diagnostics = []
    chunks = _chunks(text)
    for index, (offset, chunk) in enumerate(chunks):
        padded = "\n" * text.count("\n", 0, offset) + chunk
        try:
            _parse_tree(padded, file)
        except UnexpectedInput as exc:
            diagnostics.append(_syntax_diagnostic(exc, file, padded, index == len(chunks) - 1))
        except VisitError as exc:
            diagnostics.append(_visit_error(exc, file))
    if not diagnostics:
        diagnostics = [first_error]
    unique = {(d.span, d.message): d for d in diagnostics}
    raise QzError(sorted(unique.values(), key=Diagnostic.sort_key))


# No policy nests an expression this deep, and every later stage walks expressions
# recursively: deeper ones are refused here rather than overflow the stack there.
MAX_NESTING = 100


def _too_deep(decls: list[ast.Decl]) -> list[Diagnostic]:
    found = []
    for decl in decls:
        exprs = [decl.expr] if isinstance(decl, ast.DefineDecl) else []
        exprs += [p.expr for p in ast.props_of(decl) if isinstance(p, (ast.Requires, ast.While))]
        for expr in exprs:
            if _depth(expr) > MAX_NESTING:
                found.append(error("QZ001", None, expr.span, Text("hint.split_definitions"), variant="too_deep",
                                   limit=MAX_NESTING))
    return found


def _depth(expr: ast.Expr) -> int:
    deepest, stack = 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += [(operand, depth + 1) for operand in ast.children(node)]
    return deepest


def _visit_error(exc: VisitError, file: str) -> Diagnostic:
    original = exc.orig_exc
    meta = getattr(exc.obj, "meta", None)
    span = None
    if meta is not None and not getattr(meta, "empty", True):
        span = Span(file, meta.line, meta.column, meta.end_line, meta.end_column)
    elif isinstance(exc.obj, Token):
        span = Span(file, exc.obj.line, exc.obj.column, exc.obj.end_line, exc.obj.end_column)
    if isinstance(original, (InvalidOperation, ValueError, KeyError)):
        return error("QZ001", None, span, variant="malformed", rule=exc.rule)
    return error("QZ001", None, span, variant="unreadable", rule=exc.rule, reason=str(original))
