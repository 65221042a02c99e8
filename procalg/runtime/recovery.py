"""Taking runs over: claims, resumes after a crash, and driving a run to its end.

The engine's half that deals with other workers. A claim takes a run's lease
(from a dead worker of this host at once, see :mod:`procalg.runtime.leases`);
a resume replays the run's history through the model and records which
activity calls may have been in flight when its last worker died, so a call
that keeps killing workers fails (``WorkerCrashed``) instead of looping.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.runtime.engine import Engine
    >>> from procalg.runtime.memory import MemoryLog
    >>> from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
    >>> wf = Workflow(TermSystem(Prefix(Event("ok"), SKIP)),
    ...               {"ok": Channel("ok", ChannelKind.SIGNAL)})
    >>> engine = Engine(MemoryLog(), loader=lambda record: wf)
    >>> run = engine.start(wf, run_id="r")
    >>> engine.release("r"); other = Engine(engine.log, loader=lambda record: wf)
    >>> other.claim("r"); str(other.resume("r"))
    'waiting'
"""

from __future__ import annotations

import contextlib
import math
import time
from typing import TYPE_CHECKING, Any

from procalg.errors import RunError, StoreError
from procalg.runtime.binding import check_bindings
from procalg.runtime.children import is_fresh_child
from procalg.runtime.decide import Perform, RunState, Wait, decide, evolve
from procalg.runtime.history import HistoryEvent, RunResumed
from procalg.runtime.ports import UNFINISHED, RunRecord
from procalg.runtime.snapshot import EVERY, restore, save
from procalg.runtime.status import RunStatus

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine
    from procalg.runtime.workflow import Workflow


