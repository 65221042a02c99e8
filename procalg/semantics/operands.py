"""Where a term's operands stand: active (unfolded now), moving (their moves are needed).

The structural half of the firing rules (``procalg.semantics.sos``), shared
with the explanation code: which operands :func:`active_operands` are in
active position (``normalise`` unfolds calls there), which
:func:`moving_operands` ``fire`` needs the moves of, how to rebuild a term
with new operands, and renaming relations as maps. Dispatch is on the
term's type, not by ``match``: these run for every subterm of every state.

Example:
    >>> from procalg.terms import Call, ExternalChoice, Prefix, Event, Seq, SKIP, STOP
    >>> active_operands(Seq(SKIP, Call("P"))), is_settled(ExternalChoice(STOP, SKIP))
    ((Skip(),), True)
"""

from __future__ import annotations

from procalg.semantics import saga
from procalg.terms import (
    AlphaParallel,
    ExceptionOp,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Omega,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Skip,
    Stop,
    Timeout,
)
from procalg.terms.failed import Failed
from procalg.terms.input import Input
from procalg.terms.saga import SagaTerm
from procalg.terms.synchronising import SyncChoice, SyncInterrupt

TWO_OPERANDS = frozenset({ExternalChoice, InternalChoice, Timeout, Interrupt, Parallel,
                          AlphaParallel, SyncChoice, SyncInterrupt})
SETTLED = frozenset({Prefix, Input, Stop, Skip, Omega, Failed})
"""Terms with no operand in active position: :func:`normalise` leaves them as they are."""


def active_operands(term: Process) -> tuple[Process, ...]:
    """The operands in active position: they are unfolded by :func:`normalise`.

    Example:
        >>> from procalg.terms import Seq, Call, SKIP
        >>> active_operands(Seq(SKIP, Call("P")))
        (Skip(),)
    """
    kind = type(term)  # by type, not by match: called for every subterm of every state
    if kind in TWO_OPERANDS:
        return (term.left, term.right)
    if kind is Seq:
        return (term.first,)
    if kind is Hide or kind is Rename or kind is ExceptionOp:
        return (term.process,)  # an exception's handler starts only after its event
    if isinstance(term, SagaTerm):
        return saga.operands(term)  # THROW, sagas, compensable steps: docs/sagas.md
    return ()


def moving_operands(term: Process) -> tuple[Process, ...]:
    """The operands whose moves :func:`fire` needs to compute the term's moves.

    Example:
        >>> from procalg.terms import InternalChoice, Timeout, SKIP, STOP
        >>> moving_operands(InternalChoice(SKIP, STOP)), moving_operands(Timeout(SKIP, STOP))
        ((), (Skip(),))
    """
    kind = type(term)
    if kind is Timeout:
        return (term.left,)
    if kind is InternalChoice:
        return ()
    return active_operands(term)


def is_settled(term: Process) -> bool:
    """Whether ``term`` is normal as it is: a choice of at most 16 settled terms (no call)."""
    todo = [term]
    for _ in range(32):  # a bounded look: long choices go the general way
        if not todo:
            return True
        item = todo.pop()
        kind = type(item)
        if kind is ExternalChoice or kind is InternalChoice:
            todo.append(item.left)
            todo.append(item.right)
        elif kind not in SETTLED:
            return False
    return not todo


def with_operands(term: Process, operands: list[Process]) -> Process:
    """``term`` with its active operands replaced (same order as :func:`active_operands`)."""
    match term:
        case ExternalChoice() | InternalChoice() | Timeout() | Interrupt():
            return type(term)(operands[0], operands[1])
        case Parallel(_, _, sync):
            return Parallel(operands[0], operands[1], sync)
        case SyncChoice(_, _, sync) | SyncInterrupt(_, _, sync):
            return type(term)(operands[0], operands[1], sync)
        case AlphaParallel(_, _, left_alpha, right_alpha):
            return AlphaParallel(operands[0], operands[1], left_alpha, right_alpha)
        case Seq(_, second):
            return Seq(operands[0], second)
        case Hide(_, hidden):
            return Hide(operands[0], hidden)
        case Rename(_, relation):
            return Rename(operands[0], relation)
        case ExceptionOp(_, handler, sync):
            return ExceptionOp(operands[0], handler, sync)
        case SagaTerm():
            return saga.with_operands(term, operands)
    return term
