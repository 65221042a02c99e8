"""Deep, narrow searches of small eager networks: the whole code space fired once.

A network of whole components whose BFS levels hold a state or two --
``prioritise`` over a counter of a thousand states beside a small partner,
the nested row of ``benchmarks/falls.py`` below the lazy-leaf size -- spends
about 100 µs of numpy calls a level in
:func:`~procalg.lts.narrow_levels.marked_batch` (firing, the priority filter,
the marks), thousands of levels. :mod:`~procalg.lts.dense_levels` walks such
chains on dense numbers, but not where priority filters moves;
:mod:`~procalg.lts.leaf_partners` walks them in Python, but only beside a
lazy leaf.

:class:`SpaceWalk` fires *every* code of the network's space once
(:meth:`~procalg.lts.vectors.Tables.successors`, :data:`CHUNK` codes a call),
as :mod:`~procalg.lts.nested_space` does for a nested network (the filter
included: it reads one state's moves, whatever else shares the batch), keeps
the moves as Python lists, and walks the levels reading them: a level of one
state costs a few µs. The levels are :func:`marked_batch`'s: the new states of
each level claimed in the search's marks (a byte per dense number), sorted by
code; each level's moves kept for the trace
(:meth:`~procalg.lts.level_trail.Trail.keep_lists`), the goal asked only of
levels it can match (:func:`~procalg.lts.leaf_levels.level_check`) and then
with the arrays the numpy walk would give it. So the BFS levels, the
transition count and the goal's first witness (hence shortest
counterexamples) are the same. A level of more than :data:`FEW` states goes
back to numpy.

The space is fired once the search has walked :data:`PER_LEVEL` codes' worth
of levels (a code costs about 0.5 µs to fire, a numpy level some 100 µs: the
firing costs at most about what the levels walked so far cost, the
rent-or-buy rule of ski rental; Karlin et al., "Competitive snoopy caching",
Algorithmica 1988): a shallow search never pays for it. A space with more
than :data:`MOVE_LIMIT` moves (a wide fan in every state) stays numpy's.

Complexity: O(S × R) numpy work once for the S codes of the space and the R
rules; then O(M) Python steps for the M moves of the walked levels.

Example:
    >>> from procalg.lts.level_search import LevelSearch
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.priority import prioritise
    >>> from procalg.lts.vectors import Tables
    >>> line = LTS.build(900, 0, ["up"], [(i, "up", i + 1) for i in range(899)])
    >>> beat = LTS.build(2, 0, ["up", "b"], [(0, "up", 1), (1, "b", 0), (1, "up", 1)])
    >>> net = prioritise(close(parallel(component(line), component(beat), {"up"})),
    ...                  {"up": 0, "b": 1})  # "up" pre-empts "b" until the line ends
    >>> search = LevelSearch(Tables(net))
    >>> search.run(), len(search.visited), search.visited.depth
    (None, 901, 901)
    >>> search.tables._space_walk.made > 0  # the deep levels were walked here
    True
"""

from __future__ import annotations

import gc
import math
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.leaf_levels import level_check
from procalg.lts.narrow_levels import BATCH, STEPS, Marks, level_arrays, store_lists

if TYPE_CHECKING:  # level_search imports this module
    from procalg.lts.level_search import LevelSearch, Stop
    from procalg.lts.vectors import Tables

FEW = 4
"""Most states in a level walked here (the trail keeps levels this small)."""

LONG = 8
"""The numpy walk hands a level of at most :data:`FEW` states back only if the
last batch here made this many levels (where narrow and wide levels
alternate, a batch per level would cost more than it saves)."""

SPACE_LIMIT = 1 << 17
"""Largest code space fired whole (some 60 ms, 2^17 bytes of marks)."""

PER_LEVEL = 256
"""Codes of the space fired per level the search has walked (see the module)."""

MOVE_LIMIT = 1 << 20
"""Most moves of a fired space (kept as three lists of Python ints: some 100 MB);
past them the space is not walked here."""

CHUNK = 1 << 14
"""Codes fired in one ``successors`` call (the moves counted against the limit as they come)."""

Moves = list[tuple[int, int]]  # a state's moves: (label index, target code)


