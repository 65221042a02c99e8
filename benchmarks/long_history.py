"""Resume and signal times of a run with a long history, snapshots on and off.

A signal-driven loop (:data:`LOOP`: wait for ``go?x``, call ``work!x?r``,
loop) whose history is generated directly (:func:`write_history`: five
events per round, a trace of the model, written in one transaction), so a
100,000-event run exists in a second instead of the minutes 20,000 durable
signals take. Then, in this process and on a fresh engine each time (the
model text parsed once, as a worker does): the time to resume the run
(``Engine.resume``: load its state, drive it to its next wait) and to
deliver one signal (``Engine.send``, what ``procalg runs signal`` does),
with the run's snapshot (written as the engine would have, every
:data:`~procalg.runtime.snapshot.EVERY` events) and without one.

Also the step path with each switch on and off (:data:`SWITCHES`): CPU per
fired transition of :data:`benchmarks.engine_cpu.PIPELINE` (a parameterised
``.proc`` model loaded through ``procalg.api``), on the memory store and on
SQLite, so a feature that costs steps when unused shows here.

    .venv/bin/python benchmarks/long_history.py [EVENTS] [--switches-only]
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from procalg.api import load, loads
from procalg.api import run as api
from procalg.runtime.history import (
    ActivityCompleted,
    ActivityScheduled,
    EventFired,
    HistoryEvent,
    RunStarted,
    SignalReceived,
    UpdateReceived,
)
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import RunRecord, Write
from procalg.runtime.snapshot import EVERY
from procalg.runtime.updates import update
from procalg.store.sqlite import SqliteLog
from procalg.terms import Event

LOOP = """-- benchmarks/long_history.py: a run that loops for ever on signals
signal go : {0..9}
activity work : {0..9}.{0..9}
Loop(n) = go?x -> work!x?r -> Loop((n + r) % 10)
P = Loop(0)
"""
NAMED_LOOP = """-- benchmarks/long_history.py: the loop through a let, a lambda and a compression
signal go : {0..9}
activity work : {0..9}.{0..9}
add(k) = \\ y @ (y + k) % 10
Gate = go?x -> Gate
Loop(f, n) = let Next(r) = Loop(f, f(n + r)) within go?x -> work!x?r -> Next(r)
P = Loop(add(3), 0) [| {| go |} |] sbisim(Gate)
"""
"""The same histories as :data:`LOOP`, with a state whose term holds a local
definition, a function value and a compressed process (each named in a snapshot
by the model text, :mod:`procalg.semantics.naming`)."""
ACTIVITIES = {"work": lambda x: (x * 7) % 10}


def loop_history(events: int) -> list[HistoryEvent]:
    """A history of :data:`LOOP` of about ``events`` events, ending waiting for ``go``."""
    out: list[HistoryEvent] = [RunStarted(time=0.0, process="P")]
    step = 0
    while len(out) + 5 <= events:
        x = step % 10
        go = Event("go", (x,))
        r = ACTIVITIES["work"](x)
        t = float(step)
        out += [SignalReceived(time=t, event=go), EventFired(time=t, label=go),
                ActivityScheduled(time=t, step=step, channel="work", input=(x,)),
                ActivityCompleted(time=t, step=step, attempt=1, input=(x,), output=(r,)),
                EventFired(time=t, label=Event("work", (x, r)))]
        step += 1
    return out


def write_history(log: object, run_id: str, events: int, text: str = LOOP) -> None:
    """Record a waiting run of :data:`LOOP` (or ``text``, a model with its traces)
    with a generated history in ``log``."""
    model = loads(text, "loop.proc")
    record = RunRecord(run_id, "P", (), model.content_hash, text, {})
    history = loop_history(events)
    log.write_many([Write(run_id, 0, tuple(history), "waiting", record=record,  # type: ignore
                          wake_at=math.inf)])


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def measure(path: Path, run_id: str, snapshots: bool) -> tuple[float, float]:
    """Seconds to resume the run, and to deliver one signal, each on a fresh engine."""
    every = EVERY if snapshots else 0
    eng = api.engine(str(path), activities=ACTIVITIES)
    eng.snapshot_every = every
    eng.claim(run_id)
    resume = timed(lambda: eng.resume(run_id))
    eng.release(run_id)
    eng.close()
    eng = api.engine(str(path), activities=ACTIVITIES)
    eng.snapshot_every = every
    signal = timed(lambda: eng.send(run_id, "go", 3))
    eng.close()
    return resume, signal


def bench_long_history(events: int = 100_000, folder: Path | None = None) -> dict[str, float]:
    """Resume and signal seconds with and without a snapshot, on SQLite; and with one
    for :data:`NAMED_LOOP` (without one it replays as :data:`LOOP` does)."""
    folder = folder or Path(tempfile.mkdtemp())
    out: dict[str, float] = {}
    for text, snapshots, what in ((LOOP, False, "without snapshot"),
                                  (LOOP, True, "with snapshot"),
                                  (NAMED_LOOP, True, "with snapshot, let + λ + sbisim")):
        api._model(text, "<warm-up>")  # parse once: a worker has the model loaded
        path = folder / f"long-{len(out)}.db"
        log = SqliteLog(path)
        write_history(log, "long", events, text)
        if snapshots:
            _snapshot(log, "long")
        log.close()
        out[f"resume {what}"], out[f"signal {what}"] = measure(path, "long", snapshots)
    return out


def bench_update_retry(events: int = 100_000, folder: Path | None = None) -> dict[str, float]:
    """Seconds to answer updates on a run of :data:`LOOP` whose first signal (``events``
    events ago) was update ``u0``, each on a fresh engine, snapshot kept: a retry of
    ``u0`` whose reply the store does not keep yet (a store upgraded from schema 3, or
    its caller crashed), the same retry again (the reply now kept), and a new update."""
    folder = folder or Path(tempfile.mkdtemp())
    path = folder / "long-updates.db"
    log = SqliteLog(path)
    history = loop_history(events)
    go = history[1]
    assert isinstance(go, SignalReceived)
    history[1] = UpdateReceived(time=go.time, event=go.event, update_id="u0")
    model = loads(LOOP, "loop.proc")
    log.write_many([Write("long", 0, tuple(history), "waiting", wake_at=math.inf,
                          record=RunRecord("long", "P", (), model.content_hash, LOOP, {}))])
    _snapshot(log, "long")
    log.close()
    api._model(LOOP, "<warm-up>")
    out: dict[str, float] = {}
    for what, key in (("update retried, reply not kept yet", "u0"),
                      ("update retried, reply kept", "u0"), ("update, new key", "u1")):
        eng = api.engine(str(path), activities=ACTIVITIES)
        out[what] = timed(lambda key=key, eng=eng: update(eng, "long", "go", 3, update_id=key))
        eng.close()
    return out


def _snapshot(log: SqliteLog, run_id: str) -> None:
    """Write the run's snapshot as the engine does (replaying it once here)."""
    from procalg.runtime.snapshot import save

    eng = api.engine(log, activities=ACTIVITIES)
    eng.snapshot_every = 0
    state = eng.attach(run_id)
    if not save(log, run_id, state, log.tail(run_id, state.seq - 1)[0]):
        raise SystemExit(f"error: the run's state cannot be saved: {state.term}")


