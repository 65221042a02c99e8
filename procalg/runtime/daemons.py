"""Daemon threads for attempts with a time limit, started once and reused.

An attempt with a start-to-close or heartbeat timeout runs on a daemon thread
(:func:`procalg.runtime.worker.attempt_all`): if it hangs past its limit it is
abandoned, and a pool thread would keep the process from exiting (pools are
joined at exit). Starting a thread per attempt cost about 100 µs of CPU, a
third of a saga's step; so the threads wait for the next attempt instead of
ending. A thread whose attempt hangs stays busy (abandoned, as before); a new
one starts whenever no thread is idle, so an attempt never waits behind
another. An idle thread ends after :data:`IDLE_SECONDS`.

Cost: O(1) per attempt (a queue hand-over); threads: at most the peak number
of attempts running at once (plus those hung), each ending when idle.

Example:
    >>> done = threading.Event()
    >>> DAEMONS.submit(done.set)
    >>> done.wait(5)
    True
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable

IDLE_SECONDS = 30.0
"""How long an idle thread waits for another attempt before it ends."""


class Daemons:
    """Daemon threads running submitted functions, reused while they are idle."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self._idle = 0  # threads waiting for a job, not yet claimed by a submit
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], object]) -> None:
        """Run ``job`` on an idle thread, or on a new one if none is idle; exceptions
        ``job`` raises are its own to catch (they end nothing here)."""
        with self._lock:
            claimed = self._idle > 0
            if claimed:
                self._idle -= 1  # that thread takes this job (or another just put)
        if not claimed:
            threading.Thread(target=self._serve, daemon=True, name="activity-timed").start()
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:  # still counted idle: no submit counts on it
                        self._idle -= 1
                        return
                continue  # a submit claimed this thread: its job is on the way
            with contextlib.suppress(BaseException):  # the job reports its own errors
                job()
            with self._lock:
                self._idle += 1

    def reset(self) -> None:
        """Forget every thread (after ``fork`` the child has none of them)."""
        self.__init__()  # type: ignore[misc]


DAEMONS = Daemons()
"""The process's daemon threads for timed attempts."""

os.register_at_fork(after_in_child=DAEMONS.reset)
