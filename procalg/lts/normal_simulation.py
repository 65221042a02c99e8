"""The failures simulation of :mod:`procalg.lts.normal_pruned`, on integer arrays.

The relation is the largest ``R`` (never relating a state to itself) with
``x R y`` only if ``y`` matches ``x``'s divergence, acceptance contribution
and initials (the *candidates*), every τ-successor ``t`` of ``x`` has
``t R= y`` and every visible ``x -a-> d`` has some ``e`` among ``y``'s
``a``-successors through its τ-closure (its *weak* ``a``-moves) with
``d R= e`` (``R=`` is ``R`` or equality). It is found as every simulation
is, by taking pairs out of the candidates until the rest are closed (Henzinger,
Henzinger and Kopke, "Computing simulations on finite and infinite graphs",
FOCS 1995), here a label at a time over every living pair at once:

- the relation is a bit matrix (a row of ``n`` bits per state, ``R=``: the
  diagonal set), so a pair's lookup is one gather;
- the pairs are arrays ``(x, y)``; a label's requirements are the pairs
  repeated per ``x -a-> d`` and those per weak move ``y =a=> e``, and a pair
  whose requirement no ``e`` meets leaves the matrix and the arrays at once
  (later labels of the same pass see the smaller relation: any order reaches
  the same largest fixed point);
- a pass after the first looks only at states with a successor whose row
  lost a pair in the pass before; passes end when one takes nothing out.

Candidates come by groups of states alike in what they need (offers,
divergence, contribution), so the ``n²`` filter is a few vector operations
per group.

Example:
    >>> from procalg.lts.lts import LTS
    >>> spec = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3),
    ...                                      (2, "a", 3), (2, "b", 3)])
    >>> [sorted(r) for r in failures_simulation(Moves(spec))]
    [[], [0], [0], []]
"""

from __future__ import annotations

import numpy as np

from procalg.lts.lts import LTS, TAU_INDEX, TICK_INDEX
from procalg.lts.tau import effective_labels, is_divergent

MAX_PAIRS = 30_000_000
"""Most candidate pairs worked on (philsc's 21,126-state level has 13.8 million
and peaks at 0.6 GB); :func:`failures_simulation` gives ``None`` beyond."""

CHUNK = 1 << 20
"""Pairs whose requirements are expanded together (bounds the temporaries)."""

FAN = 64
"""Most ``(x's a-moves) * (y's weak a-moves)`` in a chunk checked move by move;
wider chunks expand every combination instead."""


class Moves:
    """An LTS's moves per state: τ-successors, visible moves, τ-closures,
    divergence and each state's contribution to acceptances.

    Example:
        >>> m = Moves(LTS.build(2, 0, ["a"], [(0, "τ", 1), (1, "a", 1)]))
        >>> sorted(m.closure[0]), m.contribution[0], sorted(m.contribution[1])
        ([0, 1], None, [2])
    """

    def __init__(self, lts: LTS) -> None:
        n = lts.num_states
        self.n = n
        self.taus: list[set[int]] = [set() for _ in range(n)]
        self.moves: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for s, a, d in zip(lts.src.tolist(), effective_labels(lts).tolist(),
                           lts.dst.tolist(), strict=True):
            if a == TAU_INDEX:
                self.taus[s].add(d)
            else:
                self.moves[s].append((a, d))
        self.divergent: list[bool] = is_divergent(lts).tolist()
        self.closure = [self._close({s}) for s in range(n)]
        self.offer = [frozenset(a for a, _ in m) for m in self.moves]
        self.contribution = [self._contribution(s) for s in range(n)]

    def _close(self, states: set[int]) -> frozenset[int]:
        seen, todo = set(states), list(states)
        while todo:
            for d in self.taus[todo.pop()]:
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return frozenset(seen)

    def _contribution(self, s: int) -> frozenset[int] | None:
        if TICK_INDEX in self.offer[s]:
            return frozenset({TICK_INDEX})
        return None if self.taus[s] else self.offer[s]

    def close(self, states: frozenset[int]) -> frozenset[int]:
        """The union of ``states``' τ-closures."""
        out: set[int] = set()
        for s in states:
            out |= self.closure[s]
        return frozenset(out)


