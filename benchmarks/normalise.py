"""Benchmark: normalisation, the lazy per-node construction against the bulk one.

Builds synthetic specifications and normalises each whole twice: with
:class:`~procalg.lts.normal.NormalForm` (one node at a time in Python,
every node built through ``to_lts``) and with
:func:`~procalg.lts.normal_table.normal_table` (a BFS level at a time on
arrays). Prints one row per spec: states, transitions, normal nodes, both
times and nodes/s. The lazy column is skipped above ``--lazy-limit``
states (it runs at 10--25 k nodes/s).

Specs (``n`` hubs, ``2n`` states):

- ``wide``: hub ``i`` moves by τ to its twin; the hub does ``a``, the twin
  ``b``, both to hub ``i+1``; both also do ``c`` to hub ``3i+1`` (mod ``n``).
  Each node is a hub with its twin, so there are ``n`` nodes; BFS levels
  are wide.
- ``chain``: the same without ``c``: one node per level, the bulk
  construction's worst case (its cost per level is fixed).

Run: ``python -m benchmarks.normalise [--sizes 1000 100000 500000] [--lazy-limit 300000]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from procalg.lts.lts import LTS
from procalg.lts.normal import NormalForm
from procalg.lts.normal_table import normal_table


def spec(n: int, wide: bool) -> LTS:
    """The ``wide`` or ``chain`` spec with ``n`` hubs (see the module notes).

    Example:
        >>> spec(4, True).num_states, spec(4, False).num_transitions
        (8, 12)
    """
    hub = np.arange(n, dtype=np.int64)
    nxt = 2 * ((hub + 1) % n)
    src = [2 * hub, 2 * hub, 2 * hub + 1]
    lab = [np.zeros(n, np.int64), np.full(n, 2), np.full(n, 3)]  # τ, a, b
    dst = [2 * hub + 1, nxt, nxt]
    if wide:
        src += [2 * hub, 2 * hub + 1]
        lab += [np.full(n, 4), np.full(n, 4)]
        dst += [2 * ((3 * hub + 1) % n)] * 2
    return LTS.from_arrays(2 * n, 0, ("τ", "✓", "a", "b", "c"), np.concatenate(src),
                           np.concatenate(lab), np.concatenate(dst))


def _timed(action) -> tuple[float, int]:
    start = time.perf_counter()
    nodes = action()
    return time.perf_counter() - start, nodes


def row(name: str, lts: LTS, lazy_limit: int) -> str:
    bulk_s, nodes = _timed(lambda: len(normal_table(lts)))
    if lts.num_states <= lazy_limit:
        lazy_s, lazy_nodes = _timed(lambda: NormalForm(lts).to_lts().num_states)
        assert lazy_nodes == nodes, (lazy_nodes, nodes)
        lazy = f"{lazy_s:9.2f} {nodes / lazy_s:11,.0f}"
    else:
        lazy = f"{'-':>9} {'-':>11}"
    return (f"{name:<14} {lts.num_states:>9,} {lts.num_transitions:>10,} {nodes:>9,} "
            f"{lazy} {bulk_s:9.2f} {nodes / bulk_s:11,.0f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 500_000])
    parser.add_argument("--chain", type=int, default=10_000, help="hubs of the chain spec")
    parser.add_argument("--lazy-limit", type=int, default=300_000)
    args = parser.parse_args(argv)
    print(f"{'spec':<14} {'states':>9} {'trans':>10} {'nodes':>9} {'lazy s':>9} "
          f"{'lazy n/s':>11} {'bulk s':>9} {'bulk n/s':>11}")
    for n in args.sizes:
        print(row(f"wide n={n}", spec(n, True), args.lazy_limit), flush=True)
    print(row(f"chain n={args.chain}", spec(args.chain, False), args.lazy_limit), flush=True)


if __name__ == "__main__":
    main()
