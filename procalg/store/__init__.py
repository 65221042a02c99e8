"""Durable run stores behind the runtime's ``EventLog`` port (layer 4).

Example:
    >>> import tempfile, os
    >>> log = store_from_url("sqlite:///" + os.path.join(tempfile.mkdtemp(), "r.db"))
    >>> type(log).__name__
    'SqliteLog'
    >>> log.close()
"""

from __future__ import annotations

from procalg.errors import StoreError
from procalg.runtime.ports import EventLog
from procalg.store.postgres import PostgresLog
from procalg.store.sqlite import SqliteLog

__all__ = ["PostgresLog", "SqliteLog", "store_from_url"]


def store_from_url(url: str, create: bool = True) -> EventLog:
    """Open the store a URL names.

    ``sqlite:///relative.db`` and ``sqlite:////abs/path.db`` (SQLAlchemy's
    convention: three slashes then the path), a bare path (``runs.db``), or
    ``postgresql://...`` / ``postgres://...`` (a libpq URL).

    With ``create=False`` (commands that only read or resume) a missing
    SQLite store is an error instead of a new empty file.

    Raises:
        StoreError: unknown scheme, or the store refuses to open.
    """
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresLog(url)
    if url.startswith("sqlite:///"):
        return SqliteLog(url[len("sqlite:///"):], create=create)
    if "://" in url:
        raise StoreError(
            f"unknown store URL {url!r}",
            hint="use sqlite:///runs.db or postgresql://user@host/db",
        )
    return SqliteLog(url, create=create)
