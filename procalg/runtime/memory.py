"""An in-memory EventLog: the port's reference behaviour, for tests and notebooks.

Example:
    >>> from procalg.runtime.history import RunStarted
    >>> log = MemoryLog()
    >>> log.create_run(RunRecord("r", "P"), [RunStarted(time=0.0, process="P")])
    >>> len(log.history("r")), str(log.get_run("r").status)
    (1, 'running')
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from typing import Any

from procalg.errors import RunError, StoreError
from procalg.runtime.history import HistoryEvent, SignalReceived, UpdateReceived, previous_run
from procalg.runtime.ports import UNFINISHED, RunRecord, SeqConflict, Write
from procalg.runtime.schedule import Schedule
from procalg.runtime.status import RunFinished, RunStatus


class MemoryLog:
    """Runs and histories in dictionaries (nothing survives the process)."""

    def __init__(self) -> None:
        self._runs: dict[str, RunRecord] = {}
        self._history: dict[str, list[HistoryEvent]] = {}
        self._lock = threading.Lock()
        self._inbox: dict[str, list[tuple[int, SignalReceived]]] = {}
        self._sent = 0
        self._snapshots: dict[str, tuple[int, str]] = {}
        self._attrs: dict[str, dict[str, str]] = {}
        self._schedules: dict[str, Schedule] = {}
        self._keys: dict[tuple[str, str], int] = {}  # (run, update key) -> inbox id
        self._replies: dict[tuple[str, str], tuple[int, str | None]] = {}  # -> (seq, reply)
        self._parents: dict[str, tuple[str, int]] = {}  # child run -> (parent, step)
        self._chains: dict[str, str] = {}  # run -> the first run of its continue-as-new chain
        self._chain_keys: dict[tuple[str, str], set[str]] = {}  # (chain, key) -> runs with it
        self._members: dict[str, list[str]] = {}  # chain -> its runs, oldest first
        self._where: dict[int, str] = {}  # inbox id -> the run holding it (inbox_holder)

    def create_run(self, record: RunRecord, first: list[HistoryEvent]) -> None:
        self._apply(Write(record.run_id, 0, tuple(first), record=record))

    def get_run(self, run_id: str) -> RunRecord:
        try:
            return self._runs[run_id]
        except KeyError:
            raise RunError(f"no run with id {run_id!r}") from None

    def list_runs(self, statuses: tuple[str, ...] | None = None) -> list[RunRecord]:
        runs = sorted(self._runs.values(), key=lambda r: (r.created, r.run_id))
        return [r for r in runs if statuses is None or r.status in statuses]

    def append(self, run_id: str, seq: int, events: list[HistoryEvent],
               status: str | None = None) -> None:
        self._apply(Write(run_id, seq, tuple(events), status))

    def write_many(self, writes: list[Write]) -> list[StoreError | None]:
        errors: list[StoreError | None] = []
        with self._lock:  # one transaction: no send sees a continued run without its next
            for write in writes:
                try:
                    self._applied(write)
                    errors.append(None)
                except StoreError as err:
                    errors.append(err)
        return errors

    def _apply(self, write: Write) -> None:
        with self._lock:
            self._applied(write)

    def _applied(self, write: Write) -> None:
        """Apply ``write``; the caller holds the lock."""
        run_id = write.run_id
        if write.record is not None:
            if run_id in self._runs:
                raise StoreError(f"run {run_id!r} already exists")
            record = write.record
            if write.lease:  # this process is the database: its clock is the database's
                record = record.changed(lease_until=time.time() + write.lease)
            self._runs[run_id] = record
            self._history[run_id] = []
            before = previous_run(write.events)
            self._chains[run_id] = self._chains.get(before, before) if before else run_id
            self._members.setdefault(self._chains[run_id], []).append(run_id)
            if record.attrs:
                self._attrs[run_id] = dict(record.attrs)
            if write.parent is not None:
                self._parents[run_id] = write.parent
        history = self._history[run_id]
        if write.seq != len(history):
            raise SeqConflict(f"run {run_id!r}: step {write.seq} was written by another "
                              "worker")
        if write.consumed and not set(write.consumed) <= {
                i for i, _ in self._inbox.get(run_id, [])}:
            raise SeqConflict(f"run {run_id!r}: a buffered signal was withdrawn")
        history.extend(write.events)
        for i, event in enumerate(write.events):
            if type(event) is UpdateReceived:  # where its reply is found
                self._replies[(run_id, event.update_id)] = (write.seq + i, None)
                if (run_id, event.update_id) not in self._keys:
                    self._key(run_id, event.update_id, 0)
        for target, signal in write.sends:  # only to a run still going, as stores do
            if target not in self._runs or self._runs[target].status not in UNFINISHED:
                continue
            self._buffer(target, signal)
        if write.consumed:
            gone = set(write.consumed)
            self._keep(run_id, [m for m in self._inbox.get(run_id, []) if m[0] not in gone])
        if write.drops:  # under the lock: a send that came meanwhile goes too
            self._keep(run_id, [m for m in self._inbox.get(run_id, []) if not (
                type(m[1]) is SignalReceived and m[1].event.channel in write.drops)])
        if write.carry:  # continue-as-new: the unread entries (and their keys) go along
            self._carry(run_id, write.carry)
        run = self._runs[run_id]
        changes: dict[str, Any] = {}  # one copy of the row per write, not one per change
        moved = write.migrated_to() if write.events else None
        if moved is not None:  # the run's model, on its row (RunRecord.current_hash)
            changes.update(current_hash=moved[0], current_text=moved[1])
        if write.wake_at is not None:
            changes["wake_at"] = write.wake_at
        if write.status is not None:
            changes["status"] = write.status
            if write.status not in UNFINISHED:  # finished: no owner, whoever held it
                changes.update(owner="", lease_until=0.0)
        if write.release and run.owner == write.release:
            changes.update(owner="", lease_until=0.0)
        if changes:
            self._runs[run_id] = run.changed(**changes)

    def _carry(self, run_id: str, target: str) -> None:
        moved = self._inbox.pop(run_id, [])
        self._inbox.setdefault(target, []).extend(moved)
        ids = {i for i, _ in moved}
        self._where.update(dict.fromkeys(ids, target))
        for (run, key), ident in list(self._keys.items()):
            if run == run_id and ident in ids:
                del self._keys[(run, key)]
                self._chain_keys[(self._chains[run_id], key)].discard(run_id)
                self._key(target, key, ident, self._chains[run_id])  # the same chain

    def _buffer(self, run_id: str, entry: SignalReceived) -> int:
        """Append ``entry`` to the run's inbox, its new id; the caller holds the lock."""
        self._sent += 1
        self._inbox.setdefault(run_id, []).append((self._sent, entry))
        self._where[self._sent] = run_id
        return self._sent

    def _keep(self, run_id: str, kept: list[tuple[int, SignalReceived]]) -> None:
        """Leave only ``kept`` in the run's inbox; the caller holds the lock."""
        for ident, _ in self._inbox.get(run_id, []):
            self._where.pop(ident, None)
        self._where.update((ident, run_id) for ident, _ in kept)
        self._inbox[run_id] = kept

    def _key(self, run_id: str, key: str, ident: int, chain: str = "") -> None:
        """File update key ``key`` under run ``run_id`` (inbox id ``ident``) and its chain
        (default: the run's; a carry names it: the new run is made after it)."""
        self._keys[(run_id, key)] = ident
        chain = chain or self._chains[run_id]
        self._chain_keys.setdefault((chain, key), set()).add(run_id)

    def _open(self, run_id: str) -> None:
        """Refuse (:class:`RunFinished`) a send to a run that has ended; the caller holds
        the lock, so the look and the buffering are one step."""
        status = self.get_run(run_id).status
        if status not in UNFINISHED:
            raise RunFinished(run_id, status)

    def history(self, run_id: str) -> list[HistoryEvent]:
        return list(self._history.get(run_id, []))

    def tail(self, run_id: str, seq: int) -> list[HistoryEvent]:
        return list(self._history.get(run_id, [])[seq:])

    def save_snapshot(self, run_id: str, seq: int, body: str) -> None:
        with self._lock:
            if self._snapshots.get(run_id, (-1, ""))[0] < seq:
                self._snapshots[run_id] = (seq, body)

    def snapshot(self, run_id: str) -> tuple[int, str] | None:
        return self._snapshots.get(run_id)

    def length(self, run_id: str) -> int:
        return len(self._history.get(run_id, ()))

    def claim(self, run_id: str, owner: str, lease: float,
              dead: tuple[str, float] | None = None) -> bool:
        with self._lock:
            r, now = self._runs.get(run_id), time.time()
            if r is None:  # no such run: not ours, as the SQL stores' UPDATE says
                return False
            if r.status in UNFINISHED and (r.owner in ("", owner) or r.lease_until < now
                                           or (r.owner, r.lease_until) == dead):
                self._runs[run_id] = r.changed(owner=owner, lease_until=now + lease)
                return True
            return False

    def renew(self, run_id: str, owner: str, lease: float) -> bool:
        with self._lock:
            r = self._runs[run_id]
            if r.owner != owner:
                return False
            self._runs[run_id] = r.changed(lease_until=time.time() + lease)
            return True

    def claim_next(self, owner: str, lease: float, limit: int = 1) -> list[str]:
        now = time.time()
        free = [r.run_id for r in self.list_runs(UNFINISHED)
                if (r.owner == "" or r.lease_until < now)
                and (r.status is RunStatus.RUNNING or r.wake_at <= now)][:limit]
        return [r for r in free if self.claim(r, owner, lease)]

    def release(self, run_id: str, owner: str) -> None:
        with self._lock:
            r = self._runs[run_id]
            if r.owner == owner:
                self._runs[run_id] = r.changed(owner="", lease_until=0.0)

    def send(self, run_id: str, signal: SignalReceived) -> int:
        with self._lock:
            self._open(run_id)
            return self._buffer(run_id, signal)

    def pending(self, run_id: str) -> list[tuple[int, SignalReceived]]:
        with self._lock:
            return list(self._inbox.get(run_id, []))

    def inboxes(self) -> dict[str, int]:
        with self._lock:
            return {run_id: box[-1][0] for run_id, box in self._inbox.items()
                    if box and self._runs[run_id].status in UNFINISHED}

    def search_runs(self, statuses: tuple[str, ...] | None = None, since: float | None = None,
                    attrs: Mapping[str, str] | None = None,
                    model: str | None = None) -> list[RunRecord]:
        found = []
        for r in self.list_runs(statuses):
            have = self._attrs.get(r.run_id, {})
            if since is not None and r.created < since:
                continue
            if any(have.get(k) != v for k, v in (attrs or {}).items()):
                continue
            if model is not None and not (r.current_model[0].startswith(model)
                                          or have.get("model") == model):
                continue
            found.append(r)
        return found

    def attributes(self, run_id: str) -> dict[str, str]:
        return dict(self._attrs.get(run_id, {}))

    def put_schedule(self, schedule: Schedule) -> None:
        with self._lock:
            if schedule.name in self._schedules:
                raise StoreError(f"a schedule named {schedule.name!r} already exists")
            self._schedules[schedule.name] = schedule

    def schedules(self) -> list[Schedule]:
        return [self._schedules[n] for n in sorted(self._schedules)]

    def update_schedule(self, name: str, *, next_due: float | None = None,
                        paused: bool | None = None, expect_due: float | None = None) -> bool:
        with self._lock:
            found = self._schedules.get(name)
            if found is None or (expect_due is not None and found.next_due != expect_due):
                return False
            if next_due is not None:
                found = dataclasses.replace(found, next_due=next_due)
            if paused is not None:
                found = dataclasses.replace(found, paused=paused)
            self._schedules[name] = found
            return True

    def delete_schedule(self, name: str) -> bool:
        with self._lock:
            return self._schedules.pop(name, None) is not None

    def send_update(self, run_id: str, update: UpdateReceived) -> tuple[int, bool]:
        with self._lock:  # the key check, the look at the run and the buffering: one step
            self.get_run(run_id)
            found = self._keys.get((run_id, update.update_id))
            if found is not None:
                return found, False
            self._open(run_id)
            ident = self._buffer(run_id, update)
            self._key(run_id, update.update_id, ident)
            return ident, True

    def update_entry(self, run_id: str, update_id: str) -> tuple[int | None, str | None] | None:
        with self._lock:
            if (run_id, update_id) not in self._keys:
                return None
            return self._replies.get((run_id, update_id), (None, None))

    def chain_entry(self, run_id: str, update_id: str
                    ) -> tuple[str, int | None, str | None] | None:
        with self._lock:
            found = [(self._replies.get((r, update_id), (None, None)), r) for r in
                     self._chain_keys.get((self._chains.get(run_id, run_id), update_id), ())
                     if r != run_id and self._runs[r].status is RunStatus.CONTINUED]
            if not found:
                return None
            (seq, reply), run = min(found, key=lambda f: (f[0][0] is None, f[1]))
            return run, seq, reply

    def chain_head(self, run_id: str) -> str | None:
        with self._lock:
            head = None  # the runs not continued are the chain's newest (see EventLog)
            for run in reversed(self._members.get(self._chains.get(run_id, ""), ())):
                if self._runs[run].status is RunStatus.CONTINUED:
                    break
                head = run
                if run == run_id:
                    break
            return head

    def inbox_holder(self, ident: int) -> str | None:
        with self._lock:
            return self._where.get(ident)

    def keep_reply(self, run_id: str, update_id: str, reply: str) -> None:
        with self._lock:
            found = self._replies.get((run_id, update_id))
            if found is not None and found[1] is None:
                self._replies[(run_id, update_id)] = (found[0], reply)

    def withdraw(self, run_id: str, ident: int) -> bool:
        with self._lock:
            box = self._inbox.get(run_id, [])
            kept = [m for m in box if m[0] != ident]
            self._keep(run_id, kept)
            return len(kept) < len(box)

    def children(self, run_id: str) -> list[str]:
        with self._lock:
            return [c for c, (p, _) in sorted(self._parents.items(), key=lambda kv: kv[1][1])
                    if p == run_id]

    def parents(self) -> dict[str, tuple[str, int]]:
        with self._lock:
            return dict(self._parents)

    def close(self) -> None:
        pass
