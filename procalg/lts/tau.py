"""τ-structure of an LTS: τ-SCCs, their collapse, and τ-closures.

Weak and branching bisimulation both identify the states of a τ-cycle, so
both start by collapsing τ-strongly-connected components (as mCRL2 does
before ``branching-bisim``); afterwards the τ-transitions form a DAG that
can be processed in topological order. Labels named in ``lts.hidden`` count
as τ here and in everything built on this module.

Complexity: :func:`tau_sccs` is Tarjan's algorithm (``lts/components.py``),
O(n + m). :func:`tau_closure` is O(n · n) in the worst case (reachability
sets are materialised), which is inherent to τ-saturation.

Example:
    >>> lts = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "τ", 0), (1, "a", 2)])
    >>> tau_sccs(lts).tolist()
    [0, 0, 1]
    >>> collapse_tau_sccs(lts)[0].num_states
    2
    >>> [sorted(c) for c in tau_closure(lts)]
    [[0, 1], [0, 1], [2]]
"""

from __future__ import annotations

import numpy as np

from procalg.lts.components import strong_components
from procalg.lts.lts import LTS, TAU_INDEX


def effective_labels(lts: LTS) -> np.ndarray:
    """The label array with hidden labels mapped to τ (index 0).

    Example:
        >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1)], hidden=["a"])
        >>> effective_labels(lts).tolist()
        [0]
    """
    if not lts.hidden:
        return lts.label
    hidden = np.array([name in lts.hidden for name in lts.labels], dtype=bool)
    return np.where(hidden[lts.label], TAU_INDEX, lts.label).astype(np.int32)


def tau_successors(lts: LTS) -> list[list[int]]:
    """For each state, the targets of its τ-transitions (self-loops included)."""
    labels = effective_labels(lts)
    succ: list[list[int]] = [[] for _ in range(lts.num_states)]
    taus = labels == TAU_INDEX
    for s, d in zip(lts.src[taus].tolist(), lts.dst[taus].tolist(), strict=True):
        succ[s].append(d)
    return succ


def closed_under_tau(states: list[int], taus: list[list[int]]) -> frozenset[int]:
    """``states`` and every state reachable from them by τ-steps (``taus``: per state,
    its τ-targets, as :func:`tau_successors` gives). Depth first, O(states reached +
    their τ-transitions): one normal-form node at a time, not all-pairs.

    Example:
        >>> sorted(closed_under_tau([0], [[1], [2], [], [0]]))
        [0, 1, 2]
    """
    seen, todo = set(states), list(states)
    while todo:
        for d in taus[todo.pop()]:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return frozenset(seen)


def has_cycle(n: int, src: np.ndarray, dst: np.ndarray) -> bool:
    """Whether the graph on ``0..n-1`` with edges ``src -> dst`` has a cycle:
    Kahn's algorithm in bulk, peeling every source at once until nothing or
    a cycle remains (Kahn 1962; O(rounds · edges) with numpy, no Python per edge).

    Example:
        >>> edges = np.array([0, 1]), np.array([1, 0])
        >>> has_cycle(3, np.array([0, 1]), np.array([1, 2])), has_cycle(2, *edges)
        (False, True)
    """
    indeg = np.bincount(dst, minlength=n)
    alive = np.ones(n, dtype=bool)
    while True:
        peel = alive & (indeg == 0)
        if not peel.any():
            return bool(alive.any())  # each survivor is entered from a survivor
        alive &= ~peel
        out = peel[src]
        indeg -= np.bincount(dst[out], minlength=n)
        src, dst = src[~out], dst[~out]


def tau_sccs(lts: LTS) -> np.ndarray:
    """Component number per state for the τ-subgraph (Tarjan, iterative).

    Components are numbered in reverse topological order: every τ-edge
    between different components goes from a higher to a lower number.
    """
    comp = strong_components(tau_successors(lts))
    return np.asarray(comp, dtype=np.int32)


