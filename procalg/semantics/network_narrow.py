"""The network compiler's walk where a wide input is synchronised: partners first.

A leaf whose input offers more than
:data:`~procalg.semantics.network_shape.WIDE_INPUT` events, all of which a
parallel above synchronises, would be explored with every value
(:func:`~procalg.semantics.network_shape.wide_leaf`). Here the walk builds that
parallel's other side first; its network's labels bound what the partner can
ever perform, and the wide side's leaves are explored without the moves no
partner can join (:mod:`procalg.semantics.narrowing`). A leaf stays wide where
its partner's labels are no bound (a lazy partner declares every event of the
model; a priority between, whose order reads offers that never fire) is
explored whole as any leaf if that stays within
:data:`~procalg.semantics.network_shape.WIDE_WHOLE_MOVES` moves
(:func:`whole_within`: a ``w?x -> W`` over 2,000 values beside a lazy counter is
one state of 2,000 moves, and the product walks the counter's chain as it walks
any lazy leaf beside eager partners); past that, or both sides wide,
:class:`WideLeaf`, and the term rules run as before.

Each walk item carries a :class:`Scope`: the narrowing so far, the parallels
above as :mod:`procalg.semantics.sync_context` sees them, and those that narrow.

Example:
    >>> from procalg.api import loads
    >>> from procalg.semantics.network_shape import Shape
    >>> model = loads("channel c : {0..1999}\\nP = c?x -> P [| {|c|} |] c!3 -> STOP")
    >>> shape = Shape(model.spec.rules())
    >>> scopes, swapped = operand_scopes(shape.normal(model.process("P")), Scope(), shape)
    >>> swapped, scopes[0] is None, scopes[1] is None
    (True, True, False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from procalg.errors import ProcalgError
from procalg.lts.exploration import Exploration
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import Network
from procalg.semantics import network_shape
from procalg.semantics.narrowing import Narrowing
from procalg.semantics.network_combine import label_names
from procalg.semantics.network_shape import Shape, wide_leaf, wide_reason
from procalg.semantics.partners import Demand, hidden_demand, renamed_demand
from procalg.semantics.priority import priority_source
from procalg.semantics.sync_context import (
    Context,
    operand_contexts,
    widest_synchronised,
)
from procalg.terms import AlphaParallel, Hide, Parallel, Process, Rename, show_process
from procalg.terms.brief_names import clipped


class WideLeaf(Exception):
    """A leaf's wide synchronised input has no partner labels to narrow it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Scope:
    """What the walk knows above a subterm (see the module).

    Attributes:
        narrowing: the moves its leaves may drop.
        demand: the same for the term rules (:mod:`procalg.semantics.partners`).
        context: every parallel above (``sync_context``), to find wide inputs.
        narrowed: the parallels above whose partner's labels narrow it.
    """

    narrowing: Narrowing = field(default_factory=Narrowing)
    context: Context = ()
    narrowed: Context = ()
    demand: Demand = ()


def operand_scopes(term: Process, scope: Scope, shape: Shape
                   ) -> tuple[list[Scope | None], bool]:
    """The scope of each operand of compiled ``term`` (None: the second side of a
    parallel, known once its partner is built: :func:`partner_scope`) and whether
    the right side is built first (the left one is wide).

    Raises:
        WideLeaf: both sides of a parallel hold a wide input it synchronises.
    """
    operands = shape.operands(term)
    contexts = operand_contexts(term, scope.context, len(operands))
    if priority_source(term) is not None:  # its order reads offers that never fire
        return [Scope(Narrowing(), context) for context in contexts], False
    if type(term) in (Parallel, AlphaParallel):
        wide = [wide_leaf(op, shape, context[len(scope.context):])
                for op, context in zip(operands, contexts, strict=True)]
        if wide[0] is not None and wide[1] is not None:
            raise WideLeaf("both sides of a parallel synchronise a wide input, "
                           f"neither bounds the other; {wide[0]}")
        first = 1 if wide[0] is not None else 0
        scopes: list[Scope | None] = [None, None]
        scopes[first] = Scope(scope.narrowing, contexts[first], scope.narrowed, scope.demand)
        return scopes, first == 1
    if type(term) is Hide:
        return [Scope(scope.narrowing.hidden(label_names(term.hidden)), contexts[0],
                      operand_contexts(term, scope.narrowed, 1)[0],
                      hidden_demand(scope.demand, term.hidden))], False
    if type(term) is Rename:
        return [Scope(scope.narrowing.renamed(term.relation.name_images), contexts[0],
                      operand_contexts(term, scope.narrowed, 1)[0],
                      renamed_demand(scope.demand, term.relation))], False
    return [replace(scope, context=context) for context in contexts], False


