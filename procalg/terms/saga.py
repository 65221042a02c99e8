"""Saga terms: THROW, sagas, compensable steps and their compositions.

The firing rules are in ``procalg.semantics.saga`` and written out in
``docs/sagas.md``. Ordinary processes are :class:`SagaTerm` s
(:data:`THROW`, :data:`THROWN`, :class:`Saga`, :class:`Rollback`,
:class:`Revert`, :class:`Compensated`); the terms of a saga's body are :class:`Compensable`: a
:class:`Step`, its compositions (:class:`CSeq`, :class:`After`,
:class:`CPar`, :class:`CExt`) and the end states :class:`Installed` and
:class:`Aborted`, which carry the compensation installed so far (so a
finite model keeps a finite LTS).

The reserved labels are events on reserved channels (:data:`RESERVED`);
no model may declare these names.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> step = Step(Prefix(Event("reserve"), SKIP), Prefix(Event("release"), SKIP), "reserve")
    >>> print(Saga(CSeq(step, Step(Prefix(Event("ship"), SKIP), None, "ship"))))
    saga (reserve -> SKIP undo release -> SKIP ; ship -> SKIP)
    >>> str(THROW_EVENT), str(fail_event(Event("charge", (3,))))
    ('throw', 'fail.charge.3')
"""

from __future__ import annotations

from typing import ClassVar

from procalg import reserved
from procalg.terms.process import Process, show_process, term_class
from procalg.terms.values import Atom, Event

THROW_EVENT = Event(reserved.THROW)
"""Abnormal termination: the label of THROW's one transition."""
COMPENSATE = Event(reserved.COMPENSATE)
"""A saga caught a throw: its rollback starts."""
COMPENSATED = Event(reserved.COMPENSATED)
"""A saga's rollback finished; it terminates (✓) next."""
FAIL, STRANDED, UNREVERTED = reserved.FAIL, reserved.STRANDED, reserved.UNREVERTED
"""Channels of activity failure, of a completed pivot met by a rollback, and
of a compensation that threw."""
RESERVED = reserved.SAGA
"""Channel names the semantics owns."""


def fail_event(event: Event) -> Event:
    """``fail.e``: the failure of activity event ``e`` (``e`` is the one field).

    Example:
        >>> fail_event(Event("pay")).fields
        (Event(channel='pay', fields=()),)
    """
    return Event(FAIL, (event,))


def failed_activity(label: object) -> Event | None:
    """The activity event a ``fail.e`` label is the failure of (None for other labels).

    Example:
        >>> failed_activity(fail_event(Event("pay", (3,)))), failed_activity(Event("pay"))
        (Event(channel='pay', fields=(3,)), None)
    """
    if type(label) is Event and label.channel == FAIL and label.fields:
        return label.fields[0]
    return None


def stranded_event(step: str) -> Event:
    """``stranded.s``: a rollback met step ``s``, completed and without ``undo``."""
    return Event(STRANDED, (Atom(step),))


def unreverted_event(step: str) -> Event:
    """``unreverted.s``: the compensation of step ``s`` threw."""
    return Event(UNREVERTED, (Atom(step),))


class SagaTerm(Process):
    """Base of every term this module adds (the semantics dispatches on it)."""

    __slots__ = ()

    def show(self) -> str:
        """The term in ``.proc``-like notation (used by ``show_process``)."""
        return show_saga(self)


class Compensable(SagaTerm):
    """Base of the terms of a saga's body (they install compensations)."""

    __slots__ = ()


def _saga_term(cls: type) -> type:
    new = term_class(cls)
    new.__str__ = lambda self: show_saga(self)
    return new


@_saga_term
class Throw(SagaTerm):
    """``THROW``: terminates abnormally (``throw``, to :data:`THROWN`)."""


@_saga_term
class Thrown(SagaTerm):
    """The state after ``throw``: no transitions, terminated (not a deadlock)."""


