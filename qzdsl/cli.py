"""The `qzdsl` command. Commands are thin: they parse options, call the library, and hand
the result to a renderer. Data goes to stdout, diagnostics to stderr; exceptions become
exit codes in `main` alone (0 ok, 1 findings/errors, 2 usage)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from qzdsl.diagnostics import QzError, Text, render_all
from qzdsl.wording import cli as words

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_INTERNAL = 70  # an unexpected exception: a bug in qzdsl (BSD's EX_SOFTWARE)

# The language of this run's messages, help and reports' default: set once per run by
# `_Group.main` from `--lang` or the locale.
_lang = "zh"


class _Group(TyperGroup):
    """The `qzdsl` command group: help in the user's language, and usage errors in qzdsl's
    own words (`qzdsl eval: 错误：--format 不接受 'pdf'；可选：table、json、md、html`), exit 2.

    Typer (through click) parses the command line; this class only chooses the words. It
    runs click in non-standalone mode so that every usage error reaches `_usage_error`.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        global _lang
        argv = list(sys.argv[1:] if args is None else args)
        _lang = words.language(_lang_in(argv))
        _stated.clear()
        _localize(self, _lang)
        errors = sys.modules[typer.BadParameter.__module__]  # click's exceptions, wherever typer keeps click
        try:
            code = super().main(argv, "qzdsl", complete_var, standalone_mode=False, **extra)
        except errors.UsageError as exc:
            sys.stderr.write(_usage_error(exc, argv) + "\n")
            code = EXIT_USAGE
        except typer.Abort:
            sys.stderr.write("\n")
            code = EXIT_INTERRUPTED
        code = code if isinstance(code, int) else EXIT_OK
        if standalone_mode:
            sys.exit(code)
        return code


def _lang_in(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


# Click, wherever this Typer keeps it (its own copy in newer releases).
_click = sys.modules[TyperGroup.__mro__[1].__module__]


class _Formatter(_click.HelpFormatter):
    """Click's help layout with its own words (Usage, Options, [default: …]) in the
    language of this run (`wording.cli.HELP_WORDS`)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, words.help_word(prefix or "Usage: ", _lang))

    def section(self, name: str):
        return super().section(words.help_word(name, _lang))

    def write_dl(self, rows, *args, **kwargs) -> None:
        super().write_dl([(term, words.help_text(text, _lang)) for term, text in rows], *args, **kwargs)


class _Context(_click.Context):
    formatter_class = _Formatter


def _localize(group, lang: str) -> None:
    """Put the help of `lang` (wording/cli.py) on the group, its commands and parameters."""
    helps = words.HELP[lang]
    group.help = helps[""]
    group.context_class = _Context
    for name, command in group.commands.items():
        command.context_class = _Context
        command.help = helps.get(name, command.help)
        command.short_help = None
        for param in command.params:
            key = f"{name}.{param.name}"
            if key in helps and hasattr(param, "help"):
                param.help = helps[key]
    for param in group.params:
        if param.name in helps and hasattr(param, "help"):
            param.help = helps[param.name]


def _say(key: str, **args: object) -> str:
    """A CLI message (`wording.cli.MESSAGES`) in the language of this run."""
    return words.message(key, _lang, **args)


def _usage_error(exc, argv: list[str]) -> str:
    """A click usage error in qzdsl's words: what was wrong, and what would be right."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "qzdsl"
    say = lambda key, **args: words.message(key, _lang, **args)  # noqa: E731
    param = getattr(exc, "param", None)
    kind = type(exc).__name__
    hint = say("see_help", command=command)
    if isinstance(exc, UsageError):
        reason = exc.message  # qzdsl's own, already in the user's language
    elif kind == "NoSuchOption":
        reason = say("no_such_option", option=exc.option_name)
        if exc.possibilities:
            hint = say("did_you_mean", options=exc.possibilities[0])  # click lists the closest first
    elif kind == "MissingParameter" and param is not None:
        # getattr: click's parameter attributes, which typer releases outside the tested
        # bounds (pyproject.toml) do not all keep; a usage error must never become a crash
        option = getattr(param, "param_type_name", "") == "option"
        name = (param.opts[0] if option else (getattr(param, "human_readable_name", None) or param.name or "").upper())
        reason = say("missing_option" if option else "missing_argument", name=name)
    elif kind == "BadParameter" and param is not None and hasattr(getattr(param, "type", None), "choices"):
        option = "/".join(param.opts)
        choices = ", ".join(str(c) for c in param.type.choices)
        reason = say("bad_choice", option=option, value=repr(_given(argv, param.opts) or ""), choices=choices)
    elif kind == "BadParameter" and param is not None:
        reason = say("bad_value", option="/".join(param.opts), reason=exc.message)
    elif kind == "BadParameter":
        reason = exc.message
    elif kind == "NoArgsIsHelpError":
        return exc.format_message()
    elif exc.message.startswith("No such command"):
        name = exc.message.split("'")[1] if "'" in exc.message else exc.message
        reason = say("no_such_command", name=repr(name))
        hint = say("commands", names=", ".join(sorted(ctx.command.commands))) if ctx is not None else hint
    elif exc.message.startswith("Option") and "requires an argument" in exc.message:
        reason = say("needs_value", option=exc.message.split("'")[1])
    elif exc.message.startswith("Got unexpected extra argument"):
        reason = say("extra_argument", value=exc.message.split("(")[-1].rstrip(")"))
    else:
        reason = say("usage", reason=exc.message)
    return f"{command}: {say('error')}: {reason}\n  {say('hint')}: {hint}"


def _given(argv: list[str], opts: list[str]) -> str | None:
    """The value the user gave for an option, for quoting it back."""
    for i, arg in enumerate(argv):
        if arg in opts and i + 1 < len(argv):
            return argv[i + 1]
        for opt in opts:
            if opt.startswith("--") and arg.startswith(opt + "="):
                return arg[len(opt) + 1:]
            if not opt.startswith("--") and arg.startswith(opt) and len(arg) > len(opt):
                return arg[len(opt):]
    return None


def _show_version(value: bool) -> None:
    if not value:
        return
    import platform

    from qzdsl import __version__
    from qzdsl.cache import load
    from qzdsl.resources import bundled_policy_path

    policy = load(bundled_policy_path())
    sys.stdout.write(f"qzdsl {__version__}\n"
                     f"{policy.info.doc_number} sha256 {policy.sha256}\n"
                     f"Python {platform.python_version()}\n")
    raise typer.Exit(EXIT_OK)


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    help=words.HELP["zh"][""],
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_show_version, is_eager=True),
) -> None:
    pass


