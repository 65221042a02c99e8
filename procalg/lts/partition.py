"""Bisimulation partitions and quotients: strong, weak and branching.

All three are computed by *signature refinement* (Blom & Orzan, "Distributed
branching bisimulation reduction of state spaces", PDMC 2003 / STTT 2005;
engines in :mod:`procalg.lts.signature`): start from one block; in every
round split blocks by the signature ``{(label, block of target)}``; stop
when no block splits. Strong refinement is incremental (only states with a
successor that changed block are looked at again), so a round costs O(m)
numpy work plus Python work for the dirty states; there are at most n
rounds, O(n · m) in the worst case. This is asymptotically worse than
Paige & Tarjan's O(m log n) ("Three partition refinement algorithms",
SIAM J. Comput. 1987) but array-friendly and simple to trust.

- **strong**: signatures over the transitions as they are.
- **branching** (divergence-blind, mCRL2's default ``branching-bisim``;
  van Glabbeek & Weijland 1996; Groote & Vaandrager 1990; Groote, Jansen,
  Keiren & Wijs, TOCL 2017): τ-SCCs are collapsed first, then the signature
  of ``s`` is every ``(a, B(t))`` with ``s ⇒ s' -a-> t`` along inert τ-steps,
  except inert τ itself.
- **weak** (Milner 1989): branching bisimulation first (it implies weak, and
  shrinks the LTS), then strong bisimulation of the τ-saturated quotient
  (:mod:`procalg.lts.saturation`: ``τ* a τ*`` and reflexive ``τ*``).

✓ is an ordinary visible label here; labels in ``lts.hidden`` count as τ.

:func:`partition` and :func:`minimize` compute **strong** bisimulation with
Paige–Tarjan, O(m log n) (:mod:`procalg.lts.paige_tarjan`), which measured
faster than the signature engine on random LTSs, long chains and explored
models alike (numbers in that module; only tiny LTSs pay ~50 µs more);
``engine=PartitionEngine.SIGNATURE`` selects the engine above (and
:func:`refine`, which records a :class:`History`, always uses it).

Example:
    >>> lts = LTS.build(4, 0, ["a"], [(0, "τ", 1), (1, "a", 2), (0, "a", 3)])
    >>> minimize(lts, Bisimulation.STRONG).num_states, minimize(lts, Bisimulation.WEAK).num_states
    (3, 2)
    >>> p = partition(lts, Bisimulation.BRANCHING)
    >>> bool(p[2] == p[3]), bool(p[0] == p[1])
    (True, True)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from procalg.choices import Choice
from procalg.errors import ProcalgError
from procalg.lts.bisimulation import Bisimulation
from procalg.lts.lts import LTS, TAU_INDEX
from procalg.lts.paige_tarjan import strong_partition
from procalg.lts.saturation import saturate
from procalg.lts.signature import History, branching_refinement, strong_refinement
from procalg.lts.tau import collapse_tau_sccs, effective_labels


class PartitionEngine(Choice, enum.Enum):
    """How :func:`partition` computes strong bisimulation (the others always
    use signature refinement)."""

    AUTO = "auto"
    """Paige–Tarjan for strong bisimulation, signature refinement otherwise."""
    PAIGE_TARJAN = "paige-tarjan"
    """Strong bisimulation only."""
    SIGNATURE = "signature"




@dataclass(frozen=True)
class Refinement:
    """The outcome of signature refinement.

    Attributes:
        refined: the LTS whose states were partitioned (the input for strong,
            the τ-collapsed LTS for branching, the saturated branching
            quotient for weak).
        state_map: for each original state, its state in ``refined``.
        final: the block of every state of ``refined``.
        history: the rounds of strong refinement (strong and weak only), for
            explanations.
    """

    refined: LTS
    state_map: np.ndarray
    final: np.ndarray
    history: History | None

    @property
    def blocks(self) -> np.ndarray:
        """The final block of every original state."""
        return self.final[self.state_map]


def refine(lts: LTS, kind: Bisimulation) -> Refinement:
    """Run signature refinement for ``kind``."""
    assert isinstance(kind, Bisimulation), f"a Bisimulation, not {kind!r} (Bisimulation.parse)"
    if kind is Bisimulation.STRONG:
        plain = LTS.from_arrays(lts.num_states, lts.initial, lts.labels,
                                lts.src, effective_labels(lts), lts.dst)
        final, history = strong_refinement(plain)
        return Refinement(plain, np.arange(lts.num_states), final, history)
    collapsed, comp = collapse_tau_sccs(lts)
    branching = branching_refinement(collapsed)
    if kind is Bisimulation.BRANCHING:
        return Refinement(collapsed, comp, branching, None)
    # weak: saturate the branching quotient (all blocks, so the map stays total)
    reduced = _block_lts(collapsed, branching)
    saturated = saturate(reduced)
    final, history = strong_refinement(saturated)
    return Refinement(saturated, branching[comp], final, history)


def _block_lts(lts: LTS, blocks: np.ndarray) -> LTS:
    """Every block as a state, τ-self-loops dropped (no reachability pruning)."""
    src, dst = blocks[lts.src], blocks[lts.dst]
    keep = ~((lts.label == TAU_INDEX) & (src == dst))
    k = int(blocks.max()) + 1 if len(blocks) else 0
    return LTS.from_arrays(k, int(blocks[lts.initial]), lts.labels,
                           src[keep], lts.label[keep], dst[keep])


def partition(lts: LTS, kind: Bisimulation, *,
              engine: PartitionEngine = PartitionEngine.AUTO) -> np.ndarray:
    """The block number of every state under ``kind``.

    Equal numbers mean equivalent states. Block numbers are dense, ``0..k-1``.
    Paige–Tarjan does strong only.
    """
    assert isinstance(kind, Bisimulation), f"a Bisimulation, not {kind!r} (Bisimulation.parse)"
    assert isinstance(engine, PartitionEngine), f"a PartitionEngine, not {engine!r}"
    if engine is PartitionEngine.PAIGE_TARJAN and kind is not Bisimulation.STRONG:
        raise ProcalgError(f"Paige–Tarjan computes strong bisimulation, not {kind.value}",
                           hint="use engine auto or signature")
    if kind is Bisimulation.STRONG and engine is not PartitionEngine.SIGNATURE:
        return strong_partition(lts)
    return _dense(refine(lts, kind).blocks)


def minimize(lts: LTS, kind: Bisimulation, *,
             engine: PartitionEngine = PartitionEngine.AUTO) -> LTS:
    """The quotient of ``lts`` by ``kind``, reachable blocks only.

    Blocks are numbered breadth-first from the initial state's block (so the
    initial state is 0). For weak and branching, τ-self-loops on blocks are
    dropped, as mCRL2 does. ``engine`` as for :func:`partition`.
    """
    blocks = partition(lts, kind, engine=engine)
    return quotient(lts, blocks, drop_tau_loops=kind is not Bisimulation.STRONG)


def quotient(lts: LTS, blocks: np.ndarray, *, drop_tau_loops: bool) -> LTS:
    """Map every transition onto blocks; keep the blocks reachable from the initial one."""
    labels = effective_labels(lts)
    src, dst = blocks[lts.src], blocks[lts.dst]
    if drop_tau_loops:
        keep = ~((labels == TAU_INDEX) & (src == dst))
        src, labels, dst = src[keep], labels[keep], dst[keep]
    k = int(blocks.max()) + 1 if len(blocks) else 0
    coarse = LTS.from_arrays(k, int(blocks[lts.initial]), lts.labels, src, labels, dst)
    return bfs_renumber(coarse)


SMALL_LEVEL = 32
"""Most states of a BFS level :func:`bfs_renumber` steps in Python (a numpy level
costs some ten calls, ~30 µs; a chain of a thousand states is a thousand levels)."""

LISTED = 1 << 16
"""Most transitions whose columns the Python levels read as lists (made once, O(m));
a larger LTS's are read per state as array slices."""


