"""Benchmark: parsing large generated models (issue 9: a model checker's input is often
written by a program, e.g. ProB's state spaces exported for FDR, 19,000 lines).

Generates a state space as such a tool writes it, one definition per state, an
external choice of prefixes to other states (``N17 = a3 -> N4 [] b1 -> N9``), at
each size, and times :func:`procalg.syntax.parse` on it in this process: CPU
seconds (the median of ``--runs``), with the cyclic collector off as the
``procalg`` command line runs (``procalg.cli.main``). ``--file PATH`` times a file
of one's own instead. Each row: model, lines, parse s, µs per line.

Run: ``.venv/bin/python -m benchmarks.parse`` (default sizes 1000, 4000, 16000
states; about a minute on the shared 2-core machine), ``--sizes 500``,
``--file model.csp``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from pathlib import Path

from procalg.syntax import parse
from procalg.syntax.parser import lark_parser

EVENTS = 30
"""Plain events the generated models declare (``e0`` ... ``e29``)."""


def state_space(states: int, seed: int = 0, events: int = EVENTS) -> str:
    """A ProB-like export: ``states`` definitions ``N<i>``, each a choice of one to six
    prefixes (an event, the next state), laid out one branch a line.

    Example:
        >>> print(state_space(2, events=3))
        channel e0, e1, e2
        <BLANKLINE>
        N0 = e1 -> N0
         [] e1 -> N1
         [] e1 -> N1
         [] e1 -> N1
        <BLANKLINE>
        N1 = e0 -> N0
         [] e1 -> N0
         [] e0 -> N1
         [] e2 -> N0
         [] e1 -> N0
        <BLANKLINE>
    """
    pick = random.Random(seed)
    lines = ["channel " + ", ".join(f"e{i}" for i in range(events)), ""]
    for state in range(states):
        branches = [f"e{pick.randrange(events)} -> N{pick.randrange(states)}"
                    for _ in range(pick.randint(1, 6))]
        lines.append(f"N{state} = " + "\n [] ".join(branches))
        lines.append("")
    return "\n".join(lines)


def seconds(text: str, runs: int) -> float:
    """The median CPU seconds of parsing ``text``, collector off (as the CLI)."""
    lark_parser()  # built once per process, not part of a parse
    times = []
    for _ in range(runs):
        gc.disable()
        started = time.process_time()
        parse(text)
        times.append(time.process_time() - started)
        gc.enable()
        gc.collect()
    return statistics.median(times)


def row(name: str, text: str, runs: int) -> str:
    lines, took = text.count("\n"), seconds(text, runs)
    return f"{name:<24} {lines:>8,} {took:>9.2f} {1e6 * took / max(lines, 1):>9.1f}"


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000])
    args.add_argument("--runs", type=int, default=3)
    args.add_argument("--file", type=Path, help="time this model instead")
    options = args.parse_args(argv)
    print(f"{'model':<24} {'lines':>8} {'parse s':>9} {'µs/line':>9}")
    if options.file:
        print(row(options.file.name, options.file.read_text(encoding="utf-8"), options.runs))
        return
    for size in options.sizes:
        print(row(f"state space {size}", state_space(size), options.runs))


if __name__ == "__main__":
    main()
