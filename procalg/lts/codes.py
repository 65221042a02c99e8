"""How a product state's local states are packed into one integer code.

A :class:`Layout` gives every component a digit: a bit field (decoded by
shift and mask) when all fields fit in 62 bits, else a mixed-radix digit
with weight ``stride[c]`` = the product of the radices below it. Codes are
``int64`` while they fit in 62 bits (so ``code + delta`` cannot overflow);
past that the layout is *wide*: codes become Python integers in ``object``
arrays, which every numpy operation the product engine uses (sort, search,
add, shift) still supports, only slower. So a wide network is never an
error, and the common narrow case keeps its int64 speed.

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
    >>> wide.wide, wide.encode({0: np.array([1]), 1: np.array([1])}).tolist()
    (True, [1099511627777])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

MAX_BITS = 62
"""Widest bit-field code that stays int64 (with room for ``code + delta``)."""
MAX_CODE = 1 << 62
"""Largest mixed-radix space that stays int64."""


class Layout:
    """Digit positions of every component in a code (immutable once built).

    Attributes:
        radix: local states per component (headroom included for lazy ones).
        order: components from the least significant digit up.
        packed: bit fields (else mixed radix).
        wide: codes are Python integers (``object`` arrays), not int64.
        stride: the weight of each component's digit.
        bits: how many bits a code needs.
    """

    __slots__ = (
        "_mask",
        "_nradix",
        "_nstride",
        "_shift",
        "bits",
        "dtype",
        "order",
        "packed",
        "radix",
        "stride",
        "wide",
    )

    def __init__(self, radix: Sequence[int], order: Sequence[int], packed: bool,
                 max_bits: int = MAX_BITS, max_code: int = MAX_CODE) -> None:
        self.radix = tuple(int(r) for r in radix)
        self.order = tuple(order)
        self.packed = packed
        stride = [0] * len(self.radix)
        space = 1
        for c in self.order:
            stride[c] = space
            space *= (1 << _width(self.radix[c])) if packed else self.radix[c]
        self.stride = tuple(stride)
        self.bits = max(0, (space - 1).bit_length())
        self.wide = self.bits > max_bits if packed else space >= max_code
        self.dtype = np.dtype(object) if self.wide else np.dtype(np.int64)
        shifts = [s.bit_length() - 1 for s in stride]
        masks = [(1 << _width(r)) - 1 for r in self.radix]
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
        packed = sum(_width(r) for r in radix) <= max_bits
        if not packed:
            mixed = cls(radix, order, False, max_bits, max_code)
            if not mixed.wide:
                return mixed
            packed = True  # wide anyway: bit fields decode faster
        return cls(radix, order, packed, max_bits, max_code)

    def grown(self, radix: Sequence[int], *, max_bits: int = MAX_BITS,
              max_code: int = MAX_CODE) -> Layout:
        """The same kind of layout for larger radices (eager strides unchanged
        as long as only digits above them grow)."""
        return Layout(radix, self.order, self.packed, max_bits, max_code)

    def cast(self, codes: np.ndarray | Iterable[int]) -> np.ndarray:
        """``codes`` as an array of this layout's dtype."""
        codes = np.asarray(codes)
        if codes.dtype == self.dtype:
            return codes
        if self.wide:
            return np.array([int(x) for x in codes.tolist()], dtype=object).reshape(-1)
        return codes.astype(np.int64)

    def decode(self, codes: np.ndarray, comps: Iterable[int]) -> dict[int, np.ndarray]:
        """The local state (int64) of each of ``comps``, per code."""
        codes = self.cast(codes)
        if self.packed:
            out = {c: (codes >> self._shift[c]) & self._mask[c] for c in comps}
        else:
            out = {c: (codes // self._nstride[c]) % self._nradix[c] for c in comps}
        if self.wide:
            return {c: d.astype(np.int64) for c, d in out.items()}
        return out

    def encode(self, digits: dict[int, np.ndarray]) -> np.ndarray:
        """Codes from every component's local states (all ``len(radix)`` of them)."""
        n = len(next(iter(digits.values()))) if digits else 1
        code = np.zeros(n, dtype=self.dtype)
        for c, d in digits.items():
            d = np.asarray(d, dtype=np.int64)
            code = code + (d.astype(object) * self.stride[c] if self.wide
                           else d * self._nstride[c])
        return code

    def recoder(self, old: Layout):
        """A function taking ``old`` codes to this layout's codes (same states)."""
        comps = range(len(self.radix))
        return lambda codes: self.encode(old.decode(codes, comps))


def _width(radix: int) -> int:
    return max(1, (int(radix) - 1).bit_length())


def headroom(states: int) -> int:
    """The radix given to a lazy component with ``states`` local states so
    far: a power of two at least twice as large (so growth repacks rarely).

    Example:
        >>> headroom(1), headroom(70), headroom(128)
        (4, 256, 512)
    """
    return 1 << max(2, int(states).bit_length() + 1)
