"""Reading stays inside the folder of policies (qzdsl.reading): imports, source texts and
policy-test case paths; regular files only, of bounded size; nothing read outside is ever
quoted. The probes are the files of tests/fixtures/broken/ (import_outside_root.qz,
import_not_a_policy.qz, source_outside_root.qz) and the ones made here at run time (FIFOs,
devices and symlink loops cannot be committed)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import qzdsl
from qzdsl.language.program import load_program
from qzdsl.reading import Confinement, ReadRefused, default_root, read_regular

HEADER = 'policy "测试": title "t", applies_from 2023-01-01\n'
SECRET = "root:x:0:0:the first line of a file outside the policy"


@pytest.fixture
def confined(monkeypatch):
    """The default confinement, not the checkout-wide root the rest of the suite reads in."""
    monkeypatch.delenv("QZDSL_READ_ROOT", raising=False)


@pytest.fixture
def outside(tmp_path) -> Path:
    secret = tmp_path / "secret.qz"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    return secret


def _policy(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "policy.qz"
    path.write_text(body + HEADER, encoding="utf-8")
    return path


def _messages(result) -> str:
    from qzdsl.diagnostics import render_all

    return render_all(result.diagnostics, result.sources)


@pytest.mark.parametrize("spelling", ["relative", "absolute"])
def test_an_import_outside_the_root_is_neither_read_nor_quoted(tmp_path, outside, confined, spelling):
    folder = tmp_path / "policies" / "mine"
    target = "../../secret.qz" if spelling == "relative" else str(outside)
    result = qzdsl.check(_policy(folder, f'import "{target}"\n'))
    assert [d.code for d in result.errors] == ["QZ010"]
    assert "outside the folder of policies" in _messages(result) and SECRET not in _messages(result)
    assert str(outside.resolve()) not in result.sources and not any(SECRET in t for t in result.sources.values())


def test_a_source_text_outside_the_root_is_refused(tmp_path, outside, confined):
    folder = tmp_path / "policies" / "mine"
    folder.mkdir(parents=True)
    path = folder / "policy.qz"
    path.write_text(f'policy "测试": title "t", source "{outside}", applies_from 2023-01-01\n', encoding="utf-8")
    result = qzdsl.check(path)
    assert [d.code for d in result.errors] == ["QZ307"] and SECRET not in _messages(result)


def test_a_sibling_policy_in_the_same_folder_of_policies_may_be_imported(tmp_path, confined):
    _policy(tmp_path / "policies" / "existing", "")
    main = _policy(tmp_path / "policies" / "new", 'import "../existing/policy.qz"\n')
    assert default_root(main) == (tmp_path / "policies").resolve()
    assert not [d for d in qzdsl.check(main).errors if d.code == "QZ010"]


def test_the_read_root_setting_widens_the_folders(tmp_path, outside, monkeypatch):
    monkeypatch.setenv("QZDSL_READ_ROOT", str(tmp_path))
    result = qzdsl.check(_policy(tmp_path / "policies" / "mine", 'import "../../secret.qz"\n'))
    assert "outside the folder" not in _messages(result)


def test_a_server_sets_its_own_root(tmp_path, outside, monkeypatch):
    """The API a server uses: its uploads folder is the only place read, whatever the
    environment says."""
    monkeypatch.setenv("QZDSL_READ_ROOT", str(tmp_path))
    uploads = tmp_path / "uploads"
    main = _policy(uploads, 'import "../secret.qz"\n')
    program = load_program(main, confinement=Confinement(roots=(uploads,)))
    assert [d.code for d in program.diagnostics] == ["QZ010"] and not any(SECRET in t for t in program.texts.values())


@pytest.mark.parametrize("kind", ["fifo", "device", "loop", "folder"])
def test_special_files_are_refused_without_hanging(tmp_path, confined, kind):
    folder = tmp_path / "policies" / "mine"
    folder.mkdir(parents=True)
    special = folder / "other.qz"
    if kind == "fifo":
        os.mkfifo(special)
    elif kind == "device":
        special.symlink_to("/dev/zero")
    elif kind == "loop":
        special.symlink_to(special)
    else:
        special.mkdir()
    result = qzdsl.check(_policy(folder, 'import "other.qz"\n'))
    assert [d.code for d in result.errors] == ["QZ010"]


def test_a_regular_file_inside_the_root_over_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "big.qz"
    big.write_bytes(b"#" * 2048)
    with pytest.raises(ReadRefused, match="larger than"):
        Confinement(roots=(tmp_path,), max_bytes=1024).read_bytes(big)


@pytest.mark.parametrize("errno_, chinese", [(errno.ENOENT, "文件不存在"), (errno.EACCES, "没有读取该文件的权限"),
                                             (errno.EIO, os.strerror(errno.EIO))])
def test_a_file_the_system_cannot_open_says_why_in_the_readers_language(tmp_path, monkeypatch, errno_, chinese):
    """The common reasons are worded in Chinese; in English, and for a rarer reason, the
    system's own words stand."""
    def refuse(*args, **kwargs):
        raise OSError(errno_, os.strerror(errno_))

    monkeypatch.setattr("qzdsl.reading.os.open", refuse)
    with pytest.raises(ReadRefused) as refused:
        read_regular(tmp_path / "policy.qz")
    assert (refused.value.reason.render("en"), refused.value.reason.render("zh")) == (os.strerror(errno_), chinese)


def test_a_policy_test_case_path_outside_the_root_is_refused(tmp_path, outside, confined, root):
    from qzdsl.diagnostics import QzError
    from qzdsl.testing.spec import load_tests

    folder = tmp_path / "policies" / "mine"
    policy = qzdsl.load(root / "policies/qzf-2023-12/policy.qz")
    tests = folder / "tests" / "t.yaml"
    tests.parent.mkdir(parents=True)
    probe = outside.with_suffix(".yaml")
    outside.rename(probe)
    tests.write_text(f"tests:\n  - name: probe\n    case: ../../../../{probe.name}\n    as_of: 2024-01-01\n"
                     "    expect: {}\n", encoding="utf-8")
    with pytest.raises(QzError) as raised:
        load_tests([tests], policy)
    assert any(d.code == "QZ505" for d in raised.value.diagnostics)
    assert all(SECRET not in str(d.message) for d in raised.value.diagnostics)
