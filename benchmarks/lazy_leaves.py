"""Benchmark: a lazily explored leaf against the same leaf explored whole.

The shape of issue 9's ordered FIFO: a producer sends ``0 .. V-1`` once
each, in order, into a FIFO queue of capacity C (``in.v``), a consumer takes
whatever comes out (``out.v``). The queue alone has ``(V^(C+1) - 1) / (V - 1)``
states; the product reaches only the increasing runs. Rows: the queue as a
:class:`~procalg.lts.lazy.LazyComponent` (explored where the product goes),
and, while it stays affordable, explored whole first
(:func:`procalg.lts.explore`, as the network compiler does today).

Run: ``.venv/bin/python -m benchmarks.lazy_leaves`` (``--eager-max C`` caps
the capacities explored whole; default 5).
"""

from __future__ import annotations

import argparse
import time

from procalg.checks.deadlock import deadlock_goal
from procalg.lts import LTS, explore
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import Network, close, component, parallel
from procalg.lts.product import count_states, find_path


class Queue:
    """A FIFO of ``capacity`` over ``values`` values, as a transition system."""

    def __init__(self, capacity: int, values: int) -> None:
        self.capacity, self.values = capacity, values

    def initial_state(self) -> tuple[int, ...]:
        return ()

    def successors(self, q: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
        out = [(f"in.{v}", (*q, v)) for v in range(self.values)] \
            if len(q) < self.capacity else []
        return out + ([(f"out.{q[0]}", q[1:])] if q else [])


def network(values: int, queue: LTS | LazyComponent) -> Network:
    producer = LTS.build(values + 1, 0, [f"in.{v}" for v in range(values)],
                         [(v, f"in.{v}", v + 1) for v in range(values)])
    consumer = LTS.build(1, 0, [f"out.{v}" for v in range(values)],
                         [(0, f"out.{v}", 0) for v in range(values)])
    ins = {f"in.{v}" for v in range(values)}
    outs = {f"out.{v}" for v in range(values)}
    return close(parallel(parallel(component(producer), component(queue), ins),
                          component(consumer), outs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=10)
    parser.add_argument("--capacities", type=int, nargs="*", default=[4, 5, 6, 8, 10])
    parser.add_argument("--eager-max", type=int, default=5)
    args = parser.parse_args()
    v = args.values
    print(f"{'C':>3} {'queue states':>14} {'mode':>6} {'product':>8} {'local':>7} "
          f"{'explore s':>9} {'search s':>9} {'deadlock s':>10}")
    for c in args.capacities:
        total = (v ** (c + 1) - 1) // (v - 1)
        alphabet = {f"{ch}.{x}" for ch in ("in", "out") for x in range(v)}
        modes = ["lazy"] + (["eager"] if c <= args.eager_max else [])
        for mode in modes:
            start = time.perf_counter()
            if mode == "lazy":
                queue: LTS | LazyComponent = LazyComponent(Queue(c, v), alphabet, name="queue")
            else:
                queue = explore(Queue(c, v))
            built = time.perf_counter() - start
            start = time.perf_counter()
            result = count_states(network(v, queue))
            searched = time.perf_counter() - start
            local = queue.num_states
            start = time.perf_counter()
            stuck = find_path(network(v, LazyComponent(Queue(c, v), alphabet)
                                          if mode == "lazy" else queue), deadlock_goal)
            dead = time.perf_counter() - start
            assert stuck.found and len(stuck.trace) == 2 * v
            print(f"{c:>3} {total:>14} {mode:>6} {result.states:>8} {local:>7} "
                  f"{built:>9.3f} {searched:>9.3f} {dead:>10.3f}")


if __name__ == "__main__":
    main()
