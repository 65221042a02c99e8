"""Minimisation and refinement benchmark.

1. Dining philosophers (``models/dining_philosophers.proc``), N = 5..7, with
   ``think`` and ``eat`` hidden: exploration time, then strong and
   branching minimisation (:func:`procalg.lts.partition.minimize`) with the
   quotient sizes. Only ``pick``/``put`` stay visible, so the branching
   quotient collapses the thinking and eating steps.
2. A FIFO buffer of capacity N, specified on a sequence
   (``B(s) = #s < N & left?x -> B(s^<x>) [] #s > 0 & right!head(s) -> B(tail(s))``),
   against a chain of N one-place buffers linked by hidden channels:
   ``B(<>) [FD= Chain`` (it holds: the chain is an N-place buffer) and the
   time of :func:`procalg.checks.refinement.check_refinement` (normalising
   the spec, then the on-the-fly product), N = 2 .. until a run exceeds the
   time budget.

Usage:
    python benchmarks/reduction.py [--phil 5 6 7] [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.run import model_text
from procalg.api import loads
from procalg.assertion_kinds import RefinementModel
from procalg.checks.refinement import check_refinement
from procalg.lts.partition import Bisimulation, minimize

FD = RefinementModel.FAILURES_DIVERGENCES


def philosophers(sizes: list[int]) -> None:
    print(f"{'N':>3} {'states':>9} {'explore s':>9} {'strong':>8} {'strong s':>9} "
          f"{'branching':>9} {'branch s':>9}")
    for n in sizes:
        model = loads(model_text(n), f"dining_philosophers(N={n})")
        start = time.perf_counter()
        lts = model.lts("System \\ {| think, eat |}")
        explored = time.perf_counter() - start
        row = [f"{n:>3} {lts.num_states:>9,} {explored:>9.2f}"]
        for kind in (Bisimulation.STRONG, Bisimulation.BRANCHING):
            start = time.perf_counter()
            quotient = minimize(lts, kind)
            row.append(f"{quotient.num_states:>8,} {time.perf_counter() - start:>9.2f}")
        print(" ".join(row), flush=True)


def buffer_text(n: int) -> str:
    """An n-place buffer specification and a chain of n one-place buffers."""
    return f"""
N = {n}
Data = {{0, 1}}
channel left, right : Data
channel mid : {{1..N-1}}.Data
B(s) = #s < N & left?x -> B(s ^ <x>) [] #s > 0 & right!head(s) -> B(tail(s))
In(i, x) = if i == 0 then left.x else mid.i.x
Out(i, x) = if i == N-1 then right.x else mid.(i+1).x
Cell(i) = [] x : Data @ In(i, x) -> Out(i, x) -> Cell(i)
Alpha(i) = union({{ In(i, x) | x <- Data }}, {{ Out(i, x) | x <- Data }})
Chain = (|| i : {{0..N-1}} @ [Alpha(i)] Cell(i)) \\ {{| mid |}}
"""


def buffers(budget: float) -> None:
    """Each row: normal-form nodes of the spec, product states, verdict and time (the
    chain explored on the fly), then the (N-1)-place spec, which the chain must fail."""
    print(f"{'N':>3} {'spec':>6} {'product':>8} {'verdict':>7} {'seconds':>8}  "
          f"{'B(N-1) [FD= Chain':>17}")
    n = 2
    while True:
        model = loads(buffer_text(n), f"buffer(N={n})")
        start = time.perf_counter()
        result = check_refinement(model.system("B(<>)"), model.system("Chain"), FD)
        seconds = time.perf_counter() - start
        smaller = loads(buffer_text(n).replace(f"N = {n}\n", f"N = {n}\nM = {n - 1}\n")
                        .replace("#s < N", "#s < M"), f"buffer(N={n})")
        short = check_refinement(smaller.system("B(<>)"), smaller.system("Chain"), FD)
        verdict = "pass" if result.passed else "FAIL"
        print(f"{n:>3} {result.stats.extra['normal_nodes']:>6,} {result.stats.states:>8,} "
              f"{verdict:>7} {seconds:>8.2f}  "
              f"{'fails' if not short.passed else 'PASSES (wrong)':>17}", flush=True)
        if seconds > budget:
            break
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phil", type=int, nargs="*", default=[5, 6, 7])
    parser.add_argument("--budget", type=float, default=20.0,
                        help="stop the buffer series once one refinement takes this long")
    args = parser.parse_args()
    philosophers(args.phil)
    print()
    buffers(args.budget)


if __name__ == "__main__":
    main()
