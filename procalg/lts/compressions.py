"""The reductions behind CSPM's compression functions, LTS to LTS.

Each takes an explored LTS and gives one that the compressed process is
(FDR manual, "Compression"; Roscoe, *Understanding Concurrent Systems*,
ch. 16); :mod:`procalg.semantics.compress` explores the operand and wraps
the result. See that module for what each keeps.

Example:
    >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    >>> REDUCTIONS["sbisim"](lts).num_states
    1
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lts import LTS, TAU_INDEX, TICK_INDEX
from procalg.lts.normal_pruned import pruned_normal_lts
from procalg.lts.normal_table import normal_lts as table_lts
from procalg.lts.partition import Bisimulation, bfs_renumber, minimize
from procalg.lts.tau import collapse_tau_sccs, effective_labels, tau_sccs, tau_successors


def _tau_loop_factor(lts: LTS) -> LTS:
    collapsed, comp = collapse_tau_sccs(lts)
    labels = effective_labels(lts)
    loops = np.unique(comp[lts.src[(labels == 0) & (comp[lts.src] == comp[lts.dst])]])
    if not len(loops):
        return bfs_renumber(collapsed)
    src = np.concatenate([collapsed.src, loops])
    lab = np.concatenate([collapsed.label, np.zeros(len(loops), dtype=np.int64)])
    dst = np.concatenate([collapsed.dst, loops])
    return bfs_renumber(LTS.from_arrays(collapsed.num_states, collapsed.initial,
                                        collapsed.labels, src, lab, dst))


def normal_lts(lts: LTS) -> LTS:
    """The normal form of ``lts`` as an LTS (see the module notes).

    Example:
        >>> p = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 1), (2, "b", 2)])
        >>> n = normal_lts(p)
        >>> n.num_states, sorted({lab for _, lab, _ in n.triples()})
        (5, ['a', 'b', 'τ'])
    """
    if _deterministic(lts):  # every node one state, offering its initials
        dst = np.where(lts.label == TICK_INDEX, lts.src, lts.dst)
        return bfs_renumber(LTS.from_arrays(lts.num_states, lts.initial, lts.labels,
                                            lts.src, lts.label, dst))
    try:  # on arrays, a BFS level at a time, while the sets stay few
        return table_lts(lts, max_nodes=4 * lts.num_states + 1000)
    except LimitExceeded:  # many sets: leave dominated members out of each
        pruned = pruned_normal_lts(lts)
    return pruned if pruned is not None else table_lts(lts)


_TICK_ONLY = frozenset({TICK_INDEX})


def _deterministic(lts: LTS) -> bool:
    """No τ, at most one move per label from a state, ✓ never beside another move: the
    normal form is ``lts`` itself (Roscoe, *UCS* §16.1), but for ✓'s target.

    Example:
        >>> _deterministic(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)]))
        True
        >>> _deterministic(LTS.build(2, 0, ["a"], [(0, "a", 1), (0, "a", 0)]))
        False
    """
    labels = effective_labels(lts).astype(np.int64)
    if (labels == TAU_INDEX).any():
        return False
    keys = np.sort(lts.src.astype(np.int64) * len(lts.labels) + labels)
    if (keys[1:] == keys[:-1]).any():
        return False
    ticking = lts.src[labels == TICK_INDEX]
    moves = np.bincount(lts.src, minlength=lts.num_states)
    return bool((moves[ticking] == 1).all())


def _closures_and_divergence(lts: LTS, dag: LTS, comp: np.ndarray
                             ) -> tuple[list[frozenset[int]], list[bool]]:
    """Each state of ``dag`` (``lts`` with its τ-SCCs merged, ``comp`` giving each
    state's component) with its τ-closure, and whether it can diverge.

    The components are numbered in reverse topological order (a τ-step of ``dag``
    goes to a lower number), so one ascending pass computes both: a closure is
    the state and its τ-successors' closures; a state diverges if its component
    has a τ-cycle in ``lts`` or a τ-successor diverges. O(n + m) passes plus the
    sizes of the closures, instead of a strongly-connected-component search each.

    Example:
        >>> p = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "τ", 1), (0, "a", 2)])
        >>> dag, comp = collapse_tau_sccs(p)
        >>> reach, div = _closures_and_divergence(p, dag, comp)
        >>> sorted(len(r) for r in reach), sorted(div)
        ([1, 1, 2], [False, True, True])
    """
    n = dag.num_states
    labels = effective_labels(lts)
    cyclic = np.bincount(comp, minlength=n) > 1
    cyclic[comp[lts.src[(labels == TAU_INDEX) & (lts.src == lts.dst)]]] = True
    succ = tau_successors(dag)
    divergent = cyclic.tolist()
    reach: list[frozenset[int]] = []
    for c in range(n):
        targets = succ[c]
        if not targets:
            reach.append(frozenset((c,)))
            continue
        reach.append(frozenset((c,)).union(*(reach[d] for d in targets)))
        divergent[c] = divergent[c] or any(divergent[d] for d in targets)
    return reach, divergent


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``keys`` sorted without repeats (sort-based: numpy's hash-based unique is slower here)."""
    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _expand(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR ``offsets`` and row numbers ``rows``: each entry's index and its row's position.

    Example:
        >>> _expand(np.array([0, 2, 3]), np.array([1, 0]))
        (array([2, 0, 1]), array([0, 1, 1]))
    """
    counts = offsets[rows + 1] - offsets[rows]
    total = int(counts.sum())
    starts = np.repeat(offsets[rows] - np.cumsum(counts) + counts, counts)
    return starts + np.arange(total), np.repeat(np.arange(len(rows)), counts)


def _minimal_moves(dag: LTS, closure: list[frozenset[int]]) -> np.ndarray:
    """For every state ``s`` of ``dag`` (τ-acyclic), its diamond moves as sorted keys
    ``(s * L + x) * n + d``: the visible non-✓ moves of ``τ*(s)``, an ``x``-target
    kept unless τ-reachable from another ``x``-target of ``τ*(s)``. On arrays: the
    pairs (state, member of its closure) joined with the members' moves, then
    with the strict τ-reachability pairs to find the covered targets.

    Example:
        >>> p = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "a", 2), (1, "τ", 2)])
        >>> dag, comp = collapse_tau_sccs(p)   # state 1 (node 2) covers state 2 (node 1)
        >>> moves = _minimal_moves(dag, _closures_and_divergence(p, dag, comp)[0])
        >>> [(int(k) // 3 // 3, int(k) // 3 % 3, int(k) % 3) for k in moves]  # a = 2
        [(0, 2, 2)]
    """
    n, width = dag.num_states, len(dag.labels)
    sizes = np.fromiter(map(len, closure), np.int64, n)
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    member = np.fromiter(itertools.chain.from_iterable(closure), np.int64, int(sizes.sum()))
    labels = effective_labels(dag).astype(np.int64)
    moving = (labels != TAU_INDEX) & (labels != TICK_INDEX)
    src, lab, dst = dag.src[moving].astype(np.int64), labels[moving], dag.dst[moving]
    order = np.argsort(src, kind="stable")
    src, lab, dst = src[order], lab[order], dst[order].astype(np.int64)
    edges, pair = _expand(np.searchsorted(src, np.arange(n + 1)), member)
    moves = _sorted_unique((owner[pair] * width + lab[edges]) * n + dst[edges])
    strict = owner != member  # (o, d): d strictly τ-reachable from o, grouped by o
    below_of, below = owner[strict], member[strict]
    found, pair = _expand(np.searchsorted(below_of, np.arange(n + 1)), moves % n)
    covered = _sorted_unique(moves[pair] - moves[pair] % n + below[found])
    if not len(covered):
        return moves
    at = np.minimum(np.searchsorted(covered, moves), len(covered) - 1)
    return moves[covered[at] != moves]


def diamond_lts(lts: LTS) -> LTS:
    """Diamond elimination (FDR2 manual, section 5.2.2.2; Roscoe et al., *Hierarchical
    compression for model-checking CSP*, TACAS 1995; Roscoe, *Understanding
    Concurrent Systems*, ch. 16).

    First every τ-SCC is merged (so τ-reachability is a partial order), a
    merged state with a τ-cycle being *divergent*. A node ``N`` then stands
    for its τ-closure ``τ*(N)``; it is divergent if a member is; its minimal
    acceptances are those of the members that are stable (or ``{✓}`` for a
    member that can terminate); for each event ``a`` some member can do, ``N
    --a--> M`` for each ``M`` in ``min(N after a)``, the targets of ``a`` from
    ``τ*(N)`` that are not τ-reachable from another such target (the others
    are covered by the closure of a minimal one). Only the nodes reachable by
    these moves from the initial one are kept, which removes the "diamonds" of
    interleaved τ-steps.

    The result is a node-labelled LTS; here it is encoded as a plain LTS the
    same way as :func:`normal_lts`: a node whose one minimal acceptance is
    its set of initials keeps only its visible moves; otherwise it also has
    a τ to one stable state per minimal acceptance (offering that set, to
    the same targets), and a divergent node a τ-self-loop. So the result is
    failures-divergences equivalent to ``lts``, and τ-free except for these
    encoding τ-steps.

    The moves of all nodes are computed on arrays (:func:`_minimal_moves`);
    only the nodes with τ-steps, ✓ or divergence are visited one by one for
    their acceptances (a node of one stable state accepts its initials).

    Complexity: O(n + m) for the SCCs, O(Σ|τ*(N)|) for the τ-closures (O(n²)
    at worst), O(Σ|τ*(N)| · d · log) for the moves and their covering targets.

    Example:
        >>> p = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (0, "b", 2), (1, "b", 3),
        ...                                  (2, "τ", 3)])
        >>> d = diamond_lts(p)   # (a -> STOP ||| b -> STOP) \\ {a}: b -> STOP
        >>> d.num_states, list(d.triples())
        (2, [(0, 'b', 1)])
    """
    dag, comp = collapse_tau_sccs(lts)
    closure, divergent = _closures_and_divergence(lts, dag, comp)
    n, width = dag.num_states, len(dag.labels)
    moves = _minimal_moves(dag, closure)
    labels = effective_labels(dag).tolist()
    offsets = np.searchsorted(dag.src, np.arange(n + 1)).tolist()
    ticking = np.zeros(n, dtype=bool)
    ticking[dag.src[effective_labels(dag) == TICK_INDEX]] = True
    rows = _rows(moves, n)
    src: list[int] = []
    lab: list[int] = []
    dst: list[int] = []
    count = n
    for node in range(n):
        members = closure[node]
        if len(members) == 1 and not divergent[node] and not ticking[node]:
            continue  # one stable state: it accepts its initials, its moves are all
        initials, offers = _acceptances(members, labels, offsets)
        minimal = [a for a in offers if not any(b < a for b in offers)]
        if TICK_INDEX in initials:
            src.append(node), lab.append(TICK_INDEX), dst.append(node)  # ✓ leads to Ω
        if divergent[node]:
            src.append(node), lab.append(TAU_INDEX), dst.append(node)
        if divergent[node] or len(minimal) != 1 or minimal[0] != initials:
            for acc in sorted(minimal, key=sorted):
                src.append(node), lab.append(TAU_INDEX), dst.append(count)
                for x in sorted(acc):
                    if x == TICK_INDEX:
                        src.append(count), lab.append(TICK_INDEX), dst.append(count)
                        continue
                    row = rows.get(node * width + x, ())
                    src += [count] * len(row)
                    lab += [x] * len(row)
                    dst += row
                count += 1
    every = LTS.from_arrays(count, dag.initial, dag.labels,
                            np.concatenate((moves // n // width, src)).astype(np.int64),
                            np.concatenate(((moves // n) % width, lab)).astype(np.int64),
                            np.concatenate((moves % n, dst)).astype(np.int64))
    return bfs_renumber(every)


def _rows(moves: np.ndarray, n: int) -> dict[int, list[int]]:
    """The targets of sorted move keys ``k * n + d`` by ``k`` (one pass: a lookup per
    node, acceptance and event was two binary searches, most of a large diamond).

    Example:
        >>> _rows(np.array([3, 4, 10]), 3)
        {1: [0, 1], 3: [1]}
    """
    if not len(moves):
        return {}
    keys, targets = moves // n, (moves % n).tolist()
    starts = [0, *(np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist(), len(keys)]
    return {k: targets[a:b] for k, a, b in
            zip(keys[starts[:-1]].tolist(), starts[:-1], starts[1:], strict=True)}


def _acceptances(members: frozenset[int], labels: list[int], offsets: list[int]
                 ) -> tuple[frozenset[int], set[frozenset[int]]]:
    """A diamond node's initials (the visible events of the τ-closure ``members``) and
    the acceptances of its stable members (``{✓}`` for one that can terminate).
    ``labels`` are the τ-collapsed LTS's label codes in source order, ``offsets``
    where each state's transitions start.

    Example:
        >>> _acceptances(frozenset({0, 1}), [0, 2, 2], [0, 2, 3])
        (frozenset({2}), {frozenset({2})})
    """
    initials: set[int] = set()
    offers: set[frozenset[int]] = set()
    for s in members:
        events = set(labels[offsets[s]:offsets[s + 1]])
        stable = TAU_INDEX not in events
        events.discard(TAU_INDEX)
        initials |= events
        if TICK_INDEX in events:
            offers.add(_TICK_ONLY)
        elif stable:
            offers.add(frozenset(events))
    return frozenset(initials), offers


DIVERGES = "⇑"
"""A label no event has: marks the divergent states while :func:`dbisim_lts` partitions."""


def divergent_states(lts: LTS) -> np.ndarray:
    """Whether each state can perform an infinite sequence of τ-steps (it reaches a
    τ-cycle by τ-steps). One pass over the τ-SCCs, which :func:`tau_sccs` numbers in
    reverse topological order (a τ-step between components goes to a lower number).

    Example:
        >>> p = LTS.build(4, 0, ["a"], [(0, "τ", 1), (1, "τ", 2), (2, "τ", 1), (0, "a", 3)])
        >>> divergent_states(p).tolist()
        [True, True, True, False]
    """
    comp = tau_sccs(lts)
    labels = effective_labels(lts)
    n = int(comp.max()) + 1 if lts.num_states else 0
    taus = labels == TAU_INDEX
    src, dst = comp[lts.src[taus]], comp[lts.dst[taus]]
    cyclic = np.bincount(comp, minlength=n) > 1
    cyclic[src[src == dst]] = True
    order = np.argsort(src, kind="stable")
    src, dst = src[order].tolist(), dst[order].tolist()
    divergent = cyclic.tolist()
    at = 0
    for c in range(n):  # ascending: every τ-successor component is decided already
        while at < len(src) and src[at] == c:
            divergent[c] = divergent[c] or divergent[dst[at]]
            at += 1
    return np.asarray(divergent, dtype=bool)[comp]


def dbisim_lts(lts: LTS) -> LTS:
    """A quotient for FDR's ``dbisim``: the process up to divergence-respecting weak
    bisimulation (a weak bisimulation that relates a divergent state only to
    divergent ones; Roscoe, *Understanding Concurrent Systems*, ch. 16), which
    keeps stable failures and divergences, as every FDR model needs.

    Each divergent state gets a self-loop on the fresh visible label
    :data:`DIVERGES`, the *branching* bisimulation quotient is taken (van
    Glabbeek and Weijland, 1996: finer than weak bisimulation, so the result is
    the same process up to ``dbisim``, and computed by signature refinement
    without τ-saturation, whose bit matrices per label are out of reach for
    generated models' wide channels), and the marks become τ-self-loops: a
    block diverges exactly when its states do (the marks keep divergent and
    non-divergent states in different blocks).

    Example:
        >>> p = LTS.build(4, 0, ["a"], [(0, "τ", 1), (1, "a", 2), (2, "τ", 3), (3, "τ", 2)])
        >>> q = dbisim_lts(p)   # τ -> a -> DIV: a -> DIV, two states
        >>> q.num_states, sorted(q.triples())
        (2, [(0, 'a', 1), (1, 'τ', 1)])
    """
    marked = divergent_states(lts).nonzero()[0]
    code = len(lts.labels)
    src = np.concatenate((lts.src, marked)).astype(np.int64)
    lab = np.concatenate((effective_labels(lts), np.full(len(marked), code))).astype(np.int64)
    dst = np.concatenate((lts.dst, marked)).astype(np.int64)
    quotient = minimize(LTS.from_arrays(lts.num_states, lts.initial, [*lts.labels, DIVERGES],
                                        src, lab, dst), Bisimulation.BRANCHING)
    labels = effective_labels(quotient).astype(np.int64)
    labels[labels == code] = TAU_INDEX
    return LTS.from_arrays(quotient.num_states, quotient.initial, lts.labels,
                           quotient.src, labels, quotient.dst)


REDUCTIONS: dict[str, Callable[[LTS], LTS]] = {
    "explicate": lambda lts: lts,
    "sbisim": lambda lts: minimize(lts, Bisimulation.STRONG),
    "wbisim": lambda lts: minimize(lts, Bisimulation.WEAK),
    "dbisim": dbisim_lts,
    "tau_loop_factor": _tau_loop_factor,
    "normal": normal_lts,
    "normalise": normal_lts,
    "diamond": diamond_lts,
}
"""The compression functions by their CSPM names."""


__all__ = ["REDUCTIONS", "dbisim_lts", "diamond_lts", "divergent_states", "normal_lts"]
