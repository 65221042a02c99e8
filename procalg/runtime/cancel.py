"""Cancellation: a durable request that a run take its model's ``cancel`` event.

``procalg runs cancel ID`` (``run.cancel()``) is the environment offering the
reserved event ``cancel`` (:mod:`procalg.terms.cancel`). The request is
buffered in the run's inbox like a signal (it survives crashes; whichever
worker owns the run takes it), and the run takes it where its model offers
``cancel``: at once if it waits there, before starting the next activity
if one is offered with it, otherwise later, when the model reaches a
cancellation point (until then the request stays pending; a run from whose
position no cancellation point can be reached refuses it, so no request waits
for ever: :func:`~procalg.runtime.reach.reaches`). What the run
does after ``cancel`` is the model's (a saga's ``cancel -> THROW``
compensates the completed steps); when it then terminates it ends
``cancelled``. A run that has ended, or whose model has no ``cancel``,
refuses the request.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP, ExternalChoice
    >>> from procalg.terms.cancel import CANCEL_EVENT
    >>> from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
    >>> from procalg.runtime.memory import MemoryLog
    >>> from procalg.runtime.clock import VirtualClock
    >>> from procalg.runtime.engine import Engine
    >>> term = ExternalChoice(Prefix(Event("go"), SKIP), Prefix(CANCEL_EVENT, SKIP))
    >>> wf = Workflow(TermSystem(term), {"go": Channel("go", ChannelKind.SIGNAL),
    ...                                  "cancel": Channel("cancel", ChannelKind.SIGNAL)})
    >>> engine = Engine(MemoryLog(), clock=VirtualClock())
    >>> run = engine.start(wf)
    >>> run.cancel("customer asked")
    True
    >>> str(run.status), [str(e) for e in run.result().trace]
    ('cancelled', ['cancel'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from procalg.errors import RunError
from procalg.runtime.continuation import latest
from procalg.runtime.decide import RunState
from procalg.runtime.history import CancelRequested, EventFired
from procalg.runtime.inbox import deliver, finished
from procalg.runtime.ports import UNFINISHED
from procalg.runtime.reach import reaches
from procalg.runtime.workflow import ChannelKind
from procalg.terms.cancel import CANCEL_EVENT

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine


class Cancels:
    """Requesting and taking cancellations; mixed into :class:`~procalg.runtime.engine.Engine`."""

    on_cancel: Callable[[str, str], None] | None = None
    """Called with ``(run_id, reason)`` once a run's ``cancel`` is durably taken, after
    its child runs were asked to cancel too (:func:`cancel_children`)."""

    def cancel(self: Engine, run_id: str, reason: str = "") -> bool:
        """Request that the run be cancelled; durable, needs no lease.

        A second request while one is pending adds nothing. If no other live
        worker holds the run, it is resumed here at once; otherwise its worker
        takes the request when the run next reaches a cancellation point.

        Returns:
            True if the run took ``cancel`` here and now.

        Raises:
            RunError: the run has ended, or its model offers ``cancel`` nowhere.
        """
        run_id = latest(self.log, run_id)  # a run that continued as new: its newest run
        state = self.state(run_id)
        if state.status not in UNFINISHED:
            raise finished(self.log, run_id, state.status, "it cannot be cancelled")
        if state.cancelled:
            return False  # it took cancel already and is finishing (compensating)
        if state.workflow.kind(CANCEL_EVENT) is not ChannelKind.SIGNAL:
            raise RunError(f"run {run_id} cannot be cancelled: its process "
                           f"{state.workflow.process} never offers the event cancel",
                           hint="the model says where a run may be cancelled, e.g. "
                                "saga (a undo u ; (cancel -> THROW [] b)) (docs/sagas.md)")
        if not reaches(state, CANCEL_EVENT):  # a request would stay pending for ever
            raise RunError(f"run {run_id} cannot be cancelled any more: no position it may "
                           "reach from here offers cancel",
                           hint="it runs on to its end; the model says where cancel is offered")
        asked = run_id
        if not any(isinstance(sent, CancelRequested) for _, sent in self.log.pending(run_id)):
            request = CancelRequested(time=self.clock.now(), event=CANCEL_EVENT, reason=reason)
            # refused atomically if the run ended meanwhile; one that continued as new
            # meanwhile is cancelled in its continuation (runtime/inbox.py)
            run_id, _ = deliver(self.log, run_id, lambda target: self.log.send(target, request),
                                "it cannot be cancelled")
        if self.leases.take(run_id):  # a continuation starts elsewhere: its own workflow
            self.resume(run_id, state.workflow if run_id == asked else None)
        return self.state(run_id).cancelled

    def _take_cancel(self: Engine, run_id: str, state: RunState) -> bool:
        """Take a pending cancel request now (True): the model offers ``cancel`` here.

        Called only where ``cancel`` is offered, so a model without
        cancellation points never reads its inbox on the step path.
        """
        for ident, sent in self.log.pending(run_id):
            if isinstance(sent, CancelRequested):
                now = self.clock.now()
                self._consumed.setdefault(run_id, []).append(ident)
                self._record(run_id, state, [CancelRequested(time=now, event=CANCEL_EVENT,
                                                             reason=sent.reason),
                                             EventFired(time=now, label=CANCEL_EVENT, choice=0)])
                self._flush(run_id, state, "running")
                self._cancelled(run_id, sent.reason)
                return True
        return False

    def _cancel_children_again(self: Engine, run_id: str) -> None:
        """On resuming a run that took ``cancel``: a crash may have come between that
        commit and the requests to its children, so ask them again (a child that has
        a request pending, or has ended, is left as it is)."""
        children = self.log.children(run_id)
        if children:
            cancel_children(self, children, f"its parent run {run_id} was cancelled")

    def _cancelled(self: Engine, run_id: str, reason: str) -> None:
        # cancellation propagates down the run tree: the child runs this run started
        cancel_children(self, self.log.children(run_id), reason)
        if self.on_cancel is not None:
            self.on_cancel(run_id, reason)


def cancel_children(engine: Engine, children: Iterable[str], reason: str = "") -> list[str]:
    """Request cancellation of each child run still going; the ids requested.

    Cancellation propagates down a run tree: when a parent takes ``cancel``,
    call this with its child runs' ids. A child that has ended, or whose model
    offers no ``cancel``, is skipped (it cannot be cancelled; the parent's
    model decides what its cancellation means for it).

    Example:
        >>> from procalg.runtime.memory import MemoryLog
        >>> from procalg.runtime.engine import Engine
        >>> cancel_children(Engine(MemoryLog()), [])
        []
    """
    requested = []
    for child in children:
        try:
            engine.cancel(child, reason)
        except RunError:
            continue
        requested.append(child)
    return requested