class UsageError(typer.BadParameter):
    """A problem with how the command was called (missing file, bad option).

    A click usage error, so that Typer reports it and exits 2 in every runner, the test
    runner included."""


def _require_file(path: Path) -> Path:
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file" if _lang == "en" else f"{path} 是文件夹；请给出文件")
    if not path.is_file():
        raise UsageError(f"no such file: {path}" if _lang == "en" else f"没有这个文件：{path}")
    return path


def _output_path(path: Optional[Path]) -> Optional[Path]:
    """An output FILE option: checked before any work is done, so that a long run never
    ends in a file that cannot be written (a folder, a missing or unwritable folder, a
    read-only file). Whether it is one of the command's inputs is checked by `_outputs`."""
    from qzdsl.output import CannotWrite, check_target

    if path is not None:
        try:
            check_target(path)
        except CannotWrite as exc:
            raise UsageError(exc.message(_lang)) from None
    return path


def _location_option(text: Optional[str]) -> Optional[str]:
    """An output FILE option that may also be a URI of a Hadoop file system (`--out`
    and `--errors` of `eval --batch`, on Spark): a local path or `file:` URI is checked
    as `_output_path` checks a path; any other URI is checked by the engine that writes
    it (`batch.require_uris`: only Spark does)."""
    from qzdsl import location

    if text is not None and location.local(text) is not None:
        _output_path(location.local(text))
    return text


def _output_folder(path: Optional[Path]) -> Optional[Path]:
    """An output FOLDER option (`--witness-dir`): a folder, or one that can be made."""
    from qzdsl.output import CannotWrite, check_folder

    if path is not None:
        try:
            check_folder(path)
        except CannotWrite as exc:
            raise UsageError(exc.message(_lang)) from None
    return path


def _outputs(outputs, inputs) -> None:
    """Refuse, before the work starts, an output that is one of the command's inputs
    (`eval -o CASE`, `audit -o POLICY`), under whatever name."""
    from qzdsl.resources import bundled_policy_path
    from qzdsl.output import CannotWrite, check_target

    sources = [bundled_policy_path() if p is None else p for p in inputs]
    for path in outputs:
        if path is not None:
            try:
                check_target(path, sources)
            except CannotWrite as exc:
                raise UsageError(exc.message(_lang)) from None


def _emit_diagnostics(diagnostics, sources: dict[str, str], lang: str | None = None) -> None:
    """Diagnostics on stderr, in `lang` (default: the language of this run)."""
    from qzdsl.escape import terminal

    lang = lang or _lang

    if diagnostics:
        sys.stderr.write(terminal(render_all(diagnostics, sources, lang)) + "\n")


def _emit(text: str, out: Optional[Path]) -> None:
    """A report to `out` (written the one safe way) or, without one, to stdout as UTF-8 bytes."""
    from qzdsl.output import stdout_bytes, write_text

    if out is None:
        stdout_bytes(text)
    else:
        write_text(out, text)


def _default_policy() -> Path:
    """The policy a command uses when none is named — a checkout's own file when run inside
    a checkout, else the installed copy — stated on stderr so the user knows which."""
    from qzdsl.resources import default_policy_path

    path, in_checkout = default_policy_path()
    if path not in _stated:  # once per run, however many steps of a command ask for it
        _stated.add(path)
        try:
            shown = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        sys.stderr.write(words.message("policy_checkout" if in_checkout else "policy_installed", _lang,
                                       path=shown) + "\n")
    return path


_stated: set[Path] = set()  # the default policies this run has named on stderr


def _policy_paths(policy: Optional[list[Path]]) -> list[Path]:
    return [_require_file(p) for p in policy] if policy else [_default_policy()]


def _report_lang(lang: Optional["Lang"]) -> str:
    return lang.value if lang is not None else _lang


class Lang(str, Enum):
    zh = "zh"
    en = "en"


class ShowFormat(str, Enum):
    table = "table"
    list = "list"
    json = "json"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


class SimulateFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    html = "html"


