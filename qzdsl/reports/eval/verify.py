"""`qzdsl eval --verify DECISION.json`: does a stored decision still hold?

The record (`qzdsl.eval.v1`) carries the applicant's kind and facts, the as-of date and,
under `record`, the qzdsl version, the policy's and the case's SHA-256. Verifying reads
the facts back, checks them against the stored case digest (a record edited by hand is
refused), evaluates them again under the current policy at the same date, and compares
verdict and amount clause by clause. The result says whether the decision still holds
and, if not, what changed — in the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.cases.case import case_from_dict
from qzdsl.diagnostics import QzError, error
from qzdsl.model import policy as m
from qzdsl.reports.eval.json import SCHEMA, case_sha256, record
from qzdsl.wording.labels import label


@dataclass(frozen=True)
class Change:
    clause: str  # the clause's title (or id, if the current policy no longer has it)
    before: str
    after: str


@dataclass(frozen=True)
class Verification:
    holds: bool
    policy_changed: bool
    stored: dict
    current: dict
    changes: tuple[Change, ...]


def _reason(exc: Exception) -> object:
    """Why a file is no decision record, in words the diagnostic's language can take."""
    from qzdsl.diagnostics import Text
    from qzdsl.wording.syntax import json_error

    if isinstance(exc, json.JSONDecodeError):
        return json_error(exc)
    if isinstance(exc, UnicodeDecodeError):
        return Text("read.not_utf8")
    return Text("read.os", (("reason", getattr(exc, "strerror", None) or exc),))


def read_record(path: str | Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QzError([error("QZ401", variant="not_record", path=str(path), reason=_reason(exc))]) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("case"), dict):
        raise QzError([error("QZ401", variant="not_record_schema", path=str(path), schema=SCHEMA)])
    return data


def verify(stored: dict, policy: m.Policy, lang: str = "zh") -> Verification:
    """Re-evaluate the stored decision under `policy` and compare."""
    case = stored["case"]
    facts = {f["name"]: f["value"] for f in case.get("facts", []) if isinstance(f, dict) and "name" in f}
    digest = (stored.get("record") or {}).get("case_sha256")
    if digest is not None and digest != case_sha256(case.get("kind"), dict(sorted(facts.items()))):
        raise QzError([error("QZ401", label("verify.tampered", lang))])
    applicant = case_from_dict({"kind": case.get("kind"), "as_of": stored.get("as_of"), "facts": facts}, policy)
    current = record(evaluate(policy, applicant), lang)
    changes = _changes(stored, current)
    policy_changed = (stored.get("record") or {}).get("policy_sha256", stored["policy"].get("sha256")) \
        != current["record"]["policy_sha256"]
    return Verification(not changes, policy_changed, stored, current, changes)


def _outcome(clause: dict) -> str:
    amount = clause["amount"]["text"] if clause.get("amount") and clause.get("payout_shown") else ""
    return f"{clause['status_text']}{'：' + amount if amount else ''}"


def _changes(stored: dict, current: dict) -> tuple[Change, ...]:
    before = {c["id"]: c for c in stored.get("clauses", [])}
    after = {c["id"]: c for c in current["clauses"]}
    changes = []
    for cid in list(before) + [c for c in after if c not in before]:
        old, new = before.get(cid), after.get(cid)
        if old and new and (old["status"], _money(old)) == (new["status"], _money(new)):
            continue
        title = (new or old)["title"]
        changes.append(Change(title, _outcome(old) if old else "—", _outcome(new) if new else "—"))
    if stored.get("totals", {}).get("text") != current["totals"]["text"] and changes:
        changes.append(Change(label("eval.total", current["lang"]), stored.get("totals", {}).get("text", "—"),
                              current["totals"]["text"]))
    return tuple(changes)


def _money(clause: dict):
    amount = clause.get("amount")
    return None if not amount else (amount.get("total"), amount.get("per_period"))


def render(result: Verification, lang: str = "zh") -> str:
    def t(key: str, **values) -> str:
        return label(f"verify.{key}", lang).format(**values)

    stored = result.stored
    lines = [t("holds" if result.holds else "changed", id=stored.get("decision_id", "—"), as_of=stored.get("as_of"))]
    info = stored.get("record") or {}
    lines.append(t("stored", version=info.get("qzdsl_version", "—"), at=info.get("evaluated_at", "—"),
                   sha=(info.get("policy_sha256") or stored["policy"].get("sha256", "—"))[:16]))
    lines.append(t("policy_changed" if result.policy_changed else "policy_same",
                   sha=result.current["record"]["policy_sha256"][:16]))
    for change in result.changes:
        lines.append(t("change", clause=change.clause, before=change.before, after=change.after))
    return "\n".join(lines) + "\n"
