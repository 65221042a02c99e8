"""Syntax nodes of assertions' properties (``:[deadlock free]``, ``[T=``,
``:[ltl]:`` …); re-exported by :mod:`procalg.syntax.ast`.

Example:
    >>> from procalg.syntax.expressions import Name
    >>> Refines(Name("SPEC"), Name("P"), RefinementModel.TRACES).model.value
    'T'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from procalg.assertion_kinds import Equivalence, Fairness, RefinementModel
from procalg.source import Span
from procalg.syntax.node import Expr, Node

# Assertions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlockFree(Node):
    """``P :[deadlock free]`` (``[F]``, ``[FD]``: the model it is checked in)."""

    process: Expr
    model: RefinementModel | None = None  # the optional [F] / [FD] annotation


@dataclass(frozen=True, slots=True)
class DivergenceFree(Node):
    """``P :[divergence free]``."""

    process: Expr
    model: RefinementModel | None = None


@dataclass(frozen=True, slots=True)
class Deterministic(Node):
    """``P :[deterministic]`` (``[F]``, ``[FD]``)."""

    process: Expr
    model: RefinementModel | None = None


@dataclass(frozen=True, slots=True)
class HasTrace(Node):
    """``P :[has trace]: <a, b>``."""

    process: Expr
    trace: Expr  # a sequence expression of events
    model: RefinementModel | None = None


@dataclass(frozen=True, slots=True)
class Reachable(Node):
    """``P :[reachable e]``: some trace of ``P`` performs the event ``e``."""

    process: Expr
    event: Expr


@dataclass(frozen=True, slots=True)
class Refines(Node):
    """``Spec [T= Impl``, ``[F=``, ``[FD=``, ``[V=``, ``[VD=``, ``[R=``, ``[RD=``
    (``model`` read from the letters by :meth:`RefinementModel.parse`)."""

    spec: Expr
    impl: Expr
    model: RefinementModel


@dataclass(frozen=True, slots=True)
class Equivalent(Node):
    """``P = Q :[strong]`` / ``:[weak]`` / ``:[branching]``."""

    left: Expr
    right: Expr
    kind: Equivalence


@dataclass(frozen=True, slots=True)
class CompensationComplete(Node):
    """``P :[compensation complete]``: no saga in ``P`` can end half-done (no
    ``stranded`` or ``unreverted`` event is reachable, ``docs/sagas.md``)."""

    process: Expr


@dataclass(frozen=True, slots=True)
class Invariant(Node):
    """``P :[invariant]: expr``: a data invariant over the components' parameters
    (checked by the symbolic engine, ``docs/symbolic.md``)."""

    process: Expr
    expr: Expr


Property = (
    DeadlockFree | DivergenceFree | Deterministic | HasTrace | Reachable | Refines
    | Equivalent | CompensationComplete | Invariant
)


# -- liveness: `:[terminates]` and `:[ltl]: FORMULA`

@dataclass(frozen=True, slots=True)
class Terminates(Node):
    """``P :[terminates]``: every maximal run ends with ✓ or ``throw``."""

    process: Expr
    fairness: Fairness = Fairness.NONE


@dataclass(frozen=True, slots=True)
class Ltl(Node):
    """``P :[ltl]: FORMULA``; the formula is text (``procalg.checks.ltl`` reads
    it), ``formula_span`` where it starts."""

    process: Expr
    formula: str
    fairness: Fairness = Fairness.NONE
    formula_span: Span | None = field(default=None, compare=False)


Property = Property | Terminates | Ltl
