"""Firing a group's table through a window of a code's bits, not its digits.

A group of :class:`~procalg.lts.vectors.Tables` whose components' bit fields
lie close together in a bit-field code (a component alone; neighbours
of a ring or a pipeline) is indexed by the bits from its lowest field to
the end of its highest, ``(code >> shift) & mask``: two numpy operations
per code. Its joint table, re-indexed by every value of that window
(fields of components outside the group, in between, are ignored), gives
the group's one move (or none) per window value. Without it each
component's digit is decoded (a shift and a mask per component per code)
and the joint index summed from the digits with their weights: on
Milner's ring of 16 cyclers, decoding and indexing were a sixth of the
search. A window's moves are exactly those of
:func:`~procalg.lts.firing.fire_factors` on the same table, in the same
order.

Example:
    >>> from procalg.lts.codes import Layout
    >>> from procalg.lts.factor_tables import table_of_arrays
    >>> lay = Layout.choose([3, 3], order=[0, 1])  # two 2-bit fields
    >>> f = table_of_arrays(np.array([1]), np.array([4]), np.array([7]), 3, (1,), (1,))
    >>> w = Window.of(f, lay)  # component 1 in its local state 1 moves to 2, label 7
    >>> [x.tolist() for x in w.fire(np.array([4, 0, 6]))]
    [[0, 2], [8, 10], [7, 7]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from procalg.lts.codes import Layout
from procalg.lts.factor_tables import TableFactor

WINDOW_BITS = 12
"""Widest window (a table of 4,096 entries per group, in cache)."""


@dataclass(frozen=True, slots=True)
class Window:
    """A deterministic table indexed by ``(code >> shift) & mask``."""

    shift: int
    mask: int  # -1: the window reaches the code's top bit (no mask)
    has: np.ndarray  # bool per window value: the group moves (bool: the fastest nonzero)
    delta: np.ndarray  # int64 code delta per window value (0: no move)
    label: np.ndarray  # int32 label per window value

    @classmethod
    def of(cls, f: TableFactor, layout: Layout) -> Window | None:
        """The window of deterministic int64 table ``f`` in bit-field
        ``layout``, or None (mixed radix, wide, or fields too far apart)."""
        if (not layout.packed or layout.wide or layout.words or not f.deterministic
                or f.delta.ndim != 1 or f.delta.dtype != np.int64):
            return None
        lows = [layout.stride[c].bit_length() - 1 for c in f.comps]
        widths = [max(1, (layout.radix[c] - 1).bit_length()) for c in f.comps]
        lo = min(lows)
        hi = max(low + width for low, width in zip(lows, widths, strict=True))
        if hi - lo > WINDOW_BITS:
            return None
        value = np.arange(1 << (hi - lo), dtype=np.int64)
        joint = np.zeros(len(value), dtype=np.int64)
        inside = np.ones(len(value), dtype=bool)
        for c, low, width, weight in zip(f.comps, lows, widths, f.weights, strict=True):
            digit = (value >> (low - lo)) & ((1 << width) - 1)
            inside &= digit < layout.radix[c]  # past the radix: no state has these bits
            joint += np.minimum(digit, layout.radix[c] - 1) * weight
        has = inside & (f.count[joint] > 0)
        first = np.minimum(f.offsets[joint], max(len(f.delta) - 1, 0))
        delta = np.where(has, f.delta[first] if len(f.delta) else 0, 0).astype(np.int64)
        label = np.where(has, f.label[first] if len(f.label) else 0, 0).astype(np.int32)
        mask = -1 if hi >= layout.bits else (1 << (hi - lo)) - 1
        return cls(lo, mask, has, delta, label)

    def fire(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The group's moves from int64 ``codes``: (index into codes, target, label)."""
        value = codes >> self.shift
        if self.mask >= 0:
            value &= self.mask
        keep = self.has.take(value).nonzero()[0]
        at = value.take(keep)
        return keep, codes.take(keep) + self.delta.take(at), self.label.take(at)


def group_windows(groups: list, layout: Layout) -> tuple[list[Window | None], list[int]]:
    """Each group's :class:`Window` in ``layout`` (None: fired from decoded
    digits), and the components whose digits those others read."""
    windows = [Window.of(g[0], layout) if isinstance(g, list) and len(g) == 1
               and isinstance(g[0], TableFactor) else None for g in groups]
    needed = sorted({c for g, w in zip(groups, windows, strict=True) if w is None
                     for c in (g.comps if not isinstance(g, list)
                               else {c for f in g for c in f.comps})})
    return windows, needed