def bfs_renumber(lts: LTS) -> LTS:
    """Keep the reachable states, numbered in breadth-first order from the initial one.

    A level's new states are numbered in the order of their first edge (the
    order a FIFO queue discovers them in): a level of more than
    :data:`SMALL_LEVEL` states on arrays, a smaller one in Python (the
    columns read as lists once, at the first small level, up to
    :data:`LISTED` transitions), so a deep chain pays no numpy call per
    level. O(n + m).

    Example:
        >>> bfs_renumber(LTS.build(3, 2, ["a"], [(2, "a", 0)])).triples().__next__()
        (0, 'a', 1)
    """
    offsets = np.searchsorted(lts.src, np.arange(lts.num_states + 1))  # src is sorted
    seen = np.zeros(lts.num_states, dtype=np.uint8)
    seen[lts.initial] = 1
    order: list[np.ndarray] = []  # the reached states, in BFS order
    frontier: np.ndarray | list[int] = np.array([lts.initial], dtype=np.int64)
    walked: tuple[list[int] | np.ndarray, list[int] | np.ndarray, memoryview] | None = None
    while len(frontier):
        if len(frontier) > SMALL_LEVEL:
            frontier = np.asarray(frontier, dtype=np.int64)
            order.append(frontier)
            frontier = _next_level(lts.dst, offsets, seen, frontier)
            continue
        if walked is None:  # a large LTS's columns are sliced per state, not listed whole
            small = len(lts.dst) <= LISTED
            walked = (offsets.tolist() if small else offsets, lts.dst.tolist() if small
                      else lts.dst, memoryview(seen))
        starts, targets, mark = walked
        reached = frontier = list(frontier)
        while 0 < len(frontier) <= SMALL_LEVEL:  # levels in Python, kept as one list
            new = []
            for s in frontier:
                for t in targets[starts[s]:starts[s + 1]]:
                    if not mark[t]:
                        mark[t] = 1
                        new.append(t)
            reached += new
            frontier = new
        order.append(np.array(reached[:len(reached) - len(frontier)], dtype=np.int64))
    if walked is not None:
        walked[2].release()
    reach = np.concatenate(order) if order else np.zeros(0, dtype=np.int64)
    mapping = np.full(lts.num_states, -1, dtype=np.int64)
    mapping[reach] = np.arange(len(reach))
    keep = mapping[lts.src] >= 0
    return LTS.from_arrays(len(reach), 0, lts.labels, mapping[lts.src[keep]],
                           lts.label[keep], mapping[lts.dst[keep]])


