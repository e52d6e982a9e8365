"""`qzdsl serve`: the caseworker's page and a versioned JSON API, on FastAPI.

The policy is compiled once at start. Requests never name a file: a case comes as JSON
or a form, an uploaded policy as text that is checked in a fresh folder of its own and
may import or cite nothing outside it. Bodies are size-limited and each evaluation runs
under a time limit; with a token, every path but /v1/health needs it. Case data is not
logged; `--decision-log` appends one line per decision (`frontdoor.log`).

API (all JSON, documented at /v1/openapi.json):

    POST /v1/eval        a case -> qzdsl.eval.v1 (what `qzdsl eval --format json` prints)
    GET  /v1/questions   a partial case in the query -> the questions still needed
    POST /v1/questions   the same, the case as JSON
    GET  /v1/schema      the JSON Schema of cases
    GET  /v1/policy      the compiled policy (what `qzdsl show --format json` prints)
    POST /v1/audit       {"policy": TEXT, "files": {NAME: TEXT}} -> the audit (qzdsl audit --format json)
    GET  /v1/health, /v1/version

Bad input is 422 with the diagnostics `qzdsl check --format json` would give, in the
request's language (`?lang=`, else Accept-Language, else Chinese).

This module imports FastAPI: only `qzdsl serve` imports it, never `qzdsl eval`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from qzdsl.diagnostics import Diagnostic, QzError

try:  # the [serve] extra installs it; without it the standard library writes the same bytes, slower
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised by tests that hide it
    _orjson = None

API_VERSION = "v1"
# Evaluations (and the pages built from them) run on this many threads of their own, in the
# order they came: a few milliseconds of Python each, which more threads would only share
# out under the GIL (a request then waits for every other one in flight, and p99 grows
# with the concurrency). Two, so that one slow request does not hold up all others.
EVAL_THREADS = 2


def encode_json(content) -> bytes:
    """`content` as the bytes Starlette's JSONResponse writes (compact, UTF-8, not ASCII-
    escaped): with orjson when installed, about six times faster on a 70 kB eval record,
    else, and for what orjson refuses (an integer beyond 64 bits, a key that is not
    text), with the standard library. The two agree byte for byte on qzdsl's records,
    which hold no floats (tests/test_serve.py compares them)."""
    if _orjson is not None:
        try:
            return _orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError
            pass
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


class _Json(JSONResponse):
    """A JSON response written by `encode_json`."""

    def render(self, content) -> bytes:
        return encode_json(content)


def _json_bytes(body: bytes) -> Response:
    """A response of JSON already encoded (on an evaluation thread, off the event loop)."""
    return Response(body, media_type="application/json")


@dataclass(frozen=True)
class Settings:
    """How the server runs: the policy files (the first is the policy, the rest are
    loaded as if it imported them), the limits, the token and the decision log."""

    policies: tuple[Path, ...]
    token: str | None = None
    decision_log: Path | None = None
    log_facts: bool = False
    max_body: int = 256 * 1024  # bytes; a case is a few hundred, an uploaded policy tens of kB
    time_limit: float = 10.0  # seconds for one evaluation
    audit_time_limit: float = 60.0  # seconds for the audit of an uploaded policy


SETTINGS_ENV = "QZDSL_SERVE_SETTINGS"  # how `serve --workers N` hands its settings to the worker processes


def settings_json(settings: Settings) -> str:
    return json.dumps({"policies": [str(p) for p in settings.policies], "token": settings.token,
                       "decision_log": str(settings.decision_log) if settings.decision_log else None,
                       "log_facts": settings.log_facts})


def from_environment():
    """The application of a worker process (`qzdsl serve --workers N`)."""
    data = json.loads(os.environ[SETTINGS_ENV])
    application = create_app(Settings(tuple(Path(p) for p in data["policies"]), data["token"],
                                      Path(data["decision_log"]) if data["decision_log"] else None,
                                      data["log_facts"]))
    settle()
    return application


def settle() -> None:
    """Put what the server holds for its whole life (the compiled policy, its caches, the
    application) out of the garbage collector's way, once it is built. Python's full
    collection otherwise walks those objects every few hundred requests: a pause of
    50–80 ms that was most of the p99 latency under load (docs/serve.md). The server
    process only: a program that calls `create_app` decides for itself."""
    import gc

    gc.collect()
    gc.freeze()


class _Unprocessable(Exception):
    def __init__(self, error: str, diagnostics: tuple[Diagnostic, ...], source: str | None = None):
        self.error, self.diagnostics, self.source = error, diagnostics, source


def create_app(settings: Settings):
    """The ASGI application for `settings` (the policy compiled now, once)."""
    from qzdsl import __version__
    from qzdsl.backends.evaluator.evaluator import evaluate
    from qzdsl.cache import load
    from qzdsl.cases.case import case_from_dict, case_schema
    from qzdsl.frontdoor import page
    from qzdsl.frontdoor.interview import Interview, case_yaml
    from qzdsl.frontdoor.limits import Limits
    from qzdsl.frontdoor.log import DecisionLog
    from qzdsl.model import export
    from qzdsl.reports.eval.json import record

    policy = load(settings.policies[0], settings.policies[1:])
    log = DecisionLog(settings.decision_log, settings.log_facts) if settings.decision_log else None
    schema = case_schema(policy)
    schema_json, policy_json = encode_json(schema), None

    app = FastAPI(
        title="qzdsl",
        version=__version__,
        summary=f"Entitlements under {policy.info.doc_number}, with the clause trace of every decision",
        openapi_url=f"/{API_VERSION}/openapi.json",
        docs_url=None,  # the interactive pages load scripts from a CDN; the document itself is served
        redoc_url=None,
    )

    evaluations = ThreadPoolExecutor(EVAL_THREADS, thread_name_prefix="qzdsl-eval")

    async def limited(work, seconds: float, threads: ThreadPoolExecutor | None = evaluations):
        """`work()` on `threads` (None: the event loop's default pool, for long work such
        as an audit), answered within `seconds` or refused with 503. Work not yet started
        when the time is up is dropped; work under way finishes unseen (a thread cannot be
        stopped)."""
        try:
            return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(threads, work), seconds)
        except asyncio.TimeoutError:
            raise _TimeLimit(seconds) from None

    @app.exception_handler(_Unprocessable)
    async def unprocessable(request: Request, problem: _Unprocessable):
        from qzdsl.reports.check.json import diagnostic
        from qzdsl.diagnostics import PathStyle

        lang = _lang(request)
        return _Json({"error": problem.error, "lang": lang,
                             "diagnostics": [diagnostic(d, lang, PathStyle()) for d in problem.diagnostics]},
                            status_code=422)

    @app.exception_handler(_TimeLimit)
    async def time_limit(request: Request, problem: _TimeLimit):
        return _Json({"error": "time_limit", "message": f"not done within {problem.seconds:g} s"},
                            status_code=503)

    # ---- the JSON API ----------------------------------------------------------------------

    def read_case(data: object, as_of: str | None):
        if not isinstance(data, dict):
            raise _Unprocessable("invalid_case", (_request_error("case"),))
        try:
            case = case_from_dict(data, policy)
            when = _as_of(as_of)
        except QzError as exc:
            raise _Unprocessable("invalid_case", exc.diagnostics) from None
        return case, when

    def decide(case, when, lang: str) -> bytes:
        decision = evaluate(policy.in_language(lang), case, when)
        if log is not None:
            log.write(decision)
        return encode_json(record(decision, lang))

    case_body = {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}

    @app.post(f"/{API_VERSION}/eval", tags=["cases"], openapi_extra=case_body,
              summary="Evaluate a case: the qzdsl.eval.v1 record of `qzdsl eval --format json`")
    async def eval_case(request: Request, as_of: str | None = None, lang: str | None = None):
        case, when = read_case(await _json(request), as_of)
        lang = _lang(request)
        return _json_bytes(await limited(lambda: decide(case, when, lang), settings.time_limit))

    async def eval_direct(scope, receive, send) -> None:
        """`POST /v1/eval` answered by `eval_case` itself, without FastAPI's routing,
        middleware and parameter machinery, which cost as much as the evaluation (about
        1 ms a request, docs/serve.md): the same request object, the same answers and the
        same errors (the handlers below), while FastAPI still documents the route."""
        request = Request(scope, receive)
        try:
            response = await eval_case(request, request.query_params.get("as_of"))
        except _Unprocessable as problem:
            response = await unprocessable(request, problem)
        except _TimeLimit as problem:
            response = await time_limit(request, problem)
        await response(scope, receive, send)

    def asked(case, when, lang: str) -> dict:
        from qzdsl.frontdoor.interview import progress

        shown = policy.in_language(lang)
        talk = Interview.resume(shown, case, when)
        decision = talk.decision()
        done = progress(decision, lang)
        return {
            "schema": "qzdsl.questions.v1",
            "decision_id": decision.id,
            "as_of": decision.as_of.isoformat(),
            "questions": [_question(shown, q) for q in talk.questions()],
            "granted": [item.id for item in done.granted],
            "open": [item.id for item in done.open],
            "total": done.total,
        }

    @app.get(f"/{API_VERSION}/questions", tags=["cases"],
             summary="The questions still needed for a partial case given in the query (kind, as_of, one "
                     "parameter per fact), the one deciding the most first")
    async def questions_get(request: Request):
        params = dict(request.query_params)
        params.pop("lang", None)
        data = {key: params.pop(key) for key in ("kind", "as_of", "name") if key in params}
        data["facts"] = params
        case, when = read_case(data, None)
        return _json_bytes(await limited(lambda: encode_json(asked(case, when, _lang(request))),
                                         settings.time_limit))

    @app.post(f"/{API_VERSION}/questions", tags=["cases"], openapi_extra=case_body,
              summary="The questions still needed for a partial case, the one deciding the most first")
    async def questions_post(request: Request, as_of: str | None = None):
        case, when = read_case(await _json(request), as_of)
        return _json_bytes(await limited(lambda: encode_json(asked(case, when, _lang(request))),
                                         settings.time_limit))

    @app.get(f"/{API_VERSION}/schema", tags=["policy"], summary="The JSON Schema of cases for the policy")
    async def case_schema_endpoint():
        return _json_bytes(schema_json)

    @app.get(f"/{API_VERSION}/policy", tags=["policy"],
             summary="The compiled policy: what `qzdsl show --format json` prints")
    async def policy_endpoint():
        nonlocal policy_json
        if policy_json is None:  # the same policy for the server's life: encoded once, when first asked
            policy_json = encode_json(export.policy(policy))
        return _json_bytes(policy_json)

    @app.post(f"/{API_VERSION}/audit", tags=["policy"],
              summary="Audit an uploaded policy (checked in a folder of its own: no import or source outside it)",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "required": ["policy"], "additionalProperties": False,
                  "properties": {"policy": {"type": "string", "description": "the policy's text (policy.qz)"},
                                 "files": {"type": "object", "description": "files beside it, by plain name: the "
                                           "official text it cites (`source`), policies it imports",
                                           "propertyNames": {"pattern": _FILE_NAME.pattern},
                                           "additionalProperties": {"type": "string"}}}}}}}})
    async def audit_endpoint(request: Request):
        data = await _json(request)
        files = data.get("files", {}) if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("policy"), str) or set(data) - {"policy", "files"} \
                or not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise _Unprocessable("invalid_request", (_request_error("audit_body"),))
        bad = [name for name in files if not _FILE_NAME.fullmatch(name) or name == "policy.qz"]
        if bad:
            raise _Unprocessable("invalid_request", (_request_error("file_name", name=bad[0]),))
        lang = _lang(request)
        return _Json(await limited(lambda: _audit_upload(data["policy"], files, lang), settings.audit_time_limit,
                                   threads=None))

    @app.get(f"/{API_VERSION}/health", tags=["service"], summary="Whether the service is up")
    async def health():
        return {"status": "ok"}

    @app.get(f"/{API_VERSION}/version", tags=["service"], summary="Versions of qzdsl, the API and the policy")
    async def version():
        return {"qzdsl": __version__, "api": API_VERSION,
                "policy": {"doc_number": policy.info.doc_number, "title": policy.info.title, "sha256": policy.sha256}}

    # ---- the caseworker's page ---------------------------------------------------------------

    # The page is Chinese unless ?lang=en asks otherwise: a caseworker's browser may well
    # be set to English while the applicant, the policy and the report are Chinese.
    def page_lang(request: Request) -> str:
        return "en" if request.query_params.get("lang") == "en" else "zh"

    async def form_state(request: Request) -> "page.FormState":
        body = (await request.body()).decode("utf-8", errors="replace")
        lang = page_lang(request)
        return page.read_form(policy.in_language(lang), dict(parse_qsl(body, keep_blank_values=True)), lang,
                              dt.date.today())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def start(request: Request):
        lang = page_lang(request)
        return HTMLResponse(page.render(policy.in_language(lang), page.FormState(lang)))

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    async def answered(request: Request):
        state = await form_state(request)
        html = await limited(lambda: page.render(policy.in_language(state.lang), state), settings.time_limit)
        if log is not None and state.interview is not None:
            log.write(state.interview.decision())
        return HTMLResponse(html)

    @app.post("/report", response_class=HTMLResponse, include_in_schema=False)
    async def report(request: Request):
        from qzdsl.reports.eval.html import render as render_html

        state = await form_state(request)
        if state.interview is None:
            return HTMLResponse(page.render(policy.in_language(state.lang), state), status_code=422)
        return HTMLResponse(await limited(lambda: render_html(state.interview.decision(), state.lang),
                                          settings.time_limit))

    @app.post("/case.yaml", include_in_schema=False)
    async def download(request: Request):
        state = await form_state(request)
        if state.interview is None:
            return HTMLResponse(page.render(policy.in_language(state.lang), state), status_code=422)
        return Response(case_yaml(state.interview.case_data()), media_type="application/yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="case.yaml"'})

    return Limits(app, settings.max_body, settings.token, direct={("POST", f"/{API_VERSION}/eval"): eval_direct})


class _TimeLimit(Exception):
    def __init__(self, seconds: float):
        self.seconds = seconds


def _request_error(variant: str, **args: object) -> Diagnostic:
    """A request the API cannot read, worded in the request's language (`QZ401.api.*`)."""
    from qzdsl.diagnostics import error

    return error("QZ401", variant=f"api.{variant}", **args)


