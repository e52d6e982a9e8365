"""How fast `qzdsl eval` is, against its targets (run by hand, not by the test suite).

    python benchmarks/bench_eval.py [--runs 21] [--case policies/qzf-2023-12/cases/…yaml]

Measures, on the bundled policy:

* one `qzdsl eval CASE` as a whole process (interpreter start-up, imports, the cached
  compiled policy, reading the case, evaluating, rendering), for each output format —
  target: median under 0.25 s for the default table; `qzdsl --help` under 0.15 s;
* one in-process `qzdsl.evaluate(policy, case)` for every bundled case — target: median
  under 0.1 ms, with the trace;
* the floors under the process figures, which qzdsl does not control: `python -c pass`
  and `python -c "import typer, rich.console"` (the CLI framework and the terminal
  library), and the ratio of `qzdsl eval` to the latter.

The process figures are taken in one alternating run (each command once a round), so that
a machine whose speed drifts slows them alike and the ratio holds.

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
PROCESS_TARGET = 0.25  # seconds
HELP_TARGET = 0.15  # seconds
EVALUATE_TARGET = 0.1e-3  # seconds


def alternating(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Wall-clock seconds of `runs` rounds, each running every command once in turn, after
    one warm-up round that fills the caches (Lark's parse tables, the compiled policy, and
    Python's bytecode: PYTHONDONTWRITEBYTECODE is dropped for these runs, since an installed
    qzdsl has its modules compiled — pip writes the .pyc files when it installs — and a
    run that compiles every module from source measures Python's compiler, ~60 ms)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True)
            if round_:
                times[name].append(time.perf_counter() - start)
    return times


def per_call(function, repeat: int = 7, number: int = 200) -> float:
    """Median CPU seconds per call over `repeat` batches of `number` calls (CPU time, which
    other processes on a shared machine inflate far less than wall time)."""
    batches = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            function()
        batches.append((time.process_time() - start) / number)
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
    dropped = ", bytecode written (PYTHONDONTWRITEBYTECODE dropped)" if os.environ.get("PYTHONDONTWRITEBYTECODE") \
        else ""
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.2f}{dropped}")
    print("-- whole process (bundled policy), alternating --")
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import typer, rich.console'": [python, "-c", "import typer, rich.console"],
        "qzdsl --help": [python, "-m", "qzdsl", "--help"],
        "qzdsl eval CASE": [python, "-m", "qzdsl", "eval", args.case],
        **{f"qzdsl eval CASE -f {fmt}": [python, "-m", "qzdsl", "eval", args.case, "-f", fmt]
           for fmt in ("json", "md", "html")},
    }
    times = alternating(commands, args.runs)
    targets = {"qzdsl --help": HELP_TARGET, "qzdsl eval CASE": PROCESS_TARGET}
    for name, seconds in times.items():
        ok &= line(name, seconds, target=targets.get(name))
    floor = times["python -c 'import typer, rich.console'"]
    ratios = [a / b for a, b in zip(times["qzdsl eval CASE"], floor)]
    print(f"load {os.getloadavg()[0]:.2f} after the process runs")
    print(f"{'qzdsl eval / import typer, rich.console':<44} median {statistics.median(ratios):8.2f} x"
          f"  (min {min(ratios):.2f}, max {max(ratios):.2f})")

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
