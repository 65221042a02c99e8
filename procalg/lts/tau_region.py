"""Strong-bisimulation blocks of a τ-region, decided without partitioning what lies beyond it.

A divergence's τ-lasso (:mod:`procalg.lts.minimal_lasso`) is made of τ-moves
from its entries, so it stays inside the *region* ``R``: the states the
entries reach by τ-moves alone. Counted in the graph minimised modulo strong
bisimilarity ``~``, it depends only on ``~`` restricted to ``R``: the blocks
of ``R``'s states and the τ-moves between them (a τ-successor of a state of
``R`` is in ``R``). Whether two states of ``R`` are bisimilar may in general
depend on everything reachable (``p -a-> u``, ``q -a-> v``: is ``u ~ v``?),
which is what made the lasso cost a partition of the whole reachable graph.
Two equivalences computed from ``R`` and its own moves alone sandwich it:

* **fine** ``F``: the coarsest bisimulation of the graph of ``R``'s moves in
  which every target outside ``R`` is a sink of its own (no moves, a block of
  its own). ``F ⊆ ~``: ``F`` with the identity on the states outside ``R`` is
  a strong bisimulation of the whole LTS, since a move of an ``F``-related
  state into ``R`` is matched inside ``R`` up to ``F`` and one out of ``R`` by
  a move to the very same state.
* **coarse** ``C``: the coarsest bisimulation of the graph in which every
  visible move goes to one sink ``⊤``. ``~|R ⊆ C``: ``~|R`` with ``(⊤, ⊤)``
  is such a bisimulation, since bisimilar states offer the same visible
  labels and a τ-move of a state of ``R`` ends in ``R``, where ``~`` matches it.

So ``F ⊆ ~|R ⊆ C``, and when ``F`` and ``C`` partition ``R`` alike, both are
``~|R`` exactly. With no move leaving ``R``, ``F`` alone is exact (``R`` is
closed, its bisimilarity is ``~``'s). :func:`region_blocks` answers in those
cases and says ``None`` otherwise (states of ``R`` alike in their labels and
τ-structure whose visible moves leave ``R`` for different states), when the
caller partitions everything reachable and restricts.

Complexity: two Paige–Tarjan runs (:mod:`procalg.lts.paige_tarjan`) over the
``r`` states of ``R`` and the ``e`` moves leaving them, O((r + e) log r),
instead of O(m log n) over the whole reachable graph.

Example:
    >>> src, lab, dst = np.array([0, 0, 1, 1]), np.array([0, 2, 0, 2]), np.array([1, 2, 0, 3])
    >>> print(region_blocks(2, src, lab, dst))  # a τ-pair, each with an a-move out: u ~ v?
    None
    >>> region_blocks(2, src, lab, np.array([1, 2, 0, 2])).tolist()  # the same u: one block
    [0, 0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from procalg.lts.code_sets import sorted_in
from procalg.lts.lts import LTS, TAU_INDEX
from procalg.lts.paige_tarjan import coarsest_partition
from procalg.lts.signature_rounds import signature_round, sorted_transitions
from procalg.lts.tau import effective_labels


class Moves(NamedTuple):
    """Every move of a region's states: ``src`` a region index, ``lab`` τ as 0
    (hidden labels too), ``dst`` a region index, or ``>=`` the region's size for
    a state outside it (equal numbers, the same state)."""

    src: np.ndarray
    lab: np.ndarray
    dst: np.ndarray


def region_blocks(size: int, src: np.ndarray, lab: np.ndarray, dst: np.ndarray
                  ) -> np.ndarray | None:
    """The blocks of strong bisimilarity on a τ-closed region, or ``None`` when its
    own moves cannot tell (the module's sandwich ``F ⊆ ~ ⊆ C`` is open).

    Args:
        size: the region's states are ``0 .. size - 1``.
        src, lab, dst: every move of a region state (``lab``: τ is 0, hidden
            labels mapped to it); a target ``>= size`` is a state outside the
            region, equal numbers the same state. τ-moves stay inside.

    Returns:
        The block of each region state, numbered in order of its least member.

    Example:
        >>> region_blocks(3, np.array([0, 1, 2]), np.array([0, 0, 0]), np.array([1, 2, 0])).tolist()
        [0, 0, 0]
    """
    outside = dst >= size
    if not outside.any():
        return _coarsest(size, src, lab, dst, np.zeros(size, np.int64))
    coarse = _coarsest(size + 1, src, lab, np.where(lab == TAU_INDEX, dst, size),
                       np.r_[np.zeros(size, np.int64), 1])
    if int(coarse.max(initial=-1)) + 1 == size:  # all apart already: F ⊆ C, so F = C
        return coarse
    sinks, at = np.unique(dst[outside], return_inverse=True)
    fine_dst = dst.copy()
    fine_dst[outside] = size + at.reshape(-1)
    fine = _coarsest(size + len(sinks), src, lab, fine_dst,
                     np.r_[np.zeros(size, np.int64), np.arange(1, len(sinks) + 1)])
    return coarse if np.array_equal(fine, coarse) else None


def _coarsest(n: int, src: np.ndarray, lab: np.ndarray, dst: np.ndarray,
              initial: np.ndarray) -> np.ndarray:
    """The first ``size`` states' blocks (numbered by least member; the sinks, each
    kept apart by ``initial``, come after every region state so never renumber them)."""
    size = int(np.count_nonzero(initial == 0))
    return coarsest_partition(n, src, lab, dst, initial)[:size]


def tau_region(tau_src: np.ndarray, tau_dst: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The sorted states reached from ``starts`` by τ-moves alone (``tau_src``
    sorted: a source's moves are one slice), breadth first in bulk, O(r log m).

    Example:
        >>> tau_region(np.array([0, 1, 3]), np.array([1, 0, 4]), np.array([1])).tolist()
        [0, 1]
    """
    seen = frontier = np.unique(np.asarray(starts, np.int64))
    while len(frontier):
        lo = np.searchsorted(tau_src, frontier, "left")
        size = np.searchsorted(tau_src, frontier, "right") - lo
        reached = np.unique(tau_dst[np.repeat(lo - np.cumsum(size) + size, size)
                                    + np.arange(size.sum())])
        frontier = reached[~np.isin(reached, seen, assume_unique=True)]
        seen = np.union1d(seen, frontier)
    return seen


