"""Re-encoding codes for a grown layout, a bounded piece at a time.

When a lazy component outgrows its digits (:meth:`Layout.grown
<procalg.lts.codes.Layout.grown>`), every stored state is re-encoded. Through
the component digits (decode every component, encode again) that costs one
int64 column per component and code, all at once: on Tokeneer (132
components, 5-word keys) about 1 KB a state, 620 bytes of it live at once,
so a recode of 32 M visited states wanted some 20 GB beside their 1.3 GB.

Here the codes go through in pieces of :data:`PIECE`, and word-aligned keys
(:mod:`procalg.lts.wide_keys`) are not decoded at all: each of a key's bit
fields is moved from its old word and offset to its new ones, the fields
that move alike (same old word, new word and shift: most of them, as growth
leaves the fields below the grown one in place) with one mask and one shift
per piece. Cost: O(n x m) word operations for n keys and m such moves
(m <= components, about the key's words on Tokeneer), memory: the new keys
plus a piece's columns. An int64 code of bit fields is a one-word key, so
a narrow layout grown word-aligned moves its fields the same way. Mixed-radix
digits (:func:`~procalg.lts.digit_places.mixed_words`) are no bit fields: a
piece's digits are decoded and placed in the new words in int64, O(n x c)
for c components.

Example:
    >>> from procalg.lts.codes import Layout
    >>> old = Layout.choose([1 << 40, 1 << 40, 4], [0, 1, 2])
    >>> new = old.grown([1 << 40, 1 << 40, 1 << 30])
    >>> code = old.encode({0: np.array([3]), 1: np.array([5]), 2: np.array([2])})
    >>> keys = recoded(new, old, old.keys(code))
    >>> keys.dtype.str, {c: d.tolist() for c, d in new.decode(keys, [0, 1, 2]).items()}
    ('|V24', {0: [3], 1: [5], 2: [2]})
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.wide_keys import widen

if TYPE_CHECKING:
    from procalg.lts.codes import Layout

PIECE = 1 << 16
"""Codes re-encoded at a time (bounds the columns and digits held at once)."""

FieldMove = tuple[int, int, int, np.uint64]
"""(old word, new word, shift left (negative: right), mask of the old bits)."""


def recoded(new: Layout, old: Layout, codes: np.ndarray) -> np.ndarray:
    """``codes`` of layout ``old`` in layout ``new`` (same states): keys of
    ``new`` for keys, or int64 codes, when ``new`` is word-aligned, else
    ``new``'s codes."""
    if codes.dtype.kind == "V" and old.words and new.words and new.packed:
        return _moved_keys(codes, new.words, old.words, field_moves(new, old))
    if new.words and old.packed and not old.wide:  # int64 bit fields: a one-word key each
        keys = np.asarray(codes, dtype=np.int64).astype(">u8").view("V8")
        return _moved_keys(keys, new.words, 1, field_moves(new, old))
    comps = range(len(old.radix))
    if new.words and not new.packed:  # mixed-radix words: digits placed in int64, by pieces
        keys = _in_pieces(codes, lambda piece: new.word_keys(old.decode(piece, comps)))
        return new.cast(keys) if codes.dtype == object else keys  # Python integers stay so
    return _in_pieces(codes, lambda piece: new.encode(old.decode(piece, comps)))


def _in_pieces(codes: np.ndarray, recode: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``recode`` of ``codes``, :data:`PIECE` codes at a time."""
    if len(codes) <= PIECE:
        return recode(codes)
    return np.concatenate([recode(codes[lo: lo + PIECE]) for lo in range(0, len(codes), PIECE)])


def field_moves(new: Layout, old: Layout) -> list[FieldMove]:
    """Where the word-aligned bit fields of ``old`` go in ``new``, the fields
    moving alike merged into one mask (words are key columns, most
    significant first).

    Example:
        >>> from procalg.lts.codes import Layout
        >>> old = Layout.choose([1 << 40, 1 << 40, 4], [0, 1, 2])
        >>> [(a, b, s) for a, b, s, _ in field_moves(old.grown(old.radix), old)]
        [(1, 1, 0), (0, 0, 0)]
    """
    masks: dict[tuple[int, int, int], int] = {}
    for c in range(len(old.radix)):
        at, to = int(old._shift[c]), int(new._shift[c])
        key = (int(old._col[c]), int(new._col[c]), to - at)
        masks[key] = masks.get(key, 0) | int(old._mask[c]) << at
    return [(a, b, s, np.uint64(m)) for (a, b, s), m in masks.items()]


def _moved_keys(keys: np.ndarray, words: int, had: int, moves: list[FieldMove]) -> np.ndarray:
    """``keys`` (``had`` words of fields, leading zero words allowed) with
    their fields moved by ``moves`` into new ``words``-word keys."""
    n = len(keys)
    out = np.zeros(n, dtype=f"V{8 * words}")
    if not n:
        return out
    k = keys.dtype.itemsize // 8
    if k < had:
        keys, k = widen(keys, k, had), had
    src = np.ascontiguousarray(keys).view(">u8").reshape(n, k)[:, k - had:]  # zero words out
    dst = out.view(">u8").reshape(n, words)
    for lo in range(0, n, PIECE):
        hi = min(n, lo + PIECE)
        cols: dict[int, np.ndarray] = {}
        acc: dict[int, np.ndarray] = {}
        for a, b, shift, mask in moves:
            if a not in cols:  # native byte order once per word and piece
                cols[a] = src[lo:hi, a].astype(np.uint64)
            part = cols[a] & mask
            if shift:
                part = part << np.uint64(shift) if shift > 0 else part >> np.uint64(-shift)
            if b in acc:
                acc[b] |= part
            else:
                acc[b] = part
        for b, word in acc.items():
            dst[lo:hi, b] = word
    return out

