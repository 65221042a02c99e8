"""Recursion through the operator tree at the top, compiled as a loop.

``Server = request -> (Worker(1) ||| Worker(2)) ; Server`` has a parallel
network below a recursive call: the operator tree is not finite, and until
now the whole process fell to the term-level rules. But once ``;`` enters
the call, every operator between ``Server`` and the call is gone: the state
*is* ``Server`` again, the same term the rules would reach. The network of
the body with the call replaced by a mark (:func:`procalg.lts.control.loop_mark`)
can then restart itself: the rule that enters the mark moves every
component back to its initial state (:func:`procalg.lts.control.loop`),
and the product has exactly the term level's states.

This module decides where that is sound and tracks which components a
restart must reset from anywhere (the control components on the path to the
call; every other component rests in a ``DONE`` or its initial state then).

Example:
    >>> from procalg.terms import Call, Event, Prefix, Seq, SKIP
    >>> loop = Seq(Prefix(Event("a"), SKIP), Call("L"))
    >>> loops_back([(loop, 1)]), loops_back([(loop, 0)])
    (True, False)
"""

from __future__ import annotations

from procalg.lts.control import LOOP
from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_returns import returning
from procalg.lts.lts import LTS
from procalg.lts.network import Network
from procalg.semantics.network_shape import input_branches
from procalg.semantics.priority import priority_source
from procalg.terms import (
    ExceptionOp,
    ExternalChoice,
    Hide,
    Input,
    InternalChoice,
    Interrupt,
    Prefix,
    Process,
    Rename,
    Seq,
    Timeout,
)

_ENTERED: dict[type, frozenset[int]] = {
    Prefix: frozenset({0}), Seq: frozenset({1}), Timeout: frozenset({1}),
    InternalChoice: frozenset({0, 1}), ExceptionOp: frozenset({1}),
}
"""Operand positions entered by a rule of the operator itself (its event,
the first side's ✓, the time-out's or the choice's τ, the handled event)."""


def loops_back(chain: list[tuple[Process, int]]) -> bool:
    """Whether a recursive call can restart its process.

    Args:
        chain: from the recursive process down to the call's parent, each
            operator with the index of its operand that holds the call.

    True when the parent enters the call by a rule of its own and every
    operator above is gone by then: ``;`` with the call after it, an
    internal choice (resolved by its τ), a time-out's or exception's second
    side, a prefix; an external choice, a time-out's first side or an
    interrupter only with a prefix (a visible event, which decides them)
    below. A call under ``;``'s first side, an interrupted side, parallel,
    hiding or renaming is not a loop (the context stays, or grows).
    """
    parent, index = chain[-1]
    if type(parent) is not Input and index not in _ENTERED.get(type(parent), frozenset()):
        return False  # an input enters each of its branches by its own event
    visible = False  # a visible event fires between this operator and the call
    for node, index in reversed(chain):
        kind = type(node)
        handled = kind is ExceptionOp and index == 1
        if kind is Seq:
            ok = index == 1
        elif kind is Timeout:
            ok = index == 1 or visible
        elif kind is ExternalChoice:
            ok = visible
        elif kind is Interrupt:
            ok = index == 1 and visible
        else:
            ok = kind is Prefix or kind is Input or kind is InternalChoice or handled
        if not ok:
            return False
        visible = visible or kind is Prefix or kind is Input or handled
    return True


def arity(term: Process) -> int:
    """How many operand networks a compiled ``term`` is built from."""
    if type(term) is Input:
        return len(input_branches(term)[1])
    return 1 if isinstance(term, Hide | Prefix | Rename) or priority_source(term) else 2


def resets_after(operands: list[Network], resets: list[frozenset[int] | None],
                 net: Network) -> frozenset[int] | None:
    """The components of ``net`` (built by a control operator from
    ``operands``, its control component last) that a restart resets from
    anywhere: those of the operand holding a mark, shifted, and the new
    control component; None if no operand holds a mark."""
    if all(r is None for r in resets):
        return None
    out: set[int] = {len(net) - 1}
    start = 0
    for operand, inner in zip(operands, resets, strict=True):
        out.update(start + c for c in inner or ())
        start += len(operand)
    return frozenset(out)


def returning_leaf(leaf: LTS | LazyComponent, restarting: bool) -> LTS | LazyComponent:
    """``leaf``, one a control node can send back to its initial state where a
    recursion may restart the operators above it (``restarting``) and it is lazy:
    its moves back are made as it is expanded (:mod:`procalg.lts.lazy_returns`), so
    the restart needs no whole exploration of it.

    Example:
        >>> from procalg.lts.exploration import ExplicitSystem
        >>> lazy = LazyComponent(ExplicitSystem(LTS.build(1, 0, ["a"], [])), {"a"})
        >>> stale(Network((lazy,), ())), stale(Network((returning_leaf(lazy, True),), ()))
        (True, False)
    """
    return returning(leaf) if restarting and isinstance(leaf, LazyComponent) else leaf


def stale(net: Network) -> bool:
    """Whether a lazy component of ``net`` cannot return to its initial state (a
    control node leaves it where it is, so no recursion can restart over it)."""
    return any(isinstance(c, LazyComponent) and c.returns is None for c in net.components)
def restarted_resets(net: Network, loops: dict[Process, str], own: Process
                     ) -> frozenset[int] | None:
    """The resets of ``net``, which restarts on ``own``'s call (:func:`~procalg.lts.control.loop`),
    for an outer process's restart: None where it holds no other loop's mark, else every
    component (``U(n) = e?y -> U((n + y) % 4) [] ..``: ``U(3)`` inside ``U(1)``'s network
    calls ``U(0)``, restarting the whole from wherever ``U(1)``'s components are).

    Example:
        >>> from procalg.lts.control import loop_mark
        >>> from procalg.terms import STOP, SKIP
        >>> restarted_resets(loop_mark("0"), {STOP: "0", SKIP: "1"}, SKIP)
        frozenset({0})
        >>> restarted_resets(loop_mark("1"), {STOP: "0", SKIP: "1"}, SKIP) is None
        True
    """
    outer = {LOOP + name for term, name in loops.items() if term != own}
    if any(isinstance(c, LTS) and outer.intersection(c.labels) for c in net.components):
        return frozenset(range(len(net)))
    return None