def lts_region(lts: LTS, starts: np.ndarray) -> tuple[np.ndarray, Moves]:
    """The sorted τ-region of ``starts`` in ``lts`` (:func:`tau_region`) and its
    states' moves, O(r log m + e).

    Example:
        >>> lts = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2), (2, "τ", 0)])
        >>> region, moves = lts_region(lts, np.array([0]))
        >>> region.tolist(), moves.dst.tolist()
        ([0, 1], [1, 4])
    """
    labels = effective_labels(lts)
    tau = labels == TAU_INDEX
    region = tau_region(lts.src[tau], lts.dst[tau], starts)
    lo = np.searchsorted(lts.src, region, "left")
    size = np.searchsorted(lts.src, region, "right") - lo
    at = np.repeat(lo - np.cumsum(size) + size, size) + np.arange(size.sum())
    dst = lts.dst[at].astype(np.int64)
    dst = np.where(sorted_in(region, dst), np.searchsorted(region, dst), len(region) + dst)
    return region, Moves(np.repeat(np.arange(len(region)), size), labels[at].astype(np.int64),
                         dst)


DEPTHS = (1, 2, 4, 8, 16)
"""How far past the region :func:`deeper_blocks` looks, in turn."""
SHARE = 8
"""A neighbourhood holding more than ``1/SHARE`` of the states: partition them all."""

Expand = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
"""Every move of the given sorted states: sources, labels (τ as 0), targets."""


def deeper_blocks(lts: LTS, region: np.ndarray, moves: Moves, *, share: int | None = None
                  ) -> np.ndarray | None:
    """:func:`region_blocks`, else :func:`near_blocks` over ``lts``'s moves.

    Example:
        >>> lts = LTS.build(6, 0, ["a", "b", "c"], [(0, "τ", 1), (1, "τ", 0), (0, "a", 2),
        ...                  (1, "a", 3), (2, "b", 4), (3, "c", 4), (4, "a", 5)])
        >>> region, moves = lts_region(lts, np.array([0]))
        >>> print(region_blocks(2, *moves)), deeper_blocks(lts, region, moves, share=1).tolist()
        None
        (None, [0, 1])
    """
    blocks = region_blocks(len(region), *moves)
    if blocks is not None:
        return blocks
    labels = effective_labels(lts)
    return near_blocks(lambda states: _moves_of(lts, labels, states), lts.num_states, region,
                       share=share)


