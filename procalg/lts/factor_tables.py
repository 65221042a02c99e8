"""One factor of the product engine's move tables: a CSR table from a joint
local index to its moves, each a (code delta, label) pair.

:class:`~procalg.lts.vectors.Tables` builds one per small group of
components (their joint local state is the index), or one per component of
a rule over many; :func:`~procalg.lts.firing.fire_factors` reads them.

Example:
    >>> f = table_of_arrays(np.array([1, 0]), np.array([5, 7]), np.array([2, 2]), 3,
    ...                     (0,), (1,))
    >>> f.offsets.tolist(), f.delta.tolist(), f.deterministic
    ([0, 1, 2, 2], [7, 5], True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True, slots=True)
class TableFactor:
    """One table: a joint index over ``comps`` -> CSR list of (delta, label)."""

    comps: tuple[int, ...]
    weights: tuple[int, ...]
    offsets: np.ndarray
    delta: np.ndarray
    label: np.ndarray
    count: np.ndarray  # moves per joint index (int8 when small: a cheaper gather)
    deterministic: bool  # at most one move per joint index

    def index(self, locs: dict[int, np.ndarray]) -> np.ndarray:
        """The joint index of each code's local states (a new array: callers may keep it)."""
        first, rest = locs[self.comps[0]], zip(self.comps[1:], self.weights[1:], strict=True)
        if self.weights[0] != 1 or len(self.comps) == 1:
            j = first * self.weights[0]
        else:  # the first weight is 1 (joint tables): no multiplication
            c, w = next(rest)
            j = locs[c] * w
            j += first
        for c, w in rest:
            j += locs[c] * w
        return j

    @property
    def live(self) -> bool:
        """The table has a move at all."""
        return len(self.delta) > 0

    def counts(self, locs: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        j = self.index(locs)
        return self.count[j].astype(np.int64), j

    def first(self, key: np.ndarray) -> np.ndarray:
        return self.offsets[key]

    def deltas(self, entry: np.ndarray, stride: object, wide: bool) -> np.ndarray:
        """The moves' code deltas (per-word rows for a word-aligned layout)."""
        d = self.delta.take(entry, axis=0)  # rows of a 2-D table: take copies them faster
        return d.astype(object) if wide and d.ndim == 1 and d.dtype != object else d

    def labels_at(self, entry: np.ndarray) -> np.ndarray:
        return self.label[entry]


def table_of_tuples(entries: list[tuple[int, int, int]], size: int, comps: tuple[int, ...],
                    weights: tuple[int, ...]) -> TableFactor:
    """The table of ``(joint index, delta, label tag)`` entries (a delta may be a
    Python integer past 62 bits: wide codes), over ``size`` joint indices."""
    entries.sort()
    wide = any(abs(d) >= 1 << 62 for _, d, _ in entries)
    arr = np.array([(j, 0 if wide else d, g) for j, d, g in entries],
                   dtype=np.int64).reshape(-1, 3)
    delta = np.array([d for _, d, _ in entries], dtype=object) if wide else arr[:, 1].copy()
    offsets = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(arr[:, 0], minlength=size), out=offsets[1:])
    count = np.diff(offsets)
    deterministic = len(count) == 0 or int(count.max()) <= 1
    if len(count) and int(count.max()) < 127:
        count = count.astype(np.int8)
    return TableFactor(comps, weights, offsets, delta, arr[:, 2].astype(np.int32),
                       count, deterministic)


def table_of_arrays(j: np.ndarray, delta: np.ndarray, tag: np.ndarray, size: int,
                    comps: tuple[int, ...], weights: tuple[int, ...]) -> TableFactor:
    """:func:`table_of_tuples` from int64 columns (joint index, delta, label tag): the
    same table, sorted by numpy (a real leaf's rule has a million moves). A
    2-D ``delta`` holds a word-aligned layout's per-word rows."""
    words = [delta] if delta.ndim == 1 else list(delta.T[::-1])
    order = np.lexsort((tag, *words, j))  # the order table_of_tuples's sorted tuples have
    j, delta, tag = j[order], delta[order], tag[order]
    offsets = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(j, minlength=size), out=offsets[1:])
    count = np.diff(offsets)
    deterministic = len(count) == 0 or int(count.max()) <= 1
    if len(count) and int(count.max()) < 127:
        count = count.astype(np.int8)
    return TableFactor(comps, weights, offsets, delta, tag.astype(np.int32), count,
                       deterministic)


def in_words(groups: list, words: int) -> list:
    """``groups`` (factor lists; others, e.g. lazy groups, kept as they are)
    with every table's deltas as ``words``-word rows, most significant first:
    a narrow layout's int64 deltas, or a word-aligned layout's fewer words,
    are the low words' deltas of the layout grown from it
    (:meth:`~procalg.lts.codes.Layout.grown` keeps those fields in place).
    Factors of one rule then add row to row, whatever layout made them.

    Example:
        >>> f = table_of_arrays(np.array([0]), np.array([-5]), np.array([1]), 1, (0,), (1,))
        >>> in_words([[f]], 2)[0][0].delta.tolist()
        [[0, -5]]
    """
    return [[_in_words(f, words) if isinstance(f, TableFactor) else f for f in g]
            if isinstance(g, list) else g for g in groups]


def _in_words(f: TableFactor, words: int) -> TableFactor:
    if f.delta.dtype != np.int64 or (f.delta.ndim == 2 and f.delta.shape[1] == words):
        return f
    return replace(f, delta=word_rows(f.delta, words))


def word_rows(delta: np.ndarray, words: int) -> np.ndarray:
    """int64 code deltas (1-D: a narrow layout's; rows: of fewer words) as
    ``words``-word rows, the given words last (see :func:`in_words`).

    Example:
        >>> word_rows(np.array([3, -1]), 2).tolist()
        [[0, 3], [0, -1]]
    """
    delta = delta.reshape(len(delta), -1)
    if delta.shape[1] == words:
        return delta
    rows = np.zeros((len(delta), words), dtype=np.int64)
    rows[:, words - delta.shape[1]:] = delta
    return rows


def alike_table(f: TableFactor) -> tuple[TableFactor, np.ndarray] | None:
    """``f`` with one move per (joint index, delta): the least label tag's, and
    the moves left out per joint index; None if no two moves are alike.

    Rules over the same components that differ only in a field the
    components ignore (an xUML model's ``link.caller.a.b``: 17 rules, 8
    moves a target) share one joint table; a search that needs only the
    targets, and the least label into each, fires this one instead. The
    entries are sorted by (index, delta, tag) (:func:`table_of_arrays`), so
    the first of a run of alike moves has the least tag. O(entries).

    Example:
        >>> f = table_of_arrays(np.array([0, 0, 1]), np.array([5, 5, 7]), np.array([4, 2, 3]),
        ...                     2, (0,), (1,))
        >>> g, lost = alike_table(f)
        >>> g.delta.tolist(), g.label.tolist(), lost.tolist()
        ([5, 7], [2, 3], [1, 0])
    """
    if f.delta.dtype != np.int64 or len(f.delta) < 2:
        return None
    j = np.repeat(np.arange(len(f.count), dtype=np.int64), f.count.astype(np.int64))
    same = j[1:] == j[:-1]
    rows = f.delta[1:] == f.delta[:-1]
    same &= rows if rows.ndim == 1 else rows.all(axis=1)
    if not same.any():
        return None
    keep = np.concatenate(([True], ~same))
    g = table_of_arrays(j[keep], f.delta[keep], f.label[keep].astype(np.int64), len(f.count),
                        f.comps, f.weights)
    return g, f.count.astype(np.int64) - g.count
