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

Run: ``.venv/bin/python -m benchmarks.wide_setup --width 200000`` (about 30 s).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from procalg.api.model import loads
from procalg.lts.lazy_tables import LazyGroup
from procalg.lts.leaf_partners import PartneredLeaf
from procalg.lts.vectors import Tables
from procalg.semantics import network_shape
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


def _timed(make: Callable[[], object]) -> tuple[object, float]:
    started = time.process_time()
    made = make()
    return made, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=200_000, help="values of channel v")
    parser.add_argument("--repeat", type=int, default=3, help="runs (the median is shown)")
    args = parser.parse_args()
    if args.width < 1 or args.repeat < 1:
        parser.error("--width and --repeat must be at least 1")
    gc.disable()  # as the CLI's check runs: every object made lives until exit
    runs = [run_deep(lambda: phases(args.width)) for _ in range(args.repeat)]
    print(f"width {args.width:,}: " + "  ".join(
        f"{name} {statistics.median(r[name] for r in runs):.2f}s" for name in runs[0]))


if __name__ == "__main__":
    main()
