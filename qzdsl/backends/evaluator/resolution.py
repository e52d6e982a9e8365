"""从优、从高、不重复: which of the granted clauses are paid when some of them conflict.

Two clauses conflict when `Policy.conflicts` says so (a shared exclusion group or an
`excludes`, unless one is stackable with the other). Granted clauses are ranked by their
favourability value (`Payout.value` under the facts given: the lifetime total, a ceiling at its ceiling, a floor
at its floor, a range at its high end, an open-ended clause at one period, anything
without an amount at 0) from high to low, then by declaration order, so that an earlier
clause wins a tie. Taken in that order, a clause is kept unless it conflicts with one
already kept; then it is excluded by that one.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from qzdsl.model import policy as m
from qzdsl.backends.evaluator.results import ClauseResult, ExcludedBy, KeptAlongside
from qzdsl.backends.evaluator.schedule import favourability as schedule_favourability
from qzdsl.model.policy import Status


_GRANTED = Status.GRANTED  # a global: on Python 3.11 an enum member costs ten times more to look up


def favourability(result: ClauseResult) -> Decimal:
    """Cash only: an entitlement's amount (a guarantee's size) is not money paid. What the
    clause pays under the facts given (`schedule.favourability`): stopped and undetermined
    periods count nothing."""
    if result.amount is None or not result.clause.pays_money:
        return Decimal(0)
    return schedule_favourability(result.amount, result.timeline)


def resolve(policy: m.Policy, results: list[ClauseResult]) -> list[ClauseResult]:
    """`results` with the granted clauses that lose to a conflicting one marked excluded,
    and the kept ones that share a group with other kept ones noted as stacked."""
    granted = [r for r in results if r.status is _GRANTED]
    if len(granted) < 2:
        return results
    ranked = sorted(granted, key=lambda r: (-favourability(r), r.clause.order))
    kept: list[ClauseResult] = []
    changed: dict[str, ClauseResult] = {}
    for result in ranked:
        winner = next((k for k in kept if _conflict(policy, k.clause, result.clause)), None)
        if winner is None:
            kept.append(result)
            continue
        value, winning = favourability(result), favourability(winner)
        reason = ExcludedBy(winner.clause.id, value, winning, tie=value == winning)
        changed[result.clause.id] = dataclasses.replace(
            result, status=Status.EXCLUDED, excluded_by=winner.clause.id, reasons=result.reasons + (reason,))
    kept.sort(key=lambda k: k.clause.order)
    for result in kept:
        # Two related clauses are both kept only through a `stackable`, on either side.
        beside = tuple(k.clause.id for k in kept
                       if policy.stackable(k.clause, result.clause) and policy.related(k.clause, result.clause))
        if beside:
            changed[result.clause.id] = dataclasses.replace(result, reasons=result.reasons + (KeptAlongside(beside),))
    return [changed.get(r.clause.id, r) for r in results]


def _conflict(policy: m.Policy, a: m.Clause, b: m.Clause) -> bool:
    """`Policy.conflicts`, skipping the pairs that cannot conflict (no shared group
    possible, no `excludes`) without building its sets: most granted pairs."""
    if not (a.groups and b.groups) and not a.excludes and not b.excludes:
        return False
    return policy.conflicts(a, b)

