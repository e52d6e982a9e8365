"""`qzdsl serve`'s JSON API and page, through Starlette's test client: the same decision
as the command line, the same diagnostics, and the limits a network service needs."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import pytest
import yaml

pytest.importorskip("fastapi", reason="qzdsl serve needs the [serve] extra (FastAPI, uvicorn)")
with warnings.catch_warnings():  # Starlette's test client prefers httpx2; httpx (bounded) still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from cli_runner import run_main  # noqa: E402
from qzdsl.frontdoor.app import Settings, create_app  # noqa: E402
from qzdsl.resources import bundled_policy_path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "policies" / "qzf-2023-12" / "cases").glob("*.yaml"))
TOKEN = "s3cret-token-for-tests-only"


def client(**settings) -> TestClient:
    return TestClient(create_app(Settings((bundled_policy_path(),), **settings)))


@pytest.fixture(scope="module")
def api() -> TestClient:
    return client()


def as_json(path: Path) -> str:
    """A case file's content as the JSON body a client would send (dates as text)."""
    def text_keys(value):  # a value changing over time is keyed by dates: JSON keys are text
        return {str(k): text_keys(v) for k, v in value.items()} if isinstance(value, dict) else value

    return json.dumps(text_keys(yaml.safe_load(path.read_text(encoding="utf-8"))), default=str, ensure_ascii=False)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_the_api_answers_what_eval_prints(path, api, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")  # the record's time of evaluation, pinned
    code, out, _ = run_main(capsys, monkeypatch, "eval", str(path), "--format", "json", "--lang", "zh",
                            "-p", str(bundled_policy_path()))
    assert code == 0
    printed = json.loads(out)
    answered = api.post("/v1/eval?lang=zh", content=as_json(path).encode("utf-8"))
    assert answered.status_code == 200
    served = answered.json()
    # The one difference: a request names no file.
    assert printed["case"].pop("path").endswith(path.name) and served["case"].pop("path") is None
    assert served == printed and served["schema"] == "qzdsl.eval.v1"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_fast_encoder_writes_the_bytes_of_the_standard_library(lang, monkeypatch):
    """`encode_json` (orjson when installed) and Starlette's JSONResponse (json) give the
    same bytes for every bundled decision, for text with control characters, quotes and
    line separators, and for what orjson refuses (an integer beyond 64 bits)."""
    from starlette.responses import JSONResponse

    from qzdsl import evaluate, load, load_case
    from qzdsl.frontdoor import app as served
    from qzdsl.reports.eval.json import record

    policy = load().in_language(lang)
    tricky = {"text": "引号\"\\ 控制\x00\x07\x1f\n\t\u2028\u2029\x7f /<>&", "big": 10 ** 40, "neg": -(2 ** 63),
              "nested": [[], {}, None, True, False, 0, -1, 2 ** 64 - 1]}
    records = [record(evaluate(policy, load_case(path, policy)), lang) for path in CASES]
    for content in [*records, tricky, {"only": "ascii"}]:
        standard = JSONResponse(content).body
        assert served.encode_json(content) == standard
        monkeypatch.setattr(served, "_orjson", None)  # without orjson installed: the standard library
        assert served.encode_json(content) == standard
        monkeypatch.undo()


def test_bad_input_is_422_with_the_diagnostics_of_the_cli_in_the_requests_language(api):
    body = {"kind": "person", "facts": {"university": "衢州学院", "purchase_date": "6/1/2024", "no_hom": True}}
    zh = api.post("/v1/eval", json=body, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.status_code == 422 and zh.json()["error"] == "invalid_case"
    found = {d["code"]: d for d in zh.json()["diagnostics"]}
    assert found["QZ403"]["message"] == "“毕业院校类别”（university）：“衢州学院”只是某个可选值的一部分"
    assert found["QZ403"]["hint"] == "是否指“衢州高校（衢州学院、衢州职业技术学院、衢州市技师学院）”？"
    assert found["QZ404"]["hint"] == "请写作 2024-01-06 或 2024-06-01"
    assert found["QZ402"]["message"] == "未知的事实“no_hom”"
    en = api.post("/v1/eval?lang=en", json=body)
    assert {d["message"] for d in en.json()["diagnostics"]} >= {"unknown fact 'no_hom'"}


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b'{"kind": "person", "facts": {"pf_months": NaN}}',
                                  "不是JSON".encode("utf-8"), b'{"kind": "person", "path": "/etc/passwd"}'])
