"""The decision record: JSON and HTML carry the qzdsl version, the time of evaluation
(SOURCE_DATE_EPOCH honoured), the policy's and the case's SHA-256; `qzdsl eval --verify`
re-evaluates a stored decision and says whether it still holds, and what changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import qzdsl
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.cases.case import load_case
from qzdsl.reports.eval import html
from qzdsl.reports.eval.json import case_sha256, record

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "policies" / "qzf-2023-12" / "cases" / "graduate-homebuyer.yaml"


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


@pytest.fixture
def stored(policy, tmp_path) -> Path:
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(record(evaluate(policy, load_case(CASE, policy)), "zh"), ensure_ascii=False),
                    encoding="utf-8")
    return path


def qzdsl_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qzdsl", *args], capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_the_record_says_who_decided_when_on_what(policy, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")
    data = record(evaluate(policy, load_case(CASE, policy)), "zh")
    assert data["record"]["evaluated_at"] == "2024-06-01T00:00:00Z"
    assert data["record"]["qzdsl_version"] == qzdsl.__version__
    assert data["record"]["policy_sha256"] == policy.sha256
    facts = {f["name"]: f["value"] for f in data["case"]["facts"]}
    assert data["record"]["case_sha256"] == case_sha256(data["case"]["kind"], dict(sorted(facts.items())))
    page = html.render_record(data)
    assert all(value in page for value in data["record"].values())


def test_the_case_digest_does_not_depend_on_the_order_of_facts():
    assert case_sha256("person", {"a": 1, "b": True}) == case_sha256("person", {"b": True, "a": 1})


def test_a_fresh_decision_still_holds(stored):
    done = qzdsl_cli("eval", "--verify", str(stored))
    assert done.returncode == 0, done.stderr.decode()
    assert "仍然成立" in done.stdout.decode("utf-8")


def test_a_decision_the_current_policy_no_longer_gives_is_reported_with_what_changed(stored):
    data = json.loads(stored.read_text(encoding="utf-8"))
    granted = next(c for c in data["clauses"] if c["status"] == "granted")
    granted.update(status="ineligible", status_text="不符合", payout_shown=False)
    data["record"]["policy_sha256"] = "0" * 64  # decided under another version of the policy
    stored.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = qzdsl_cli("eval", "--verify", str(stored))
    out = done.stdout.decode("utf-8")
    assert done.returncode == 1
    assert "已不成立" in out and "现行政策已修改" in out
    assert f"{granted['title']}：不符合 → 可享受" in out


def test_a_record_whose_facts_were_edited_is_refused(stored):
    data = json.loads(stored.read_text(encoding="utf-8"))
    data["case"]["facts"].append({"name": "no_home_in_quzhou", "value": False})
    stored.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = qzdsl_cli("eval", "--verify", str(stored))
    assert done.returncode == 1 and "QZ401" in done.stderr.decode("utf-8")
    assert "Traceback" not in done.stderr.decode("utf-8")


def test_something_that_is_not_a_record_is_an_error_not_a_traceback(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2]", encoding="utf-8")
    done = qzdsl_cli("eval", "--verify", str(path))
    assert done.returncode == 1 and "QZ401" in done.stderr.decode("utf-8")
    assert "Traceback" not in done.stderr.decode("utf-8")
