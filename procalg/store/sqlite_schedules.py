"""The SQLite store's schema-3 part: schedules and run search (mixed into ``SqliteLog``).

Kept apart from :mod:`procalg.store.sqlite` (runs, histories, leases, inbox)
so each module stays one concept; the methods use ``SqliteLog``'s ``_read``
and ``_write``, which hold its lock and turn driver errors into StoreErrors.

Example:
    >>> import tempfile, os
    >>> from procalg.store.sqlite import SqliteLog
    >>> log = SqliteLog(os.path.join(tempfile.mkdtemp(), "runs.db"))
    >>> log.put_schedule(Schedule("s", "P", every=60.0, next_due=60.0))
    >>> log.update_schedule("s", next_due=120.0, expect_due=60.0), [s.next_due for s in
    ...                                                              log.schedules()]
    (True, [120.0])
    >>> log.close()
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from procalg.errors import StoreError
from procalg.runtime.ports import RunRecord
from procalg.runtime.schedule import Schedule
from procalg.store.rows import (
    RUN_SELECT,
    record_from_row,
    schedule_from_row,
    schedule_params,
    search_sql,
)


class SqliteSchedules:
    """Schedules and run search over ``SqliteLog``'s connection."""

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        raise NotImplementedError  # SqliteLog's (under its lock)

    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        raise NotImplementedError  # SqliteLog's (under its lock)

    def search_runs(self, statuses: tuple[str, ...] | None = None, since: float | None = None,
                    attrs: Mapping[str, str] | None = None,
                    model: str | None = None) -> list[RunRecord]:
        where, params = search_sql(statuses, since, attrs, model, "?")
        rows = self._read(f"SELECT {RUN_SELECT} FROM runs{where} ORDER BY created, run_id",
                          tuple(params))
        return [record_from_row(r) for r in rows]

    def attributes(self, run_id: str) -> dict[str, str]:
        return dict(self._read("SELECT key, value FROM run_attrs WHERE run_id = ?", (run_id,)))

    def put_schedule(self, schedule: Schedule) -> None:
        try:
            self._write("INSERT INTO schedules VALUES (?, ?, ?, ?)", schedule_params(schedule))
        except StoreError as err:
            if "UNIQUE" in str(err):
                raise StoreError(f"a schedule named {schedule.name!r} already exists",
                                 hint="pick another name, or delete the old one first") from None
            raise

    def schedules(self) -> list[Schedule]:
        rows = self._read("SELECT name, body, next_due, paused FROM schedules ORDER BY name")
        return [schedule_from_row(r) for r in rows]

    def update_schedule(self, name: str, *, next_due: float | None = None,
                        paused: bool | None = None, expect_due: float | None = None) -> bool:
        sets, params = ["name = name"], []
        if next_due is not None:
            sets.append("next_due = ?")
            params.append(next_due)
        if paused is not None:
            sets.append("paused = ?")
            params.append(int(paused))
        sql = f"UPDATE schedules SET {', '.join(sets)} WHERE name = ?"
        params.append(name)
        if expect_due is not None:  # compare-and-set: one UPDATE, atomic
            sql += " AND next_due = ?"
            params.append(expect_due)
        return self._write(sql, tuple(params)).rowcount == 1

    def delete_schedule(self, name: str) -> bool:
        return self._write("DELETE FROM schedules WHERE name = ?", (name,)).rowcount == 1
