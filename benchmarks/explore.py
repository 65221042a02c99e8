"""Benchmark: ``procalg lts`` against ``procalg check`` on the same process.

Issue 9 asks that exploring a process with ``procalg lts --stats`` cost at
most twice its ``procalg check`` (deadlock freedom, the whole space
searched). For each model and size this runs, as child processes and
alternately (the machine is noisy: a run of one never sits in a quiet spell
the other missed), ``procalg check``, ``procalg lts PROCESS --stats`` (the
counts, taken as the search goes) and ``procalg lts PROCESS --format aut -o
FILE`` (the whole LTS built and written), and prints the median wall and
CPU seconds, peak RSS and the ratio of each to ``check`` (wall).

Run: ``.venv/bin/python -m benchmarks.explore [--runs 3] [--size N ...]``
(philosophers-fixed at N=10 by default: 5,878,784 states, 48,091,136
transitions; ``--quick`` for N=8).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.families import FAMILIES

PROCALG = str(Path(sys.executable).with_name("procalg"))


def timed(argv: list[str]) -> tuple[float, float, float, str]:
    """Wall s, CPU s (user + system) and peak RSS MB of one child run, and its stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True)
        assert child.stdout is not None
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own usage, not all children's
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stdout.close()
        if child.returncode not in (0, 1):  # 1: a check that fails; 2 and up: an error
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed:\n{err.read()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def bench(size: int, runs: int) -> None:
    """One model's rows: check, lts --stats, lts --format aut."""
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp, "phils.proc")
        model.write_text(FAMILIES["philosophers-fixed"].proc((size,)))
        commands = {
            "check": [PROCALG, "check", str(model)],
            "lts --stats": [PROCALG, "lts", str(model), "System", "--stats"],
            "lts --format aut": [PROCALG, "lts", str(model), "System", "--format", "aut",
                                 "-o", str(Path(tmp, "out.aut"))],
        }
        times: dict[str, list[tuple[float, float, float]]] = {k: [] for k in commands}
        counts = ""
        for _ in range(runs):
            for name, argv in commands.items():
                wall, cpu, rss, out = timed(argv)
                times[name].append((wall, cpu, rss))
                if name == "lts --stats":
                    counts = out.strip()
        # the counts taken as the search goes must be the written LTS's
        header = Path(tmp, "out.aut").read_text().split("\n", 1)[0]  # des (0,T,S)
        transitions, states = (int(x) for x in header.strip("des ()").split(",")[1:])
        same = counts == f"System: {states} states, {transitions} transitions"
    check = statistics.median(t[0] for t in times["check"])
    print(f"philosophers-fixed N={size}: {counts}"
          + ("" if same else f"  WRONG: the .aut file has {states} states, {transitions} "
                             "transitions"))
    print(f"{'command':<18} {'wall s':>8} {'cpu s':>8} {'MB':>7} {'÷ check':>8}")
    for name, rows in times.items():
        wall = statistics.median(t[0] for t in rows)
        cpu = statistics.median(t[1] for t in rows)
        print(f"{name:<18} {wall:>8.2f} {cpu:>8.2f} {max(t[2] for t in rows):>7.0f} "
              f"{wall / check:>8.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, action="append")
    parser.add_argument("--quick", action="store_true", help="N=8 only")
    args = parser.parse_args()
    for size in args.size or ([8] if args.quick else [10]):
        bench(size, args.runs)


if __name__ == "__main__":
    main()
