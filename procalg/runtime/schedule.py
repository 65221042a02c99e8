"""Schedules: start a process of a model every interval or at cron times, durably.

A :class:`Schedule` lives in the run store (``EventLog.put_schedule``) with
the model text it starts, so any worker can fire it. :func:`fire_due` is
what ``procalg worker`` calls a few times a second:

1. for each unpaused schedule whose ``next_due`` has passed, create the
   run of each due time to fire (see catch-up below) with the id
   :func:`scheduled_run_id` ``NAME-YYYYMMDDTHHMMSSZ`` — a run id is a
   primary key, so two workers firing the same due time collide and only
   one run exists, even if one of them crashed half-way;
2. then move ``next_due`` on by compare-and-set (``update_schedule(...,
   expect_due=old)``): the worker that loses the race has fired nothing new.

The run is created unowned and ``running``, so it is claimed and driven
like a run left by a dead worker (``claim_next``), by whichever worker is
free. Exactly one run per due time: the id makes a second start impossible,
and the CAS keeps the schedule from going back.

Catch-up after downtime (no worker ran for a while): ``latest`` (the
default) starts ONE run, for the most recent missed due time, and goes on
from the next future one; ``all`` starts a run for every missed due time,
oldest first, at most :data:`MAX_CATCH_UP` per scan. Pausing stops firing;
resuming goes on from the next due time after the resume (the paused
period is not caught up).

Intervals are aligned to the epoch (``--every 1h`` fires on the hour, UTC);
cron expressions are UTC (:mod:`procalg.runtime.cron`).

Example:
    >>> from procalg.runtime.memory import MemoryLog
    >>> log = MemoryLog()
    >>> log.put_schedule(Schedule("tick", "P", model_text="P = SKIP", every=60.0,
    ...                           next_due=120.0))
    >>> fire_due(log, now=200.0)
    [('tick', 'tick-19700101T000300Z')]
    >>> str(log.get_run('tick-19700101T000300Z').status), log.schedules()[0].next_due
    ('running', 240.0)
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from procalg.errors import StoreError, UsageError
from procalg.runtime.cron import Cron
from procalg.runtime.history import RunStarted
from procalg.runtime.ports import EventLog, RunRecord

CATCH_UP = ("latest", "all")
"""Catch-up policies after downtime."""
MAX_CATCH_UP = 100
"""Runs one scan starts for one schedule under ``all`` (the rest at the next scan)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A process started on a timetable.

    Attributes:
        name: unique name (also the prefix of its runs' ids).
        process: the process started (``"Report"``).
        args: its arguments (data values).
        model_hash, model_text, model_name: the model it starts (text kept, as a run's is).
        verdicts: assertion text to verdict, checked when the schedule was added.
        every: interval in seconds (0: ``cron`` gives the times).
        cron: a cron expression (UTC), when ``every`` is 0.
        catch_up: ``latest`` or ``all`` (see the module docstring).
        paused: a paused schedule fires nothing.
        next_due: epoch seconds of the next due time.
        attrs: search attributes given to every run it starts (plus ``schedule=NAME``).
    """

    name: str
    process: str
    args: tuple[Any, ...] = ()
    model_hash: str = ""
    model_text: str = ""
    model_name: str = ""
    verdicts: Mapping[str, str] = field(default_factory=dict)
    every: float = 0.0
    cron: str = ""
    catch_up: str = "latest"
    paused: bool = False
    next_due: float = 0.0
    attrs: Mapping[str, str] = field(default_factory=dict)

    def next_after(self, t: float) -> float:
        """The first due time strictly after ``t``.

        Example:
            >>> Schedule("s", "P", every=3600.0).next_after(7200.0)
            10800.0
            >>> Schedule("s", "P", cron="*/15 * * * *").next_after(0.0)
            900.0
        """
        if self.every > 0:
            return (math.floor(t / self.every) + 1) * self.every
        return _cron(self.cron).next_after(t)

    @property
    def timing(self) -> str:
        """``every 1h`` or ``cron '0 * * * *'``, for people."""
        return f"every {_seconds(self.every)}" if self.every > 0 else f"cron '{self.cron}'"


@lru_cache(maxsize=256)
def _cron(text: str) -> Cron:
    return Cron.parse(text)


def _seconds(s: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if s >= size and s % size == 0:
            return f"{int(s // size)}{unit}"
    return f"{s:g}s"


def check_timing(every: float | None, cron: str | None, catch_up: str) -> None:
    """Refuse a schedule with neither or both of ``every`` and ``cron``, or a bad policy."""
    if (every is None) == (cron is None):
        raise UsageError("a schedule needs exactly one of --every and --cron")
    if every is not None and every <= 0:
        raise UsageError(f"--every must be positive, not {every:g}s")
    if cron is not None:
        Cron.parse(cron)
    if catch_up not in CATCH_UP:
        raise UsageError(f"unknown catch-up policy {catch_up!r}",
                         hint=f"choose one of: {', '.join(CATCH_UP)}")


def scheduled_run_id(name: str, due: float) -> str:
    """The id of the run a schedule starts for a due time (unique per due time).

    Example:
        >>> scheduled_run_id("nightly", 86400.0), scheduled_run_id("fast", 1.5)
        ('nightly-19700102T000000Z', 'fast-19700101T000001.500Z')
    """
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(due))
    frac = round(due % 1 * 1000)
    return f"{name}-{stamp}" + (f".{frac:03d}Z" if frac else "Z")


def due_times(schedule: Schedule, now: float) -> tuple[list[float], float]:
    """The due times to fire at ``now`` under the catch-up policy, and the next due after.

    Example:
        >>> s = Schedule("s", "P", every=10.0, next_due=10.0)
        >>> due_times(s, 35.0)
        ([30.0], 40.0)
        >>> due_times(Schedule("s", "P", every=10.0, next_due=10.0, catch_up="all"), 35.0)
        ([10.0, 20.0, 30.0], 40.0)
        >>> due_times(s, 5.0)
        ([], 10.0)
    """
    due = schedule.next_due
    if schedule.paused or due > now:
        return [], due
    if schedule.catch_up == "latest":
        if schedule.every > 0:  # straight to the last interval boundary passed
            latest = due + math.floor((now - due) / schedule.every) * schedule.every
        else:
            latest = due
            while (after := schedule.next_after(latest)) <= now:
                latest = after
        return [latest], schedule.next_after(latest)
    fired = []
    while due <= now and len(fired) < MAX_CATCH_UP:
        fired.append(due)
        due = schedule.next_after(due)
    return fired, due


def fire_due(log: EventLog, now: float) -> list[tuple[str, str]]:
    """Start the runs of every due schedule; ``(schedule, run id)`` for each run THIS call made.

    Safe to call from any number of workers at once (see the module docstring).
    """
    started = []
    for schedule in log.schedules():
        times, following = due_times(schedule, now)
        if not times:
            continue
        for due in times:
            run_id = scheduled_run_id(schedule.name, due)
            if _start(log, schedule, run_id, now):
                started.append((schedule.name, run_id))
        log.update_schedule(schedule.name, next_due=following, expect_due=schedule.next_due)
    return started


def _start(log: EventLog, schedule: Schedule, run_id: str, now: float) -> bool:
    """Create the run unowned (any worker drives it); False if another worker made it."""
    record = RunRecord(run_id, schedule.process, schedule.args, schedule.model_hash,
                       schedule.model_text, dict(schedule.verdicts), created=now,
                       attrs={**schedule.attrs, "schedule": schedule.name})
    first = RunStarted(time=now, process=schedule.process, args=schedule.args,
                       model_hash=schedule.model_hash)
    try:
        log.create_run(record, [first])
    except StoreError as err:
        if "already exists" in str(err):
            return False
        raise
    return True
