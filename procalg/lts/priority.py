"""FDR's ``prioritise(P, <A1, ..., An>)`` over a network: a filter on a state's moves.

In a state of ``P`` an event of class ``Ai`` may happen only where no move of
an earlier class is enabled; τ and ✓ rank with ``A1`` and events in no class
are never held back (FDR manual, "Prioritise"; Roscoe, *Understanding
Concurrent Systems*, §20.2; the term-level rule is
:mod:`procalg.semantics.priority`). The rule looks at the other moves of the
same state, so it cannot be a synchronisation rule: :func:`prioritise` gives
every rule of ``P``'s network its *rank*, and the product's successor function
(:class:`~procalg.lts.vectors.Tables`) drops, per source state, the moves whose
rank is worse than the best enabled one (:func:`allowed`). A rank belongs to
the rule, not to its label, so hiding and renaming above ``P`` keep it (they
relabel after the filter, as in the term); only hiding and renaming may stand
above a prioritised network (the caller checks).

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.product import explore_product
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    >>> net = close(prioritise(component(p), {"a": 0, "b": 1}))
    >>> explore_product(net).num_states  # b is pre-empted by a
    2
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from procalg.lts.lts import TAU, TICK
from procalg.lts.network import DONE, Network, SyncRule

NEVER = 1 << 30
"""Rank of an event in no class: never held back, never holds anything back."""


def prioritise(net: Network, ranks: Mapping[str, int]) -> Network:
    """``net`` with every rule ranked: τ and ✓ 0, an event its class in ``ranks``
    (0 for ``A1``), any other event :data:`NEVER`.

    Raises:
        ValueError: ``net`` is already prioritised (priority over priority is
            left to the term rules by the caller).
    """
    if is_prioritised(net):
        raise ValueError("a network is prioritised once")
    def rank(rule: SyncRule) -> int:
        if rule.label in (TAU, TICK):
            return 0
        return NEVER if rule.label == DONE else ranks.get(rule.label, NEVER)
    rules = tuple(SyncRule(r.label, r.parts, rank(r)) for r in net.rules)
    return replace(net, rules=rules, notes=(*net.notes, "priority: each state's moves "
                                            "filtered by prioritise's classes"))


def is_prioritised(net: Network) -> bool:
    """Whether ``net``'s rules carry priority ranks."""
    return any(r.rank is not None for r in net.rules)


def allowed(states: int, src: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Which moves (``src`` index into ``states`` source states, ``rank`` per
    move) no enabled move of a better class pre-empts.

    Example:
        >>> allowed(2, np.array([0, 0, 1, 1]), np.array([1, 2, NEVER, 2])).tolist()
        [True, False, True, True]
    """
    best = best_ranks(states, src, rank)
    return (rank <= best[src]) | (rank == NEVER)


def best_ranks(states: int, src: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Per source state, the best (least) rank among its moves (:data:`NEVER` if none).

    Example:
        >>> best_ranks(3, np.array([0, 0, 2]), np.array([2, 1, 5])).tolist() == [1, NEVER, 5]
        True
    """
    best = np.full(states, NEVER, dtype=np.int64)
    np.minimum.at(best, src, rank)
    return best