def collapse_tau_sccs(lts: LTS) -> tuple[LTS, np.ndarray]:
    """Merge every τ-SCC into one state and drop the τ-self-loops this makes.

    Returns:
        The collapsed LTS (hidden labels become τ) and the component number
        of every original state (a state of the collapsed LTS).
    """
    comp = tau_sccs(lts)
    labels = effective_labels(lts)
    src, dst = comp[lts.src], comp[lts.dst]
    keep = ~((labels == TAU_INDEX) & (src == dst))
    ncomp = int(comp.max()) + 1 if lts.num_states else 0
    collapsed = LTS.from_arrays(ncomp, int(comp[lts.initial]), lts.labels,
                                src[keep], labels[keep], dst[keep])
    return collapsed, comp


def tau_closure(lts: LTS) -> list[frozenset[int]]:
    """For each state, the set of states reachable by zero or more τ-steps.

    Computed per τ-SCC in reverse topological order, so each component's
    set is the union of its members and its successors' sets.
    """
    comp = tau_sccs(lts).tolist()
    succ = tau_successors(lts)
    ncomp = max(comp) + 1 if comp else 0
    members: list[list[int]] = [[] for _ in range(ncomp)]
    for s, c in enumerate(comp):
        members[c].append(s)
    reach: list[frozenset[int]] = []
    for c in range(ncomp):  # successors of c have lower numbers: already done
        acc = set(members[c])
        for s in members[c]:
            for d in succ[s]:
                if comp[d] != c:
                    acc |= reach[comp[d]]
        reach.append(frozenset(acc))
    return [reach[c] for c in comp]


def is_divergent(lts: LTS) -> np.ndarray:
    """Boolean mask of states that can perform an infinite sequence of τ-steps."""
    comp = tau_sccs(lts)
    succ = tau_successors(lts)
    ncomp = int(comp.max()) + 1 if lts.num_states else 0
    on_cycle = np.zeros(ncomp, dtype=bool)
    sizes = np.bincount(comp, minlength=ncomp)
    on_cycle[sizes > 1] = True
    for s, targets in enumerate(succ):
        if s in targets:
            on_cycle[comp[s]] = True
    # Components are in reverse topological order: propagate upwards.
    comp_list = comp.tolist()
    for c_s, targets in sorted(((comp_list[s], t) for s, t in enumerate(succ)),
                               key=lambda x: x[0]):
        if not on_cycle[c_s] and any(on_cycle[comp_list[d]] for d in targets):
            on_cycle[c_s] = True
    return on_cycle[comp]


def shortest_lasso(n: int, src: np.ndarray, dst: np.ndarray,
                   starts: np.ndarray) -> tuple[int, int]:
    """The τ-lasso of a divergence counterexample: fewest τ-steps from any of
    ``starts`` to a state on a τ-cycle, then the shortest τ-cycle through a
    state that near (``(lead, cycle)``, the least pair; :func:`lasso_states`).

    Example:
        >>> edges = np.array([0, 1, 2, 3, 4]), np.array([1, 2, 1, 4, 3])
        >>> shortest_lasso(5, *edges, np.array([0]))  # 0 -> 1 <-> 2
        (1, 2)
        >>> shortest_lasso(5, *edges, np.array([0, 3]))  # 3 is on the cycle 3 <-> 4
        (0, 2)
    """
    lead, loop = lasso_states(n, src, dst, starts)
    return len(lead) - 1, loop


