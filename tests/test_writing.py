"""One way to write a file (qzdsl.output): the old file survives any failure, no temporary
file is left, bad targets are refused before the work, stdout failures end cleanly."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qzdsl import output
from qzdsl.output import CannotWrite, check_target, write_text

POLICY = "tests/fixtures/eval/policy.qz"
CASE = "tests/fixtures/eval/cases/homebuyer.yaml"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---- the atomic replace under injected OS errors ---------------------------------------------

_ERRORS = {
    "disk full": OSError(errno.ENOSPC, "No space left on device"),
    "permission denied": PermissionError(errno.EACCES, "Permission denied"),
    "interrupted": InterruptedError(errno.EINTR, "Interrupted system call"),
}
_STAGES = ("create", "write", "fsync", "rename")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=st.binary(max_size=2000), new=st.text(max_size=2000), error=st.sampled_from(sorted(_ERRORS)),
       stage=st.sampled_from(_STAGES))
def test_a_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch, old, new, error, stage):
    folder = tmp_path / f"{stage}-{abs(hash((old, new, error))) % 10**9}"
    folder.mkdir()
    target = folder / "report.json"
    target.write_bytes(old)
    failure = _ERRORS[error]

    def fail(*args, **kwargs):
        raise failure

    with monkeypatch.context() as patch:
        if stage == "create":
            patch.setattr(tempfile, "mkstemp", fail)  # output imports it when it writes
        elif stage == "write":
            real_open = open

            def broken_open(path, mode="r", *args, **kwargs):
                handle = real_open(path, mode, *args, **kwargs)
                if "w" in mode and str(path).endswith(".tmp"):
                    handle.write = fail
                return handle

            patch.setattr("builtins.open", broken_open)
        elif stage == "fsync":
            patch.setattr(output.os, "fsync", fail)
        else:
            patch.setattr(output.os, "replace", fail)
        with pytest.raises(CannotWrite) as raised:
            write_text(target, new)
    assert target.read_bytes() == old
    assert _leftovers(folder) == []
    assert str(raised.value).startswith(f"cannot write {target}: ")


def test_a_successful_write_replaces_the_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    write_text(target, "新")
    assert target.read_text(encoding="utf-8") == "新"
    assert target.stat().st_mode & 0o777 == 0o640
    assert _leftovers(tmp_path) == []


def test_an_interrupt_while_writing_removes_the_temporary_file(tmp_path):
    from qzdsl.interrupt import Interrupted

    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(Interrupted):
        with output.staged(target) as temporary:
            temporary.write_text("half", encoding="utf-8")
            raise Interrupted()
    assert target.read_text(encoding="utf-8") == "old" and _leftovers(tmp_path) == []


# ---- targets refused before the work -----------------------------------------------------------


def test_targets_refused(tmp_path):
    source = tmp_path / "case.yaml"
    source.write_text("kind: person\n", encoding="utf-8")
    alias = tmp_path / "alias.yaml"
    os.link(source, alias)
    read_only = tmp_path / "ro.json"
    read_only.write_text("{}", encoding="utf-8")
    read_only.chmod(0o444)
    cases = {
        tmp_path: "it is a folder",
        alias: "it is one of this command's inputs",
        tmp_path / "no-folder" / "x.json": "no folder",
        read_only: "the file is read-only",
    }
    for target, reason in cases.items():
        with pytest.raises(CannotWrite, match=reason):
            check_target(target, [source])


@pytest.mark.parametrize("command", [
    ["eval", CASE, "-p", POLICY, "-f", "json", "-o", CASE],
    ["audit", "-p", POLICY, "-f", "json", "-o", POLICY],
])
def test_a_command_never_overwrites_its_input(command, run_cli, root, tmp_path):
    # The inputs copied, so that the test cannot harm the fixtures even if qzdsl did.
    shutil.copytree(root / "tests/fixtures/eval", tmp_path / "tests/fixtures/eval")
    command = [str(tmp_path / arg) if arg in (CASE, POLICY) else arg for arg in command]
    target = Path(command[-1])
    before = target.read_bytes()
    code, out, err = run_cli(*command)
    assert code == 2 and "这是本命令的输入文件之一" in err and out == ""
    assert target.read_bytes() == before


def test_fmt_on_a_read_only_file_is_a_clean_error(tmp_path, run_cli, root):
    policy = tmp_path / "policy.qz"
    policy.write_text("policy   \"测试\":  title \"t\", applies_from 2023-01-01\n", encoding="utf-8")
    policy.chmod(0o444)
    before = policy.read_bytes()
    code, _, err = run_cli("fmt", policy)
    assert code == 1 and f"错误：无法写入 {policy}：文件是只读的" in err
    code, _, err = run_cli("fmt", policy, "--lang", "en")
    assert code == 1 and f"error: cannot write {policy}: the file is read-only" in err
    assert policy.read_bytes() == before and "Traceback" not in err


def test_fmt_on_a_full_disk_leaves_the_policy_as_it_was(tmp_path, run_cli, monkeypatch):
    policy = tmp_path / "policy.qz"
    policy.write_text("policy   \"测试\":  title \"t\", applies_from 2023-01-01\n", encoding="utf-8")
    before = policy.read_bytes()

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    code, _, err = run_cli("fmt", policy)
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
    assert policy.read_bytes() == before and _leftovers(tmp_path) == []


def test_an_unwritable_witness_folder_is_refused_before_the_audit(tmp_path, run_cli):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, out, err = run_cli("audit", "-p", POLICY, "--witness-dir", blocker / "w")
    assert code == 2 and f"无法写入 {blocker / 'w'}：无权写入文件夹 {blocker}" in err and out == ""


# ---- standard output -----------------------------------------------------------------------------


def _qzdsl(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qzdsl", *args], capture_output=True, **kwargs)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_device_is_a_clean_error(root):
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "qzdsl", "show", "-p", POLICY, "-f", "json"], cwd=root,
                              stdout=full, stderr=subprocess.PIPE)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 1 and "错误：无法写入标准输出：No space left on device" in err
    assert "Traceback" not in err


def test_a_closed_pipe_ends_quietly(root):
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    done = subprocess.run([sys.executable, "-m", "qzdsl", "schema", "-p", POLICY], cwd=root, stdout=reader.stdin,
                          stderr=subprocess.PIPE)
    reader.stdin.close()
    reader.wait()
    assert "Traceback" not in done.stderr.decode("utf-8") and "Exception ignored" not in done.stderr.decode()


@pytest.mark.parametrize("encoding", ["ascii", "gbk"])
def test_a_console_that_cannot_encode_chinese_degrades(root, encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    table = _qzdsl("eval", CASE, "-p", POLICY, cwd=root, env=env)
    assert table.returncode == 0 and b"Traceback" not in table.stderr
    machine = _qzdsl("eval", CASE, "-p", POLICY, "-f", "json", cwd=root, env=env)
    assert machine.returncode == 0 and "测试" in machine.stdout.decode("utf-8")  # JSON stays UTF-8 bytes
