"""The visited set of a level-synchronous BFS: sorted codes with level tags.

States live in three tiers: ``big`` and ``mid``, sorted ``int64`` arrays
with a level tag per state (``uint16``, widened if the search gets deeper),
and the frontier (the newest level). Membership is a binary search per tier
(``np.searchsorted`` on sorted queries), frontier first, each tier seeing
only what the previous ones missed. After each level the frontier is merged
into ``mid``; when ``mid`` holds more than an eighth of ``big``, it is merged
into ``big``. Merges are in place: the target is grown with
``ndarray.resize`` (``realloc``, no copy for large arrays) and its old
entries are moved backwards chunk by chunk, so a merge needs only a chunk of
scratch memory. No state is stored twice, and the level tags give shortest
counterexamples by backward search. This is the sorted-merge visited set of
FDR's level-by-level search (Gibson-Robinson et al., "FDR3", TACAS 2014),
kept in memory.

Codes are ``int64``, or Python integers in ``object`` arrays when a
network's codes are wider than 62 bits (same algorithms, slower);
:meth:`Visited.recode` re-encodes every state when the code layout changes
(a lazily explored component outgrew its digits).

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

from collections.abc import Callable

import numpy as np

Recode = Callable[[np.ndarray], np.ndarray]

_CHUNK = 1 << 16
_MID_SHARE = 8  # merge mid into big when it exceeds 1/8 of big: bounds merge scratch


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


class _Tier:
    """A sorted code array with a level tag per code."""

    def __init__(self) -> None:
        self.codes = np.zeros(0, dtype=np.int64)
        self.tags = np.zeros(0, dtype=np.uint16)

    def merge(self, codes: np.ndarray, tags: np.ndarray) -> None:
        if self.codes.dtype != codes.dtype:  # int64 meets wide codes: all become Python ints
            self.codes, codes = self.codes.astype(object), codes.astype(object)
        if self.tags.dtype != tags.dtype:
            self.tags = self.tags.astype(tags.dtype)
        self.codes, self.tags = _merge_into(self.codes, self.tags, codes, tags)

    def find(self, codes: np.ndarray) -> np.ndarray:
        """Membership mask for ``codes``."""
        return _find(self.codes, codes)

    def recode(self, recode: Recode) -> None:
        if len(self.codes):
            codes = recode(self.codes)
            order = np.argsort(codes, kind="stable")
            self.codes, self.tags = codes[order], self.tags[order]


class Visited:
    """A set of int64 codes, each tagged with the BFS level that found it."""

    def __init__(self, initial: np.ndarray) -> None:
        self.big, self.mid = _Tier(), _Tier()
        self.depth = 0
        initial = np.asarray(initial)
        self.frontier = sorted_unique(initial if initial.dtype == object
                                      else initial.astype(np.int64))

    def __len__(self) -> int:
        return len(self.big.codes) + len(self.mid.codes) + len(self.frontier)

    @property
    def nbytes(self) -> int:
        """Bytes held by the set."""
        return sum(_bytes(t.codes) + t.tags.nbytes for t in (self.big, self.mid)) + \
            _bytes(self.frontier)

    def _finders(self) -> list:
        frontier = self.frontier
        return [lambda q: _find(frontier, q), self.mid.find, self.big.find]  # likeliest first

    def unseen(self, codes: np.ndarray) -> np.ndarray:
        """The ``codes`` not in the set (sorted queries search fastest)."""
        for find in self._finders():
            if len(codes):
                codes = codes[~find(codes)]
        return codes

    def contains(self, codes: np.ndarray) -> np.ndarray:
        """Membership mask for ``codes``."""
        hit = np.zeros(len(codes), dtype=bool)
        for find in self._finders():
            hit |= find(codes)
        return hit

    def recode(self, recode: Recode) -> None:
        """Re-encode every state with ``recode`` (old codes -> new codes, same
        states, possibly another dtype), keeping each state's level.

        Example:
            >>> v = Visited(np.array([1, 2]))
            >>> v.recode(lambda c: 10 - c)
            >>> v.frontier.tolist()
            [8, 9]
        """
        for tier in (self.big, self.mid):
            tier.recode(recode)
        self.frontier = np.sort(recode(self.frontier))

    def level_of(self, codes: np.ndarray) -> np.ndarray:
        """The BFS level of each code (``-1`` when not visited)."""
        codes = np.asarray(codes)
        if codes.dtype != object:
            codes = codes.astype(np.int64)
        out = np.full(len(codes), -1, dtype=np.int64)
        for tier in (self.big, self.mid):
            if len(tier.codes):
                pos = np.minimum(np.searchsorted(tier.codes, codes), len(tier.codes) - 1)
                hit = tier.codes[pos] == codes
                out[hit] = tier.tags[pos[hit]]
        out[_find(self.frontier, codes)] = self.depth
        return out

    def add_level(self, candidates: np.ndarray, *, runs: bool = False,
                  checked: bool = False) -> np.ndarray:
        """Record the unseen codes among ``candidates`` as the next level.

        Args:
            candidates: codes, in any order.
            runs: ``candidates`` is a concatenation of a few sorted runs
                (timsort then merges them in O(n log runs)).
            checked: no candidate is in the set (only duplicates to drop).

        Returns the new level (sorted, unique), which is also the frontier.
        """
        new = sorted_unique(candidates, kind="stable" if runs else "quicksort")
        if not checked:
            new = self.unseen(new)
        self._retire()
        self.depth += 1
        self.frontier = new
        return new

    def _retire(self) -> None:
        """Move the frontier into ``mid``, and ``mid`` into ``big`` when it has grown."""
        dtype = np.uint16 if self.depth < np.iinfo(np.uint16).max else np.uint32
        self.mid.merge(self.frontier, np.full(len(self.frontier), self.depth, dtype))
        self.frontier = np.zeros(0, dtype=np.int64)
        if len(self.mid.codes) * _MID_SHARE > len(self.big.codes):
            self.big.merge(self.mid.codes, self.mid.tags)
            self.mid = _Tier()

    def levels(self) -> list[np.ndarray]:
        """Every level's codes (sorted), in BFS order; call after :meth:`finish`."""
        order = np.argsort(self.tags, kind="stable")
        bounds = np.cumsum(np.bincount(self.tags, minlength=self.depth + 1))[:-1]
        return np.split(self.codes[order], bounds)

    def finish(self) -> None:
        """Merge every tier into one sorted array (:attr:`codes`, :attr:`tags`)."""
        self._retire()
        if len(self.mid.codes):
            self.big.merge(self.mid.codes, self.mid.tags)
            self.mid = _Tier()

    @property
    def codes(self) -> np.ndarray:
        """All codes, sorted, once :meth:`finish` has run."""
        return self.big.codes

    @property
    def tags(self) -> np.ndarray:
        """The level of each of :attr:`codes`, once :meth:`finish` has run."""
        return self.big.tags


