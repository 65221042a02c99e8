"""One LTS per behaviour: minimised modulo strong bisimulation, numbered canonically.

A lasso counterexample (``:[terminates]``, ``:[ltl]:``) is read off the LTS a
check is given, and two engines give strongly bisimilar but different LTSs
(the product engine reduces each leaf modulo strong bisimulation, which folds
a state into the loop it enters). Minimising both gives isomorphic LTSs; this
module also numbers the states so that isomorphic LTSs come out *equal*, and
the labels its moves have in name order (τ and ✓ first, as every LTS has
them), so any
deterministic check on the result answers the same.

The numbering: states are coloured by BFS level, then the colours are refined
by signatures (a colour and the sorted ``(label, colour)`` of its moves, as
in partition refinement: Kanellakis and Smolka, "CCS expressions, finite
state processes, and three problems of equivalence", 1990), each round's
colours numbered in sorted order of ``(old colour, signature)``, until a
round splits nothing. A stable colouring is a strong bisimulation, so on a
minimal LTS every colour is one state; every step reads only labels' names
and colours, so the numbering is the same for isomorphic LTSs, in BFS level
order.

Complexity: the minimisation (:func:`procalg.lts.partition.minimize`), then
O(R · T log T) for R rounds (few: levels already tell most states apart).

Example:
    >>> ring = LTS.build(4, 0, ["b", "a"], [(0, "a", 1), (1, "b", 2), (2, "a", 3),
    ...                                     (3, "b", 0)])
    >>> small = LTS.build(2, 1, ["a", "b"], [(1, "a", 0), (0, "b", 1)])
    >>> one, two = canonical(ring), canonical(small)
    >>> list(one.triples()) == list(two.triples()), one.labels, one.num_states
    (True, ('τ', '✓', 'a', 'b'), 2)
    >>> canonical(LTS.build(1, 0, ["a"], [])).labels  # no move shows a
    ('τ', '✓')
"""

from __future__ import annotations

import numpy as np

from procalg.lts.bisimulation import Bisimulation
from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.partition import minimize


def canonical(lts: LTS) -> LTS:
    """``lts`` minimised modulo strong bisimulation, its states and labels
    numbered the same way for every LTS isomorphic to it (see the module).

    Example:
        >>> lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "a", 2), (1, "τ", 1),
        ...                               (2, "τ", 2)])
        >>> canonical(lts).num_states, canonical(lts).num_transitions
        (2, 2)
    """
    small = minimize(lts, Bisimulation.STRONG)
    used = {small.labels[i] for i in np.unique(small.label).tolist()}  # not those no move has
    names = [TAU, TICK, *sorted(used - {TAU, TICK})]
    rank = np.array([names.index(name) if name in names else -1 for name in small.labels],
                    dtype=np.int64)
    src, lab, dst = (np.asarray(small.src, np.int64), rank[small.label],
                     np.asarray(small.dst, np.int64))
    colour = _levels(small.num_states, small.initial, src, dst)
    while True:
        finer = _refined(colour, src, lab, dst)
        if finer.max(initial=-1) == colour.max(initial=-1):
            break
        colour = finer
    return LTS.from_arrays(small.num_states, int(colour[small.initial]), names,
                           colour[src], lab, colour[dst])


def _levels(n: int, initial: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """BFS level of every state (all are reachable: a minimised LTS keeps no other)."""
    level = np.full(n, -1, np.int64)
    level[initial] = 0
    frontier, depth = np.array([initial]), 0
    while len(frontier):
        depth += 1
        nxt = np.unique(dst[np.isin(src, frontier)])
        frontier = nxt[level[nxt] < 0]
        level[frontier] = depth
    return np.unique(level, return_inverse=True)[1].reshape(-1)


def _refined(colour: np.ndarray, src: np.ndarray, lab: np.ndarray,
             dst: np.ndarray) -> np.ndarray:
    """Each state's new colour: the rank of ``(colour, sorted (label, target colour))``."""
    moves: list[list[tuple[int, int]]] = [[] for _ in colour]
    for s, a, d in zip(src.tolist(), lab.tolist(), colour[dst].tolist(), strict=True):
        moves[s].append((a, d))
    keys = [(c, tuple(sorted(set(m)))) for c, m in zip(colour.tolist(), moves, strict=True)]
    order = {key: i for i, key in enumerate(sorted(set(keys)))}
    return np.array([order[key] for key in keys], dtype=np.int64)
