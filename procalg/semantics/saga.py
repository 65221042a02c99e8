"""Firing rules of THROW, sagas and compensable processes.

The rules are written out in ``docs/sagas.md`` (after Butler, Hoare &
Ferreira, *A trace semantics for long-running transactions*, 2004, and
Bruni, Melgratti & Montanari, POPL 2005). :mod:`procalg.semantics.sos`
delegates every :class:`~procalg.terms.saga.SagaTerm` to :func:`fire`, and
asks :func:`operands` / :func:`with_operands` which operands are active, so
these terms are normalised and memoised like any other.

A compensable term signals the end of its forward part with ✓ (into
:class:`~procalg.terms.saga.Installed`) or ``throw`` (into
:class:`~procalg.terms.saga.Aborted`); both end states carry the
compensation installed so far. The saga operators read it; ordinary CSP
operators never see compensable terms.

Complexity: as the CSP rules, O(moves of the operands) per term, plus
O(size of the term) for :func:`installed` when a parallel branch throws.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.semantics.sos import transitions
    >>> step = Step(Prefix(Event("a"), SKIP), Prefix(Event("b"), SKIP), "a")
    >>> [str(l) for l, _ in transitions(Saga(CSeq(step, Step(THROW, None, "t"))), None)]
    ['a']
"""

from __future__ import annotations

from collections.abc import Callable

from procalg.lts import TAU, TICK
from procalg.terms import (
    OMEGA,
    SKIP,
    AlphaParallel,
    Event,
    Hide,
    Omega,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Skip,
)
from procalg.terms.child import ChildRun
from procalg.terms.saga import (
    COMPENSATE,
    COMPENSATED,
    COMPENSATED_END,
    THROW,
    THROW_EVENT,
    THROWN,
    Aborted,
    After,
    CExt,
    Compensated,
    CPar,
    CSeq,
    Installed,
    Revert,
    Rollback,
    Saga,
    Step,
    Throw,
    stranded_event,
    unreverted_event,
)
from procalg.terms.values import Label

Move = tuple[Label, Process]


def operands(term: Process) -> tuple[Process, ...]:
    """The active operands of a saga term (unfolded and fired before it).

    Example:
        >>> from procalg.terms import STOP
        >>> operands(CSeq(SKIP, STOP)), operands(Installed(STOP))
        ((Skip(),), ())
    """
    match term:
        case Saga(x) | Rollback(x) | Revert(_, x) | Step(x, _, _) | CSeq(x, _) | After(x, _):
            return (x,)
        case CPar(left, right, _) | CExt(left, right):
            return (left, right)
        case ChildRun(body=x, started=True):  # a child workflow inlined (semantics/child.py)
            return (x,)
    return ()


def with_operands(term: Process, new: list[Process]) -> Process:
    """``term`` with its active operands replaced (order of :func:`operands`)."""
    match term:
        case Saga():
            return Saga(new[0])
        case Rollback():
            return Rollback(new[0])
        case Revert(step, _):
            return Revert(step, new[0])
        case Step(_, compensation, name):
            return Step(new[0], compensation, name)
        case CSeq(_, second):
            return CSeq(new[0], second)
        case After(_, behind):
            return After(new[0], behind)
        case CPar(_, _, sync):
            return CPar(new[0], new[1], sync)
        case CExt():
            return CExt(new[0], new[1])
        case ChildRun(process, args, _, done, undone, failed, back, started):
            return ChildRun(process, args, new[0], done, undone, failed, back, started)
    return term


def seq(first: Process, then: Process) -> Process:
    """``first ; then`` with SKIP as unit (compensations stay small terms).

    Example:
        >>> print(seq(SKIP, THROW)), print(seq(THROW, SKIP))
        THROW
        THROW
        (None, None)
    """
    if first == SKIP:
        return then
    return first if then == SKIP else Seq(first, then)


def par(left: Process, right: Process) -> Process:
    """``left ||| right`` with SKIP as unit."""
    if left == SKIP:
        return right
    return left if right == SKIP else Parallel(left, right)


def installed(term: Process) -> Process:
    """The compensation a running compensable term has installed so far.

    Example:
        >>> from procalg.terms import STOP
        >>> print(installed(After(CSeq(Installed(STOP), SKIP), THROW)))
        STOP ; THROW
    """
    match term:
        case Installed(c) | Aborted(c):
            return c
        case CSeq(first, _):
            return installed(first)
        case After(body, behind):
            return seq(installed(body), behind)
        case CPar(left, right, _):
            return par(installed(left), installed(right))
        case Step(body, compensation, name) if finished(body):
            return _installation(compensation, name)  # its last event happened
    return SKIP  # a step not yet completed, an unresolved choice: nothing committed


def finished(body: Process) -> bool:
    """Whether a step's body has nothing left to do but terminate (its ✓ is a τ away).

    A step whose last event has happened has completed its work, so a throw
    elsewhere must still undo it, even if its ✓ has not been taken yet.

    Example:
        >>> from procalg.terms import OMEGA, STOP
        >>> finished(Parallel(SKIP, OMEGA)), finished(Parallel(SKIP, STOP))
        (True, False)
    """
    kind = type(body)
    if kind is Skip or kind is Omega:
        return True
    if kind is Parallel or kind is AlphaParallel:
        return finished(body.left) and finished(body.right)
    if kind is Hide or kind is Rename:
        return finished(body.process)
    return False


