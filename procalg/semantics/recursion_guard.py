"""Which recursion before any event a compiled machine accepts: the term rules' own.

A definition may reach itself before any event (``DIV = DIV |~| DIV``). The
term rules (:meth:`procalg.semantics.unfold.Unfolding.normalise`) accept such
a cycle only when every operator between the call and its recursive call is
an internal choice or a timeout's right side (calls, and what evaluation
resolves -- guards, ``if``, ``let`` -- aside), and at least one of them is
there: that operator's τ guards the recursion, and its target is the call
again, a τ loop (FDR reads it as divergence). Any other operator on the way
(``[]``, ``;``, a parallel, hiding, a timeout's left side ...) wraps each
pass in a new context or has no τ at all, and the term rules report
unguarded recursion; so does :func:`check_guarded`, with the same words.

The terms decide by values, not names: ``NCOPY(n) = COPY [right <-> left]
NCOPY(n - 1)`` meets ``NCOPY(1)`` and stops. So a cycle of definitions that all
take parameters is kept where it passes only operators that the machine makes
a state of around the call's (a parallel, renaming, hiding) or none; the
machine then unfolds it by values, and a call met again while its own state is
being made is unguarded recursion there too (:meth:`Machine.successors
<procalg.semantics.linear.Machine.successors>`).

The check runs on call graphs: an edge ``P -> Q`` per call of ``Q`` that
``P``'s body makes before any event, marked with whether a τ-making operator
and what other operator stands on its way. A cycle is refused when one of its
edges passes another operator, or none passes a τ (unless kept by values):
found with strongly connected components (Tarjan, "Depth-first search and
linear graph algorithms", SIAM J. Comput. 1972), linear in the definitions.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.locations import Compiler
    >>> def guarded(text):
    ...     compiler = Compiler(loads("channel a\\n" + text).spec.evaluator)
    ...     compiler.definition("P")
    ...     try:
    ...         check_guarded(compiler.bodies)
    ...     except Unsupported as why:
    ...         return why.reason
    ...     return "guarded"
    >>> guarded("P = P |~| a -> STOP"), guarded("P = STOP [> P")
    ('guarded', 'guarded')
    >>> guarded("P = (P |~| STOP) [] a -> STOP")
    'P may call itself before any event'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from procalg.lts.components import strong_components
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXCEPTION,
    AT_EXTERNAL,
    AT_GUARD,
    AT_HIDE,
    AT_IF,
    AT_INTERNAL,
    AT_INTERRUPT,
    AT_LET,
    AT_OPEN_CHOICE,
    AT_OPEN_REPLICATED,
    AT_PARALLEL,
    AT_RENAME,
    AT_REPLICATED_EXTERNAL,
    AT_REPLICATED_INTERNAL,
    AT_REPLICATED_PARALLEL,
    AT_REPLICATED_SYNC_CHOICE,
    AT_SAGA,
    AT_SEQ,
    AT_SYNC_CHOICE,
    AT_TIMEOUT,
    Location,
    Unsupported,
)

Edge = tuple[str, bool, int]
"""A call made before any event: ``(callee, through a τ, what else it passes)``:
``CLEAN`` (nothing), ``DATA`` (a parallel, renaming or hiding: the call's state is
made inside that operator's, so its arguments decide whether it ever ends) or
``OTHER`` (any other operator)."""
CLEAN, DATA, OTHER = 0, 1, 2


def initial_edges(node: Location) -> set[Edge]:
    """The calls ``node`` makes before any event, each with what stands on its way.

    Example:
        >>> from procalg.semantics.locations import Location
        >>> call = Location(AT_CALL, ("P", ()))
        >>> sorted(initial_edges(Location(AT_SEQ, (Location(AT_INTERNAL, (call, call)), call))))
        [('P', True, 2)]
        >>> sorted(initial_edges(Location(AT_TIMEOUT, (call, call))))
        [('P', False, 2), ('P', True, 0)]
    """
    found: set[Edge] = set()
    todo: list[tuple[Location, bool, int]] = [(node, False, CLEAN)]
    while todo:
        item, tau, other = todo.pop()
        kind, parts = item.kind, item.parts
        if kind == AT_CALL:
            found.add((parts[0], tau, other))
        elif kind in (AT_GUARD, AT_IF):  # resolved by evaluation: no operator of the terms
            todo += [(branch, tau, other) for branch in parts[2:]]
        elif kind == AT_LET:
            todo.append((parts[1], tau, other))
        elif kind == AT_INTERNAL:
            todo += [(operand, True, other) for operand in parts[:2]]
        elif kind == AT_REPLICATED_INTERNAL:
            todo.append((parts[1], True, other))
        elif kind == AT_TIMEOUT:  # its right side only after its own τ
            todo += [(parts[0], tau, OTHER), (parts[1], True, other)]
        else:
            wraps = DATA if kind in _DATA else OTHER
            todo += [(inner, tau, max(other, wraps)) for inner in _operands(item)]
    return found


_DATA = (AT_PARALLEL, AT_REPLICATED_PARALLEL, AT_RENAME, AT_HIDE)


def _operands(node: Location) -> Iterable[Location]:
    """The operands of an operator other than ``|~|`` and ``[>`` that move first."""
    kind, parts = node.kind, node.parts
    if kind in (AT_EXTERNAL, AT_INTERRUPT, AT_OPEN_CHOICE):
        return parts[:2]
    if kind in (AT_REPLICATED_EXTERNAL, AT_OPEN_REPLICATED, AT_REPLICATED_SYNC_CHOICE):
        return (parts[1],)
    if kind in (AT_RENAME, AT_HIDE, AT_EXCEPTION, AT_SEQ):  # ;: Q only after P's ✓
        return (parts[0],)
    if kind == AT_SAGA:  # any step may be the first to move (SKIP steps)
        return parts[1]
    if kind in (AT_PARALLEL, AT_SYNC_CHOICE):
        return parts[1:3]
    if kind == AT_REPLICATED_PARALLEL:
        return (parts[2],)
    return ()


def check_guarded(bodies: Mapping[str, tuple[tuple[Any, Location], ...]]) -> None:
    """Refuse the recursion before any event that the term rules refuse.

    A cycle whose definitions all take parameters may end by their values
    (``NCOPY(n) = COPY [right <-> left] NCOPY(n - 1)``, ``P(n) = if n == 0 then
    STOP else P(n - 1)``) when no operator on it other than a parallel, a
    renaming or a hiding wraps the call: the terms unfold it by values, and so
    does the machine (a call met again in its own state's making is
    :class:`~procalg.semantics.unfold.UnguardedRecursion`, as in the terms).

    Args:
        bodies: each definition's compiled clauses (``Compiler.bodies``).

    Raises:
        Unsupported: a cycle of calls before any event passes an operator other
            than ``|~|``, a timeout's right side, a parallel, renaming and
            hiding; or it passes no τ, or a parallel, renaming or hiding, and a
            definition on it takes no parameter.
    """
    edges = {name: set().union(*(initial_edges(body) for _, body in clauses))
             for name, clauses in bodies.items()}
    valued = {name for name, clauses in bodies.items()
              if clauses and all(params for params, _ in clauses)}
    untimed = {name: {callee for callee, tau, _ in out if not tau}
               for name, out in edges.items()}
    component = components(untimed)
    by_values = _valued_components(component, valued)
    for name, number in component.items():  # a cycle with no τ on it
        # a callee with no body yet (its compiling failed: a model error) calls nobody
        if (number < 0 or name in untimed.get(name, ())) and not by_values[number]:
            raise Unsupported(f"{name.split('#')[0]} may call itself before any event")
    component = components({name: {callee for callee, _, _ in out}
                             for name, out in edges.items()})
    by_values = _valued_components(component, valued)
    for name, out in edges.items():
        for callee, _, wraps in out:
            if component.get(callee) == component[name] and (
                    wraps == OTHER or (wraps == DATA and not by_values[component[name]])):
                raise Unsupported(f"{callee.split('#')[0]} may call itself before any event")


def _valued_components(component: Mapping[str, int], valued: set[str]) -> dict[int, bool]:
    """Per strongly connected component: whether every definition in it takes parameters."""
    found: dict[int, bool] = {}
    for name, number in component.items():
        found[number] = found.get(number, True) and name in valued
    return found


def components(graph: Mapping[str, set[str]]) -> dict[str, int]:
    """Each node's strongly connected component (Tarjan, ``lts/components.py``); a
    node whose component holds more than one node gets a negative number (it lies on a
    cycle). Not networkx's: every compiled machine runs this, and importing networkx
    would cost a check's start-up (``tests/test_startup.py``)."""
    number: dict[str, int] = {}
    for name in graph:
        number.setdefault(name, len(number))
        for callee in graph[name]:
            number.setdefault(callee, len(number))
    succ: list[list[int]] = [[] for _ in number]
    for name, callees in graph.items():
        succ[number[name]] = [number[callee] for callee in callees]
    comp = strong_components(succ)
    sizes = Counter(comp)
    return {name: -comp[at] - 1 if sizes[comp[at]] > 1 else comp[at]
            for name, at in number.items()}
