"""One sorted run of the visited set: codes, each with its BFS level tag.

A :class:`Run` of :class:`~procalg.lts.visited.Visited` holds its codes in
one of three forms:

- int64 codes with a tag array beside them (``uint16``, ``uint32`` when
  the search is deeper);
- ``V{8k}`` keys of wide codes, in key order, with their tags and hashes
  (:mod:`procalg.lts.wide_keys`); once in the visited set (:meth:`Run.compact`),
  without their first words (:mod:`procalg.lts.visited_keys`: 8 bytes a
  state fewer);
- *packed*: when the codes leave ``shift`` free bits of an int64, each
  code and its tag in one key ``code << shift | tag``. Codes are distinct,
  so keys sort as their codes do; a run is then one array (8 bytes per
  state, not 10) and merging two runs is numpy's timsort of the two
  concatenated: it finds the two sorted runs and merges them in one pass,
  4-5x faster (4 M + 1 M states: 20 ms, not 90 ms) than moving the
  entries of separate code and tag arrays (an argsort, or the chunked
  in-place move of :mod:`procalg.lts.run_merge`). Timsort is Peters'
  list sort (CPython's ``listsort.txt``), as numpy implements it.

Example:
    >>> run = Run.packed(np.array([3, 8]), 1, shift=8)
    >>> other = Run.packed(np.array([5]), 2, shift=8)
    >>> run.merge(other)
    >>> [c.tolist() for c in run.plain()], run.found(np.array([5, 6, 8])).tolist()
    ([[3, 5, 8], [1, 2, 1]], [True, False, True])
    >>> [x.tolist() for x in run.levels(np.array([9, 8]))]
    [[False, True], [1]]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from procalg.lts import run_merge, wide_keys
from procalg.lts.visited_keys import CompactKeys
from procalg.lts.wide_keys import to_keys

_TAG16 = int(np.iinfo(np.uint16).max)


class Run:
    """A sorted array of codes (or keys) with a level tag per code."""

    __slots__ = ("_codes", "_hashes", "_keys", "shift", "tags")

    def __init__(self, codes: np.ndarray, tags: np.ndarray | None, shift: int = 0,
                 hashes: np.ndarray | None = None) -> None:
        """``codes`` and ``tags``, or (``shift`` > 0, ``tags`` None) packed keys;
        keys' ``hashes``, if known."""
        self._codes, self.tags, self.shift = codes, tags, shift
        self._hashes = hashes
        self._keys: CompactKeys | None = None  # set: keys held without first words

    @property
    def codes(self) -> np.ndarray:
        """The run's stored codes (a compact run's keys: rebuilt, a new array)."""
        return self._codes if self._keys is None else self._keys[:]

    @codes.setter
    def codes(self, codes: np.ndarray) -> None:
        self._codes, self._keys = codes, None

    def compact(self) -> Run:
        """This run, its keys (of two words or more) held without their first
        words from now on (:mod:`procalg.lts.visited_keys`).

        Example:
            >>> keys, h = wide_keys.unique_hashed(to_keys(np.array([1 << 70, 3]), 2), "quicksort")
            >>> run = Run(keys, np.zeros(2, np.uint16), hashes=h)
            >>> run.nbytes, run.compact().nbytes, run.found(keys[::-1]).tolist()
            (52, 36, [True, True])
        """
        codes = self._codes
        if self._keys is None and codes.dtype.kind == "V" and codes.dtype.itemsize >= 16:
            self._keys = CompactKeys.of(codes, self.hashes)
            self._codes = self._hashes = None
        return self

    @classmethod
    def packed(cls, codes: np.ndarray, tags: np.ndarray | int, shift: int) -> Run:
        """The run of sorted, distinct int64 ``codes`` (below ``2^(63 - shift)``)
        with ``tags`` (below ``2^shift``; one int: every code's) packed."""
        keys = codes << shift
        keys |= np.asarray(tags, dtype=np.int64)
        return cls(keys, None, shift)

    @property
    def hashes(self) -> np.ndarray | None:
        """The key hashes of a run of ``V{8k}`` keys (None otherwise)."""
        if self._keys is not None:
            return self._keys.hashes
        if self._hashes is None and self._codes.dtype.kind == "V":
            self._hashes = wide_keys.key_hashes(self._codes)
        return self._hashes

    def __len__(self) -> int:
        return len(self._codes if self._keys is None else self._keys)

    @property
    def nbytes(self) -> int:
        """Bytes held (the Python ints of a wide run: about 36 each; a run of
        keys: 8 bytes of hash each too, once made)."""
        tags = 0 if self.tags is None else self.tags.nbytes
        if self._keys is not None:
            return self._keys.nbytes + tags
        hashes = 0 if self._hashes is None else self._hashes.nbytes
        return stored_bytes(self._codes) + tags + hashes

    def codes_at(self, mask: np.ndarray) -> np.ndarray:
        """The codes (stored form; a packed run's: unpacked) where ``mask`` is set."""
        if self._keys is not None:
            return self._keys[np.flatnonzero(mask)]
        return self._codes[mask] >> self.shift if self.shift else self._codes[mask]

    def plain_codes(self) -> np.ndarray:
        """The run's codes (stored form; a packed run's: unpacked, a new array)."""
        return self.codes >> self.shift if self.shift else self.codes

    def plain(self) -> tuple[np.ndarray, np.ndarray]:
        """Codes and tags as two arrays (a packed run's: new arrays, tags
        ``uint16`` while they fit)."""
        if not self.shift:
            assert self.tags is not None
            return self.codes, self.tags
        tags = self.codes & ((1 << self.shift) - 1)
        top = int(tags.max()) if len(tags) else 0
        dtype = np.uint16 if top < _TAG16 else np.uint32 if top >> 32 == 0 else np.uint64
        return self.codes >> self.shift, tags.astype(dtype)

    def merge(self, other: Run) -> None:
        """Take in the disjoint ``other``, of the same form (this run's array
        is grown in place: it is an older frontier, which no caller holds)."""
        if self.shift:
            self.codes = run_merge.merge_packed(self.codes, other.codes)
            return
        tags = other.tags
        assert self.tags is not None and tags is not None
        if self.tags.dtype != tags.dtype:
            wide = np.promote_types(self.tags.dtype, tags.dtype)
            self.tags, tags = self.tags.astype(wide), tags.astype(wide)
        if self.hashes is None:
            self.codes, self.tags = run_merge.merge_into(self.codes, self.tags, other.codes, tags)
            return
        mine, theirs = self.compact()._keys, other.compact()._keys
        if mine is None or theirs is None:  # one-word keys: nothing to leave out
            self.codes, self.tags, self._hashes = run_merge.merge_keyed(
                self.codes, self.tags, other.codes, tags, self.hashes, other.hashes)
            return
        rest, self.tags, hashes = run_merge.merge_keyed(
            mine.rest, self.tags, theirs.rest, tags, mine.hashes, theirs.hashes,
            held=(mine, theirs))
        self._keys = CompactKeys(hashes, rest)

    def recoded_pieces(self, recode: Callable[[np.ndarray], np.ndarray]) -> list[Run]:
        """The (unpacked) run's codes re-encoded by ``recode`` (int64 codes or
        keys in; int64 codes, Python integers or keys out, integers held as
        keys of their own width), as unsorted runs of about 1/:data:`PIECES`
        of it each (:meth:`reorder` then sorts them, :func:`merged` joins them).

        The pieces are made from the end, and this run's arrays are shrunk in
        place past each piece as it is made: the old and new codes are never
        both whole, and each piece's sort holds a piece's copies, not the
        run's (a 120 M-state run of 40-byte keys: about 1.7 GB beside the
        set, not 13 GB). This run is empty afterwards.

        Example:
            >>> run = Run(np.array([1, 2, 3]), np.array([0, 1, 1], np.uint16))
            >>> [p.codes.tolist() for p in run.recoded_pieces(lambda c: 9 - c)]
            [[8, 7, 6]]
        """
        assert self.tags is not None and not self.shift
        n, held = len(self), self._keys
        size = max(MIN_PIECE, -(-n // PIECES))
        self._hashes = None  # the new codes have other hashes
        pieces = []
        for lo in reversed(range(0, n, size)):
            tags = self.tags[lo: lo + size].copy()
            if held is None:
                piece = self._codes[lo: lo + size]
            else:  # rebuilt keys: the held words can go before the piece is recoded
                piece = held[lo: lo + size]
                held.shrink(lo)
            codes = recode(piece)
            if np.may_share_memory(codes, piece):  # about to be shrunk away
                codes = codes.copy()
            del piece
            codes = to_keys(codes, wide_keys.words(codes)) if codes.dtype == object else codes
            pieces.append(Run(codes, tags))
            if held is None:
                self._codes = _shrunk(self._codes, lo)
            self.tags = _shrunk(self.tags, lo)
        return pieces[::-1]

    def reorder(self, words: int) -> None:
        """Sort the run again after :meth:`recode`, keys widened to ``words``
        words first (the tags follow their codes).

        Example:
            >>> run = Run(np.array([1, 2, 3]), np.array([0, 1, 1], np.uint16))
            >>> run = run.recoded_pieces(lambda c: 9 - c)[0]
            >>> run.reorder(0)
            >>> run.codes.tolist(), run.tags.tolist()
            ([6, 7, 8], [1, 1, 0])
        """
        assert self.tags is not None and not self.shift
        codes = self.codes
        if codes.dtype.kind == "V":
            k = codes.dtype.itemsize // 8
            order, self.codes, self._hashes = wide_keys.key_sort(
                codes if k >= words else wide_keys.widen(codes, k, words))
        else:
            order = np.argsort(codes, kind="stable")
            self.codes = codes[order]
        self.tags = self.tags[order]

    def found(self, keys: np.ndarray, *, ordered: bool = False,
              hashes: np.ndarray | None = None) -> np.ndarray:
        """Mask of the ``keys`` (the runs' stored form of codes; ``ordered``:
        ascending int64 codes; ``hashes``: keys' hashes, if known) in the run."""
        if self._keys is not None:
            return self._held_positions(keys, hashes)[1]
        if not self.shift:
            if ordered and self.codes.dtype == np.int64 and len(self.codes):
                return self.codes.take(ordered_positions(self.codes, keys), mode="clip") == keys
            return found_in(self.codes, keys, self.hashes, hashes)
        if not len(self.codes):
            return np.zeros(len(keys), dtype=bool)
        # the first key at or past code << shift is the code's, if it is here;
        # past the end, the clipped last key holds a smaller code: no hit
        wanted = keys << self.shift
        pos = ordered_positions(self.codes, wanted) if ordered else self.codes.searchsorted(wanted)
        at = self.codes.take(pos, mode="clip")
        at >>= self.shift
        return at == keys

    def levels(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mask of the ``keys`` in the run, and the tags of those found."""
        if self._keys is not None:
            pos, hit = self._held_positions(keys)
            return hit, self.tags[pos[hit]]
        if not len(self.codes):
            return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
        if self.shift:
            at = self.codes.take(self.codes.searchsorted(keys << self.shift), mode="clip")
            hit = (at >> self.shift) == keys
            return hit, at[hit] & ((1 << self.shift) - 1)
        assert self.tags is not None
        if self.codes.dtype.kind == "V":
            pos, hit = wide_keys.key_positions(self.codes, self.hashes, keys)
        else:
            pos = np.minimum(np.searchsorted(self.codes, keys), len(self) - 1)
            hit = self.codes[pos] == keys
        return hit, self.tags[pos[hit]]

    def _held_positions(self, keys: np.ndarray, hashes: np.ndarray | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
        """:func:`~procalg.lts.wide_keys.key_positions` of full ``keys`` in a compact run."""
        held = self._keys
        assert held is not None
        if not len(held):
            return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
        return wide_keys.key_positions(held, held.hashes, keys, hashes)  # type: ignore[arg-type]


PIECES = 8
"""Pieces a run is re-encoded and sorted in (:meth:`Run.recoded_pieces`)."""

MIN_PIECE = 1 << 20
"""Fewest codes in a piece (a smaller run is one piece)."""


def merged(pieces: list[Run]) -> Run:
    """One run of the disjoint, sorted ``pieces`` (of one form; the list is
    emptied): each piece merged in place into the first (:mod:`procalg.lts.run_merge`)
    and let go. A piece is held beside the run it goes into until it is in,
    so k equal pieces hold at most 1/k of the whole twice (pairs, round by
    round, would hold half of it twice), for O(n k) moves: about 3.5 n at k = 8.

    Example:
        >>> pieces = [Run(np.array([c]), np.array([0], np.uint16)) for c in (4, 1, 3)]
        >>> merged(pieces).codes.tolist(), pieces
        ([1, 3, 4], [])
    """
    run = pieces.pop(0)
    while pieces:
        run.merge(pieces.pop(0))  # the only reference to the piece goes
    return run.compact()


def _shrunk(arr: np.ndarray, size: int) -> np.ndarray:
    """``arr[:size]``, its memory past ``size`` handed back when it owns it."""
    if arr.base is None and arr.flags.owndata:
        arr.resize(size, refcheck=False)
        return arr
    return arr[:size]


BLOCK = 1 << 12
"""Ascending queries searched per slice of a run by :func:`ordered_positions`."""


def ordered_positions(run: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``run.searchsorted(keys)`` for ascending ``keys`` (others: searched
    plainly), ``BLOCK`` at a time:
    each block searches only the slice of ``run`` between the positions of
    the previous block's last key and its own, which stays in cache and
    takes fewer steps (2 M queries in 5 M codes: 51 ms, not 74 ms).

    Example:
        >>> run = np.arange(0, 20000, 2)
        >>> keys = np.arange(-1, 20001, 3)
        >>> bool((ordered_positions(run, keys) == run.searchsorted(keys)).all())
        True
    """
    n = len(keys)
    if n < 2 * BLOCK or not (keys[1:] >= keys[:-1]).all():  # one pass: cheap beside a search
        return run.searchsorted(keys)
    # a block's positions lie between its neighbours' last keys' positions
    ends = run.searchsorted(keys[BLOCK - 1::BLOCK]).tolist()
    out = np.empty(n, dtype=np.int64)
    lo = 0
    for at, hi in zip(range(0, n, BLOCK), [*ends, len(run)], strict=False):
        np.add(run[lo:hi].searchsorted(keys[at: at + BLOCK]), lo, out=out[at: at + BLOCK])
        lo = hi
    return out


def stored_bytes(codes: np.ndarray) -> int:
    """Bytes of a code array, counting the Python ints of a wide one (about 36 each)."""
    return codes.nbytes + (36 * len(codes) if codes.dtype == object else 0)


def found_in(tier: np.ndarray, codes: np.ndarray, hashes: np.ndarray | None = None,
             asked: np.ndarray | None = None) -> np.ndarray:
    """Mask of the ``codes`` in the sorted array ``tier`` (keys: in key order,
    with their ``hashes`` if known; ``asked``: the codes' hashes, if known).

    Example:
        >>> found_in(np.array([2, 4]), np.array([4, 5, 1])).tolist()
        [True, False, False]
    """
    if not len(tier):
        return np.zeros(len(codes), dtype=bool)
    if tier.dtype.kind == "V":  # keys, in key order
        known = wide_keys.key_hashes(tier) if hashes is None else hashes
        return wide_keys.key_positions(tier, known, codes, asked)[1]
    # a code past the end is clipped to the last entry, which is smaller: no hit
    return tier.take(tier.searchsorted(codes), mode="clip") == codes
