"""Partitions as numpy arrays, and rounds of signature refinement on them.

The warm-up of :mod:`procalg.lts.paige_tarjan`: one round splits every block
``Q`` by the signature ``sig(s) = {(a, X(t)) | s -a-> t}`` (Blom & Orzan,
"Distributed branching bisimulation reduction of state spaces", PDMC 2003),
in a few O(m log m) sorts. Signature sets are grouped by a 64-bit set hash
(SplitMix64 codes summed) and then compared exactly, so a collision costs
time, never correctness. The helpers keep transitions as sorted,
deduplicated int64 columns and blocks numbered ``0..k-1``.

Example:
    >>> s, a, d = sorted_transitions(3, [1, 0, 0], [0, 0, 0], [2, 1, 1])
    >>> s.tolist(), d.tolist()
    ([0, 1], [1, 2])
    >>> blocks, count = signature_round(3, s, a, d, np.zeros(3, np.int64), np.zeros(3, np.int64))
    >>> first_occurrence(blocks).tolist(), count
    ([0, 0, 1], 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

ArrayLike = Sequence[int] | np.ndarray
"""Integers, one per state or transition."""


def sorted_transitions(n: int, src: ArrayLike, label: ArrayLike, dst: ArrayLike
                 ) -> tuple[np.ndarray, ...]:
    """int64 arrays sorted by source, then label, then target; duplicates removed."""
    s, a, d = (np.asarray(v, dtype=np.int64).reshape(-1) for v in (src, label, dst))
    if not len(s):
        return s, a, d
    if min(s.min(), a.min(), d.min()) < 0 or max(s.max(), d.max()) >= n:
        raise ValueError("transition endpoint outside 0..num_states-1, or a negative label")
    return _unique_rows((s, a, d), (n, int(a.max()) + 1, n))


def _pack(cols: tuple[np.ndarray, ...], sizes: tuple[int, ...]) -> np.ndarray | None:
    """One int64 per row, in the rows' lexicographic order, if ``sizes`` fit in 63 bits."""
    if math.prod(max(z, 1) for z in sizes) >= 2**63:
        return None
    key = cols[0]
    for col, z in zip(cols[1:], sizes[1:], strict=True):
        key = key * z + col
    return key


def lex_order(cols: tuple[np.ndarray, ...], sizes: tuple[int, ...]) -> np.ndarray:
    """A stable permutation sorting the rows lexicographically (first column first)."""
    key = _pack(cols, sizes)
    return np.lexsort(cols[::-1]) if key is None else np.argsort(key, kind="stable")


def _unique_rows(cols: tuple[np.ndarray, ...], sizes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """The distinct rows, sorted; column ``i`` holds values in ``0..sizes[i]-1``."""
    key = _pack(cols, sizes)
    if key is None:  # too wide to pack: sort by columns (slower)
        order = np.lexsort(cols[::-1])
        _, starts = ids_of_sorted(order, cols)
        return tuple(col[order[starts]] for col in cols)
    key = np.sort(key)  # sorting packed values beats lexsort/argsort severalfold
    key = key[np.concatenate(([True], key[1:] != key[:-1]))] if len(key) else key
    out = []
    for z in sizes[:0:-1]:
        key, rest = np.divmod(key, z)
        out.append(rest)
    return (key, *out[::-1])


def dense_blocks(values: ArrayLike, n: int) -> np.ndarray:
    """Block numbers ``0..k-1`` for arbitrary integer labels of ``n`` states."""
    arr = np.asarray(values, dtype=np.int64).reshape(-1)
    if len(arr) != n:
        raise ValueError("the initial partition needs one block per state")
    return ids_of_sorted(np.argsort(arr, kind="stable"), (arr,))[0]


def ids_of_sorted(order: np.ndarray, keys: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Number the distinct key tuples ``0..k-1`` along ``order`` (which sorts them).

    Returns:
        The number of every element, and the positions in ``order`` where a
        new number starts (so ``order[starts]`` is each group's first element).
    """
    fresh = np.zeros(len(order), dtype=bool)
    fresh[:1] = True
    for key in keys:
        k = key[order]
        fresh[1:] |= k[1:] != k[:-1]
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.cumsum(fresh) - 1
    return ids, np.flatnonzero(fresh)


def block_count(blocks: np.ndarray) -> int:
    return int(blocks.max()) + 1 if len(blocks) else 0


def first_occurrence(blocks: np.ndarray) -> np.ndarray:
    """Renumber blocks by the order of their smallest state."""
    k = block_count(blocks)
    first = np.full(k, len(blocks), dtype=np.int64)
    np.minimum.at(first, blocks, np.arange(len(blocks)))
    rank = np.empty(k, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(k)
    return rank[blocks].astype(np.int32)


def _mix(codes: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea & Flood, OOPSLA 2014), wrapping uint64."""
    z = codes.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def signature_round(n: int, src: np.ndarray, lab: np.ndarray, dst: np.ndarray,
                     x: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, int]:
    """Split ``q`` by ``sig(s) = {(a, x(t)) | s -a-> t}``; return the blocks and their count.

    The signature sets (sorted, unique codes per state) are grouped by
    ``(q, size, sum of mixed codes)`` and then checked entry by entry against
    their group's first member, so a hash collision costs time, never
    correctness.
    """
    width = max(block_count(x), 1)
    labels = int(lab.max()) + 1 if len(lab) else 1
    owner, codes = _unique_rows((src, lab * width + x[dst]), (n, labels * width))
    size = np.bincount(owner, minlength=n)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(size, out=start[1:])
    mixed = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(_mix(codes), out=mixed[1:])  # wraps modulo 2**64: a set hash
    digest = mixed[start[1:]] - mixed[start[:-1]]
    by = np.lexsort((digest, size, q))
    ids, starts = ids_of_sorted(by, (q, size, digest))
    rep = by[starts]  # the first state of each group
    offset = np.arange(len(codes)) - start[owner]
    if not np.array_equal(codes, codes[start[rep[ids[owner]]] + offset]):
        ids = _group_by_tuples(q, codes, start)  # a collision: group exactly
    return ids, block_count(ids)


def _group_by_tuples(q: np.ndarray, codes: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Exact grouping by ``(q(s), signature tuple)``; the slow path."""
    values, bounds, groups = codes.tolist(), start.tolist(), {}
    ids = [groups.setdefault((b, tuple(values[bounds[s]:bounds[s + 1]])), len(groups))
           for s, b in enumerate(q.tolist())]
    return np.asarray(ids, dtype=np.int64)
