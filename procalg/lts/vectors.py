"""Packed state vectors and synchronisation tables for the product engine.

A global state of a :class:`~procalg.lts.network.Network` is one integer
whose digits are the components' local states: bit fields when they fit in
62 bits (decoded by shift and mask), else the mixed-radix number with
weights ``stride[c] = r_0 ... r_{c-1}``. A joint move changes a few digits,
so it adds a *delta* to the code.

Rules are grouped by the set of components they move. For a small group
(joint local space up to ``JOINT_LIMIT``) one table, indexed by the joint
local state, lists every ``(delta, global label)`` the group can do from
there, nondeterminism included: one gather per group and level. A rule
over many components (e.g. a clock shared by all) gets one table per
component instead, and its moves are the Cartesian product of the
components' local moves. Backward tables (every move reversed) serve
counterexample reconstruction.

Complexity: building is linear in the table entries; :meth:`Tables.fire`
is O(F + T) numpy work for F frontier states and T successors.

Example:
    >>> from procalg.lts.network import close, component, parallel
    >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> t = Tables(close(parallel(component(p), component(p), {"a"})))
    >>> t.radix.tolist(), t.initial
    ([2, 2], 0)
    >>> src, dst, lab = t.successors(np.array([0, 3]))
    >>> sorted(zip(src.tolist(), dst.tolist(), [t.labels[i] for i in lab]))
    [(0, 3, 'a'), (1, 1, 'b'), (1, 2, 'b')]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lts import LTS
from procalg.lts.network import Network, SyncRule

JOINT_LIMIT = 1 << 16
"""Largest joint local space that gets a single joint table."""

_MAX_CODE = 1 << 62  # keeps code + delta arithmetic clear of int64 overflow
_MAX_BITS = 62


@dataclass(frozen=True, slots=True)
class _Factor:
    """One table: a joint index over ``comps`` -> CSR list of (delta, label)."""

    comps: tuple[int, ...]
    weights: tuple[int, ...]
    offsets: np.ndarray
    delta: np.ndarray
    label: np.ndarray
    count: np.ndarray  # moves per joint index (int8 when small: a cheaper gather)
    deterministic: bool  # at most one move per joint index

    def index(self, locs: dict[int, np.ndarray]) -> np.ndarray:
        j = locs[self.comps[0]] * self.weights[0]
        for c, w in zip(self.comps[1:], self.weights[1:], strict=True):
            j = j + locs[c] * w
        return j


def _local_moves(lts: LTS) -> dict[str, tuple[list[int], list[int]]]:
    moves: dict[str, tuple[list[int], list[int]]] = {}
    for s, lab, d in lts.triples():
        pair = moves.setdefault(lab, ([], []))
        pair[0].append(s)
        pair[1].append(d)
    return moves


def _table(entries: list[tuple[int, int, int]], size: int, comps: tuple[int, ...],
           weights: tuple[int, ...]) -> _Factor:
    entries.sort()
    arr = np.array(entries, dtype=np.int64).reshape(-1, 3)
    offsets = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(arr[:, 0], minlength=size), out=offsets[1:])
    count = np.diff(offsets)
    deterministic = len(count) == 0 or int(count.max()) <= 1
    if len(count) and int(count.max()) < 127:
        count = count.astype(np.int8)
    return _Factor(comps, weights, offsets, arr[:, 1].copy(), arr[:, 2].astype(np.int32),
                   count, deterministic)


class Tables:
    """The packed encoding and the forward/backward move tables of a network.

    Raises:
        LimitExceeded: the product of the component sizes does not fit in 62 bits.
    """

    def __init__(self, network: Network) -> None:
        self.network = network
        self.labels = network.labels
        self.label_index = {n: i for i, n in enumerate(self.labels)}
        self.radix = np.array([c.num_states for c in network.components], dtype=np.int64)
        widths = [max(1, (r - 1).bit_length()) for r in self.radix.tolist()]
        self.packed = sum(widths) <= _MAX_BITS  # bit fields: shift-and-mask decoding
        strides, space = [], 1
        for r, w in zip(self.radix.tolist(), widths, strict=True):
            strides.append(space)
            space *= (1 << w) if self.packed else r
        if space >= _MAX_CODE:
            raise LimitExceeded(
                f"the packed state vector needs {space.bit_length()} bits (more than 62)",
                hint="reduce components, or split the model")
        self.space = space
        self.stride = np.array(strides, dtype=np.int64)
        self.shift = np.array([s.bit_length() - 1 for s in strides], dtype=np.int64)
        self.mask = np.array([(1 << w) - 1 for w in widths], dtype=np.int64)
        self.initial = sum(c.initial * s for c, s in zip(network.components, strides,
                                                          strict=True))
        self.moving = sorted({c for r in network.rules for c, _ in r.parts})
        moves = [_local_moves(c) for c in network.components]
        groups: dict[tuple[int, ...], list[SyncRule]] = {}
        for rule in network.rules:
            comps = tuple(sorted(c for c, _ in rule.parts))
            if len(set(comps)) != len(comps):
                raise ValueError(f"rule {rule} moves one component twice")
            groups.setdefault(comps, []).append(rule)
        self.forward: list[list[_Factor]] = []
        self.backward: list[list[_Factor]] = []
        for comps, rules in groups.items():
            size = int(np.prod([self.radix[c] for c in comps]))
            if size <= JOINT_LIMIT:
                for direction, out in ((0, self.forward), (1, self.backward)):
                    out.append([self._joint(comps, rules, moves, direction)])
            else:
                for rule in rules:
                    for direction, out in ((0, self.forward), (1, self.backward)):
                        out.append(self._split(rule, moves, direction))

    def _joint(self, comps: tuple[int, ...], rules: list[SyncRule],
               moves: list[dict], direction: int) -> _Factor:
        weights = tuple(int(np.prod([self.radix[c] for c in comps[:i]], dtype=np.int64))
                        for i in range(len(comps)))
        entries: list[tuple[int, int, int]] = []
        for rule in rules:
            local = dict(rule.parts)
            lists = []
            for c in comps:
                src, dst = moves[c].get(local[c], ([], []))
                if direction:
                    src, dst = dst, src
                lists.append(list(zip(src, dst, strict=True)))
            g = self.label_index[rule.label]
            for combo in itertools.product(*lists):
                j = sum(s * w for (s, _), w in zip(combo, weights, strict=True))
                delta = sum((d - s) * int(self.stride[c])
                            for (s, d), c in zip(combo, comps, strict=True))
                entries.append((j, delta, g))
        size = int(np.prod([self.radix[c] for c in comps]))
        return _table(entries, size, comps, weights)

    def _split(self, rule: SyncRule, moves: list[dict], direction: int) -> list[_Factor]:
        g = self.label_index[rule.label]
        factors = []
        for c, a in sorted(rule.parts):
            src, dst = moves[c].get(a, ([], []))
            if direction:
                src, dst = dst, src
            stride = int(self.stride[c])
            entries = [(s, (d - s) * stride, g) for s, d in zip(src, dst, strict=True)]
            factors.append(_table(entries, int(self.radix[c]), (c,), (1,)))
        return factors

    def decode(self, codes: np.ndarray) -> dict[int, np.ndarray]:
        """The local state of every moving component, per code."""
        if self.packed:
            return {c: (codes >> self.shift[c]) & self.mask[c] for c in self.moving}
        return {c: (codes // self.stride[c]) % self.radix[c] for c in self.moving}

    def successors(self, codes: np.ndarray, *, backward: bool = False
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All moves from ``codes``: (index into codes, target code, label index).

        With ``backward``, the moves into ``codes`` (sources as "targets")."""
        locs = self.decode(codes)
        parts = [_fire(f, codes, locs) for f in (self.backward if backward else self.forward)]
        parts = [p for p in parts if len(p[0])]
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.int32)
        return tuple(np.concatenate(x) for x in zip(*parts, strict=True))  # type: ignore[return-value]


def _fire(factors: list[_Factor], codes: np.ndarray, locs: dict[int, np.ndarray]
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Cartesian product of the factors' moves from every code."""
    js = [f.index(locs) for f in factors]
    if len(factors) == 1 and factors[0].deterministic:  # the common case: one gather
        f, j = factors[0], js[0]
        keep = np.flatnonzero(f.count[j])
        first = f.offsets[j[keep]]
        return keep, codes[keep] + f.delta[first], f.label[first]
    counts = [f.count[j].astype(np.int64) for f, j in zip(factors, js, strict=True)]
    total = counts[0]
    for c in counts[1:]:
        total = total * c
    keep = np.flatnonzero(total)
    src = np.repeat(keep, total[keep])
    starts = np.cumsum(total[keep]) - total[keep]
    pos = np.arange(len(src), dtype=np.int64) - np.repeat(starts, total[keep])
    dst = codes[src].copy()
    label = None
    for f, j, c in zip(factors, js, counts, strict=True):
        cs = c[src]
        entry = f.offsets[j[src]] + pos % cs
        pos //= cs
        dst += f.delta[entry]
        label = f.label[entry] if label is None else label
    assert label is not None
    return src, dst, label