@app.command()
def check(
    files: Optional[list[Path]] = typer.Argument(None, metavar="[FILE]..."),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", "-f"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
    english: bool = typer.Option(False, "--english"),
) -> None:
    """Parse and check policy files; print every problem with its location."""
    from qzdsl.escape import terminal
    from qzdsl.language.loader import check as check_policy

    lang = _report_lang(lang)
    results = []
    for path in _policy_paths(files):
        result = check_policy(path, english=english)
        name = result.program.main.path if result.program.files else str(path)
        results.append((name, result.diagnostics))
        if format is CheckFormat.text:
            _emit_diagnostics(result.diagnostics, result.sources, lang)
            errors = len(result.errors)
            summary = Text("summary.check", (("file", Path(name)), ("errors", errors),
                                             ("warnings", len(result.diagnostics) - errors)))
            sys.stderr.write(terminal(summary.render(lang)) + "\n")
    if format is CheckFormat.json:
        from qzdsl.reports.check.json import render
    elif format is CheckFormat.sarif:
        from qzdsl.reports.check.sarif import render
    if format is not CheckFormat.text:
        sys.stdout.write(render(results, lang))
    failed = any(d.is_error for _, found in results for d in found)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


@app.command()
def show(
    policy: Optional[Path] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    format: ShowFormat = typer.Option(ShowFormat.table, "--format", "-f"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
) -> None:
    """Show the compiled policy: facts, clauses, citations, terms, needs and exclusion groups."""
    from qzdsl.model import export
    from qzdsl.language.loader import load

    from qzdsl.output import console, stdout_bytes

    shown = _report_lang(lang)
    compiled = load(_require_file(policy) if policy else _default_policy()).in_language(shown)
    if format is ShowFormat.json:
        stdout_bytes(json.dumps(export.policy(compiled), ensure_ascii=False, indent=2) + "\n")
        return
    from qzdsl.reports.show.table import render_list, render_policy

    if format is ShowFormat.list:
        stdout_bytes(render_list(compiled, shown))
        return
    render_policy(compiled, console(), shown)


# ---- fmt command (language core) ----


@app.command()
def fmt(
    files: list[Path] = typer.Argument(..., metavar="FILE..."),
    check_only: bool = typer.Option(False, "--check"),
    to_stdout: bool = typer.Option(False, "--stdout"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
) -> None:
    """Rewrite policy files in the canonical layout (in place, unless --check or --stdout).

    A file with syntax errors is left untouched and its errors are printed. Exit 1 when a
    file has errors or, with --check, when a file would change.
    """
    from qzdsl.diagnostics import error
    from qzdsl.language.formatter import format_text
    from qzdsl.output import CannotWrite, check_target, stdout_bytes, write_text
    from qzdsl.reading import ReadRefused, read_regular

    if check_only and to_stdout:
        raise UsageError(_say("check_and_stdout"))
    failed = False
    for path in [_require_file(p) for p in files]:
        text = raw = ""
        try:
            data = read_regular(path)
            try:
                raw = data.decode("utf-8")
            except UnicodeDecodeError:
                raise ReadRefused("not_utf8") from None
            # As `check` reads a policy: a byte-order mark some editors write is no error.
            text = raw.removeprefix("\ufeff")
            formatted = format_text(text, str(path))
        except ReadRefused as refused:
            _emit_diagnostics([error("QZ010", path=str(path), reason=refused.reason)], {})
            failed = True
            continue
        except QzError as exc:
            _emit_diagnostics(exc.diagnostics, {str(path): text})
            failed = True
            continue
        if to_stdout:
            stdout_bytes(formatted)
        elif formatted != raw and check_only:
            stdout_bytes(f"{path}\n")
            failed = True
        elif formatted != raw:
            try:  # replaced atomically: a full disk or a read-only file leaves the policy as it was
                write_text(check_target(path), formatted)
            except CannotWrite as exc:
                sys.stderr.write(_say("error_line", reason=exc.message(_lang)) + "\n")
                failed = True
                continue
            sys.stderr.write(_say("reformatted", path=path) + "\n")
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


# ---- eval and schema commands ----


class EvalFormat(str, Enum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"


def _policy_set(policy: Optional[list[Path]]) -> tuple[Path, tuple[Path, ...]]:
    """The main policy (the first --policy; default: `_default_policy`) and the further ones, which
    are loaded as if it imported them."""
    paths = _policy_paths(policy)
    return paths[0], tuple(paths[1:])


def _date_option(text: Optional[str], option: str):
    """A date option, read like every date qzdsl takes (2024-06-01, 2024/6/1, 2024年6月1日)."""
    from qzdsl.cases.values import Refused, read_date

    if text is None:
        return None
    try:
        return read_date(text)
    except Refused as refusal:
        hint = refusal.hint(_lang)
        raise UsageError(f"{option}: {refusal.message(_lang)}" + (f" ({hint})" if hint else "")) from None


class BatchEngine(str, Enum):
    duckdb = "duckdb"
    spark = "spark"


# --engine, --spark-master and --conf, shared by `eval --batch` and `simulate`.
ENGINE_OPTION = typer.Option(BatchEngine.duckdb, "--engine")
SPARK_MASTER_OPTION = typer.Option(None, "--spark-master", metavar="URL")
SPARK_REMOTE_OPTION = typer.Option(None, "--spark-remote", metavar="URL")
SPARK_CONF_OPTION = typer.Option(None, "--conf", metavar="KEY=VALUE")


def _batch_engine(engine: "BatchEngine", spark_master: Optional[str], spark_remote: Optional[str],
                  conf: Optional[list[str]], locations=()):
    """The engine a batch run asks for: None for DuckDB (the default), else a Spark
    engine on a session started now. A data-lake URI among `locations` is refused on
    DuckDB before anything starts."""
    if engine is BatchEngine.duckdb:
        if spark_master or spark_remote or conf:
            raise UsageError(_say("spark_options_alone"))
        from qzdsl.backends.sql.batch import BatchInputError, require_uris

        try:
            require_uris(None, *locations)
        except BatchInputError as exc:
            raise UsageError(exc.message(_lang)) from None
        return None
    if spark_master and spark_remote:
        raise UsageError(_say("master_or_remote"))
    from qzdsl.backends.sql.spark import Spark, parse_conf

    return Spark(master=spark_master, conf=parse_conf(conf or ()), remote=spark_remote)


def _local_output(text: Optional[str]) -> Optional[Path]:
    """A report's --out, which is written here: a local path or `file:` URI."""
    from qzdsl import location

    if text is None:
        return None
    if location.local(text) is None:
        raise UsageError(_say("out_is_local", text=text))
    return location.local(text)


class BatchLayout(str, Enum):
    narrow = "narrow"
    wide = "wide"


@app.command("eval")
def eval_case(
    case: Optional[Path] = typer.Argument(None, metavar="CASE"),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE"),
    format: EvalFormat = typer.Option(EvalFormat.table, "--format", "-f"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
    out: Optional[str] = typer.Option(None, "--out", "-o", callback=_location_option, metavar="FILE"),
    batch: Optional[str] = typer.Option(None, "--batch", metavar="FILE"),
    errors: Optional[str] = typer.Option(None, "--errors", callback=_location_option, metavar="FILE"),
    layout: Optional[BatchLayout] = typer.Option(None, "--layout"),
    phases: bool = typer.Option(False, "--phases"),
    ignore_unknown_columns: bool = typer.Option(False, "--ignore-unknown-columns"),
    engine: BatchEngine = ENGINE_OPTION,
    spark_master: Optional[str] = SPARK_MASTER_OPTION,
    spark_remote: Optional[str] = SPARK_REMOTE_OPTION,
    conf: Optional[list[str]] = SPARK_CONF_OPTION,
    verify: Optional[Path] = typer.Option(None, "--verify", metavar="DECISION.json"),
) -> None:
    """Evaluate a case: every clause the applicant can receive, its amount, reasons and trace."""
    when = _date_option(as_of, "--as-of")
    if verify is not None:
        _verify_decision(verify, policy, lang)
    if batch is not None:
        # Before the evaluator's and the case reader's imports: a batch run needs neither.
        _eval_batch(policy, batch, out, errors, when, format, lang, layout, ignore_unknown_columns,
                    (engine, spark_master, spark_remote, conf), phases)
    from qzdsl.cases.case import load_case
    from qzdsl.backends.evaluator.evaluator import evaluate
    from qzdsl.cache import load
    from qzdsl.output import console, text_file

    if engine is not BatchEngine.duckdb or spark_master or spark_remote or conf:
        raise UsageError(_say("engine_needs_batch"))
    if phases:
        raise UsageError(_say("phases_needs_batch"))
    if case is None:
        raise UsageError(_say("case_or_batch"))
    out = _local_output(out)
    _outputs([out], [case, *(policy or [None])])
    compiled = load(*_policy_set(policy)).in_language(_report_lang(lang))
    decision = evaluate(compiled, load_case(_require_file(case), compiled), as_of=when)
    if format is EvalFormat.table:
        from qzdsl.reports.eval.json import record
        from qzdsl.reports.eval.table import render as render_table

        if out is None:
            render_table(record(decision, _report_lang(lang)), console())
            return
        with text_file(out) as handle:
            render_table(record(decision, _report_lang(lang)), console(file=handle, width=120, color_system=None))
        return
    if format is EvalFormat.json:
        from qzdsl.reports.eval.json import render
    elif format is EvalFormat.md:
        from qzdsl.reports.eval.markdown import render
    else:
        from qzdsl.reports.eval.html import render
    text = render(decision, _report_lang(lang))
    _emit(text, out)


@app.command()
def schema(
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
) -> None:
    """Print the JSON Schema of case files, generated from the policy's fact declarations."""
    from qzdsl.cases.case import case_schema
    from qzdsl.cache import load
    from qzdsl.output import stdout_bytes

    compiled = load(*_policy_set(policy))
    stdout_bytes(json.dumps(case_schema(compiled), ensure_ascii=False, indent=2) + "\n")


def _verify_decision(path: Path, policy: Optional[list[Path]], lang: Optional["Lang"]) -> None:
    """`qzdsl eval --verify DECISION.json`: exit 0 when the stored decision still holds
    under the current policy, 1 when it does not (what changed is printed)."""
    from qzdsl.cache import load
    from qzdsl.output import stdout_bytes
    from qzdsl.reports.eval.verify import read_record, render, verify

    stored = read_record(_require_file(path))
    result = verify(stored, load(*_policy_set(policy)).in_language(_report_lang(lang)), _report_lang(lang))
    stdout_bytes(render(result, _report_lang(lang)))
    raise typer.Exit(EXIT_OK if result.holds else EXIT_FINDINGS)


class DocKind(str, Enum):
    table = "table"
    law = "law"


@app.command()
def doc(
    what: DocKind = typer.Argument(DocKind.table, metavar="table|law"),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, metavar="FILE"),
) -> None:
    """Document the policy for legal staff: the lawyer's table (Markdown) or the annotated law (HTML)."""
    from qzdsl.cache import load

    _outputs([out], [*(policy or [None])])
    compiled = load(*_policy_set(policy)).in_language(_report_lang(lang))
    if what is DocKind.table:
        from qzdsl.reports.doc.table import render
    else:
        from qzdsl.reports.doc.law import render
    text = render(compiled, _report_lang(lang))
    _emit(text, out)


@app.command("new-case")
def new_case(
    kind: str = typer.Argument(..., metavar="KIND"),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
) -> None:
    """Print a commented case-file template for KIND: every fact with its label, type and question."""
    from qzdsl.cache import load
    from qzdsl.cases.template import case_template
    from qzdsl.output import stdout_bytes

    compiled = load(*_policy_set(policy)).in_language(_report_lang(lang))
    name = kind if kind in compiled.kinds else {k.label: k.name for k in compiled.kinds.values()}.get(kind)
    if name is None:
        kinds = ", ".join(f"{k.name} ({k.label})" for k in compiled.kinds.values())
        raise UsageError(words.message("unknown_kind", _lang, kind=repr(kind), kinds=kinds))
    stdout_bytes(case_template(compiled, name, _report_lang(lang)))


@app.command()
def interview(
    case: Optional[Path] = typer.Argument(None, metavar="[CASE]"),
    kind: Optional[str] = typer.Option(None, "--kind", metavar="KIND"),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, metavar="CASE.yaml"),
    report: Optional[Path] = typer.Option(None, "--report", callback=_output_path, metavar="FILE"),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
) -> None:
    """Build a case by answering questions: only those still needed, the one deciding the most first."""
    import datetime as dt

    from qzdsl.cache import load
    from qzdsl.cases.case import load_case
    from qzdsl.cases.values import Refused, read_kind
    from qzdsl.frontdoor import terminal
    from qzdsl.frontdoor.interview import Interview
    from qzdsl.output import console as make_console

    say = _report_lang(lang)
    when = _date_option(as_of, "--as-of")
    compiled = load(*_policy_set(policy)).in_language(say)
    console = make_console(markup=True, highlight=False)  # its own styling; every text in it is escaped
    if case is not None:
        talk = Interview.resume(compiled, load_case(_require_file(case), compiled), when)
    else:
        chosen = None
        if kind is not None:
            try:
                chosen = read_kind(compiled, kind)
            except Refused as refusal:
                raise UsageError(f"--kind: {refusal.message(_lang)} ({refusal.hint(_lang)})") from None
        talk = Interview(compiled, chosen or "", when or dt.date.today())
    terminal.header(talk, console, say, talk.as_of)
    if case is not None:
        console.print(terminal.resumed(talk, say))
    if not talk.kind:
        chosen = terminal.choose_kind(compiled, console, say)
        if chosen is None:
            raise typer.Exit(EXIT_INTERRUPTED)
        talk.kind = chosen
    terminal.run(talk, console, say)
    saved = terminal.save(talk, out, case or Path("case.yaml"), console, say)
    from qzdsl.reports.eval.json import record
    from qzdsl.reports.eval.table import render as render_table

    decision = talk.decision()
    console.print()
    render_table(record(decision, say), console)
    if report is not None:
        from qzdsl.output import write_text
        from qzdsl.reports.eval.html import render as render_html

        write_text(report, render_html(decision, say))
        console.print(terminal.report_saved(report, say))
    raise typer.Exit(EXIT_OK if saved is not None else EXIT_FINDINGS)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, metavar="PORT"),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    token_file: Optional[Path] = typer.Option(None, "--token-file", metavar="FILE"),
    decision_log: Optional[Path] = typer.Option(None, "--decision-log", metavar="FILE"),
    log_facts: bool = typer.Option(False, "--log-facts"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, metavar="N"),
) -> None:
    """Serve the caseworker's page and the JSON API (docs/serve.md)."""
    import ipaddress
    import os

    from qzdsl.reading import ReadRefused, read_regular

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    token = None
    if token_file is not None:
        try:
            token = read_regular(_require_file(token_file), 4096).decode("utf-8").strip()
        except (ReadRefused, UnicodeDecodeError) as exc:
            reason = exc.reason.render(_lang) if isinstance(exc, ReadRefused) else words.message(
                "not_utf8", _lang)
            raise UsageError(f"--token-file {token_file}: {reason}") from None
        if len(token) < 16:
            raise UsageError(words.message("short_token", _lang, path=token_file))
    if not loopback and token is None:
        raise UsageError(words.message("needs_token", _lang, host=host))
    if log_facts and decision_log is None:
        raise UsageError(words.message("log_facts_alone", _lang))
    try:
        import uvicorn

        from qzdsl.frontdoor.app import SETTINGS_ENV, Settings, create_app, settings_json, settle
    except ImportError:
        raise UsageError(words.message("serve_missing", _lang)) from None

    settings = Settings(tuple(_policy_paths(policy)), token, decision_log, log_facts)
    application = create_app(settings)  # compiled here once, so that a bad policy stops the command
    sys.stderr.write(words.message("serving", _lang, url=f"http://{host if ':' not in host else f'[{host}]'}:{port}/")
                     + "\n")
    # No access log: a request line can carry a case in its query (GET /v1/questions).
    options = {"host": host, "port": port, "access_log": False, "log_level": "warning", "server_header": False}
    if workers == 1:
        settle()
        uvicorn.run(application, **options)
    else:  # worker processes build the application from the settings handed down in the environment
        os.environ[SETTINGS_ENV] = settings_json(settings)
        uvicorn.run("qzdsl.frontdoor.app:from_environment", factory=True, workers=workers, **options)


