"""`qzdsl eval --batch` on local Spark and on DuckDB, same population, same answers (run by
hand, not by the test suite).

    python benchmarks/bench_spark.py [--rows 1000000 10000000] [--master local[2]]
        [--conf spark.driver.memory=2g ...] [--threads 2] [--dir DIR]

For each size, generates a synthetic population of the bundled policy once
(`benchmarks/synthetic_population.py`, kept in --dir), then evaluates it end to end —
Parquet in, validated, evaluated, results and errors files out (`batch.evaluate_file`) —
on DuckDB and on a local SparkSession, each in a fresh process, and prints the wall
time of each (for Spark: starting the session, then the run itself) and whether the two
result files hold the same rows (same column types, same metadata, same rows and counts).

There is no target for Spark on one machine: the figures show where each engine belongs
(docs/scale.md). Exit status 1 when the engines' results differ.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CONF = ("spark.driver.memory=2g", "spark.sql.shuffle.partitions=2")


def child(engine: str, source: Path, out: Path, threads: int, master: str, conf: list[str]) -> None:
    """One measured run, in this process: prints its figures as JSON."""
    from qzdsl.backends.sql import batch
    from qzdsl.cache import load

    policy = load()
    started = time.perf_counter()
    runner = None
    if engine == "spark":
        from qzdsl.backends.sql.spark import Spark, parse_conf

        runner = Spark(master=master, conf=parse_conf(conf))
    ready = time.perf_counter()
    summary = batch.evaluate_file(policy, source, out, threads=threads, engine=runner)
    done = time.perf_counter()
    print(json.dumps({"rows": summary.rows_in, "rows_out": summary.rows_out, "rejected": summary.rows_rejected,
                      "reconciled": summary.reconciled, "start": ready - started, "seconds": done - ready}))


def same_results(first: Path, second: Path) -> tuple[bool, str]:
    """Whether two results files hold the same rows with the same types and metadata."""
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    read = "read_parquet({!r})".format
    schemas = [connection.execute(f"DESCRIBE SELECT * FROM {read(str(p))}").fetchall() for p in (first, second)]
    if schemas[0] != schemas[1]:
        return False, "column types differ"
    metadata = [connection.execute(f"SELECT value FROM parquet_kv_metadata({str(p)!r}) WHERE key = 'qzdsl'")
                .fetchall() for p in (first, second)]
    if metadata[0] != metadata[1]:
        return False, "metadata differ"
    for a, b in ((first, second), (second, first)):
        extra = connection.execute(f"SELECT count(*) FROM (SELECT * FROM {read(str(a))} "
                                   f"EXCEPT ALL SELECT * FROM {read(str(b))})").fetchone()[0]
        if extra:
            return False, f"{extra:,} rows of {a.name} are not in {b.name}"
    return True, "same rows, types and metadata"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--conf", action="append", default=None, metavar="KEY=VALUE",
                        help=f"a Spark setting (default: {' '.join(DEFAULT_CONF)})")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "qzdsl-bench")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "SOURCE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    conf = args.conf if args.conf is not None else list(DEFAULT_CONF)
    if args.child:
        engine, source, out = args.child
        child(engine, Path(source), Path(out), args.threads, args.master, conf)
        return

    from synthetic_population import generate

    args.dir.mkdir(parents=True, exist_ok=True)
    same = True
    for rows in args.rows:
        source = args.dir / f"population-{rows}.parquet"
        if not source.exists():
            started = time.perf_counter()
            generate(source, rows=rows)
            print(f"generated {source} ({rows:,} rows) in {time.perf_counter() - started:.2f} s")
        outs = {}
        for engine in ("duckdb", "spark"):
            outs[engine] = args.dir / f"results-{rows}-{engine}.parquet"
            command = [sys.executable, __file__, "--child", engine, str(source), str(outs[engine]),
                       "--threads", str(args.threads), "--master", args.master]
            command += [option for pair in conf for option in ("--conf", pair)]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode:
                sys.exit(f"{engine} failed on {rows:,} rows:\n{result.stderr[-2000:]}")
            run = json.loads(result.stdout.strip().splitlines()[-1])
            assert run["reconciled"], run
            start = f"session start {run['start']:.1f} s + " if engine == "spark" else ""
            print(f"{engine:6} {rows:>12,} rows: {start}run {run['seconds']:.1f} s "
                  f"= {run['rows'] / run['seconds']:,.0f} rows/s (rejected {run['rejected']:,})", flush=True)
        agree, how = same_results(outs["duckdb"], outs["spark"])
        print(f"       {rows:>12,} rows: {'same answers' if agree else 'DIFFERENT'}: {how}", flush=True)
        same = same and agree
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
