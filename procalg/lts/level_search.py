"""The level loop of the product engine: breadth-first search over packed codes.

:class:`LevelSearch` explores a :class:`~procalg.lts.vectors.Tables` product one whole BFS
level at a time: successors of the frontier come from the synchronisation tables in bulk, chunk
by chunk on a small thread pool (numpy releases the GIL), are deduplicated by sorting and
checked against the visited set (:class:`~procalg.lts.visited.Visited`, sorted runs with level
tags) by binary search, leaving the frontier out when no move stays in its level
(:mod:`procalg.lts.parity`). A goal (:data:`procalg.lts.product.Goal`) is a ``stop`` function
looking at each expanded chunk; the search ends at the first BFS level holding a witness, so
traces are shortest, and :meth:`LevelSearch.path_to` rebuilds one backwards with the level tags
(no parent array), firing each level before forwards. Levels of at most ``NARROW`` states (a
deep, narrow space) are expanded several at a time (:mod:`procalg.lts.narrow_levels`: a byte
per code of a small space tells new states from old ones, and then also stands in for the
visited set's binary searches in wide levels; else the visited set is asked once per few
levels; one lazy leaf's tiniest levels in Python, :mod:`procalg.lts.leaf_levels`; an eager
network's on dense numbers, :mod:`procalg.lts.dense_levels`), so a level's fixed cost in numpy
calls does not set the pace. This is the level-by-level search of FDR (Gibson-Robinson,
Armstrong, Boulgakov and Roscoe, "FDR3 — a modern refinement checker for CSP", TACAS 2014).

Complexity: O(S log S + T log T) numpy work for S states and T transitions;
memory about 10 bytes per state (the key's width when codes are wide) plus
four batches of about :data:`SCRATCH` bytes and a budget of unchecked successors.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
    >>> search = LevelSearch(Tables(close(component(p))))
    >>> search.run(), len(search.visited)
    (None, 3)
    >>> search.path_to(2)  # one component: its local state is the code
    ['a', 'b']
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts import level_paths
from procalg.lts.dense_levels import DenseLevels, marked_batch  # or the dense walk
from procalg.lts.heap_reuse import keep_freed_memory_past
from procalg.lts.held import HeldPending, LevelHolds, held_stop
from procalg.lts.leaf_levels import FEW, OneLeaf
from procalg.lts.leaf_partners import PartneredLeaf, few_enough
from procalg.lts.level_trail import Trail
from procalg.lts.lts import TAU
from procalg.lts.narrow_levels import CHECK, MARK_DEPTH, Marks, delayed_batch
from procalg.lts.parity import alternates
from procalg.lts.thread_pool import ThreadPool  # started by a level of several chunks
from procalg.lts.unique_codes import Keyed, joined_unique, keyed_unique
from procalg.lts.vectors import Tables
from procalg.lts.visited import Recode, Visited
from procalg.lts.wide_keys import moved

CHUNK = 1 << 14
"""Most frontier states expanded per batch (bounds the scratch memory)."""

SCRATCH = 1 << 25
"""Bytes of successor codes one batch aims at: a level's batches shrink below
:data:`CHUNK` states when states have many moves or codes are wide keys (an
xUML model of 131 components: 120-byte keys, 250 moves a state, 490 MB a
batch of ``CHUNK`` states, four of them at once)."""

MIN_CHUNK = 1 << 6
"""Fewest frontier states per batch however many moves each has (a batch's fixed cost)."""

BUDGET_BYTES = 1 << 28
"""Most bytes a flush of gathered successors (their sort and look-up in the
visited set) takes: int64 codes reach it past 67 M visited states, Tokeneer's
40-byte keys (sorted in four copies) past 3.4 M."""

NARROW = 1 << 11
"""Levels up to this size are expanded in batches of several levels."""

MIN_BUDGET = 1 << 16
"""Fewest successors gathered before a look-up in the visited set (:meth:`LevelSearch._budget`)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """What a progress callback receives after every BFS level (or batch of small levels)."""

    states: int
    level: int
    states_per_second: float
    memory: int


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The outcome of a product search.

    Attributes:
        found: the search met its goal (a counterexample, or a witness).
        path: labels from the initial state, τ included, to the witness.
        cycle: for divergence, the τ-loop reached at the end of ``path``.
        states, transitions, levels: how much was explored.
        seconds: wall time; peak_bytes: largest footprint of the search's arrays.
        notes: how the answer was obtained (engine, reductions).
    """

    found: bool
    path: tuple[str, ...] = ()
    cycle: tuple[str, ...] | None = None
    states: int = 0
    transitions: int = 0
    levels: int = 0
    seconds: float = 0.0
    peak_bytes: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def trace(self) -> tuple[str, ...]:
        """The visible part of ``path``."""
        return tuple(x for x in self.path if x != TAU)


Stop = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], "tuple[int, str] | None"]


