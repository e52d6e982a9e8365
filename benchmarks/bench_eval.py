"""How fast `qzdsl eval` is, against its targets (run by hand, not by the test suite).

    python benchmarks/bench_eval.py [--runs 21] [--case policies/qzf-2023-12/cases/…yaml]

Measures, on the bundled policy:

* one `qzdsl eval CASE` as a whole process (interpreter start-up, imports, the cached
  compiled policy, reading the case, evaluating, rendering), for each output format —
  target: median under 0.3 s for the default table;
* one in-process `qzdsl.evaluate(policy, case)` for every bundled case — target: median
  under 0.2 ms;
* for reference, the floor under the process figure: `python -c pass` and `qzdsl --help`
  (interpreter and CLI framework start-up, which qzdsl does not control).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "policies/qzf-2023-12/cases"
PROCESS_TARGET = 0.3  # seconds
EVALUATE_TARGET = 0.2e-3  # seconds


def wall(command: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of `runs` runs of `command`, after one warm-up run that fills
    the caches (Lark's parse tables, the compiled policy)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def per_call(function, repeat: int = 7, number: int = 200) -> float:
    """Median seconds per call over `repeat` batches of `number` calls."""
    batches = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function()
        batches.append((time.perf_counter() - start) / number)
    return statistics.median(batches)


def line(label: str, seconds: list[float] | float, unit: str = "s", target: float | None = None) -> bool:
    values = seconds if isinstance(seconds, list) else [seconds]
    median = statistics.median(values)
    scale = 1e3 if unit == "ms" else 1
    spread = f"  (min {min(values) * scale:.3f}, max {max(values) * scale:.3f})" if len(values) > 1 else ""
    verdict = ""
    ok = target is None or median < target
    if target is not None:
        verdict = f"  target < {target * scale:g} {unit}: {'ok' if ok else 'MISSED'}"
    print(f"{label:<44} median {median * scale:8.3f} {unit}{spread}{verdict}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--case", default=str(CASES / "graduate-homebuyer.yaml"))
    args = parser.parse_args()

    python = sys.executable
    ok = True
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.2f}")
    print("-- whole process (bundled policy) --")
    line("python -c pass", wall([python, "-c", "pass"], args.runs))
    line("qzdsl --help", wall([python, "-m", "qzdsl", "--help"], args.runs))
    ok &= line("qzdsl eval CASE", wall([python, "-m", "qzdsl", "eval", args.case], args.runs),
               target=PROCESS_TARGET)
    for fmt in ("json", "md", "html"):
        line(f"qzdsl eval CASE -f {fmt}", wall([python, "-m", "qzdsl", "eval", args.case, "-f", fmt], args.runs))

    print("-- in process: qzdsl.evaluate(policy, case) --")
    sys.path.insert(0, str(ROOT))
    import qzdsl

    policy = qzdsl.load()
    medians = []
    for path in sorted(CASES.glob("*.yaml")):
        case = qzdsl.load_case(path, policy)
        seconds = per_call(lambda case=case: qzdsl.evaluate(policy, case))
        medians.append(seconds)
        line(f"  {path.name}", seconds, "ms")
    if medians:
        ok &= line("evaluate, median over the bundled cases", medians, "ms", target=EVALUATE_TARGET)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
