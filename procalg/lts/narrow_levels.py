"""Deep, narrow searches: many small BFS levels expanded in one batch.

A deep, narrow space (an odometer: 65,506 levels of 73 states) spends its
time in the fixed cost of a level, some 40 numpy calls, not in its states.
:func:`marked_batch` cuts a level to about 25 calls: the visited states of
a small code space are one byte each in :class:`Marks`, indexed by the
dense mixed-radix number of the state's local states, so "is this state
new" is one gather and one compare, exact at every level, and nothing is
searched or merged until the batch's levels go into the visited set
together. Where the space is too large for a byte per code,
:func:`delayed_batch` asks the visited set only every few levels (delayed
duplicate detection, Korf, "Linear-time disk-based implicit graph
search", JACM 2008). Both leave exactly the BFS levels of a one-level-at-
a-time search, so counterexamples stay shortest.

Example:
    >>> from procalg.lts.codes import Layout
    >>> marks = Marks(Layout.choose([3, 3], order=[0, 1]))  # codes: two 2-bit fields
    >>> marks.size, marks.index(np.array([0, 1, 4, 9])).tolist()  # digits (1,0) (0,1) (1,2)
    (9, [0, 1, 3, 7])
    >>> marks.claim(np.array([1, 4])).tolist(), marks.claim(np.array([4, 9])).tolist()
    ([1, 4], [9])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.lts.codes import Layout
from procalg.lts.visited import Visited, sorted_unique

if TYPE_CHECKING:  # level_search imports this module
    from procalg.lts.lazy import LazyComponent
    from procalg.lts.level_search import LevelSearch, Stop

MARK_LIMIT = 1 << 26
"""Largest dense code space given a byte per code (64 MB, allocated lazily
by the OS: only the pages the reached states fall in are touched)."""
MARK_DEPTH = 64
"""A search gets marks once it is this many levels deep: a shallow search
(a few narrow levels, then wide ones) never pays for them."""

PART_BITS = 16
"""Widest slice of a code read through one table by :meth:`Marks.index`."""
FIELD_BITS = 20
"""Widest field marks take (a slice of its own, its table 4 MB at most): a lazy
leaf's digit passes 16 bits once it has numbered 2^16 states."""
STEPS = 1 << 14  # most levels in one marked batch
BATCH = 1 << 17  # most states in one marked batch (each batch is a run merged into the
# visited set: larger ones merge less often but hold more scratch memory)
_STEPS = 64  # most levels in one delayed batch
CHECK = 6  # levels between two looks at the visited set in a delayed batch
_BATCH = 1 << 15  # most states in one delayed batch


class Marks:
    """A byte per code of a small space: nonzero for the states seen so far.

    A state's byte is at its dense mixed-radix number (digit ``c`` weighted
    by the product of the radices below it); with bit-field codes that
    number is read off the fields, so the array is the product of the
    radices long, not 2^bits (3^14 states: 4.8 MB, not 268 MB).
    """

    def __init__(self, layout: Layout) -> None:
        self.packed = layout.packed
        self.size = math.prod(layout.radix)
        self.seen = np.zeros(self.size, dtype=np.uint8)
        self._parts: list[tuple[int, int, np.ndarray]] = []
        if self.packed:
            self._parts = _parts(layout)

    @staticmethod
    def fit(layout: Layout, max_memory: int | None = None) -> bool:
        """Whether ``layout``'s codes are int64 and their dense space small
        enough for marks (and a quarter of ``max_memory`` at most)."""
        if layout.wide:
            return False
        size = math.prod(layout.radix)
        widest = max((max(1, (r - 1).bit_length()) for r in layout.radix), default=0)
        return (size <= MARK_LIMIT and widest <= FIELD_BITS
                and (max_memory is None or 4 * size <= max_memory))

    @property
    def nbytes(self) -> int:
        return self.seen.nbytes

    def index(self, codes: np.ndarray) -> np.ndarray:
        """The dense number of each code (the code itself with mixed-radix codes)."""
        if not self.packed:
            return codes
        # a table per slice of fields: about five numpy calls, where the
        # digits' matrix and a product with the weights took three times longer;
        # the top slice needs no mask (codes are below 2^bits)
        parts = self._parts
        if len(parts) == 1:
            return parts[0][2].take(codes)
        out = parts[0][2].take(codes & parts[0][1])
        for shift, mask, table in parts[1:-1]:
            out += table.take((codes >> shift) & mask)
        out += parts[-1][2].take(codes >> parts[-1][0])
        return out

    def add(self, codes: np.ndarray) -> None:
        """Mark ``codes`` (any number, in slices: the digit matrix stays small)."""
        for lo in range(0, len(codes), 1 << 16):
            self.seen[self.index(codes[lo: lo + (1 << 16)])] = 1

    def claim(self, codes: np.ndarray) -> np.ndarray:
        """The distinct ``codes`` not marked yet, which are marked now."""
        at = self.index(codes)
        new = self.seen.take(at) == 0
        self.seen[at[new]] = 1
        return codes[new]

    @classmethod
    def of(cls, layout: Layout, visited: Visited) -> Marks:
        """Marks holding every state of ``visited`` (int64 codes)."""
        marks = cls(layout)
        for run in visited.runs:
            marks.add(run.plain_codes())
        marks.add(visited.frontier)
        return marks