def _next_level(dst: np.ndarray, offsets: np.ndarray, seen: np.ndarray,
                frontier: np.ndarray) -> np.ndarray:
    """The states first reached from ``frontier`` (marked in ``seen`` now), in
    the order of their first edge.

    Example:
        >>> seen = np.array([1, 0, 0], dtype=np.uint8)
        >>> _next_level(np.array([2, 1]), np.array([0, 2, 2, 2]), seen, np.array([0])).tolist()
        [2, 1]
    """
    starts, sizes = offsets[frontier], offsets[frontier + 1] - offsets[frontier]
    edges = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
    targets = dst[edges]
    targets = targets[seen[targets] == 0]
    found, first = np.unique(targets, return_index=True)
    new = found[np.argsort(first, kind="stable")].astype(np.int64)
    seen[new] = 1
    return new


def disjoint_union(left: LTS, right: LTS) -> tuple[LTS, int]:
    """Both LTSs side by side, labels merged by name; ``right``'s states are shifted.

    Returns:
        The union (initial state: ``left``'s) and the offset of ``right``'s states.

    Example:
        >>> u, off = disjoint_union(LTS.build(1, 0, [], []), LTS.build(2, 1, ["a"], [(1, "a", 0)]))
        >>> off, list(u.triples())
        (1, [(2, 'a', 1)])
    """
    names = list(left.labels) + [x for x in right.labels if left.label_index(x) is None]
    index = {x: i for i, x in enumerate(names)}
    remap = np.asarray([index[x] for x in right.labels], dtype=np.int64)
    off = left.num_states
    src = np.concatenate([left.src, right.src.astype(np.int64) + off])
    lab = np.concatenate([effective_labels(left), remap[effective_labels(right)]])
    dst = np.concatenate([left.dst, right.dst.astype(np.int64) + off])
    return LTS.from_arrays(off + right.num_states, left.initial, names, src, lab, dst), off


def _dense(blocks: np.ndarray) -> np.ndarray:
    _, dense = np.unique(blocks, return_inverse=True)
    return dense.astype(np.int32).reshape(-1)
