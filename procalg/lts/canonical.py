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
colours numbered in sorted order of ``(old colour, signature)`` (a hash of
the set, the same whatever the numbering), until a round splits nothing. A
stable colouring is a strong bisimulation, so on a minimal LTS every colour
is one state; every step reads only labels' names
and colours, so the numbering is the same for isomorphic LTSs, in BFS level
order.

Complexity: the minimisation (:func:`procalg.lts.partition.minimize`), then
O(R · T log T) numpy work for R rounds (few: levels already tell most
states apart).

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
    """BFS level of every state of a minimised LTS: numbered breadth-first from its
    initial state 0 (:func:`~procalg.lts.partition.bfs_renumber`), so a state's
    least predecessor is the one that found it, one level up."""
    assert initial == 0, "a minimised LTS starts at 0"
    parent = np.full(n, n, np.int64)
    np.minimum.at(parent, dst, src)
    level = [0] * n
    for state, up in enumerate(parent.tolist()[1:], start=1):
        level[state] = level[up] + 1
    return np.asarray(level, np.int64)


def _refined(colour: np.ndarray, src: np.ndarray, lab: np.ndarray,
             dst: np.ndarray) -> np.ndarray:
    """Each state's new colour: the rank of ``(colour, signature)``, the signature
    the set of its ``(label, target colour)`` pairs, summed as 64-bit mixes (an
    order-free hash: a collision, about n²/2^64, could only leave two states one
    colour; numbered the same for isomorphic LTSs all the same)."""
    pair = lab * (int(colour.max(initial=0)) + 1) + colour[dst]
    order = np.lexsort((pair, src))
    src, pair = src[order], pair[order]
    fresh = np.ones(len(src), bool)
    fresh[1:] = (src[1:] != src[:-1]) | (pair[1:] != pair[:-1])  # a set: each pair once
    signature = np.zeros(len(colour), np.uint64)
    np.add.at(signature, src[fresh], _mix(pair[fresh].astype(np.uint64)))
    rows = np.lexsort((signature, colour))
    changed = np.ones(len(colour), bool)
    changed[1:] = (colour[rows][1:] != colour[rows][:-1]) | (
        signature[rows][1:] != signature[rows][:-1])
    finer = np.empty(len(colour), np.int64)
    finer[rows] = np.cumsum(changed) - 1
    return finer


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea and Flood, OOPSLA 2014): a 64-bit mix."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))