def _parts(layout: Layout, width: int = PART_BITS) -> list[tuple[int, int, np.ndarray]]:
    """Slices of at most ``width`` bits, each a whole number of bit fields
    (a wider field is a slice of its own), with the dense number each
    slice's value contributes: (shift, mask, table)."""
    fields = [(c, layout.stride[c].bit_length() - 1, max(1, (layout.radix[c] - 1).bit_length()))
              for c in layout.order]  # bit fields, least significant first
    slices: list[list[tuple[int, int, int]]] = [[]]
    for field in fields:
        used = sum(w for _, _, w in slices[-1])
        if slices[-1] and used + field[2] > width:
            slices.append([])
        slices[-1].append(field)
    parts, weight = [], 1
    for piece in slices:
        low = piece[0][1]
        bits = sum(w for _, _, w in piece)
        value = np.arange(1 << bits, dtype=np.int64)
        table = np.zeros(1 << bits, dtype=np.int32)  # the space is under 2^31
        for c, shift, w in piece:
            digit = (value >> (shift - low)) & ((1 << w) - 1)
            table += np.minimum(digit, layout.radix[c] - 1) * weight  # past the radix: unused
            weight *= layout.radix[c]
        parts.append((low, (1 << bits) - 1, table))
    return parts


def marked_batch(search: LevelSearch, marks: Marks, frontier: np.ndarray,
                 stop: Stop | None, back: int = 0) -> tuple[int, str] | None:
    """Expand small levels one after the other, each cut to its new states
    by ``marks``, and hand them to the visited set at the end.

    Each level is exact when made (the states one step from the last level,
    marked nowhere), so ``stop`` sees the BFS levels in order and its first
    witness is at the least depth. A batch ends past ``search.narrow``
    states in a level, ``STEPS`` levels, or ``BATCH`` states (or just past
    the state limit), or at a level of at most ``back`` states (a walk in
    Python takes those: :mod:`procalg.lts.leaf_partners`).
    """
    tables, visited = search.tables, search.visited
    levels = [frontier]  # level depth+i
    cur, hit, size, lazy = frontier, None, 0, bool(tables.lazy)
    room, narrow = BATCH, search.narrow  # fixed while codes stay int64 (a wide recode returns)
    if search.max_states is not None:  # stop just past the limit, as level by level
        room = min(room, search.max_states - len(visited))
    for _ in range(STEPS):
        if lazy and len(levels) > 1:  # the search loop explored the first level's leaves
            recode = tables.expand(cur)
            if recode is not None:  # a leaf outgrew its digits: store, re-encode, go on
                store(visited, levels)
                marks = search.recode(recode)  # type: ignore[assignment]
                cur = visited.frontier
                levels = [cur]
                if marks is None or tables.layout.wide:
                    return None
        src, dst, lab = tables.successors(cur)
        search.transitions += len(src)
        # a tiny level's moves, for the trace (not fired again: level_trail)
        search.trail.keep(tables.layout, visited.depth + len(levels) - 1, cur, src, dst, lab)
        if stop is not None and (hit := stop(cur, src, dst, lab)) is not None:
            break
        cur = marks.claim(sorted_unique(dst))
        levels.append(cur)
        size += len(cur)
        if len(cur) <= back or len(cur) > narrow or size > room:
            break
    store(visited, levels)
    return hit


def store(visited: Visited, levels: list[np.ndarray]) -> None:
    """Give ``visited`` the levels after ``levels[0]`` (its frontier)."""
    if len(levels) < 2:
        return
    rest = levels[1:]
    store_codes(visited, np.concatenate(rest), np.repeat(
        np.arange(1, len(levels), dtype=np.int64), [len(x) for x in rest]), len(levels) - 1)


def store_lists(visited: Visited, codes: list[int], sizes: list[int]) -> None:
    """:func:`store_codes` of levels walked in Python: ``codes`` level after level,
    ``sizes[i]`` of them in level ``i + 1`` (none stored if ``sizes`` is empty)."""
    if sizes:
        count = len(sizes)
        store_codes(visited, np.array(codes, dtype=np.int64),
                    np.repeat(np.arange(1, count + 1, dtype=np.int64), sizes), count)


def store_codes(visited: Visited, codes: np.ndarray, steps: np.ndarray, count: int) -> None:
    """Give ``visited`` ``count`` new levels: ``codes`` (int64) with the level of
    each, ``steps`` (1 to ``count``, counted from the frontier's)."""
    depth, shift = visited.depth, (count + 1).bit_length()
    top = int(codes.max()) if len(codes) else 0
    if top.bit_length() + shift <= 62:
        # one sort of (code, level) keys: faster than an argsort and two gathers
        keys = (codes << shift) | steps
        keys.sort()
        codes, steps = keys >> shift, keys & ((1 << shift) - 1)
    else:
        order = codes.argsort()
        codes, steps = codes[order], steps[order]
    visited.add_levels(codes, steps + depth, depth + count)


