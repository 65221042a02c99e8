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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

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
    rules = tuple(SyncRule(r.label, r.parts, rank(r), r.guards) for r in net.rules)
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


@dataclass(frozen=True)
class Preemption:
    """Which labels pre-empt which, by name: the filter of a prioritised (or
    chased) network that is one component of another (:mod:`procalg.lts.nested`).

    ``prioritise(P, <A1, ..., An>)`` and FDR's ``prioritisepo(P, A, R, M)`` are
    both a relation "``a`` pre-empts ``b``": a move labelled ``b`` is dropped
    where a move labelled ``a`` is enabled in the same state (FDR manual,
    "prioritise", "prioritisepo"; Roscoe, *Understanding Concurrent Systems*,
    §20.2). τ and ✓ are names here too. ``chase`` keeps a state's first τ
    and nothing else where it has one.

    Attributes:
        above: per label, the labels that pre-empt it.
        chase: the filter is ``chase``'s (``above`` is then empty).

    Example:
        >>> order = Preemption.ranks({"a": 0, "b": 1})
        >>> sorted(order.above["b"])
        ['a', 'τ', '✓']
        >>> labels = ("τ", "✓", "a", "b", "c")
        >>> order.allowed(labels, 2, np.array([0, 0, 0, 1]), np.array([2, 3, 4, 3])).tolist()
        [True, False, True, True]
    """

    above: Mapping[str, frozenset[str]] = field(default_factory=dict)
    chase: bool = False

    @classmethod
    def ranks(cls, ranks: Mapping[str, int]) -> Preemption:
        """``prioritise``'s classes as a relation: an event of class ``i``
        is pre-empted by every event of an earlier class, and by τ and ✓
        when ``i > 0`` (they rank with the first class)."""
        above: dict[str, frozenset[str]] = {}
        for label, k in ranks.items():
            better = {b for b, j in ranks.items() if j < k}
            above[label] = frozenset(better | ({TAU, TICK} if k > 0 else set()))
        return cls(above)

    @classmethod
    def chasing(cls) -> Preemption:
        """``chase``: where τ is enabled, the first τ alone."""
        return cls(chase=True)

    def keep(self, moves: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
        """The moves of one state, ``(label, target)`` pairs, that the filter
        keeps (labels compared by name, as in :meth:`allowed`).

        Example:
            >>> Preemption.ranks({"a": 0, "b": 1}).keep([("b", 1), ("a", 2), ("c", 3)])
            [('a', 2), ('c', 3)]
            >>> Preemption.chasing().keep([("a", 1), ("τ", 2), ("τ", 3)])
            [('τ', 2)]
        """
        moves = list(moves)
        names = [label if type(label) is str else str(label) for label, _ in moves]
        if self.chase:
            return [moves[names.index(TAU)]] if TAU in names else moves
        offered = set(names)
        above = self.above
        return [move for move, name in zip(moves, names, strict=True)
                if name not in above or offered.isdisjoint(above[name])]

    def allowed(self, labels: tuple[str, ...], states: int, src: np.ndarray,
                lab: np.ndarray) -> np.ndarray:
        """Which moves (``src`` index into ``states`` source states, ``lab``
        index into ``labels``) the filter keeps. O(M × K) for M moves and the
        K labels that pre-empt anything."""
        if self.chase:
            return _first_taus(states, src, lab, labels.index(TAU))
        pre = sorted({labels.index(a) for tops in self.above.values() for a in tops
                      if a in labels})
        keep = np.ones(len(src), dtype=bool)
        if not pre or not len(src):
            return keep
        column = {p: i for i, p in enumerate(pre)}
        beaten = np.zeros((len(labels), len(pre)), dtype=bool)  # label x pre-emptor
        for name, tops in self.above.items():
            if name in labels:
                for a in tops:
                    if a in labels:
                        beaten[labels.index(name), column[labels.index(a)]] = True
        enabled = np.zeros((states, len(pre)), dtype=bool)
        col = np.full(len(labels), -1, dtype=np.int64)
        col[pre] = np.arange(len(pre))
        has = col[lab] >= 0
        enabled[src[has], col[lab[has]]] = True
        return ~(enabled[src] & beaten[lab]).any(axis=1)


def _first_taus(states: int, src: np.ndarray, lab: np.ndarray, tau: int) -> np.ndarray:
    """Per source state with a τ move, only its first τ move survives."""
    is_tau = lab == tau
    first = np.full(states, -1, dtype=np.int64)
    where = np.flatnonzero(is_tau)
    first[src[where[::-1]]] = where[::-1]  # the last write wins: the first τ
    chased = first[src] >= 0
    return ~chased | (np.arange(len(src)) == first[src])


class Filtered:
    """A transition system whose every state offers only the moves ``order``
    keeps: priority (or ``chase``) applied on the fly to a sequential process,
    so only the states its kept moves reach are ever asked for (the rule is
    Roscoe's, *Understanding Concurrent Systems* §20.2: it looks at one
    state's moves, never at the whole LTS).

    Args:
        system: ``initial_state()`` and ``successors(state)``.
        order: the filter.

    Example:
        >>> class Two:
        ...     def initial_state(self): return 0
        ...     def successors(self, n): return [("a", 1), ("b", 2)] if n == 0 else []
        >>> from procalg.lts.exploration import explore
        >>> explore(Filtered(Two(), Preemption.ranks({"a": 0, "b": 1}))).num_states
        2
    """

    def __init__(self, system: Any, order: Preemption) -> None:
        self.system = system
        self.order = order

    def initial_state(self) -> Any:
        return self.system.initial_state()

    def successors(self, state: Any) -> list[tuple[Any, Any]]:
        return self.order.keep(self.system.successors(state))
