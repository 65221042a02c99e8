"""Durable steps per second: procalg's engine against a plain loop and raw sqlite3.

A workflow of N no-op activities (``step.0 -> step.1 -> ... -> SKIP``) on the
SQLite store on disk (WAL, synchronous=FULL: an fsync per step), against the
same function called in a loop, and against raw ``sqlite3`` doing one INSERT
+ COMMIT per step in WAL mode (the floor). Also: run start latency, 100 runs
of 10 steps, and 10 parallel activities sharing one commit.

    .venv/bin/python benchmarks/engine.py [N]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from procalg.runtime.engine import Engine
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Parallel, Prefix

CHANNELS = {"step": Channel("step", ChannelKind.ACTIVITY, 1, RetryPolicy())}


def chain(n: int) -> Workflow:
    term = SKIP
    for i in reversed(range(n)):
        term = Prefix(Event("step", (i,)), term)
    return Workflow(TermSystem(term), CHANNELS)


def noop(i: int) -> None:
    return None


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


def bench_raw(n: int, folder: Path) -> float:
    db = sqlite3.connect(folder / "raw.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE h (run TEXT, seq INTEGER, body TEXT, PRIMARY KEY (run, seq))")
    began = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN")
        db.execute("INSERT INTO h VALUES ('r', ?, '{}')", (i,))
        db.execute("COMMIT")
    return time.perf_counter() - began


def bench_start(folder: Path, runs: int = 100, steps: int = 10) -> tuple[float, float]:
    engine = Engine(SqliteLog(folder / "many.db"), {"step": noop})
    model = chain(steps)
    began = time.perf_counter()
    for _ in range(runs):
        engine.start(model)
    total = time.perf_counter() - began
    one = Engine(SqliteLog(folder / "one.db"), {"step": noop})
    began = time.perf_counter()
    one.start(Workflow(TermSystem(SKIP)))
    return time.perf_counter() - began, total


def bench_parallel(folder: Path, width: int = 10) -> tuple[float, int]:
    # Distinct channels: one channel offered with several values is one call
    # whose result picks the value (see decide), not several calls.
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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        folder = Path(tmp)
        engine, loop, raw = bench_engine(n, folder), bench_loop(n), bench_raw(n, folder)
        start, many = bench_start(folder)
        par, events = bench_parallel(folder)
    print(f"| measure ({n} no-op steps, SQLite WAL, fsync per step) | value |")
    print("| --- | --- |")
    per_step = 1000 * engine / n
    print(f"| procalg engine: durable steps/s | {n / engine:,.0f} ({per_step:.2f} ms/step) |")
    print(f"| plain Python loop: calls/s | {n / loop:,.0f} |")
    print(f"| raw sqlite3 INSERT+COMMIT/s (floor) | {n / raw:,.0f} ({1000 * raw / n:.2f} ms) |")
    print(f"| engine / raw commit ratio | {raw / engine:.2f} |")
    print(f"| run start latency (trivial run to completion) | {1000 * start:.1f} ms |")
    print(f"| 100 runs x 10 steps, one engine | {many:.2f} s ({1000 / many:,.0f} steps/s) |")
    print(f"| 10 parallel activities, one group commit | {1000 * par:.1f} ms, {events} events |")


if __name__ == "__main__":
    main()
