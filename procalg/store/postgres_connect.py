"""Connecting to PostgreSQL: the driver, and telling a server that may come back from a
URL it refuses for good.

A worker started while its database restarts should wait for it (``procalg worker
--wait``); one given a wrong database name should say so at once. libpq gives no
SQLSTATE for a failed connection, so its message is all there is to tell them apart.

Example:
    >>> refused_for_good('FATAL:  database "nosuch" does not exist')
    True
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from procalg.errors import StoreError, StoreUnavailable

_FOR_GOOD = ("does not exist", "authentication failed", "no pg_hba.conf entry",
             "permission denied", "invalid", "password")
"""What libpq says when the server answered and refused this URL (a wrong database or
role, a login refused): waiting will not help. libpq gives no SQLSTATE for a failed
connection, so the message is all there is; anything else (refused, starting up, not
yet accepting connections, terminated) is taken as a server that may come back."""


_T = TypeVar("_T")

DEADLOCK_TRIES = 5
"""How many times a write the server chose as a deadlock's victim is tried in all."""


def refused_for_good(message: str) -> bool:
    """True if a failed connection's message says waiting will not help.

    Example:
        >>> refused_for_good('FATAL:  database "nosuch" does not exist')
        True
        >>> refused_for_good("FATAL:  the database system is starting up")
        False
    """
    return any(words in message for words in _FOR_GOOD)


def driver() -> Any:
    """The psycopg 3 module (imported lazily: the rest of procalg works without it)."""
    try:
        import psycopg
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise StoreError(
            "the PostgreSQL store needs the psycopg driver",
            hint="pip install 'procalg[postgres]'",
        ) from err
    return psycopg


def connect(psycopg: Any, url: str, failure: str) -> Any:
    """A new connection to ``url`` (not in autocommit).

    Raises:
        StoreUnavailable: the server cannot be reached now (``failure`` and libpq's words).
        StoreError: the server refuses this URL for good.
    """
    try:
        return psycopg.connect(url, autocommit=False)
    except psycopg.Error as err:
        kind = StoreError if refused_for_good(str(err)) else StoreUnavailable
        raise kind(f"{failure}: {err}".strip()) from err


def retried(commit: Callable[[], _T], deadlock: type[Exception]) -> _T:
    """``commit()``, tried again after a short random pause when it fails with ``deadlock``
    (SQLSTATE 40P01: the server rolled it back as a deadlock's victim; when one happens:
    ``postgres_schema.SEND_LOCKED``), up to :data:`DEADLOCK_TRIES` times in all.

    The pause is why it passes: tried at once, the victim took its run's row again
    before the woken survivor locked it, and deadlocked anew (seen in
    tests/store/test_postgres_sends.py); paused, it finds the survivor's locks and waits.

    Example:
        >>> calls = []
        >>> def commit() -> str:
        ...     calls.append(1)
        ...     if len(calls) < 3:
        ...         raise TimeoutError("deadlock detected")
        ...     return "committed"
        >>> retried(commit, TimeoutError), len(calls)
        ('committed', 3)
    """
    for attempt in range(1, DEADLOCK_TRIES):
        try:
            return commit()
        except deadlock:
            time.sleep(random.uniform(0.05, 0.1) * attempt)
    return commit()
