"""Deep, narrow searches of eager networks: a small level in about fifteen numpy calls.

An odometer of N digits in alphabetised parallel has 2^(N+2) BFS levels of
a few dozen states, so the search's pace is numpy's fixed cost per call,
not the states: :func:`~procalg.lts.narrow_levels.marked_batch` spends
some 40 calls on a level (firing on bit-field codes, deduplicating,
turning codes into the dense numbers its marks are indexed by, asking the
goal). :class:`DenseLevels` walks such levels on the dense numbers
themselves (:class:`~procalg.lts.narrow_levels.Marks`' mixed-radix number
of the local states), for a network whose every synchronisation group is
one joint table (no lazy leaf, no priority):

* a group's joint index is a sum of one table row per *slice* of the dense
  number (a few whole digits, ``divmod`` apart), as
  :meth:`~procalg.lts.gather.Gather.fire_codes` reads bit fields;
* a move adds a constant to the dense number too (its components' digit
  changes times their weights), and a group without a move adds 0, so the
  state itself, already marked, stands in for it: no ``nonzero``, no
  source column;
* the goal is asked only about levels it can match (a state without
  moves, a move with a watched label: :func:`~procalg.lts.leaf_levels.only_when`),
  and then with exactly the arrays the numpy search would give it (the
  level's codes fired by :meth:`~procalg.lts.vectors.Tables.successors`).

Each level is the sorted, distinct successors of the last not marked yet,
as :func:`~procalg.lts.narrow_levels.marked_batch` makes it, so the BFS
levels, the transition count, the goal's first witness (hence shortest
counterexamples) and where a batch ends (the state limit, a wide level)
are the same; the dense numbers sort as the codes do.

Complexity: O(G) numpy work per state of G groups, about 15 calls per level.

Example:
    >>> from procalg.lts.level_search import LevelSearch
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.vectors import Tables
    >>> ring = LTS.build(300, 0, ["a"], [(i, "a", (i + 1) % 300) for i in range(300)])
    >>> flip = LTS.build(2, 0, ["b"], [(0, "b", 1), (1, "b", 0)])
    >>> tables = Tables(close(parallel(component(ring), component(flip), set())))
    >>> search = LevelSearch(tables)
    >>> search.run(), len(search.visited), search.visited.depth, search.transitions
    (None, 600, 301, 1200)
    >>> tables._dense_levels is not None  # the deep levels were walked here
    True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts import narrow_levels
from procalg.lts.factor_tables import TableFactor
from procalg.lts.narrow_levels import BATCH, STEPS, Marks, store_codes
from procalg.lts.space_walk import SpaceWalk

if TYPE_CHECKING:  # level_search imports this module
    from procalg.lts.level_search import LevelSearch, Stop
    from procalg.lts.vectors import Tables

CELLS = 1 << 18
"""Most (state, group) cells of a level walked here, and of one slice's table (1 MB)."""
SLICE = CELLS
"""A slice takes another digit while its table stays within this many cells."""
MAX_SLICES = 4
"""Most slices of a dense number (each costs three numpy calls per level)."""
CHUNK = 1 << 14
"""Most states (but one level) settled at once."""
FULL = 1 << 23
"""Most (state, group) cells of the whole space's successor table (32 MB of int32):
made once the walks fired a :data:`WHOLE_AFTER` th of the space, a level then
costs one take where the slices' sums and the steps' gather cost seven numpy
calls (odometer N=12: its search a sixth faster)."""
WHOLE_AFTER = 8
SETTLE = 1 << 14
"""Most states fired before the goal and the count look at them (a witness
found then costs at most this many states' walk past it, undone)."""


def _kind(stop: Stop | None) -> str | None:
    """Which levels ``stop`` must see: "none" (no goal), "idle" (a state
    without moves), "labels" (a watched label), "all" (a census, at the end),
    or None: any level (this walk does not take it)."""
    if stop is None:
        return "none"
    if getattr(stop, "gathers", False):
        return "all"
    if getattr(stop, "idle_only", False):  # and labels too (procalg.lts.held): not here
        return "idle" if getattr(stop, "labels_only", None) is None else None
    if getattr(stop, "labels_only", None) is not None:
        return "labels"
    return None