def lasso_states(n: int, src: np.ndarray, dst: np.ndarray,
                 starts: np.ndarray) -> tuple[list[int], int]:
    """:func:`shortest_lasso` with the lead's states: from a start to the state on
    the cycle (ties: the least such state, then each step back the least state one
    nearer the starts), and the cycle's length.

    ``src -> dst`` (states ``0..n-1``) must be τ-edges among states that can do
    τ forever (each has a τ-successor among them), so a cycle is always reached.
    First each start is asked for its shortest way back (usually one is on a
    cycle). Else breadth-first distances from ``starts`` in bulk; the reached
    states that have no τ-predecessor among them are peeled off (Kahn 1962:
    they lie on no cycle), and the survivors, nearest first, are asked.
    O(n + m) per state asked.

    Example:
        >>> edges = np.array([0, 1, 2, 3, 4]), np.array([1, 2, 1, 4, 3])
        >>> lasso_states(5, *edges, np.array([0]))
        ([0, 1], 2)
    """
    offsets, targets = _compressed(n, src, dst)
    starts = np.unique(np.asarray(starts, np.int64))
    everywhere = np.ones(n, bool)
    near, at = _shortest_cycles(offsets, targets, starts.tolist(), everywhere)
    if near is not None:  # a start is on a cycle (the usual case): no need for the region
        return [at], near
    dist = _distances(offsets, targets, starts, everywhere)
    cyclic = _peel_sources(offsets, targets, np.flatnonzero(dist >= 0))
    candidates = np.flatnonzero(cyclic)
    for lead in np.unique(dist[candidates]).tolist():  # nearest first; a survivor of the
        # peel lies on a cycle or after one, so a few rounds at most
        loop, at = _shortest_cycles(offsets, targets,
                                    candidates[dist[candidates] == lead].tolist(), cyclic)
        if loop is not None:
            return _way_back(offsets, targets, dist, at), loop
    raise AssertionError("every state here can do τ forever, so a τ-cycle is reached")


def tau_forever(n: int, src: np.ndarray, dst: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which of the states ``0..n-1`` have an infinite path along the edges
    ``src -> dst`` (τ-moves: they can do τ for ever), and the edges among them.
    States without a successor are peeled off round by round (rounds: the
    longest path to a dead end), O(rounds · m) numpy work; the edges are
    compacted once fewer than half are left (the caller's arrays stay alive
    meanwhile: a copy every round would double a passing check's peak). Once
    a round peels fewer than one edge's worth in :data:`THIN` (a long τ-chain
    to a dead end: one state a round, quadratic), the rest is peeled from a
    worklist over the live edges' predecessor lists (Kahn's topological
    peel), O(m) Python steps at most (:func:`_peel_rest`).

    Example:
        >>> alive, src, dst = tau_forever(4, np.array([0, 1, 2, 3]), np.array([1, 2, 1, 0]))
        >>> alive.tolist(), src.tolist()
        ([True, True, True, True], [0, 1, 2, 3])
        >>> tau_forever(3, np.array([0, 1]), np.array([1, 2]))[0].tolist()
        [False, False, False]
    """
    alive = np.ones(n, dtype=bool)
    outdeg = np.bincount(src, minlength=n)
    live = np.ones(len(src), dtype=bool)
    while True:
        dying = alive & (outdeg == 0)
        count = int(np.count_nonzero(dying))
        if not count:
            return (alive, src, dst) if live.all() else (alive, src[live], dst[live])
        if count * THIN < len(src):  # a thin round: the rest from a worklist
            src, dst = src[live], dst[live]
            _peel_rest(alive, dying, outdeg, src, dst)
            keep = alive[dst]  # an edge into a peeled state went with it
            return alive, src[keep], dst[keep]
        alive &= ~dying
        cut = dying[dst]
        cut &= live
        outdeg -= np.bincount(src[cut], minlength=n)
        live &= ~cut
        del cut
        if 2 * int(np.count_nonzero(live)) < len(live):
            src, dst = src[live], dst[live]
            live = np.ones(len(src), dtype=bool)


THIN = 256
"""A peel round taking fewer states than the edges over this goes to the worklist."""


def _peel_rest(alive: np.ndarray, dying: np.ndarray, outdeg: np.ndarray, src: np.ndarray,
               dst: np.ndarray) -> None:
    """Finish :func:`tau_forever`'s peel from the states ``dying`` (alive, no
    live successor): clear in ``alive`` every state all of whose paths end.
    ``src -> dst`` are the live edges, ``outdeg`` counts them per state."""
    order = np.argsort(dst, kind="stable")
    into = np.searchsorted(dst[order], np.arange(len(alive) + 1)).tolist()
    preds = src[order].tolist()
    left = outdeg.tolist()
    queue = np.flatnonzero(dying).tolist()
    alive[queue] = False
    gone = [False] * len(alive)
    for x in queue:
        gone[x] = True
    while queue:
        x = queue.pop()
        for s in preds[into[x]: into[x + 1]]:
            left[s] -= 1
            if not left[s] and not gone[s]:
                gone[s] = True
                queue.append(s)
    alive[np.flatnonzero(np.array(gone, dtype=bool))] = False


def _shortest_cycles(offsets: np.ndarray, targets: np.ndarray, states: list[int],
                     allowed: np.ndarray) -> tuple[int | None, int]:
    """The shortest τ-cycle through any of ``states`` (``None``: none is on one) and
    the first state with one that short; each search stops at the shortest length
    found so far."""
    best: int | None = None
    at = -1
    for x in states:
        back = _distances(offsets, targets, targets[offsets[x]:offsets[x + 1]], allowed,
                          goal=x, within=None if best is None else best - 1)
        if back[x] >= 0 and (best is None or back[x] + 1 < best):
            best, at = int(back[x]) + 1, x
    return best, at


def _way_back(offsets: np.ndarray, targets: np.ndarray, dist: np.ndarray,
              end: int) -> list[int]:
    """A shortest path from the states at distance 0 to ``end``: each step back the
    least state one nearer with a move to the state after it."""
    path = [end]
    for d in range(int(dist[end]) - 1, -1, -1):
        path.append(next(s for s in np.flatnonzero(dist == d).tolist()
                         if path[-1] in targets[offsets[s]:offsets[s + 1]].tolist()))
    return path[::-1]


def _compressed(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and targets of the graph's adjacency lists."""
    src, dst = np.asarray(src), np.asarray(dst, np.int64)
    if len(src) > 1 and (src[1:] < src[:-1]).any():  # the product's come sorted
        order = np.argsort(src, kind="stable")
        src, dst = src[order], dst[order]
    return np.searchsorted(src, np.arange(n + 1)).astype(np.int64), dst


