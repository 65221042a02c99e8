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
from procalg.semantics.sos import Rules
from procalg.terms import Call, Process

_REACHING: WeakKeyDictionary[Any, tuple[dict[str, str], dict[str, str]]] = WeakKeyDictionary()
"""Per model (its evaluator): each definition that reaches a growing one, and which;
and each that reaches a recursion that may nest (:mod:`procalg.semantics.nesting`)."""
LOOK = 256
"""Subterms of a process read for its calls (a bounded look: the calls at its top)."""


class NestingMet(Exception):
    """A network's leaf unfolded a call of a recursion that may nest without bound
    (:func:`watching_rules`): the term rules, which watch how deep it nests, take
    the process. Not a model error: no leaf holds it, the compiler and the search
    turn it into their ``NotApplicable``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def reached_growth(top: Process, leaves: Leaves, counters: bool = True) -> str | None:
    """Why ``top`` is left to the term rules: the growing parameter it reaches
    (if ``counters``: a partner may bound them); else None.

    Args:
        top: the normalised process.
        leaves: its leaves (their evaluator holds the model's definitions).
        counters: whether growing parameters count.
    """
    evaluator = leaves.evaluator
    if not (counters and getattr(evaluator, "growth", None)):
        return None
    reach = _reaches(evaluator)[0]
    for name in _called(top, leaves.call):
        if name in reach:
            via = "" if reach[name] == name else f", reached from {name}"
            return (f"a parameter of {reach[name]} grows without bound (no partner bounds "
                    f"it{via}): infinitely many states, which no compiled machine holds; "
                    "the term rules walk only the states the check needs")
    return None


def watching_rules(term: Process, spec: Any) -> Rules | None:
    """Firing rules for ``term``'s network that raise :class:`NestingMet` when they
    first unfold a call on a recursion that may nest without bound
    (:mod:`procalg.semantics.nesting`) which ``term`` may reach; ``None`` where it
    reaches none (over the static call graph). So the product engine runs a process
    until it meets such a call (never, where it sits in an ``undo`` that never runs
    or a branch guarded false), and the term rules, which stop it
    :data:`~procalg.semantics.nesting.NESTING_LIMIT` deep, run it from there. The
    unfoldings are the rules' own: the model's shared ones may hold that call's.

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel a, e, f\\nR = R [[ e <- f ]]\\nT = a -> T [] a -> R\\n")
        >>> watching_rules(model.process("T"), model.spec) is not None
        True
        >>> print(model.network("T").reason)  # doctest: +NORMALIZE_WHITESPACE
        R may nest its recursion without bound (through [[ ]], reached from T): no finite
        machine holds it; the term rules walk the states the check needs, stopping it 6 deep
    """
    evaluator = getattr(spec, "evaluator", None)
    nesting = getattr(evaluator, "nesting", None)
    if not nesting:
        return None
    reach = _reaches(evaluator)[1]
    found = next((name for name in _called(term, lambda _: None) if name in reach), None)
    if found is None:
        return None
    watched = {n: nest.process for nest in nesting.values() for n in nest.cycle}

    def unfold(call: Call) -> Process:
        grown = watched.get(call.name)
        if grown is not None:
            via = "" if grown == found else f", reached from {found}"
            raise NestingMet(f"{grown} may nest its recursion without bound (through "
                             f"{nesting[grown].operator}{via}): no finite machine holds it; "
                             "the term rules walk the states the check needs, stopping it "
                             f"{NESTING_LIMIT} deep")
        return evaluator.unfold(call)

    return Rules(unfold)


def _reaches(evaluator: Any) -> tuple[dict[str, str], dict[str, str]]:
    """The model's reach maps (growth, nesting), made once: linear in its definitions."""
    reach = _REACHING.get(evaluator)
    if reach is None:
        bodies = {name: info.clauses for name, info in evaluator.functions.items()}
        reach = _REACHING[evaluator] = (reaching(bodies, evaluator.growth),
                                        reaching(bodies, getattr(evaluator, "nesting", {})))
    return reach


def _called(top: Process, call_of: Any) -> Iterator[str]:
    """The name of the call ``top`` unfolds (``call_of``), then those of the calls in
    its first :data:`LOOK` subterms (calls inside an input's continuations are not
    terms yet: the definition whose body holds the input reaches them)."""
    call = call_of(top)
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
