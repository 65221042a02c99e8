"""A run's status: one name per state a run can be in, parsed once where it enters.

:class:`RunStatus` is a ``StrEnum``: a member *is* its string, so stores,
JSON histories and old rows keep the same text (``"completed"``), while the
code compares members, not spellings. Strings become members at the
boundary: a store's row (:class:`~procalg.runtime.ports.RunRecord`), the
replay of a history (:mod:`~procalg.runtime.decide`), a user's filter.

Example:
    >>> RunStatus("completed") is RunStatus.COMPLETED, RunStatus.WAITING == "waiting"
    (True, True)
    >>> [str(s) for s in UNFINISHED], RunStatus.FAILED in FINISHED
    (['running', 'waiting'], True)
"""

from __future__ import annotations

from enum import StrEnum

from procalg.errors import RunError


class RunStatus(StrEnum):
    """Where a run is: still going (``running``, ``waiting``) or how it ended."""

    RUNNING = "running"
    """The engine has work to do for it (an activity, an internal move)."""
    WAITING = "waiting"
    """Only a timer, a retry's back-off or a signal can move it."""
    COMPLETED = "completed"
    """It terminated (✓) without a rollback."""
    COMPENSATED = "compensated"
    """A saga rolled back and then terminated."""
    FAILED = "failed"
    """It threw, deadlocked, diverged or gave up on an activity."""
    CANCELLED = "cancelled"
    """It took the event ``cancel`` and then terminated (docs/sagas.md section 8)."""
    CONTINUED = "continued"
    """It continued as new: its history goes on in a new run (docs/engine.md)."""


UNFINISHED = (RunStatus.RUNNING, RunStatus.WAITING)
"""Statuses of runs a worker should pick up."""
FINISHED = (RunStatus.COMPLETED, RunStatus.COMPENSATED, RunStatus.FAILED,
            RunStatus.CANCELLED, RunStatus.CONTINUED)
"""Statuses of runs that have ended (their history is closed)."""


class RunFinished(RunError):
    """A store refused a send (a signal, an update, a cancel request): the run had ended
    when the send's own transaction looked at it (``EventLog.send``). The engine turns
    it into the caller's answer, or follows a run that ``continued`` to its new run
    (:mod:`procalg.runtime.inbox`).

    Example:
        >>> err = RunFinished("r", "completed")
        >>> err.status is RunStatus.COMPLETED, err.message
        (True, 'run r has finished: completed')
    """

    def __init__(self, run_id: str, status: str) -> None:
        super().__init__(f"run {run_id} has finished: {status}")
        self.run_id = run_id
        self.status = RunStatus(status)
