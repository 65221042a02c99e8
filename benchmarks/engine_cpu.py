"""CPU per engine step: the engine's own work per fired transition.

On the in-memory store (no encoding, no database) and on SQLite (encoding
and SQLite's CPU included; the wall time with the fsync is given apart), for
a chain of no-op activities and for a parameterised ``.proc`` model loaded
through ``procalg.api`` (:data:`PIPELINE`: a loop over ``i`` and a running
sum, an input ``fetch!i?v`` with ten values, an internal event and a saga):
its first run (the compiled machine fills), the runs after it (every state
known), runs with random fetch values (mostly new states), and runs that
reach only states no run reached before (each starts its sum at a value of
its own: every step compiles a state); then a row per bundled parameterised
workflow model (:mod:`benchmarks.engine_models`), and rows for the bundled sagas
(:func:`bench_sagas`: first and later runs, completing and compensating). Each case
starts from a collected heap (``gc.collect()``; see :mod:`benchmarks.engine_models`).
Run by :mod:`benchmarks.engine`.

    .venv/bin/python -m benchmarks.engine --cpu-only
"""

from __future__ import annotations

import gc
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.engine_models import PARAMETERISED, bench_models
from procalg.api import load
from procalg.api import run as api
from procalg.runtime.engine import Engine
from procalg.runtime.history import ActivityCompleted, EventFired
from procalg.runtime.memory import MemoryLog
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Prefix

CHANNELS = {"step": Channel("step", ChannelKind.ACTIVITY, 1, RetryPolicy())}


def chain(n: int) -> Workflow:
    term = SKIP
    for i in reversed(range(n)):
        term = Prefix(Event("step", (i,)), term)
    return Workflow(TermSystem(term), CHANNELS)


def noop(i: int) -> None:
    return None


