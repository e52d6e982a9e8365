"""The command line's own words in Chinese and English: command and option help, and the
messages for usage errors. The CLI attaches them to its commands at run time, in the
language the user chose (`--lang`, else the LANG environment)."""

from __future__ import annotations

import os

# Help for commands (key: command name) and their parameters (key: "command.param").
HELP: dict[str, dict[str, str]] = {
    "zh": {
        "": "qzdsl —— 政策规则的编译、检查、测算与审计工具（内置 衢政发〔2023〕12号）。",
        "version": "显示 qzdsl、内置政策（文号与 SHA-256）和 Python 的版本后退出。",
        "install_completion": "为当前 shell 安装命令补全。",
        "show_completion": "显示当前 shell 的命令补全脚本，以便复制或自行安装。",
        "check": "解析并检查政策文件，列出每个问题及其位置。",
        "check.files": "政策文件（默认：内置政策，或当前检出目录中的政策）。",
        "show": "显示编译后的政策：事实、条款、引文、排斥组。",
        "show.policy": "政策文件（默认：内置政策）。",
        "show.format": "输出格式：table（表格）、list（逐行列出，不截断）或 json。",
        "fmt": "按规范格式重写政策文件（除非使用 --check 或 --stdout，否则原地改写）。",
        "fmt.files": "要格式化的政策文件。",
        "fmt.check_only": "不做修改，只列出需要重新格式化的文件。",
        "fmt.to_stdout": "把格式化后的文本打印到标准输出，不改写文件。",
        "eval": "测算一个案例：申请人可享受的每项待遇、金额、理由与判定过程。",
        "eval.case": "案例文件（YAML 或 JSON）：申请主体类型与事实。",
        "eval.policy": "政策文件（默认：内置政策）；可重复，其余文件视同被第一个文件导入。",
        "eval.as_of": "评估日期 YYYY-MM-DD（默认：案例中的 as_of，否则为今天）。",
        "eval.format": "报告格式：table、json、md 或 html。",
        "eval.lang": "报告语言：zh（中文）或 en（英文）；默认按 LANG 环境变量，否则中文。",
        "eval.out": "把报告写入该文件。",
        "eval.batch": "逐行测算一个人群文件（.csv、.parquet、.jsonl），结果写入 --out（在 DuckDB 上运行）。",
        "eval.errors": "与 --batch 同用：被拒绝的行写入该文件（默认：--out 旁的 RESULT.errors.csv）。",
        "new-case": "打印某类申请主体的案例文件模板：每个事实的标签、类型和提问。",
        "new-case.kind": "申请主体类型（名称或中文标签），如 person 或 个人。",
        "new-case.policy": "政策文件（默认：内置政策）。",
        "new-case.lang": "模板注释的语言：zh 或 en。",
        "schema": "打印案例文件的 JSON Schema（由政策的事实声明生成）。",
        "schema.policy": "政策文件（默认：内置政策）。",
        "audit": "审计重叠：可能为同一申请人的同一需求付款的条款（附见证案例），以及“从优、从高、不重复”如何处理。退出码 1 可用于 CI 把关。",
        "audit.policy": "要审计的政策文件（默认：内置政策）；可重复。",
        "audit.format": "报告格式：table、md、html、json 或 sarif。",
        "audit.lang": "报告语言：zh 或 en。",
        "audit.out": "把报告写入该文件。",
        "audit.graph": "写出冲突图：.dot、.graphml 或 .json 文件。",
        "audit.witness_dir": "把每个见证案例写入该文件夹。",
        "audit.fail_on": "发现达到该严重程度时以退出码 1 结束：error、warning 或 never。",
        "test": "运行政策旁的政策测试：每个案例预期的结论、金额与理由。",
        "test.paths": "测试文件或文件夹（默认：政策旁的 tests/ 文件夹）。",
        "test.policy": "政策文件（默认：内置政策）。",
        "test.coverage": "报告条款、排斥组与条件的覆盖率。",
        "test.min_coverage": "条款覆盖率（既有测试判为可享受、又有测试判为不符合的条款所占百分比）低于 PCT% 时失败。",
        "test.format": "报告格式：text、json 或 junit。",
        "test.out": "把报告写入该文件，而非标准输出。",
        "simulate": "政策在一个人群上的财政测算：按条款和章节统计获批人数、首年金额与累计金额。",
        "simulate.file": "人群文件（.csv、.parquet、.jsonl），每行一个案例。",
        "simulate.policy": "政策文件（默认：内置政策）。",
        "simulate.as_of": "没有 as_of 的行所用的评估日期 YYYY-MM-DD（默认：今天）。",
        "simulate.format": "输出格式：table、json 或 csv（供电子表格使用）。",
        "simulate.lang": "报告语言：zh 或 en。",
        "compile": "把政策输出为一条 SQL 查询：对案例表的每一行给出每个条款的结论与金额（见 docs/scale.md）。",
        "compile.target": "编译目标：sql。",
        "compile.dialect": "SQL 方言：duckdb、spark 或 trino。",
        "compile.policy": "政策文件（默认：内置政策）。",
        "compile.table": "查询读取的案例表名，如 cases 或 db.schema.cases。",
        "compile.carry": "原样带到结果末尾的输入列，如分区列（可重复）。",
    },
    "en": {
        "": "qzdsl — compile, check, evaluate and audit encoded policies (衢政发〔2023〕12号 bundled).",
        "version": "Show the versions of qzdsl, the bundled policy (document number and SHA-256) and Python, and exit.",
        "install_completion": "Install completion for the current shell.",
        "show_completion": "Show completion for the current shell, to copy it or customize the installation.",
        "check": "Parse and check policy files; print every problem with its location.",
        "check.files": "Policy files (default: the bundled policy, or the checkout's own).",
        "show": "Show the compiled policy: facts, clauses, citations, groups.",
        "show.policy": "Policy file (default: bundled).",
        "show.format": "Output: table, list (one declaration a line, nothing cut) or json.",
        "fmt": "Rewrite policy files in the canonical layout (in place, unless --check or --stdout).",
        "fmt.files": "Policy files to format.",
        "fmt.check_only": "Change nothing; list the files fmt would change.",
        "fmt.to_stdout": "Print the formatted text instead of rewriting.",
        "eval": "Evaluate a case: every clause the applicant can receive, its amount, reasons and trace.",
        "eval.case": "Case file (YAML or JSON): the applicant's kind and facts.",
        "eval.policy": "Policy file (default: bundled); repeat to load further files as if the first imported them.",
        "eval.as_of": "Evaluation date YYYY-MM-DD (default: the case's as_of, else today).",
        "eval.format": "Report format: table, json, md or html.",
        "eval.lang": "Report language: zh or en (default: from LANG, else zh).",
        "eval.out": "Write the report to this file.",
        "eval.batch": "Evaluate every row of a population file (.csv, .parquet, .jsonl) into --out, on DuckDB.",
        "eval.errors": "With --batch: where the rejected rows go (default: RESULT.errors.csv beside --out).",
        "new-case": "Print a case-file template for a kind of applicant: every fact with its label, type and question.",
        "new-case.kind": "The kind of applicant (name or Chinese label), e.g. person or 个人.",
        "new-case.policy": "Policy file (default: bundled).",
        "new-case.lang": "Language of the template's comments: zh or en.",
        "schema": "Print the JSON Schema of case files, generated from the policy's fact declarations.",
        "schema.policy": "Policy file (default: bundled).",
        "audit": "Audit overlaps: clauses that can pay one applicant for the same need, each with a witness case, and how 从优、从高、不重复 resolves them. Exit 1 gates CI.",
        "audit.policy": "Policy file to audit (default: bundled); repeat to audit several.",
        "audit.format": "Report format: table, md, html, json or sarif.",
        "audit.lang": "Report language: zh or en.",
        "audit.out": "Write the report to this file.",
        "audit.graph": "Write the conflict graph: a .dot, .graphml or .json file.",
        "audit.witness_dir": "Write each witness case file into this folder.",
        "audit.fail_on": "Exit 1 when a finding is at least this severe: error, warning or never.",
        "test": "Run the policy tests beside a policy: each case's expected verdicts, amounts and reasons.",
        "test.paths": "Test files or folders (default: the tests/ folder beside the policy).",
        "test.policy": "Policy file (default: bundled).",
        "test.coverage": "Report clause, exclusion-group and condition coverage.",
        "test.min_coverage": "Fail when fewer than PCT% of the clauses are both granted and denied by some test.",
        "test.format": "Report format: text, json or junit.",
        "test.out": "Write the report to this file, not stdout.",
        "simulate": "The fiscal exposure of the policy over a population: per clause and per section, the applicants granted and the first-year and lifetime amounts.",
        "simulate.file": "Population file (.csv, .parquet, .jsonl), one case a row.",
        "simulate.policy": "Policy file (default: bundled).",
        "simulate.as_of": "Evaluation date YYYY-MM-DD for rows without one (default: today).",
        "simulate.format": "Output: table, json or csv (for spreadsheets).",
        "simulate.lang": "Report language: zh or en.",
        "compile": "Print the policy as one SQL query: every clause's status and amounts for each row of a table of cases (docs/scale.md).",
        "compile.target": "What to compile the policy to: sql.",
        "compile.dialect": "SQL dialect: duckdb, spark or trino.",
        "compile.policy": "Policy file (default: bundled).",
        "compile.table": "The table of cases the query reads, e.g. cases or db.schema.cases.",
        "compile.carry": "An input column passed through to the end of the result, e.g. a partition column (repeatable).",
    },
}