def near_blocks(expand: Expand, total: int, region: np.ndarray, *, share: int | None = None
                ) -> np.ndarray | None:
    """The blocks of the τ-closed ``region`` (sorted states; ``total`` states in
    all) with the states near it known too: for each depth ``j`` in
    :data:`DEPTHS`, the states within ``j`` moves of the region's visible
    targets ``T`` sharpen both sides of the sandwich, until they agree, the
    neighbourhood is everything (then ``F`` is exact) or it holds more than
    ``1/share`` of the states (default :data:`SHARE`; ``None``: the caller
    partitions them all, so looking around costs a fraction of that at most).

    * ``F``: the neighbourhood's states expanded (all their moves), those at
      distance ``j`` left as sinks of their own: ``F ⊆ ~`` as before.
    * ``C``: a visible move goes to a sink per class of ``~_j`` (``j``-step
      bisimilarity, ``~ ⊆ ~_j``) of its target, so ``~|R ⊆ C`` as before
      (``~|R`` with the identity on the sinks is a bisimulation of that graph).
      ``j`` signature rounds (:func:`~procalg.lts.signature_rounds.signature_round`)
      over the neighbourhood give ``~_j`` on ``T``: after round ``r`` a state at
      distance ``d <= j - r`` from ``T`` has its ``~_r`` class, since its
      successors lie within ``d + 1`` and have their ``~_(r-1)`` one.

    Example:
        >>> graph = {0: [(0, 1), (2, 2)], 1: [(0, 0), (2, 3)], 2: [(3, 4)], 3: [(3, 4)], 4: []}
        >>> def expand(states):
        ...     rows = [(s, a, d) for s in states.tolist() for a, d in graph[s]]
        ...     return tuple(np.array(c, np.int64).reshape(-1) for c in zip(*rows, strict=True))
        >>> near_blocks(expand, 5, np.array([0, 1]), share=1).tolist()  # 2 ~ 3: one block
        [0, 0]
    """
    for depth in DEPTHS:
        found = _at_depth(expand, total, region, depth, SHARE if share is None else share)
        if not isinstance(found, bool):
            return found
        if not found:  # too many states near: partition them all
            return None
    return None


def _at_depth(expand: Expand, total: int, region: np.ndarray, depth: int, share: int
              ) -> np.ndarray | bool:
    """The blocks if the sandwich closes at ``depth``, else whether to look deeper."""
    size = len(region)
    src, lab, dst = expand(region)
    visible = lab != TAU_INDEX
    levels = [np.unique(dst[visible])]  # T, then one level of new states per move
    known = np.union1d(region, levels[0])
    for _ in range(depth):
        reached = np.unique(expand(levels[-1])[2])
        levels.append(reached[~sorted_in(known, reached)])
        known = np.union1d(known, levels[-1])
    if share * len(known) > total:
        return False
    others = known[~sorted_in(region, known)]
    expanded = np.union1d(region, np.concatenate(levels[:-1]))

    def local(ids: np.ndarray) -> np.ndarray:
        inside = sorted_in(region, ids)
        return np.where(inside, np.searchsorted(region, ids), size + np.searchsorted(others, ids))

    whole = size + len(others)
    src, lab, dst = expand(expanded)
    src, dst = local(src), local(dst)
    s, a, d = sorted_transitions(whole, src, lab, dst)
    classes = np.zeros(whole, np.int64)
    for _ in range(depth):  # ~_depth on the visible targets
        classes, _count = signature_round(whole, s, a, d, classes, classes)
    mine = src < size
    r_src, r_lab, r_dst = src[mine], lab[mine], dst[mine]
    seen = r_lab != TAU_INDEX
    kind, sink = np.unique(classes[r_dst[seen]], return_inverse=True)
    to_sink = r_dst.copy()
    to_sink[seen] = size + sink.reshape(-1)
    coarse = _coarsest(size + len(kind), r_src, r_lab, to_sink,
                       np.r_[np.zeros(size, np.int64), np.arange(1, len(kind) + 1)])
    if int(coarse.max(initial=-1)) + 1 == size:
        return coarse
    edge = ~sorted_in(expanded, np.r_[region, others])  # not expanded: kept apart
    initial = np.zeros(whole, np.int64)
    initial[edge] = np.arange(1, int(edge.sum()) + 1)
    fine = coarsest_partition(whole, src, lab, dst, initial)[:size]
    if not edge.any() or np.array_equal(fine, coarse):
        return fine
    return True


def _moves_of(lts: LTS, labels: np.ndarray, states: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every move of ``states`` (sorted): sources, ``labels``, targets."""
    lo = np.searchsorted(lts.src, states, "left")
    size = np.searchsorted(lts.src, states, "right") - lo
    at = np.repeat(lo - np.cumsum(size) + size, size) + np.arange(size.sum())
    return np.repeat(states, size), labels[at].astype(np.int64), lts.dst[at].astype(np.int64)
