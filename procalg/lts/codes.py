"""How a product state's local states are packed into one integer code.

A :class:`Layout` gives every component a digit: a bit field (decoded by
shift and mask) when all fields fit in 62 bits, else a mixed-radix digit
with weight ``stride[c]`` = the product of the radices below it. Codes are
``int64`` while they fit in 62 bits (so ``code + delta`` cannot overflow).
Past that the layout is *wide* and *word-aligned*: every field lies inside
one of ``words`` 64-bit words (no field straddles two; a word's delta is an
int64 modulo 2^64, exact as no field leaves its range; fields go first-fit
into all 64 bits of each word:
:func:`~procalg.lts.digit_places.aligned_fields`). The search then keeps a
code as one ``V{8k}`` item of big-endian words, most significant first
(:mod:`procalg.lts.wide_keys`): sorting, searching and ``==`` compare bytes
in C, in the order of the integer codes, and a move adds one int64 delta
per word (:meth:`Layout.add`) without carries, since no field leaves its
range. At the API the same code is a Python integer (``stride`` weights;
:meth:`Layout.cast`, :meth:`Layout.keys` convert). Bit fields that grow wide
(a lazy component outgrowing a narrow layout) become word-aligned too, their
old fields in place in the last word (:meth:`Layout.grown`), and so do
mixed-radix digits: each word then a mixed-radix number below 2^62
(:func:`~procalg.lts.digit_places.mixed_words`), decoded by division.

Lazily explored components (:mod:`procalg.lts.lazy`) sit in the most
significant digits with power-of-two headroom; when one outgrows it,
:meth:`Layout.grown` gives the new layout with the same mode (bit fields or
mixed radix), so the eager components' strides, and thus their
precomputed table deltas, never change.

Example:
    >>> lay = Layout.choose([3, 2], order=[0, 1])
    >>> lay.packed, lay.wide, lay.stride
    (True, False, (1, 4))
    >>> code = lay.encode({0: np.array([2]), 1: np.array([1])})
    >>> code.tolist(), {c: d.tolist() for c, d in lay.decode(code, [0, 1]).items()}
    ([6], {0: [2], 1: [1]})
    >>> wide = Layout.choose([1 << 40, 1 << 40], order=[0, 1])
    >>> code = wide.encode({0: np.array([1]), 1: np.array([1])})
    >>> wide.words, code.tolist() == [(1 << 64) + 1], wide.keys(code).dtype.str
    (2, True, '|V16')
    >>> {c: d.tolist() for c, d in wide.decode(wide.keys(code), [0, 1]).items()}
    {0: [1], 1: [1]}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from procalg.lts.digit_places import aligned_fields, mixed_words, plain_places, width
from procalg.lts.recoded import recoded
from procalg.lts.wide_keys import from_keys, to_keys, widen

MAX_BITS = 62
"""Widest bit-field code that stays int64 (with room for ``code + delta``)."""
MAX_CODE = 1 << 62
"""Largest mixed-radix space that stays int64."""
WORD_BITS = 64
"""Bits a word-aligned layout fills per word (at the default ``max_bits``)."""


class Layout:
    """Digit positions of every component in a code (immutable once built).

    Attributes:
        radix: local states per component (headroom included for lazy ones).
        order: components from the least significant digit up.
        packed: bit fields (else mixed radix).
        wide: codes are Python integers (``object`` arrays) at the API, not int64.
        words: 64-bit words of a word-aligned wide code (0: not aligned);
            the search holds such codes as ``V{8 * words}`` keys. :meth:`choose`
            and :meth:`grown` make every wide layout word-aligned.
        stride: the weight of each component's digit.
        bits: how many bits a code needs (its fields', when word-aligned).
        limit: the bits a code could have before it became wide (``max_bits``
            for bit fields; for mixed radix, those of ``max_code - 1``).
    """

    __slots__ = (
        "_col",
        "_fill",
        "_mask",
        "_nradix",
        "_nstride",
        "_shift",
        "_unit",
        "bits",
        "dtype",
        "limit",
        "order",
        "packed",
        "radix",
        "stride",
        "wide",
        "words",
    )

    def __init__(self, radix: Sequence[int], order: Sequence[int], packed: bool,
                 max_bits: int = MAX_BITS, max_code: int = MAX_CODE,
                 aligned: bool = False, fill: int | None = None) -> None:
        self.radix = tuple(int(r) for r in radix)
        self.order = tuple(order)
        self.packed = packed
        self.limit = max_bits if packed else (max_code - 1).bit_length()
        if aligned and packed:
            self._fill = fill or word_fill(self.radix, max_bits)
            stride, self.words, self._col = aligned_fields(self.radix, self.order, self._fill)
            self.bits = sum(map(width, self.radix))  # the fields', not the words' ends
        elif aligned:  # a word's radices multiply to at most its room (< 2^62: int64 deltas)
            self._fill = fill or min(MAX_CODE, max([max_code, *self.radix]))
            stride, self.words, self._col = mixed_words(self.radix, self.order, self._fill)
            self.bits = (math.prod(self.radix) - 1).bit_length()
        else:
            (stride, self.words, self._col), space = plain_places(self.radix, self.order, packed)
            self._fill, self.bits = 0, max(0, (space - 1).bit_length())
        self.stride = tuple(stride)
        self.wide = aligned or (self.bits > max_bits if packed else space >= max_code)
        self.dtype = np.dtype(object) if self.wide else np.dtype(np.int64)
        # a digit's weight inside its word (its stride, in a one-word code)
        self._unit = [s >> 64 * (self.words - 1 - k) if self.words else s
                      for s, k in zip(stride, self._col, strict=True)]
        shifts = [u.bit_length() - 1 for u in self._unit]
        masks = [(1 << width(r)) - 1 for r in self.radix]
        if self.wide:  # Python ints: numpy int64 scalars would overflow against them
            self._shift, self._mask = shifts, masks
            self._nstride, self._nradix = list(stride), list(self.radix)
        else:
            self._shift = np.array(shifts, dtype=np.int64)
            self._mask = np.array(masks, dtype=np.int64)
            self._nstride = np.array(stride, dtype=np.int64)
            self._nradix = np.array(self.radix, dtype=np.int64)

    @classmethod
    def choose(cls, radix: Sequence[int], order: Sequence[int], *, max_bits: int = MAX_BITS,
               max_code: int = MAX_CODE) -> Layout:
        """Bit fields if they fit in ``max_bits``, else mixed radix (wide if
        even that needs more than ``max_code`` codes)."""
        packed = sum(map(width, radix)) <= max_bits
        if not packed:
            mixed = cls(radix, order, False, max_bits, max_code)
            if not mixed.wide:
                return mixed
        # wide: word-aligned bit fields (fixed-width keys, per-word deltas)
        return cls(radix, order, True, max_bits, max_code, aligned=not packed)

    def grown(self, radix: Sequence[int], *, max_bits: int = MAX_BITS,
              max_code: int = MAX_CODE) -> Layout:
        """The same kind of layout for larger radices (eager strides unchanged
        as long as only digits above them grow: a word-aligned layout places
        the same fields first the same way).

        Bit fields outgrowing ``max_bits`` become word-aligned, not Python
        integers: their old fields (at most ``max_bits`` bits, so within the
        first word's ``fill``) keep their bits in the least significant word,
        so an int64 code is a one-word key (:func:`~procalg.lts.recoded.recoded`)
        and an int64 table delta that word's delta. Mixed-radix digits
        outgrowing ``max_code`` become mixed-radix words
        (:func:`~procalg.lts.digit_places.mixed_words`) the same way: the old
        digits below the grown one keep their weights in the least significant word.

        Example:
            >>> narrow = Layout.choose([3, 4], order=[0, 1], max_bits=8)
            >>> lay = narrow.grown([3, 1 << 20], max_bits=8)
            >>> lay.words, lay.stride[0] == narrow.stride[0], lay.key_dtype.str
            (2, True, '|V16')
            >>> mixed = Layout.choose([3, 5, 4], order=[0, 1, 2], max_bits=4, max_code=64)
            >>> lay = mixed.grown([3, 5, 16], max_bits=4, max_code=64)
            >>> mixed.packed, lay.words, lay.stride[:2] == mixed.stride[:2], lay.packed
            (False, 2, True, False)
        """
        aligned = bool(self.words)
        if not aligned:
            aligned = (sum(map(width, radix)) > max_bits if self.packed
                       else math.prod(radix) >= max_code)
        return Layout(radix, self.order, self.packed, max_bits, max_code,
                      aligned=aligned, fill=self._fill)

    @property
    def key_dtype(self) -> np.dtype:
        """The dtype the search holds codes in: ``V{8 * words}`` keys, else :attr:`dtype`."""
        return np.dtype(f"V{8 * self.words}") if self.words else self.dtype

    def keys(self, codes: np.ndarray | Iterable[int]) -> np.ndarray:
        """``codes`` (integers or keys) as this word-aligned layout's ``V{8k}`` keys."""
        if not isinstance(codes, np.ndarray):  # Python ints: past 2^63 numpy made them floats
            codes = np.array(list(codes), dtype=object)
        if codes.dtype.kind == "V":
            k = codes.dtype.itemsize // 8
            codes = np.ascontiguousarray(codes)  # viewed as words below
            return codes if k == self.words else widen(codes, k, self.words)
        return to_keys(self.cast(codes), self.words)

    def add(self, keys: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """``keys`` moved by per-word int64 ``delta`` rows (most significant
        word first): a word's sum never carries, as every field stays in range.

        Example:
            >>> lay = Layout.choose([1 << 40, 1 << 40], order=[0, 1])
            >>> moved = lay.add(lay.keys([3]), np.array([[1, -1]]))
            >>> lay.cast(moved).tolist() == [(1 << 64) + 2]
            True
        """
        n = len(keys)
        w = np.ascontiguousarray(keys).view(">u8").reshape(n, self.words).astype(np.uint64)
        delta = delta.astype(np.int64, copy=False).view(np.uint64)
        low = delta.shape[1]  # a table made before lazy digits grew into new top words
        w[:, self.words - low:] += delta  # mod 2^64: exact
        return w.astype(">u8").view(f"V{8 * self.words}").reshape(n)

    def shifted(self, c: int, step: np.ndarray) -> np.ndarray:
        """Code deltas of moving component ``c``'s digit by local ``step``s:
        int64, Python integers (wide), or per-word rows (word-aligned).

        Example:
            >>> Layout.choose([3, 2], order=[0, 1]).shifted(1, np.array([1, -1])).tolist()
            [4, -4]
        """
        if self.words:  # (every wide layout is: no Python-integer deltas)
            return self.word_delta(c, step)
        return np.asarray(step, dtype=np.int64) * np.int64(self.stride[c])

    def moved(self, codes: np.ndarray, delta: np.ndarray) -> np.ndarray:
        """``codes`` (keys, when word-aligned) moved by :meth:`shifted` deltas."""
        return self.add(codes, delta) if self.words else codes + delta

    def word_delta(self, c: int, step: np.ndarray) -> np.ndarray:
        """Per-word delta rows of moving component ``c``'s field by ``step``."""
        out = np.zeros((len(step), self.words), dtype=np.int64)
        out[:, self._col[c]] = np.asarray(step, dtype=np.int64) * _int64(self._unit[c])
        return out

    def word_keys(self, digits: dict[int, np.ndarray]) -> np.ndarray:
        """:meth:`keys` of the codes of every component's local states, word by
        word in int64 (no Python integers on the way).

        Example:
            >>> lay = Layout.choose([3, 5, 4], [0, 1, 2], max_bits=4, max_code=64).grown(
            ...     [3, 5, 16], max_bits=4, max_code=64)
            >>> digits = {0: np.array([2]), 1: np.array([4]), 2: np.array([9])}
            >>> lay.word_keys(digits).tobytes() == lay.keys(lay.encode(digits)).tobytes()
            True
        """
        n = len(next(iter(digits.values()))) if digits else 1
        w = np.zeros((n, self.words), dtype=np.int64)
        for c, d in digits.items():
            w[:, self._col[c]] += np.asarray(d, dtype=np.int64) * _int64(self._unit[c])
        return w.astype(">u8").view(f"V{8 * self.words}").reshape(n)

    def _digits(self, word: np.ndarray, c: int) -> np.ndarray:
        """Component ``c``'s local states read off its word (int64) of a word-aligned code."""
        if self.packed:
            return (word >> self._shift[c]) & self._mask[c]
        return (word // self._unit[c]) % self.radix[c]

    def cast(self, codes: np.ndarray | Iterable[int]) -> np.ndarray:
        """``codes`` as an array of this layout's dtype (keys back to integers)."""
        codes = np.asarray(codes)
        if codes.dtype.kind == "V":
            return from_keys(codes, codes.dtype.itemsize // 8)
        if codes.dtype == self.dtype:
            return codes
        if self.wide:
            return np.array([int(x) for x in codes.tolist()], dtype=object).reshape(-1)
        return codes.astype(np.int64)

    def decode(self, codes: np.ndarray, comps: Iterable[int]) -> dict[int, np.ndarray]:
        """The local state (int64) of each of ``comps``, per code (integers,
        or keys of a word-aligned layout)."""
        if self.words:  # only the words asked for become int64 (a goal reads one of 15)
            w = self.keys(codes)
            w = w.view(">u8").reshape(len(w), self.words)
            comps = list(comps)
            cols = {int(self._col[c]) for c in comps}
            col = {k: w[:, k].astype(np.int64) for k in cols}
            return {c: self._digits(col[int(self._col[c])], c) for c in comps}
        codes = self.cast(codes)
        if self.packed:  # (int64: a wide layout is word-aligned, handled above)
            return {c: (codes >> self._shift[c]) & self._mask[c] for c in comps}
        return {c: (codes // self._nstride[c]) % self._nradix[c] for c in comps}

    def decoder(self, codes: np.ndarray) -> Callable[[Iterable[int]], dict[int, np.ndarray]]:
        """:meth:`decode` of ``codes`` for a few components at a time: a caller
        asking for one group of components after another holds only the codes'
        words (read once, 8 bytes a word) and the group it asks for, not every
        component's int64 column (a 131-component model: 1 KB per code).

        Example:
            >>> lay = Layout.choose([1 << 40, 1 << 40, 3], order=[0, 1, 2])
            >>> decode = lay.decoder(lay.keys([(2 << 64) + 5]))
            >>> {c: d.tolist() for c, d in decode([1, 0]).items()}
            {1: [2], 0: [5]}
        """
        if not self.words:  # int64: a shift and a mask per component, nothing held
            return lambda comps: self.decode(codes, comps)
        w = self.keys(codes)
        w = w.view(">u8").reshape(len(w), self.words)
        cols: dict[int, np.ndarray] = {}

        def decode(comps: Iterable[int]) -> dict[int, np.ndarray]:
            out = {}
            for c in comps:
                k = int(self._col[c])
                if k not in cols:
                    cols[k] = w[:, k].astype(np.int64)
                out[c] = self._digits(cols[k], c)
            return out
        return decode

    def decode_rows(self, codes: np.ndarray, comps: Sequence[int]) -> np.ndarray:
        """The local states of ``comps`` as rows of one int64 matrix (one
        numpy operation per step for all components, not one per component).

        Example:
            >>> lay = Layout.choose([3, 2], order=[0, 1])
            >>> lay.decode_rows(np.array([6, 1]), [0, 1]).tolist()
            [[2, 1], [1, 0]]
        """
        if self.wide or not len(comps):
            out = self.decode(codes, comps)
            rows = np.zeros((len(comps), len(codes)), dtype=np.int64)
            for i, c in enumerate(comps):
                rows[i] = out[c]
            return rows
        codes = self.cast(codes)
        idx = np.asarray(comps, dtype=np.int64)
        if self.packed:  # masked in place: one (components x codes) temporary, not two
            rows = codes >> self._shift[idx][:, None]
            rows &= self._mask[idx][:, None]
            return rows
        return (codes // self._nstride[idx][:, None]) % self._nradix[idx][:, None]

    def encode(self, digits: dict[int, np.ndarray]) -> np.ndarray:
        """Codes from every component's local states (all ``len(radix)`` of them)."""
        n = len(next(iter(digits.values()))) if digits else 1
        code = np.zeros(n, dtype=self.dtype)
        for c, d in digits.items():
            d = np.asarray(d, dtype=np.int64)
            code = code + (d.astype(object) * self.stride[c] if self.wide
                           else d * self._nstride[c])
        return code

    def recoder(self, old: Layout) -> Callable[[np.ndarray], np.ndarray]:
        """A function taking ``old`` codes to this layout's codes (same states;
        keys of a word-aligned layout to keys), a bounded piece at a time:
        :func:`procalg.lts.recoded.recoded`."""
        return lambda codes: recoded(self, old, codes)


def _int64(unit: int) -> np.int64:
    """A word's weight as int64 arithmetic modulo 2^64 takes it: a field at bit
    63 (first-fit fills all 64 bits) weighs -2^63, and ``step * weight`` wraps
    to the right word."""
    return np.int64(unit - (1 << 64) if unit >> 63 else unit)


def word_fill(radix: Sequence[int], max_bits: int = MAX_BITS) -> int:
    """Bits per word of a word-aligned bit-field layout: all 64 at the default
    ``max_bits`` (Tokeneer's 251 bits of fields fill 4 words, not 5), else
    ``max_bits`` or the widest field (tests force small words this way).

    Example:
        >>> word_fill((1 << 40,)), word_fill((8, 8), max_bits=6)
        (64, 6)
    """
    if max_bits >= MAX_BITS:
        return WORD_BITS
    return min(WORD_BITS, max([max_bits, *map(width, radix)]))


def headroom(states: int) -> int:
    """The radix given to a lazy component with ``states`` local states so
    far: a power of two at least twice as large (so growth repacks rarely).

    Example:
        >>> headroom(1), headroom(70), headroom(128)
        (4, 256, 512)
    """
    return 1 << max(2, int(states).bit_length() + 1)