def bench_raw(n: int, folder: Path, name: str = "raw.db") -> float:
    db = sqlite3.connect(folder / name, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE h (run TEXT, seq INTEGER, body TEXT, PRIMARY KEY (run, seq))")
    began = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN")
        db.execute("INSERT INTO h VALUES ('r', ?, '{}')", (i,))
        db.execute("COMMIT")
    return time.perf_counter() - began


PIPELINE = """-- benchmarks/engine.py: a parameterised workflow
N = {n}
activity fetch : {{0..N-1}}.{{0..9}} attempts 3
activity store : {{0..N-1}}.{{0..99}} attempts 3
activity notify : {{0..99}} attempts 2
activity unnotify : {{0..99}} never fails
activity finish attempts 2
channel audit : {{0..99}}

Loop(i, sum) = if i < N then fetch!i?v -> store!i!((sum + v) % 100)
                              -> audit.((sum + v) % 100) -> Loop(i + 1, (sum + v) % 100)
               else saga (notify.sum undo unnotify.sum ; finish) ; SKIP
P = Loop(0, 0)
"""
PIPELINE_ARGS = PIPELINE.replace("P = Loop(0, 0)", "")
"""The pipeline without ``P``, started as ``Loop(0, s)`` (:mod:`benchmarks.engine_models`)."""
PIPELINE_ACTIVITIES: dict[str, Callable[..., object]] = {
    "fetch": lambda i: i % 10, "store": lambda i, total: None,
    "notify": lambda x: None, "unnotify": lambda x: None, "finish": lambda: None}


def _cpu_per_step(start: Callable[[], object], log: Callable[[object], list]) -> tuple[
        float, float, int, int]:
    """One run: CPU seconds, wall seconds, transitions fired, activity calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    run = start()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    history = log(run)
    assert run.status == "completed", run.status  # type: ignore[attr-defined]
    return (cpu, wall, sum(isinstance(e, EventFired) for e in history),
            sum(isinstance(e, ActivityCompleted) for e in history))


def bench_cpu(folder: Path, n: int = 200, runs: int = 5) -> dict[str, tuple[float, ...]]:
    """CPU (and wall) microseconds per fired transition, per case; see the module's text.

    Returns, per case: CPU µs per transition, CPU µs per activity call, wall µs
    per transition, and the transitions of one run.
    """
    path = folder / "pipeline.proc"
    path.write_text(PIPELINE.format(n=n))
    model = load(path)
    began = time.process_time()
    api.verdicts(model)  # once per model text, as the activities it uses: not steps
    api.workflow(model, "P")
    prepare = time.process_time() - began
    out: dict[str, tuple[float, ...]] = {}

    def record(case: str, samples: list[tuple[float, float, int, int]]) -> None:
        cpu, wall = sum(s[0] for s in samples), sum(s[1] for s in samples)
        fired, calls = sum(s[2] for s in samples), sum(s[3] for s in samples)
        out[case] = (1e6 * cpu / fired, 1e6 * cpu / calls, 1e6 * wall / fired,
                     fired // len(samples))

    memory = api.engine(MemoryLog(), activities=PIPELINE_ACTIVITIES)

    def on_memory() -> object:
        return api.start(model, "P", store=memory)

    out["pipeline: checks and activity search before the first run (CPU, ms)"] = (
        1e3 * prepare,)
    gc.collect()  # each case from a collected heap (engine_models' text)
    record("pipeline, first run, memory store", [_cpu_per_step(on_memory, _history)])
    gc.collect()  # each case from a collected heap (engine_models' text)
    record("pipeline, later runs, memory store",
           [_cpu_per_step(on_memory, _history) for _ in range(runs)])
    observed = _observed(PIPELINE_ACTIVITIES)
    if observed is not None:  # the same runs with spans and metrics recorded
        gc.collect()
        record("pipeline, later runs, memory store, OpenTelemetry spans + metrics on",
               [_cpu_per_step(lambda: api.start(model, "P", store=observed), _history)
                for _ in range(runs)])
    # run k fetches k first, then 0: its running sum stays k, so past the first step
    # every state it reaches is one no run reached before (the machine compiles each)
    first = [0]
    fresh = api.engine(MemoryLog(), activities=dict(
        PIPELINE_ACTIVITIES, fetch=lambda i: first[0] if i == 0 else 0))
    gc.collect()  # each case from a collected heap (engine_models' text)
    samples, grown = [], 0
    for k in range(10 - runs, 10):
        first[0] = k
        before = len(api.workflow(model, "P").machine)
        samples.append(_cpu_per_step(lambda: api.start(model, "P", store=fresh), _history))
        grown += len(api.workflow(model, "P").machine) - before
    record("pipeline, runs reaching only new states (run k's sum stays k), memory store",
           samples)
    out["pipeline, states interned per transition in those runs"] = (
        grown / sum(s[2] for s in samples),)
    # fetch returns a random value: runs keep reaching (and compiling) states no run saw
    rng = random.Random(7)
    spread = api.engine(MemoryLog(), activities=dict(PIPELINE_ACTIVITIES,
                                                     fetch=lambda i: rng.randrange(10)))
    gc.collect()  # each case from a collected heap (engine_models' text)
    record("pipeline, runs 2-6 with random fetch values, memory store",
           [_cpu_per_step(lambda: api.start(model, "P", store=spread), _history)
            for _ in range(runs)])
    disk = api.engine(SqliteLog(folder / "pipeline.db"), activities=PIPELINE_ACTIVITIES)
    gc.collect()  # each case from a collected heap (engine_models' text)
    record("pipeline, later runs, SQLite (fsync per step)",
           [_cpu_per_step(lambda: api.start(model, "P", store=disk), _history)
            for _ in range(2)])
    began = time.process_time()
    commits = bench_raw(n, folder, "raw-cpu.db")
    out["raw sqlite3 INSERT+COMMIT (the floor), per commit"] = (
        1e6 * (time.process_time() - began) / n, 1e6 * commits / n)
    chain_wf = chain(n)
    plain = Engine(MemoryLog(), {"step": noop})
    gc.collect()  # each case from a collected heap (engine_models' text)
    record("chain, memory store", [_cpu_per_step(lambda: plain.start(chain_wf), _history)
                                   for _ in range(runs)])
    out.update(bench_models(folder, PIPELINE_ARGS.format(n=n)))
    out.update(bench_sagas(runs))
    return out


SAGAS = [("order_saga.proc Order", "order_saga.proc", "Order", ""),
         ("order_saga.proc Order, ship fails: compensated", "order_saga.proc", "Order", "ship"),
         ("trip_booking.proc Trip", "trip_booking.proc", "Trip", ""),
         ("trip_booking.proc Trip, pay fails: compensated", "trip_booking.proc", "Trip", "pay")]
"""Bundled saga workflows (no parameters): the row's name, file, process, failing activity."""


def bench_sagas(runs: int = 5) -> dict[str, tuple[float, ...]]:
    """CPU per step of the bundled sagas: first runs (a fresh load each, its machine
    filling: every state new) and later runs (every state known), memory store, no-op
    activities but the failing one, time advanced on a virtual clock."""
    from benchmarks.engine_models import MODELS
    from procalg.api import workflow as api_workflow
    from procalg.runtime.clock import VirtualClock

    out: dict[str, tuple[float, ...]] = {}
    for case, file, process, failing in SAGAS:
        def fail(*args: object, channel: str = failing) -> None:
            raise ConnectionError(f"{channel} is down")

        def one(model: object, store: Engine, clock: VirtualClock,
                process: str = process) -> object:
            run = api.start(model, process, store=store)
            while run.status == "waiting":
                clock.advance("10m")
            assert run.status in ("completed", "compensated"), run.status
            return run

        first, later = [], []
        gc.collect()  # from a collected heap, as benchmarks.engine_models's rows
        for _ in range(runs):
            model = load(MODELS / file)
            acts = dict.fromkeys(model.spec.activities, noop_any)
            if failing:
                acts[failing] = fail
            clock = VirtualClock()
            store = api.engine(MemoryLog(), activities=acts, clock=clock)
            api.verdicts(model)  # once per model text: not steps
            api_workflow._MACHINES.clear()  # a first run fills its machine
            first.append(_cpu_per_run(lambda m=model, s=store, c=clock: one(m, s, c)))
            later += [_cpu_per_run(lambda m=model, s=store, c=clock: one(m, s, c))
                      for _ in range(runs)]
        for when, samples in (("first run (machine fills)", first), ("later runs", later)):
            cpu, wall = sum(x[0] for x in samples), sum(x[1] for x in samples)
            fired, calls = sum(x[2] for x in samples), sum(x[3] for x in samples)
            out[f"{case}, {when}, memory store"] = (
                1e6 * cpu / fired, 1e6 * cpu / max(calls, 1), 1e6 * wall / fired,
                fired // len(samples))
    return out


def noop_any(*args: object) -> None:
    return None


def _cpu_per_run(start: Callable[[], object]) -> tuple[float, float, int, int]:
    """One run of any ending: CPU seconds, wall seconds, transitions fired, activity calls."""
    cpu, wall = time.process_time(), time.perf_counter()
    run = start()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    history = _history(run)
    return (cpu, wall, sum(isinstance(e, EventFired) for e in history),
            sum(isinstance(e, ActivityCompleted) for e in history))


def _observed(activities: dict) -> Engine | None:
    """An engine on memory reporting spans (in-memory exporter) and metrics (in-memory
    reader); None without the ``otel`` extra."""
    try:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
            InMemorySpanExporter,
        )
    except ImportError:
        return None
    from procalg.api.observe import Telemetry

    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    meter = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return api.engine(MemoryLog(), activities=activities,
                      telemetry=Telemetry(tracer, meter))


def _history(run: object) -> list:
    return run.history()  # type: ignore[attr-defined]


TARGET_US = 150
"""Issue #9's target: CPU µs per step (fired transition) on parameterised models."""


def _parameterised(case: str) -> bool:
    """Whether a row steps a parameterised model (the pipeline is ``Loop(0, 0)``)."""
    return case.startswith("pipeline,") or case.startswith(PARAMETERISED)


def print_cpu(rows: dict[str, tuple[float, ...]]) -> None:
    """The rows as a table; a parameterised model's CPU per transition beside
    :data:`TARGET_US`."""
    print("| CPU per step (time.process_time; fsync wait excluded) | CPU/transition | "
          f"target (#9: ≤ {TARGET_US} µs, parameterised models) | "
          "CPU/activity call | wall/transition | transitions per run |")
    print("| --- | --- | --- | --- | --- | --- |")
    for case, row in rows.items():
        if len(row) == 1:
            unit = "" if "per transition" in case else " ms"
            print(f"| {case} | {row[0]:.{2 if not unit else 0}f}{unit} | | | | |")
            continue
        target = ""
        if _parameterised(case):
            target = f"{'within' if row[0] <= TARGET_US else 'OVER'} ({row[0] / TARGET_US:.2f}×)"
        if len(row) == 2:
            print(f"| {case} | {row[0]:.0f} µs | {target} | | {row[1]:.0f} µs | |")
            continue
        per_fired, per_call, wall, fired = row
        print(f"| {case} | {per_fired:.0f} µs | {target} | {per_call:.0f} µs | {wall:.0f} µs "
              f"| {fired:.0f} |")