class DenseLevels:
    """The dense walk of one network's tables (see the module); made by :meth:`of`."""

    def __init__(self, tables: Tables, factors: list[TableFactor]) -> None:
        layout = self.layout = tables.layout
        self.tables = tables
        weight, at = {}, 1  # each component's weight in the dense number
        for c in layout.order:
            weight[c], at = at, at * layout.radix[c]
        # a group whose joint states have up to m moves is m columns, the k-th
        # holding each joint state's k-th move: every column is deterministic
        layers = [(f, k) for f in factors for k in range(max(1, int(f.count.max(initial=0))))]
        factors = [f for f, _ in layers]
        self.groups = len(factors)
        sizes = [len(f.count) for f in factors]
        self.rows: list[np.ndarray] = []
        if sum(sizes) >= 1 << 31:  # joint indices are int32
            return
        base = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        has, step, label = zip(*(_moves(f, k, layout, weight) for f, k in layers), strict=True)
        self.has = np.concatenate(has)
        self.step = np.concatenate(step).astype(np.int32)  # dense numbers are below 2^31
        self.label = np.concatenate(label)
        self.radices, self.rows, self.code_rows = _slices(factors, layout, weight, base)
        self.space = math.prod(layout.radix[c] for c in layout.order)
        self.fired = 0  # states fired so far (the whole table pays past WHOLE_AFTER)
        self.whole: np.ndarray | None = None

    @classmethod
    def of(cls, tables: Tables) -> DenseLevels | None:
        """The walk for ``tables`` (made once), or None when some group is not
        one joint table, a leaf is lazy, priority filters moves,
        codes are wide, or the slices' tables would be too many or too large."""
        found = tables.__dict__.get("_dense_levels", False)
        if found is False:
            found = None
            layout = tables.layout
            groups = tables.forward
            ok = (not tables.lazy and not layout.wide and not layout.words and groups
                  and tables._tags is None and tables._screens[0] is None
                  and Marks.fit(layout)
                  and all(isinstance(g, list) and len(g) == 1 and isinstance(g[0], TableFactor)
                          and g[0].delta.ndim == 1 and g[0].delta.dtype != object
                          for g in groups))
            if ok:
                found = cls(tables, [g[0] for g in groups])  # type: ignore[index]
                if not found.rows:
                    found = None
            tables._dense_levels = found  # type: ignore[attr-defined]
        return found

    def takes(self, stop: Stop | None, frontier: np.ndarray) -> bool:
        """Whether this walk may expand ``frontier`` for ``stop``."""
        return _kind(stop) is not None and len(frontier) * self.groups <= CELLS

    def index(self, dense: np.ndarray) -> np.ndarray:
        """Each state's joint index into every group's table: (states, groups)."""
        rows, radices = self.rows, self.radices
        if len(rows) == 1:
            return rows[0].take(dense, axis=0)
        high, low = np.divmod(dense, radices[0])
        index = rows[0].take(low, axis=0)
        for k in range(1, len(rows) - 1):
            high, low = np.divmod(high, radices[k])
            index += rows[k].take(low, axis=0)
        index += rows[-1].take(high, axis=0)
        return index

    def successors(self, dense: np.ndarray) -> np.ndarray:
        """Each state's target per group column, the state itself where a
        column has no move: (states, groups) int32."""
        if self.whole is not None:
            return self.whole.take(dense, axis=0)
        target = self.step.take(self.index(dense))
        target += dense[:, None]
        self.fired += len(dense)
        if WHOLE_AFTER * self.fired >= self.space and self.space * self.groups <= FULL:
            self.whole = self._whole()
        return target

    def _whole(self) -> np.ndarray:
        """:meth:`successors` of the whole dense space, a slice's table at a time."""
        whole = np.empty((self.space, self.groups), dtype=np.int32)
        for lo in range(0, self.space, CHUNK):
            dense = np.arange(lo, min(lo + CHUNK, self.space), dtype=np.int32)
            np.take(self.step, self.index(dense), out=whole[lo: lo + len(dense)])
            whole[lo: lo + len(dense)] += dense[:, None]
        return whole

    def code(self, dense: np.ndarray) -> np.ndarray:
        """The int64 codes of dense numbers (the same order)."""
        if self.code_rows is None:  # mixed-radix codes are their dense numbers
            return dense.astype(np.int64)
        high, out = dense, np.zeros(len(dense), dtype=np.int64)
        for radix, codes in zip(self.radices, self.code_rows[:-1], strict=False):
            high, low = np.divmod(high, radix)
            out += codes.take(low)
        out += self.code_rows[-1].take(high)
        return out

    def batch(self, search: LevelSearch, frontier: np.ndarray, stop: Stop | None
              ) -> tuple[int, str] | None:
        """Levels from ``frontier`` (sorted codes) while they stay narrow, as
        :func:`~procalg.lts.narrow_levels.marked_batch` makes and stores them."""
        marks, visited = search.marks, search.visited
        assert marks is not None
        seen, stamps = marks.seen, _STAMPS
        walk = _Walk(self, search, stop)
        room = BATCH if search.max_states is None else min(BATCH, search.max_states - len(visited))
        narrow, cells = search.narrow, CELLS // self.groups
        cur, levels, fired = marks.index(frontier).astype(np.int32), walk.levels, walk.fired
        size = waiting = 0
        for _ in range(STEPS):
            fired.append(cur)
            target = self.successors(cur).ravel()  # no move: the state itself, marked
            new = target[seen.take(target) == 0]
            if len(new) <= len(stamps):  # one distinct stamp per candidate: one survives
                mine = stamps[:len(new)]
                seen[new] = mine
                new = new[seen.take(new) == mine]
            else:
                new.sort()
                keep = np.empty(len(new), dtype=bool)
                keep[0] = True
                np.not_equal(new[1:], new[:-1], out=keep[1:])
                new = new[keep]
                seen[new] = 1
            levels.append(new)
            size += len(new)
            waiting += len(cur)
            cur = new
            if not len(new) or len(new) > narrow or size > room or len(new) > cells:
                break
            if waiting > SETTLE:
                waiting = 0
                if walk.settle():
                    break
        walk.settle()
        if levels:
            store_codes(visited, self.code(np.concatenate(levels)), np.repeat(
                np.arange(1, len(levels) + 1, dtype=np.int64), [len(x) for x in levels]),
                len(levels))
        return walk.hit


