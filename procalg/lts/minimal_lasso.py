"""A divergence's τ-lasso, measured in the state graph minimised modulo strong bisimulation.

A divergence counterexample (``:[divergence free]``, ``[FD=``, determinism)
ends with a τ-lasso: the fewest τ-steps from the states its path reaches to
a state on a τ-cycle, then the shortest such cycle (the least pair). Counted
in the graph an engine explored, both lengths depend on the engine: the
product engine reduces each leaf modulo strong bisimulation, which folds a
τ-cycle of a leaf into a shorter one (a pure τ-cycle into a τ self-loop), and
the term rules reduce nothing. Counted in the *minimised* graph (the
quotient by strong bisimilarity, the coarsest: every engine's graph of a
process has the same one, up to isomorphism, as :mod:`procalg.lts.canonical`
uses for ``:[terminates]``'s lasso) they are the process's own: a state's
block depends only on what it can do, so the blocks the path reaches, their
τ-moves and hence the lasso's lengths are the same on every engine.

:func:`minimal_lasso` reads the lasso off the blocks of the entries'
τ-region (the states they reach by τ-moves: the lasso never leaves it) in an
explicit LTS holding every state reachable from them, and lifts its lead
back to the LTS's own states (a τ-move between blocks is one from every
member: bisimilar states match moves; ties between equal lassos go to the
least block by its least region state, then the least state). The region's
blocks are strong bisimilarity restricted to it, decided by the region's own
moves or the states near it where they can (:mod:`procalg.lts.tau_region`:
a fine and a coarse equivalence sandwich it), else read off the partition
of everything. :func:`lasso_from` (a successor function) and
:func:`codes_lasso` (a network's packed codes, in bulk) build the region
first and the whole graph (:func:`reached`, :func:`reached_codes`) only
when it cannot tell.

Complexity: O((r + e) log r) for the r states of the region and the e moves
leaving them, when they decide; else the strong partition (Paige and Tarjan,
"Three partition refinement algorithms", SIAM J. Comput. 16(6), 1987),
O(m log n) for the n states and m moves reachable from the entries; then
O(r + e) for the lasso (:func:`~procalg.lts.tau.lasso_states`). Only a
failing check pays it.

Example:
    >>> spin = LTS.build(4, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 3), (3, "τ", 1)])
    >>> minimal_lasso(spin, [1])  # the three τ-states are one block with a τ self-loop
    Lasso(lead=0, loop=1, states=(1,))
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from procalg.lts.code_sets import sorted_in
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK
from procalg.lts.paige_tarjan import strong_partition
from procalg.lts.signature_rounds import first_occurrence
from procalg.lts.tau import lasso_states, tau_forever
from procalg.lts.tau_region import (
    Moves,
    deeper_blocks,
    lts_region,
    near_blocks,
    region_blocks,
)
from procalg.lts.vectors import Tables
from procalg.lts.visited import sorted_unique

S = TypeVar("S", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Lasso:
    """A τ-lasso in the minimised graph.

    Attributes:
        lead: τ-steps from an entry to a state on a τ-cycle.
        loop: the length of the shortest τ-cycle there.
        states: the LTS's states along the lead, the entry first (``lead + 1``).
    """

    lead: int
    loop: int
    states: tuple[int, ...]


def minimal_lasso(lts: LTS, entries: Iterable[int], *, look_around: bool = True) -> Lasso:
    """The least τ-lasso from any divergent one of ``entries`` (``lts`` holds every
    state reachable from them), measured in ``lts`` minimised modulo strong
    bisimulation. Only the entries' τ-region is partitioned when its own moves
    decide its blocks (:mod:`procalg.lts.tau_region`), or (``look_around``)
    those of the states near it; else everything reachable.

    Example:
        >>> two = LTS.build(5, 0, ["a"], [(0, "τ", 1), (1, "τ", 0), (1, "a", 2),
        ...                               (3, "τ", 4), (4, "τ", 3), (4, "a", 2)])
        >>> minimal_lasso(two, [3]).loop, minimal_lasso(two, [0, 3]).states
        (2, (0,))
    """
    starts = np.asarray(sorted(set(entries)), np.int64)
    region, moves = lts_region(lts, starts)
    blocks = deeper_blocks(lts, region, moves) if look_around else None
    if blocks is None:  # they cannot tell: partition everything, keep R
        blocks = first_occurrence(np.asarray(strong_partition(lts))[region])
    return region_lasso(region, blocks, moves, np.searchsorted(region, starts))


def region_lasso(region: np.ndarray, blocks: np.ndarray, moves: Moves,
                 starts: np.ndarray) -> Lasso:
    """The least τ-lasso over the ``blocks`` of the τ-closed ``region`` (its states'
    names, in the order whose least member breaks ties) from the region indices
    ``starts``; the lead lifted to ``region``'s names.

    Example:
        >>> ring = Moves(np.array([0, 1, 1]), np.array([0, 0, 2]), np.array([1, 0, 2]))
        >>> region_lasso(np.array([7, 9]), np.array([0, 1]), ring, np.array([0]))
        Lasso(lead=0, loop=2, states=(7,))
    """
    k = int(blocks.max()) + 1 if len(blocks) else 0
    tau = moves.lab == TAU_INDEX
    tau_src, tau_dst = moves.src[tau], moves.dst[tau]
    edge = sorted_unique(blocks[tau_src].astype(np.int64) * k + blocks[tau_dst])
    alive, src, dst = tau_forever(k, edge // k, edge % k)
    starts = np.unique(starts)
    starts = starts[alive[blocks[starts]]]
    assert len(starts), "an entry can do τ for ever"
    lead, loop = lasso_states(k, src, dst, blocks[starts])
    run = [int(starts[blocks[starts] == lead[0]].min())]
    for block in lead[1:]:  # per block the least τ-successor in it (every member has one)
        out = tau_dst[tau_src == run[-1]]
        run.append(int(out[blocks[out] == block].min()))
    return Lasso(len(lead) - 1, loop, tuple(region[run].tolist()))


def lasso_from(starts: Sequence[S], moves: Callable[[S], Iterable[tuple[str, S]]]
               ) -> tuple[Lasso, list[S]]:
    """:func:`minimal_lasso` from ``starts`` over ``moves``: the τ-region walked,
    :func:`reached`'s whole LTS only when the region cannot tell its blocks;
    and the lead's states as the caller's own.

    Example:
        >>> graph = {"x": [("τ", "y")], "y": [("τ", "x"), ("a", "x")]}
        >>> lasso_from(["x"], graph.__getitem__)
        (Lasso(lead=0, loop=2, states=(0,)), ['x'])
    """
    for s in dict.fromkeys(starts):  # a τ self-loop: the least lasso, no graph needed
        if any(name == TAU and target == s for name, target in moves(s)):
            return Lasso(0, 1, (0,)), [s]
    region, own = _region_of(starts, moves)
    blocks = region_blocks(len(region), *own)
    if blocks is None:  # the region's moves cannot tell: everything reachable
        lts, states = reached(starts, moves)
        lasso = minimal_lasso(lts, range(len(set(starts))))
        return lasso, [states[i] for i in lasso.states]
    lasso = region_lasso(np.arange(len(region)), blocks, own, np.arange(len(set(starts))))
    return lasso, [region[i] for i in lasso.states]


def _region_of(starts: Sequence[S], moves: Callable[[S], Iterable[tuple[str, S]]]
               ) -> tuple[list[S], Moves]:
    """The states ``starts`` reach by τ-moves (the starts first, then breadth
    first) and every move of theirs, a target outside numbered past them."""
    number = {s: i for i, s in enumerate(dict.fromkeys(starts))}
    states = list(number)
    labels: dict[str, int] = {TAU: 0, TICK: 1}
    rows: list[tuple[int, int, S]] = []
    for here, state in enumerate(states):  # grows as it goes: a queue
        for name, target in moves(state):
            if name == TAU and target not in number:
                number[target] = len(states)
                states.append(target)
            rows.append((here, labels.setdefault(name, len(labels)), target))
    outside: dict[S, int] = {}
    dst = [number[t] if t in number else len(states) + outside.setdefault(t, len(outside))
           for _, _, t in rows]
    return states, Moves(np.asarray([r[0] for r in rows], np.int64),
                         np.asarray([r[1] for r in rows], np.int64), np.asarray(dst, np.int64))


def reached(starts: Sequence[S], moves: Callable[[S], Iterable[tuple[str, S]]]
            ) -> tuple[LTS, list[S]]:
    """The LTS of every state reachable from ``starts`` (``moves``: a state's
    ``(label name, target)`` moves), numbered breadth first, the starts ``0..``
    in their order; and the states by number. O(states + moves) Python work.

    Example:
        >>> lts, states = reached(["x"], {"x": [("a", "y")], "y": [("τ", "y")]}.__getitem__)
        >>> list(lts.triples()), states
        ([(0, 'a', 1), (1, 'τ', 1)], ['x', 'y'])
    """
    number: dict[S, int] = {}
    states: list[S] = []
    for s in starts:
        if s not in number:
            number[s] = len(states)
            states.append(s)
    labels: dict[str, int] = {TAU: 0, TICK: 1}
    rows: list[tuple[int, int, int]] = []
    for here, state in enumerate(states):  # grows as it goes: a queue
        for name, target in moves(state):
            if target not in number:
                number[target] = len(states)
                states.append(target)
            rows.append((here, labels.setdefault(name, len(labels)), number[target]))
    table = np.asarray(rows, np.int64).reshape(-1, 3)
    return LTS.from_arrays(len(states), 0, list(labels), *table.T), states


def codes_lasso(tables: Tables, codes: np.ndarray, known: np.ndarray | None = None) -> Lasso:
    """:func:`minimal_lasso` from packed ``codes`` (:func:`reached_codes`, ``known``
    as there); its states are codes. A code with a τ self-loop answers at once:
    ``(0, 1)`` is the least lasso there is.

    Example:
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "τ", 2), (2, "τ", 1), (2, "a", 0)])
        >>> tables = Tables(close(component(p)))
        >>> codes_lasso(tables, tables.layout.cast([0]))
        Lasso(lead=1, loop=2, states=(0, 1))
    """
    codes = sorted_unique(codes)
    src, dst, lab = tables.successors(codes)
    spin = src[(lab == TAU_INDEX) & (dst == codes[src])]
    if len(spin):
        return Lasso(0, 1, (int(codes[int(spin.min())]),))
    region, own = _codes_region(tables, codes)
    blocks = region_blocks(len(region), *own)
    if blocks is None and known is not None:  # the states near it, ``known`` the total

        def expand(states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            src, dst, lab = tables.successors(states)
            return states[src], lab, dst

        blocks = near_blocks(expand, len(known), region)
    if blocks is not None:
        return region_lasso(region, blocks, own, np.searchsorted(region, codes))
    lts, seen = reached_codes(tables, codes, known)  # they cannot tell: everything
    lasso = minimal_lasso(lts, np.searchsorted(seen, codes).tolist(), look_around=known is None)
    return Lasso(lasso.lead, lasso.loop, tuple(seen[list(lasso.states)].tolist()))


def _bulk_reach(tables: Tables, codes: np.ndarray, *, tau_only: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Breadth first in bulk from the sorted ``codes`` (int64, or Python ints past
    62 bits), following every move or only τ-moves: the sorted codes reached and
    every move of theirs as (source code, label, target code) columns."""
    seen = frontier = codes
    srcs, labs, dsts = [], [], []
    while len(frontier):
        src, dst, lab = tables.successors(frontier)
        srcs.append(frontier[src])
        labs.append(lab)
        dsts.append(dst)
        new = sorted_unique(dst[lab == TAU_INDEX] if tau_only else dst)
        frontier = new[~sorted_in(seen, new)]
        seen = sorted_unique(np.concatenate((seen, frontier)))
    src, lab, dst = (np.concatenate(x) for x in (srcs, labs, dsts))
    return seen, src, lab, dst


