"""A cache that cannot execute (qzdsl.cache): only entries this user's qzdsl signed, in a
folder only this user can write, are unpickled; an entry records the bytes it was compiled
from; a full disk leaves nothing behind."""

from __future__ import annotations

import errno
import os
import pickle
from pathlib import Path

import pytest

import qzdsl
from qzdsl import cache, output

POLICY = "tests/fixtures/eval/policy.qz"


class _Planted:
    """A pickle that, when loaded, creates a file: the proof that it was executed."""

    def __init__(self, proof: Path):
        self.proof = proof

    def __reduce__(self):
        return (Path.touch, (self.proof,))


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*{cache.SUFFIX}"))


def _policy_copy(root: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("policy.qz", "source.txt"):
        (folder / name).write_bytes((root / "tests/fixtures/eval" / name).read_bytes())
    return folder / "policy.qz"


def test_a_planted_pickle_is_never_loaded(root, cache_dir, tmp_path):
    cache.load(root / POLICY)
    (entry,) = _entries(cache_dir)
    proof = tmp_path / "executed"
    payload = pickle.dumps(_Planted(proof))
    entry.write_bytes(b"qzdsl-cache\0" + b"\0" * 32 + payload)  # right magic, wrong key
    assert cache.load(root / POLICY) == qzdsl.load(root / POLICY)
    assert not proof.exists()


def test_a_folder_others_can_write_is_not_used(root, monkeypatch, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("QZDSL_CACHE_DIR", str(shared))
    assert cache.load(root / POLICY) == qzdsl.load(root / POLICY)
    assert _entries(shared) == [] and not (shared / "key").exists()


def test_an_entry_others_can_write_is_not_loaded(root, cache_dir, monkeypatch):
    cache.load(root / POLICY)
    (entry,) = _entries(cache_dir)
    entry.chmod(0o666)
    loaded = []
    real = pickle.loads
    monkeypatch.setattr(cache.pickle, "loads", lambda data: loaded.append(1) or real(data))
    cache.load(root / POLICY)
    assert loaded == []


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_an_entry_of_another_user_is_not_loaded(root, cache_dir, monkeypatch):
    cache.load(root / POLICY)
    (entry,) = _entries(cache_dir)
    os.chown(entry, 65534, 65534)
    loaded = []
    real = pickle.loads
    monkeypatch.setattr(cache.pickle, "loads", lambda data: loaded.append(1) or real(data))
    cache.load(root / POLICY)
    assert loaded == []


def test_a_file_saved_while_it_is_compiled_leaves_no_stale_entry(root, tmp_path, monkeypatch):
    policy = _policy_copy(root, tmp_path / "p")
    text = policy.read_text(encoding="utf-8")
    edited = text.replace("高校毕业生就业补贴", "高校毕业生就业补助", 1)
    assert edited != text
    real = cache._compile

    def saved_meanwhile(*args):
        compiled = real(*args)  # compiled from the old bytes …
        policy.write_text(edited, encoding="utf-8")  # … and the file saved before the entry is written
        return compiled

    monkeypatch.setattr(cache, "_compile", saved_meanwhile)
    cache.load(policy)
    monkeypatch.setattr(cache, "_compile", real)
    assert cache.load(policy).clause("graduate_grant").title == "高校毕业生就业补助"


def test_a_full_disk_leaves_no_temporary_file(root, cache_dir, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", full)
    assert cache.load(root / POLICY) == qzdsl.load(root / POLICY)
    assert [p.name for p in cache_dir.iterdir() if p.name != "key"] == []


def test_the_confinement_is_part_of_the_key(root, cache_dir, monkeypatch, tmp_path):
    """An entry compiled with a wide read root is not served under a narrow one."""
    policy = _policy_copy(root, tmp_path / "policies" / "p")
    outside = tmp_path / "shared.qz"
    outside.write_text('policy "共享": title "t", applies_from 2023-01-01\n', encoding="utf-8")
    policy.write_text('import "../../shared.qz"\n' + policy.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("QZDSL_READ_ROOT", str(tmp_path))
    cache.load(policy)
    monkeypatch.delenv("QZDSL_READ_ROOT")
    with pytest.raises(qzdsl.QzError):
        cache.load(policy)