def delayed_batch(search: LevelSearch, frontier: np.ndarray, stop: Stop | None
                  ) -> tuple[int, str] | None:
    """Expand several small levels in one batch, looking at the visited
    set every ``search.check`` levels only.

    Level k+j+1 is the distinct successors of level k+j, and every few
    levels (and at the end) the new levels lose what the visited set or the
    batch's older levels hold: delayed duplicate detection. A state taken
    for new although it was seen before costs a useless expansion until
    that check, but no wrong level: each level holds every state of that
    BFS level (reachable in that many steps, seen nowhere before), and what
    an old state leads to was seen one level after its first sighting, so
    the checks leave exactly the BFS levels. ``stop`` sees every level in
    order and never fires on an old state (it would have ended the search
    when that state was first expanded), so a witness is at the least
    depth. When most states of a check were old, the next checks come
    every level until few are.
    """
    levels = [frontier]  # level depth+i
    degrees: list[np.ndarray] = []  # moves of each state of levels[i]
    checked, cur, hit, size = 1, frontier, None, 0
    seen = frontier  # sorted, distinct: every state of levels[:checked]
    for _ in range(_STEPS):
        src, dst, lab = search.tables.successors(cur)
        degrees.append(np.bincount(src, minlength=len(cur)))
        if stop is not None and (hit := stop(cur, src, dst, lab)) is not None:
            break
        cur = sorted_unique(dst)
        levels.append(cur)
        size += len(cur)
        if len(levels) - checked >= search.check:
            seen = _prune(search, levels, degrees, checked, seen)
            cur, checked = levels[-1], len(levels)
        if not len(cur) or len(cur) > search.narrow or size > _BATCH:
            break
    _prune(search, levels, degrees, checked, seen)
    while len(levels) > 2 and not len(levels[-2]):  # old states only, past the last
        levels.pop()
    search.transitions += sum(int(d.sum()) for d in degrees)
    store(search.visited, levels)
    return hit


def _prune(search: LevelSearch, levels: list[np.ndarray], degrees: list[np.ndarray],
           checked: int, seen: np.ndarray) -> np.ndarray:
    """Drop from ``levels[checked:]`` (and their moves from ``degrees``)
    the states visited before or in an older level of the batch.

    ``seen`` holds the batch's older levels, sorted and distinct; returns
    it with ``levels[checked:]`` added. One stable sort of ``seen``
    followed by the window finds both kinds of repeat at once: equal
    codes sort in level order, so a code equal to its predecessor is in
    ``seen`` or in an earlier level of the window.
    """
    window = np.concatenate(levels[checked:]) if checked < len(levels) else seen[:0]
    if not len(window):
        return seen
    both = np.concatenate((seen, window))
    order = np.argsort(both, kind="stable")
    ranked = both.take(order)
    repeat = np.empty(len(both), dtype=bool)
    repeat[0] = False
    np.equal(ranked[1:], ranked[:-1], out=repeat[1:])
    again = np.empty(len(both), dtype=bool)
    again[order] = repeat
    fresh = search.visited.fresh(window) & ~again[len(seen):]
    # mostly old states (say every state can go back to the start):
    # their useless expansions would cost more than looking every level
    old = len(window) - int(np.count_nonzero(fresh))
    search.check = 1 if 2 * old > len(window) else min(CHECK, search.check + 1)
    if old:
        at = 0
        for i in range(checked, len(levels)):
            keep = fresh[at: at + len(levels[i])]
            at += len(levels[i])
            levels[i] = levels[i][keep]
            if i < len(degrees):
                degrees[i] = degrees[i][keep]
    return ranked[~repeat]


def level_arrays(cur: list[int], out: Sequence[Sequence[tuple[int, int]]]
                 ) -> tuple[np.ndarray, ...]:
    """A level and its moves as a goal sees them: (chunk, src, dst, label).

    Example:
        >>> [a.tolist() for a in level_arrays([7, 9], [[(1, 8)], []])]
        [[7, 9], [0], [8], [1]]
    """
    src = [i for i, moves in enumerate(out) for _ in moves]
    dst = [d for moves in out for _, d in moves]
    lab = [g for moves in out for g, _ in moves]
    return (np.array(cur, dtype=np.int64), np.array(src, dtype=np.int64),
            np.array(dst, dtype=np.int64), np.array(lab, dtype=np.int32))


def ask_goal(comp: LazyComponent, stop: Stop, lists: Callable[..., Any] | None,
             cur: list[int], out: Sequence[Sequence[tuple[int, int]]]) -> Any:
    """A lazy leaf's Python walk puts a level to its goal: by ``lists`` where the
    goal reads the walk's own lists (no table read, no arrays:
    :func:`~procalg.lts.leaf_levels.only_when`), else by ``stop`` over the
    level's arrays, the leaf's table written first (the goal may read dead states)."""
    if lists is not None:
        return lists(cur, out)
    comp.flush()
    comp.hold()
    return stop(*level_arrays(cur, out))  # type: ignore[misc]
