"""Durable steps per second: procalg's engine against a plain loop and raw sqlite3.

A workflow of N no-op activities (``step.0 -> step.1 -> ... -> SKIP``) on the
SQLite store on disk (WAL, synchronous=FULL: an fsync per step), against the
same function called in a loop, and against raw ``sqlite3`` doing one INSERT
+ COMMIT per step in WAL mode (the floor). Also: run start latency, 100 runs
of 10 steps (no-op, and sleeping 1 ms to stand for real work) started one
after another and together (``start_many``: runs driven concurrently, their
steps group-committed), 10 parallel activities sharing one commit (10 channels, and
one channel called from 10 branches), and the time from a crash (the worker
killed in step N/2) to the run moving again, in-process and in a fresh
process. If a ``dbos`` interpreter is given (a venv where ``pip install dbos``
worked), the same no-op workflow runs on DBOS with SQLite side by side.

CPU per step (``time.process_time``, so no fsync wait): the engine's own work
per fired transition, in :mod:`benchmarks.engine_cpu`.

Then each switch of the step path off and on (snapshots; queries and
observability when wired: ``benchmarks/long_history.SWITCHES``), and resume
and signal times of a run with a 100,000-event history with and without its
snapshot (``benchmarks/long_history.py``).

    .venv/bin/python -m benchmarks.engine [N] [--dbos /tmp/dbosvenv/bin/python]
        [--cpu-only]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.engine_cpu import bench_cpu, bench_raw, chain, noop, print_cpu
from benchmarks.long_history import bench_long_history, bench_switches, print_switches
from procalg.runtime.engine import Engine
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Parallel, Prefix


def bench_engine(n: int, folder: Path) -> float:
    engine = Engine(SqliteLog(folder / "engine.db"), {"step": noop})
    began = time.perf_counter()
    assert engine.start(chain(n)).status == "completed"
    return time.perf_counter() - began


def bench_loop(n: int) -> float:
    began = time.perf_counter()
    for i in range(n):
        noop(i)
    return time.perf_counter() - began


def sleep_1ms(i: int) -> None:
    time.sleep(0.001)


def bench_start(folder: Path) -> float:
    one = Engine(SqliteLog(folder / "one.db"), {"step": noop})
    began = time.perf_counter()
    one.start(Workflow(TermSystem(SKIP)))
    return time.perf_counter() - began


def bench_many(folder: Path, fn: Callable[[int], None], together: bool, runs: int = 100,
               steps: int = 10) -> tuple[float, int]:
    """100 runs of 10 steps: started one after another, or together (``start_many``).

    Returns the seconds and the number of transactions the steps took.
    """
    name = f"many-{fn.__name__}-{int(together)}.db"
    engine = Engine(SqliteLog(folder / name), {"step": fn})
    model = chain(steps)
    began = time.perf_counter()
    if together:
        done = engine.start_many([model] * runs)
    else:
        done = [engine.start(model) for _ in range(runs)]
    took = time.perf_counter() - began
    assert all(run.status == "completed" for run in done)
    return took, engine.commits.batches


def bench_same_channel(folder: Path, width: int = 10) -> tuple[float, int]:
    """``work.0 ||| ... ||| work.9``: ten calls of one channel, told apart by the diamond test."""
    term = SKIP
    for i in range(width):
        term = Parallel(Prefix(Event("work", (i,)), SKIP), term)
    channels = {"work": Channel("work", ChannelKind.ACTIVITY, 1, RetryPolicy())}
    engine = Engine(SqliteLog(folder / "same.db"), {"work": noop}, max_workers=width)
    began = time.perf_counter()
    run = engine.start(Workflow(TermSystem(term), channels))
    assert run.status == "completed"
    commits = sum(1 for e in run.history() if e.kind == "activity_completed")
    return time.perf_counter() - began, commits


_CRASHING = """
import os, sys
sys.path.insert(0, {root!r})
from benchmarks.engine import chain
from procalg.api import load
from procalg.api import run as api
from procalg.runtime.engine import Engine
from procalg.runtime.history import ActivityCompleted, EventFired
from procalg.runtime.memory import MemoryLog
from procalg.store.sqlite import SqliteLog
def step(i):
    if i == {at}:
        os._exit(9)
