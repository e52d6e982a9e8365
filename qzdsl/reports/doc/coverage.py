"""The official text sentence by sentence, and what the encoding does with each.

Every sentence of the source text is mapped to the declarations whose quotes fall in it,
and classified:

- `encoded`: a clause quotes it, and every amount the sentence states is one a citing
  clause encodes;
- `partly`: a clause quotes it, but the sentence states an amount no citing clause encodes;
- `not_payout`: nothing pays under it — quoted only by a definition, a target, a section's
  window or an aside (a sentence deliberately not encoded as a payout, with its reason), or
  quoted by nothing and stating no payment;
- `not_encoded`: it speaks of a payment (元, 补贴, 奖励, 补助, 享受, 给予) and nothing quotes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from qzdsl.language.source_text import PAYOUT_WORDS, SourceText, amounts_in, squash
from qzdsl.model import policy as m

COVERAGE = ("encoded", "partly", "not_encoded", "not_payout")


@dataclass(frozen=True)
class SentenceCoverage:
    index: int
    text: str
    line: int
    coverage: str
    clauses: tuple[m.Clause, ...] = ()
    asides: tuple[m.Aside, ...] = ()
    others: tuple[str, ...] = ()  # labels of the definitions, targets and sections quoting it
    missing_amounts: tuple[Decimal, ...] = field(default=())

    @property
    def mentions_payout(self) -> bool:
        return _mentions_payout(self.text)


def sentence_coverage(policy: m.Policy) -> tuple[SentenceCoverage, ...]:
    """Every sentence of the policy's source text with its coverage; () without a text."""
    if not policy.source_text:
        return ()
    source = SourceText(policy.source_text)
    sentences = source.sentences
    quoting: dict[int, dict[str, list]] = {s.index: {"clauses": [], "asides": [], "others": []} for s in sentences}

    def cite(citations, bucket: str, item) -> None:
        for citation in citations:
            start = source.find(citation.quote)
            if start < 0:
                continue
            for s in source.sentences_overlapping(start, start + len(squash(citation.quote))):
                if item not in quoting[s.index][bucket]:
                    quoting[s.index][bucket].append(item)

    for clause in policy.clauses:
        cite(clause.citations, "clauses", clause)
    for aside in policy.asides:
        cite(aside.citations, "asides", aside)
    for definition in policy.definitions.values():
        cite(definition.citations, "others", definition.label)
    for target in policy.targets:
        cite(target.citations, "others", target.title)
    for section in policy.sections.values():
        if section.window.provision is not None:
            cite((section.window.provision,), "others", f"{section.ref} {section.title}")
    cite(policy.info.citations, "others", policy.info.title)

    result = []
    for s in sentences:
        found = quoting[s.index]
        clauses = tuple(found["clauses"])
        missing: tuple[Decimal, ...] = ()
        if clauses:
            encoded = {v for c in clauses for v in _amounts(policy, c)}
            # A figure an aside quotes is accounted for: deliberately not a payout.
            encoded |= {v for a in found["asides"] for c in a.citations for v in amounts_in(c.quote)}
            missing = tuple(a for a in dict.fromkeys(amounts_in(s.text)) if a not in encoded)
            coverage = "partly" if missing else "encoded"
        elif found["asides"] or found["others"]:
            coverage = "not_payout"
        else:
            coverage = "not_encoded" if _mentions_payout(s.text) else "not_payout"
        result.append(SentenceCoverage(s.index, s.text, s.line, coverage, clauses, tuple(found["asides"]),
                                       tuple(found["others"]), missing))
    return tuple(result)


def _mentions_payout(text: str) -> bool:
    return any(word in text for word in PAYOUT_WORDS)


def _amounts(policy: m.Policy, clause: m.Clause) -> set[Decimal]:
    """The amounts a clause encodes: what it pays, and the sums its conditions compare
    with (超过2万元), through the definitions they use."""
    a = clause.amount
    found = {v for v in (a.low, a.high, a.cap) if v is not None}
    seen: set[str] = set()
    stack = list(clause.conditions)
    while stack:
        for node in m.walk(stack.pop()):
            if isinstance(node, m.Const) and isinstance(node.value, Decimal):
                found.add(node.value)
            elif isinstance(node, m.DefRef) and node.name not in seen:
                seen.add(node.name)
                stack.append(policy.definitions[node.name].expr)
    return found
