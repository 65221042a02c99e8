"""CPU per engine step on the bundled parameterised workflow models, through the public API.

Every row starts runs with :func:`procalg.api.run.start` on the memory store
(activities are no-ops) and drives them with signals as a user would
(``Run.signal``), so a row counts what a user pays: building the workflow
for the arguments, starting the run, deciding and recording each step, and
compiling each state no run reached before. Rows, µs of CPU per fired
transition:

* ``account.proc`` ``Account(b)``, every run with a balance ``b`` no run had:
  three deposits, a withdrawal and ``close`` (new states all the way);
* ``account.proc`` ``Bank`` (the account in parallel with a clerk: inputs
  under ``[| |]`` and ``[]``), twelve random deposits and withdrawals, then
  ``close``: mostly states no run reached;
* ``order_children.proc`` ``Order(o)`` (a saga starting a child run),
  ``o`` alternating over its type ``{1, 2}``;
* the benchmark's own ``PIPELINE`` (:mod:`benchmarks.engine_cpu`) started as
  ``Loop(0, s)`` with a fresh running sum ``s`` per run (an input under no
  operator, but fresh arguments: every state is new).

Each row starts from a collected heap (``gc.collect()``): a full collection is
due when the objects that survived since the last one reach a quarter of the heap,
so one made due by earlier rows' objects (100+ ms on the benchmark's heap of
400,000 objects) read as 1,000+ µs per step in a row of 84 transitions. A row
still pays the collections its own objects make due.

Run by :mod:`benchmarks.engine` (``--cpu-only``).
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from procalg.api import load
from procalg.api import run as api
from procalg.api.model import Model
from procalg.runtime.history import ActivityCompleted, EventFired
from procalg.runtime.memory import MemoryLog
from procalg.runtime.run import Run

MODELS = Path(__file__).resolve().parents[1] / "models"


def _noop(*args: Any) -> None:
    return None


def _fetch(i: int) -> int:
    return 7 * i % 10


def _measure(starts: Iterable[Callable[[], Run]]) -> tuple[float, float, float, int]:
    """Over the runs ``starts`` give: CPU µs per fired transition, per activity call,
    wall µs per transition, and transitions per run."""
    cpu, wall, fired, calls, runs = 0.0, 0.0, 0, 0, 0
    for start in starts:
        began, began_wall = time.process_time(), time.perf_counter()
        run = start()
        cpu += time.process_time() - began
        wall += time.perf_counter() - began_wall
        assert str(run.status) == "completed", run.status
        history = run.history()
        fired += sum(type(e) is EventFired for e in history)
        calls += sum(type(e) is ActivityCompleted for e in history)
        runs += 1
    return 1e6 * cpu / fired, 1e6 * cpu / max(calls, 1), 1e6 * wall / fired, fired // runs


def _account(model: Model, store: Any, runs: int) -> Iterable[Callable[[], Run]]:
    def one(b: int) -> Run:
        run = api.start(model, "Account", b, store=store)
        for x in (1, 2, 1):
            run.signal("deposit", x)
        run.signal("withdraw", 1)
        run.signal("close")
        return run

    return [lambda b=b: one(b) for b in range(1, 1 + runs)]  # b = 0 warmed the model


def _bank(model: Model, store: Any, runs: int) -> Iterable[Callable[[], Run]]:
    rng = random.Random(11)

    def one() -> Run:
        run, balance = api.start(model, "Bank", store=store), 0
        for _ in range(12):
            if balance and (balance > 15 or rng.random() < 0.4):
                x = rng.randint(1, min(5, balance))
                run.signal("withdraw", x)
                balance -= x
            else:
                x = rng.randint(1, 5)
                run.signal("deposit", x)
                balance += x
        run.signal("close")
        return run

    return [one] * runs


def _children(model: Model, store: Any, runs: int) -> Iterable[Callable[[], Run]]:
    return [lambda o=o: api.start(model, "Order", o, store=store)
            for o in [1 + k % 2 for k in range(runs)]]


def _pipeline(model: Model, store: Any, runs: int) -> Iterable[Callable[[], Run]]:
    return [lambda s=s: api.start(model, "Loop", 0, s, store=store)
            for s in range(1, 1 + runs)]  # s = 0 warmed the model


PARAMETERISED = ("account.proc Account(b)", "account.proc Bank", "order_children.proc Order(o)",
                 "pipeline Loop(0, s)")
"""The rows' names (their starts): every row here steps a parameterised model."""


def bench_models(folder: Path, pipeline: str, runs: int = 12) -> dict[str, tuple[float, ...]]:
    """Per row: CPU µs per transition and per activity call, wall µs per transition,
    and transitions per run (see the module's text)."""
    path = folder / "pipeline-args.proc"
    path.write_text(pipeline)
    cases: list[tuple[str, Model, Callable[..., Iterable[Callable[[], Run]]],
                      Callable[[Model, Any], object]]] = [
        ("account.proc Account(b), a new b per run", load(MODELS / "account.proc"), _account,
         lambda m, s: api.start(m, "Account", 0, store=s).signal("close")),
        ("account.proc Bank, random deposits and withdrawals", load(MODELS / "account.proc"),
         _bank, lambda m, s: api.start(m, "Bank", store=s).signal("close")),
        ("order_children.proc Order(o), o in {1, 2}", load(MODELS / "order_children.proc"),
         _children, lambda m, s: None),
        ("pipeline Loop(0, s), a new s per run", load(path), _pipeline,
         lambda m, s: api.start(m, "Loop", 0, 0, store=s)),
    ]
    out: dict[str, tuple[float, ...]] = {}
    for name, model, runs_of, warm in cases:
        acts = dict.fromkeys(model.spec.activities, _noop)
        acts["fetch"] = _fetch  # the pipeline's input: an activity whose result it reads
        store = api.engine(MemoryLog(), activities=acts)
        api.verdicts(model)  # once per model text: not steps
        warm(model, store)  # the model's first run loads what every later run shares
        gc.collect()  # see the module's text: earlier rows' collections are not this row's
        out[f"{name}, memory store"] = _measure(runs_of(model, store, runs))
    return out