_STAMPS = np.arange(1, 256, dtype=np.uint8)
"""Nonzero marks, one per candidate of a level: the candidate whose stamp a
code keeps is its one copy in the level (duplicates' writes are overwritten)."""


class _Walk:
    """One batch's levels, and the goal and transition count settled every
    few levels: the fired levels not settled yet are fired again in bulk
    (their joint indices: whether a state has no move, or a move a watched
    label); a level the goal finds a witness in ends the batch there, and the
    levels made after it are unmarked and dropped."""

    def __init__(self, dense: DenseLevels, search: LevelSearch, stop: Stop | None) -> None:
        self.dense, self.search, self.stop, self.kind = dense, search, stop, _kind(stop)
        self.fired: list[np.ndarray] = []  # levels fired, the frontier first
        self.levels: list[np.ndarray] = []  # levels made (levels[i] from fired[i])
        self.done = 0  # fired[:done] are settled
        self.hit: tuple[int, str] | None = None
        self.watched = None
        if self.kind == "labels":
            wanted = list(stop.labels_only)  # type: ignore[union-attr]
            self.watched = dense.has & np.isin(dense.label, wanted)

    def settle(self) -> bool:
        """Count the moves of the fired levels not settled yet and show the
        goal those it may match, in order, about :data:`CHUNK` states at a
        time; True if it found a witness (the batch ends)."""
        fired = self.fired
        while self.hit is None and self.done < len(fired):
            end, total = self.done + 1, len(fired[self.done])
            while end < len(fired) and total + len(fired[end]) <= CHUNK:
                total += len(fired[end])
                end += 1
            self._settle(fired[self.done: end])
            if self.hit is None:
                self.done = end
        return self.hit is not None

    def _settle(self, part: list[np.ndarray]) -> None:
        """:meth:`settle` for the consecutive fired levels ``part`` (from ``done``)."""
        dense, search = self.dense, self.search
        index = dense.index(np.concatenate(part))
        live = dense.has.take(index)
        sizes = [len(x) for x in part]
        for at in self._candidates(index, live, sizes):  # levels the goal may match, in order
            codes = dense.code(np.sort(part[at]))  # as the numpy search shows them
            self.hit = self.stop(codes, *dense.tables.successors(codes))  # type: ignore[misc]
            if self.hit is not None:
                search.transitions += int(np.count_nonzero(live[: sum(sizes[: at + 1])]))
                self._drop(self.done + at)
                return
        search.transitions += int(np.count_nonzero(live))
        if self.kind == "all":  # a census sees every fired level once
            self._gather(part)

    def _candidates(self, index: np.ndarray, live: np.ndarray, sizes: list[int]) -> list[int]:
        """The levels of a part (0 = its first) holding a state or move the goal may match."""
        if self.kind == "idle":
            rows = np.flatnonzero(~np.logical_or.reduce(live, axis=1))
        elif self.kind == "labels":
            rows = np.flatnonzero(np.logical_or.reduce(self.watched.take(index), axis=1))
        else:
            return []
        if not len(rows):
            return []
        ends = np.cumsum(sizes)
        return sorted(set(np.searchsorted(ends, rows, side="right").tolist()))

    def _drop(self, level: int) -> None:
        """Unmark and forget the levels made by firing ``fired[level]`` and after."""
        seen = self.search.marks.seen  # type: ignore[union-attr]
        for made in self.levels[level:]:
            seen[made] = 0
        del self.levels[level:]

    def _gather(self, levels: list[np.ndarray]) -> None:
        """Show a gathering goal the moves of every state of ``levels``."""
        codes = self.dense.code(np.sort(np.concatenate(levels)))
        self.stop(codes, *self.dense.tables.successors(codes))  # type: ignore[misc]


