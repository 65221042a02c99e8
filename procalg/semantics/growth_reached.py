"""Whether a process reaches a parameter that grows without bound (one component's rule).

A process compiled as one sequential component runs on the product engine,
one search level per step; a parameter that grows without bound
(:func:`procalg.semantics.growth.growing`) then costs a level per value up
to :data:`~procalg.semantics.growth.GROWTH_LIMIT`. The term rules meet the
growth at once, and ``auto``'s fallbacks (symbolic, dead counters) answer,
so such a process stays on them. The growing definition need not be the
top's own: ``P = a -> Q(0)`` with ``Q(n) = a -> Q(n + 1)`` reaches it
through ``P``'s body, so the definitions reached from the calls in the
process count (:func:`procalg.semantics.growth.reaching`).

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a\\nP = a -> Q(0)\\nQ(n) = a -> Q(n + 1)\\n")
    >>> print(model.network("P").reason)  # doctest: +NORMALIZE_WHITESPACE
    a parameter of Q grows without bound (no partner bounds it, reached from P):
    infinitely many states, which no compiled machine holds; the term rules walk
    only the states the check needs
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any
from weakref import WeakKeyDictionary

from procalg.semantics.growth import reaching
from procalg.semantics.leaves import Leaves
from procalg.semantics.nesting import NESTING_LIMIT
from procalg.terms import Call, Process

_REACHING: WeakKeyDictionary[Any, dict[str, str]] = WeakKeyDictionary()
"""Per model (its evaluator): each definition that reaches a growing one, and which."""
LOOK = 256
"""Subterms of a process read for its calls (a bounded look: the calls at its top)."""


def reached_growth(top: Process, leaves: Leaves, counters: bool = True) -> str | None:
    """Why ``top`` is left to the term rules: the growing parameter (if ``counters``)
    or the nesting recursion (:mod:`procalg.semantics.nesting`, whose states the term
    rules watch) it reaches; else None.

    Args:
        top: the normalised process.
        leaves: its leaves (their evaluator holds the model's definitions).
        counters: whether growing parameters count (a partner may bound them).
    """
    evaluator = leaves.evaluator
    nesting = getattr(evaluator, "nesting", None) or {}
    if not (counters and getattr(evaluator, "growth", None)) and not nesting:
        return None
    reach = _REACHING.get(evaluator)
    if reach is None:  # once per model: linear in its definitions
        reach = reaching({name: info.clauses for name, info in evaluator.functions.items()},
                         [*evaluator.growth, *nesting])
        _REACHING[evaluator] = reach
    for name in _called(top, leaves):
        if name in reach and (counters or reach[name] in nesting):
            via = "" if reach[name] == name else f", reached from {name}"
            grown = reach[name]
            if grown in nesting:
                return (f"{grown} may nest its recursion without bound (through "
                        f"{nesting[grown].operator}{via}): no finite machine holds it; the "
                        f"term rules walk the states the check needs, stopping it "
                        f"{NESTING_LIMIT} deep")
            return (f"a parameter of {grown} grows without bound (no partner bounds it{via}): "
                    "infinitely many states, which no compiled machine holds; the term rules "
                    "walk only the states the check needs")
    return None


def _called(top: Process, leaves: Leaves) -> Iterator[str]:
    """The name of the call ``top`` unfolds, then those of the calls in its first
    :data:`LOOK` subterms (calls inside an input's continuations are not terms yet:
    the definition whose body holds the input reaches them)."""
    call = leaves.call(top)
    if call is not None:
        yield call.name
    todo = [top]
    for _ in range(LOOK):
        if not todo:
            return
        term = todo.pop()
        if type(term) is Call:
            yield term.name
            continue
        todo.extend(value for value in (getattr(term, f.name) for f in fields(term))
                    if isinstance(value, Process))
