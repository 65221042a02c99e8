"""The whole normal form of a specification, built on integer arrays one BFS level at a time.

The same construction as :class:`~procalg.lts.normal.NormalForm` (subset
construction over τ-closures, FDR's normalisation; Roscoe, *Understanding
Concurrent Systems*, 2010, sec. 16.1), for when every node is needed (a
refinement's monitor, the ``normal`` compression), with no Python per spec
transition:

- τ-strongly-connected components are merged first (Tarjan): a τ-closed set
  is a union of components, so a node is a sorted array of component
  numbers, and its τ-closure follows the acyclic component graph (one
  round per τ-step, every set of a level at once);
- a level's children are grouped by (node, event) and closed together;
  each distinct set is interned once by the bytes of its sorted members
  (an exact key: no hash to collide);
- acceptances are per component (its stable state's offers, or ``{✓}``
  where a member can terminate) and per node the ⊆-minimal ones, worked
  out once per distinct combination (:mod:`procalg.lts.normal_nodes`).

Nodes are numbered in BFS order, events by label index within a node.

Example:
    >>> spec = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3), (2, "b", 3)])
    >>> table = normal_table(spec)
    >>> len(table), [sorted(a) for a in table.node(0).acceptances]
    (2, [['a'], ['b']])
    >>> table.after(0, "a"), table.after(0, "c")
    (1, None)
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.code_sets import mix
from procalg.lts.lts import LTS, TAU_INDEX, TICK_INDEX
from procalg.lts.normal_nodes import Components, NormalTable, ranges
from procalg.lts.visited import sorted_unique

_SALT1, _SALT2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)  # 2 hashes

SMALL = 48
"""Pairs of a level below which it is built in plain Python."""

STEP_PAIRS = 1 << 22
"""(set, member) pairs of a τ-round, or of a level's closures, built at once
(:func:`_joined`): before duplicates go they can outnumber the distinct ones
a hundredfold (an implementation with its internal events hidden, as a spec:
428 M pairs, 3.2 GiB, in one round of 1.5 M distinct ones)."""


def normal_table(spec: LTS, follow: Iterable[str] | None = None,
                 max_nodes: int | None = None) -> NormalTable:
    """Every node of ``spec``'s normal form reachable from its root.

    Args:
        spec: the specification (labels in ``spec.hidden`` count as τ).
        follow: the events to follow (default: all); nodes reached only by
            other events are not built, though their members still offer them.
        max_nodes: limit on nodes (:class:`~procalg.errors.LimitExceeded`).
    """
    comps = Components.of(spec, follow)
    return _Build(comps, max_nodes).run()


class _Build:
    """The level-by-level subset construction over τ-components."""

    def __init__(self, comps: Components, max_nodes: int | None) -> None:
        self.c, self.max_nodes = comps, max_nodes
        self.index: dict[bytes, int] = {}
        self.members: list[np.ndarray] = []  # per level, its new nodes' members
        self.sizes: list[np.ndarray] = []
        self.edges: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._count_before = 0
        self.reach = _reach(comps)

    def run(self) -> NormalTable:
        c = self.c
        _, member = self._close(np.zeros(1, np.int64),
                                    np.array([c.comp[c.lts.initial]], np.int64))
        self.index[member.astype(np.int32).tobytes()] = 0
        node, first = np.zeros(len(member), np.int64), 0
        self.members.append(member)
        self.sizes.append(np.array([len(member)], np.int64))
        while len(node):
            node, member, first = self._level(node, member, first)
        sizes = np.concatenate(self.sizes)
        ptr = np.zeros(len(sizes) + 1, np.int64)
        np.cumsum(sizes, out=ptr[1:])
        src, lab, dst = (np.concatenate([e[i] for e in self.edges]) if self.edges
                         else np.zeros(0, np.int64) for i in range(3))
        return NormalTable(c, ptr, np.concatenate(self.members), src, lab, dst)

    def _level(self, node: np.ndarray, member: np.ndarray, first: int
               ) -> tuple[np.ndarray, np.ndarray, int]:
        """Children of one level's nodes (``first`` is the level's first node
        number, ``node`` each member's offset from it)."""
        c, width = self.c, self.c.width
        if len(member) <= SMALL:
            return self._small_level(node, member, first)
        lo, hi = c.move_ptr[member], c.move_ptr[member + 1]
        at = ranges(lo, hi - lo)
        by = np.repeat(node, hi - lo)
        group = by * width + c.move_lab[at]
        group, target = self._close(group, c.move_dst[at])
        head = np.ones(len(group), bool)
        head[1:] = group[1:] != group[:-1]
        starts = np.flatnonzero(head)
        ends = np.append(starts[1:], len(group))
        keys = group[starts]
        ids = self._intern(target, starts, ends)
        before = self._count_before
        self.edges.append((first + keys // width, keys % width, ids))
        fresh = ids >= before
        _, once = np.unique(ids[fresh], return_index=True)  # a new set's first group
        pick = np.flatnonzero(fresh)[once]
        count = len(self.index) - before
        if self.max_nodes is not None and len(self.index) > self.max_nodes:
            raise LimitExceeded(f"normal-form limit reached: more than {self.max_nodes} nodes",
                                states=len(self.index), transitions=0,
                                hint="raise --max-states")
        size = ends[pick] - starts[pick]
        new_member = target[ranges(starts[pick], size)]
        self.members.append(new_member)
        self.sizes.append(size)
        return np.repeat(np.arange(count, dtype=np.int64), size), new_member, before

    def _small_level(self, node: np.ndarray, member: np.ndarray, first: int
                     ) -> tuple[np.ndarray, np.ndarray, int]:
        """:meth:`_level` for a few pairs, in plain Python (a long chain of
        one-node levels would pay numpy's fixed cost per call many times)."""
        c, width = self.c, self.c.width
        ptr, lab, dst = c.move_ptr, c.move_lab, c.move_dst
        groups: dict[int, set[int]] = {}
        for at, m in zip(node.tolist(), member.tolist(), strict=True):
            lo, hi = int(ptr[m]), int(ptr[m + 1])
            for x, d in zip(lab[lo:hi].tolist(), dst[lo:hi].tolist(), strict=True):
                groups.setdefault(at * width + x, set()).add(d)
        before, index = len(self.index), self.index
        src, labels, ids, fresh = [], [], [], []
        for key in sorted(groups):
            members = self._small_close(groups[key])
            number = index.setdefault(np.array(members, np.int32).tobytes(), len(index))
            if number == len(index) - 1 and number >= before + len(fresh):
                fresh.append(members)
            src.append(first + key // width)
            labels.append(key % width)
            ids.append(number)
        if self.max_nodes is not None and len(index) > self.max_nodes:
            raise LimitExceeded(f"normal-form limit reached: more than {self.max_nodes} nodes",
                                states=len(index), transitions=0, hint="raise --max-states")
        self.edges.append((np.array(src, np.int64), np.array(labels, np.int64),
                           np.array(ids, np.int64)))
        size = np.array([len(f) for f in fresh], np.int64)
        new_member = np.array([m for f in fresh for m in f], np.int64)
        self.members.append(new_member)
        self.sizes.append(size)
        return np.repeat(np.arange(len(fresh), dtype=np.int64), size), new_member, before

    def _small_close(self, members: set[int]) -> list[int]:
        """One set's τ-closure, sorted (by the components' closures, or by search)."""
        c = self.c
        if not c.has_tau:
            return sorted(members)
        if self.reach is not None:
            ptr, reach = self.reach
            out: set[int] = set()
            for m in members:
                out.update(reach[ptr[m]:ptr[m + 1]].tolist())
            return sorted(out)
        todo, seen = list(members), set(members)
        while todo:
            m = todo.pop()
            for d in c.tau_dst[c.tau_ptr[m]:c.tau_ptr[m + 1]].tolist():
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return sorted(seen)

    def _intern(self, target: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Node numbers of the sets ``target[starts[i]:ends[i]]``, new ones
        numbered on. Equal sets of a level are found first by two 64-bit sums
        of mixed members and the size (one exact lookup each), then looked up
        by their bytes: exact."""
        self._count_before = len(self.index)
        rep, back = _same_sets(target, starts, ends)
        buf = target.astype(np.int32).tobytes()
        intern, index = self.index.setdefault, self.index
        ids = np.fromiter((intern(buf[4 * a:4 * b], len(index))
                           for a, b in zip(starts[rep].tolist(), ends[rep].tolist(),
                                           strict=True)), np.int64, len(rep))
        return ids[back]

    def _close(self, group: np.ndarray, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each group's members τ-closed over the component graph: the
        (group, member) pairs sorted and distinct (by each member's closure
        where those were worked out, else one round per τ-step)."""
        c = self.c
        span = max(c.count, 1)
        if self.reach is not None:
            lo, hi = self.reach[0][member], self.reach[0][member + 1]
            pairs = _joined(group, lo, hi - lo, self.reach[1], span, None)
            assert pairs is not None
            return pairs // span, pairs % span
        pairs = _rounds(c, group * span + member, span, None)
        assert pairs is not None
        return pairs // span, pairs % span


def _same_sets(target: np.ndarray, starts: np.ndarray, ends: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """One representative per distinct set of a level and each set's
    representative's position; keyed by two splitmix sums (Steele et al.,
    OOPSLA 2014) and the size. A clash of the first sum with different
    second sums or sizes turns the shortcut off (every set is looked up)."""
    if not len(starts):
        return starts, starts
    h1 = np.add.reduceat(mix(target, _SALT1), starts).view(np.int64)
    h2 = np.add.reduceat(mix(target, _SALT2), starts).view(np.int64)
    size = ends - starts
    _, rep, back = np.unique(h1, return_index=True, return_inverse=True)
    back = back.reshape(-1)
    if (h2[rep][back] != h2).any() or (size[rep][back] != size).any():
        return np.arange(len(starts)), np.arange(len(starts))
    order = np.argsort(rep)  # representatives in order of first appearance
    rank = np.empty(len(rep), np.int64)
    rank[order] = np.arange(len(rep))
    return rep[order], rank[back]


def _reach(c: Components) -> tuple[np.ndarray, np.ndarray] | None:
    """Every component's τ-closure as CSR arrays, or ``None`` where the
    closures together outgrow a few times the spec (long τ-chains)."""
    if not c.has_tau:
        return None
    budget = 4 * (c.count + len(c.tau_dst)) + 100_000
    span = max(c.count, 1)
    every = np.arange(c.count, dtype=np.int64)
    pairs = _rounds(c, every * span + every, span, budget)
    if pairs is None:
        return None
    ptr = np.zeros(c.count + 1, np.int64)
    np.cumsum(np.bincount(pairs // span, minlength=c.count), out=ptr[1:])
    return ptr, pairs % span


def _rounds(c: Components, pairs: np.ndarray, span: int, budget: int | None
            ) -> np.ndarray | None:
    """(group, member) keys τ-closed one round per τ-step, every group at
    once; ``None`` once more than ``budget`` pairs are held."""
    pairs = sorted_unique(pairs)
    new = pairs
    while True:
        if budget is not None and len(pairs) > budget:
            return None
        if not len(new) or not c.has_tau:
            return pairs
        g, m = new // span, new % span
        lo, hi = c.tau_ptr[m], c.tau_ptr[m + 1]
        if not (hi > lo).any():
            return pairs
        cand = _joined(g, lo, hi - lo, c.tau_dst, span, budget)  # None: more than budget
        if cand is None:  # (pairs would hold them all, next round)
            return None
        at = np.minimum(np.searchsorted(pairs, cand), len(pairs) - 1)
        new = cand[pairs[at] != cand]
        if len(new):
            pairs = np.sort(np.concatenate((pairs, new)))


def _joined(keys: np.ndarray, lo: np.ndarray, counts: np.ndarray, targets: np.ndarray,
            span: int, limit: int | None) -> np.ndarray | None:
    """The sorted distinct ``keys[i] * span + targets[lo[i] + j]`` for ``j <
    counts[i]``, made :data:`STEP_PAIRS` at a time (each slice's duplicates
    go before the next is made); ``None`` once more than ``limit`` are held.

    Example:
        >>> _joined(np.array([0, 1]), np.array([0, 1]), np.array([2, 2]),
        ...         np.array([5, 6, 5]), 10, None).tolist()
        [5, 6, 15, 16]
    """
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    cuts = np.searchsorted(ends, np.arange(STEP_PAIRS, total, STEP_PAIRS), "right")
    bounds = np.unique(np.concatenate(([0], cuts, [len(keys)]))).tolist()
    found = np.zeros(0, np.int64)
    for a, b in pairwise(bounds):
        part = (np.repeat(keys[a:b], counts[a:b]) * span
                + targets[ranges(lo[a:b], counts[a:b])])
        found = sorted_unique(np.concatenate((found, part)) if a else part, own=True)
        if limit is not None and len(found) > limit:
            return None
    return found


def normal_lts(spec: LTS, max_nodes: int | None = None) -> LTS:
    """The normal form of ``spec`` as an LTS, in the shape FDR gives it: a node
    whose only minimal acceptance is all it can do is one state; otherwise it
    moves by τ to one stable state per minimal acceptance, offering just that
    set; a divergent node has a τ-loop; ✓ leads to the node itself (once
    taken, nothing follows). Strong bisimulation may then merge states.

    Example:
        >>> p = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 1), (2, "b", 2)])
        >>> n = normal_lts(p)
        >>> n.num_states, sorted({lab for _, lab, _ in n.triples()})
        (5, ['a', 'b', 'τ'])
    """
    table = normal_table(spec, max_nodes=max_nodes)
    n, width = len(table), table.comps.width
    src, lab, dst = table.src, table.label, table.dst
    keys = src * width + lab  # sorted: a node's move by an event is found by search
    acc_ptr, acc = table.acceptance_ids()
    offers = table.comps.offers
    sizes = np.array([len(a) for a in offers], np.int64)
    per = np.diff(acc_ptr)
    # single: one minimal acceptance holding every event the node can do
    counts = np.bincount(src, minlength=n)
    one = np.flatnonzero(per == 1)
    single = np.zeros(n, bool)
    single[one] = sizes[acc[acc_ptr[one]]] == counts[one]
    divergent = table.divergent()
    single &= ~divergent
    ticking = np.unique(src[lab == TICK_INDEX])
    loops = np.flatnonzero(divergent)
    rows = [(src[lab != TICK_INDEX], lab[lab != TICK_INDEX], dst[lab != TICK_INDEX]),
            (ticking, np.full(len(ticking), TICK_INDEX), ticking),
            (loops, np.full(len(loops), TAU_INDEX), loops)]
    # one stable state per (unsingle node, minimal acceptance)
    owners = np.flatnonzero(~single)
    which = ranges(acc_ptr[owners], per[owners])
    owner = np.repeat(owners, per[owners])
    stable = n + np.arange(len(which))
    rows.append((owner, np.full(len(owner), TAU_INDEX), stable))
    flat = [np.array(sorted(a), np.int64) for a in offers]
    acc_ptr2 = np.zeros(len(offers) + 1, np.int64)
    np.cumsum(sizes, out=acc_ptr2[1:])
    events = np.concatenate(flat) if flat else np.zeros(0, np.int64)
    offer = acc[which]
    at = ranges(acc_ptr2[offer], sizes[offer])
    s_state, s_event = np.repeat(stable, sizes[offer]), events[at]
    s_owner = np.repeat(owner, sizes[offer])
    tick = s_event == TICK_INDEX
    target = dst[np.searchsorted(keys, s_owner * width + s_event)] if len(keys) else s_state
    rows.append((s_state, s_event, np.where(tick, s_state, target)))
    cols = [np.concatenate([r[i] for r in rows]) for i in range(3)]
    return LTS.from_arrays(n + len(which), table.root, spec.labels, *cols)


__all__ = ["NormalTable", "normal_lts", "normal_table"]
