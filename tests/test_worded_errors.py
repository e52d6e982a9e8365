"""What goes wrong reading a person's file is said in the reader's language: batch files
refused whole, malformed YAML and JSON in case and test files, decision records, and the
names `compile --table/--carry` refuse. Their English stays the library's or qzdsl's own
words; every sentence a refusal names exists in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from qzdsl.codes import MESSAGES
from qzdsl.wording.cli import MESSAGES as CLI_MESSAGES

from cli_runner import run_main

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "fixtures" / "eval" / "broken"
HOUSING = ROOT / "tests" / "fixtures" / "sql" / "housing.qz"
ASCII_WORD = re.compile(r"\b[a-z]{3,}\b")


def _english_words(text: str, allowed: set[str]) -> set[str]:
    return set(ASCII_WORD.findall(text)) - allowed


def _calls(name: str):
    """(file, first argument) of every call of `name` in qzdsl whose first argument is a
    literal string: the key of the sentence it says."""
    for path in sorted((ROOT / "qzdsl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
                    and node.args):
                first = node.args[0]
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), \
                    f"{path.relative_to(ROOT)}:{node.lineno}: {name} takes the key of a sentence, not a text"
                yield path, first.value


@pytest.mark.parametrize(("name", "prefix"), [("BatchInputError", "batch."), ("SparkUnavailable", "batch."),
                                              ("SparkFailed", "batch."), ("SqlNameError", "sql_name."),
                                              ("_reported", "batch.spark_doing.")])
def test_every_refusal_names_a_sentence_in_both_languages(name, prefix):
    keys = [key for _, key in _calls(name)]
    assert keys, name
    for key in keys:
        for lang in ("zh", "en"):
            assert prefix + key in CLI_MESSAGES[lang], (name, key, lang)


def test_the_two_languages_word_the_same_sentences():
    assert set(CLI_MESSAGES["zh"]) == set(CLI_MESSAGES["en"])


def test_a_batch_file_refused_whole_is_said_in_chinese(capsys, monkeypatch, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("row_id,no_home\np1,true\n", encoding="utf-8")
    args = ("eval", "--batch", str(source), "--out", str(tmp_path / "out.parquet"), "--policy", str(HOUSING))
    code, _, err = run_main(capsys, monkeypatch, *args)
    assert code == 2 and "人群文件没有 kind 列（每行的申请主体类型）" in err, err
    code, _, err = run_main(capsys, monkeypatch, *args, "--lang", "en")
    assert code == 2 and "the batch file has no 'kind' column" in err, err


def test_a_misspelt_column_is_said_with_its_likely_fact(capsys, monkeypatch, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("row_id,kind,no_hom\np1,person,true\n", encoding="utf-8")
    args = ("eval", "--batch", str(source), "--out", str(tmp_path / "out.parquet"), "--policy", str(HOUSING))
    code, _, err = run_main(capsys, monkeypatch, *args)
    assert code == 2 and "“no_hom”列不是" in err and "您是否要用“no_home”？" in err, err
    code, _, err = run_main(capsys, monkeypatch, *args, "--lang", "en")
    assert code == 2 and "the column 'no_hom' is no fact of" in err and "did you mean 'no_home'?" in err, err


def test_compile_refuses_a_table_name_in_chinese(capsys, monkeypatch):
    code, _, err = run_main(capsys, monkeypatch, "compile", "--policy", str(HOUSING), "--table", "a b")
    assert code == 2 and "--table：“a b”不是表名" in err, err
    code, _, err = run_main(capsys, monkeypatch, "compile", "--policy", str(HOUSING), "--carry", "kind", "--lang", "en")
    assert code == 2 and "--carry: 'kind' is a column of the result already" in err, err


@pytest.mark.parametrize(("text", "zh", "en"), [
    ("kind: person\nfacts:\n  no_home: [true\n", ["YAML 格式错误：此处应为逗号“,”或“]”，却是文件结尾",
                                                   "= 注: 位于第 3 行第 12 列开始的方括号列表中"],
     ["malformed YAML: expected ',' or ']', but got '<stream end>'",
      "= note: while parsing a flow sequence started at line 3, column 12"]),
    ("kind: person\n\tfacts: {}\n", ["YAML 格式错误：制表符不能用在这里"],
     ["malformed YAML: found character '\\t' that cannot start any token"]),
    ("kind: person\nfacts:\n  a: b: c\n", ["YAML 格式错误：此处不能写“键: 值”"],
     ["malformed YAML: mapping values are not allowed here"]),
    ('kind: person\nname: "open\n', ["YAML 格式错误：文件意外结束"], ["found unexpected end of stream"]),
])
def test_malformed_yaml_is_said_in_the_readers_language(capsys, monkeypatch, tmp_path, text, zh, en):
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    code, _, err = run_main(capsys, monkeypatch, "eval", str(case))
    assert code == 1 and all(line in err for line in zh), err
    said = [line.split("]: ", 1)[-1] for line in err.splitlines() if "error[" in line or "= 注" in line]
    assert said and not _english_words(" ".join(said), set()), err
    code, _, err = run_main(capsys, monkeypatch, "eval", str(case), "--lang", "en")
    assert code == 1 and all(line in err for line in en), err


def test_malformed_json_is_said_in_the_readers_language(capsys, monkeypatch):
    code, _, err = run_main(capsys, monkeypatch, "eval", str(BROKEN / "malformed.json"))
    assert code == 1 and "JSON 格式错误：此处应为用双引号括起的键名" in err, err
    code, _, err = run_main(capsys, monkeypatch, "eval", str(BROKEN / "malformed.json"), "--lang", "en")
    assert "malformed JSON: Expecting property name enclosed in double quotes" in err, err


def test_a_malformed_test_file_is_said_like_a_malformed_case(capsys, monkeypatch, tmp_path):
    from qzdsl.diagnostics import QzError
    from qzdsl.testing.spec import load_test_file
    from qzdsl.cache import load

    path = tmp_path / "bad.test.yaml"
    path.write_text("tests:\n  - {name: x\n", encoding="utf-8")
    with pytest.raises(QzError) as raised:
        load_test_file(path, load(HOUSING))
    [found] = raised.value.diagnostics
    assert found.code == "QZ501"
    assert found.message_in("zh") == "YAML 格式错误：此处应为逗号“,”或右花括号，却是文件结尾"
    assert found.message_in("en") == "malformed YAML: expected ',' or '}', but got '<stream end>'"


def test_a_file_that_is_no_decision_record_is_said_in_chinese(capsys, monkeypatch, tmp_path):
    path = tmp_path / "record.json"
    path.write_text('{"schema": ', encoding="utf-8")
    code, _, err = run_main(capsys, monkeypatch, "eval", "--verify", str(path))
    assert code == 1 and "不是决定记录（第 1 行第 12 列：此处应有一个值）" in err, err
    path.write_text('{"schema": "other"}', encoding="utf-8")
    code, _, err = run_main(capsys, monkeypatch, "eval", "--verify", str(path), "--lang", "en")
    assert code == 1 and "not a decision record (schema qzdsl.eval.v1)" in err, err


def test_every_yaml_and_json_sentence_has_both_languages():
    keys = [key for key in MESSAGES if key.startswith(("read.yaml", "read.json"))]
    assert len(keys) > 30
    assert all(set(MESSAGES[key]) == {"en", "zh"} for key in keys)
