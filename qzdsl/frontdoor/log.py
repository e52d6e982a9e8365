"""The decision log of `qzdsl serve --decision-log FILE`: one JSON line per decision.

A line names the decision and what it was made from — the decision id, the policy's and
the case's SHA-256, the evaluation date — and its outcome (the clauses granted and still
open, the total); the facts themselves only with `--log-facts`. Without the option the
server logs no case data at all. Lines are appended whole (one write each, under a lock)
to a file opened in append mode, so concurrent decisions never interleave.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from qzdsl.backends.evaluator.results import Decision, Status
from qzdsl.cases.case import canonical_facts
from qzdsl.money import to_json
from qzdsl.reports.eval.json import case_sha256


def line(decision: Decision, with_facts: bool) -> dict:
    totals = decision.totals
    entry = {
        "decision_id": decision.id,
        "policy_sha256": decision.policy.sha256,
        "case_sha256": case_sha256(decision.case.kind, canonical_facts(decision.case)),  # as the record has it
        "as_of": decision.as_of.isoformat(),
        "kind": decision.case.kind,
        "outcome": {
            "granted": [r.clause.id for r in decision.by_status(Status.GRANTED)],
            "undetermined": [r.clause.id for r in decision.by_status(Status.UNDETERMINED)],
            "total": {"low": to_json(totals.low), "high": to_json(totals.high)},
        },
    }
    if with_facts:
        entry["facts"] = canonical_facts(decision.case)
    return entry


class DecisionLog:
    def __init__(self, path: Path, with_facts: bool = False):
        self.path, self.with_facts = Path(path), with_facts
        self._lock = threading.Lock()
        # Opened once, at start: a log that cannot be written stops the server before it serves.
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)

    def write(self, decision: Decision) -> None:
        data = (json.dumps(line(decision, self.with_facts), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        with self._lock:
            os.write(self._fd, data)
