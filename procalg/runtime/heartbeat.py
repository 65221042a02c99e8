"""Activity heartbeats (Temporal's): a long activity says it is alive, and where it is.

Inside an activity, ``procalg.heartbeat(details)`` records that the attempt
is alive and, optionally, how far it got (JSON-ready ``details``). With a
``heartbeat_timeout`` in the activity's retry policy, an attempt that stays
silent longer fails with ``HeartbeatTimeout`` (a hung call is noticed long
before its start-to-close timeout). The last details of a failed attempt are
recorded with the failure, and the next attempt reads them with
``procalg.heartbeat_details()`` to resume where the last one stopped.

Example:
    >>> beat = Beat(previous={"page": 3})
    >>> with beat.active():
    ...     heartbeat({"page": 4}); heartbeat_details()
    {'page': 3}
    >>> beat.details
    {'page': 4}
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

HEARTBEAT_TIMEOUT = "HeartbeatTimeout"
_current = threading.local()


class Beat:
    """One attempt's heartbeats: when the last came, and its details.

    Args:
        previous: the details the step's previous attempt left (None: first attempt).
    """

    def __init__(self, previous: Any = None) -> None:
        self.previous = previous
        self.details: Any = previous  # kept if this attempt never reports its own
        self.last = time.monotonic()

    @contextmanager
    def active(self) -> Iterator[Beat]:
        """Make this the beat of the calling thread while the activity runs."""
        outer = self.enter()
        try:
            yield self
        finally:
            leave(outer)

    def enter(self) -> Beat | None:
        """Make this the calling thread's beat; returns the one it replaces, for
        :func:`leave` (:meth:`active` without a generator: a step's attempt uses these)."""
        outer = getattr(_current, "beat", None)
        _current.beat = self
        self.last = time.monotonic()
        return outer

    def silent_for(self) -> float:
        """Seconds since the last heartbeat (or the attempt's start)."""
        return time.monotonic() - self.last


def leave(outer: Beat | None) -> None:
    """Give the calling thread back the beat ``outer`` (:meth:`Beat.enter` returned it)."""
    _current.beat = outer


def heartbeat(details: Any = None) -> None:
    """Report that the running activity is alive (outside an activity: does nothing).

    Raises:
        TypeError: ``details`` that JSON cannot hold (they are recorded with a failure).
    """
    beat = getattr(_current, "beat", None)
    if beat is None:
        return
    if details is not None:
        json.dumps(details)  # recordable, or the activity learns it now
        beat.details = details
    beat.last = time.monotonic()


def heartbeat_details() -> Any:
    """The details the previous attempt of this step reported last (None if none)."""
    beat = getattr(_current, "beat", None)
    return None if beat is None else beat.previous
