"""Update keys and continue-as-new chains in the SQL stores' rows (schemas 4, 6 and 7).

A key is one update for a whole continue-as-new chain (runtime/update_replies.py), so
each run's row carries its chain (the id of the chain's first run, :data:`INSERT_RUN`)
and each key's row the chain of the run holding it: a key is found along a chain of
any length by one indexed read (:data:`CHAIN_ENTRY`), where walking the chain cost one
read per earlier run (0.1 ms each on SQLite, 2.5 ms on PostgreSQL).

Example:
    >>> from procalg.runtime.history import RunStarted
    >>> from procalg.runtime.ports import RunRecord
    >>> first = (RunStarted(time=0.0, process="P"), ContinuedFrom(time=0.0, previous_run="r"))
    >>> run_params(Write("r~1", 0, first, record=RunRecord("r~1", "P")))[-2:]  # chain of r
    ('r', 'r~1')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from procalg.runtime.history import ContinuedFrom, UpdateReceived, previous_run
from procalg.runtime.ports import Write
from procalg.store.rows import RUN_COLUMNS, decode_event, record_params


def update_rows(write: Write) -> list[tuple[str, int, str]]:
    """:data:`KEEP_SEQ`'s ``(update_id, seq, run_id)`` for each update the write records:
    where its key's reply is found (written in the same transaction as the history rows).

    Example:
        >>> from procalg.terms import Event
        >>> sent = UpdateReceived(time=0.0, event=Event("go"), update_id="u1")
        >>> update_rows(Write("r", 7, (sent,)))
        [('u1', 7, 'r')]
    """
    return [(e.update_id, write.seq + i, write.run_id)
            for i, e in enumerate(write.events) if type(e) is UpdateReceived]


def recorded_updates(rows: Sequence[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """:data:`KEEP_SEQ`'s ``(update_id, seq, run_id)`` of the ``update_received`` events
    among history rows ``(run_id, seq, body)``: what a version-3 store's rows lacked."""
    found = []
    for run_id, seq, body in rows:
        event = decode_event(body)
        if type(event) is UpdateReceived:
            found.append((event.update_id, int(seq), run_id))
    return found


KEEP_SEQ = ("INSERT INTO updates (run_id, update_id, inbox_id, seq, chain)"
            " SELECT run_id, {m}, 0, {m}, chain FROM runs WHERE run_id = {m}"
            " ON CONFLICT (run_id, update_id) DO UPDATE SET seq = excluded.seq")
"""Where an update was recorded (:func:`update_rows`), with its history row; a key
recorded without being sent (a direct ``run.update``) gets its row, in the run's chain."""
KEY_SQL = ("INSERT INTO updates (run_id, update_id, inbox_id, chain) VALUES ({m}, {m}, {m},"
           " COALESCE((SELECT chain FROM runs WHERE run_id = {m}), {m}))")
"""A sent update's key row, filed in its run's chain (``EventLog.send_update``; parameters
run, key, inbox id, run, run: no run, no chain, and the send is refused anyway)."""
CHAIN_ENTRY = ("SELECT u.run_id, u.seq, u.reply FROM updates u JOIN runs r ON"
               " r.run_id = u.run_id AND r.status = 'continued' WHERE u.update_id = {m}"
               " AND u.chain = (SELECT chain FROM runs WHERE run_id = {m}) AND u.run_id <> {m}"
               " ORDER BY u.seq IS NULL LIMIT 1")
"""``EventLog.chain_entry``: key ``{m}`` in a run of the chain of run ``{m}`` that continued
as new (final) other than ``{m}``: one probe of the ``(chain, update_id)`` index and one of
``runs``' key, however long the chain (parameters key, run, run)."""
INSERT_RUN = ("INSERT INTO runs (" + RUN_COLUMNS + ", chain) VALUES (" + "{m}, " * 10
              + "COALESCE((SELECT chain FROM runs WHERE run_id = {m}), {m}))")
"""A new run's row, filed in the chain of the run it continues (:func:`run_params`)."""


def run_params(write: Write) -> tuple[Any, ...]:
    """:data:`INSERT_RUN`'s parameters for a write that creates a run: its record, then
    the run it continues as new (its own id if none: its chain is its own) and its id.
    """
    assert write.record is not None
    return (*record_params(write.record), previous_run(write.events) or write.run_id,
            write.run_id)


CHAIN_INDEX = "CREATE INDEX IF NOT EXISTS updates_chain ON updates (chain, update_id)"
"""What :data:`CHAIN_ENTRY` probes (schema 6)."""
HEAD_INDEX = ("CREATE INDEX IF NOT EXISTS runs_chain_open ON runs (chain)"
              " WHERE status <> 'continued'")
"""What :data:`CHAIN_HEAD` probes (schema 7): partial, so it holds only the runs of each
chain that have not continued as new (one per chain, two while a lost continue-as-new's
void run waits for its old run to continue), however long the chain."""
CHAIN_HEAD = ("SELECT run_id FROM runs WHERE chain = (SELECT chain FROM runs WHERE"
              " run_id = {m}) AND status <> 'continued' AND (length(run_id) > length({m})"
              " OR length(run_id) = length({m}) AND run_id >= {m})"
              " ORDER BY length(run_id), run_id LIMIT 1")
"""``EventLog.chain_head``: the oldest run, from run ``{m}`` on, of its chain that has not
continued as new (the ids ``base~N`` of a chain grow in length, then in order, with
``N``): two probes of indexes, however long the chain (parameters: the run, four times)."""
FILL_KEYS = ("UPDATE updates SET chain = COALESCE((SELECT chain FROM runs"
             " WHERE runs.run_id = updates.run_id), run_id)")
"""Schema 6's upgrade: each key row filed in its run's chain, once every run's is known."""
CHAIN_MARK = '%"continued_from"%'
"""A LIKE pattern every ``continued_from`` history row matches (its JSON kind)."""


def recorded_chains(rows: Sequence[tuple[str, int, str]]) -> list[tuple[str, str]]:
    """``(chain, run_id)`` of each run that continues another, among history rows
    ``(run_id, seq, body)`` (its ``continued_from`` events): what a version-5 store's
    rows lacked (every other run's chain is its own id).

    Example:
        >>> from procalg.store.rows import encode_event
        >>> def row(run, prev): return (run, 1, encode_event(ContinuedFrom(time=0.0,
        ...                                                     previous_run=prev)))
        >>> recorded_chains([row("r~2", "r~1"), row("r~1", "r")])
        [('r', 'r~1'), ('r', 'r~2')]
    """
    before: dict[str, str] = {}
    for run_id, _, body in rows:
        event = decode_event(body)
        if type(event) is ContinuedFrom:
            before[run_id] = event.previous_run
    roots: dict[str, str] = {}

    def root(run_id: str) -> str:
        path = []
        while run_id in before and run_id not in roots and len(path) <= len(before):
            path.append(run_id)  # iterative: a chain may hold 100,000 runs
            run_id = before[run_id]
        top = roots.get(run_id, run_id)
        for seen in path:
            roots[seen] = top
        return top

    return [(root(run_id), run_id) for run_id in sorted(before)]



UPDATE_MARK = '%"update_received"%'
"""A LIKE pattern every ``update_received`` history row matches (its JSON kind)."""