def _moves(f: TableFactor, k: int, layout: object, weight: dict[int, int]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per joint index of ``f``: whether it has a ``k``-th move, that move's
    change of the dense number (0 without one), its label."""
    radix, stride = layout.radix, layout.stride  # type: ignore[attr-defined]
    j = np.arange(len(f.count), dtype=np.int64)
    on = f.count > k
    first = np.minimum(f.offsets[:-1] + k, max(len(f.delta) - 1, 0))
    delta = np.where(on, f.delta[first], 0) if len(f.delta) else np.zeros(len(j), np.int64)
    label = np.where(on, f.label[first], 0) if len(f.label) else np.zeros(len(j), np.int32)
    local = {c: (j // w) % radix[c] for c, w in zip(f.comps, f.weights, strict=True)}
    code = sum((local[c] * stride[c] for c in f.comps), np.zeros(len(j), dtype=np.int64))
    after = layout.decode(code + delta, f.comps)  # type: ignore[attr-defined]
    step = sum(((after[c] - local[c]) * weight[c] for c in f.comps),
               np.zeros(len(j), dtype=np.int64))
    return on, np.where(on, step, 0), label.astype(np.int32)


def _slices(factors: list[TableFactor], layout: object, weight: dict[int, int],
            base: np.ndarray) -> tuple[list[int], list[np.ndarray], list[np.ndarray] | None]:
    """The dense number cut into slices of whole digits, least significant
    first: each slice's radix, its table of every group's share of the joint
    index per slice value (the groups' offsets in the first), and, for
    bit-field codes, its share of the code; no tables when there would be
    more than :data:`MAX_SLICES` or one past :data:`CELLS`."""
    radix, stride = layout.radix, layout.stride  # type: ignore[attr-defined]
    most = SLICE // len(factors)
    pieces: list[list[int]] = [[]]
    for c in layout.order:  # type: ignore[attr-defined]
        if pieces[-1] and math.prod(radix[d] for d in pieces[-1]) * radix[c] > most:
            pieces.append([])
        pieces[-1].append(c)
    sizes = [math.prod(radix[c] for c in piece) for piece in pieces]
    if len(pieces) > MAX_SLICES or max(sizes) * len(factors) > CELLS:
        return [], [], None
    where = [{c: w for c, w in zip(f.comps, f.weights, strict=True)} for f in factors]
    rows, codes, below = [], [], 1
    for piece, size in zip(pieces, sizes, strict=True):
        value = np.arange(size, dtype=np.int64)
        row = np.zeros((size, len(factors)), dtype=np.int64)
        code = np.zeros(size, dtype=np.int64)
        for c in piece:
            digit = (value // (weight[c] // below)) % radix[c]
            code += digit * stride[c]
            for g, w in enumerate(where):
                if c in w:
                    row[:, g] += digit * w[c]
        if not rows:
            row += base
        rows.append(row.astype(np.int32))
        codes.append(code)
        below *= size
    return sizes, rows, codes if layout.packed else None  # type: ignore[attr-defined]


def marked_batch(search: LevelSearch, marks: Marks, frontier: np.ndarray,
                 stop: Stop | None, back: int = 0) -> tuple[int, str] | None:
    """:func:`~procalg.lts.narrow_levels.marked_batch`, walked on dense
    numbers where the network and the goal allow (:meth:`DenseLevels.takes`),
    else in Python over the fired code space of a small eager network
    (:class:`~procalg.lts.space_walk.SpaceWalk`)."""
    dense = DenseLevels.of(search.tables)
    if dense is not None and dense.takes(stop, frontier):
        return dense.batch(search, frontier, stop)
    space = SpaceWalk.of(search.tables)  # priority, or groups of several tables
    if space is not None:
        if space.takes(search, frontier):
            made, hit = space.batch(search, marks, frontier, stop)
            if made:
                return hit
        back = max(back, space.back())
    return narrow_levels.marked_batch(search, marks, frontier, stop, back)
