"""`qzdsl serve` in a real browser: Debian's chromium, driven by Playwright (the system
browser; Playwright never downloads one here), against a running server.

A caseworker fills in the graduate home-buyer by answering the questions as they appear,
sees the granted clauses and the total, and opens the clause-trace report; then the same
with the keyboard alone. Screenshots are saved for review in tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

import qzdsl
from qzdsl.backends.evaluator.results import Status
from qzdsl.cases.case import load_case

CHROMIUM = os.environ.get("QZDSL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("fastapi", reason="qzdsl serve needs the [serve] extra")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python drives chromium")

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "policies" / "qzf-2023-12" / "cases" / "graduate-homebuyer.yaml"
ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "qzdsl", "serve", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/v1/health", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("qzdsl serve did not start: " + process.stderr.read().decode("utf-8", "replace"))
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    # Playwright starts the browser with a fresh profile folder of its own each time.
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def expected():
    policy = qzdsl.load()
    return policy, qzdsl.evaluate(policy, load_case(CASE, policy))


def _typed(fact, value) -> str:
    """A value as a caseworker types it into the page."""
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return f"{value}元"
    return str(value)


def _open_questions(page) -> list[str]:
    names = page.eval_on_selector_all("#questions [name^='f.']", "els => els.map(e => e.name)")
    return list(dict.fromkeys(n[2:] for n in names))


def _check_result(page, policy, decision) -> None:
    result = page.inner_text("#result")
    assert decision.by_status(Status.GRANTED)
    for granted in decision.by_status(Status.GRANTED):
        assert granted.clause.title in result
    # Public money, and the graduate's own balance apart.
    assert "114,400元，另可提取本人账户余额28,000元" in result


def test_a_caseworker_fills_in_the_graduate_homebuyer_and_opens_the_report(server, page, expected):
    policy, decision = expected
    facts = decision.case.facts
    page.goto(server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.select_option("#in-kind", "person")
    page.fill("#in-as_of", "2024-06-01")
    page.click("text=开始")
    asked: list[str] = []
    for _ in range(40):
        open_now = _open_questions(page)
        if not open_now:
            break
        for name in open_now:
            asked.append(name)
            fact = policy.facts[name]
            value = facts.get(name)
            if fact.type.value == "bool":
                answer = "不知道" if value is None else "是" if value else "否"
                page.check(f"#questions input[name='f.{name}'][value='{answer}']")
            elif fact.type.value == "enum":
                page.select_option(f"#in-{name}", value or "不知道")
            else:
                page.fill(f"#in-{name}", "不知道" if value is None else _typed(fact, value))
        page.click("#update")
    assert not _open_questions(page) and "所有需要的问题都已回答" in page.inner_text("#questions")
    # Only what was needed, each once: a round shows every question still open, so this is
    # more than the one-at-a-time interview asks, but fewer than all of a person's facts.
    asked_of_a_person = [f for f in policy.facts.values() if "person" in f.kinds]
    assert len(asked) == len(set(asked)) < len(asked_of_a_person)
    _check_result(page, policy, decision)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-graduate-homebuyer.png"), full_page=True)
    with page.expect_popup() as popup:
        page.click("#report")
    report = popup.value
    report.wait_for_load_state()
    text = report.inner_text("body")
    assert "衢政发〔2023〕12号" in text and "衢州高校毕业生购房一次性提取租房补贴余额" in text
    report.screenshot(path=str(ARTIFACTS / "serve-report.png"))


def test_a_refused_answer_is_explained_where_it_was_given(server, page):
    page.goto(server + "/")
    page.select_option("#in-kind", "person")
    page.fill("#in-as_of", "6/1/2024")
    page.click("text=开始")
    alert = page.inner_text("[role=alert]")
    assert "“6/1/2024”有歧义" in alert and "2024-01-06 或 2024-06-01" in alert


def test_a_keyboard_only_run(server, page, expected):
    policy, decision = expected
    facts = decision.case.facts
    page.goto(server + "/")
    # The kind select has the focus: choose 个人 (the first kind) with the arrow key,
    # move to the date, type it and submit with Enter.
    assert page.evaluate("document.activeElement.id") == "in-kind"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("2024-06-01")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(60):
        open_now = _open_questions(page)
        if not open_now:
            break
        name = open_now[0]  # the question deciding the most has the focus
        assert page.evaluate("document.activeElement.name") == f"f.{name}"
        fact, value = policy.facts[name], facts.get(name)
        if fact.type.value == "bool":
            moves = 2 if value is None else 0 if value else 1
            for _ in range(moves):
                page.keyboard.press("ArrowRight")
            if moves == 0:
                page.keyboard.press("Space")
        elif fact.type.value == "enum":
            choices = [m.name for m in fact.members] + ["不知道"]
            for _ in range(choices.index(value if value is not None else "不知道") + 1):
                page.keyboard.press("ArrowDown")
        else:
            page.keyboard.type("不知道" if value is None else _typed(fact, value))
        for _ in range(80):
            if page.evaluate("document.activeElement.id") == "update":
                break
            page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert not _open_questions(page)
    _check_result(page, policy, decision)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-keyboard.png"), full_page=True)
