"""One gather for every synchronisation group that is a single deterministic table.

With thousands of tiny BFS levels (a deep, narrow space) numpy's per-call
overhead, not the states, sets the pace of
:meth:`~procalg.lts.vectors.Tables.successors`: firing G groups one by one
costs about 6G numpy calls per level, a :class:`Gather` about 10.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> q = LTS.build(2, 0, ["c"], [(0, "c", 1)])
    >>> t = Tables(close(parallel(component(p), component(q), set())))
    >>> gather = t._batch[0]
    >>> src, dst, lab = gather.fire(np.array([0]), np.array([[0], [0]]))
    >>> sorted(t.labels[i] for i in lab)
    ['a', 'c']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.factor_tables import TableFactor

if TYPE_CHECKING:
    from procalg.lts.codes import Layout

SMALL = 1 << 9
"""Up to this many codes, one matrix product finds every group's joint index."""
PART_CELLS = 1 << 18
"""Most entries (groups x slice values) in one table of :meth:`Gather.fire_codes` (1 MB)."""
MAX_PARTS = 3
"""Most slices of a code :meth:`Gather.fire_codes` reads through tables."""

WARM = 64
"""Calls of :meth:`Gather.fire_codes` before it builds its tables: only deep searches pay."""

Part = tuple[int, int, np.ndarray]  # (shift, mask, (G, 2^bits) int32 joint-index table)


