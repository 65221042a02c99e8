"""Child workflows: ``child(P(x))`` starts ``P(x)`` as a run of its own.

A :class:`ChildRun` term is the child *inlined*: the parent first commits to
starting it (the event ``P.x.started``), then it behaves as the child's
body and, when that body ends, performs exactly one outcome event
``P.x.completed``, ``P.x.compensated`` or ``P.x.failed`` (:func:`outcome_event`)
and continues as the parent's reaction to that outcome. The rules are in
:mod:`procalg.semantics.child` and ``docs/engine.md`` ("Child workflows").

Outcome events live on a channel named after the child's process; the
engine (which runs the child as a separate run) fires them when the child
run ends, exactly like the checker does when the inlined body ends.

Example:
    >>> from procalg.terms import SKIP, Call
    >>> from procalg.terms.saga import THROW
    >>> term = ChildRun("Pay", (3,), Call("Pay", (3,)), SKIP, THROW, THROW)
    >>> print(term)
    child(Pay(3))
    >>> str(outcome_event("Pay", (3,), "failed"))
    'Pay.3.failed'
"""

from __future__ import annotations

from procalg.terms.process import SKIP, Process, show_process, term_class
from procalg.terms.saga import THROW, SagaTerm
from procalg.terms.values import Atom, Event, Value

OUTCOMES = ("completed", "compensated", "failed")
"""A child run's outcomes, as its run status and as the last field of its outcome event."""
STARTED = "started"
"""The last field of the event by which the parent starts the child (``P.x.started``)."""


def outcome_event(process: str, args: tuple[Value, ...], outcome: str) -> Event:
    """The event the parent performs when child ``process(args)`` ended with ``outcome``.

    Example:
        >>> outcome_event("Ship", (), "completed")
        Event(channel='Ship', fields=(Atom(name='completed'),))
    """
    return Event(process, (*args, Atom(outcome)))


def child_outcome(label: object) -> tuple[str, tuple[Value, ...], str] | None:
    """``(process, args, outcome)`` of an outcome event, else None (any event may look alike:
    callers first ask whether the channel is a child's).

    Example:
        >>> child_outcome(outcome_event("Pay", (1,), "compensated"))
        ('Pay', (1,), 'compensated')
    """
    if type(label) is Event and label.fields:
        last = label.fields[-1]
        if type(last) is Atom and last.name in OUTCOMES:
            return label.channel, label.fields[:-1], last.name
    return None


@term_class
class ChildRun(SagaTerm):
    """``child(P(args), completed, compensated, failed)``: the child inlined.

    Attributes:
        process: the child's process name (also its outcome channel).
        args: the child's arguments.
        body: the child's current state (at first ``Call(process, args)``).
        completed: the parent's continuation after ``process.args.completed``.
        compensated: ... after ``process.args.compensated``.
        failed: ... after ``process.args.failed``.
        rolled_back: an outermost saga of the child rolled back (``compensated``
            fired), so its end is reported ``compensated``, as the engine does.
        started: the parent performed ``process.args.started`` (until then the
            child's body does not move: starting is the parent's commitment).
    """

    process: str
    args: tuple[Value, ...]
    body: Process
    completed: Process
    compensated: Process
    failed: Process
    rolled_back: bool = False
    started: bool = False

    def show(self) -> str:
        return show_child(self)


def show_child(term: ChildRun) -> str:
    """``child(P(x))``, with the reactions that are not the defaults, and the body
    once the child started (``child(P(x) @ state)``).

    Example:
        >>> from procalg.terms import SKIP, STOP, Call
        >>> print(ChildRun("P", (), Call("P", ()), STOP, THROW, THROW))
        child(P, STOP)
    """
    call = term.process + (f"({', '.join(map(str, term.args))})" if term.args else "")
    shown = f"{call} @ {show_process(term.body)}" if term.started else call
    reactions = [term.completed, term.compensated, term.failed]
    while reactions and reactions[-1] == (THROW if len(reactions) > 1 else SKIP):
        reactions.pop()
    return f"child({', '.join([shown, *map(show_process, reactions)])})"