def test_malformed_bodies_and_paths_are_refused_not_read(api, body):
    answered = api.post("/v1/eval", content=body)
    assert answered.status_code == 422 and "root:" not in answered.text


@pytest.mark.parametrize(("body", "zh", "en"), [
    (b"{", "请求体不是 JSON：第 1 行第 2 列：此处应为用双引号括起的键名",
     "the body is not JSON: Expecting property name enclosed in double quotes: line 1 column 2"),
    (b"[1, 2]", "案例应是一个 JSON 对象：kind、as_of、facts", "a case is a JSON object: kind, as_of, facts"),
    (b'{"kind": "person", "facts": {"pf_months": NaN}}', "请求体不是 JSON：NaN 不是数",
     "the body is not JSON: NaN is not a number"),
    (b"\xff", "请求体不是 JSON：不是有效的 UTF-8 文本", "the body is not JSON: not valid UTF-8"),
])
def test_a_body_the_api_cannot_read_is_said_in_the_requests_language(api, body, zh, en):
    for lang, expected in (("zh", zh), ("en", en)):
        answered = api.post(f"/v1/eval?lang={lang}", content=body)
        assert answered.status_code == 422
        assert [d["message"] for d in answered.json()["diagnostics"]] == [expected]


def test_money_in_json_stays_exact(api):
    body = b'{"kind": "person", "as_of": "2024-06-01", "facts": {"employer_pf_monthly": 350.10}}'
    answered = api.post("/v1/eval", content=body)
    facts = {f["name"]: f["value"] for f in answered.json()["case"]["facts"]}
    assert facts["employer_pf_monthly"] == "350.10"


def test_questions_for_a_partial_case_deciding_the_most_first(api):
    got = api.get("/v1/questions", params={"kind": "个人", "as_of": "2024/6/1", "works_in_quzhou": "是"}).json()
    assert got["schema"] == "qzdsl.questions.v1"
    stakes = [q["stake"] for q in got["questions"]]
    assert stakes[0] == max(stakes) and "works_in_quzhou" not in [q["fact"] for q in got["questions"]]
    first = got["questions"][0]
    assert first["question"] and first["decides"][0]["title"]
    posted = api.post("/v1/questions", json={"kind": "person", "as_of": "2024-06-01",
                                             "facts": {"works_in_quzhou": True}}).json()
    assert posted["questions"] == got["questions"]


def test_schema_policy_version_health_and_openapi(api):
    assert api.get("/v1/schema").json()["properties"]["kind"]
    assert api.get("/v1/policy").json()["policy"]["doc_number"] == "衢政发〔2023〕12号"
    assert api.get("/v1/version").json()["api"] == "v1"
    assert api.get("/v1/health").json() == {"status": "ok"}
    spec = api.get("/v1/openapi.json").json()
    assert {"/v1/eval", "/v1/questions", "/v1/schema", "/v1/policy", "/v1/audit", "/v1/health",
            "/v1/version"} <= set(spec["paths"])
    assert spec["paths"]["/v1/eval"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] \
        == ["kind"]


def test_an_uploaded_policy_is_audited_and_cannot_read_outside_its_folder(api):
    policy = (ROOT / "tests" / "fixtures" / "audit" / "existing.qz")
    text = policy.read_text(encoding="utf-8")
    escaping = text + '\nimport "../../../../etc/passwd"\n'
    refused = api.post("/v1/audit", json={"policy": escaping})
    assert refused.status_code == 422 and "root:" not in refused.text and "/tmp" not in refused.text
    assert refused.json()["error"] == "invalid_policy"
    for name in ("../x.txt", "/etc/passwd", ".hidden", "policy.qz"):
        named = api.post("/v1/audit", json={"policy": text, "files": {name: "x"}})
        assert named.status_code == 422 and named.json()["error"] == "invalid_request"
    source = policy.with_name("existing_source.txt").read_text(encoding="utf-8")
    audited = api.post("/v1/audit", json={"policy": text, "files": {"existing_source.txt": source}})
    assert audited.status_code == 200, audited.text
    assert "findings" in json.dumps(audited.json()) and "qzdsl-upload-" not in audited.text