def _distances(offsets: np.ndarray, targets: np.ndarray, starts: np.ndarray,
               allowed: np.ndarray, goal: int | None = None,
               within: int | None = None) -> np.ndarray:
    """Breadth-first distance from ``starts`` within ``allowed`` (``-1``: unreached),
    one numpy step per level; stopped once ``goal`` is reached, or past ``within``
    steps, if given."""
    dist = np.full(len(offsets) - 1, -1, np.int64)
    frontier = np.unique(starts[allowed[starts]])
    dist[frontier] = 0
    depth = 0
    while len(frontier) and (goal is None or dist[goal] < 0) and (
            within is None or depth < within):
        lo, size = offsets[frontier], offsets[frontier + 1] - offsets[frontier]
        nxt = targets[np.repeat(lo - np.cumsum(size) + size, size) + np.arange(size.sum())]
        frontier = np.unique(nxt[allowed[nxt] & (dist[nxt] < 0)])
        depth += 1
        dist[frontier] = depth
    return dist


def _peel_sources(offsets: np.ndarray, targets: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Mask of the ``region`` states left after repeatedly removing those with no
    predecessor left in it (a queue, not rounds: lead-ins can be long chains)."""
    n = len(offsets) - 1
    lo, size = offsets[region], offsets[region + 1] - offsets[region]
    edges = targets[np.repeat(lo - np.cumsum(size) + size, size) + np.arange(size.sum())]
    counts = np.bincount(edges, minlength=n)
    inside = np.zeros(n, bool)
    inside[region] = True
    queue = region[counts[region] == 0].tolist()
    if not queue:
        return inside
    indeg, removed = counts.tolist(), []
    while queue:
        s = queue.pop()
        removed.append(s)
        for d in targets[offsets[s]:offsets[s + 1]].tolist():
            indeg[d] -= 1
            if indeg[d] == 0:
                queue.append(d)
    inside[removed] = False
    return inside
