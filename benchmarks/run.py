"""Reference-engine benchmark: dining philosophers, N = 2..8.

Prints N, states, transitions, seconds and states/second for the
deadlocking model of ``models/dining_philosophers.proc`` explored by the
term-level reference semantics (``procalg.lts.explore``). Expected state
counts for N = 2..6 (Roscoe's rules, recursion without τ): 21, 99, 465,
2 163, 10 053.

Usage:
    python benchmarks/run.py [--max-n 8] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from procalg.api import loads

MODEL = Path(__file__).resolve().parents[1] / "models" / "dining_philosophers.proc"
EXPECTED = {2: 21, 3: 99, 4: 465, 5: 2163, 6: 10053}


def model_text(n: int) -> str:
    """The bundled model with ``N`` set to ``n`` and its assertions dropped."""
    text = re.sub(r"^N = \d+$", f"N = {n}", MODEL.read_text(), flags=re.M)
    return "\n".join(line for line in text.splitlines() if not line.startswith("assert"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-n", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="skip larger N once one run takes longer than this")
    args = parser.parse_args()
    print(f"{'N':>3} {'states':>10} {'transitions':>12} {'seconds':>9} {'states/s':>10}  check")
    for n in range(2, args.max_n + 1):
        model = loads(model_text(n), f"dining_philosophers(N={n})")
        start = time.perf_counter()
        lts = model.lts("System")
        seconds = time.perf_counter() - start
        want = EXPECTED.get(n)
        mark = "" if want is None else ("ok" if lts.num_states == want else f"WRONG (want {want})")
        print(f"{n:>3} {lts.num_states:>10,} {lts.num_transitions:>12,} {seconds:>9.2f} "
              f"{lts.num_states / seconds:>10,.0f}  {mark}", flush=True)
        if seconds > args.timeout:
            print(f"stopping: N = {n} took longer than {args.timeout:.0f} s")
            break


if __name__ == "__main__":
    main()