# ---- audit command ----


class AuditFormat(str, Enum):
    table = "table"
    md = "md"
    html = "html"
    json = "json"
    sarif = "sarif"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    never = "never"


@app.command()
def audit(
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    format: AuditFormat = typer.Option(AuditFormat.table, "--format", "-f"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, metavar="FILE"),
    graph: Optional[Path] = typer.Option(None, "--graph", callback=_output_path, metavar="FILE"),
    witness_dir: Optional[Path] = typer.Option(None, "--witness-dir", callback=_output_folder, metavar="DIR"),
    fail_on: FailOn = typer.Option(FailOn.error, "--fail-on"),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0.001, metavar="SECONDS"),
) -> None:
    """Audit overlaps: clauses that can pay one applicant for the same need, each with a
    witness case, and how 从优、从高、不重复 resolves them. Exit 1 gates CI."""
    from qzdsl.backends.audit.audit import audit_file
    from qzdsl.diagnostics import Severity, at_or_above
    from qzdsl.escape import terminal
    from qzdsl.reports.audit import output as audit_output

    paths = _policy_paths(policy)
    _outputs([out, graph], paths)
    if graph is not None and graph.suffix.lower() not in audit_output.GRAPH_FORMATS:
        raise UsageError(_say("graph_formats", formats=", ".join(audit_output.GRAPH_FORMATS), name=graph.name))
    if graph is not None and len(paths) > 1:
        raise UsageError(_say("graph_one_policy"))
    import time

    deadline = time.monotonic() + timeout if timeout is not None else None
    # One budget for the whole run: each policy gets what the ones before it left.
    reports = [audit_file(path, timeout, deadline, _report_lang(lang)) for path in paths]
    audit_output.emit(reports, format.value, _report_lang(lang), out)
    if graph is not None:
        audit_output.write_graph(reports[0], graph, _report_lang(lang))
    if witness_dir is not None:
        audit_output.write_witnesses(reports, witness_dir)
    for report in reports:
        sys.stderr.write(terminal(audit_output.summary(report, _report_lang(lang))) + "\n")
    findings = [f for report in reports for f in report.findings]
    failing = fail_on is not FailOn.never and at_or_above(findings, Severity(fail_on.value))
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