Engine(SqliteLog({db!r}), {{"step": step}}).start(chain({n}), run_id="c")
"""
_RESUMING = """
import sys, time
sys.path.insert(0, {root!r})
from benchmarks.engine import chain
from procalg.api import load
from procalg.api import run as api
from procalg.runtime.engine import Engine
from procalg.runtime.history import ActivityCompleted, EventFired
from procalg.runtime.memory import MemoryLog
from procalg.store.sqlite import SqliteLog
def step(i):
    print(time.time(), flush=True)
    sys.exit(0)
Engine(SqliteLog({db!r}), {{"step": step}}, loader=lambda r: chain({n})).resume_all()
"""


_CHAIN_MODEL = """activity step : {{0..{last}}}
Chain(i) = if i < {n} then step.i -> Chain(i+1) else SKIP
P = Chain(0)
"""
_API_CRASHING = """
import os
from procalg.api import run as api
def step(i):
    if i == {at}:
        os._exit(9)
api.start({model!r}, "P", activities={{"step": step}}, store={db!r}, run_id="c")
"""
_API_RESUMING = """
import sys, time
from procalg.api import run as api
def step(i):
    print(time.time(), flush=True)
    sys.exit(0)
api.engine({db!r}, activities={{"step": step}}).resume_all()
"""


def bench_api_recovery(folder: Path, n: int = 100) -> float:
    """Seconds from the death to the next call when a fresh process resumes through
    ``procalg.api`` (``procalg runs resume``'s path: the recorded model text is parsed)."""
    model = folder / "chain.proc"
    model.write_text(_CHAIN_MODEL.format(last=n - 1, n=n))
    db = "sqlite:///" + str(folder / "api_crash.db")
    subprocess.run([sys.executable, "-c", _API_CRASHING.format(at=n // 2, model=str(model),
                                                               db=db)], check=False)
    died = time.time()
    out = subprocess.run([sys.executable, "-c", _API_RESUMING.format(db=db)],
                         capture_output=True, text=True, check=False).stdout
    return float(out.split()[0]) - died


def bench_recovery(folder: Path, n: int = 100) -> tuple[float, float]:
    """Seconds from the worker's death to the next activity call: same process, fresh one."""
    root = str(Path(__file__).resolve().parents[1])
    results = []
    for fresh in (False, True):
        db = str(folder / f"crash{int(fresh)}.db")
        code = _CRASHING.format(root=root, at=n // 2, db=db, n=n)
        subprocess.run([sys.executable, "-c", code], check=False)
        died = time.time()
        if fresh:
            out = subprocess.run([sys.executable, "-c", _RESUMING.format(root=root, db=db, n=n)],
                                 capture_output=True, text=True, check=False).stdout
            results.append(float(out.split()[0]) - died)
            continue
        moved: list[float] = []
        engine = Engine(SqliteLog(db), {"step": lambda i, moved=moved: moved.append(time.time())},
                        loader=lambda r: chain(n))
        engine.resume_all()
        results.append(moved[0] - died)
    return results[0], results[1]


def bench_dbos(python: str, n: int, folder: Path) -> tuple[float, float] | None:
    """DBOS's durable steps/s on SQLite for the same no-op workflow (None if it fails)."""
    script = Path(__file__).with_name("dbos_steps.py")
    env = dict(os.environ, PYTHONPATH="")
    done = subprocess.run([python, str(script), str(n), str(folder / "dbos.sqlite")],
                          capture_output=True, text=True, env=env, cwd=folder, check=False)
    if done.returncode != 0:
        print(f"dbos run failed: {done.stderr[-500:]}", file=sys.stderr)
        return None
    steps, recover = done.stdout.split()
    return float(steps), float(recover)


def bench_parallel(folder: Path, width: int = 10) -> tuple[float, int]:
    term = SKIP
    channels = {}
    for i in range(width):
        term = Parallel(Prefix(Event(f"p{i}"), SKIP), term)
        channels[f"p{i}"] = Channel(f"p{i}", ChannelKind.ACTIVITY, 0, RetryPolicy())
    log = SqliteLog(folder / "par.db")
    engine = Engine(log, {name: lambda: None for name in channels}, max_workers=width)
    began = time.perf_counter()
    run = engine.start(Workflow(TermSystem(term), channels))
    assert run.status == "completed"
    return time.perf_counter() - began, len(run.history())


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``[N] [--dbos PYTHON] [--cpu-only]`` (see the module's text).

    Example:
        >>> a = arguments(["500", "--cpu-only"])
        >>> a.n, a.cpu_only, a.dbos
        (500, True, None)
    """
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.engine",
        description="Durable steps per second and CPU per step of procalg's engine, "
                    "against a plain loop and raw sqlite3 (tables on standard output).")
    parser.add_argument("n", nargs="?", type=int, default=1000, metavar="N",
                        help="no-op steps of the durable-steps workflow (default 1000)")
    parser.add_argument("--dbos", metavar="PYTHON",
                        help="a Python interpreter with dbos installed: run the same "
                             "workflow on DBOS with SQLite side by side")
    parser.add_argument("--cpu-only", action="store_true",
                        help="only the CPU-per-step tables and the step path's switches "
                             "(no fsync-bound wall times, no long history)")
    return parser.parse_args(argv)


def main() -> None:
    args = arguments()
    dbos, cpu_only, n = args.dbos, args.cpu_only, args.n
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        folder = Path(tmp).resolve()
        cpu = bench_cpu(folder)
        switches = bench_switches(folder)  # snapshots, queries, observability: off and on
        if cpu_only:
            print_cpu(cpu)
            print_switches(switches)
            return
        history = bench_long_history(100_000, folder)
        engine, loop, raw = bench_engine(n, folder), bench_loop(n), bench_raw(n, folder)
        start = bench_start(folder)
        many = {(fn.__name__, together): bench_many(folder, fn, together)
                for fn in (noop, sleep_1ms) for together in (False, True)}
        par, events = bench_parallel(folder)
        same, commits = bench_same_channel(folder)
        recover_in, recover_fresh = bench_recovery(folder)
        recover_api = bench_api_recovery(folder)
        peer = bench_dbos(dbos, n, folder) if dbos else None
    print(f"| measure ({n} no-op steps, SQLite WAL, fsync per step) | value |")
    print("| --- | --- |")
    per_step = 1000 * engine / n
    print(f"| procalg engine: durable steps/s | {n / engine:,.0f} ({per_step:.2f} ms/step) |")
    print(f"| plain Python loop: calls/s | {n / loop:,.0f} |")
    print(f"| raw sqlite3 INSERT+COMMIT/s (floor) | {n / raw:,.0f} ({1000 * raw / n:.2f} ms) |")
    print(f"| engine / raw commit ratio | {raw / engine:.2f} |")
    print(f"| run start latency (trivial run to completion) | {1000 * start:.1f} ms |")
    for (fn, together), (took, batches) in many.items():
        how = "started together (start_many)" if together else "one after another"
        print(f"| 100 runs x 10 steps ({fn.replace('_', ' ')}), {how} | {took:.2f} s "
              f"({1000 / took:,.0f} steps/s, {batches} commits) |")
    print(f"| 10 parallel activities, one group commit | {1000 * par:.1f} ms, {events} events |")
    print(f"| 10 calls of one channel from parallel branches | {1000 * same:.1f} ms, "
          f"{commits} completions |")
    print(f"| crash to moving again: resume in a live process | {1000 * recover_in:.0f} ms |")
    print(f"| crash to moving again: fresh process (imports incl.) | "
          f"{1000 * recover_fresh:.0f} ms |")
    print(f"| crash to moving again: fresh process via procalg.api (model parsed) | "
          f"{1000 * recover_api:.0f} ms |")
    print()
    print_cpu(cpu)
    print_switches(switches)
    print("\n| 100,000-event history, SQLite, fresh engine | seconds |\n| --- | --- |")
    for name, seconds in history.items():
        print(f"| {name} | {seconds:.3f} |")
    if peer:
        steps, recover = peer
        print(f"| DBOS on SQLite: durable steps/s | {steps:,.0f} ({1000 / steps:.2f} ms/step) |")
        print(f"| procalg / DBOS steps/s ratio | {(n / engine) / steps:.1f} |")
        print(f"| DBOS crash to moving again (fresh process) | {1000 * recover:.0f} ms |")


if __name__ == "__main__":
    main()
