"""Schedules (layer 5): start a process of a model every interval or at cron times.

A schedule is checked like a run when it is added (the model's assertions,
the process and its arguments), then kept in the run store with the model
text, so any ``procalg worker`` on that store fires it — one run per due
time however many workers there are (:mod:`procalg.runtime.schedule`).
Every run it starts carries the search attribute ``schedule=NAME``.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.runtime.memory import MemoryLog
    >>> log = MemoryLog()
    >>> model = loads("activity ping\\nP = ping -> SKIP")
    >>> add(log, "pinger", model, "P", every="1h", now=0.0).next_due
    3600.0
    >>> pause(log, "pinger").paused, [s.name for s in schedules(log)]
    (True, ['pinger'])
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from procalg.api.model import Model
from procalg.api.run import as_model, parameter_attrs, verdicts, workflow
from procalg.api.run import store as open_store
from procalg.errors import RunError

# re-exported for the CLI, which reaches the runtime only through the api
from procalg.runtime.clock import parse_duration as parse_duration
from procalg.runtime.engine import Engine
from procalg.runtime.ports import EventLog
from procalg.runtime.schedule import CATCH_UP as CATCH_UP
from procalg.runtime.schedule import Schedule, check_timing

Store = str | EventLog | Engine


def _log(store: Store) -> EventLog:
    if isinstance(store, Engine):
        return store.log
    return open_store(store) if isinstance(store, str) else store


def add(store: Store, name: str, model: Model | str | Path, process: str, *args: Any,
        every: str | float | None = None, cron: str | None = None, catch_up: str = "latest",
        attrs: Mapping[str, str] | None = None, allow_failed_assertions: bool = False,
        now: float | None = None) -> Schedule:
    """Check and store a schedule of ``process(args...)``; it first fires at the next due
    time after ``now`` (default: the current time).

    Raises:
        UsageError: neither or both of ``every`` and ``cron``, a bad cron expression.
        RunError: a failed assertion (unless ``allow_failed_assertions``).
        ModelError: unknown process or wrong arguments.
        StoreError: a schedule with this name exists.
    """
    seconds = None if every is None else parse_duration(every)
    check_timing(seconds, cron, catch_up)
    model_name = str(model) if isinstance(model, str | Path) else model.source.name
    model = as_model(model)
    found = verdicts(model)
    failed = [a.text for a in model.assertions if found.get(a.text) == "fail"]
    if failed and not allow_failed_assertions:
        raise RunError(f"the model fails its assertion `{failed[0]}`",
                       hint="fix the model, or pass --allow-failed-assertions")
    workflow(model, process, *args)  # the process and its arguments exist
    schedule = Schedule(name, process, tuple(args), model.content_hash, model.source.text,
                        model_name, found, seconds or 0.0, cron or "", catch_up,
                        attrs={"model": model_name, **parameter_attrs(model, process, args),
                               **(attrs or {})})
    schedule = replace(schedule, next_due=schedule.next_after(time.time() if now is None
                                                              else now))
    _log(store).put_schedule(schedule)
    return schedule


def schedules(store: Store) -> list[Schedule]:
    """Every schedule of the store, by name."""
    return _log(store).schedules()


def get(store: Store, name: str) -> Schedule:
    """The schedule named ``name``; RunError if there is none."""
    for schedule in schedules(store):
        if schedule.name == name:
            return schedule
    raise RunError(f"no schedule named {name!r}", hint="`procalg schedule list` shows them")


def pause(store: Store, name: str) -> Schedule:
    """Stop firing ``name`` (its runs so far go on)."""
    get(store, name)
    _log(store).update_schedule(name, paused=True)
    return get(store, name)


def resume(store: Store, name: str, now: float | None = None) -> Schedule:
    """Fire ``name`` again, from its next due time after ``now`` (no catch-up for the pause)."""
    found = get(store, name)
    due = found.next_after(time.time() if now is None else now)
    _log(store).update_schedule(name, paused=False, next_due=due)
    return get(store, name)


def delete(store: Store, name: str) -> None:
    """Remove ``name`` (the runs it started stay)."""
    if not _log(store).delete_schedule(name):
        raise RunError(f"no schedule named {name!r}", hint="`procalg schedule list` shows them")