def _snapshots(eng: object, on: bool) -> None:
    eng.snapshot_every = 100 if on else 0  # type: ignore[attr-defined]  # 100: ten per run


def _observability(eng: object, on: bool) -> None:
    """Spans and metrics to in-memory exporters (the ``otel`` extra), as a collector would."""
    if not on:
        return
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from procalg.api.observe import Telemetry

    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    Telemetry(tracer, MeterProvider(metric_readers=[InMemoryMetricReader()])).attach(eng)


# Queries have no switch: a query replays the stored history on its own (no lease, no
# write, no engine state), so it never runs on the step path.
SWITCHES: dict[str, Callable[[object, bool], None] | None] = {
    "snapshots (every 100 events when on)": _snapshots,
    "observability (spans, metrics)": _observability,
}
"""Each feature that may touch the step path, and how to switch it on an engine."""


def bench_switches(folder: Path, n: int = 200, runs: int = 3) -> list[tuple[str, str, float]]:
    """``(switch, store, CPU µs per fired transition)`` with each wired switch off and on."""
    from benchmarks.engine_cpu import PIPELINE, PIPELINE_ACTIVITIES, _cpu_per_step

    path = folder / "pipeline.proc"
    path.write_text(PIPELINE.format(n=n))
    model = load(path)
    api.verdicts(model)
    out = []
    for name, switch in SWITCHES.items():
        if switch is None:
            out.append((name, "not wired yet", math.nan))
            continue
        for on in (False, True):
            for store in ("memory", "SQLite"):
                log = MemoryLog() if store == "memory" else SqliteLog(folder / f"{name[:4]}.db")
                eng = api.engine(log, activities=PIPELINE_ACTIVITIES)
                switch(eng, on)
                api.start(model, "P", store=eng)  # the compiled machine fills: not measured
                samples = [_cpu_per_step(lambda eng=eng: api.start(model, "P", store=eng),
                                         lambda run: run.history()) for _ in range(runs)]
                cpu, fired = sum(s[0] for s in samples), sum(s[2] for s in samples)
                out.append((f"{name}: {'on' if on else 'off'}", store, 1e6 * cpu / fired))
    return out


def print_switches(rows: list[tuple[str, str, float]]) -> None:
    print("\n| switch | store | CPU µs per transition |\n| --- | --- | --- |")
    for name, store, micros in rows:
        print(f"| {name} | {store} | {micros:.0f} |")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    events = int(args[0]) if args else 100_000
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        print_switches(bench_switches(Path(tmp).resolve()))
        if "--switches-only" in sys.argv:
            return
        print()
        print(f"| {events:,}-event history, SQLite, fresh engine | seconds |")
        print("| --- | --- |")
        for name, seconds in [*bench_long_history(events, Path(tmp).resolve()).items(),
                              *bench_update_retry(events, Path(tmp).resolve()).items()]:
            print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
