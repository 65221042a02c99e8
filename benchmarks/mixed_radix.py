"""Benchmark: mixed-radix codes before and after a lazy leaf grows them past 62 bits.

A network of ``--active`` free-running 3-state cycles (3^active states), a ring of
``--idle`` components of 3, 4 and 5 states that never move (their moves wait for a
partner that never offers them: they add digits, not states) and a lazily explored
counter of ``--count`` states beside them. Its fields need more than 62 bits, the
product of its radices fewer, so the codes are mixed radix; once the counter
outgrows its headroom, the mixed-radix space passes 2^62. Each row explores the
whole product (:func:`procalg.lts.product.count_states`) in a child process of
its own: ``narrow`` has ``--narrow-idle`` idle components (the space stays below
2^62 throughout), ``crossing`` has ``--idle`` (past 2^62 from the counter's third
growth on): the same states and transitions, so the rows' states/s and bytes/state
compare the layouts alone. Times: wall clock and CPU (both threads), medians of
``--repeat`` runs. bytes/state: the search's peak array bytes (``object`` arrays
count 8 bytes a code, their Python integers not) and the child's peak RSS.

Run: ``PYTHONPATH=$PWD .venv/bin/python -m benchmarks.mixed_radix [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

from procalg.lts import LTS
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import Network, close, component, parallel
from procalg.lts.product import count_states


def cycle(name: str, states: int) -> LTS:
    """A ``states``-state cycle, each step labelled ``name.i``."""
    return LTS.build(states, 0, [f"{name}.{i}" for i in range(states)],
                     [(i, f"{name}.{i}", (i + 1) % states) for i in range(states)])


def network(active: int, idle: int, count: int) -> Network:
    """The benchmark's network (see the module docstring)."""
    net = component(cycle("a0", 3))
    for i in range(1, active):
        net = parallel(net, component(cycle(f"a{i}", 3)), set())
    ring = component(cycle("z0", 3))
    for i in range(1, idle):
        ring = parallel(ring, component(cycle(f"z{i}", 3 + i % 3)), set())
    waits = {f"z{i}.{j}" for i in range(idle) for j in range(3 + i % 3)}
    never = LTS.build(1, 0, sorted(waits), [])  # offers none of the ring's moves
    net = parallel(net, parallel(ring, component(never), waits), set())
    counter = LTS.build(count, 0, ["inc"], [(i, "inc", i + 1) for i in range(count - 1)])
    return close(parallel(net, component(LazyComponent(ExplicitSystem(counter), {"inc"})), set()))


def one(active: int, idle: int, count: int) -> dict:
    """Explore one network here; its numbers."""
    start, cpu = time.perf_counter(), time.process_time()
    result = count_states(network(active, idle, count))
    secs, cpu = time.perf_counter() - start, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"states": result.states, "transitions": result.transitions, "seconds": secs, "cpu": cpu,
            "peak_bytes": result.peak_bytes, "rss": rss,
            "notes": [n for n in result.notes if "state codes" in n]}


def child(active: int, idle: int, count: int) -> dict:
    """:func:`one` in a fresh interpreter (its peak RSS its own)."""
    code = (f"import json; from benchmarks.mixed_radix import one; "
            f"print(json.dumps(one({active}, {idle}, {count})))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--active", type=int, default=9)
    parser.add_argument("--idle", type=int, default=22)
    parser.add_argument("--narrow-idle", type=int, default=19)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = {"narrow": args.narrow_idle, "crossing": args.idle}
    runs: dict[str, list[dict]] = {name: [] for name in rows}
    for _ in range(args.repeat):  # interleaved
        for name, idle in rows.items():
            runs[name].append(child(args.active, idle, args.count))
    print(f"{'row':>9} {'states':>9} {'median s':>9} {'cpu s':>6} {'states/s':>10} "
          f"{'B/state':>8} {'RSS B/st':>9}  note")
    for name, got in runs.items():
        secs = statistics.median(r["seconds"] for r in got)
        cpu = statistics.median(r["cpu"] for r in got)
        r = got[0]
        print(f"{name:>9} {r['states']:>9} {secs:>9.2f} {cpu:>6.2f} {r['states'] / secs:>10.0f} "
              f"{r['peak_bytes'] / r['states']:>8.1f} "
              f"{statistics.median(x['rss'] for x in got) / r['states']:>9.1f}  "
              f"{'; '.join(r['notes']) or 'int64 codes'}")


if __name__ == "__main__":
    main()
