"""Benchmark: the product engine against spin's exhaustive search.

Prints one table: model, N, states, transitions, seconds, states/s, peak
memory, verdict (deadlock freedom), and for each installed peer its states,
seconds and the ratio peer seconds / procalg seconds (above 1: procalg is
faster). procalg's time covers loading the ``.proc`` model with N set,
compiling the network and the search; spin's covers ``spin -a``,
``gcc -O2 -DNOREDUCE`` and ``./pan`` with its depth (``-m``) and hash table
(``-w``) sized from procalg's count (``benchmarks.shapes.pan_sizes``; a
fixed ``-m10000000`` cost pan 458 MB and seconds before it started). Peak
memory is tracemalloc's peak during procalg's search, measured in a second
run (state storage and scratch; B/st is per state), and pan's own "total
actual memory usage" for spin. Both stop at the first deadlock, so on
deadlocking models the state counts differ (BFS versus DFS); spin's full
counts are procalg's plus one (its ``init``).

Counts are checked before a ratio is printed: where both searches cover the
whole space (``-all`` rows, and deadlock searches that pass) spin must
store procalg's states plus its ``init``'s first, or the row says
``ERROR`` and prints no ratio; where a search stopped at a deadlock, or
used partial-order reduction, the two tools explored different sets and
the row prints no ratio either.

Rows: ``-all`` explores every state (``count_states``; spin with ``-E``, so
invalid end states do not stop it); ``-por`` searches with stubborn sets
(and spin with its own partial-order reduction: compiled without
``-DNOREDUCE``).

Run: ``.venv/bin/python -m benchmarks.product`` (``--quick`` for small N,
``--no-peers`` to skip spin, ``--only philosophers`` to pick models).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.networks import buffers
from benchmarks.shapes import pan_sizes
from procalg.api.model import loads
from procalg.checks.deadlock import deadlock_goal
from procalg.lts.network import Network
from procalg.lts.product import count_states, find_path
from procalg.semantics.network import compile_network

ROOT = Path(__file__).resolve().parents[1]
PROMELA = Path(__file__).resolve().parent / "promela"


@dataclass(frozen=True)
class Case:
    model: str
    sizes: tuple[int, ...]
    quick: tuple[int, ...]
    network: Callable[[int], Network]
    promela: str
    defines: tuple[str, ...] = ()
    mode: str = "deadlock"  # "deadlock": stop at the first; "all": every state; "por"


def _from_model(file: str, process: str) -> Callable[[int], Network]:
    def build(n: int) -> Network:
        text = (ROOT / "models" / file).read_text()
        model = loads(re.sub(r"^N = \d+", f"N = {n}", text, flags=re.M), file)
        net = compile_network(model.process(process), model.spec)
        assert net is not None, f"{file}: {process} is not a network"
        return net
    return build


CASES = [
    Case("philosophers", (5, 6, 7, 8, 9, 10), (5, 6),
         _from_model("dining_philosophers.proc", "System"), "philosophers.pml"),
    Case("philosophers-all", (9, 10), (5,),
         _from_model("dining_philosophers.proc", "System"), "philosophers.pml", mode="all"),
    Case("philosophers-por", (10, 12), (6,),
         _from_model("dining_philosophers.proc", "System"), "philosophers.pml", mode="por"),
    Case("philosophers-fixed", (5, 6, 7, 8, 9, 10), (5, 6),
         _from_model("dining_philosophers_fixed.proc", "System"), "philosophers.pml",
         ("-DFIXED=1",)),
    Case("fixed-por", (8, 10), (6,),
         _from_model("dining_philosophers_fixed.proc", "System"), "philosophers.pml",
         ("-DFIXED=1",), mode="por"),
    Case("milner", (4, 6, 8, 10, 12), (4, 6),
         _from_model("milner_scheduler.proc", "Scheduler"), "scheduler.pml"),
    Case("buffers", (6, 8, 10, 11), (6,), buffers, "buffers.pml"),
]


def _search(case: Case, network: Network):
    if case.mode == "all":
        return count_states(network)
    return find_path(network, deadlock_goal, por=case.mode == "por")


def run_procalg(case: Case, n: int) -> dict:
    """Time one run (model loading included); measure memory in a second,
    traced run (tracemalloc slows allocation-heavy code)."""
    start = time.perf_counter()
    result = _search(case, case.network(n))
    seconds = time.perf_counter() - start
    network = case.network(n)
    tracemalloc.start()
    _search(case, network)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    verdict = "-" if case.mode == "all" else "fail" if result.found else "pass"
    return {"states": result.states, "transitions": result.transitions, "seconds": seconds,
            "peak": peak, "verdict": verdict}


def run_spin(case: Case, n: int, states: int | None) -> dict | None:
    """spin's search, compilation included; ``states`` (procalg's full
    count, when it has one) sizes pan's depth and hash table."""
    if shutil.which("spin") is None or shutil.which("gcc") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(PROMELA / case.promela, tmp)
        start = time.perf_counter()
        steps = [["spin", f"-DN={n}", *case.defines, "-a", case.promela],
                 ["gcc", "-O2", *([] if case.mode == "por" else ["-DNOREDUCE"]), "-o", "pan",
                  "pan.c"],
                 ["./pan", *pan_sizes(states), *(["-E"] if case.mode == "all" else [])]]
        out = ""
        for cmd in steps:
            out = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True,
                                 check=True).stdout
        seconds = time.perf_counter() - start
    if "max search depth too small" in out:
        return {"error": "pan: max search depth too small"}
    states = int(re.search(r"(\d+) states, stored", out).group(1))
    errors = int(re.search(r"errors: (\d+)", out).group(1))
    memory = float(re.search(r"([\d.]+)\s+total actual memory usage", out).group(1))
    verdict = "-" if case.mode == "all" else "fail" if errors else "pass"
    return {"states": states, "seconds": seconds, "peak": memory * 2**20, "verdict": verdict}


