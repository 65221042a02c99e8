"""The visited set of a level-synchronous BFS: sorted codes with level tags.

States live in two tiers: ``big``, one sorted ``int64`` array with a level
tag per state (``uint16``, widened if the search gets deeper), and a few
recent BFS levels, each its own sorted array (the newest is the frontier).
Membership is a binary search per tier (``np.searchsorted`` on sorted
queries); when the recent tier holds more than a quarter of ``big`` (or too
many levels), it is merged into ``big`` in place: ``big`` is grown with
``ndarray.resize`` (``realloc``, no copy for large arrays) and its old
entries are moved backwards chunk by chunk, so a merge needs only a chunk of
scratch memory. No state is stored twice, and the level tags give shortest
counterexamples by backward search. This is the sorted-merge visited set of
FDR's level-by-level search (Gibson-Robinson et al., "FDR3", TACAS 2014),
kept in memory.

Memory: 8 bytes of code plus 2 of level tag per state. Time: O(S log S)
for merges overall (the big tier grows geometrically) plus O(q log S) per
batch of q queries.

Example:
    >>> v = Visited(np.array([5]))
    >>> new = v.add_level(np.array([1, 5, 9]))
    >>> new.tolist(), v.level_of(np.array([9, 5, 7])).tolist(), len(v)
    ([1, 9], [1, 0, -1], 3)
"""

from __future__ import annotations

import numpy as np

_CHUNK = 1 << 18
_MAX_RECENT = 8


def sorted_unique(codes: np.ndarray, kind: str = "quicksort") -> np.ndarray:
    """Sorted distinct values (``np.unique`` without its hashing path, which
    is much slower on large int64 arrays in numpy 2.x).

    Example:
        >>> sorted_unique(np.array([3, 1, 3])).tolist()
        [1, 3]
    """
    out = np.sort(codes, kind=kind)
    if len(out) < 2:
        return out
    keep = np.empty(len(out), dtype=bool)
    keep[0] = True
    np.not_equal(out[1:], out[:-1], out=keep[1:])
    return out[keep]


class Visited:
    """A set of int64 codes, each tagged with the BFS level that found it."""

    def __init__(self, initial: np.ndarray) -> None:
        self.big = np.zeros(0, dtype=np.int64)
        self.tags = np.zeros(0, dtype=np.uint16)
        self.recent: list[tuple[int, np.ndarray]] = []
        self.depth = 0
        self.recent.append((0, sorted_unique(np.asarray(initial, dtype=np.int64))))
        self._recent_size = len(self.recent[0][1])

    def __len__(self) -> int:
        return len(self.big) + self._recent_size

    @property
    def nbytes(self) -> int:
        """Bytes held by the set."""
        return self.big.nbytes + self.tags.nbytes + sum(a.nbytes for _, a in self.recent)

    def _find(self, tier: np.ndarray, codes: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(tier, codes)
        hit = np.zeros(len(codes), dtype=bool)
        inside = pos < len(tier)
        hit[inside] = tier[pos[inside]] == codes[inside]
        return hit

    def contains(self, codes: np.ndarray) -> np.ndarray:
        """Membership mask for sorted ``codes``."""
        hit = self._find(self.big, codes)
        for _, arr in self.recent:
            hit |= self._find(arr, codes)
        return hit

    def level_of(self, codes: np.ndarray) -> np.ndarray:
        """The BFS level of each code (``-1`` when not visited)."""
        codes = np.asarray(codes, dtype=np.int64)
        out = np.full(len(codes), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.big, codes), max(len(self.big) - 1, 0))
        if len(self.big):
            hit = self.big[pos] == codes
            out[hit] = self.tags[pos[hit]]
        for level, arr in self.recent:
            out[self._find(arr, codes)] = level
        return out

    def add_level(self, candidates: np.ndarray, *, runs: bool = False) -> np.ndarray:
        """Record the unseen codes among ``candidates`` as the next level.

        Args:
            candidates: codes, in any order.
            runs: ``candidates`` is a concatenation of a few sorted runs
                (timsort then merges them in O(n log runs)).

        Returns the new level (sorted, unique), which is also the frontier.
        """
        cand = sorted_unique(candidates, kind="stable" if runs else "quicksort")
        new = cand[~self.contains(cand)]
        self.depth += 1
        self.recent.append((self.depth, new))
        self._recent_size += len(new)
        if self._recent_size * 4 > len(self.big) or len(self.recent) > _MAX_RECENT:
            self._merge()
        return new

    def levels(self) -> list[np.ndarray]:
        """Every level's codes (sorted), in BFS order; used after a search."""
        order = np.argsort(self.tags, kind="stable")
        bounds = np.cumsum(np.bincount(self.tags, minlength=self.depth + 1))[:-1]
        out = np.split(self.big[order], bounds)
        for k, arr in self.recent:
            out[k] = arr
        return out

    def finish(self) -> None:
        """Merge every level into ``big`` (after a search: one sorted array)."""
        self.recent.append((self.depth + 1, np.zeros(0, dtype=np.int64)))
        self._merge()
        self.recent = []
        self._recent_size = 0

    def _merge(self) -> None:
        """Move all recent levels except the frontier into ``big``."""
        old, self.recent = self.recent[:-1], self.recent[-1:]
        if not old:
            return
        codes = np.concatenate([a for _, a in old])
        tags = np.concatenate([np.full(len(a), k, dtype=np.int64) for k, a in old])
        order = np.argsort(codes, kind="stable")
        codes, tags = codes[order], tags[order]
        self._recent_size = len(self.recent[0][1])
        if self.depth >= np.iinfo(self.tags.dtype).max:
            self.tags = self.tags.astype(np.uint32)
        self.big, self.tags = _merge_into(self.big, self.tags, codes, tags)


def _merge_into(big: np.ndarray, tags: np.ndarray, codes: np.ndarray, new_tags: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Merge sorted, disjoint ``codes`` into sorted ``big`` in place."""
    n, m = len(big), len(codes)
    pos = np.searchsorted(big, codes)
    big = _grown(big, n + m)
    tags = _grown(tags, n + m)
    for hi in range(n, 0, -_CHUNK):  # backwards, so no entry is overwritten unread
        lo = max(0, hi - _CHUNK)
        idx = np.arange(lo, hi, dtype=np.int64)
        dest = idx + np.searchsorted(pos, idx, side="right")
        big[dest] = big[lo:hi].copy()
        tags[dest] = tags[lo:hi].copy()
    dest = pos + np.arange(m, dtype=np.int64)
    big[dest] = codes
    tags[dest] = new_tags
    return big, tags


def _grown(arr: np.ndarray, size: int) -> np.ndarray:
    if arr.base is None and arr.flags.owndata:
        arr.resize(size, refcheck=False)
        return arr
    out = np.zeros(size, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out