class DiffFormat(str, Enum):
    table = "table"
    md = "md"
    html = "html"
    json = "json"


@app.command("diff")
def diff_policies(
    old: Path = typer.Argument(..., metavar="OLD"),
    new: Path = typer.Argument(..., metavar="NEW"),
    format: DiffFormat = typer.Option(DiffFormat.table, "--format", "-f"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, metavar="FILE"),
    fail_on_change: bool = typer.Option(False, "--fail-on-change"),
) -> None:
    """Compare two versions of a policy: what changed, and for every clause whose outcome
    changes, an applicant treated differently (or a proof that nobody is)."""
    from qzdsl.backends.audit.diff import diff
    from qzdsl.cache import load
    from qzdsl.reports.diff import record as diff_record


    _outputs([out], [old, new])
    report_lang = _report_lang(lang)
    result = diff(load(_require_file(old)).in_language(report_lang), load(_require_file(new)).in_language(report_lang))
    data = diff_record.record(result, report_lang)
    if format is DiffFormat.table and out is None:
        from qzdsl.output import console as safe_console
        from qzdsl.reports.diff.text import table

        table(data, safe_console(), report_lang)
    else:
        if format is DiffFormat.json:
            text = diff_record.render(result, report_lang)
        elif format is DiffFormat.html:
            from qzdsl.reports.templating import render
            from qzdsl.wording.labels import label

            text = render("diff.html.j2", d=data, lang=report_lang,
                          t=lambda key, **v: label(key, report_lang).format(**v))
        else:
            from qzdsl.reports.diff.text import markdown

            text = markdown(data, report_lang)
        _emit(text, out)
    raise typer.Exit(EXIT_FINDINGS if fail_on_change and result.outcome_changes else EXIT_OK)


