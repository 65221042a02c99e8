"""The moves of a deep search's tiny levels, kept for its trace.

A deep, narrow search (a counter leaf beside a partner: one or two states per
BFS level, thousands of levels) rebuilds its counterexample backwards level
by level (:mod:`procalg.lts.level_paths`): with a lazy leaf each level is
fired forwards again, and the least path fires it a third time, some 300 µs
of numpy calls per level where the search itself took less. Levels of at
most :data:`FEW` states expanded by
:func:`~procalg.lts.narrow_levels.marked_batch` keep their moves here instead
(three short lists per level, a few µs), and a trace through them is read in
Python with no firing. The moves are exactly the tables' successors of the
whole level (every state of a level the marked walk makes is new), so the
path read is the one firing would give: the cone of states on a shortest
path to the targets, then the least label forwards (Gibson-Robinson et al.,
"FDR3", TACAS 2014, rebuild traces from level tags the same way).

Complexity: O(M) Python steps per rebuilt level of M kept moves; memory
about 60 bytes per kept move, at most :data:`KEPT` moves.

Example:
    >>> trail = Trail("layout")
    >>> trail.keep("layout", 0, np.array([5]), np.array([0, 0]), np.array([7, 8]),
    ...            np.array([1, 0]))
    >>> trail.back("layout", 0, np.array([8])).tolist()  # states of level 0 into 8
    [5]
    >>> trail.forth("layout", 0, np.array([5]), np.array([7, 8]), [1, 0])  # label 1 ranks first
    (1, array([7]))
    >>> trail.last_step("layout", 0, 7)  # the least predecessor of 7, and its label
    (5, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

FEW = 4
"""Most states of a level whose moves are kept."""

KEPT = 1 << 19
"""Most moves kept per search (a trace past them fires its levels again)."""


class Trail:
    """The moves of kept levels: (source code, target code, label index) in
    three flat lists, each level's slice by its BFS level. The codes are those
    of one layout: a re-encoded search (a leaf outgrew its digits) reads none."""

    def __init__(self, layout: object) -> None:
        self.layout = layout
        self.bounds: dict[int, tuple[int, int]] = {}
        self.src: list[int] = []
        self.dst: list[int] = []
        self.lab: list[int] = []

    def keep(self, layout: object, level: int, codes: np.ndarray, src: np.ndarray,
             dst: np.ndarray, lab: np.ndarray) -> None:
        """Keep the moves of BFS ``level`` (all its ``codes``; ``src`` indexes
        them) if it is small and there is room; codes of another ``layout``
        than the kept ones' replace them."""
        if layout is not self.layout:
            self.__init__(layout)  # type: ignore[misc]
        if len(codes) > FEW or len(self.src) + len(src) > KEPT:
            return
        lo = len(self.src)
        self.src += codes.take(src).tolist()
        self.dst += dst.tolist()
        self.lab += lab.tolist()
        self.bounds[level] = (lo, len(self.src))

    def keep_lists(self, layout: object, level: int, codes: list[int],
                   moves: list[list[tuple[int, int]]]) -> None:
        """:meth:`keep` for a level walked in Python: ``moves[i]`` lists the
        (label index, target code) moves of ``codes[i]``."""
        if layout is not self.layout:
            self.__init__(layout)  # type: ignore[misc]
        size = sum(map(len, moves))
        if len(codes) > FEW or len(self.src) + size > KEPT:
            return
        lo = len(self.src)
        for code, here in zip(codes, moves, strict=True):
            if here:  # a column at a time: a walk keeps every level of a deep chain
                labels, targets = zip(*here, strict=True)
                self.src += [code] * len(here)
                self.dst += targets
                self.lab += labels
        self.bounds[level] = (lo, lo + size)

    def recode(self, layout: Any, recode: Callable[[np.ndarray], np.ndarray]) -> None:
        """Re-encode the kept codes for ``layout`` (a leaf outgrew its digits:
        ``recode`` maps the old codes to the new); wide codes keep nothing."""
        if layout.wide or not self.src:
            self.__init__(layout)  # type: ignore[misc]
            return
        self.layout = layout
        self.src = recode(np.array(self.src, dtype=np.int64)).tolist()
        self.dst = recode(np.array(self.dst, dtype=np.int64)).tolist()

    def _moves(self, layout: object, level: int) -> zip | None:
        span = self.bounds.get(level) if layout is self.layout else None
        if span is None:
            return None
        lo, hi = span
        return zip(self.src[lo:hi], self.dst[lo:hi], self.lab[lo:hi], strict=True)

    def back(self, layout: object, level: int, targets: np.ndarray) -> np.ndarray | None:
        """The sorted states of ``level`` with a kept move into ``targets``
        (None: the level is not kept)."""
        span = self.bounds.get(level) if layout is self.layout else None
        if span is not None and span[1] - span[0] == 1:  # a chain's level: one move, no sets
            lo = span[0]
            return np.array([self.src[lo]] if self.dst[lo] in targets.tolist() else [],
                            dtype=np.int64)
        moves = self._moves(layout, level)
        if moves is None:
            return None
        into = set(targets.tolist())
        return np.array(sorted({s for s, d, _ in moves if d in into}), dtype=np.int64)

    def forth(self, layout: object, level: int, here: np.ndarray, cone: np.ndarray,
              rank: Sequence[int]) -> tuple[int, np.ndarray] | None:
        """From the states ``here`` of ``level``, the least label by ``rank`` of
        the kept moves into ``cone`` and the sorted states it reaches (None:
        the level is not kept)."""
        span = self.bounds.get(level) if layout is self.layout else None
        if span is not None and span[1] - span[0] == 1:  # a chain's level (60,000 on falls' rows)
            lo = span[0]
            if self.src[lo] in here.tolist() and self.dst[lo] in cone.tolist():
                return self.lab[lo], np.array([self.dst[lo]], dtype=np.int64)
        moves = self._moves(layout, level)
        if moves is None:
            return None
        start, into = set(here.tolist()), set(cone.tolist())
        step = [(rank[g], g, d) for s, d, g in moves if s in start and d in into]
        top, least, _ = min(step)
        return least, np.array(sorted({d for r, _, d in step if r == top}), dtype=np.int64)

    def last_step(self, layout: object, level: int, code: int) -> tuple[int, int] | None:
        """The least state of ``level`` with a kept move into ``code`` and the
        least label index of its moves there (None: the level is not kept)."""
        moves = self._moves(layout, level)
        if moves is None:
            return None
        return min((s, g) for s, d, g in moves if d == code)