def compare(case: Case, ours: dict, peer: dict) -> str:
    """The ratio column, or why the two runs are not comparable.

    Example:
        >>> c = CASES[0]
        >>> compare(c, {"states": 10, "seconds": 1.0, "verdict": "pass"},
        ...         {"states": 11, "seconds": 3.0, "verdict": "pass"})
        '     3.0'
        >>> compare(c, {"states": 10, "seconds": 1.0, "verdict": "pass"},
        ...         {"states": 17, "seconds": 3.0, "verdict": "pass"})
        '  ERROR: spin 17 != procalg 10 + 1'
    """
    if peer["verdict"] != ours["verdict"]:
        return "  ERROR: VERDICTS DIFFER"
    if case.mode == "por":
        return "  (POR: different reductions, no ratio)"
    if ours["verdict"] == "fail":
        return "  (stopped at a deadlock: BFS vs DFS, no ratio)"
    if peer["states"] != ours["states"] + 1:
        return f"  ERROR: spin {peer['states']} != procalg {ours['states']} + 1"
    return f"{peer['seconds'] / ours['seconds']:>8.1f}"


def _mb(n: float) -> str:
    return f"{n / 2**20:.1f}MB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--no-peers", action="store_true", help="do not run spin")
    parser.add_argument("--only", help="run only the model with this name")
    args = parser.parse_args(argv)
    head = (f"{'model':<19}{'N':>3}{'states':>10}{'trans':>11}{'sec':>8}{'states/s':>11}"
            f"{'peak':>9}{'B/st':>6}{'verdict':>8} | {'spin st':>9}{'spin s':>8}"
            f"{'spin peak':>11}{'x spin':>8}")
    count_states(buffers(3))  # warm up imports and caches outside the timings
    print(head)
    print("-" * len(head))
    for case in CASES:
        if args.only and case.model != args.only:
            continue
        for n in case.quick if args.quick else case.sizes:
            ours = run_procalg(case, n)
            full = case.mode == "all" or (case.mode == "deadlock" and ours["verdict"] == "pass")
            peer = None if args.no_peers else run_spin(case, n, ours["states"] if full else None)
            row = (f"{case.model:<19}{n:>3}{ours['states']:>10}{ours['transitions']:>11}"
                   f"{ours['seconds']:>8.2f}{ours['states'] / ours['seconds']:>11.0f}"
                   f"{_mb(ours['peak']):>9}{ours['peak'] / ours['states']:>6.1f}"
                   f"{ours['verdict']:>8} | ")
            if peer and "error" in peer:
                row += f"ERROR: {peer['error']}"
            elif peer:
                row += (f"{peer['states']:>9}{peer['seconds']:>8.2f}{_mb(peer['peak']):>11}"
                        + compare(case, ours, peer))
            else:
                row += "spin not installed" if not args.no_peers else "-"
            print(row, flush=True)


if __name__ == "__main__":
    main()