async def _json(request) -> object:
    """The body as JSON, numbers exact (a float would turn 350.10 into 350.1 or worse)."""
    from qzdsl.diagnostics import Text

    body = await request.body()
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        from qzdsl.wording.syntax import json_error

        reason = json_error(exc)
    except UnicodeDecodeError:
        reason = Text("read.not_utf8")
    except _NotANumber as exc:  # NaN or Infinity (`_no_constant`)
        reason = Text("QZ401.api.not_a_number", (("name", exc.args[0]),))
    except (ValueError, RecursionError):  # a body nested too deep
        reason = Text("case.too_deep")
    raise _Unprocessable("invalid_json", (_request_error("not_json", reason=reason),)) from None


class _NotANumber(ValueError):
    """NaN or Infinity in a body: JSON has no such numbers, and money none."""


def _no_constant(name: str):
    raise _NotANumber(name)


def _as_of(text: str | None) -> dt.date | None:
    from qzdsl.cases.values import Refused, read_date

    if text is None:
        return None
    try:
        return read_date(text)
    except Refused as refusal:
        from qzdsl.diagnostics import error

        raise QzError([error("QZ404", refusal.text, None, refusal.suggestion)]) from None


def _lang(request) -> str:
    """The request's language: ?lang=, else the first of Accept-Language that qzdsl
    speaks, else Chinese."""
    asked = request.query_params.get("lang")
    if asked in ("zh", "en"):
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def _question(policy, question) -> dict:
    from qzdsl.money import to_json

    fact = policy.facts[question.fact]
    return {
        "fact": fact.name,
        "label": fact.label,
        "question": fact.question,
        "type": fact.type.value,
        "members": [{"name": x.name, "label": x.label} for x in fact.members],
        "decides": [{"id": c, "title": policy.clause(c).title} for c in question.clauses],
        "stake": to_json(question.stake),
        "entitlements": question.entitlements,
        "topic": question.topic,
    }


