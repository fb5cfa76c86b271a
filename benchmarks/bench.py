"""Whole-process timings against SPEC §10 budgets.

Builds its own journals under a temporary folder, runs each command as a separate process
(the installed ``adherelog`` script next to this interpreter), and prints the median time
as a ratio to ``python -c pass`` measured in the same run, next to its budget, with the
peak memory of the slowest run. Absolute times on a shared machine are noisy; the ratios
are what the budgets are about.

    python benchmarks/bench.py                 # everything (builds ~650 MB of journals)
    python benchmarks/bench.py take due        # cases whose name starts with these words
    python benchmarks/bench.py --keep DIR ...  # build the journals in DIR and reuse them
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SCRIPT = str(Path(sys.executable).with_name("adherelog"))
NOW = "2026-11-22T09:10:00"
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "ADHERELOG_NOW": NOW,
    "TZ": "Europe/London",
    "NO_COLOR": "1",
    "ADHERELOG_BUSY_TIMEOUT": "30",
}


@dataclass
class Timing:
    median: float
    peak_kib: int


def run_once(argv: Sequence[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Seconds, peak RSS (KiB) and exit status of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.close()
    return elapsed, usage.ru_maxrss, proc.returncode


def peak_memory_kib(argv: Sequence[str], env: dict[str, str]) -> int | None:
    """Peak RSS of one run, measured by GNU time: a process forked from this (large)
    interpreter would report this interpreter's memory as its own peak."""
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    if gnu_time is None:
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as out:
        subprocess.run(
            [gnu_time, "-f", "%M", "-o", out.name, *argv],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        text = out.read().strip().splitlines()
    return int(text[-1]) if text and text[-1].isdigit() else None


def measure(
    argv: Sequence[str],
    env: dict[str, str],
    runs: int,
    before: Callable[[], None] | None = None,
) -> Timing:
    times: list[float] = []
    for _ in range(runs):
        if before is not None:
            before()
        seconds, _, code = run_once(argv, env)
        if code != 0:
            raise SystemExit(f"benchmark command failed ({code}): {' '.join(argv)}")
        times.append(seconds)
    if before is not None:
        before()
    peak = peak_memory_kib(argv, env) or 0
    return Timing(statistics.median(times), peak)


@dataclass
class Case:
    name: str
    budget: float  # ratio to python -c pass
    argv: list[str]
    runs: int = 15
    before: Callable[[], None] | None = None
    memory_budget_mib: float | None = None
    needs: Sequence[str] = ()  # journals the case needs built, beyond those in its argv


def adherelog(db: Path, *args: str) -> list[str]:
    """The installed command on journal ``db``."""
    return [SCRIPT, "--db", str(db), *args]


def main(argv: Sequence[str]) -> int:
    import argparse

    import cases as case_list

    parser = argparse.ArgumentParser(description="Time adherelog against SPEC §10 budgets.")
    parser.add_argument("selected", nargs="*", help="case name prefixes")
    parser.add_argument("--keep", type=Path, help="folder to build the journals in and reuse")
    args = parser.parse_args(argv)
    selected = args.selected
    work = args.keep or Path(tempfile.mkdtemp(prefix="adherelog-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"building journals in {work} ...", flush=True)
        cases: list[Case] = []
        for spec in case_list.cases(work, selected):
            cases.append(Case(**spec))
        for case in cases:  # compile and cache every module the commands import
            if case.before is not None:
                case.before()
            run_once(case.argv, ENV)
        baseline = measure([sys.executable, "-c", "pass"], ENV, 25)
        print(f"python -c pass: median {baseline.median * 1000:.1f} ms\n")
        print(f"{'case':58} {'median':>9} {'ratio':>7} {'budget':>7}  {'peak MiB':>8}  ok")
        failures = 0
        for case in cases:
            timing = measure(case.argv, ENV, case.runs, case.before)
            ratio = timing.median / baseline.median
            mib = timing.peak_kib / 1024  # 0 when GNU time is not installed
            ok = ratio <= case.budget and (
                case.memory_budget_mib is None or mib <= case.memory_budget_mib
            )
            failures += not ok
            mem_budget = f"/{case.memory_budget_mib:.0f}" if case.memory_budget_mib else ""
            budget = f"{case.budget:6.0f}x" if case.budget != float("inf") else f"{'-':>7}"
            print(
                f"{case.name:58} {timing.median * 1000:7.1f}ms {ratio:6.1f}x {budget}"
                f"  {mib:5.1f}{mem_budget:>4}  {'yes' if ok else 'NO'}",
                flush=True,
            )
        print(f"\n{len(cases) - failures} of {len(cases)} within budget")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
