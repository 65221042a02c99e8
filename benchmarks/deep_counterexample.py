"""Benchmark: a traces refinement failing deep in a wide search on keys of several words.

A token ring of N stations (two bits each: N = 100 makes the codes 4 words, as
Tokeneer's) beside C counters up to V - 1 that a shared ``reset`` sets; the spec
lets the ring do R events (then none) and the counters anything, so the least
counterexample is the ring's R + 1 events, met after every interleaving of the
counters' moves up to that depth (C = 4, R = 45: 2.1 M states in 46 levels). The
``reset`` rule joins every counter: the reversed tables may fire V^C moves into
one state (2.6 M at V = 40), more than the trace rebuild's global bound, so
s30-base fired each level of the cone forwards (with the keys turned into Python
integers). Two shapes:

- ``reset-to-0``: ``reset`` sends every counter to 0, where the counterexample's
  states are (each has V^C reversed candidates: the cone is still gathered by
  firing the level before, :mod:`procalg.lts.path_cones`);
- ``reset-to-top``: ``reset`` sends every counter to V - 1, a state the cone
  never holds (its states have a handful of candidates each: the cone is
  gathered backwards, each candidate looked up in the visited runs, as Tokeneer's).

Prints the whole check's CPU seconds and its trace rebuild's
(:func:`procalg.lts.level_paths.least_goals`),
medians of ``--runs``.

Session 30 (2 shared cores, load about 10; medians of 3 interleaved runs,
s30-base -> the key-based rebuild; check / rebuild CPU seconds, the defaults):
reset-to-0 10.69 / 7.03 -> 5.73 / 2.10; reset-to-top 10.54 / 7.19 -> 3.88 / 0.53
(its rebuild now mostly the failing level fired again for its goals).

Run: ``.venv/bin/python -m benchmarks.deep_counterexample`` (``--stations 100``,
``--counters 4``, ``--values 40``, ``--ring 45``, ``--runs 3``).
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.families_wide import TOKEN_RING
from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import SearchOptions
from procalg.lts import refine_product

MODEL = """N = {n}
C = {c}
V = {v}
R = {r}
channel work : {{0..N-1}}.{{1..2}}
channel pass : {{0..N-1}}
channel inc : {{0..C-1}}
channel reset
{ring}Counter(j, x) = (x < V - 1 & inc.j -> Counter(j, x + 1)) [] reset -> Counter(j, {reset})
Counters = [| {{reset}} |] j : {{0..C-1}} @ Counter(j, 0)
System = Ring ||| Counters
Step(i, k, ph) = if ph == 0 then work.i.1 -> Order(i, k, 1)
                 else if ph == 1 then work.i.2 -> Order(i, k, 2)
                 else pass.i -> Order((i + 1) % N, k + 3, 0)
Order(i, k, ph) = inc?j -> Order(i, k, ph) [] reset -> Order(i, k, ph)
                  [] (if k < R then Step(i, k, ph) else STOP)
assert Order(0, 0, 0) [T= System
"""


MODEL = MODEL.replace("{ring}", TOKEN_RING.replace("{", "{{").replace("}", "}}"))


def timed(text: str) -> tuple[float, float, int, int]:
    """CPU seconds of the check and of its rebuild, states, trace length."""
    rebuild = []
    inner = refine_product.least_goals

    def least_goals(*args, **kwargs):
        started = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            rebuild.append(time.process_time() - started)
    refine_product.least_goals = least_goals
    try:
        started = time.process_time()
        [report] = check_model(loads(text), options=SearchOptions())
        total = time.process_time() - started
    finally:
        refine_product.least_goals = inner
    check = report.check
    assert check is not None and check.counterexample is not None, report.error
    return total, sum(rebuild), check.stats.states, len(check.counterexample.trace)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--counters", type=int, default=4)
    parser.add_argument("--values", type=int, default=40)
    parser.add_argument("--ring", type=int, default=45, help="ring events the spec allows")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = {"n": args.stations, "c": args.counters, "v": args.values, "r": args.ring}
    models = {"reset-to-0": MODEL.format(reset="0", **size),
              "reset-to-top": MODEL.format(reset="V - 1", **size)}
    print(f"{'model':<13} {'states':>10} {'trace':>5} {'check':>8} {'rebuild':>8}")
    for name, text in models.items():
        runs = [timed(text) for _ in range(args.runs)]
        check = statistics.median(r[0] for r in runs)
        rebuild = statistics.median(r[1] for r in runs)
        print(f"{name:<13} {runs[0][2]:>10,} {runs[0][3]:>5} {check:7.2f}s {rebuild:7.2f}s",
              flush=True)


if __name__ == "__main__":
    main()
