"""Merging a sorted, disjoint run of codes into a larger one, in place.

The visited set (:class:`~procalg.lts.visited.Visited`) keeps its states
as a few sorted runs of geometric sizes; each merge moves the larger run's
entries up, chunk by chunk from the end, to open the gaps the new codes go
in (no second copy of a large run), or sorts a joined copy when both are
small. Runs of ``V{8k}`` keys are in key order (:mod:`procalg.lts.wide_keys`);
runs of packed (code, tag) keys (:mod:`procalg.lts.visited_runs`) are merged
by timsort (:func:`merge_packed`).

Example:
    >>> big, tags = merge_into(np.array([1, 5, 9]), np.array([0, 0, 0]),
    ...                        np.array([2, 7]), np.array([1, 1]))
    >>> big.tolist(), tags.tolist()
    ([1, 2, 5, 7, 9], [0, 1, 0, 1, 0])
"""

from __future__ import annotations

import numpy as np

from procalg.lts.wide_keys import key_hashes, key_order, key_positions

_CHUNK = 1 << 16
_SMALL = 1 << 18  # merges up to this size sort a copy: timsort merges the two runs about
# three times faster than the chunked move (deep spaces merge a batch of levels into the
# newest runs every few milliseconds); the copy is a few MB at most


def merge_into(big: np.ndarray, tags: np.ndarray, codes: np.ndarray, new_tags: np.ndarray,
               big_hashes: np.ndarray | None = None, hashes: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Merge sorted, disjoint ``codes`` into sorted ``big`` in place (keys:
    in key order, with their hashes if known)."""
    if big.dtype.kind == "V":
        known = [key_hashes(k) if h is None else h for k, h in ((big, big_hashes), (codes, hashes))]
        return merge_keyed(big, tags, codes, new_tags, *known)[:2]
    if len(big) + len(codes) <= _SMALL:  # a few numpy calls instead of the chunked in-place move
        joined = np.concatenate((big, codes))
        order = np.argsort(joined, kind="stable")
        return joined[order], np.concatenate((tags, new_tags))[order]
    big, tags = _moved_in(np.searchsorted(big, codes), [(big, codes), (tags, new_tags)])
    return big, tags


def merge_keyed(big: np.ndarray, tags: np.ndarray, keys: np.ndarray, new_tags: np.ndarray,
                big_hashes: np.ndarray, hashes: np.ndarray, held: tuple | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`merge_into` for runs of keys, and the merged run's hashes (put
    where their keys go: a merged run is never hashed again). ``held``: the
    two runs as :class:`~procalg.lts.visited_keys.CompactKeys`, ``big`` and
    ``keys`` their keys' other words (full keys are rebuilt only to order
    keys whose hashes tie, and for a small merge).

    Example:
        >>> from procalg.lts.wide_keys import key_hashes, key_sorted
        >>> run = key_sorted(np.array([1, 5, 9], dtype=">u8").view("V8"), None)[0]
        >>> new = key_sorted(np.array([2, 7], dtype=">u8").view("V8"), None)[0]
        >>> keys, tags, h = merge_keyed(run, np.zeros(3), new, np.ones(2),
        ...                             key_hashes(run), key_hashes(new))
        >>> len(keys), int(tags.sum()), bool((h == key_hashes(keys)).all())
        (5, 2, True)
    """
    n, m = len(big), len(keys)
    if n + m <= _SMALL:
        joined, both = np.concatenate((big, keys)), np.concatenate((big_hashes, hashes))
        full = joined if held is None else np.concatenate((held[0][:], held[1][:]))
        order = key_order(full, "stable", both)
        return joined[order], np.concatenate((tags, new_tags))[order], both[order]
    where, new = held if held is not None else (big, keys)
    pos = _insert_positions(where, big_hashes, new, hashes)
    big, tags, merged = _moved_in(pos, [(big, keys), (tags, new_tags), (big_hashes, hashes)])
    return big, tags, merged


def _insert_positions(big: np.ndarray, big_hashes: np.ndarray, keys: np.ndarray,
                      hashes: np.ndarray) -> np.ndarray:
    """Where each of the ``keys``, none of them in ``big``, goes in it: by hash
    alone, but for a key whose hash some key of ``big`` shares (a collision:
    about one in 2^64 a pair), placed by bytes. :func:`key_positions` would
    also compare each key with the one at its place, holding two copies of
    the new keys (1.3 GB to merge 16 M 40-byte keys into Tokeneer's largest run)."""
    pos = big_hashes.searchsorted(hashes)
    if not len(big):
        return pos
    shared = np.flatnonzero(big_hashes.take(pos, mode="clip") == hashes)
    if len(shared):
        pos[shared] = key_positions(big, big_hashes, keys[shared], hashes[shared])[0]
    return pos


def _moved_in(pos: np.ndarray, pairs: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """For each ``(big, new)`` pair, ``new``'s entries moved into ``big`` (grown
    in place) at the insertion points ``pos``: keys, their tags and their
    hashes move alike, so a merge holds no second copy of any of them (a
    merged hash array beside the old one was 8 bytes a state more at the
    largest merge: 1 GB at 134 M states)."""
    n, m = len(pairs[0][0]), len(pos)
    bigs = [_grown(big, n + m) for big, _ in pairs]
    for hi in range(n, 0, -_CHUNK):  # backwards, so no entry is overwritten unread
        lo = max(0, hi - _CHUNK)
        a, b = np.searchsorted(pos, [lo, hi])
        # shift of entry i = number of new codes inserted at or before i
        shift = a + np.cumsum(np.bincount(pos[a:b] - lo, minlength=hi - lo))
        dest = np.arange(lo, hi, dtype=np.int64) + shift
        for big in bigs:
            big[dest] = big[lo:hi].copy()
    dest = pos + np.arange(m, dtype=np.int64)
    for big, (_, new) in zip(bigs, pairs, strict=True):
        big[dest] = new
    return bigs


def merge_packed(big: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Merge the sorted, disjoint int64 ``keys`` into sorted ``big`` (grown in
    place when it owns its buffer): timsort of the two runs, one merge pass
    with a scratch buffer of the smaller run.

    Example:
        >>> merge_packed(np.array([1, 5, 9]), np.array([2, 7])).tolist()
        [1, 2, 5, 7, 9]
    """
    n = len(big)
    big = _grown(big, n + len(keys))
    big[n:] = keys
    big.sort(kind="stable")
    return big


def _grown(arr: np.ndarray, size: int) -> np.ndarray:
    if arr.dtype != object and arr.base is None and arr.flags.owndata:
        arr.resize(size, refcheck=False)
        return arr
    out = np.zeros(size, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out
