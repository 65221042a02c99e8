"""The columns of a lazy component's move table, and its views by label set.

A :class:`~procalg.lts.lazy.LazyComponent` appends each expanded state's
moves as one run of three parallel int64 :class:`Column` s (key = run slot
* labels + label code, source, target), so the keys stay sorted and lookups
are binary searches. A :class:`View` keeps, in step, only the moves with
a label in a given set: a rule group reading it touches only the moves it
can use; it also keeps where each slot's run starts, so finding a state's
moves is a gather, not a binary search.

Example:
    >>> column = Column()
    >>> column.extend([3, 5]); column.extend([8])
    >>> column.view.tolist()
    [3, 5, 8]
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np

FEW = 8
"""Most moves (and new slots) of an append whose bounds are made in Python."""


class Column:
    """A growable int64 array (doubling; readers hold views of old buffers safely)."""

    def __init__(self, fill: int = 0) -> None:
        self.data = np.full(16, fill, dtype=np.int64)
        self.size = 0
        self.fill = fill

    def extend(self, values: list[int]) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            grown = np.full(max(end, 2 * len(self.data)), self.fill, dtype=np.int64)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        if end == self.size + 1:  # one value (a narrow search's write): no list conversion
            self.data[self.size] = values[0]
        else:
            self.data[self.size: end] = values
        self.size = end

    def pad(self, count: int) -> None:
        """Extend by ``count`` fill values (already there: the buffer past
        ``size`` always holds the fill), without a numpy call unless it grows."""
        end = self.size + count
        if end > len(self.data):
            grown = np.full(max(end, 2 * len(self.data)), self.fill, dtype=np.int64)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.size = end

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]


class View:
    """The moves of a move table (columns ``key``, ``src``, ``dst``, ``slot``
    per local state, ``width`` labels) with a label in ``codes``, kept in
    step with it by :meth:`append`: a rule group reading it touches only the
    moves it can use."""

    def __init__(self, key: Column, src: Column, dst: Column, slot: Column, width: int,
                 codes: frozenset[int]) -> None:
        self.codes, self.slot, self.width = codes, slot, width
        wanted = np.zeros(width, dtype=bool)
        wanted[sorted(codes)] = True
        keep = wanted[key.view % width]
        self._key, self._src, self._dst = Column(), Column(), Column()
        self._bounds = Column()  # [s]: this view's moves of the slots before s
        self._bounds.extend([0])
        for column, source in ((self._key, key), (self._src, src), (self._dst, dst)):
            column.extend(source.view[keep].tolist())
        self._bound(0)

    def _bound(self, since: int) -> None:
        """Extend :attr:`_bounds` over the slots of the keys from ``since`` on
        (a new expansion's slots follow every older one: keys are sorted)."""
        slots = self._key.view[since:] // self.width
        if not len(slots):
            return
        known = self._bounds.size - 1  # slots below this are counted
        upto = np.arange(known + 1, int(slots[-1]) + 2, dtype=np.int64)
        self._bounds.extend(since + np.searchsorted(slots, upto))

    def append(self, keys: list[int], src: list[int], labels: list[int], dst: list[int]
               ) -> None:
        mine = [i for i, lab in enumerate(labels) if lab in self.codes]
        if not mine:  # nothing to bound either (a later slot's bounds cover this one's)
            return
        since = self._key.size
        mine_keys = [keys[i] for i in mine]
        self._key.extend(mine_keys)
        self._src.extend([src[i] for i in mine])
        self._dst.extend([dst[i] for i in mine])
        width, known = self.width, self._bounds.size - 1
        last = mine_keys[-1] // width
        if len(mine) > FEW or last - known > FEW:
            self._bound(since)
            return
        # a state or two per write (a deep, narrow search): the bounds in
        # Python, as _bound's searchsorted would give them, not four numpy calls
        slots = [k // width for k in mine_keys]
        self._bounds.extend([since + bisect_left(slots, u) for u in range(known + 1, last + 2)])

    def append_arrays(self, keys: np.ndarray, src: np.ndarray, labels: np.ndarray,
                      dst: np.ndarray) -> None:
        """:meth:`append` for numpy columns (a batch of many states' moves)."""
        wanted = np.zeros(self.width, dtype=bool)
        wanted[sorted(self.codes)] = True
        mine = wanted[labels]
        since = self._key.size
        self._key.extend(keys[mine])
        self._src.extend(src[mine])
        self._dst.extend(dst[mine])
        self._bound(since)

    def lookup_all(self, locs: np.ndarray, backward: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
        # a gather per state, not two binary searches: a slot's run is
        # [bounds[s], bounds[s + 1]); clipping makes both ends equal (an empty
        # run) for an unexpanded state (slot -1) and past the last slot seen here
        slot, bounds = self.slot.data[locs], self._bounds.view
        lo = bounds.take(slot, mode="clip")
        return bounds.take(slot + 1, mode="clip") - lo, lo

    def entry_labels(self, entry: np.ndarray, backward: bool = False) -> np.ndarray:
        return self._key.view[entry] % self.width

    def entries(self, backward: bool = False) -> tuple[np.ndarray, np.ndarray]:
        return self._src.view, self._dst.view
