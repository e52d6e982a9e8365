"""Conditions, facts and values as sentences a lawyer would write.

A compiled expression (`model.policy.Expr`) is phrased from the labels the policy
declares — never from identifiers or the policy language's operators:

    university == partner        holds  -> 毕业院校类别为与衢州市建立合作关系的市外高校
                                 fails  -> 毕业院校类别不是与衢州市建立合作关系的市外高校
    employer_pf_monthly > 200    fails  -> 住房公积金企业缴存部分（每月）不超过200元
    purchase_date <= graduation_date + 3 years
                                 holds  -> 购房日期不晚于毕业日期后3年

`holds(expr, truth)` states that the expression is true (`truth=True`), false
(`False`) or not yet known (`None`); `noun(expr)` names a value. Every report, the
lawyer's table and the questions use this one phrasing.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from qzdsl.model import policy as m
from qzdsl.wording import terms
from qzdsl.wording.amounts import yuan
from qzdsl.wording.labels import label

# The operator that states the opposite, and the one that reads the comparison mirrored.
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

VERBS = {
    "zh": {
        "number": {"==": "为", "!=": "不为", ">": "超过", ">=": "不少于", "<": "少于", "<=": "不超过"},
        "money": {"==": "为", "!=": "不为", ">": "超过", ">=": "不低于", "<": "低于", "<=": "不超过"},
        "date": {"==": "为", "!=": "不是", ">": "晚于", ">=": "不早于", "<": "早于", "<=": "不晚于"},
        "enum": {"==": "为", "!=": "不是"},
        "bool": {"==": "为", "!=": "不为"},
    },
    "en": {
        "number": {"==": "is", "!=": "is not", ">": "is more than", ">=": "is at least", "<": "is less than",
                   "<=": "is at most"},
        "money": {"==": "is", "!=": "is not", ">": "is more than", ">=": "is at least", "<": "is less than",
                  "<=": "is at most"},
        "date": {"==": "is", "!=": "is not", ">": "is after", ">=": "is on or after", "<": "is before",
                 "<=": "is on or before"},
        "enum": {"==": "is", "!=": "is not"},
        "bool": {"==": "is", "!=": "is not"},
    },
}


def _family(t: m.Type) -> str:
    if t is m.Type.MONEY:
        return "money"
    if t in (m.Type.DATE,):
        return "date"
    if t is m.Type.ENUM:
        return "enum"
    if t is m.Type.BOOL:
        return "bool"
    return "number"


class Phrasing:
    """Phrases expressions of one policy in one language."""

    def __init__(self, policy: m.Policy, lang: str = "zh"):
        self.policy = policy
        self.lang = lang
        self.zh = lang == "zh"

    def t(self, key: str, **values) -> str:
        return label(f"cond.{key}", self.lang).format(**values)

    # ---- values ------------------------------------------------------------------------
    def value(self, value, type_: m.Type | None = None, fact: m.Fact | None = None) -> str:
        """A value in words: money in yuan, an enumeration member by its label."""
        if value is None:
            return self.t("unknown")
        if isinstance(value, bool):
            return self.t("yes" if value else "no")
        if fact is not None and fact.type is m.Type.ENUM:
            member = fact.member(str(value))
            return member.label if member else str(value)
        if type_ is m.Type.MONEY or (fact is not None and fact.type is m.Type.MONEY):
            return yuan(Decimal(value), self.lang)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return str(value)

    def fact_value(self, name: str, value) -> str:
        """A fact and its value, as a statement: 毕业院校类别为衢州高校 / 不属于“高校毕业生”."""
        fact = self.policy.facts[name]
        if value is None:
            return self.t("fact_unknown", label=fact.label)
        if fact.type is m.Type.BOOL:
            return self._fact_holds(fact, bool(value))
        return self.t("fact_is", label=fact.label, value=self.value(value, fact=fact))

    def noun(self, e: m.Expr) -> str:
        """A value expression named in words."""
        match e:
            case m.FactRef(name=name):
                return self.policy.facts[name].label
            case m.DefRef(name=name):
                return self.policy.definitions[name].label
            case m.AsOfRef():
                return self.t("as_of")
            case m.Const(value=value, type=type_):
                return self.value(value, type_)
            case m.Shift(date=date, amount=amount, unit=unit, sign=sign):
                key = "after" if sign > 0 else "before"
                return self.t(f"shift_{key}", date=self.noun(date), span=terms.duration(amount, unit, self.lang))
            case m.Arith(op=op, left=left, right=right):
                return self.t("plus" if op == "+" else "minus", left=self.noun(left), right=self.noun(right))
        return self.t("condition")

    # ---- statements --------------------------------------------------------------------
    def holds(self, e: m.Expr, truth: bool | None = True) -> str:
        """The statement that `e` is true (`truth`), false, or unknown (None)."""
        if truth is None:
            return self.t("unknown_whether", statement=self.holds(e, True))
        match e:
            case m.FactRef(name=name):
                return self._fact_holds(self.policy.facts[name], truth)
            case m.DefRef(name=name):
                return self._category(self.policy.definitions[name].label, truth)
            case m.Not(operand=operand):
                return self.holds(operand, not truth)
            case m.And(operands=ops):
                if truth:
                    return self._join([self._part(o, True, m.And) for o in ops], "and")
                return self.t("not_all", items=self._join([self.holds(o, True) for o in ops], "list"))
            case m.Or(operands=ops):
                if truth:
                    return self._join([self._part(o, True, m.Or) for o in ops], "or")
                return self._join([self._part(o, False, m.And) for o in ops], "and")
            case m.Cmp(op=op, left=left, right=right):
                return self._compare(op if truth else _NEGATED[op], left, right)
            case m.In(operand=operand, members=members, negated=negated):
                return self._member(operand, members, truth != negated)
            case m.Via(clause=clause, operand=operand):
                title = self.policy.label(clause)
                if truth:
                    return self.t("via", statement=self.holds(operand, True), clause=title)
                return self.t("not_via", clause=title)
            case m.Const(value=value):
                return self.t("always" if bool(value) == truth else "never")
        return self.t("condition")

    def continuing(self, e: m.Expr) -> str:
        """A continuing condition as what must still be so (须仍在衢非公企业就业，且…): a
        definition by its label, which names a state; anything else as a statement."""
        parts = []
        for part in (e.operands if isinstance(e, m.And) else (e,)):
            if isinstance(part, m.DefRef):
                parts.append(self.policy.definitions[part.name].label)
            else:
                parts.append(self._part(part, True, m.And))
        return label("eval.continuing", self.lang).format(condition=self._join(parts, "and"))

    def _part(self, e: m.Expr, truth: bool, joined_by: type) -> str:
        """An operand of a conjunction or disjunction, bracketed when it is itself a
        compound of the other kind, so that the grouping reads unambiguously."""
        text = self.holds(e, truth)
        inner = e.operand if isinstance(e, m.Not) else e
        while isinstance(inner, m.Via):
            inner = inner.operand
        flips = isinstance(e, m.Not) or not truth
        kind = {m.And: m.Or, m.Or: m.And}.get(type(inner), type(inner)) if flips else type(inner)
        if kind in (m.And, m.Or) and kind is not joined_by and len(getattr(inner, "operands", ())) > 1:
            return self.t("group", statement=text)
        return text

    def _fact_holds(self, fact: m.Fact, truth: bool) -> str:
        """A yes/no fact as a statement; a history fact is worded as what was done before
        (此前已享受过…… / 此前未享受过……)."""
        if fact.history:
            return self.t("history" if truth else "history_not", label=fact.label)
        return self._category(fact.label, truth)

    def _category(self, text: str, truth: bool) -> str:
        if self.zh and text.startswith("符合"):  # 符合条件（…）: already a predicate
            return text if truth else "不" + text
        return self.t("is" if truth else "is_not", label=text)

    def _compare(self, op: str, left: m.Expr, right: m.Expr) -> str:
        if isinstance(left, m.Const) and not isinstance(right, m.Const):
            left, right, op = right, left, _MIRRORED[op]
        family = _family(left.type if left.type is not m.Type.NUMBER else right.type)
        if family == "enum" and isinstance(right, m.Const) and isinstance(left, m.FactRef):
            fact = self.policy.facts[left.name]
            return self._member(left, (str(right.value),), op == "==", fact)
        if family == "bool" and isinstance(right, m.Const):
            return self.holds(left, bool(right.value) == (op == "=="))
        verb = VERBS[self.lang][family].get(op, op)
        # A bare number compared with money is an amount of money.
        right_text = self.value(right.value, left.type) if isinstance(right, m.Const) else self.noun(right)
        return self.t("compare", left=self.noun(left), verb=verb, right=right_text)

    def _member(self, operand: m.Expr, members: tuple[str, ...], inside: bool, fact: m.Fact | None = None) -> str:
        if fact is None and isinstance(operand, m.FactRef):
            fact = self.policy.facts.get(operand.name)
        names = [self.value(x, fact=fact) if fact else x for x in members]
        return self.t("member" if inside else "not_member", label=self.noun(operand),
                      members=self._join(names, "either"))

    def _join(self, items: list[str], how: str) -> str:
        items = [i for i in items if i]
        if len(items) == 1:
            return items[0]
        return label(f"cond.join.{how}", self.lang).join(items)

    # ---- authored prose ----------------------------------------------------------------
    def plain(self, text: str) -> str:
        """Prose an encoder wrote (a recorded reading, a note) with the code left out: a
        bracketed gloss written in the policy language is dropped (the technical section
        keeps the original), and any remaining identifier is replaced by its label."""
        names = self._names()
        if not self.zh and _is_english(text):
            # English prose is made of words that may also be names (person, existing,
            # group): only a gloss holding code, and names with an underscore, are code.
            text = _CODE_GLOSS_EN.sub("", text)
            text = _WORD.sub(lambda match: names.get(match.group(0), match.group(0))
                             if "_" in match.group(0) else match.group(0), text)
            return " ".join(text.split())
        text = _CODE_GLOSS.sub("", text)
        text = _WORD.sub(lambda match: names.get(match.group(0), match.group(0)), text)
        if self.zh:  # a label put in place of a word keeps no space against Chinese text
            return _CJK_SPACE.sub("", text)
        return " ".join(text.split())

    def _names(self) -> dict[str, str]:
        names = getattr(self, "_name_table", None)
        if names is None:
            quote = (lambda s: f"“{s}”") if self.zh else (lambda s: f"“{s}”")
            names = {key: label(f"cond.keyword.{key}", self.lang) for key in _KEYWORDS}
            for table in (self.policy.kinds, self.policy.facts, self.policy.definitions):
                names.update({name: quote(item.label) for name, item in table.items()})
            for fact in self.policy.facts.values():
                names.update({x.name: quote(x.label) for x in fact.members if len(x.name) > 3 and "_" in x.name})
            names.update({c.id: quote(c.title) for c in self.policy.clauses})
            names.update({t.id: quote(t.title) for t in self.policy.targets})
            names.update({g.name: quote(g.label) for g in self.policy.groups.values()})
            self._name_table = names
        return names


# A bracketed gloss in the policy language: （hired_si_months >= 12）, (from year of).
_CODE_GLOSS = re.compile(r"\s?[（(]\s*[A-Za-z_][^（）()\u3000-\u9fff\uff00-\uffef]*[）)]")
# In English prose, a bracketed gloss is code only when it holds a name with an underscore,
# an operator or a clause of the language: (from purchase_date), (graduation_date <= …).
_CODE_GLOSS_EN = re.compile(r"\s?\((?=[^()]*(?:[A-Za-z0-9]_[A-Za-z]|<=|>=|==|!=|\bfrom year of\b))[^()\u3000-\u9fff]*\)")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _is_english(text: str) -> bool:
    """Prose written in English (a reading's English words), not Chinese prose."""
    return len(_CJK.findall(text)) * 4 < len(text)


_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])[ \t]+(?=[^\x00-\x7f])")
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_])")
# Words of the policy language an encoder's prose may use, said in the reader's language.
_KEYWORDS = ("stackable", "excludes", "extends", "discretionary", "grants", "after_trial", "as_of", "requires",
             "group", "channel", "existing", "trial", "applies_from", "in_force", "principle", "most_favourable",
             "from", "fact")
