"""Which joint local states of a lazy group have had their asks made.

Before each level the search asks every lazy group what its eager partners
offer the lazy leaves at each frontier state (:meth:`~procalg.lts.lazy_tables.LazyGroup.asks`),
so the leaves make those deferred moves. The asks depend only on the group's
own local states, of which a frontier of 60,000 product states holds a few
dozen (an xUML model: 72 signal queues, each with a sender and a receiver):
asking for every frontier state cost more than firing its moves. An
:class:`AskMemo` remembers the joint states already asked (a bit per joint
state, while the group's joint space is small), so each is asked once;
asking again is harmless (a leaf makes each (state, label) once), which is
all a reset costs (a lazy digit grown, a leaf's deferred set changed).

Complexity: O(F) per group and level for F frontier states, plus the asks of
the joint states never seen.

Example:
    >>> memo = AskMemo()
    >>> locs = {0: np.array([0, 1, 0]), 1: np.array([2, 2, 2])}
    >>> memo.fresh((0, 1), locs, (2, 4), ()).tolist()  # joint states 4, 5, 4
    [0, 1]
    >>> memo.fresh((0, 1), locs, (2, 4), ()).tolist()
    []
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MEMO_LIMIT = 1 << 22
"""Largest joint space remembered (a byte per joint state); past it every state is asked."""


class AskMemo:
    """The joint states of one group whose asks were made (see the module)."""

    def __init__(self) -> None:
        self._seen: tuple[tuple[int, ...], tuple[int, ...], np.ndarray] | None = None

    def fresh(self, comps: Sequence[int], locs: dict[int, np.ndarray], radix: Sequence[int],
              key: tuple[int, ...]) -> np.ndarray | None:
        """One row of ``locs`` per joint state over ``comps`` not asked since the
        radices or ``key`` (the leaves' deferral) last changed, now marked; None
        when the joint space is too large to remember."""
        radices = tuple(int(radix[c]) for c in comps)
        space = int(np.prod(radices, dtype=object))
        if space > MEMO_LIMIT:
            return None
        if self._seen is None or self._seen[:2] != (radices, key):
            self._seen = (radices, key, np.zeros(space, dtype=bool))
        seen = self._seen[2]
        joint = np.zeros(len(locs[comps[0]]), dtype=np.int64)
        for c, r in zip(comps, radices, strict=True):
            joint *= r
            joint += locs[c]
        rows = np.flatnonzero(~seen[joint])
        if not len(rows):
            return rows
        _, first = np.unique(joint[rows], return_index=True)
        rows = rows[first]
        seen[joint[rows]] = True
        return rows
