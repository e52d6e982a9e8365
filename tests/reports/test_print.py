"""The HTML reports print on A4 in a real browser with nothing clipped: each is printed to
PDF by headless chromium, and the PDF's text must hold every title, reason, finding and
sentence the page shows (what a page box cuts off is not in the PDF's text). The eval
report's first page is its one-page summary. Runs where chromium and pdftotext
(poppler-utils) are installed; .ci/run installs them."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import qzdsl
from qzdsl.backends.audit.audit import audit
from qzdsl.backends.evaluator.evaluator import evaluate
from qzdsl.cases.case import load_case
from qzdsl.language.source_text import SourceText
from qzdsl.reports.audit import html as audit_html
from qzdsl.reports.doc import law
from qzdsl.reports.eval import html as eval_html
from qzdsl.reports.eval.json import record
from qzdsl.wording import audit as audit_words
from qzdsl.wording.labels import label

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(not (CHROMIUM and PDFTOTEXT),
                                reason="needs chromium and pdftotext (apt-get install chromium poppler-utils)")
CASES = Path(__file__).resolve().parents[2] / "policies" / "qzf-2023-12" / "cases"
A4 = (595.0, 842.0)  # points


def print_to_pdf(page: str, folder: Path) -> Path:
    source, pdf = folder / "page.html", folder / "page.pdf"
    source.write_text(page, encoding="utf-8")
    profile = tempfile.mkdtemp(dir=folder)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    source.as_uri()], check=True, capture_output=True, timeout=180)
    return pdf


def pages(pdf: Path) -> list[str]:
    text = subprocess.run([PDFTOTEXT, "-raw", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout
    return [_squash(p) for p in text.decode("utf-8").split("\f")]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def media_boxes(pdf: Path) -> set[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    return {(round(float(w)), round(float(h))) for w, h in boxes}


def missing(texts, printed: str) -> list[str]:
    return [t for t in texts if t and _squash(t) not in printed]


@pytest.fixture(scope="module")
def policy():
    return qzdsl.load()


@pytest.mark.parametrize(("name", "lang"), [("homebuyer-missing-facts.yaml", "zh"),
                                           ("partner-graduate-homebuyer.yaml", "zh"),
                                           ("graduate-homebuyer.yaml", "zh"), ("graduate-homebuyer.yaml", "en")])
def test_the_eval_report_prints_on_a4_summary_first_nothing_clipped(name, lang, policy, tmp_path):
    shown = policy.in_language(lang)
    data = record(evaluate(shown, load_case(CASES / name, shown)), lang)
    pdf = print_to_pdf(eval_html.render_record(data), tmp_path)
    assert media_boxes(pdf) == {A4}
    printed = pages(pdf)
    first, everything = printed[0], "".join(printed)
    assert _squash(label("eval.decision", lang)) in first and _squash(data["totals"]["text"]) in first
    assert (_squash(label("eval.questions_first", lang)) in first) == bool(data["questions"])
    # The one-page summary is whole on the first page: every benefit granted, with its amount.
    granted = [c["title"] for c in data["clauses"] if c["shown_as"] == "granted"]
    assert missing(granted, first) == []
    texts = [c["title"] for c in data["clauses"]] + [r["message"] for c in data["clauses"] for r in c["reasons"]]
    texts += [q["question"] for q in data["questions"]] + [data["policy"]["sha256"]]
    assert missing(texts, everything) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_prints_on_a4_summary_first_nothing_clipped(lang, policy, tmp_path):
    report = audit(policy.in_language(lang))
    pdf = print_to_pdf(audit_html.render([report], lang), tmp_path)
    assert media_boxes(pdf) == {A4}
    printed = pages(pdf)
    first, everything = printed[0], "".join(printed)
    summary = audit_words.summary(report, lang)
    # The whole summary is on the first page; the details start on the second.
    on_first = [summary.verdict, audit_words.text("summary_note", lang)] + [name for name, _ in summary.figures]
    on_first += [r.title for r in summary.rules]
    on_first += [audit_words.short(f, lang, report.policy) for f in summary.attention]
    assert missing(on_first, first) == []
    assert printed[1].startswith(_squash(audit_words.text("matrix", lang)))
    texts = [audit_words.message(f, lang, report.policy) for f in report.findings] + [n.title for n in report.nodes]
    assert missing(texts, everything) == []


def test_the_annotated_law_prints_every_sentence(policy, tmp_path):
    pdf = print_to_pdf(law.render(policy, "zh"), tmp_path)
    assert media_boxes(pdf) == {A4}
    everything = "".join(pages(pdf))
    assert missing([s.text for s in SourceText(policy.source_text).sentences], everything) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_diff_prints_on_a4_summary_first(lang, policy, tmp_path):
    from qzdsl.backends.audit.diff import diff
    from qzdsl.reports.diff.record import record as diff_record
    from qzdsl.reports.templating import render
    from qzdsl.wording.labels import label

    reform = qzdsl.load(CASES.parent / "reforms" / "trial-5-years.qz")
    data = diff_record(diff(policy.in_language(lang), reform.in_language(lang)), lang)
    page = render("diff.html.j2", d=data, lang=lang, t=lambda key, **v: label(key, lang).format(**v))
    pdf = print_to_pdf(page, tmp_path)
    assert media_boxes(pdf) == {A4}
    printed = pages(pdf)
    first, everything = printed[0], "".join(printed)
    on_first = [data["verdict"], label("diff.summary_note", lang)]
    on_first += [c["title"] for c in data["clauses"][:10]] + [c["impact_short"] for c in data["clauses"][:10]]
    assert missing(on_first, first) == []
    assert printed[1].startswith(_squash(label("diff.details", lang)))
    texts = [c["impact_text"] for c in data["clauses"]] + [x["new"] for c in data["clauses"] for x in c["changes"]]
    assert missing(texts, everything) == []


def test_the_reform_simulation_prints_on_a4_summary_first(tmp_path):
    import datetime as dt

    from qzdsl.backends.sql.simulate import simulate_reform
    from qzdsl.reports.batch import reform as reform_report
    from qzdsl.wording.labels import label

    sql = CASES.parents[2] / "tests" / "fixtures" / "sql"
    result = simulate_reform(qzdsl.load(sql / "housing.qz"), qzdsl.load(sql / "housing-reform.qz"),
                             sql / "population.csv", dt.date(2024, 6, 1))
    data = reform_report.record(result, "zh")
    pdf = print_to_pdf(reform_report.render(result, "html", "zh"), tmp_path)
    assert media_boxes(pdf) == {A4}
    printed = pages(pdf)
    first = printed[0]
    assert missing([data["total"]["text"], label("reform.summary_note", "zh")], first) == []
    assert printed[1].startswith(_squash(label("reform.chart", "zh")))
    assert missing([c["title"] for c in data["clauses"] if c["gain"] or c["lose"]], "".join(printed)) == []
