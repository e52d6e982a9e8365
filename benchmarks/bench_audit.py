"""How long `qzdsl audit` takes: the bundled policy, then synthetic policies of growing size.

    /work/venv/bin/python benchmarks/bench_audit.py [--sizes 250 500 1000 2000]

Each line is one full audit (read, parse, check, compile, decide every candidate pair,
resolve with the evaluator): its CPU time and wall time, and the CPU time of its phases,
so that growth is visible. Budgets: the bundled policy under 2 s, 2,000 clauses under
30 s, in CPU time (wall time also counts other jobs on a shared machine); the script exits
1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_policy import generate  # noqa: E402

from qzdsl.backends.audit.audit import audit  # noqa: E402
from qzdsl.language.compiler import compile_program  # noqa: E402
from qzdsl.language.loader import check  # noqa: E402

BUDGETS = {"bundled": 2.0, 2000: 30.0}


def timed_audit(path: Path | None) -> dict[str, float]:
    wall = time.perf_counter()
    started = time.process_time()
    result = check(path)
    checked = time.process_time()
    policy = compile_program(result.program)
    compiled = time.process_time()
    report = audit(policy, result.diagnostics)
    done = time.process_time()
    return {
        "total": done - started,
        "wall": time.perf_counter() - wall,
        "check": checked - started,
        "compile": compiled - checked,
        "audit": done - compiled,
        "clauses": report.coverage.clauses,
        "pairs": report.coverage.candidate_pairs,
        "checks": report.coverage.solver_checks,
        "findings": len(report.findings),
        "timed_out": sum(1 for p in report.pairs if p.overlap is None),
    }


def line(name: str, t: dict[str, float]) -> str:
    return (f"{name:>9}  {t['clauses']:>5} clauses  {t['pairs']:>6} pairs  {t['checks']:>6} solver checks  "
            f"cpu {t['total']:6.2f} s  wall {t['wall']:6.2f} s  (check {t['check']:5.2f}, "
            f"compile {t['compile']:5.2f}, audit {t['audit']:5.2f}); {t['timed_out']} pairs timed out")


def growth(measured: list[tuple[int, dict]]) -> str:
    """The growth between the smallest and the largest size, as an exponent (CPU time ~
    clauses^k) and as CPU per solver check, which stays flat when growth is linear in the
    candidate pairs the graph proposes."""
    if len(measured) < 2:
        return "growth: give two sizes or more"
    (n1, t1), (n2, t2) = measured[0], measured[-1]
    exponent = math.log(t2["total"] / t1["total"]) / math.log(n2 / n1)
    per_check = ", ".join(f"{n}: {1000 * t['total'] / max(t['checks'], 1):.2f} ms" for n, t in measured)
    return (f"growth {n1}→{n2} clauses: CPU time ~ clauses^{exponent:.2f}; pairs ~ clauses^"
            f"{math.log(t2['pairs'] / t1['pairs']) / math.log(n2 / n1):.2f}; CPU per solver check {per_check}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[250, 500, 1000, 2000])
    args = parser.parse_args()
    over = []
    bundled = timed_audit(None)
    print(line("bundled", bundled), flush=True)
    if bundled["total"] > BUDGETS["bundled"]:
        over.append("bundled")
    measured = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"synthetic_{size}.qz"
            path.write_text(generate(size), encoding="utf-8")
            times = timed_audit(path)
            measured.append((size, times))
            print(line(str(size), times), flush=True)
            if size in BUDGETS and times["total"] > BUDGETS[size]:
                over.append(str(size))
    print(growth(measured))
    if over:
        print(f"over budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