class SpaceWalk:
    """The scalar level walk over one eager network's fired code space."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.size = math.prod(tables.layout.radix)
        self.index: dict[int, int] = {}  # code -> its place in the space
        self.starts: list[int] = []  # place -> its moves' slice of the columns below
        self.labels: list[int] = []
        self.targets: list[int] = []
        self.dense: list[int] = []  # each move's target's dense number in the marks
        self.fired = self.refused = False
        self.made = LONG  # levels the last batch made (see back)

    @classmethod
    def of(cls, tables: Tables) -> SpaceWalk | None:
        """The walk for ``tables`` if every component is whole and the codes are
        int64 in a space of at most :data:`SPACE_LIMIT` (else None; made once).

        Example:
            >>> from procalg.lts.lts import LTS
            >>> from procalg.lts.network import close, component
            >>> from procalg.lts.vectors import Tables
            >>> two = LTS.build(2, 0, ["a"], [(0, "a", 1)])
            >>> SpaceWalk.of(Tables(close(component(two)))).size
            2
        """
        found = tables.__dict__.get("_space_walk", False)
        if found is False:
            layout = tables.layout
            ok = (not tables.lazy and not layout.wide and not layout.words and bool(layout.radix)
                  and math.prod(layout.radix) <= SPACE_LIMIT)
            found = tables._space_walk = cls(tables) if ok else None  # type: ignore[attr-defined]
        return found

    def takes(self, search: LevelSearch, frontier: np.ndarray) -> bool:
        """Whether this walk expands ``frontier``: a level of at most :data:`FEW`
        states, once the space is fired or the search deep enough to fire it."""
        return len(frontier) <= FEW and not self.refused and (
            self.fired or self.size <= PER_LEVEL * max(1, search.visited.depth))

    def back(self) -> int:
        """The level size at which the numpy walk hands back (``marked_batch``'s
        ``back``): tiny levels while this walk pays or waits to fire."""
        if self.refused:
            return 0
        return FEW if self.made >= LONG or not self.fired else 0

    def _fire(self, marks: Marks) -> bool:
        """Every code of the space fired once (a chunk at a time), its moves kept
        as columns by source; False (and never again) past :data:`MOVE_LIMIT` moves."""
        layout = self.tables.layout
        digits = np.indices(layout.radix).reshape(len(layout.radix), -1)
        codes = np.sort(layout.encode({c: digits[c] for c in range(len(layout.radix))}))
        columns, count = [], 0
        for lo in range(0, len(codes), CHUNK):
            src, dst, lab = self.tables.successors(codes[lo:lo + CHUNK])
            count += len(src)
            if count > MOVE_LIMIT:  # a wide fan everywhere: the lists would not pay
                self.refused = True
                return False
            order = np.argsort(src, kind="stable")  # grouped by source, each in firing order
            columns.append((src[order] + lo, dst[order], lab[order]))
        src, dst, lab = (np.concatenate(c) for c in zip(*columns, strict=True))
        self.index = dict(zip(codes.tolist(), range(len(codes)), strict=True))
        self.starts = np.searchsorted(src, np.arange(len(codes) + 1)).tolist()
        self.labels, self.targets = lab.tolist(), dst.tolist()
        self.dense = marks.index(dst).tolist()
        self.fired = True
        return True

    def batch(self, search: LevelSearch, marks: Marks, frontier: np.ndarray,
              stop: Stop | None) -> tuple[int, tuple[int, str] | None]:
        """Levels from ``frontier`` while they hold at most :data:`FEW` states,
        as ``marked_batch`` makes them: (levels made, the goal's witness or None).
        No level made: numpy's turn."""
        if not self.fired and not self._fire(marks):
            return 0, None
        visited, trail, layout = search.visited, search.trail, self.tables.layout
        depth = visited.depth
        room = BATCH if search.max_states is None else \
            min(BATCH, search.max_states - len(visited))
        check = level_check(stop)
        index, starts, labels, targets, dense = (
            self.index, self.starts, self.labels, self.targets, self.dense)
        seen = memoryview(marks.seen)  # a byte per dense number: faster items than numpy's
        codes: list[int] = []
        sizes: list[int] = []
        cur, hit, count, moved = frontier.tolist(), None, 0, 0
        collecting = gc.isenabled()
        gc.disable()  # what a level makes is kept: no cycles to look for
        try:
            for _ in range(STEPS):
                spans = [(starts[i], starts[i + 1]) for i in map(index.__getitem__, cur)]
                moves = [list(zip(labels[a:b], targets[a:b], strict=True)) for a, b in spans]
                moved += sum(map(len, moves))
                trail.keep_lists(layout, depth + count, cur, moves)
                if check is not None and check(moves):
                    hit = stop(*level_arrays(cur, moves))  # type: ignore[misc]
                    if hit is not None:
                        break
                new = []
                for a, b in spans:
                    for k in range(a, b):
                        if not seen[dense[k]]:
                            seen[dense[k]] = 1
                            new.append(targets[k])
                if len(new) > 1:
                    new.sort()
                count += 1
                codes += new
                sizes.append(len(new))
                cur = new
                if not new or len(new) > FEW or len(codes) > room:
                    break
        finally:
            search.transitions += moved
            seen.release()
            if collecting:
                gc.enable()
        self.made = count
        store_lists(visited, codes, sizes)
        return count + (hit is not None), hit
