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

from typing import Any

from procalg.errors import StoreError, StoreUnavailable

_FOR_GOOD = ("does not exist", "authentication failed", "no pg_hba.conf entry",
             "permission denied", "invalid", "password")
"""What libpq says when the server answered and refused this URL (a wrong database or
role, a login refused): waiting will not help. libpq gives no SQLSTATE for a failed
connection, so the message is all there is; anything else (refused, starting up, not
yet accepting connections, terminated) is taken as a server that may come back."""


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
