"""Driving several runs at once: one driver thread per run, at most ``max_runs``.

Runs are independent (each has its own lock and its own ``(run_id, seq)``
keys), so the engine drives them concurrently and their ready steps share
commits (:mod:`procalg.runtime.commit`). Work started from inside a driver
thread runs inline: a driver waiting for a pool it occupies would deadlock.

Example:
    >>> fan = Fanout(max_runs=4)
    >>> fan.each(lambda n: n * n, [1, 2, 3])
    [1, 4, 9]
    >>> fan.close()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class Fanout:
    """A lazily started pool of run-driver threads.

    Args:
        max_runs: runs driven at once.
    """

    def __init__(self, max_runs: int) -> None:
        self._max_runs = max_runs
        self._drivers: ThreadPoolExecutor | None = None  # started on first concurrent use
        self._driving = threading.local()  # set in driver threads: no nested fan-out
        self._lock = threading.Lock()

    def each(self, work: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        """``work(item)`` for every item, on the driver threads; the first error is raised
        after all have finished (one run's failure does not stop the others)."""
        if len(items) <= 1 or getattr(self._driving, "on", False):
            return [work(item) for item in items]  # nested in a driver: no fan-out (deadlock)
        with self._lock:
            if self._drivers is None:
                self._drivers = ThreadPoolExecutor(max_workers=self._max_runs,
                                                   thread_name_prefix="run")
            drivers = self._drivers

        def task(item: Any) -> Any:
            self._driving.on = True
            try:
                return work(item)
            finally:
                self._driving.on = False

        futures = [drivers.submit(task, item) for item in items]
        errors = [f.exception() for f in futures]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first
        return [f.result() for f in futures]

    def close(self) -> None:
        """Stop the driver threads (runs being driven finish their current step)."""
        with self._lock:
            if self._drivers is not None:
                self._drivers.shutdown(wait=False, cancel_futures=True)
                self._drivers = None
