"""Benchmark: deep, narrow searches of a lazy leaf beside small partners, product vs term rules.

Two chain shapes (one or two states per BFS level, thousands of levels):
``partnered``, a counter leaf that sometimes skips a count beside
``P = up -> tick -> P`` (``tests/lts/test_lazy_small.py``'s model, three
assertions), and ``counter``, the falls survey's ``Count(0) [| {up} |] U``
(a ``{0..N}`` counter past the whole-leaf limit, lazy, beside a one-state
partner; deadlock and divergence under hiding). Each assertion is checked
by the product engine and by the term rules, interleaved, ``--runs`` times;
the table shows median CPU seconds per assertion.

Session 27 (2 shared cores, medians of 5 interleaved runs, s27-base -> the
Python walk beside partners, :mod:`procalg.lts.leaf_partners`, and the
worklist peel of :func:`procalg.lts.tau.tau_forever`): partnered deadlock
0.61 s -> 0.20 s (term rules 0.29 s), divergence 0.50 -> 0.18 (0.38),
hidden deadlock 0.60 -> 0.17 (0.31); counter (N = 60,000) deadlock 5.88 s
-> 0.67 s (12.6 s), divergence 8.72 -> 1.18 (8.7).

Run: ``.venv/bin/python -m benchmarks.deep_chains`` (``--size 5000``, the
partnered counter's bound; ``--counter 60000``; ``--runs 5``).
"""

from __future__ import annotations

import argparse
import statistics
import time

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions

PARTNERED = """channel up, tick
C(n) = n < {size} & (up -> C(n + 1) [] n % 5 == 0 & up -> C(n + 2))
P = up -> tick -> P
Sys = C(0) [| {{up}} |] P
assert Sys :[deadlock free]
assert Sys \\ {{tick}} :[divergence free]
assert Sys \\ {{up}} :[deadlock free]
"""

COUNTER = """channel a, up, down
Count(n) = n < {size} & up -> Count(n + 1) [] n > 0 & down -> Count(n - 1) [] a -> SKIP
U = up -> U [] down -> U [] a -> U
Sys = Count(0) [| {{up}} |] U
assert Sys :[deadlock free]
assert Sys \\ {{up}} :[divergence free]
"""


def timed(text: str, engine: CheckEngine) -> list[tuple[float, str, int]]:
    """CPU seconds, verdict and states of each assertion of ``text`` under ``engine``."""
    options = SearchOptions(engine=engine, reference_max_states=5_000_000)
    out = []
    started = time.process_time()
    for report in check_model(loads(text), options=options):
        now = time.process_time()
        assert report.check is not None, report.error
        out.append((now - started, report.result.value, report.stats.states))
        started = now
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000, help="the partnered counter's bound")
    parser.add_argument("--counter", type=int, default=60_000, help="the counter's bound N")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    models = {"partnered": PARTNERED.format(size=args.size),
              "counter": COUNTER.format(size=args.counter)}
    print(f"{'model':<10} {'#':>2} {'verdict':>8} {'states':>9} {'product':>8} {'terms':>8}")
    for name, text in models.items():
        times: dict[tuple[CheckEngine, int], list[float]] = {}
        rows: dict[int, tuple[str, int]] = {}
        for _ in range(args.runs):
            for engine in (CheckEngine.PRODUCT, CheckEngine.REFERENCE):
                for i, (seconds, verdict, states) in enumerate(timed(text, engine)):
                    times.setdefault((engine, i), []).append(seconds)
                    rows[i] = (verdict, states)
        for i, (verdict, states) in rows.items():
            product = statistics.median(times[CheckEngine.PRODUCT, i])
            terms = statistics.median(times[CheckEngine.REFERENCE, i])
            print(f"{name:<10} {i:>2} {verdict:>8} {states:>9,} {product:7.2f}s {terms:7.2f}s",
                  flush=True)


if __name__ == "__main__":
    main()