def test_the_token_guards_everything_but_health():
    guarded = client(token=TOKEN)
    assert guarded.get("/v1/health").status_code == 200
    assert guarded.get("/v1/version").status_code == 401
    assert guarded.get("/v1/version", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert guarded.get("/v1/version", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert guarded.get("/").status_code == 401


def test_request_size_and_time_are_limited():
    small = client(max_body=1000)
    assert small.post("/v1/eval", content=b" " * 2000).status_code == 413
    hurried = client(time_limit=0, audit_time_limit=0)  # nothing is done within no time at all
    text = (ROOT / "tests" / "fixtures" / "audit" / "existing.qz").read_text(encoding="utf-8")
    slow = hurried.post("/v1/audit", json={"policy": text})
    assert slow.status_code == 503
    assert slow.json()["error"] == "time_limit"
    assert hurried.post("/v1/eval", json={"kind": "person"}).status_code == 503


def test_the_decision_log_has_one_line_per_decision_and_facts_only_when_asked(tmp_path):
    path = CASES[0]
    for with_facts in (False, True):
        log = tmp_path / f"decisions-{with_facts}.jsonl"
        logged = client(decision_log=log, log_facts=with_facts)
        decision = logged.post("/v1/eval", content=as_json(path).encode("utf-8")).json()
        logged.post("/v1/eval", content=as_json(path).encode("utf-8"))
        lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        assert len(lines) == 2 and lines[0] == lines[1]
        entry = lines[0]
        assert entry["decision_id"] == decision["decision_id"]
        assert entry["policy_sha256"] == decision["policy"]["sha256"]
        assert entry["case_sha256"] == decision["record"]["case_sha256"]
        assert ("facts" in entry) is with_facts


def test_the_page_reads_answers_as_people_write_them_and_explains_refusals(api):
    start = api.get("/")
    assert start.status_code == 200 and '<html lang="zh-CN">' in start.text and "<script" not in start.text
    page = api.post("/", data={"kind": "person", "as_of": "2024年6月1日", "f.works_in_quzhou": "是",
                               "f.purchase_date": "2024/13/1", "f.university": "衢州学院"})
    assert page.status_code == 200
    assert "“2024/13/1”不是日历上的日期" in page.text and "请核对月份和日" in page.text
    assert "仍需回答的问题" in page.text and "当前结论" in page.text
    report = api.post("/report", data={"kind": "person", "as_of": "2024-06-01"})
    assert report.status_code == 200 and "衢政发〔2023〕12号" in report.text
    saved = api.post("/case.yaml", data={"kind": "person", "as_of": "2024-06-01", "f.employer_pf_monthly": "2万"})
    assert yaml.safe_load(saved.text)["facts"] == {"employer_pf_monthly": 20000}


def test_the_page_takes_a_count_over_time_and_says_how(api):
    form = {"kind": "enterprise", "as_of": "2025-06-01"}
    page = api.post("/", data=form)
    assert "此项可随时间变化：可按生效日期逐项填写，如 2024-05-01: 4, 2026-01-01: 5" in page.text
    dated = {**form, "f.insured_hires": "2024年5月1日：4；2025年1月1日：6"}
    saved = api.post("/case.yaml", data=dated)
    assert yaml.safe_load(saved.text)["facts"] == {"insured_hires": {dt.date(2024, 5, 1): 4, dt.date(2025, 1, 1): 6}}
    refused = api.post("/", data={**form, "f.insured_hires": "2024-05-01: 4; 2025-01-01: 很多"})
    assert "自 2025-01-01 起：“很多”不是人数或次数" in refused.text


def test_serve_binds_loopback_unless_given_a_token(capsys, monkeypatch, tmp_path):
    code, _, err = run_main(capsys, monkeypatch, "serve", "--host", "0.0.0.0")
    assert code == 2 and "--token-file" in err
    short = tmp_path / "token"
    short.write_text("abc", encoding="utf-8")
    code, _, err = run_main(capsys, monkeypatch, "serve", "--host", "0.0.0.0", "--token-file", str(short))
    assert code == 2
    code, _, err = run_main(capsys, monkeypatch, "serve", "--log-facts")
    assert code == 2


def test_worker_processes_serve_the_same_policy(tmp_path):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "decisions.jsonl"
    server = subprocess.Popen([sys.executable, "-m", "qzdsl", "serve", "--port", str(port), "--workers", "2",
                               "--decision-log", str(log)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/version", timeout=2) as answer:
                    version = json.loads(answer.read())
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "qzdsl serve --workers 2 did not start"
                time.sleep(0.3)
        assert version["policy"]["doc_number"] == "衢政发〔2023〕12号"
        request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/eval", data=as_json(CASES[0]).encode("utf-8"),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.loads(answer.read())["schema"] == "qzdsl.eval.v1"
        assert len(log.read_text(encoding="utf-8").splitlines()) == 1
    finally:
        server.terminate()
        server.wait(timeout=20)