# ---- test command ----


class PolicyTestFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"


@app.command("test")
def run_policy_tests(
    paths: Optional[list[Path]] = typer.Argument(None, metavar="[PATH]..."),
    policy: Optional[Path] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    coverage: bool = typer.Option(False, "--coverage"),
    min_coverage: Optional[float] = typer.Option(
        None, "--min-coverage", min=0, max=100, metavar="PCT"),
    format: PolicyTestFormat = typer.Option(PolicyTestFormat.text, "--format", "-f"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", callback=_output_path, metavar="FILE"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
) -> None:
    """Run the policy tests beside a policy: each case's expected verdicts, amounts and reasons."""
    from decimal import Decimal

    from qzdsl.language.loader import load
    from qzdsl.testing.spec import default_test_dir
    from qzdsl.testing.coverage import coverage as measure
    from qzdsl.testing.runner import run_paths

    from qzdsl.escape import terminal
    from qzdsl.output import stdout_bytes, write_text
    from qzdsl.wording.testing import word

    lang = _report_lang(lang)
    policy = _require_file(policy) if policy else _default_policy()
    _outputs([out], [policy])
    compiled = load(policy).in_language(lang)
    targets = paths or [default_test_dir(policy)]
    for target in targets:
        if not target.exists():
            raise UsageError(word("no_such_path", lang, path=target))
    try:
        run = run_paths(compiled, targets)
    except QzError as exc:
        _emit_diagnostics(exc.diagnostics, _sources_of(exc), lang)
        sys.stderr.write(word("bad_tests", lang, count=len(exc.diagnostics)) + "\n")
        raise typer.Exit(EXIT_USAGE) from None
    if not run.results:
        raise UsageError(word("no_tests", lang, paths=", ".join(map(str, targets))))
    cov = measure(run) if coverage or min_coverage is not None else None

    if format is PolicyTestFormat.json:
        from qzdsl.reports.testing.json import run_json

        report = json.dumps(run_json(run, cov if coverage else None), ensure_ascii=False, indent=2) + "\n"
    elif format is PolicyTestFormat.junit:
        from qzdsl.reports.testing.junit import render_junit

        report = render_junit(run, lang)
    else:
        from qzdsl.reports.testing.text import render_run

        report = render_run(run, cov if coverage else None, lang=lang)
    if out is not None:
        write_text(out, report)
    else:  # the text report is read on a terminal: test and case names cannot drive it
        stdout_bytes(terminal(report) if format is PolicyTestFormat.text else report)
    if out is not None or format is not PolicyTestFormat.text:
        if coverage and format is PolicyTestFormat.junit:
            from qzdsl.reports.testing.text import render_coverage

            sys.stderr.write(render_coverage(cov, lang) + "\n")
        sys.stderr.write(word("summary", lang, passed=run.passed, failed=run.failed) + "\n")

    failed = not run.ok
    if min_coverage is not None and not cov.meets(Decimal(str(min_coverage))):
        sys.stderr.write(word("coverage.below", lang, percent=cov.clause_percent, minimum=f"{min_coverage:g}") + "\n")
        failed = True
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


# ---- batch, simulate and compile commands ----


def _eval_batch(policy: Optional[list[Path]], batch: str, out: Optional[str], errors: Optional[str], when,
                format: "EvalFormat", lang: "Lang", layout: "Optional[BatchLayout]" = None,
                ignore_unknown: bool = False,
                engine_options: tuple = (BatchEngine.duckdb, None, None, None), phases: bool = False) -> None:
    """`qzdsl eval --batch FILE --out RESULT`: exit 0 when every row was evaluated, 1 when
    rows were rejected (see the errors file) or the counts do not reconcile. FILE, RESULT
    and --errors are local paths or, with --engine spark, data-lake URIs (`qzdsl.location`)."""
    from qzdsl import location
    from qzdsl.backends.sql.batch import BatchInputError, run_batch
    from qzdsl.reports.batch.summary import render

    if out is None:
        raise UsageError(_say("batch_needs_out"))
    if location.key(out) == location.key(batch) or (
            errors is not None and location.key(errors) in (location.key(out), location.key(batch))):
        raise UsageError(_say("three_files"))
    if format.value not in ("table", "json"):
        raise UsageError(_say("batch_formats"))
    from qzdsl.backends.sql.batch import default_errors_path
    from qzdsl.output import stdout_bytes

    errors_file = errors or default_errors_path(out)
    engine = engine_options[0]
    if engine is BatchEngine.duckdb:
        _batch_engine(*engine_options, locations=(batch, out, errors_file))  # refuses a URI before any work
    local_inputs = [location.local(batch)] if location.local(batch) is not None else []
    _outputs([location.local(t) for t in (out, errors_file) if location.local(t) is not None],
             [*local_inputs, *(policy or [None])])
    if local_inputs:
        batch = _require_file(local_inputs[0])
    from qzdsl.cache import load

    load(*_policy_set(policy))  # a policy that does not compile is said before Spark's JVM starts
    try:
        summary = run_batch(_policy_paths(policy), batch, out, errors, _report_lang(lang),
                            progress=sys.stderr.isatty(), as_of=when, layout=layout and layout.value,
                            ignore_unknown=ignore_unknown, phases=phases,
                            engine=_batch_engine(*engine_options, locations=(batch, out, errors_file)))
    except BatchInputError as exc:
        raise UsageError(exc.message(_lang)) from None
    stdout_bytes(render(summary, format.value, _report_lang(lang)))
    clean = summary.reconciled and summary.rows_rejected == 0
    raise typer.Exit(EXIT_OK if clean else EXIT_FINDINGS)


@app.command()
def simulate(
    file: str = typer.Argument(..., metavar="FILE"),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar="DATE"),
    format: SimulateFormat = typer.Option(SimulateFormat.table, "--format", "-f"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
    reform: Optional[Path] = typer.Option(None, "--reform", metavar="FILE"),
    ignore_unknown_columns: bool = typer.Option(False, "--ignore-unknown-columns"),
    engine: BatchEngine = ENGINE_OPTION,
    spark_master: Optional[str] = SPARK_MASTER_OPTION,
    spark_remote: Optional[str] = SPARK_REMOTE_OPTION,
    conf: Optional[list[str]] = SPARK_CONF_OPTION,
) -> None:
    """The fiscal exposure of the policy over a population: per clause and per section, the
    applicants granted and the first-year and lifetime amounts; with --reform, who gains,
    who loses and what the reform costs against the policy, in one pass."""
    from qzdsl.backends.sql.batch import BatchInputError
    from qzdsl.cache import load
    from qzdsl.reports.batch.simulate import render
    from qzdsl.backends.sql.simulate import simulate as run
    from qzdsl.output import stdout_bytes

    from qzdsl import location

    compiled = load(*_policy_set(policy)).in_language(_report_lang(lang))
    if reform is not None:
        if engine is not BatchEngine.duckdb:
            raise UsageError(_say("reform_on_duckdb"))
        _batch_engine(engine, spark_master, spark_remote, conf, locations=(file,))
        from qzdsl.backends.sql.simulate import simulate_reform
        from qzdsl.reports.batch import reform as reform_report

        if format is SimulateFormat.csv:
            raise UsageError(_say("reform_formats"))
        try:
            result = simulate_reform(compiled, load(_require_file(reform)).in_language(_report_lang(lang)),
                                     _require_file(location.local(file)),
                                     _date_option(as_of, "--as-of"), _report_lang(lang), progress=sys.stderr.isatty(),
                                     ignore_unknown=ignore_unknown_columns)
        except BatchInputError as exc:
            raise UsageError(exc.message(_lang)) from None
        stdout_bytes(reform_report.render(result, format.value, _report_lang(lang)))
        return
    if format in (SimulateFormat.md, SimulateFormat.html):
        raise UsageError(_say("simulate_formats"))
    when = _date_option(as_of, "--as-of")
    if engine is BatchEngine.duckdb:
        _batch_engine(engine, spark_master, spark_remote, conf, locations=(file,))  # a URI: refused now
    if location.local(file) is not None:
        file = _require_file(location.local(file))
    try:
        result = run(compiled, file, when, _report_lang(lang), progress=sys.stderr.isatty(),
                     ignore_unknown=ignore_unknown_columns,
                     engine=_batch_engine(engine, spark_master, spark_remote, conf, locations=(file,)))
    except BatchInputError as exc:
        raise UsageError(exc.message(_lang)) from None
    stdout_bytes(render(result, format.value, _report_lang(lang)))


class CompileTarget(str, Enum):
    sql = "sql"


class SqlDialect(str, Enum):
    duckdb = "duckdb"
    spark = "spark"
    trino = "trino"


@app.command("compile")
def compile_policy(
    target: CompileTarget = typer.Option(CompileTarget.sql, "--target"),
    dialect: SqlDialect = typer.Option(SqlDialect.duckdb, "--dialect"),
    policy: Optional[list[Path]] = typer.Option(None, "--policy", "-p", metavar="FILE"),
    table: str = typer.Option("cases", "--table", metavar="NAME"),
    carry: Optional[list[str]] = typer.Option(None, "--carry", metavar="COLUMN"),
    phases: bool = typer.Option(False, "--phases"),
    lang: Optional[Lang] = typer.Option(None, "--lang"),
) -> None:
    """Print the policy as one SQL query: every clause's status and amounts for each row of
    a table of cases (docs/scale.md)."""
    from qzdsl.cache import load
    from qzdsl.backends.sql.query import SqlNameError, to_sql
    from qzdsl.output import stdout_bytes

    try:
        sql = to_sql(load(*_policy_set(policy)), dialect.value, table, carry=tuple(carry or ()), phases=phases)
    except SqlNameError as exc:
        raise UsageError(exc.message(_lang)) from None
    stdout_bytes(sql + "\n")


def main() -> None:
    """Entry point: the one place where exceptions become exit codes.

    Typer (standalone mode) turns usage errors into exit 2 and `typer.Exit` into its code;
    here, qzdsl's own exceptions become 1, Ctrl-C 130 (`qzdsl.interrupt`), an output that
    cannot be written `error: cannot write FILE: reason` and 1, a closed pipe a quiet 1, and
    anything unexpected one line asking for a report (70) — never a stack dump.
    """
    from qzdsl.escape import terminal
    from qzdsl.interrupt import Interrupted, sigint_raises
    from qzdsl.output import CannotWrite, degrade_console_streams, is_broken_pipe, silence_stdout

    degrade_console_streams()
    code: int | str | None = EXIT_OK
    commands = app.registered_commands
    try:
        with sigint_raises():
            try:
                app.registered_commands = _named_command(commands, sys.argv[1:2])
                app()
            finally:
                app.registered_commands = commands
                sys.stdout.flush()  # a full device or a closed pipe shows here, not at exit
    except SystemExit as exc:
        code = exc.code
    except QzError as exc:
        _emit_diagnostics(exc.diagnostics, _sources_of(exc), _lang)
        code = EXIT_FINDINGS
    except CannotWrite as exc:
        sys.stderr.write(_say("error_line", reason=exc.message(_lang)) + "\n")
        code = EXIT_FINDINGS
    except Interrupted:
        silence_stdout()
        sys.stderr.write("\n" + _say("interrupted") + "\n")
        code = EXIT_INTERRUPTED
    except OSError as exc:
        silence_stdout()
        if exc.filename:  # an OS error no reader turned into a diagnostic
            reason = _say("os_error", file=exc.filename, reason=exc.strerror or exc)
            sys.stderr.write(terminal(_say("error_line", reason=reason)) + "\n")
        elif not is_broken_pipe(exc):  # a closed pipe (`| head`): the reader went away, nothing to say
            sys.stderr.write(_say("error_line", reason=_say("stdout_failed", reason=exc.strerror or exc)) + "\n")
        code = EXIT_FINDINGS
    except Exception as exc:  # the last resort: a bug, reported in one line, not a stack dump
        command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), "")
        reason = _say("internal_error", command=command, error=f"{type(exc).__name__}: {exc}")
        sys.stderr.write(terminal(_say("error_line", reason=reason)) + "\n")
        code = EXIT_INTERNAL
    sys.exit(code)


def _named_command(commands: list, first: list[str]) -> list:
    """Of the registered commands, only the one the command line names (`qzdsl eval …`),
    or all of them (`qzdsl`, `qzdsl --help`, a misspelt command, which is answered with
    the list). Typer turns every registered command into a click command, reading its
    signature and parameters, before it parses anything: for one command, building the
    other fifteen is start-up time spent for nothing."""
    named = [c for c in commands if first and (c.name or c.callback.__name__.lower().replace("_", "-")) == first[0]]
    return named or commands


def _sources_of(exc: QzError) -> dict[str, str]:
    """Read the files a diagnostic points into, to show their lines."""
    sources = {}
    for d in exc.diagnostics:
        if d.span and d.span.file not in sources:
            try:
                sources[d.span.file] = Path(d.span.file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
    return sources
