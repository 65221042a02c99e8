"""The engine: starts runs, drives them through the ports, resumes them after a crash.

The loop is: ``decide`` (pure) gives commands; the engine performs them
(fires internal moves, calls activities, starts timers), appends the
resulting history events to the :class:`~procalg.runtime.ports.EventLog` and
``evolve`` s the in-memory state by the same events. Commits: internal moves
are deterministic, so they are buffered and committed together with the next
event the engine could not recompute (an activity outcome, a timer, a
signal) or when the run waits or ends: ONE commit per activity step, and one
for a whole batch of concurrent activities (group commit). A crash loses at
most buffered internal moves, which replay recomputes identically, and an
activity whose outcome was not committed runs again with the same
idempotency key ``run_id:step``.

Runs are independent, so each has its own lock and several are driven at
once (:meth:`Engine.start_many`, :meth:`Engine.drive_many`,
:meth:`Engine.resume_all`): one driver thread per run (at most
``max_runs``), its activities called in that thread (a lone call) or on the
activity pool (a batch), and the commits of the runs whose steps are ready
together written in one transaction (:mod:`procalg.runtime.commit`). Every
guarantee stays per run: a step is durable before anything that depends on
it, and each write is checked on its own ``(run_id, seq)`` keys.

With a :class:`~procalg.runtime.clock.VirtualClock` the engine runs in the
caller's thread: ``start``, ``signal`` and ``clock.advance`` each drive the
runs until they wait. With a real clock, :meth:`Engine.run_until_done`
sleeps until the next deadline.

The engine's parts: this module drives runs; :mod:`~procalg.runtime.recovery`
claims and resumes them (leases: :mod:`~procalg.runtime.leases`);
:mod:`~procalg.runtime.signals` delivers signals (and :mod:`~procalg.runtime.cancel`
cancellations); :mod:`~procalg.runtime.fanout`
drives several runs at once.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
    >>> from procalg.runtime.memory import MemoryLog
    >>> wf = Workflow(TermSystem(Prefix(Event("greet", ("bob",)), SKIP)),
    ...               {"greet": Channel("greet", ChannelKind.ACTIVITY, 1)})
    >>> engine = Engine(MemoryLog(), activities={"greet": lambda who: None})
    >>> run = engine.start(wf)
    >>> str(run.status), [str(e) for e in run.result().trace]
    ('completed', ['greet.bob'])
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from procalg.errors import RunError, StoreError
from procalg.runtime.activities import ActivityRegistry
from procalg.runtime.attempts import Attempts
from procalg.runtime.binding import check_bindings, check_verdicts
from procalg.runtime.cancel import Cancels
from procalg.runtime.children import Children, StartChild
from procalg.runtime.clock import SystemClock, VirtualClock
from procalg.runtime.commands import Finish, Fire, Perform, StartTimer, Wait
from procalg.runtime.commit import GroupCommit
from procalg.runtime.continuation import continue_as_new
from procalg.runtime.decide import RunState, decide, evolve
from procalg.runtime.fanout import Fanout
from procalg.runtime.history import (
    EventFired,
    HistoryEvent,
    RunCancelled,
    RunCompensated,
    RunCompleted,
    RunFailed,
    RunStarted,
    TimerFired,
    TimerStarted,
)
from procalg.runtime.leases import Leases, owner_id
from procalg.runtime.ports import UNFINISHED, Clock, EventLog, RunRecord, SeqConflict, Write
from procalg.runtime.recovery import Recovery
from procalg.runtime.run import Run
from procalg.runtime.signals import Signals
from procalg.runtime.status import RunStatus
from procalg.runtime.telemetry import Telemetry
from procalg.runtime.workflow import ChannelKind, Workflow
from procalg.terms.cancel import CANCEL_EVENT
from procalg.terms.values import Event

Loader = Callable[[RunRecord], Workflow]
MAX_INTERNAL = 100_000
"""Internal moves in a row before the engine calls the run divergent."""


class Engine(Recovery, Signals, Cancels, Children, Attempts):
    """Runs workflows durably.

    Args:
        log: the event log (``procalg.store.store_from_url(...)``).
        activities: channel name to function, or an :class:`ActivityRegistry`.
        clock: the engine's clock (default real time).
        loader: rebuilds a run's :class:`Workflow` from its record, for runs
            this engine did not start (resume after a crash, signals from the CLI).
        retry: the retry overrides its loader applies (and runs started here get).
        on_event: called for every recorded event (live progress).
        lease: seconds a worker's claim on a run lasts without renewal.
        max_workers: threads for the activities of a concurrent batch.
        max_runs: runs driven at once by :meth:`start_many`, :meth:`drive_many`
            and :meth:`resume_all`.

    With several runs driven at once ``on_event`` is called from their driver threads.
    """

    def __init__(
        self,
        log: EventLog,
        activities: ActivityRegistry | Mapping[str, Callable[..., Any]] | None = None,
        clock: Clock | None = None,
        loader: Loader | None = None,
        lease: float = 30.0,
        max_workers: int = 8,
        max_runs: int = 64,
        retry: Mapping[str, Any] | None = None,
        on_event: Callable[[str, HistoryEvent], None] | None = None,
    ) -> None:
        self.log = log
        self.activities = (activities if isinstance(activities, ActivityRegistry)
                           else ActivityRegistry(activities))
        self.clock = clock or SystemClock()
        self.loader = loader
        self.retry = retry
        self.lease = lease
        self.owner = owner_id()
        self.leases = Leases(log, self.owner, lease)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="activity")
        self._fanout = Fanout(max_runs)
        self.commits = GroupCommit(log)
        self._states: dict[str, RunState] = {}
        self._pending: dict[str, list[HistoryEvent]] = {}
        self._stored: dict[str, RunStatus] = {}  # the status last written for each run
        self._consumed: dict[str, list[int]] = {}  # inbox ids the pending events consume
        self._wakes: dict[str, float] = {}  # the wake_at last written for each run
        self._snapped: dict[str, int] = {}  # the seq of each run's last snapshot
        self._creating: dict[str, RunRecord] = {}  # runs whose row goes with their next commit
        self._sends: dict[str, list] = {}  # inbox entries the next commit puts in other runs'
        self._drops: dict[str, frozenset[str]] = {}  # child outcomes the final commit drops
        self._spawned: dict[str, list[str]] = {}  # child runs started, to drive after
        self._woken: dict[str, list[str]] = {}  # parents whose child ended, to resume after
        self._locks: dict[str, threading.RLock] = {}  # one per run: runs move independently
        self._lock = threading.Lock()  # guards _locks only
        self.on_event = on_event
        self.telemetry: Telemetry | None = None  # spans, metrics, logs: see runtime/telemetry
        if isinstance(self.clock, VirtualClock):
            self.clock.on_advance(self.tick)

    # -- starting and loading ------------------------------------------------

    def start(self, workflow: Workflow, *, run_id: str | None = None,
              allow_failed_assertions: bool = False,
              attrs: Mapping[str, str] | None = None) -> Run:
        """Check bindings and verdicts, record the run (with its search attributes
        ``attrs``), and drive it until it waits."""
        check_verdicts(workflow, allow_failed_assertions)
        check_bindings(workflow, self.activities)
        run_id = run_id or uuid.uuid4().hex
        self._start_one(workflow, run_id, attrs)
        return Run(self, run_id)

    def start_many(self, workflows: Iterable[Workflow], *, run_ids: Iterable[str] | None = None,
                   allow_failed_assertions: bool = False) -> list[Run]:
        """Start several runs and drive them concurrently until each waits or ends.

        Everything is checked before any run starts. The runs' creations and
        steps share commits when they are ready together.

        Raises:
            RunError: as :meth:`start`, or ``run_ids`` not matching ``workflows``.
        """
        workflows = list(workflows)
        ids = [uuid.uuid4().hex for _ in workflows] if run_ids is None else list(run_ids)
        if len(ids) != len(workflows) or len(set(ids)) != len(ids):
            raise RunError(f"start_many needs one distinct run id per workflow "
                           f"({len(workflows)} workflows, {len(set(ids))} distinct ids)")
        for wf in {id(wf): wf for wf in workflows}.values():
            check_verdicts(wf, allow_failed_assertions)
            check_bindings(wf, self.activities)
        pairs = list(zip(workflows, ids, strict=True))
        self._fanout.each(lambda pair: self._start_one(*pair), pairs)
        return [Run(self, run_id) for run_id in ids]

    def _start_one(self, workflow: Workflow, run_id: str,
                   attrs: Mapping[str, str] | None = None) -> None:
        now = self.clock.now()
        record = RunRecord(run_id, workflow.process, workflow.args, workflow.model_hash,
                           workflow.model_text, dict(workflow.verdicts), created=now,
                           owner=self.owner, attrs=attrs or {})
        first = RunStarted(time=now, process=workflow.process, args=workflow.args,
                           model_hash=workflow.model_hash)
        with self._run_lock(run_id):
            # the run's row goes with its first step's commit (_flush): one commit fewer
            # per run, and nothing the run does waits for it (a call commits first)
            self._creating[run_id], kept = record, self._loaded(run_id)
            self.leases.hold(run_id)
            state = RunState.initial(workflow)
            self._states[run_id], self._pending[run_id] = state, []
            self._stored[run_id] = record.status
            self._record(run_id, state, [first])
            try:
                self.drive(run_id)
            except StoreError:
                if self._creating.pop(run_id, None) is not None:  # its row was refused
                    self._put_back(run_id, kept)  # as this engine knew that id's run
                raise

    def _run_lock(self, run_id: str) -> threading.RLock:
        lock = self._locks.get(run_id)
        if lock is None:
            with self._lock:
                lock = self._locks.setdefault(run_id, threading.RLock())
        return lock

    # -- driving --------------------------------------------------------------

    def drive(self, run_id: str) -> RunStatus:
        """Perform commands until the run waits or ends; returns its status."""
        with self._run_lock(run_id):
            try:
                status = self._drive(run_id)
            except Exception as err:
                try:  # keep what already happened (an activity's outcome) durable
                    if not isinstance(err, StoreError):
                        self._flush(run_id, self._states[run_id], self._moved(run_id))
                finally:  # not renewed: it expires, then any worker retries (no hot loop)
                    self.leases.dropped(run_id)
                raise
            finally:
                if self.telemetry is not None:
                    state = self._states.get(run_id)
                    self.telemetry.drove(run_id, state.status if state else "")
        if self._spawned or self._woken or self._states[run_id].children:  # runtime/children.py
            self._follow_up(run_id)
            status = self._states[run_id].status
        return status

    def _moved(self, run_id: str) -> RunStatus:
        """The status to commit with a drive's events when it fails: a waiting run with
        events not committed yet (a signal taken: :meth:`Signals.signal` leaves them to
        the drive) is running, as its signal's own commit used to say; else as stored."""
        stored = self._stored.get(run_id, RunStatus.RUNNING)
        if stored is RunStatus.WAITING and self._pending.get(run_id):
            return RunStatus.RUNNING
        return stored

    def _drive(self, run_id: str) -> RunStatus:
        with self._run_lock(run_id):
            state = self._states[run_id]
            internal = 0
            while True:
                commands = decide(state, self.clock.now())
                if not commands:
                    return state.status
                head = commands[0]
                if isinstance(head, Fire):
                    internal += 1
                    if internal > MAX_INTERNAL:
                        self._finish(run_id, state, Finish(RunStatus.FAILED, "the run diverges: "
                                     f"{MAX_INTERNAL} internal moves without waiting"))
                        return state.status
                    self._fire(run_id, state, head)
                elif isinstance(head, StartTimer):
                    now = self.clock.now()
                    # committed with the next commit, which comes before anything the
                    # run does outside (a call, a wait, its end): a crash before it is
                    # a crash before the timer started, which then starts on resume
                    self._record(run_id, state, [TimerStarted(time=now, timer=c.timer,
                                                              deadline=c.deadline)
                                                 for c in commands])
                elif isinstance(head, Perform):
                    internal = 0
                    if CANCEL_EVENT in state.node().signals and self._take_cancel(run_id, state):
                        continue  # a pending cancel wins over starting the next step
                    self._perform(run_id, state, commands)  # type: ignore[arg-type]
                elif isinstance(head, StartChild):
                    self._start_children(run_id, state, commands)  # type: ignore[arg-type]
                elif isinstance(head, Wait):
                    if (head.signals or head.children) and self._take_buffered(run_id, state):
                        continue  # a buffered signal the model listens for now: go on
                    if self.continue_after and continue_as_new(self, run_id, state, head):
                        return state.status  # `continued`: see runtime/continuation.py
                    # waiting for nothing but a signal: no work for a worker, so the
                    # lease goes (with this commit); whoever signals the run takes it
                    idle = head.until is None and self.leases.holds(run_id)
                    self._flush(run_id, state, RunStatus.WAITING, release=idle,
                                wake_at=math.inf if head.until is None else head.until)
                    state.status = RunStatus.WAITING
                    return state.status
                else:
                    self._finish(run_id, state, head)
                    return state.status

    def drive_many(self, run_ids: Iterable[str]) -> list[RunStatus]:
        """Drive several runs concurrently until each waits or ends; their statuses."""
        return self._fanout.each(self.drive, list(run_ids))

    def _fire(self, run_id: str, state: RunState, command: Fire) -> None:
        now = self.clock.now()
        events: list[HistoryEvent] = []
        label = command.label
        is_timer = isinstance(label, Event) and state.workflow.kind(label) is ChannelKind.TIMER
        if is_timer:
            events.append(TimerFired(time=now, timer=label.channel))
        events.append(EventFired(now, label, command.choice))
        self._record(run_id, state, events)
        if is_timer:
            self._flush(run_id, state, RunStatus.RUNNING)

    def _finish(self, run_id: str, state: RunState, command: Finish) -> None:
        now = self.clock.now()
        final: HistoryEvent = {RunStatus.COMPLETED: RunCompleted(time=now),
                               RunStatus.COMPENSATED: RunCompensated(time=now),
                               RunStatus.CANCELLED: RunCancelled(time=now)}.get(
                                   command.status, RunFailed(time=now, error=command.error))
        if state.parent is not None:
            self._tell_parent(run_id, state, command.status)
        if state.workflow.has_children:  # children it leaves (runtime/children.py)
            self._leave_children(run_id, state)
        self._record(run_id, state, [final])
        self._flush(run_id, state, command.status, release=True)

    def _record(self, run_id: str, state: RunState, events: list[HistoryEvent]) -> None:
        pending = self._pending.setdefault(run_id, [])
        for event in events:
            evolve(state, event)
            pending.append(event)
            if self.on_event is not None:
                self.on_event(run_id, event)
            if self.telemetry is not None:
                self.telemetry.event(run_id, event)

    def _flush(self, run_id: str, state: RunState, status: RunStatus, release: bool = False,
               wake_at: float | None = None) -> None:
        """Commit the buffered events (and a status change; and drop the lease when the
        run ends) in one write, grouped with other runs' writes ready at the same time."""
        pending = self._pending.get(run_id) or []
        if pending and state.children:  # did a step discard a child? (runtime/children.py)
            self._discard_children(run_id, state)
        changed = self._stored.get(run_id) != status  # unchanged: no UPDATE of the run row
        if wake_at is not None and self._wakes.get(run_id) == wake_at:
            wake_at = None  # as stored: no UPDATE
        if not (pending or changed or release or wake_at is not None):
            return
        record = self._creating.get(run_id)
        write = Write(run_id, state.seq - len(pending), tuple(pending),
                      status if changed else None, release=self.owner if release else "",
                      record=record, lease=self.lease if record is not None else 0.0,
                      consumed=tuple(self._consumed.pop(run_id, ())), wake_at=wake_at,
                      sends=tuple(self._sends.pop(run_id, ())),
                      drops=self._drops.pop(run_id, frozenset()))
        try:
            self.commits.commit(write)
        except SeqConflict:
            self._pending[run_id] = []
            self.attach(run_id, state.workflow)  # someone else moved it: start from theirs
            raise
        self._stored[run_id] = status
        self._pending[run_id] = []
        if record is not None and self._creating.pop(run_id) and not release:
            self.leases.hold(run_id)  # a heartbeat before the row existed lost it
        if pending:
            self._snapshot(run_id, state, pending[-1])
        if wake_at is not None:
            self._wakes[run_id] = wake_at
        if release:
            self.leases.dropped(run_id)

    # -- the outside world ----------------------------------------------------

    def tick(self) -> None:
        """Drive every loaded unfinished run (due timers and retries move on).

        In the caller's thread, one run after another: the virtual clock calls
        this from ``advance``, which may itself run inside a run's activity.
        """
        for run_id, state in list(self._states.items()):
            if state.status in UNFINISHED:
                self.drive(run_id)

    def get(self, run_id: str) -> Run:
        """A handle on an existing run (RunError if unknown)."""
        self.log.get_run(run_id)
        return Run(self, run_id)

    def close(self) -> None:
        """Release every lease this engine holds and stop its threads (the log stays open)."""
        self.leases.release_all()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._fanout.close()