def _installation(compensation: Process | None, name: str) -> Process:
    """What a completed step installs: its wrapped compensation, or a pivot's marker."""
    if compensation is None:  # a pivot: a rollback reaching it reports it stranded
        return Prefix(stranded_event(name), SKIP)
    return SKIP if compensation == SKIP else Revert(name, compensation)


def _carried(end: Process) -> Process:
    """The compensation an end state carries (an ordinary process carries none)."""
    return end.compensation if type(end) in (Installed, Aborted) else SKIP


def aborting(moves: list[Move]) -> list[Move]:
    """Outside sagas a throw ends everything: every ``throw`` move goes to THROWN.

    Applied by the CSP rules to the moves of every ordinary operator.

    Example:
        >>> from procalg.terms import STOP
        >>> aborting([(THROW_EVENT, Parallel(THROWN, STOP))]) == [(THROW_EVENT, THROWN)]
        True
    """
    for lab, _ in moves:
        if lab is THROW_EVENT:
            return [(lab, THROWN) if lab is THROW_EVENT else (lab, t) for lab, t in moves]
    return moves


def fire(term: Process, moves: list[list[Move]], normal: Callable[[Process], Process]
         ) -> list[Move]:
    """The moves of a saga term, given the moves of its :func:`operands`."""
    match term:
        case Throw():
            return [(THROW_EVENT, THROWN)]  # THROW --throw--> THROWN
        case Compensated():
            return [(TICK, OMEGA)]
        case Saga():
            return _saga(moves[0], normal)
        case Rollback():
            return [_rollback(lab, c) for lab, c in moves[0]]
        case Revert(step, _):
            return [_revert(step, lab, q) for lab, q in moves[0]]
        case Step(_, compensation, name):
            return [_step(compensation, name, lab, p) for lab, p in moves[0]]
        case CSeq(_, second):
            return [_first(second, lab, x, normal) for lab, x in moves[0]]
        case After(_, behind):
            return [_after(behind, lab, y) for lab, y in moves[0]]
        case CPar(left, right, sync):
            return _parallel(left, right, sync, moves[0], moves[1])
        case CExt(left, right):
            return ([(TAU, CExt(x, right)) if lab == TAU else (lab, x) for lab, x in moves[0]]
                    + [(TAU, CExt(left, y)) if lab == TAU else (lab, y) for lab, y in moves[1]])
        case ChildRun():
            from procalg.semantics import child  # imports the operands, which import this

            return child.fire(term, moves[0] if moves else [], normal)
    return []  # THROWN, Installed, Aborted: terminal


def _saga(moves: list[Move], normal: Callable[[Process], Process]) -> list[Move]:
    out: list[Move] = []
    for lab, x in moves:
        if lab == TICK:
            out.append((TICK, OMEGA))  # completed: the compensations are discarded
        elif lab is THROW_EVENT:
            out.append((COMPENSATE, normal(Rollback(_carried(x)))))
        else:
            out.append((lab, Saga(x)))
    return out


def _rollback(lab: Label, c: Process) -> Move:
    if lab == TICK:
        return (COMPENSATED, COMPENSATED_END)  # then ✓: the saga ends normally
    if lab is THROW_EVENT:
        return (THROW_EVENT, THROWN)  # a compensation failed: the saga fails
    return (lab, Rollback(c))


def _revert(step: str, lab: Label, q: Process) -> Move:
    if lab == TICK:
        return (TICK, OMEGA)
    if lab is THROW_EVENT:
        return (unreverted_event(step), THROW)
    return (lab, Revert(step, q))


def _step(compensation: Process | None, name: str, lab: Label, p: Process) -> Move:
    if lab == TICK:
        return (TICK, Installed(_installation(compensation, name)))
    if lab is THROW_EVENT:
        return (THROW_EVENT, Aborted(SKIP))  # the step did not complete: nothing to undo
    return (lab, Step(p, compensation, name))


def _first(second: Process, lab: Label, x: Process, normal: Callable[[Process], Process]
           ) -> Move:
    if lab == TICK:
        behind = _carried(x)
        return (TAU, normal(second if behind == SKIP else After(second, behind)))
    if lab is THROW_EVENT:
        return (lab, x)
    return (lab, CSeq(x, second))


def _after(behind: Process, lab: Label, y: Process) -> Move:
    if lab == TICK:
        return (TICK, Installed(seq(_carried(y), behind)))  # the later step is undone first
    if lab is THROW_EVENT:
        return (lab, Aborted(seq(_carried(y), behind)))
    return (lab, After(y, behind))


def _parallel(left: Process, right: Process, sync: frozenset[Event],
              left_moves: list[Move], right_moves: list[Move]) -> list[Move]:
    """CSP's parallel rules on the forward parts; end states wait in place."""
    if type(left) is Installed and type(right) is Installed:
        return [(TICK, Installed(par(left.compensation, right.compensation)))]
    out: list[Move] = []
    for lab, x in left_moves:
        if lab is THROW_EVENT:
            out.append((lab, Aborted(par(_carried(x), installed(right)))))
        elif lab == TICK:
            out.append((TAU, CPar(x, right, sync)))
        elif lab in sync:
            out.extend((lab, CPar(x, y, sync)) for other, y in right_moves if other == lab)
        else:
            out.append((lab, CPar(x, right, sync)))
    for lab, y in right_moves:
        if lab is THROW_EVENT:
            out.append((lab, Aborted(par(installed(left), _carried(y)))))
        elif lab == TICK:
            out.append((TAU, CPar(left, y, sync)))
        elif lab not in sync:
            out.append((lab, CPar(left, y, sync)))
    return out