class _Edges:
    """Moves as CSR arrays keyed by ``state * labels + label``: a key's targets are
    ``dst[start[key]:start[key + 1]]``."""

    def __init__(self, n: int, width: int, src: np.ndarray, lab: np.ndarray,
                 dst: np.ndarray) -> None:
        key = src.astype(np.int64) * width + lab
        order = np.lexsort((dst, key))
        self.key, self.dst = key[order], dst[order].astype(np.int64)
        self.start = np.searchsorted(self.key, np.arange(n * width + 1, dtype=np.int64))
        self.width = width
        self.count = np.diff(self.start)
        # a key's first target (0 where it has none): most keys have one
        self.first = self.dst[np.minimum(self.start[:-1], max(len(self.dst) - 1, 0))] \
            if len(self.dst) else np.zeros(n * width, np.int64)

    def expand(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each position ``i`` of ``keys``, every target of ``keys[i]``: the
        positions repeated and the targets."""
        first, last = self.start[keys], self.start[keys + 1]
        count = last - first
        where = np.repeat(np.arange(len(keys), dtype=np.int64), count)
        offset = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(count) - count, count)
        return where, self.dst[np.repeat(first, count) + offset]


class _Bits:
    """A square bit matrix, one row of ``n`` bits per state, flat in bytes."""

    def __init__(self, n: int) -> None:
        self.row = (n + 7) // 8
        self.flat = np.zeros(n * self.row, np.uint8)
        self.set(np.arange(n), np.arange(n))

    def _at(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (x.astype(np.int64) * self.row + (y >> 3),
                np.left_shift(1, y & 7).astype(np.uint8))

    def set(self, x: np.ndarray, y: np.ndarray) -> None:
        where, bit = self._at(x, y)
        np.bitwise_or.at(self.flat, where, bit)

    def clear(self, x: np.ndarray, y: np.ndarray) -> None:
        where, bit = self._at(x, y)
        np.bitwise_and.at(self.flat, where, ~bit)

    def holds(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        at = x * (self.row * 8) + y  # the bit's address: one multiply, no bit mask array
        return ((self.flat[at >> 3] >> (at & 7).astype(np.uint8)) & 1).view(bool)


def failures_simulation(m: Moves) -> list[set[int]] | None:
    """Per state ``x``, the states ``y != x`` with ``x R y`` (see the module notes);
    ``None`` with more than :data:`MAX_PAIRS` candidate pairs."""
    n = m.n
    if n == 0:
        return []
    src, lab, dst = _arrays(m)
    width = int(lab.max(initial=TICK_INDEX)) + 1
    found = _candidates(m)
    if found is None:
        return None
    xs, ys = found
    strong = _Edges(n, width, src, lab, dst)
    weak = _weak(m, src, lab, dst, width)
    bits = _Bits(n)
    bits.set(xs, ys)
    labels = [TAU_INDEX, *sorted(set(lab.tolist()) - {TAU_INDEX, TICK_INDEX})]
    moving = {a: np.bincount(src[lab == a], minlength=n) > 0 for a in labels}
    check = np.ones(n, bool)  # the states whose pairs are (re)checked this pass
    while check.any() and len(xs):
        changed = np.zeros(n, bool)
        for a in labels:
            which = np.flatnonzero(check[xs] & moving[a][xs])
            keep = _requirements_met(xs[which].astype(np.int64), ys[which].astype(np.int64),
                                     a, strong, weak, bits)
            if not keep.all():
                gone = which[~keep]
                bits.clear(xs[gone], ys[gone])
                changed[xs[gone]] = True
                alive = np.ones(len(xs), bool)
                alive[gone] = False
                xs, ys = xs[alive], ys[alive]
        # a pair can fail only after a pair of a successor's row left (Henzinger et al.)
        check = np.zeros(n, bool)
        check[src[changed[dst]]] = True
    relation: list[set[int]] = [set() for _ in range(n)]
    for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
        relation[x].add(y)
    return relation


def _arrays(m: Moves) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every move (τ included) as arrays ``src, label, dst``."""
    rows = [(s, TAU_INDEX, t) for s in range(m.n) for t in m.taus[s]]
    rows += [(s, a, d) for s in range(m.n) for a, d in m.moves[s]]
    if not rows:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    src, lab, dst = (np.array(c, np.int64) for c in zip(*rows, strict=True))
    return src, lab, dst


def _weak(m: Moves, src: np.ndarray, lab: np.ndarray, dst: np.ndarray, width: int) -> _Edges:
    """Each state's visible moves from any state of its τ-closure (deduplicated);
    τ is each state to itself (a τ of ``x`` is matched by ``y`` standing still)."""
    pairs = [(y, z) for y in range(m.n) for z in m.closure[y]]
    ys, zs = (np.array(c, np.int64) for c in zip(*pairs, strict=True))
    visible = lab != TAU_INDEX
    by_state = _Edges(m.n, 1, src[visible], np.zeros(int(visible.sum()), np.int64),
                      np.arange(len(src), dtype=np.int64)[visible])
    where, move = by_state.expand(zs)
    wy = np.concatenate([ys[where], np.arange(m.n)])
    wl = np.concatenate([lab[move], np.full(m.n, TAU_INDEX)])
    wd = np.concatenate([dst[move], np.arange(m.n)])
    key = np.unique((wy * width + wl) * m.n + wd)
    return _Edges(m.n, width, key // m.n // width, key // m.n % width, key % m.n)


def _candidates(m: Moves) -> tuple[np.ndarray, np.ndarray] | None:
    """The pairs ``x != y`` with ``x``'s offers among ``y``'s weak offers, ``y``
    divergent if ``x`` is, and ``x``'s contribution to acceptances covering one
    in ``y``'s τ-closure; ``None`` past :data:`MAX_PAIRS`."""
    n = m.n
    own = np.array([sum(1 << a for a in m.offer[x]) for x in range(n)], np.uint64)
    near = np.array([sum(1 << a for a in frozenset().union(*(m.offer[z] for z in m.closure[y])))
                     for y in range(n)], np.uint64)
    divergent = np.array(m.divergent, bool)
    masks = [None if c is None else sum(1 << a for a in c) for c in m.contribution]
    reach = [(y, masks[z]) for y in range(n) for z in m.closure[y] if masks[z] is not None]
    ry = np.array([y for y, _ in reach], np.int64)
    rc = np.array([c for _, c in reach], np.uint64)
    groups: dict[tuple[int, bool, int | None], list[int]] = {}
    for x in range(n):
        groups.setdefault((int(own[x]), m.divergent[x], masks[x]), []).append(x)
    out_x, out_y, total = [], [], 0
    for (offers, diverges, mine), members in groups.items():
        fits = (np.uint64(offers) & ~near) == 0
        if diverges:
            fits &= divergent
        if mine is not None:
            covered = np.zeros(n, bool)
            covered[ry[(rc & ~np.uint64(mine)) == 0]] = True
            fits &= covered
        targets = np.flatnonzero(fits).astype(np.int32)
        group = np.array(members, np.int32)
        total += len(group) * len(targets)
        if total > MAX_PAIRS:
            return None
        gx, gy = np.repeat(group, len(targets)), np.tile(targets, len(group))
        keep = gx != gy
        out_x.append(gx[keep])
        out_y.append(gy[keep])
    return np.concatenate(out_x), np.concatenate(out_y)


def _requirements_met(xs: np.ndarray, ys: np.ndarray, a: int, strong: _Edges, weak: _Edges,
                      bits: _Bits) -> np.ndarray:
    """Per pair, whether every ``x -a-> d`` has a weak ``y =a=> e`` with ``d R= e``."""
    keep = np.ones(len(xs), bool)
    for lo in range(0, len(xs), CHUNK):
        px, py = xs[lo:lo + CHUNK], ys[lo:lo + CHUNK]
        keep[lo:lo + len(px)] = _chunk_met(px * strong.width + a, py * weak.width + a,
                                           strong, weak, bits)
    return keep


def _chunk_met(ks: np.ndarray, kw: np.ndarray, strong: _Edges, weak: _Edges,
               bits: _Bits) -> np.ndarray:
    """:func:`_requirements_met` for one chunk, by the pairs' keys in ``strong`` and
    ``weak``: nearly every state has one or two moves per label, so the i-th move of
    ``x`` against the j-th of ``y`` is one gather per ``(i, j)``; wide fans are
    expanded instead."""
    sn, wn = strong.count[ks], weak.count[kw]
    if len(ks) and int(sn.max()) * int(wn.max()) > FAN:
        need, d = strong.expand(ks)
        meet, e = weak.expand(kw[need])
        met = np.zeros(len(need), bool)
        met[meet[bits.holds(d[meet], e)]] = True
        keep = np.ones(len(ks), bool)
        keep[need[~met]] = False
        return keep
    keep = sn == 0
    for i in range(int(sn.max(initial=0))):
        rows = np.flatnonzero(sn > i) if i else np.flatnonzero(sn)
        d = strong.dst[strong.start[ks[rows]] + i] if i else strong.first[ks[rows]]
        wide, key = wn[rows], kw[rows]
        met = (wide > 0) & bits.holds(d, weak.first[key])
        for j in range(1, int(wide.max(initial=0))):
            open_ = np.flatnonzero((wide > j) & ~met)
            met[open_] = bits.holds(d[open_], weak.dst[weak.start[key[open_]] + j])
        if i == 0:
            keep[rows] = met
        else:
            keep[rows[~met]] = False
    return keep


__all__ = ["MAX_PAIRS", "Moves", "failures_simulation"]