class Recovery:
    """Claims, resumes and run-to-the-end loops; mixed into the engine."""

    snapshot_every: int = EVERY
    """Events between two snapshots of a run (0: none are saved or read)."""
    continue_after: int = 0
    """History length after which a run continues as new at its next loop head
    (:mod:`~procalg.runtime.continuation`; 0: never)."""

    def attach(self: Engine, run_id: str, workflow: Workflow | None = None) -> RunState:
        """Rebuild a run's state by replaying its history (on ``workflow`` if given):
        from its latest snapshot if one checks out (:mod:`~procalg.runtime.snapshot`).

        Raises:
            RunError: unknown run, no loader, or (:class:`ReplayError`) a history
                the model rejects, naming the first rejected event.
        """
        record = self.log.get_run(run_id)
        if workflow is None:
            if self.loader is None:
                raise RunError(f"run {run_id} was started elsewhere and no model loader is set",
                               hint="create the Engine with loader=... (procalg.api does)")
            workflow = self.loader(record)
        found = restore(self.log, run_id, workflow) if self.snapshot_every else None
        if found is not None:  # a checked snapshot plus the events after it
            state, self._snapped[run_id] = found
        else:
            state = RunState.initial(workflow)
            for event in self.log.history(run_id):
                evolve(state, event)
            self._snapped[run_id] = 0  # the next commit saves one if the history is long
        with self._run_lock(run_id):
            self._states[run_id] = state
            self._pending[run_id] = []
            self._stored[run_id] = record.status
        return state

    def _snapshot(self: Engine, run_id: str, state: RunState, last: HistoryEvent) -> None:
        """Save the run's state if :attr:`snapshot_every` events passed since its last one
        (called after a commit that ended with ``last``; see :mod:`~procalg.runtime.snapshot`)."""
        every = self.snapshot_every
        if every and state.seq - self._snapped.get(run_id, 0) >= every:
            self._snapped[run_id] = state.seq  # also when unsaveable: try again in `every`
            save(self.log, run_id, state, last)

    def _loaded(self: Engine, run_id: str) -> tuple[Any, ...]:
        """What this engine holds of run ``run_id``: its lease, state, pending events and
        stored status (to put back, :meth:`_put_back`, if a start of that id is refused)."""
        return (self.leases.holds(run_id),
                *(table.get(run_id) for table in (self._states, self._pending, self._stored)))

    def _put_back(self: Engine, run_id: str, kept: tuple[Any, ...]) -> None:
        held, *entries = kept
        for table, entry in zip((self._states, self._pending, self._stored), entries,
                                strict=True):
            if entry is None:
                table.pop(run_id, None)
            else:
                table[run_id] = entry
        if not held:
            self.leases.dropped(run_id)

    def state(self: Engine, run_id: str) -> RunState:
        """The run's current state (loaded on first use; reloaded if the store moved on)."""
        with self._run_lock(run_id):
            state = self._states.get(run_id)
            if state is None or (not self._pending.get(run_id)
                                 and self._length(run_id) != state.seq):
                state = self.attach(run_id, state.workflow if state else None)
            return state

    def _length(self: Engine, run_id: str) -> int:
        """The stored history's length (a count, not a read, when the log can)."""
        length = getattr(self.log, "length", None)
        return length(run_id) if length is not None else len(self.log.history(run_id))

    def resume_all(self: Engine) -> list[str]:
        """Claim every unfinished run whose worker is gone, replay them and drive them
        concurrently (see :meth:`drive_many`).

        A run waiting only for a signal, with none buffered, is left alone
        (nothing to do: no claim, no replay); a run that fails to resume is
        released again.
        """
        inboxes = getattr(self.log, "inboxes", dict)()
        resumed: list[str] = []
        try:
            for record in self.log.list_runs(UNFINISHED):
                if not _idle(record, inboxes) and self.leases.take(record.run_id):
                    resumed.append(record.run_id)
        except StoreError:  # the store went away mid-way: hold none of the runs taken
            for run_id in resumed:  # (the heartbeat would renew them unseen for ever)
                with contextlib.suppress(StoreError):  # else its lease simply expires
                    self.leases.release(run_id)
            raise

        def one(run_id: str) -> str:
            try:
                return self.resume(run_id)
            except BaseException:
                self.leases.release(run_id)
                raise

        self._fanout.each(one, resumed)
        return resumed

    def resume(self: Engine, run_id: str, workflow: Workflow | None = None) -> RunStatus:
        """Replay a run (taken over from a dead worker) and drive it; returns its status.

        The activity calls that the run would start now may have been in
        flight when its worker died (no record is written when an attempt
        starts: one commit per step); they are recorded in a ``RunResumed``
        event, so a call in flight in :data:`~procalg.runtime.decide.CRASH_LIMIT`
        crashes fails (``WorkerCrashed``) instead of killing workers for ever.
        """
        with self._run_lock(run_id):
            try:
                return self._resume(run_id, workflow)
            except Exception:  # not renewed: it expires, then any worker retries it
                self.leases.dropped(run_id)
                raise

    def _resume(self: Engine, run_id: str, workflow: Workflow | None) -> RunStatus:
        """:meth:`resume` under the run's lock."""
        state = self._states.get(run_id)
        if (state is None or self._pending.get(run_id) or self._length(run_id) != state.seq
                or (workflow is not None and workflow is not state.workflow)):
            state = self.attach(run_id, workflow)  # else: loaded and current on it
        if workflow is None and is_fresh_child(state):  # runtime/children.py
            return self._take_up(run_id, state)
        check_bindings(state.workflow, self.activities)
        if state.status in UNFINISHED and state.cancelled:
            self._cancel_children_again(run_id)  # runtime/cancel.py
        if state.status in UNFINISHED:
            calls = tuple((c.step, c.channel, c.input)
                          for c in decide(state, self.clock.now()) if isinstance(c, Perform))
            if calls:
                self._record(run_id, state, [RunResumed(time=self.clock.now(),
                                                        calls=calls)])
                self._flush(run_id, state, RunStatus.RUNNING)
        return self.drive(run_id)

    def run_until_done(self: Engine, run_id: str, timeout: float | None = None,
                       poll: float = 0.2) -> RunStatus:
        """Drive the run, sleeping on the clock until deadlines, until it ends."""
        give_up = None if timeout is None else time.monotonic() + timeout
        while True:
            state = self.state(run_id)
            status = self.drive(run_id)
            if status not in UNFINISHED:
                return status
            if give_up is not None and time.monotonic() > give_up:
                return status
            wait = decide(state, self.clock.now())
            until = wait[0].until if wait and isinstance(wait[0], Wait) else None
            pause = poll if until is None else max(0.0, min(poll, until - self.clock.now()))
            self.clock.sleep(pause)

    def claim(self: Engine, run_id: str) -> None:
        """Take the run's lease (from a dead worker of this host at once), or say who holds it.

        The claim first: the store takes only an unfinished run's lease, so the run is
        read only to say why it was refused; a run that goes on (every signal) costs
        one store request here, not a read before it too.

        Raises:
            RunError: no such run, the run has finished, or a live worker holds it.
        """
        if not self.leases.take(run_id):
            record = self.log.get_run(run_id)
            if record.status not in UNFINISHED:
                raise RunError(f"run {run_id} has {record.status}")
            until = time.strftime("%H:%M:%S", time.localtime(record.lease_until))
            raise RunError(f"run {run_id} is held by worker {record.owner or '(none)'} "
                           f"until {until}",
                           hint="wait for that worker to finish or its lease to expire")

    def forget(self: Engine, run_id: str) -> None:
        """Drop the run's cached state (a long-running worker serves many runs)."""
        with self._lock:
            for cache in (self._states, self._pending, self._stored, self._wakes, self._locks,
                          self._snapped):
                cache.pop(run_id, None)

    def release(self: Engine, run_id: str) -> None:
        """Drop this engine's lease on the run (another worker may then drive it)."""
        self.leases.release(run_id)


def _idle(record: RunRecord, inboxes: dict[str, int]) -> bool:
    """True if only a signal can move the run and none is buffered for it."""
    return (record.status is RunStatus.WAITING and not record.owner and record.wake_at == math.inf
            and record.run_id not in inboxes)
