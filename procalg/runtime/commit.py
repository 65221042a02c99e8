"""Group commit: the steps of several runs that are ready together share one transaction.

Each run's driver thread hands its :class:`~procalg.runtime.ports.Write` to
:meth:`GroupCommit.commit` and blocks until it is durable, exactly as with a
plain ``append``: nothing that depends on a step starts before the step is
on disk. Drivers that arrive while a commit is in progress queue up; when it
ends, one of them (the *leader*) writes the whole queue with
:meth:`~procalg.runtime.ports.EventLog.write_many` in one transaction, one
fsync for all, and wakes the others. No thread waits on a timer to gather a
batch: the batch is whatever queued during the previous fsync, so a lone run
commits at once and N busy runs share each fsync (the leader/follower
scheme of database logs; Helland et al., "Group Commit Timers and High
Volume Transaction Systems", HPTS 1987). Each write is still checked on its
own ``(run_id, seq)`` keys: a collision fails that write alone.

Cost: O(1) per write besides the store's work; a log without ``write_many``
gets one transaction per write.

Example:
    >>> from procalg.runtime.memory import MemoryLog
    >>> from procalg.runtime.history import RunStarted
    >>> from procalg.runtime.ports import RunRecord, Write
    >>> log = MemoryLog()
    >>> commits = GroupCommit(log)
    >>> first = (RunStarted(time=0.0, process="P"),)
    >>> commits.commit(Write("r", 0, first, record=RunRecord("r", "P")))
    >>> log.length("r"), commits.batches
    (1, 1)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from procalg.errors import StoreError
from procalg.runtime.ports import EventLog, Write


@dataclass(slots=True)
class _Slot:
    write: Write
    done: bool = False
    error: BaseException | None = None


class GroupCommit:
    """Commits :class:`Write` s, batching those that arrive while a commit is in progress.

    Args:
        log: the event log written to.

    Attributes:
        batches: transactions written so far (for tests and benchmarks).
        writes: writes committed so far.
    """

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.batches = 0
        self.writes = 0
        self._queue: list[_Slot] = []
        self._busy = False
        self._cond = threading.Condition()

    def commit(self, write: Write) -> None:
        """Make ``write`` durable (with whatever else is queued); raise its own error."""
        with self._cond:
            lone = not self._busy and not self._queue
            if lone:  # nobody committing, nobody waiting: write it at once (_alone)
                self._busy = True
        if lone:
            self._alone(write)
            return
        slot = _Slot(write)
        with self._cond:
            self._queue.append(slot)
            while self._busy and not slot.done:
                self._cond.wait()
            if not slot.done:  # lead: take the queue, ours included
                self._busy = True
                batch, self._queue = self._queue, []
        if not slot.done:
            self._lead(batch)
        if slot.error is not None:
            raise slot.error

    def _alone(self, write: Write) -> None:
        """A commit that found the log idle: :meth:`_lead` for a batch of one, without a
        slot, and waking only drivers that queued meanwhile (a lone run's every step
        comes here: a few µs of its CPU per step)."""
        try:
            error = self._write([write])[0]
        except BaseException as err:
            error = err
        with self._cond:
            self.batches += 1
            self.writes += 1
            self._busy = False
            if self._queue:  # they queued while this one wrote: one of them leads next
                self._cond.notify_all()
        if error is not None:
            raise error

    def _lead(self, batch: list[_Slot]) -> None:
        try:
            errors = self._write([s.write for s in batch])
        except BaseException as err:  # handed to every waiter, re-raised in its thread
            errors = [err] * len(batch)
        with self._cond:
            for one, error in zip(batch, errors, strict=True):
                one.done, one.error = True, error
            self.batches += 1
            self.writes += len(batch)
            self._busy = False
            self._cond.notify_all()

    def _write(self, writes: list[Write]) -> list[BaseException | None]:
        many = getattr(self.log, "write_many", None)
        if many is not None:
            return list(many(writes))
        errors: list[BaseException | None] = []
        for w in writes:  # a log without write_many: one transaction each
            try:
                if w.record is not None:
                    self.log.create_run(w.record, list(w.events))
                else:
                    self.log.append(w.run_id, w.seq, list(w.events), w.status)
                    if w.release:
                        self.log.release(w.run_id, w.release)
                errors.append(None)
            except StoreError as err:
                errors.append(err)
        return errors
