"""Synthetic policies for the audit benchmark: valid .qz text with N clauses.

Shaped like the real policy: sections of about eight clauses (one measure each), some
with a three-year trial; exclusion groups of three or four clauses inside a section;
a few `stackable` declarations; a shared pool of facts (bool, enumeration, count, money,
date) from which each section draws its conditions, so that some pairs overlap and some
are disjoint; date conditions with `+ n years`; anchors; some rule amounts; declared needs
(one per 25 clauses), each paid by clauses of about a dozen different sections, so that the
audit pairs them across sections. The text is deterministic for a given N and seed.
"""

from __future__ import annotations

import random

SECTION_SIZE = 8
MEMBERS = ("m0", "m1", "m2", "m3")


def _facts(count: int) -> list[tuple[str, str]]:
    """(name, type) of the shared facts; every fifth is of each type, in turn."""
    types = ("bool", "enum", "count", "money", "date")
    return [(f"f{i}", types[i % len(types)]) for i in range(count)]


def _condition(fact: tuple[str, str], rng: random.Random) -> str:
    name, kind = fact
    if kind == "bool":
        return name if rng.random() < 0.8 else f"not {name}"
    if kind == "enum":
        members = rng.sample(MEMBERS, rng.choice((1, 2)))
        return f"{name} == {members[0]}" if len(members) == 1 else f"{name} in {{{', '.join(members)}}}"
    if kind == "count":
        return f"{name} >= {rng.randint(1, 5)}"
    if kind == "money":
        return f"{name} > {rng.choice((1000, 2000, 5000))}"
    return f"as_of <= {name} + {rng.choice((1, 2, 3))} years"


def generate(clauses: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    facts = _facts(max(25, clauses // 8))
    lines = [
        f'policy "合成〔2024〕{clauses}号": title "合成政策（{clauses}条）", applies_from 2023-01-01, '
        "principle most_favourable",
        'kind person "个人"',
    ]
    for name, kind in facts:
        if kind == "enum":
            members = ", ".join(f'{m} "{m}"' for m in MEMBERS)
            lines.append(f'fact {name} "{name}": enum {{{members}}}, of person')
        else:
            lines.append(f'fact {name} "{name}": {kind}, of person')
    needs = max(2, clauses // 25)
    lines += [f'need n{k} "需要{k}"' for k in range(needs)]
    dates = [name for name, kind in facts if kind == "date"]
    sections = (clauses + SECTION_SIZE - 1) // SECTION_SIZE
    made = 0
    for s in range(sections):
        trial = ", trial 3 years from applies_from, after_trial continue" if s % 4 == 0 else ""
        lines.append(f'section "S{s}" "措施{s}": lead 单位{s % 7}, units [单位{s % 7}, 单位{(s + 3) % 7}]{trial}')
        # Each section draws its conditions from a few facts, as one measure does.
        pool = rng.sample(facts, 6)
        size = min(SECTION_SIZE, clauses - made)
        ids = [f"c{made + i}" for i in range(size)]
        for i, clause in enumerate(ids):
            parts = [_condition(fact, rng) for fact in rng.sample(pool, rng.randint(2, 4))]
            amount, value = _amount(rng)
            props = [f"    {amount}", "    to person", f"    requires {' and '.join(parts)}"]
            if rng.random() < 0.4:
                props.append(f"    from {rng.choice(dates)}")
            if i < 4:
                props.append(f"    group g{s}a")
            elif i < 7:
                props.append(f"    group g{s}b")
            if i in (4, 7):
                props.append(f"    stackable with {ids[i - 1]}")
            if i in (0, 5):  # two clauses a section pay for a need others pay for too
                props.append(f"    need n{(s * 2 + i) % needs}")
            # The quote must carry the amount (QZ303), as a real citation does.
            props.append(f'    cite "第{s}项第{i}句：{value}元"' if value else f'    cite "第{s}项第{i}句"')
            lines.append(f'benefit {clause} "待遇{clause}":\n' + ",\n".join(props))
        made += size
    return "\n".join(lines) + "\n"


def _amount(rng: random.Random) -> tuple[str, int | None]:
    """An amount property and the figure its quote must contain (None for a rule)."""
    roll = rng.random()
    if roll < 0.1:
        return 'rule "按现行规定"', None
    if roll < 0.4:
        value = rng.choice((1000, 2000, 5000, 8000))
        return f"{value} per year, max {rng.choice((1, 2, 3))} years", value
    if roll < 0.55:
        value = rng.choice((5000, 10000, 20000))
        return f"up to {value} once", value
    value = rng.choice((500, 1000, 2000, 20000))
    return f"{value} once", value
