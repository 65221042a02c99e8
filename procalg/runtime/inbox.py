"""Sending into a run's inbox from outside: refused once the run has ended, followed
along continue-as-new, never lost.

A signal (``runs signal``), an update (``runs update``) or a cancel request
(``runs cancel``) is buffered by the store in ONE step with its look at the run's
status (:meth:`~procalg.runtime.ports.EventLog.send`): it lands while the run is
running or waiting, else the store raises :class:`RunFinished`; a check in Python
followed by an insert would let a send that raced the run's final commit sit unread
in a finished run's inbox while its caller heard "buffered".

The rule at continue-as-new (docs/engine.md, "Continue-as-new"): the old run's final
commit moves its unread entries into the new run (:attr:`Write.carry`), so a send
that landed before that commit is read by the continuation, which starts in the
very state the old run reached and so offers what it offered; a send that comes
after it finds the old run ``continued`` and goes to the run that continues it
(:func:`deliver`). Temporal's workflow code drains its signal channels before it
continues as new, and a signal arriving meanwhile fails the continue-as-new as an
"unhandled command" so the task runs again and sees it (temporalio/samples-go#158,
temporalio/omes#12); here the engine carries them, as that retry would take them.

Example:
    >>> from procalg.runtime.memory import MemoryLog
    >>> from procalg.runtime.history import RunCompleted, RunStarted, SignalReceived
    >>> from procalg.runtime.ports import RunRecord
    >>> from procalg.terms.values import Event
    >>> log = MemoryLog()
    >>> log.create_run(RunRecord("r", "P"), [RunStarted(time=0.0, process="P")])
    >>> ident = log.send("r", SignalReceived(time=1.0, event=Event("go")))
    >>> holder(log, "r", ident)
    ('r', True)
    >>> log.append("r", 1, [RunCompleted(time=2.0)], "completed")
    >>> log.send("r", SignalReceived(time=3.0, event=Event("go")))
    Traceback (most recent call last):
    ...
    procalg.runtime.status.RunFinished: <input>: error: run r has finished: completed
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from procalg.errors import RunError
from procalg.runtime.continuation import latest
from procalg.runtime.ports import EventLog
from procalg.runtime.status import RunFinished, RunStatus

_T = TypeVar("_T")


def deliver(log: EventLog, run_id: str, send: Callable[[str], _T], refused: str
            ) -> tuple[str, _T]:
    """``send(run_id)``, or ``send`` to the run that continues ``run_id`` as new if the
    store refused it as ``continued`` (a send that resolved the old run just before
    its final commit); the id it landed in and ``send``'s answer.

    The continuation needs no new validation: it starts in the state the old run
    reached, on the same model (checked when it was made: runtime/continuation.py).

    Raises:
        RunError: the run (or its continuation) has finished otherwise: :func:`finished`
            with ``refused`` (what it refuses, for the caller).
    """
    while True:
        try:
            return run_id, send(run_id)
        except RunFinished as err:
            newer = latest(log, run_id) if err.status is RunStatus.CONTINUED else run_id
            if newer == run_id:
                raise finished(log, run_id, err.status, refused) from None
            run_id = newer


def finished(log: EventLog, run_id: str, status: str, refused: str) -> RunError:
    """The caller's answer for a run that has ended: its status and when (the time of
    its last event, in the engine's clock, as ``runs list`` prints times).

    Example:
        >>> from procalg.runtime.memory import MemoryLog
        >>> finished(MemoryLog(), "r", "completed", "it takes no signal").message
        'run r has finished: completed; it takes no signal'
    """
    last = log.tail(run_id, max(log.length(run_id) - 1, 0))
    when = f" at {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(last[-1].time))}" \
        if last else ""
    return RunError(f"run {run_id} has finished: {status}{when}; {refused}",
                    hint="only a running or waiting run takes signals, updates or cancel"
                         " requests (procalg runs list --status waiting)")


def holder(log: EventLog, run_id: str, ident: int) -> tuple[str, bool]:
    """Where entry ``ident`` of ``run_id``'s inbox is now: the run of its chain that
    holds it and True (``run_id``, or a run that continues it: the entry was carried
    with the final commit), or the newest run of the chain (:func:`latest`) and False
    once a run took it (or withdrew it).

    One indexed read of the entry (:meth:`EventLog.inbox_holder`), however long the
    chain: an entry moves only with the final commit that carries it, so it is found
    where it is; once gone it never comes back.
    """
    found = log.inbox_holder(ident)
    return (found, True) if found is not None else (latest(log, run_id), False)
