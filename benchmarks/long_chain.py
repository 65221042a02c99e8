"""Benchmark: one literal chain of prefixes, as a recorded trace or a scripted scenario is written.

``P = a -> b -> c.1 -> c.2 -> a -> ... -> STOP`` with ``n`` prefixes, two
assertions (deadlock freedom, which fails at the chain's end, and ``P [T= P``).
Each row: CPU seconds of :func:`procalg.syntax.parse`, of
:func:`procalg.api.model.loads` (parsing included) and of each check, the median
of ``--runs``, with the cyclic collector off as the ``procalg`` command line runs.

Session 33 (2 shared cores, medians of 3 interleaved runs, s33-r1), 5,000 /
19,000 prefixes: load 0.87 / 23.8 s (x27 for x3.8 prefixes: quadratic, in
:func:`procalg.semantics.nesting`'s call scan, nested generators and a prefix
path copied per level) -> 0.21 / 0.80 s (one run; an explicit stack and a
linked prefix trail); deadlock check 0.74 / 4.01 -> 0.63 / 2.40 s (the
generated stepper's places tested in a set, not a list); ``[T=`` 0.47 / 1.82
-> 0.46 / 1.70 s.

Run: ``.venv/bin/python -m benchmarks.long_chain`` (``--sizes 1000 5000 19000``,
``--runs 3``).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.semantics.deep import run_deep
from procalg.syntax import parse

EVENTS = ("a", "b", "c.1", "c.2")


def chain(n: int) -> str:
    """A model of one chain of ``n`` prefixes and its two assertions.

    Example:
        >>> print(chain(3))
        channel a, b
        channel c : {1..2}
        P = a -> b -> c.1 -> STOP
        assert P :[deadlock free]
        assert P [T= P
        <BLANKLINE>
    """
    body = " -> ".join(EVENTS[i % len(EVENTS)] for i in range(n))
    return (f"channel a, b\nchannel c : {{1..2}}\nP = {body} -> STOP\n"
            "assert P :[deadlock free]\nassert P [T= P\n")


def timed(text: str) -> list[float]:
    """CPU seconds of parsing, loading and each assertion's check of ``text``."""
    started = time.process_time()
    run_deep(lambda: parse(text))
    out = [time.process_time() - started]
    started = time.process_time()
    model = loads(text)
    out.append(time.process_time() - started)
    started = time.process_time()
    for report in check_model(model):
        assert report.check is not None, report.error
        now = time.process_time()
        out.append(now - started)
        started = now
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 19000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    collecting = gc.isenabled()
    gc.disable()
    print(f"{'prefixes':>9} {'parse s':>8} {'load s':>8} {'deadlock s':>11} {'[T= s':>8}")
    try:
        for n in args.sizes:
            text = chain(n)
            runs = [timed(text) for _ in range(args.runs)]
            cols = [statistics.median(col) for col in zip(*runs, strict=True)]
            print(f"{n:>9} " + " ".join(f"{c:>{w}.2f}" for c, w in zip(cols, (8, 8, 11, 8),
                                                                         strict=True)))
    finally:  # a caller's process (the tests) keeps its collector
        if collecting:
            gc.enable()


if __name__ == "__main__":
    main()