# A file uploaded beside a policy: a plain name, never a path.
_FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


def _audit_upload(text: str, files: dict[str, str], lang: str) -> dict:
    """Check, compile and audit an uploaded policy in a fresh folder holding nothing but
    it and the files uploaded with it: imports and citations cannot reach any other file."""
    import tempfile

    from qzdsl.backends.audit.audit import audit
    from qzdsl.language.compiler import compile_program
    from qzdsl.language.loader import check
    from qzdsl.reading import Confinement
    from qzdsl.reports.audit.json import report_data

    with tempfile.TemporaryDirectory(prefix="qzdsl-upload-") as folder:
        root = Path(folder)
        path = root / "policy.qz"
        path.write_text(text, encoding="utf-8")
        for name, content in files.items():
            (root / name).write_text(content, encoding="utf-8")
        result = check(path, confinement=Confinement((root,)))
        if not result.ok:
            raise _Unprocessable("invalid_policy", tuple(_relative(d, root) for d in result.errors))
        data = report_data(audit(compile_program(result.program), result.diagnostics), lang)
    return json.loads(json.dumps(data, ensure_ascii=False).replace(str(root) + "/", ""))


def _relative(d: Diagnostic, root: Path) -> Diagnostic:
    """A diagnostic naming the uploaded file as `policy.qz`, not the server's folder."""
    from dataclasses import replace

    from qzdsl.diagnostics import Span

    spans = tuple(Span(s.file.replace(str(root) + "/", ""), s.line, s.column, s.end_line, s.end_column)
                  for s in d.spans)
    return replace(d, spans=spans)
