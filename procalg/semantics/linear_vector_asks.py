"""Which moves a batch makes when some labels wait for a partner's ask.

Part of :mod:`procalg.semantics.linear_vector`: a lazy leaf defers the labels
its partners must offer (:meth:`~procalg.lts.lazy.LazyComponent.defer`), and
makes a state's moves under them only when the product asks for that state
and label (:meth:`~procalg.semantics.linear_inputs.InputMoves.successors_where`,
the lazy successor generation of on-the-fly checking: Holzmann, *The SPIN
Model Checker*, 2003, ch. 8). A batch over a frontier gets the waiting labels
and each state's asks, and :meth:`Asks.wanted` keeps, among a branch's moves
as columns, those not waiting or asked: one sorted search per move.

Example:
    >>> import numpy as np
    >>> labels = ["a", "c.0", "c.1"]
    >>> asks = Asks(labels, labels.index, {"c.0", "c.1"}, [{"c.1"}, set()])
    >>> asks.wanted(np.array([0, 0, 0, 1, 1]), np.array([0, 1, 2, 1, 2])).tolist()
    [True, False, True, False, False]
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Sequence

import numpy as np

_WIDE = 1 << 32
"""A batch's (position, label index) pair as one integer: position * _WIDE + label."""


class Asks:
    """The moves a batch makes: a label in ``waiting`` only at the positions whose
    ``asked`` (label names per position of the batch) names it.

    Args:
        labels: the batch's label names by index (may grow while it runs).
        label_of: the index of a label name (numbering a new one).
        waiting: the labels made only when asked.
        asked: per position of the batch, the waiting labels asked of it.
    """

    def __init__(self, labels: list[str], label_of: Callable[[str], int],
                 waiting: Container[str], asked: Sequence[Collection[str]]) -> None:
        self.labels, self.waiting, self.asked = labels, waiting, asked
        self._waits = np.zeros(0, dtype=bool)  # label index -> it is waiting
        keys = [pos * _WIDE + label_of(name) for pos, names in enumerate(asked)
                for name in names]
        self._keys = np.unique(np.array(keys, dtype=np.int64))

    def wanted(self, pos: np.ndarray, label: np.ndarray) -> np.ndarray:
        """Per move (its position in the batch and label index): whether it is made."""
        labels = self.labels
        if len(self._waits) < len(labels):  # labels met since: are they waiting?
            more = [name in self.waiting for name in labels[len(self._waits):]]
            self._waits = np.concatenate([self._waits, np.array(more, dtype=bool)])
        waits = self._waits[label]
        if not waits.any() or not len(self._keys):
            return ~waits
        key = pos * _WIDE + label
        at = np.minimum(np.searchsorted(self._keys, key), len(self._keys) - 1)
        return ~waits | (self._keys[at] == key)