class LevelSearch:
    """One BFS over the product, with limits, progress and trace rebuilding."""

    def __init__(self, tables: Tables, *, max_states: int | None = None,
                 max_memory: int | None = None,
                 progress: Callable[[Progress], None] | None = None, por: object = None,
                 workers: int | None = None) -> None:
        self.tables = tables
        self.visited = Visited(self.held([tables.initial]))
        self._pack()
        self.max_states, self.max_memory, self.progress = max_states, max_memory, progress
        self.por = por
        self.workers = workers or min(2, os.cpu_count() or 1)
        self.transitions = 0
        self.peak = 0
        self.start = time.perf_counter()
        self.fan = 1.0  # moves per state of the last expanded batch: sizes the next
        self.check = CHECK  # levels between looks at the visited set (1 if most were old)
        self.marks: Marks | None = None  # a byte per code, once the search is deep
        self.trail = Trail(tables.layout)  # tiny levels' moves, for the trace
        self._alternates: bool | None = None  # no move stays in its level (asked once)
        self.alike = False  # expand with Tables.targets (set by run)
        self.states_first = False  # a goal's state beats its move in a level (run)

    def held(self, codes: np.ndarray | list[int]) -> np.ndarray:
        """``codes`` as the search holds them: keys of a word-aligned layout, else its dtype."""
        layout = self.tables.layout
        return layout.keys(codes) if layout.words else layout.cast(codes)

    def _pack(self) -> None:  # visited codes and their level tags in one int64 each, if they fit
        if not self.tables.layout.wide:
            self.visited.pack(self.tables.layout.bits)

    @property
    def narrow(self) -> int:
        """Levels up to this size are batched (int64 codes, no reduction)."""
        plain = self.por is None and not self.tables.layout.wide
        return NARROW if plain else -1

    def run(self, stop: Stop | None = None, *, targets: bool = False
            ) -> tuple[int, str] | None:
        """Explore level by level; ``stop(chunk, src, dst, label)`` may return
        a witness ``(code, last label)`` that ends the search (a leaf's error
        met before it raises: :func:`~procalg.lts.held.held_stop`). With
        ``targets``, ``stop`` reads only each move's target and the least label
        of the moves from a source into it: rules alike but for their label then
        fire once (:meth:`~procalg.lts.vectors.Tables.targets`), as without a goal."""
        frontier, held = self._prepare(), held_stop(self.tables, stop)
        self.alike = self.por is None and held is stop and (stop is None or targets)
        self.states_first = getattr(stop, "states_first", False)  # LevelHolds
        stop = held
        with ThreadPool(self.workers) as pool:
            while len(frontier):
                try:
                    hit = (self._batch(frontier, stop, pool) if len(frontier) <= self.narrow
                           else self._level(frontier, stop, pool))
                except HeldPending as held:  # in a whole level: no later chunk matches
                    raise held.error from None
                if hit is not None:
                    return hit
                frontier = self._prepare()
                keep_freed_memory_past(len(self.visited))  # large batches reuse freed pages
                self._account(0)
                self._report()
        return None

    def _prepare(self) -> np.ndarray:
        """The frontier, its lazy leaves' states explored (re-encoded if one outgrew its digits)."""
        self.recode(self.tables.expand(self.visited.frontier))
        return self.visited.frontier

    def recode(self, recode: Recode | None) -> Marks | None:
        """Re-encode the visited states after a lazy component outgrew its
        digits (``recode`` not None), and the marks with them; the marks."""
        if recode is not None:
            self.visited.recode(lambda codes: self.held(recode(codes)))
            self.trail.recode(self.tables.layout, recode)
            self._pack()
            if self.marks is not None:
                fit = Marks.fit(self.tables.layout, self.max_memory)
                self.marks = Marks.of(self.tables.layout, self.visited) if fit else None
        return self.marks

    def _batch(self, frontier: np.ndarray, stop: Stop | None, pool: ThreadPool
               ) -> tuple[int, str] | None:
        """Several small levels at once, with marks once the search is deep (and its
        code space small enough; sooner for the dense walk), else with delayed duplicate
        detection (with lazy components, whose digits may grow: one level)."""
        if len(frontier) <= FEW and (leaf := OneLeaf.of(self.tables)):  # one lazy leaf
            return leaf.batch(self, frontier, stop)
        depth = self.visited.depth
        if (self.marks is None and depth >= MARK_DEPTH >> 2 and Marks.fit(
                self.tables.layout, self.max_memory)
                and (depth >= MARK_DEPTH or DenseLevels.of(self.tables))):
            self.marks = Marks.of(self.tables.layout, self.visited)
        if self.marks is not None:
            walk = PartneredLeaf.of(self.tables)  # one lazy leaf beside eager partners
            if walk is not None and few_enough(frontier):
                made, hit = walk.batch(self, self.marks, frontier, stop)
                if made:
                    return hit
            return marked_batch(self, self.marks, frontier, stop, walk.back() if walk else 0)
        if self.tables.lazy:
            return self._level(frontier, stop, pool)
        return delayed_batch(self, frontier, stop)

    def _unseen(self, codes: Keyed) -> Keyed:
        """The sorted, distinct successors ``codes`` of the frontier not
        visited (marked now, if marks are kept). When every move changes the
        level's parity (:func:`~procalg.lts.parity.alternates`), none is in
        the frontier, which is then not searched."""
        if self.marks is not None:
            return self.marks.claim(codes[0]), None
        if self._alternates is None:
            self._alternates = alternates(self.tables.network)
        return self.visited.unseen_hashed(*codes, frontier=not self._alternates)

    def _level(self, frontier: np.ndarray, stop: Stop | None, pool: ThreadPool
               ) -> tuple[int, str] | None:
        """Expand one level in chunks, ``workers`` at a time (numpy releases the GIL)."""
        # successors pile up as sorted runs; past a budget they are merged,
        # deduplicated and filtered against the visited set (bounded scratch:
        # half the visited states' count; each distinct successor searched for
        # about once); the survivors (new states) wait in ``fresh``,
        # deduplicated among themselves only
        item = self.item
        if len(frontier) <= self.chunk():  # one chunk: a hand-off would cost more than it saves
            count, succ, hit, scratch = self._expand(frontier, stop)
            self.transitions += count
            if hit is not None:
                return hit
            self._account(item * len(succ[0]) + scratch)
            new, hashes = self._unseen(succ)
            self.visited.add_level(new, checked=True, unique=True, hashes=hashes)
            return None
        budget = self._budget()
        raw: list[Keyed] = []
        fresh: list[Keyed] = []
        raw_size = fresh_size = joined = 0
        running: deque = deque()  # the chunks' futures, oldest first
        holds = LevelHolds(stop, self.states_first)  # errors and witnesses in the chunks
        lo = 0
        while True:
            while len(running) < 2 * self.workers and lo < len(frontier):
                hi = lo + self.chunk()  # sized by the moves per state seen last
                running.append(pool.submit(self._expand, frontier[lo: hi], stop))
                lo = hi
            if not running:
                break
            taken = holds.take(running.popleft().result)
            if taken is None or holds.done:  # this level ends the search
                continue
            count, succ, hit, scratch = taken
            self.transitions += count
            if hit is not None:
                for future in running:
                    future.cancel()
                return hit
            raw.append(succ)
            raw_size += len(succ[0])
            self._account(item * (raw_size + fresh_size) + scratch * len(running))
            if raw_size > budget:
                fresh.append(self._unseen(joined_unique(raw)))
                fresh_size += len(fresh[-1][0])
                raw_size = 0
                if fresh_size > 2 * max(budget, joined):  # a level past the budget:
                    fresh = [joined_unique(fresh)]  # joined each time it doubles, not per flush
                    fresh_size = joined = len(fresh[0][0])
        if holds.done:
            return holds.end()
        if raw:
            fresh.append(self._unseen(joined_unique(raw)))
        new, hashes = joined_unique(fresh) if fresh else (np.zeros(0, self.tables.dtype), None)
        self.visited.add_level(new, checked=True, unique=True, hashes=hashes)
        return None

    def _budget(self) -> int:
        """Successors gathered before they are searched for in the visited set.

        A successor met in two batches is searched twice, so a level's batches
        should be few: with a budget of 1/16 of the visited states, philosophers
        N=10 searched each new state 1.9 times; with 1/2, the search took 15 %
        less CPU. A flush's sort takes at most :data:`BUDGET_BYTES` (wide keys:
        about four times their bytes, in copies; int64 codes are sorted in
        place), and within ``max_memory`` at most 1/4 of what is left (8 bytes a code).
        """
        copies = 4 if self.tables.dtype.kind == "V" else 1  # keys' sort copies; int64 in place
        budget = min(len(self.visited) // 2, BUDGET_BYTES // (copies * self.item))
        if self.max_memory is not None:
            budget = min(budget, (self.max_memory - self.visited.nbytes) // (4 * self.item))
        return max(MIN_BUDGET, budget)

    @property
    def item(self) -> int:
        """Bytes of one successor code as the search holds it (a Python integer:
        about 40; a key: its words and its 8-byte hash, carried beside it)."""
        dtype = self.tables.dtype
        return 48 if dtype.kind == "O" else dtype.itemsize + 8 * (dtype.kind == "V")

    def chunk(self) -> int:
        """Frontier states in the next batch: :data:`CHUNK`, or as many as make
        about :data:`SCRATCH` bytes of successors at the moves per state seen last.

        Example:
            >>> from procalg.lts.lts import LTS
            >>> from procalg.lts.network import close, component
            >>> search = LevelSearch(Tables(close(component(LTS.build(1, 0, [], [])))))
            >>> search.chunk() == CHUNK
            True
            >>> search.fan = 1000.0  # 8-byte codes: 4,096 states make 32 MiB of successors
            >>> search.chunk()
            4194
        """
        return min(CHUNK, max(MIN_CHUNK, int(SCRATCH / (self.item * max(self.fan, 1.0)))))

    def _expand(self, chunk: np.ndarray, stop: Stop | None
                ) -> tuple[int, Keyed, tuple[int, str] | None, int]:
        left = 0  # moves of alike rules not fired (counted all the same)
        if self.alike:
            src, dst, lab, left = self.tables.targets(chunk)
        else:
            src, dst, lab = (self.por.successors(chunk) if self.por
                             else self.tables.successors(chunk))
        self.fan = len(src) / max(1, len(chunk))
        dst = self.held(dst)  # stubborn sets fire on integers
        hit = None
        if stop is not None:  # keys as held to a goal that ``reads_keys`` (no Python ints)
            keys = not self.tables.layout.words or getattr(stop, "reads_keys", False)
            hit = stop(chunk if keys else self.tables.layout.cast(chunk), src, dst, lab)
        if self.por is None and len(dst):  # a move changing no component finds nothing new:
            dst = dst[moved(dst, chunk.take(src))]  # dropped before the sort (xUML: 3 in 4)
        # the targets are this chunk's scratch (stubborn sets' may be kept: copied)
        return len(src) + left, keyed_unique(dst, own=self.por is None), hit, 4 * dst.nbytes

    def _account(self, scratch: int) -> None:
        used = self.visited.nbytes + scratch + (self.marks.nbytes if self.marks else 0)
        self.peak = max(self.peak, used)
        if self.max_memory is not None and used > self.max_memory:
            raise LimitExceeded(
                f"memory limit reached: {used} bytes > {self.max_memory} after "
                f"{len(self.visited)} states, {self.visited.depth} BFS levels",
                states=len(self.visited), transitions=self.transitions,
                hint="raise --max-memory, or reduce the model")

    def _report(self) -> None:
        n = len(self.visited)
        if self.max_states is not None and n > self.max_states:
            raise LimitExceeded(
                f"state limit reached: more than {self.max_states} states "
                f"({n} found in {self.visited.depth} BFS levels, {self.transitions} transitions)",
                states=n, transitions=self.transitions,
                hint="raise --max-states, or make data types smaller")
        if self.progress is not None:
            secs = max(time.perf_counter() - self.start, 1e-9)
            self.progress(Progress(n, self.visited.depth, n / secs, self.visited.nbytes))

    def path_to(self, code: int) -> list[str]:
        """Labels of a shortest path from the initial state to ``code`` (through the
        least predecessor code at each step): :func:`procalg.lts.level_paths.path_to`."""
        return level_paths.path_to(self, code)

    def _levels(self, low: int, high: int) -> dict[int, np.ndarray]:
        """The codes of levels ``low`` to ``high`` - 1, each level's sorted."""
        return level_paths.levels(self, low, high)

    def result(self, found: bool, path: list[str] | tuple[str, ...] = (),
               cycle: tuple[str, ...] | None = None, notes: tuple[str, ...] = ()
               ) -> SearchResult:
        return SearchResult(found, tuple(path), cycle, len(self.visited), self.transitions,
                            self.visited.depth + 1, time.perf_counter() - self.start,
                            self.peak, (*self.tables.network.notes, *self.tables.notes(),
                                        *notes))
