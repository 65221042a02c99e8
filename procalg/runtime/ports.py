"""The engine's ports: what it needs from the world, as small protocols.

The engine is a pure core (``decide``) plus one worker loop that talks to the world
only through these ports, so the store (SQLite, PostgreSQL, memory), the clock
(real or virtual) and the activity functions can be swapped without touching it.

* :class:`EventLog`: durable histories. ``append`` writes a batch of history
  events for one run at consecutive ``seq`` numbers in ONE transaction and
  fails with :class:`~procalg.errors.StoreError` (:class:`SeqConflict`) if
  another writer took one of those numbers first: optimistic concurrency on
  the ``(run_id, seq)`` key, so two workers can never both extend a run.
  :meth:`EventLog.write_many` commits the :class:`Write` s of several runs
  in ONE transaction (group commit: one fsync for every run whose step was
  ready), each still checked on its own ``(run_id, seq)`` keys.
  :meth:`EventLog.send` buffers a signal in the run's inbox (refused once it has
  ended); a write consuming it removes it in the transaction adding its history.
* :class:`Clock`: ``now()`` in seconds and ``sleep``.
* :class:`~procalg.runtime.activities.ActivityRegistry` (its own module): channel name
  to Python function.

Example:
    >>> record = RunRecord("r", "P", status="waiting")
    >>> record.status is RunStatus.WAITING, record.changed(owner="w").owner
    (True, 'w')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from procalg.errors import StoreError
from procalg.runtime.history import HistoryEvent, RunMigrated, SignalReceived, UpdateReceived
from procalg.runtime.slot_copy import slot_copier
from procalg.runtime.status import UNFINISHED as UNFINISHED  # re-exported: stores import it here
from procalg.runtime.status import RunStatus

if TYPE_CHECKING:
    from procalg.runtime.schedule import Schedule


class SeqConflict(StoreError):
    """Another writer appended to the run first; reload its history and retry."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What a store keeps about a run besides its history.

    Attributes:
        run_id: stable id.
        process: the process name started (``"Order"``).
        args: the process arguments (data values, JSON-encoded by the store).
        model_hash: content hash of the model text the run started on.
        model_text: that text, so a run can be resumed or audited later.
        current_hash: content hash of the model the run last migrated to (``""``: it
            runs the one it started on); set by the store in the transaction that
            records the ``run_migrated`` event (:meth:`Write.migrated_to`), so a run's
            model is read off its row, never found by scanning its history.
        current_text: that model's text (``""`` when ``current_hash`` is).
        verdicts: assertion text to its result (``"pass"``, ``"fail"`` ...), as checked at start.
        status: where the run is (a store's string becomes a :class:`RunStatus` here).
        created: clock time of creation.
        owner: worker holding the lease (``""``: none).
        lease_until: when the lease ends, in epoch seconds of the database's clock.
        wake_at: when a waiting run is next due (a timer or retry); ``inf``:
            only a signal can move it (read only: written by :class:`Write`).
        attrs: search attributes, written with the record in the same
            transaction (write only: read them with :meth:`EventLog.attributes`).
    """

    run_id: str
    process: str
    args: tuple[Any, ...] = ()
    model_hash: str = ""
    model_text: str = ""
    verdicts: Mapping[str, str] = field(default_factory=dict)
    status: RunStatus = RunStatus.RUNNING
    created: float = 0.0
    owner: str = ""
    lease_until: float = 0.0
    wake_at: float = 0.0
    attrs: Mapping[str, str] = field(default_factory=dict)
    current_hash: str = ""
    current_text: str = ""

    def __post_init__(self) -> None:
        if type(self.status) is not RunStatus:  # a store's row: parsed once, here
            object.__setattr__(self, "status", RunStatus(self.status))

    def changed(self, **changes: Any) -> RunRecord:
        """A copy with ``changes``, copied by straight-line code (runtime/slot_copy.py:
        the memory store changes a row a few times a step).

        Example:
            >>> r = RunRecord("r", "P").changed(owner="w", status="waiting")
            >>> r.owner, r.status is RunStatus.WAITING, r.process
            ('w', True, 'P')
        """
        out = _copy(self)
        for name, value in changes.items():
            _SETTERS[name](out, value)
        if "status" in changes:
            out.__post_init__()
        return out

    @property
    def current_model(self) -> tuple[str, str]:
        """``(hash, text)`` of the model the run runs now: the one it last migrated to,
        else the one it started on.

        Example:
            >>> RunRecord("r", "P", model_hash="h1", model_text="P = SKIP").current_model
            ('h1', 'P = SKIP')
            >>> RunRecord("r", "P", current_hash="h2", current_text="Q").current_model
            ('h2', 'Q')
        """
        return ((self.current_hash, self.current_text) if self.current_hash
                else (self.model_hash, self.model_text))


_copy, _SETTERS = slot_copier(RunRecord)
"""Copying a row, and its slots' setters by field name (:meth:`RunRecord.changed`)."""


@dataclass(frozen=True, slots=True)
class Write:
    """One run's share of a (group) commit.

    Attributes:
        run_id: the run.
        seq: the ``seq`` of the first event.
        events: history events, written at ``seq, seq+1, ...``.
        status: the run's new status (None: unchanged).
        record: create the run with this record first (``events`` start at 0).
        release: drop the lease this owner holds (the run finished).
        lease: with ``record``: the creator's lease lasts this many seconds
            from the DATABASE's clock (instead of ``record.lease_until``).
        wake_at: when the run, now waiting, is next due (a timer or retry,
            engine-clock seconds; ``inf``: only a signal moves it); None: unchanged.
        consumed: ids of buffered signals (:meth:`EventLog.pending`) these
            events consume: removed from the inbox in the same transaction.
        parent: with ``record``: the run is the child ``(parent run id, step)``
            of another run (kept for :meth:`EventLog.children`).
        sends: ``(run id, signal)`` pairs buffered in other runs' inboxes in the same
            transaction (a child's outcome, to its parent); none to a run that has ended.
        drops: channels (child processes) whose signals this write removes from the
            run's inbox as found in its transaction (late outcomes, in flight included).
        carry: a run id: the run's unread inbox (update keys with it) moves to that run
            as found in this write's transaction (continue-as-new: runtime/inbox.py).
    """

    run_id: str
    seq: int
    events: tuple[HistoryEvent, ...] = ()
    status: str | None = None
    record: RunRecord | None = None
    release: str = ""
    lease: float = 0.0
    consumed: tuple[int, ...] = ()
    wake_at: float | None = None
    parent: tuple[str, int] | None = None
    sends: tuple[tuple[str, SignalReceived], ...] = ()
    drops: frozenset[str] = frozenset()
    carry: str = ""

    def migrated_to(self) -> tuple[str, str] | None:
        """``(hash, text)`` of the model the write's last ``run_migrated`` event moves the
        run to (every store records it on the run's row in the same transaction), or None.

        Example:
            >>> from procalg.runtime.history import RunMigrated
            >>> Write("r", 3, (RunMigrated(time=0.0, model_hash="h", model_text="P = SKIP"),)
            ...       ).migrated_to()
            ('h', 'P = SKIP')
            >>> Write("r", 3).migrated_to() is None
            True
        """
        for event in reversed(self.events):
            if type(event) is RunMigrated:
                return event.model_hash, event.model_text
        return None


@runtime_checkable
class EventLog(Protocol):
    """A durable store of runs and their histories (implemented by ``procalg.store``)."""

    def create_run(self, record: RunRecord, first: list[HistoryEvent]) -> None:
        """Insert the run and its first events in one transaction (StoreError if the id exists)."""

    def get_run(self, run_id: str) -> RunRecord:
        """The run's record; :class:`~procalg.errors.RunError` if unknown."""

    def list_runs(self, statuses: tuple[str, ...] | None = None) -> list[RunRecord]:
        """All runs (or those with one of ``statuses``), oldest first."""

    def append(
        self, run_id: str, seq: int, events: list[HistoryEvent], status: str | None = None
    ) -> None:
        """Write ``events`` at ``seq, seq+1, ...`` and optionally set the status, atomically."""

    def write_many(self, writes: list[Write]) -> list[StoreError | None]:
        """Apply every write in ONE transaction; a write that collides on a key
        (:class:`SeqConflict`, or an existing run id) is left out and its error
        returned in its place, without failing the others."""

    def history(self, run_id: str) -> list[HistoryEvent]:
        """The run's events in ``seq`` order."""

    def length(self, run_id: str) -> int:
        """How many events the run's history holds (without reading them)."""

    def tail(self, run_id: str, seq: int) -> list[HistoryEvent]:
        """The run's events from ``seq`` on, in ``seq`` order (not the ones before)."""

    def save_snapshot(self, run_id: str, seq: int, body: str) -> None:
        """Keep ``body`` (:mod:`procalg.runtime.snapshot`) as the run's state after its
        first ``seq`` events, unless a snapshot at a later ``seq`` is kept already."""

    def snapshot(self, run_id: str) -> tuple[int, str] | None:
        """The run's kept snapshot as ``(seq, body)``, or None."""

    def claim(self, run_id: str, owner: str, lease: float,
              dead: tuple[str, float] | None = None) -> bool:
        """Take the lease by compare-and-set, for ``lease`` seconds of the DATABASE's clock.

        Taken if the run is unfinished and its lease is free, ours, expired by
        the database's clock, or still exactly ``dead`` (an ``(owner,
        lease_until)`` pair the caller saw and knows to be a dead process).
        Never computed from another worker's clock or from the old expiry.
        False for a run that does not exist.
        """

    def renew(self, run_id: str, owner: str, lease: float) -> bool:
        """Extend our lease to database-now + ``lease``; False if it is no longer ours."""

    def claim_next(self, owner: str, lease: float, limit: int = 1) -> list[str]:
        """Lease up to ``limit`` DUE runs whose lease is free or expired, oldest first.

        Due: ``running`` (a worker died driving it), or waiting with its
        ``wake_at`` passed; a run waiting only for a signal is never due.
        """

    def release(self, run_id: str, owner: str) -> None:
        """Drop our lease (no-op if not ours)."""

    def send(self, run_id: str, signal: SignalReceived) -> int:
        """Buffer a signal in the run's inbox durably, in one step with a look at its status;
        its id, increasing (:class:`RunFinished` if the run has ended: nothing buffered)."""

    def pending(self, run_id: str) -> list[tuple[int, SignalReceived]]:
        """The run's buffered signals not yet consumed, oldest first."""

    def inboxes(self) -> dict[str, int]:
        """Every run still going (running or waiting) with buffered signals, to the id of
        its newest one (one query); an ended run's unread ones stay, for ``runs show``."""

    def send_update(self, run_id: str, update: UpdateReceived) -> tuple[int, bool]:
        """Buffer an update like a signal (:meth:`send`) unless its key ``update.update_id``
        was sent to this run before, atomically: ``(inbox id, True)`` if buffered now, else
        the id it got then and False (it may since have been consumed or withdrawn)."""

    def update_entry(self, run_id: str, update_id: str) -> tuple[int | None, str | None] | None:
        """What the store keeps for update key ``update_id`` of the run (one indexed read):
        ``(seq, reply)``, the index of its ``update_received`` event (None: not recorded
        yet; written in the transaction that records it) and the reply kept by
        :meth:`keep_reply` (None: none yet); None if the key was never sent to the run."""

    def chain_entry(self, run_id: str, update_id: str
                    ) -> tuple[str, int | None, str | None] | None:
        """Key ``update_id`` in another run of ``run_id``'s continue-as-new chain that
        continued (so is final): ``(that run, seq, reply)`` as :meth:`update_entry`, a
        recorded one first; None if there is none. One indexed read (the store files
        every run and key in its chain), however long the chain."""

    def chain_head(self, run_id: str) -> str | None:
        """The oldest run, among ``run_id`` and the runs that continue it as new, that has
        not continued as new; None if there is none (no run ``run_id``, or the chain's
        last run continued and its new run collided with an existing id). One indexed
        read however long the chain: the runs not continued are a chain's newest, one, or
        two for a moment (a continue-as-new that lost its old run leaves the new run void,
        ``failed``, after the old one, going on: the old one is the head)."""

    def inbox_holder(self, ident: int) -> str | None:
        """The run whose inbox holds entry ``ident`` (it moves along a continue-as-new),
        or None once it was consumed or withdrawn. One indexed read."""

    def keep_reply(self, run_id: str, update_id: str, reply: str) -> None:
        """Keep the reply (:mod:`procalg.runtime.update_replies`) of a recorded update;
        the first kept stays (every caller computes the same one)."""

    def withdraw(self, run_id: str, ident: int) -> bool:
        """Remove buffered signal ``ident`` unless a write consumed it; True if removed
        (atomic with consumption: exactly one of the two happens)."""

    def children(self, run_id: str) -> list[str]:
        """The ids of the child runs ``run_id`` started, in the order of its steps."""

    def parents(self) -> dict[str, tuple[str, int]]:
        """Every child run's id to ``(parent run id, step)`` (one query)."""

    def close(self) -> None:
        """Release connections."""

    # -- schedules and run search (schema 3) ---------------------------------

    def search_runs(self, statuses: tuple[str, ...] | None = None, since: float | None = None,
                    attrs: Mapping[str, str] | None = None,
                    model: str | None = None) -> list[RunRecord]:
        """Runs with one of ``statuses``, created at or after ``since``, carrying every
        attribute of ``attrs``, and whose current model's hash (:attr:`RunRecord.current_model`)
        starts with ``model`` or whose ``model`` attribute is ``model``; oldest first."""

    def attributes(self, run_id: str) -> dict[str, str]:
        """The run's search attributes (empty if none or unknown)."""

    def put_schedule(self, schedule: Schedule) -> None:
        """Add a schedule; :class:`~procalg.errors.StoreError` if its name is taken."""

    def schedules(self) -> list[Schedule]:
        """Every schedule, by name."""

    def update_schedule(self, name: str, *, next_due: float | None = None,
                        paused: bool | None = None, expect_due: float | None = None) -> bool:
        """Set ``next_due`` and/or ``paused``; with ``expect_due``, only if ``next_due`` is
        still that (compare-and-set). False if unchanged (unknown name, or CAS lost)."""

    def delete_schedule(self, name: str) -> bool:
        """Remove a schedule (its runs stay); False if there was none."""


class Clock(Protocol):
    """The engine's time source; seconds as floats."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...