# Usage errors and the CLI's own notes.
MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "error": "错误",
        "hint": "提示",
        "see_help": "运行 {command} --help 查看用法。",
        "no_such_option": "没有 {option} 这个选项",
        "did_you_mean": "您是否要用 {options}？",
        "no_such_command": "没有 {name} 这个命令",
        "commands": "可用的命令：{names}",
        "bad_choice": "{option} 不接受 {value}；可选：{choices}",
        "bad_value": "{option} 的值无效：{reason}",
        "missing_argument": "缺少参数 {name}",
        "missing_option": "缺少选项 {name}",
        "needs_value": "选项 {option} 需要一个值",
        "extra_argument": "多余的参数：{value}",
        "usage": "用法错误：{reason}",
        "policy_checkout": "政策：{path}（本检出目录中的文件）",
        "policy_installed": "政策：{path}（随 qzdsl 安装的副本）",
        "unknown_kind": "未知的申请主体类型 {kind}；本政策的类型：{kinds}",
    },
    "en": {
        "error": "error",
        "hint": "hint",
        "see_help": "run {command} --help for usage.",
        "no_such_option": "no such option {option}",
        "did_you_mean": "did you mean {options}?",
        "no_such_command": "no such command {name}",
        "commands": "the commands are: {names}",
        "bad_choice": "{option} does not take {value}; choose one of: {choices}",
        "bad_value": "invalid value for {option}: {reason}",
        "missing_argument": "missing argument {name}",
        "missing_option": "missing option {name}",
        "needs_value": "option {option} needs a value",
        "extra_argument": "unexpected extra argument: {value}",
        "usage": "usage error: {reason}",
        "policy_checkout": "policy: {path} (this checkout's file)",
        "policy_installed": "policy: {path} (the copy installed with qzdsl)",
        "unknown_kind": "unknown applicant kind {kind}; the policy's kinds are: {kinds}",
    },
}


def language(explicit: str | None = None) -> str:
    """The language of what a person reads: `--lang` when given, else English when the
    locale (LC_ALL, LC_MESSAGES, LANG, in POSIX order) is English, else Chinese — qzdsl's
    readers are Chinese caseworkers and lawyers first."""
    if explicit in HELP:
        return explicit
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def message(key: str, lang: str, **args: object) -> str:
    return MESSAGES[lang][key].format(**args)
