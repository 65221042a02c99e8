"""Which moves of a parallel's side can fire: its partner's offers bound a wide input.

Roscoe, *Understanding Concurrent Systems* (2010), §9.1, the rules of
``P [| A |] Q``: an event ``a ∈ A`` fires only as ``P --a--> P'`` and
``Q --a--> Q'`` together (``[A || B]`` alike, on ``A ∩ B``; an event outside
a side's alphabet never fires). So a move of ``Q`` labelled ``a ∈ A`` that
``P`` does not offer produces no move of the parallel. When every event an
input ``c?x -> R(x)`` of ``Q`` may offer lies in ``A``, the rule need only
ask it for the events ``P`` offers: a 100,000-way input beside a partner
offering one event costs one continuation, not 100,000 (issue 11's "inputs
cost the transitions produced").

A :data:`Demand` records this along the operators between the parallel and
the input, each of which keeps its operand's labels (choice, ``;``,
interrupt, timeout, exception, nested parallels) or turns some into τ
(hiding: those are always wanted). The rules stay those of ``sos.fire``;
only the operand move lists they are given lack moves that cannot fire, so
the parallel's moves are exactly the eager ones (tested against the eager
expansion on random terms, ``tests/semantics/test_partners.py``).

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.terms import Event
    >>> model = loads("channel c : {0..999}")
    >>> term = model.process("c?x -> STOP")
    >>> every_c = frozenset(Event("c", (v,)) for v in range(1000))
    >>> demand = ((every_c, frozenset({Event("c", (7,)), Event("d")})),)
    >>> [str(e) for e, _ in narrowed_input(term, demand)]
    ['c.7']
"""

from __future__ import annotations

from functools import lru_cache

from procalg.semantics.operands import moving_operands
from procalg.terms import (
    AlphaParallel,
    Event,
    ExceptionOp,
    ExternalChoice,
    Hide,
    Interrupt,
    Parallel,
    Process,
    Rename,
    Seq,
    Timeout,
)
from procalg.terms.input import Input, Moves
from procalg.terms.renaming import Renaming
from procalg.terms.values import Label

Demand = tuple[tuple[frozenset, frozenset], ...]
"""Pairs ``(S, O)``, all holding: a move labelled by an event in ``S`` but not in ``O``
cannot fire, so it may be left out. τ, ✓ and every other event are wanted."""

PASSING = frozenset({ExternalChoice, Seq, Interrupt, Timeout, ExceptionOp, Hide,
                     Parallel, AlphaParallel, Rename})
"""Operators whose moves carry their moving operands' labels (hiding: or τ; renaming:
their images), so a demand on the operator is a demand on those operands."""

PARALLELS = (Parallel, AlphaParallel)

_LOOK = 64  # subterms looked at for a wide input: deep ';' chains go the usual way


def is_wide(term: Process) -> bool:
    """Whether a wide input (selectable, not yet expanded) is among ``term``'s moving
    operands along :data:`PASSING` operators."""
    todo = [term]
    for _ in range(_LOOK):
        if not todo:
            return False
        item = todo.pop()
        kind = type(item)
        if kind is Input:
            if item.is_wide():
                return True
        elif kind in PASSING:
            todo.extend(moving_operands(item))
    return False


def wide_side(term: Parallel | AlphaParallel) -> int | None:
    """The side (0 left, 1 right) to ask only for its partner's events, or None."""
    if is_wide(term.right):
        return 1
    if is_wide(term.left):
        return 0
    return None


def partner_demand(term: Parallel | AlphaParallel, side: int,
                   partner_moves: list[tuple[Label, Process]], demand: Demand) -> Demand:
    """``demand`` plus what ``term``'s rule needs from ``side`` given its partner's moves.

    ``[| A |]``: an event in A fires only if the partner offers it. ``[A || B]``:
    an event of the partner's alphabet either synchronises (the partner must
    offer it) or lies outside this side's alphabet (it never fires).
    """
    if type(term) is Parallel:
        synchronised = term.sync
    else:
        synchronised = term.left_alpha if side == 1 else term.right_alpha
    offers = frozenset(label for label, _ in partner_moves if type(label) is Event)
    return (*demand, (synchronised, offers))


def hidden_demand(demand: Demand, hidden: frozenset) -> Demand:
    """The demand on ``P`` of ``P \\ H``: P's events in H become τ, which is always wanted."""
    return tuple((sync, offers | _common(hidden, sync)) for sync, offers in demand)


def renamed_demand(demand: Demand, relation: Renaming) -> Demand:
    """The demand on ``P`` of ``P[[R]]``: a move ``a`` of P may be left out when every
    image of ``a`` may be (all lie in ``S``, none in ``O``), so ``S`` becomes the events
    whose images all lie in ``S`` and ``O`` the preimages of ``O``.

    Example:
        >>> from procalg.terms.renaming import Renaming
        >>> c, d = Event("c", (1,)), Event("d", (1,))
        >>> relation = Renaming.of([], [(Event("c"), Event("d"))])
        >>> renamed_demand(((frozenset({d}), frozenset({d})),), relation) == (
        ...     (frozenset({c, d}), frozenset({c, d})),)  # d.1 is not renamed: it stays
        True
    """
    return tuple((_all_within(relation, sync),
                  frozenset(a for b in offers for a in relation.preimages(b)))
                 for sync, offers in demand)


def images_within(relation: Renaming, events: frozenset) -> frozenset:
    """The events whose images under ``relation`` all lie in ``events``: a set of
    ``P[[R]]``'s events seen from ``P`` (memoised per set)."""
    return _all_within(relation, events)


@lru_cache(maxsize=256)
def _all_within(relation: Renaming, events: frozenset) -> frozenset:
    """The events whose images under ``relation`` all lie in ``events`` (once per set:
    a synchronisation set stays the same from state to state)."""
    sources: set[Event] = set()
    for b in events:  # unsorted preimages: this runs over every event of the set
        if type(b) is Event:
            sources.update(relation.sources(b))
            if not relation.mapped(b):
                sources.add(b)
    return frozenset(a for a in sources if all(b in events for b in relation.images(a)))


@lru_cache(maxsize=256)
def _common(hidden: frozenset, sync: frozenset) -> frozenset:
    return hidden & sync


def narrowed_input(term: Input, demand: Demand) -> Moves | None:
    """The input's moves that ``demand`` may want, or None (then all of them).

    Asks the input only for the events every pair ``(S, O)`` whose ``S`` holds
    all the input's events allows (those in every such ``O``).
    """
    if not term.is_wide():
        return None
    site, captured = term.site, term.captured
    wanted: frozenset | None = None
    for sync, offers in demand:
        if site.is_within(captured, sync):
            wanted = offers if wanted is None else wanted & offers
    if wanted is None:
        return None
    return site.moves_towards(captured, wanted)