@_saga_term
class Saga(SagaTerm):
    """``saga P``: runs ``body`` (a :class:`Compensable`); rolls back on a throw."""

    body: Process


@_saga_term
class Rollback(SagaTerm):
    """A saga running its installed ``compensation`` after a throw."""

    compensation: Process


@_saga_term
class Compensated(SagaTerm):
    """The state after ``compensated``: a rolled-back saga about to terminate (✓)."""


@_saga_term
class Revert(SagaTerm):
    """The installed compensation of step ``step``: runs ``body``; a throw is
    reported as ``unreverted.step`` first."""

    step: str
    body: Process


@_saga_term
class Step(Compensable):
    """``body undo compensation``; a pivot (no ``undo``) has ``compensation`` None.

    ``name`` is the step's display name, used in ``stranded``/``unreverted``.
    """

    body: Process
    compensation: Process | None
    name: str
    precedence: ClassVar[int] = 3


@_saga_term
class Installed(Compensable):
    """End state: the forward part terminated with ``compensation`` installed."""

    compensation: Process


@_saga_term
class Aborted(Compensable):
    """End state: the forward part threw with ``compensation`` installed."""

    compensation: Process


@_saga_term
class CSeq(Compensable):
    """``first ; second`` in a saga: compensations compose in reverse order."""

    first: Process
    second: Process
    precedence: ClassVar[int] = 3


@_saga_term
class After(Compensable):
    """``body`` running with ``installed`` (the earlier steps' compensation) behind it."""

    body: Process
    installed: Process
    precedence: ClassVar[int] = 3


@_saga_term
class CPar(Compensable):
    """``left [| sync |] right`` in a saga: compensations run in parallel."""

    left: Process
    right: Process
    sync: frozenset[Event] = frozenset()
    precedence: ClassVar[int] = 8


@_saga_term
class CExt(Compensable):
    """``left [] right`` in a saga: only the chosen branch's compensation stays."""

    left: Process
    right: Process
    precedence: ClassVar[int] = 6


THROW = Throw()
THROWN = Thrown()
COMPENSATED_END = Compensated()


def _wrap(p: Process, outer: int) -> str:
    text = str(p)
    return f"({text})" if p.precedence >= outer and p.precedence != 0 else text


def show_saga(p: Process) -> str:
    """Print a saga term (end states and internal terms in a readable notation).

    Example:
        >>> from procalg.terms import SKIP, STOP
        >>> str(After(Installed(SKIP), STOP)), str(Revert("a", SKIP))
        ('⟦SKIP⟧ then-undo STOP', 'revert[a](SKIP)')
    """
    match p:
        case Throw():
            return "THROW"
        case Thrown():
            return "THROWN"
        case Saga(body):
            return f"saga ({body})"
        case Rollback(comp):
            return f"rollback({comp})"
        case Compensated():
            return "COMPENSATED"
        case Revert(step, body):
            return f"revert[{step}]({body})"
        case Step(body, comp, _):
            if comp is None:
                return _wrap(body, p.precedence)
            return f"{_wrap(body, p.precedence)} undo {_wrap(comp, 3)}"
        case Installed(comp):
            return f"⟦{comp}⟧"
        case Aborted(comp):
            return f"⟦{comp}⟧!"
        case CSeq(first, second):
            return f"{_wrap(first, p.precedence + 1)} ; {_wrap(second, p.precedence + 1)}"
        case After(body, installed):
            return f"{_wrap(body, p.precedence + 1)} then-undo {_wrap(installed, p.precedence)}"
        case CPar(left, right, sync):
            op = "|||" if not sync else "[| {" + ", ".join(sorted(map(str, sync))) + "} |]"
            return f"{_wrap(left, p.precedence)} {op} {_wrap(right, p.precedence)}"
        case CExt(left, right):
            return f"{_wrap(left, p.precedence + 1)} [] {_wrap(right, p.precedence)}"
    return show_process(p)
