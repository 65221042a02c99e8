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

from typing import NamedTuple

import numpy as np

from procalg.lts.code_sets import sorted_in
from procalg.lts.lts import LTS, TAU_INDEX
from procalg.lts.paige_tarjan import coarsest_partition
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
