"""Symbolic engine benchmark (z3): BMC speed, proofs, and a state space no
explicit engine can list.

1. BMC depth per second: the unrolled search alone (no induction, no
   Spacer) on the bank account (``models/symbolic/bank_account.proc``, an
   invariant that holds, so every depth is searched) and on an up/down
   counter, until the time budget.
2. Time to prove mutual exclusion of the bakery algorithm
   (``models/symbolic/bakery.proc``), the full engine (BMC, k-induction,
   Spacer).
3. Two counters over {0..999999} with a synchronised reset: 10^12 explicit
   states; the symbolic engine proves its invariants in well under a second.
   (Spacer does not find ``x + y <= 1999998``, which needs the two bounds
   as a lemma, within a minute: that check ends unknown, so it is left out.)

Usage:
    python benchmarks/symbolic.py [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import z3

from procalg.api import load, loads
from procalg.symbolic.compose import translate_network
from procalg.symbolic.engine import invariant
from procalg.symbolic.fragment import data
from procalg.symbolic.solve import Limits, _Unrolling
from procalg.symbolic.system import Goal, System
from procalg.syntax import parse_expr

MODELS = Path(__file__).resolve().parents[1] / "models" / "symbolic"

COUNTER = """
channel up, down, reset
Counter(n) = up -> Counter(n + 1) [] n > 0 & down -> Counter(n - 1) [] reset -> Counter(0)
"""

HUGE = """
-- two counters of a million values each: 10^12 states for an explicit engine
channel tick, tock : {0..999999}
channel reset
A(x) = x < 999999 & tick!x -> A(x + 1) [] reset -> A(0)
B(y) = y < 999999 & tock!y -> B(y + 1) [] reset -> B(0)
Pair = A(0) [| {reset} |] B(0)
"""


def bmc_rate(name: str, spec, process: str, condition: str, budget: float) -> None:
    """Depths reached by BMC alone within ``budget`` seconds."""
    net = translate_network(spec, parse_expr(process))
    env = {n: v for c in net.components for n, v in c.slots.items()}
    bad = z3.Not(data(parse_expr(condition), env, net.codes, lambda node: None))
    system = System(net, Goal(bad))
    unrolling = _Unrolling(system, lambda: 600_000, base=True)
    start, depth = time.perf_counter(), 0
    marks = []
    while time.perf_counter() - start < budget:
        assert unrolling.bad_at(depth) == z3.unsat, "the invariant holds: no counterexample"
        depth += 1
        if depth % 10 == 0:
            marks.append(f"{depth}:{time.perf_counter() - start:.1f}s")
    seconds = time.perf_counter() - start
    print(f"{name:<28} depth {depth:>4} in {seconds:5.1f}s = {depth / seconds:6.1f} depths/s"
          f"   ({' '.join(marks)})", flush=True)


def prove(name: str, spec, process: str, condition: str, seconds: float = 120) -> None:
    start = time.perf_counter()
    out = invariant(spec, parse_expr(process), parse_expr(condition),
                    Limits(depth=30, seconds=seconds))
    verdict = {True: "FAIL", False: "proved", None: "unknown"}[out.found]
    print(f"{name:<28} {verdict:<8} {time.perf_counter() - start:6.2f}s  {out.method}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=float, default=10.0,
                        help="seconds of BMC per model (default: %(default)s)")
    args = parser.parse_args()
    print("1. BMC depth per second (an invariant that holds: every depth searched)")
    bank = load(MODELS / "bank_account.proc").spec
    bmc_rate("bank: Account(0)", bank, "Account(0)", "balance >= 0", args.budget)
    bmc_rate("counter: Counter(0)", loads(COUNTER).spec, "Counter(0)", "n >= 0", args.budget)
    print("2. Proofs")
    prove("bakery: inside <= 1", load(MODELS / "bakery.proc").spec, "Bakery", "inside <= 1")
    print("3. 10^12 explicit states")
    huge = loads(HUGE).spec
    prove("pair: x <= 999999", huge, "Pair", "x <= 999999")
    prove("pair: x, y <= 999999", huge, "Pair", "x <= 999999 and y <= 999999")
    prove("pair: x >= 0 and y >= 0", huge, "Pair", "x >= 0 and y >= 0")


if __name__ == "__main__":
    main()
