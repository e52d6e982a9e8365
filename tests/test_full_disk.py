"""Outputs on a really full disk, and a batch killed mid-run (issue 18 items 1 and 8).

tests/test_writing.py injects OS errors into `qzdsl.output`; here the disk is really full —
a small tmpfs mounted for the test (as root, which CI is; skipped where mounting is not
allowed, e.g. an unprivileged container) and filled to the last byte — and each command
that writes a file runs against it as a user would: `eval --batch`, `fmt`, `eval -o`,
`audit -o` and the compiled-policy cache. Each must end with `error: cannot write …`, no
traceback, the old file intact and no temporary file left.

A batch killed with SIGKILL while it writes leaves the old results and errors files as they
were (never a truncated file); the temporary files the killed process could not remove are
named for it and removed by the next qzdsl that writes into the folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "tests/fixtures/eval/policy.qz"
CASE = ROOT / "tests/fixtures/eval/cases/homebuyer.yaml"
HOUSING = ROOT / "tests/fixtures/sql/housing.qz"


def _temporaries(folder: Path) -> list[str]:
    """Files and folders qzdsl writes before renaming them into place."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.endswith(".tmp") or p.name.startswith(".qzdsl-parts-"))


def _mount_tmpfs(folder: Path, size: str) -> str | None:
    """Mount a tmpfs of `size` on `folder`; None, or why it cannot be done here."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "mounting a small file system needs root (CI runs as root)"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}"
    return None


@pytest.fixture()
def full_disk():
    """A folder on a file system with no byte free; files put there first by `fill`."""
    # Not under pytest's tmp_path: its clean-up must never meet a mount point.
    folder = Path(tempfile.mkdtemp(prefix="qzdsl-full-disk-"))
    why = _mount_tmpfs(folder, "2m")
    if why:
        folder.rmdir()
        pytest.skip(why)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        with contextlib.suppress(OSError):
            folder.rmdir()


def _fill(folder: Path) -> None:
    """Use up every free byte of the file system `folder` is on."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 16, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0


def _qzdsl(*args, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qzdsl", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, **kwargs)


def _population(path: Path, rows: int) -> None:
    lines = ["row_id,kind,no_home,employer,purchase_date,fund_employer_monthly,household"]
    lines += [f"r{i},person,{'true' if i % 3 else 'false'},non_public,2023-0{1 + i % 9}-15,{200 + i % 50},dibao"
              for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _assert_refused(done: subprocess.CompletedProcess, target: Path) -> None:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr, done.stderr
    assert f"错误：无法写入 {target}" in done.stderr and "No space left on device" in done.stderr, done.stderr


def test_every_command_that_writes_fails_cleanly_on_a_full_disk(full_disk, tmp_path):
    unformatted = 'policy   "测试":  title "t", applies_from 2023-01-01\n'
    olds = {
        "results.csv": b"row_id,kind\nold,person\n",
        "results.errors.csv": b"row_number,row_id,reasons\n",
        "policy.qz": unformatted.encode("utf-8"),
        "report.json": b'{"old": true}\n',
        "audit.json": b'{"old": true}\n',
    }
    for name, data in olds.items():
        (full_disk / name).write_bytes(data)
    population = tmp_path / "population.csv"
    _population(population, 2000)
    _fill(full_disk)

    _assert_refused(_qzdsl("eval", "--batch", population, "--out", full_disk / "results.csv", "-p", HOUSING,
                           "--as-of", "2024-06-30"), full_disk / "results.csv")
    _assert_refused(_qzdsl("fmt", full_disk / "policy.qz"), full_disk / "policy.qz")
    _assert_refused(_qzdsl("eval", CASE, "-p", POLICY, "-f", "json", "-o", full_disk / "report.json"),
                    full_disk / "report.json")
    _assert_refused(_qzdsl("audit", "-p", POLICY, "-f", "json", "-o", full_disk / "audit.json"),
                    full_disk / "audit.json")
    for name, data in olds.items():
        assert (full_disk / name).read_bytes() == data, name
    assert _temporaries(full_disk) == []


def test_a_compiled_policy_cache_on_a_full_disk_is_no_cache(full_disk, tmp_path):
    cache = full_disk / "cache"
    cache.mkdir(mode=0o700)
    _fill(full_disk)
    done = _qzdsl("eval", CASE, "-p", POLICY, "-f", "json", env={"QZDSL_CACHE_DIR": str(cache)})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    population = tmp_path / "population.csv"
    _population(population, 10)
    done = _qzdsl("eval", "--batch", population, "--out", tmp_path / "out.csv", "-p", HOUSING,
                  "--as-of", "2024-06-30", env={"QZDSL_CACHE_DIR": str(cache)})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert _temporaries(full_disk) == [] and [p.name for p in cache.iterdir() if p.is_file()] == []


# ---- SIGKILL in the middle of a batch ------------------------------------------------------------


def _kill_while_writing(command: list, folder: Path, sign: int = signal.SIGKILL,
                        timeout: float = 120) -> subprocess.Popen | None:
    """Start `command` and send it `sign` as soon as it has begun writing a temporary file
    in `folder`; the process, ended (None: it ended before)."""
    process = subprocess.Popen([sys.executable, "-m", "qzdsl", *map(str, command)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if any(p.stat().st_size > 0 for p in folder.glob(".*.tmp") if p.is_file()):
                process.send_signal(sign)
                process.stdout_text, process.stderr_text = process.communicate()
                return process
            time.sleep(0.002)
        return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_batch_killed_while_writing_leaves_the_old_files(tmp_path, suffix):
    population = tmp_path / "population.csv"
    _population(population, 400_000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out, errors = out_dir / f"results{suffix}", out_dir / "results.errors.csv"
    out.write_bytes(b"old results\n")
    errors.write_bytes(b"old errors\n")
    command = ["eval", "--batch", population, "--out", out, "-p", HOUSING, "--as-of", "2024-06-30"]
    if not _kill_while_writing(command, out_dir):
        pytest.skip("the batch finished before it could be killed while writing")
    assert out.read_bytes() == b"old results\n"
    assert errors.read_bytes() == b"old errors\n"
    # What the killed process could not remove, the next run that writes here removes.
    done = _qzdsl(*command)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() != b"old results\n" and errors.read_text(encoding="utf-8") == "row_number,row_id,reasons\n"
    assert _temporaries(out_dir) == []


def test_a_batch_interrupted_while_writing_exits_130_and_leaves_the_old_files(tmp_path):
    population = tmp_path / "population.csv"
    _population(population, 400_000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out, errors = out_dir / "results.parquet", out_dir / "results.errors.csv"
    out.write_bytes(b"old results\n")
    errors.write_bytes(b"old errors\n")
    command = ["eval", "--batch", population, "--out", out, "-p", HOUSING, "--as-of", "2024-06-30"]
    process = _kill_while_writing(command, out_dir, signal.SIGINT)
    if process is None:
        pytest.skip("the batch finished before it could be interrupted while writing")
    assert process.returncode == 130, process.stderr_text
    assert "Traceback" not in process.stderr_text and "internal error" not in process.stderr_text
    assert out.read_bytes() == b"old results\n" and errors.read_bytes() == b"old errors\n"
    assert _temporaries(out_dir) == []
