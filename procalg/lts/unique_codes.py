"""Sorted, distinct successor codes, and wide keys' hashes carried beside them.

A level search (:mod:`procalg.lts.level_search`) sorts each batch's
successors, joins the batches' sorted runs and drops those already visited.
Codes wider than 62 bits are ``V{8k}`` keys ordered by (hash, bytes)
(:mod:`procalg.lts.wide_keys`); a :data:`Keyed` pair holds such keys with
their hashes, computed once when a batch's successors are made, so the join,
the visited set's look-ups and its runs never re-mix a key's words (Tokeneer:
40-byte keys were hashed five to eight times each, a third of the search).
int64 codes travel with ``None``.

Example:
    >>> raw = [keyed_unique(np.array([4, 1, 4])), keyed_unique(np.array([2, 4]))]
    >>> codes, hashes = joined_unique(raw)
    >>> codes.tolist(), hashes, raw
    ([1, 2, 4], None, [])
"""

from __future__ import annotations

import numpy as np

from procalg.lts import wide_keys
from procalg.lts.wide_keys import from_keys, to_keys

Keyed = tuple[np.ndarray, "np.ndarray | None"]
"""Sorted, distinct codes and, for ``V{8k}`` keys (in key order), their hashes."""


def sorted_unique(codes: np.ndarray, kind: str = "quicksort", *, own: bool = False
                  ) -> np.ndarray:
    """Sorted distinct values (``np.unique`` without its hashing path, which
    is much slower on large int64 arrays in numpy 2.x); with ``own``, int64
    ``codes`` are scratch the caller gives up: sorted in place, not copied.

    Example:
        >>> sorted_unique(np.array([3, 1, 3])).tolist()
        [1, 3]
    """
    if codes.dtype == object and len(codes) > 1 and codes.min() >= 0:
        # wide codes: sort byte keys in C, not Python ints one comparison at a time
        k = wide_keys.words(codes)
        keys = np.sort(to_keys(codes, k), kind=kind)
        return from_keys(keys[np.concatenate(([True], keys[1:] != keys[:-1]))], k)
    if codes.dtype.kind == "V":  # keys of a word-aligned layout: in key order
        return wide_keys.unique_keys(codes, kind)
    out = codes if own else codes.copy()  # ndarray methods, not np.sort & co.: their wrappers
    out.sort(kind=kind)  # cost as much as the work on the tiny levels of a deep space
    if len(out) < 2:
        return out
    keep = np.empty(len(out), dtype=bool)
    keep[0] = True
    np.not_equal(out[1:], out[:-1], out=keep[1:])
    return out[keep]


def keyed_unique(codes: np.ndarray, kind: str = "quicksort", *, own: bool = False,
                 hashes: np.ndarray | None = None) -> Keyed:
    """:func:`sorted_unique`, keys with their hashes (``hashes``: those of
    ``codes``, if known).

    Example:
        >>> keys = np.array([3, 1, 3], dtype=">u8").view("V8")
        >>> out, h = keyed_unique(keys)
        >>> len(out), bool((h == wide_keys.key_hashes(out)).all())
        (2, True)
    """
    if codes.dtype.kind == "V":
        return wide_keys.unique_hashed(codes, kind, hashes)
    return sorted_unique(codes, kind, own=own), None


def joined_unique(raw: list[Keyed]) -> Keyed:
    """The sorted, distinct codes of the sorted runs ``raw``, which it empties:
    the runs are let go before the sort, whose copies they would double."""
    codes = np.concatenate([r[0] for r in raw])
    hashes = None if any(r[1] is None for r in raw) else np.concatenate([r[1] for r in raw])
    raw.clear()
    return keyed_unique(codes, "stable", own=True, hashes=hashes)
