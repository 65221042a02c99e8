"""A vectorised group's argument rows, and the distinct rows of a batch's columns.

Part of :mod:`procalg.semantics.linear_vector`: :class:`Store` keeps each
group's states' key arguments as int64 rows (grown by doubling, as a dynamic
array), and :func:`distinct` finds a batch's distinct target rows, packed
into one int64 by mixed radix where their ranges allow (one 1-d
``np.unique``, as LTSmin's tree compression packs state vectors).

Example:
    >>> import numpy as np
    >>> first, back = distinct([np.array([3, 1, 3]), np.array([0, 0, 0])], 3)
    >>> first.tolist(), back.tolist()
    ([1, 0], [1, 0, 1])
"""

from __future__ import annotations

import numpy as np


class Store:
    """A group's states' key arguments, one int64 row each (grown by doubling)."""

    def __init__(self, width: int) -> None:
        self.data = np.zeros((16, width), dtype=np.int64)
        self.count = 0

    def append(self, rows: np.ndarray) -> np.ndarray:
        """Add ``rows``; their row numbers.

        Example:
            >>> import numpy as np
            >>> Store(2).append(np.array([[1, 2], [3, 4]])).tolist()
            [0, 1]
        """
        end = self.count + len(rows)
        if end > len(self.data):
            grown = np.zeros((max(end, 2 * len(self.data)), self.data.shape[1]), dtype=np.int64)
            grown[:self.count] = self.data[:self.count]
            self.data = grown
        self.data[self.count:end] = rows
        start, self.count = self.count, end
        return np.arange(start, end)


def distinct(columns: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """For ``n`` rows of ``columns``: the first row of each distinct value (in value
    order) and each row's index among them; rows packed into one int64 by mixed
    radix when their ranges allow (a 1-d ``np.unique``), else compared whole."""
    if not columns:
        return np.zeros(1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    packed = np.zeros(n, dtype=np.int64)
    size = 1
    for column in columns:
        values = column.astype(np.int64)
        low = int(values.min())
        width = int(values.max()) - low + 1
        if size * width >= 1 << 62:
            _, first, back = np.unique(np.stack([c.astype(np.int64) for c in columns], axis=1),
                                       axis=0, return_index=True, return_inverse=True)
            return first, np.asarray(back).ravel()
        packed += (values - low) * size
        size *= width
    _, first, back = np.unique(packed, return_index=True, return_inverse=True)
    return first, back
