"""Set-up cost of a network over one wide channel, phase by phase (issue 9, wide7).

The falls survey's "past the whole budget" rows leave a wide input beside a lazy
partner to the term rules: with a rule and an event per value, setting the product
up costs more than the term rules' whole run. This builds that network (``W = v?x
-> W`` beside ``Cnt``, lazy past 2,000 states; the whole budget raised so it is
built at all) for a channel of ``--width`` values and prints the CPU seconds of
each phase, the median of ``--repeat`` runs, the cyclic collector off as in the CLI:

* compile: ``Model.network`` (the wide leaf explored whole, the model's events
  listed for the lazy leaf, the parallel's rule per value);
* tables: :class:`~procalg.lts.vectors.Tables` (rules grouped, deferrals);
* drivers: each lazy group's driver tables (:class:`~procalg.lts.lazy_tables.LazyGroup`);
* leaf walk: :class:`~procalg.lts.leaf_partners.PartneredLeaf`'s rules per label.

With ``--check N`` it times instead the whole deadlock check of that network
beside an ``N``-step counter on the product (what ``benchmarks.falls --engines
product`` runs past the whole budget), split by phase: the phases above as the
check meets them, the level search's leaf walk, the counterexample's rebuild
(:func:`~procalg.lts.level_paths.least_to_goals`) and the rest (loading, freeing).

Where the seconds go (wide9, session 33, CPU s, loaded box; ``--check 60000``,
200,000 values: 7.1 s against the term rules' 2.5 s):

| phase | s | per value |
| --- | --- | --- |
| compile: the wide leaf explored whole (its static offers, 200,000 moves) | 0.96 | ~5 µs |
| compile: the leaves' components (the lazy counter's declared alphabet) | 0.53 | ~3 µs |
| compile: ``{|v|}`` listed | 0.23 | ~1 µs |
| compile: the rest (a SyncRule per value, ``network._compose``) | 0.88 | ~4 µs |
| tables (rules grouped, deferrals) | 0.27 | ~1 µs |
| drivers (each lazy group's per-rule tables, forward and backward) | 0.69 | ~3.5 µs |
| leaf walk set-up (``PartneredLeaf``'s rules per label) | 0.20 | ~1 µs |
| leaf walk (the counter's 60,000 levels; the only part the term rules also pay) | 0.85 | |
| counterexample (``path_cones``: ``IntoCounts`` over 200,000 rules a call) | 1.34 | |
| the rest (freeing a few million per-value objects, loading) | 1.3 | |

Every row but the leaf walk is per value, in a dozen places: only a rule per
channel (labels with a value range) removes them, not a faster loop in one.

Session 34 (wide10) cut the loops without a family rule: the wide leaf's offers
listed once and its continuation's state made once (explored whole 0.92 -> 0.57),
``_compose``'s joint rules and the tables' per-rule loops without a Python frame
per value (tables 0.25 -> 0.15); ``--check 60000`` whole 5.12 -> 4.59 s (medians of
3, interleaved with s34-base on a loaded box).

Run: ``.venv/bin/python -m benchmarks.wide_setup --width 200000`` (about 30 s),
``--check 60000`` for the split of a whole check.
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import product
from procalg.lts.lazy_tables import LazyGroup
from procalg.lts.leaf_partners import PartneredLeaf
from procalg.lts.level_search import LevelSearch
from procalg.lts.vectors import Tables
from procalg.semantics import leaves, network, network_narrow, network_shape, processes
from procalg.semantics.deep import run_deep

MODEL = """N = 2500
channel v : {{0..{top}}}
Cnt(n) = n < N & v!(n % {width}) -> Cnt(n + 1)
W = v?x -> W
Sys = W [| {{|v|}} |] Cnt(0)
"""


def phases(width: int) -> dict[str, float]:
    """CPU seconds of each set-up phase for a channel of ``width`` values.

    Example:
        >>> sorted(phases(3000))
        ['compile', 'drivers', 'leaf walk', 'tables']
    """
    model = loads(MODEL.format(top=width - 1, width=width))
    budget = network_shape.WIDE_WHOLE_MOVES
    network_shape.WIDE_WHOLE_MOVES = max(budget, width)
    try:
        net, compile_s = _timed(lambda: model.network(model.process("Sys")))
    finally:
        network_shape.WIDE_WHOLE_MOVES = budget
    tables, tables_s = _timed(lambda: Tables(net))  # type: ignore[arg-type]
    groups = [g for g in tables.forward + tables.backward if isinstance(g, LazyGroup)]
    _, drivers_s = _timed(lambda: [g.variants for g in groups])
    _, walk_s = _timed(lambda: PartneredLeaf.of(tables))
    return {"compile": compile_s, "tables": tables_s, "drivers": drivers_s,
            "leaf walk": walk_s}


CHECKED = (  # (owner, attribute, phase): the calls a whole check is split by
    (network, "compile_network", "compile"),
    (network_narrow, "whole_within", "  the wide leaf explored whole"),
    (leaves.Leaves, "lts", "  the leaves' components"),
    (processes, "event_set", "  event sets listed"),
    (Tables, "__init__", "tables"),
    (LazyGroup, "variants", "drivers"),
    (PartneredLeaf, "of", "leaf walk set-up"),
    (LevelSearch, "run", "search"),
    (PartneredLeaf, "batch", "  leaf walk"),
    (product, "least_to_goals", "counterexample"),
)


def check_phases(width: int, steps: int) -> dict[str, float]:
    """CPU seconds of each phase of a deadlock check of the network beside a
    ``steps``-step counter, forced onto the product (the whole budget raised);
    "all" is the whole call, loading and freeing included. A nested phase
    (indented) is part of the one above it; a phase met in another (the
    drivers made in the search) counts in both.

    Example:
        >>> split = check_phases(3000, 50)
        >>> split["all"] >= split["compile"] > 0
        True
    """
    text = MODEL.format(top=width - 1, width=width).replace("N = 2500", f"N = {steps}")
    options = SearchOptions(engine=CheckEngine.PRODUCT)
    budget = network_shape.WIDE_WHOLE_MOVES
    network_shape.WIDE_WHOLE_MOVES = max(budget, width)
    spent: Counter[str] = Counter()
    started = time.process_time()
    try:
        with _split(spent):
            (report,) = check_model(loads(text + "assert Sys :[deadlock free]\n"),
                                    options=options)
            del report
    finally:
        network_shape.WIDE_WHOLE_MOVES = budget
    spent["all"] = time.process_time() - started
    return {name: spent[name] for name in ["all", *(p for _, _, p in CHECKED)]}


@contextmanager
def _split(spent: Counter[str]) -> Iterator[None]:
    """Count into ``spent`` the CPU seconds of each call in :data:`CHECKED`
    (patched for the ``with`` block only; a cached property through its getter,
    a class method through its function)."""
    kept = []
    for owner, name, phase in CHECKED:
        found = owner.__dict__[name]
        kept.append((owner, name, found))
        if isinstance(found, functools.cached_property):
            timed = functools.cached_property(_counting(found.func, phase, spent))
            timed.__set_name__(owner, name)
        elif isinstance(found, classmethod):
            timed = classmethod(_counting(found.__func__, phase, spent))
        else:
            timed = _counting(found, phase, spent)
        setattr(owner, name, timed)
    try:
        yield
    finally:
        for owner, name, found in kept:
            setattr(owner, name, found)


def _counting(call: Callable[..., Any], phase: str, spent: Counter[str]) -> Callable[..., Any]:
    """``call``, adding its CPU seconds to ``spent[phase]`` (its own: not again
    when it calls itself)."""
    depth = [0]

    @functools.wraps(call)
    def counted(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        started = time.process_time()
        try:
            return call(*args, **kwargs)
        finally:
            depth[0] -= 1
            if not depth[0]:
                spent[phase] += time.process_time() - started
    return counted


def _timed(make: Callable[[], object]) -> tuple[object, float]:
    started = time.process_time()
    made = make()
    return made, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=200_000, help="values of channel v")
    parser.add_argument("--repeat", type=int, default=3, help="runs (the median is shown)")
    parser.add_argument("--check", type=int, metavar="N",
                        help="split a whole check beside an N-step counter instead")
    args = parser.parse_args()
    if args.width < 1 or args.repeat < 1 or (args.check is not None and args.check < 0):
        parser.error("--width and --repeat must be at least 1, --check at least 0")
    gc.disable()  # as the CLI's check runs: every object made lives until exit
    if args.check is None:
        runs = [run_deep(lambda: phases(args.width)) for _ in range(args.repeat)]
        print(f"width {args.width:,}: " + "  ".join(
            f"{name} {statistics.median(r[name] for r in runs):.2f}s" for name in runs[0]))
        return
    runs = []
    for _ in range(args.repeat):
        runs.append(check_phases(args.width, args.check))
        gc.collect()
    print(f"width {args.width:,}, counter of {args.check:,} steps, "
          f"CPU s (median of {args.repeat}):")
    for name in runs[0]:
        print(f"  {name:<32} {statistics.median(r[name] for r in runs):6.2f}")


if __name__ == "__main__":
    main()