def partner_scope(term: Parallel | AlphaParallel, side: int, scope: Scope,
                  partner: Network) -> Scope:
    """The scope of parallel ``term``'s operand ``side`` once the other side's
    network ``partner`` is built: narrowed by its labels unless a lazy component
    declares them (whole channels it may reach: no bound)."""
    context = operand_contexts(term, scope.context, 2)[side]
    if any(isinstance(c, LazyComponent) for c in partner.components):
        return Scope(scope.narrowing, context, scope.narrowed, scope.demand)
    labels = frozenset(partner.labels)
    if type(term) is Parallel:
        sync = term.sync
        narrowing = scope.narrowing.synchronised(label_names(sync), labels)
    else:
        own, sync = (term.left_alpha, term.right_alpha) if side == 0 else \
            (term.right_alpha, term.left_alpha)
        narrowing = scope.narrowing.alphabetised(label_names(own), label_names(sync), labels)
    offers = frozenset(e for e in sync if str(e) in labels)  # as partner_demand, by name
    return Scope(narrowing, context, (*scope.narrowed, context[-1]),
                 (*scope.demand, (sync, offers)))


def leaf_scope(term: Process, scope: Scope | None,
               system: Callable[[Process], Any] | None = None) -> Scope:
    """How leaf ``term`` is narrowed: by ``scope`` where a wide input of it that a
    parallel above synchronises is narrowed by one; else not (an empty scope: its
    inputs are narrow, and the compiled machine runs it whole; :data:`WHOLE` if, with
    ``system`` giving the leaf's transition system, it has at most
    :data:`~procalg.semantics.network_shape.WIDE_WHOLE_MOVES` moves: explored whole).

    Raises:
        WideLeaf: such a wide input is not narrowed by one, and the leaf is
            too large to explore whole (or ``system`` is None).
    """
    if scope is None:
        return _NONE
    found = widest_synchronised(term, scope.context, len(scope.context))
    if found is None or found[0] <= network_shape.WIDE_INPUT:  # (read here: tests lower it)
        return _NONE
    narrowed = widest_synchronised(term, scope.narrowed, len(scope.narrowed))
    if narrowed is None or narrowed[0] < found[0]:  # (through the leaf's own operators)
        budget = network_shape.WIDE_WHOLE_MOVES
        why = None if system is None else f"more than {budget:,} moves" \
            if found[0] > budget else whole_within(system(term), budget)
        if system is not None and why is None:
            return WHOLE  # small enough whole: no partner bound needed
        if why is not None and why.startswith("more than"):  # the measured cost rule
            why += ", past which the term rules run faster"
        raise WideLeaf(wide_reason(*found, whole=why))
    return scope


def whole_note(term: Process) -> str:
    """What ``--stats`` says of a wide leaf :func:`leaf_scope` let be explored whole.

    Example:
        >>> from procalg.terms import STOP
        >>> whole_note(STOP)[:30]
        'leaf STOP explored whole: a wi'
    """
    return (f"leaf {clipped(show_process(term), 40)} explored whole: a wide input no "
            f"partner bounds, at most {network_shape.WIDE_WHOLE_MOVES:,} moves")


def whole_within(system: Any, budget: int) -> str | None:
    """None if leaf ``system`` has at most ``budget`` moves in all, else why not:
    explored whole to find out (a compiled machine keeps what it made, so the
    leaf's own exploration after this reads it again), stopping once past the
    budget. A model error met on the way says no: the term rules report it where
    (and if) the search reaches it.

    Complexity: O(min(M, budget + W)) moves made, for M moves of the leaf and
    W its widest state's.

    Example:
        >>> from procalg.lts.lts import LTS
        >>> loop = LTS.build(1, 0, [f"w.{v}" for v in range(3)],
        ...                  [(0, f"w.{v}", 0) for v in range(3)])
        >>> whole_within(loop, 3), whole_within(loop, 2)
        (None, 'more than 2 moves')
    """
    moves = 0
    try:
        for _, edges in Exploration(system):
            moves += len(edges)
            if moves > budget:
                return f"more than {budget:,} moves"
    except ProcalgError as err:
        return f"a model error on the way: {str(err)[:60]}"
    return None


_NONE = Scope()
WHOLE = Scope()
"""A wide leaf no partner bounds, small enough to explore whole (:func:`leaf_scope`):
an eager component, never lazy (it was explored to decide; eager, the product walks
a lazy partner's chain as any lazy leaf's beside eager ones)."""
