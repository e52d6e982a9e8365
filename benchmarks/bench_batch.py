"""How fast `qzdsl eval --batch` is on a million rows (run by hand, not by the test suite).

    python benchmarks/bench_batch.py [--rows 1000000] [--runs 3] [--threads 2] [--memory-limit 1536MB]
        [--format parquet|csv] [--input parquet|csv|spelled] [--dir DIR]

Generates a synthetic population for the bundled policy once
(`benchmarks/synthetic_population.py`, kept in --dir), then evaluates it end to end — file
in, validated, evaluated, results and errors files out (`batch.evaluate_file`) — each run
in a fresh process, and prints the wall time, rows per second, CPU time and the process's
peak resident memory. Peak memory is `ru_maxrss`: DuckDB allocates outside Python's heap,
where tracemalloc does not look.

`--input` chooses the population file: `parquet` (typed columns, used as they are), `csv`
(the same rows as text, every value in its plain spelling: parsed by SQL alone) or `spelled`
(the same CSV with the money of every tenth row written as people write it, ``2.5万``,
``20,000``, ``１２３``: the distinct spellings parsed once in Python and joined back).

Targets on a 2-core machine: 1,000,000 rows in under 3 s, peak memory under 2 GB.
Exit status 1 when the best run misses a target.

When the OpenFisca peer is set up (a venv with openfisca-core: `.venv-of` in the project,
or `--peer-venv DIR`, or the `OF` environment variable naming its `bin/` as `run_batch.sh`
takes it; see ../shared/peers/openfisca/README.md),
each round also runs `qzdsl eval --batch` and OpenFisca's file-to-file run on the same
population as whole processes, one after the other, and prints the median of the rounds'
wall-time ratios qzdsl / OpenFisca (`run_batch.sh` is the reference measurement; this is a
quick look at the same figure).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The peer lives beside the project (../shared/peers/openfisca); a worktree is one level deeper.
PEER = next((d / "shared" / "peers" / "openfisca" / "of_batch.py" for d in (ROOT.parent, ROOT.parent.parent)
             if (d / "shared" / "peers" / "openfisca" / "of_batch.py").exists()), None)


def _peer_python(venv: Path | None) -> Path:
    """The OpenFisca venv's python: `--peer-venv`, else `$OF/python` (run_batch.sh's
    `OF`, a venv's bin/), else the project's `.venv-of`."""
    if venv is not None:
        return venv / "bin" / "python"
    if os.environ.get("OF"):
        return Path(os.environ["OF"]) / "python"
    return ROOT / ".venv-of" / "bin" / "python"

SECONDS_TARGET = 3.0
MEMORY_TARGET_MB = 2048


def child(source: Path, out: Path, threads: int, memory_limit: str | None) -> None:
    """One measured run, in this process: prints its figures as JSON."""
    from qzdsl.backends.sql import batch
    from qzdsl.cache import load

    started = time.perf_counter()
    policy = load()
    loaded = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    summary = batch.evaluate_file(policy, source, out, threads=threads, memory_limit=memory_limit)
    seconds = time.perf_counter() - loaded
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)
    print(json.dumps({"rows": summary.rows_in, "rows_out": summary.rows_out, "rejected": summary.rows_rejected,
                      "reconciled": summary.reconciled, "seconds": seconds, "cpu": cpu,
                      "load_seconds": loaded - started, "peak_mb": after.ru_maxrss / 1024}))


def _as_csv(source: Path, spelled: bool) -> Path:
    """The population as a CSV file (every value as text), made once beside it; `spelled`
    writes every tenth row's money as a person would (full-width digits, 万, separators)."""
    import duckdb

    import qzdsl
    from qzdsl.model import policy as m

    target = source.with_name(source.stem + ("-spelled" if spelled else "") + ".csv")
    if target.exists():
        return target
    connection = duckdb.connect()
    names = [r[0] for r in connection.execute(f"DESCRIBE SELECT * FROM read_parquet('{source}')").fetchall()]
    money = {f.name for f in qzdsl.load().facts.values() if f.type is m.Type.MONEY}
    columns = []
    for i, name in enumerate(names):
        value = f'"{name}"'
        if spelled and name in money:
            # 10 % of the rows: 2.5万 where the amount is a multiple of 1000 yuan, else 20,000 or
            # full-width digits, alternating.
            text = f"CAST({value} AS VARCHAR)"
            spelling = (f"CASE WHEN {value} % 1000 = 0 THEN CAST({value} / 10000 AS VARCHAR) || '万' "
                        f"WHEN (row_id + {i}) % 20 < 10 THEN format('{{:,}}', CAST({value} AS BIGINT)) || "
                        f"CASE WHEN {value} % 1 = 0 THEN '' ELSE substr(CAST({value} % 1 AS VARCHAR), 2) END "
                        f"ELSE translate({text}, '0123456789', '０１２３４５６７８９') END")
            value = f"CASE WHEN hash(row_id, {i}) % 10 = 0 THEN {spelling} ELSE {text} END"
        columns.append(f'{value} AS "{name}"')
    connection.execute(f"COPY (SELECT {', '.join(columns)} FROM read_parquet('{source}')) TO '{target}' "
                       f"(FORMAT csv, HEADER true)")
    return target


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 1536MB (default: DuckDB's)")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="of the results file")
    parser.add_argument("--input", choices=("parquet", "csv", "spelled"), default="parquet",
                        help="the population file: typed Parquet, plain CSV, or CSV with spelled money")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "qzdsl-bench")
    parser.add_argument("--peer-venv", type=Path, default=None,
                        help="the OpenFisca venv (default: $OF/.., else .venv-of in the project)")
    parser.add_argument("--child", nargs=2, type=Path, metavar=("SOURCE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.threads, args.memory_limit)
        return

    from synthetic_population import generate

    args.dir.mkdir(parents=True, exist_ok=True)
    import qzdsl

    # Named by the policy it was generated for: a population of an older encoding (whose
    # facts were renamed since) is never reused.
    source = args.dir / f"population-{args.rows}-{qzdsl.load().sha256[:12]}.parquet"
    if not source.exists():
        started = time.perf_counter()
        generate(source, rows=args.rows)
        print(f"generated {source} ({args.rows:,} rows) in {time.perf_counter() - started:.2f} s")
    if args.input != "parquet":
        source = _as_csv(source, args.input == "spelled")
    out = args.dir / f"results.{args.format}"
    command = [sys.executable, __file__, "--child", str(source), str(out), "--threads", str(args.threads)]
    if args.memory_limit:
        command += ["--memory-limit", args.memory_limit]
    subprocess.run(command, check=True, capture_output=True)  # warm-up: the compiled-policy cache, the OS cache

    peer_python = _peer_python(args.peer_venv)
    peer = PEER is not None and peer_python.exists()
    cli = [str(Path(sys.executable).parent / "qzdsl"), "eval", "--batch", str(source), "--out",
           str(args.dir / "whole.parquet"), "--as-of", "2025-06-30"]
    runs, ratios = [], []
    for _ in range(args.runs):
        result = subprocess.run(command, check=True, capture_output=True, text=True)
        runs.append(json.loads(result.stdout))
        if peer:
            ours = _wall([*cli])
            theirs = _wall([str(peer_python), str(PEER), str(source), str(args.dir / "openfisca.parquet")])
            ratios.append(ours / theirs)
            print(f"whole process: qzdsl eval --batch {ours:.2f} s, OpenFisca {theirs:.2f} s, "
                  f"ratio {ours / theirs:.2f}", flush=True)
    for run in runs:
        assert run["reconciled"], run
        print(f"{run['rows']:,} rows in {run['seconds']:.2f} s = {run['rows'] / run['seconds']:,.0f} rows/s; "
              f"CPU {run['cpu']:.2f} s; peak memory {run['peak_mb']:,.0f} MB "
              f"(policy load {run['load_seconds']:.2f} s, not timed)")
    best = min(runs, key=lambda r: r["seconds"])
    median = statistics.median(r["seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    fast = best["seconds"] < SECONDS_TARGET
    small = peak < MEMORY_TARGET_MB
    print(f"best {best['seconds']:.2f} s ({best['rows'] / best['seconds']:,.0f} rows/s), median {median:.2f} s "
          f"— target < {SECONDS_TARGET:.0f} s: {'ok' if fast else 'MISSED'}")
    print(f"peak memory {peak:,.0f} MB — target < {MEMORY_TARGET_MB:,} MB: {'ok' if small else 'MISSED'}")
    if ratios:
        print(f"qzdsl / OpenFisca, whole process, file to file: median ratio {statistics.median(ratios):.2f} "
              f"over {len(ratios)} rounds (goal <= 1.0, stretch <= 0.5); load average {os.getloadavg()[0]:.1f}")
    else:
        print(f"(no OpenFisca ratio: no {peer_python}; set up .venv-of as ../shared/peers/openfisca/README.md "
              f"says, or give --peer-venv)")
    sys.exit(0 if fast and small else 1)


if __name__ == "__main__":
    main()