def _bytes(codes: np.ndarray) -> int:
    """Bytes of a code array, counting the Python ints of a wide one (about 36 each)."""
    return codes.nbytes + (36 * len(codes) if codes.dtype == object else 0)


def _find(tier: np.ndarray, codes: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(tier, codes)
    hit = np.zeros(len(codes), dtype=bool)
    inside = pos < len(tier)
    hit[inside] = tier[pos[inside]] == codes[inside]
    return hit


def _merge_into(big: np.ndarray, tags: np.ndarray, codes: np.ndarray, new_tags: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Merge sorted, disjoint ``codes`` into sorted ``big`` in place."""
    n, m = len(big), len(codes)
    pos = np.searchsorted(big, codes)
    big = _grown(big, n + m)
    tags = _grown(tags, n + m)
    for hi in range(n, 0, -_CHUNK):  # backwards, so no entry is overwritten unread
        lo = max(0, hi - _CHUNK)
        a, b = np.searchsorted(pos, [lo, hi])
        # shift of entry i = number of new codes inserted at or before i
        shift = a + np.cumsum(np.bincount(pos[a:b] - lo, minlength=hi - lo))
        dest = np.arange(lo, hi, dtype=np.int64) + shift
        big[dest] = big[lo:hi].copy()
        tags[dest] = tags[lo:hi].copy()
    dest = pos + np.arange(m, dtype=np.int64)
    big[dest] = codes
    tags[dest] = new_tags
    return big, tags


def _grown(arr: np.ndarray, size: int) -> np.ndarray:
    if arr.dtype != object and arr.base is None and arr.flags.owndata:
        arr.resize(size, refcheck=False)
        return arr
    out = np.zeros(size, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out
