"""Keys of a visited run held without their first word: the hash stands in for it.

A run of ``V{8k}`` keys is in key order, by hash then bytes
(:mod:`procalg.lts.wide_keys`), so it holds each key's 64-bit hash beside
it: ``8k + 8`` bytes a state. The hash is a bijection of the first word once
the other words are fixed (each step of :func:`~procalg.lts.wide_keys.key_hashes`
is one), so the first word is :func:`~procalg.lts.wide_keys.first_words` of the
hash and the rest: a run holds the hashes and the other ``k - 1`` words,
``8k`` bytes a state (Tokeneer's 4-word keys: 32, not 40). Two keys are equal
when their hashes and their other words are; a full key is rebuilt only
where a caller asks for one (a collision's byte order, a trace, a recode).

Example:
    >>> from procalg.lts.wide_keys import key_hashes
    >>> keys = np.array([[1, 2], [3, 4], [5, 6]], dtype=">u8").view("V16").ravel()
    >>> held = CompactKeys.of(keys, key_hashes(keys))
    >>> held.nbytes, bool((held[:] == keys).all()), held.same(np.array([1]), keys[1:2]).tolist()
    (48, True, [True])
"""

from __future__ import annotations

import numpy as np

from procalg.lts import wide_keys
from procalg.lts.wide_keys import native_words

CHUNK = 1 << 16
"""Keys whose first words are rebuilt at a time (a few temporaries of 512 KB)."""


class CompactKeys:
    """``V{8k}`` keys (k >= 2) as their hashes and their last ``k - 1`` words."""

    __slots__ = ("hashes", "rest")

    def __init__(self, hashes: np.ndarray, rest: np.ndarray) -> None:
        """``hashes`` (uint64) and ``rest`` (``V{8(k-1)}``, contiguous), one each a key."""
        self.hashes, self.rest = hashes, rest

    @classmethod
    def of(cls, keys: np.ndarray, hashes: np.ndarray) -> CompactKeys:
        """``keys`` (with their ``hashes``) held compactly (the rest: a new array)."""
        k = keys.dtype.itemsize // 8
        rest = np.empty(len(keys), dtype=f"V{8 * (k - 1)}")  # owned: merges grow it in place
        rest.view(np.uint64).reshape(len(keys), k - 1)[:] = native_words(keys)[:, 1:]
        return cls(hashes, rest)

    def __len__(self) -> int:
        return len(self.rest)

    @property
    def nbytes(self) -> int:
        return self.rest.nbytes + self.hashes.nbytes

    def __getitem__(self, at: int | slice | np.ndarray) -> np.ndarray:
        """The full keys at ``at`` (an int: one key, a ``np.void``), rebuilt."""
        if isinstance(at, int | np.integer):
            return self[np.array([at])][0]
        rest, hashes = self.rest[at], self.hashes[at]
        words = native_words(rest)
        out = np.empty(len(rest), dtype=f"V{rest.dtype.itemsize + 8}")
        full = out.view(np.uint64).reshape(len(out), words.shape[1] + 1)
        full[:, 1:] = words
        for lo in range(0, len(out), CHUNK):  # the unmixing's temporaries stay small
            full[lo: lo + CHUNK, 0] = wide_keys.first_words(hashes[lo: lo + CHUNK],
                                                            words[lo: lo + CHUNK])
        return out

    def same(self, at: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Mask of ``keys`` equal to the held keys at ``at``, pairwise, given
        that their hashes are equal (so only the other words are compared)."""
        held, asked = native_words(self.rest.take(at)), native_words(keys)[:, 1:]
        out = held[:, 0] == asked[:, 0]
        for i in range(1, held.shape[1]):
            out &= held[:, i] == asked[:, i]
        return out

    def shrink(self, size: int) -> None:
        """Keep the first ``size`` keys (memory past them handed back when owned)."""
        self.rest, self.hashes = _shrunk(self.rest, size), _shrunk(self.hashes, size)


def _shrunk(arr: np.ndarray, size: int) -> np.ndarray:
    """``arr[:size]``, its memory past ``size`` handed back when it owns it."""
    if arr.base is None and arr.flags.owndata:
        arr.resize(size, refcheck=False)
        return arr
    return arr[:size]
