"""Serving a store: a long-running worker that drives every run with something to do.

``procalg worker`` runs :func:`serve`: it claims runs that are due (running
after a crash, or waiting on a timer or retry whose time has come) with
:meth:`~procalg.runtime.ports.EventLog.claim_next` (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL: workers never wait on each other's claims), drives
each until it waits or ends on one of ``concurrency`` threads, and then
releases it: the next due moment may be served by any worker. A run that
waits only for a signal is not claimed (its sender drives it, see
:meth:`~procalg.runtime.signals.Signals.send`) unless a signal was buffered
for it since a worker last looked (the sender died first). Runs held by a
dead worker of this host are taken over at once (pid + start time), others'
at expiry.

Every :data:`SCHEDULE_SCAN` seconds it also fires the store's due schedules
(:func:`~procalg.runtime.schedule.fire_due`: one run per due time however
many workers scan); the runs they start are claimed like any other.

Stopping (``stop.set()``, SIGTERM in the CLI) claims nothing more, lets the
steps in flight finish, and releases every lease.

Example:
    >>> import threading
    >>> from procalg.runtime.engine import Engine
    >>> from procalg.runtime.memory import MemoryLog
    >>> stop = threading.Event(); stop.set()
    >>> serve(Engine(MemoryLog()), concurrency=2, stop=stop).driven
    0
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from procalg.errors import StoreError
from procalg.runtime.leases import owner_dead
from procalg.runtime.ports import UNFINISHED
from procalg.runtime.schedule import fire_due
from procalg.runtime.status import RunStatus

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine

DEAD_SCAN = 0.25
"""Seconds between looks for runs held by a dead worker of this host."""
SCHEDULE_SCAN = 0.25
"""Seconds between looks for due schedules (one small query)."""


@dataclass(frozen=True, slots=True)
class Served:
    """What a worker did before it stopped.

    Attributes:
        driven: run drives (a run driven twice, before and after its timer, counts twice).
        failed: drives that raised (the run's lease is left to expire, then retried).
    """

    driven: int
    failed: int


def serve(engine: Engine, concurrency: int = 4, stop: threading.Event | None = None,
          poll: float = 0.2, report: Callable[[str, str], None] | None = None) -> Served:
    """Drive due runs of ``engine.log`` until ``stop`` is set.

    Args:
        engine: the engine (its store, activities and loader).
        concurrency: runs driven at once.
        stop: set it to stop (default: run for ever).
        poll: seconds to sleep when nothing is due.
        report: called with ``(run_id, status or "error: ...")`` after each drive.
    """
    stop = stop or threading.Event()
    lock = threading.Lock()
    busy: set[str] = set()
    counts = [0, 0]
    freed = threading.Event()  # a slot came free: claim again without waiting for the poll

    def drive(run_id: str) -> None:
        try:
            status = engine.resume(run_id)
        except Exception as err:  # one broken run (ProcalgError or not) must not stop the worker
            counts[1] += 1
            engine.leases.dropped(run_id)  # kept until it expires: no hot retry loop
            if report is not None:
                report(run_id, f"error: {err}")
        else:
            # its next due moment is any worker's; a run that had ended before this
            # worker took it (its last writer's lease had expired) is let go too
            engine.release(run_id)
            if report is not None:
                report(run_id, status)
        finally:
            engine.forget(run_id)
            with lock:
                counts[0] += 1
                busy.discard(run_id)
            freed.set()

    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="serve")
    next_scan = next_fire = 0.0
    seen: dict[str, int] = {}  # run -> newest buffered signal already offered to it
    try:
        while not stop.is_set():
            with lock:
                free = concurrency - len(busy)
            taken: list[str] = []
            try:
                if time.monotonic() >= next_fire:
                    for name, run_id in fire_due(engine.log, engine.clock.now()):
                        if report is not None:
                            report(run_id, f"started by schedule {name}")
                    next_fire = time.monotonic() + SCHEDULE_SCAN
                if free > 0:
                    taken += engine.log.claim_next(engine.owner, engine.lease, limit=free)
                    if time.monotonic() >= next_scan and len(taken) < free:
                        _orphans(engine, free, busy | set(taken), seen, taken)
                        next_scan = time.monotonic() + DEAD_SCAN
            except StoreError:  # the database is away (restarting): try again shortly,
                if not taken:  # after driving what was claimed before it went
                    stop.wait(poll)
                    continue
            for run_id in taken:
                engine.leases.hold(run_id)
                with lock:
                    busy.add(run_id)
                pool.submit(drive, run_id)
            if not taken:
                freed.wait(poll)
                freed.clear()
    finally:
        pool.shutdown(wait=True)  # steps in flight finish and are committed
        engine.close()  # every lease released
    return Served(counts[0] - counts[1], counts[1])


def _orphans(engine: Engine, limit: int, skip: set[str], seen: dict[str, int],
             taken: list[str]) -> None:
    """Take unfinished runs no live worker will move into ``taken``, until it holds
    ``limit``: held by a dead process of this host, or idle with a signal buffered since
    it was last driven (its sender died before driving it). A signal the model never
    consumes is offered once.

    Appended one by one, not returned: a run taken is held (its lease renewed) until it
    is driven, so when the store goes away in mid-scan (a StoreError) the runs taken
    before must still reach the caller; returned at the end, they were lost with the
    exception and held for ever (CI's chaos test: a run left ``running`` for 150 s).
    """
    inboxes = {run_id: newest for run_id, newest in engine.log.inboxes().items()
               if newest > seen.get(run_id, 0)}
    for record in engine.log.list_runs(UNFINISHED):
        if len(taken) >= limit:
            break
        run_id = record.run_id
        orphan = (owner_dead(record.owner) if record.owner
                  else record.status is RunStatus.WAITING and run_id in inboxes)
        if run_id not in skip and orphan and engine.leases.take(run_id):
            if run_id in inboxes:
                seen[run_id] = inboxes[run_id]
            taken.append(run_id)