def _codes_region(tables: Tables, codes: np.ndarray) -> tuple[np.ndarray, Moves]:
    """The sorted codes ``codes`` reach by τ-moves, breadth first in bulk, and
    every move of theirs (positions in them; a target outside numbered past them)."""
    seen, src, lab, dst = _bulk_reach(tables, codes, tau_only=True)
    inside = sorted_in(seen, dst)
    at = np.searchsorted(seen, dst).astype(np.int64)
    at[~inside] = len(seen) + np.unique(dst[~inside], return_inverse=True)[1].reshape(-1)
    return seen, Moves(np.searchsorted(seen, src).astype(np.int64), lab.astype(np.int64), at)


def reached_codes(tables: Tables, codes: np.ndarray, known: np.ndarray | None = None
                  ) -> tuple[LTS, np.ndarray]:
    """The LTS of every packed code reachable from ``codes`` (expanded already, as
    after a search), breadth first in bulk; its states are the sorted codes returned
    (``np.searchsorted`` gives a code's state). O(m log n) numpy work; ``known``
    (every reachable code, sorted: a finished search's) marks the codes met in a
    mask instead of merging a sorted set per level.

    Example:
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 1)])
        >>> tables = Tables(close(component(p)))
        >>> lts, seen = reached_codes(tables, tables.layout.cast([1]))
        >>> lts.num_states, lts.num_transitions, minimal_lasso(lts, [0]).loop
        (2, 2, 1)
    """
    if known is not None:
        return _reached_known(tables, codes, known)
    seen, src, lab, dst = _bulk_reach(tables, sorted_unique(codes), tau_only=False)
    start = int(np.searchsorted(seen, codes[0])) if len(codes) else 0
    return (LTS.from_arrays(len(seen), start, tables.labels, np.searchsorted(seen, src), lab,
                            np.searchsorted(seen, dst)), seen)


def _reached_known(tables: Tables, codes: np.ndarray, known: np.ndarray
                   ) -> tuple[LTS, np.ndarray]:
    """:func:`reached_codes` over positions in ``known``, a mask of those met."""
    met = np.zeros(len(known), bool)
    frontier = np.searchsorted(known, sorted_unique(codes))
    met[frontier] = True
    srcs, labs, dsts = [], [], []
    while len(frontier):
        src, dst, lab = tables.successors(known[frontier])
        at = np.searchsorted(known, dst)
        srcs.append(frontier[src])
        labs.append(lab)
        dsts.append(at)
        frontier = sorted_unique(at[~met[at]])
        met[frontier] = True
    number = np.cumsum(met) - 1  # a known position's state among those met
    src, lab, dst = (np.concatenate(x) for x in (srcs, labs, dsts))
    return (LTS.from_arrays(int(met.sum()), int(number[np.searchsorted(known, codes[0])]),
                            tables.labels, number[src], lab, number[dst]), known[met])