@dataclass(frozen=True, slots=True)
class Gather:
    """Every group that is one deterministic table, fired in one gather.

    With thousands of tiny BFS levels (a deep, narrow space) numpy's
    per-call overhead, not the states, sets the pace: firing G such groups
    one by one costs about 6G calls per level, this about 10. The tables
    are concatenated (each group's joint indices shifted by ``base``), the
    (group, state) index matrix is built from each group's components and
    weights (padded with weight 0), and one ``flatnonzero`` finds the moves,
    group by group, each group's in state order (as firing them in turn would).
    """

    groups: frozenset[int]  # positions in the direction's group list
    rows: np.ndarray  # (K, G) digit row of each group's k-th component (padding: its first)
    weights: np.ndarray  # (K, G, 1) int64, 0 for padding
    base: np.ndarray  # (G, 1) int64
    has: np.ndarray  # bool per concatenated joint index
    delta: np.ndarray  # int64 per concatenated joint index (0 where no move)
    label: np.ndarray  # int32 per concatenated joint index
    matrix: np.ndarray  # (G, M) float64: each group's weight per digit row (rows x weights)
    # [layout, calls, slice tables or None] of :meth:`fire_codes` (one layout at a time)
    parts: list = field(default_factory=list, compare=False)

    @classmethod
    def of(cls, picked: list[tuple[int, TableFactor]], moving: list[int]) -> Gather | None:
        """The gather of ``picked`` (position in the direction's group list,
        its one deterministic table); None if under two."""
        if len(picked) < 2:
            return None
        k = max(len(f.comps) for _, f in picked)
        row = {c: i for i, c in enumerate(moving)}
        rows = np.array([[row[f.comps[min(i, len(f.comps) - 1)]] for _, f in picked]
                         for i in range(k)], dtype=np.int64)
        weights = np.array([[f.weights[i] if i < len(f.comps) else 0 for _, f in picked]
                            for i in range(k)], dtype=np.int64)[:, :, None]
        sizes = [len(f.count) for _, f in picked]
        base = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)[:, None]
        has, delta, label = [], [], []
        for _, f in picked:
            on = f.count.astype(bool)
            first = np.minimum(f.offsets[:-1], max(len(f.delta) - 1, 0))
            has.append(on)
            delta.append(np.where(on, f.delta[first] if len(f.delta) else 0, 0))
            label.append(np.where(on, f.label[first] if len(f.label) else 0, 0))
        matrix = np.zeros((len(picked), len(moving)), dtype=np.int64)
        for i in range(k):
            np.add.at(matrix, (np.arange(len(picked)), rows[i]), weights[i, :, 0])
        # the matrix product runs in float64 (BLAS: ~7x faster than numpy's int64
        # loop on a level of 70 codes); exact, as every partial sum is at most a
        # joint index, below the length of ``has`` and so far below 2^53
        return cls(frozenset(i for i, _ in picked), rows, weights, base,
                   np.concatenate(has), np.concatenate(delta).astype(np.int64),
                   np.concatenate(label).astype(np.int32), matrix.astype(np.float64))

    def fire(self, codes: np.ndarray, digits: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every batched group's move from every code (int64 codes only);
        ``digits`` has a row per moving component, in order."""
        rows = self.rows
        if len(codes) <= SMALL:  # few calls; past this the gathers below are cheaper
            index = (self.matrix @ digits.astype(np.float64)).astype(np.int64)
            index += self.base
        else:
            index = self.base + digits[rows[0]] * self.weights[0]
            for k in range(1, len(rows)):
                index += digits[rows[k]] * self.weights[k]
        return self._moves(codes, index)

    def fire_codes(self, codes: np.ndarray, layout: Layout, shift: np.ndarray,
                   mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`fire` on bit-field ``codes`` read slice by slice: each
        slice of a few whole fields indexes a table of every group's share
        of its joint index, so a level's index matrix is two or three
        gathers, not a decoded digit matrix, two conversions and a product
        (half the time on the levels of a deep, narrow space). Falls back
        to :meth:`fire` (``shift``, ``mask``: each moving digit's field)
        for its first ``WARM`` calls, and when the tables would be too many
        or too large."""
        state = self.parts
        if not state or state[0] is not layout:
            state[:] = [layout, 0, None]
        state[1] += 1
        if state[1] == WARM:
            state[2] = self._slices(layout, shift, mask)
        parts = state[2]
        if parts is None:
            return self.fire(codes, (codes >> shift) & mask)
        if len(parts) == 1:  # the slices start at bit 0; the top one needs no mask
            return self._moves(codes, parts[0][2].take(codes, axis=1))
        index = parts[0][2].take(codes & parts[0][1], axis=1)
        for at, width, table in parts[1:-1]:
            index += table.take((codes >> at) & width, axis=1)
        index += parts[-1][2].take(codes >> parts[-1][0], axis=1)
        return self._moves(codes, index)

    def _slices(self, layout: Layout, shift: np.ndarray, mask: np.ndarray) -> list[Part] | None:
        """The slice tables of :meth:`fire_codes`, or None if there would be
        more than ``MAX_PARTS`` or a field too wide for one."""
        groups = len(self.base)
        most = max(1, (PART_CELLS // max(groups, 1)).bit_length() - 1)  # bits per slice
        fields = [(layout.stride[c].bit_length() - 1, max(1, (layout.radix[c] - 1).bit_length()))
                  for c in layout.order]
        bounds = [0]
        for at, width in fields:
            if width > most:
                return None
            if at + width - bounds[-1] > most:
                bounds.append(at)
        bounds.append(layout.bits)
        if len(bounds) - 1 > MAX_PARTS:
            return None
        parts: list[Part] = []
        for lo, hi in itertools.pairwise(bounds):
            value = np.arange(1 << (hi - lo), dtype=np.int64) << lo
            digits = (value >> shift) & mask  # 0 for the fields outside the slice
            table = (self.matrix @ digits.astype(np.float64)).astype(np.int32)
            if not parts:
                table += self.base.astype(np.int32)
            parts.append((lo, (1 << (hi - lo)) - 1, table))
        return parts

    def _moves(self, codes: np.ndarray, index: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves at each (group, code) joint index."""
        flat = index.ravel()
        hit = self.has.take(flat).nonzero()[0]  # take, not [], and no wrappers: fewer
        entry = flat.take(hit)                   # Python-level steps per tiny level
        src = hit % len(codes) if len(codes) else hit
        return src, codes.take(src) + self.delta.take(entry), self.label.take(entry)


def gathered(groups: list) -> list[tuple[int, TableFactor]]:
    """The groups that are one deterministic int64 table, with their positions."""
    return [(i, g[0]) for i, g in enumerate(groups)
            if isinstance(g, list) and len(g) == 1 and isinstance(g[0], TableFactor)
            and g[0].deterministic and g[0].delta.dtype != object and g[0].delta.ndim == 1]
