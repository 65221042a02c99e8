"""Fixed-width sort keys for codes wider than 62 bits.

Wide codes are Python integers in ``object`` arrays, and numpy sorts and
binary-searches those one Python comparison at a time (about 9 µs per
``searchsorted`` query on a million codes). As keys of ``k`` big-endian
64-bit words viewed as one ``V{8k}`` void item, the same order is plain
byte order (``memcmp``), so ``np.sort``, ``np.searchsorted`` and ``==``
run in C: about 6x faster sorts and 5x faster searches, for a conversion
of about 0.2 µs per code. The visited set keeps wide runs as keys.

Example:
    >>> codes = np.array([1 << 70, 5, (1 << 64) + 1], dtype=object)
    >>> k = words(codes)
    >>> keys = to_keys(codes, k)
    >>> k, from_keys(np.sort(keys), k).tolist() == sorted(codes.tolist())
    (2, True)
"""

from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1


def words(codes: np.ndarray) -> int:
    """64-bit words needed for the largest of ``codes`` (non-negative), at least 1."""
    if not len(codes):
        return 1
    return max(1, -(-int(codes.max()).bit_length() // 64))


def to_keys(codes: np.ndarray, k: int) -> np.ndarray:
    """Keys of ``k`` words ordered as the non-negative ``codes`` are (an owning array)."""
    out = np.empty(len(codes), dtype=f"V{8 * k}")
    w = out.view(">u8").reshape(len(codes), k)
    rest = codes.astype(object)
    for i in range(k - 1, -1, -1):
        w[:, i] = (rest & _MASK).astype(np.uint64)
        if i:
            rest = rest >> 64
    return out


def from_keys(keys: np.ndarray, k: int) -> np.ndarray:
    """The codes (Python integers, ``object`` array) of ``k``-word keys."""
    w = keys.view(">u8").reshape(len(keys), k)
    out = w[:, 0].astype(object)
    for i in range(1, k):
        out = (out << 64) | w[:, i].astype(object)
    return out.astype(object)


def widen(keys: np.ndarray, k: int, new: int) -> np.ndarray:
    """``k``-word keys as ``new``-word keys (zero words in front: same order)."""
    out = np.zeros(len(keys), dtype=f"V{8 * new}")
    out.view(np.uint8).reshape(len(keys), 8 * new)[:, 8 * (new - k):] = \
        keys.view(np.uint8).reshape(len(keys), 8 * k)
    return out
