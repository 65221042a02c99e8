"""Folding a lazy rule group into one eager joint table once its leaves stop growing.

A :class:`~procalg.lts.lazy_tables.LazyGroup` reads its lazy components'
growing move tables: binary searches and run bookkeeping on every level.
A lazy leaf usually stops growing long before the search ends (swp's
receiver reaches some 2,250 local states, then the product runs hundreds
of levels more). :class:`Folding` then builds the eager tables' kind of
table for the group: for every joint local state numbered so far, every
move, as (code delta, label), so later levels take
:func:`~procalg.lts.firing.fire_factors`' one-gather path, as FDR's
supercombinators do over compiled leaves (Gibson-Robinson et al., "FDR3",
TACAS 2014).

Exactness: the table is the lazy path's own moves from every joint state,
so it is right while the lazy components' :attr:`~procalg.lts.lazy.LazyComponent.stamp`
stays (the search expands them, and asks for deferred moves, before each
level, so a frontier's moves are in their tables before it is fired); any
change (a new local state, a state asked for more) drops the table until
the leaves are calm again.

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    >>> lazy = LazyComponent(ExplicitSystem(p), {"a"})
    >>> t = Tables(close(parallel(component(p), component(lazy), {"a"})))
    >>> (group,) = [g for g in t.forward if g.folding.comps == (0, 1)]  # the a rule
    >>> group.folding.table(t.layout) is None  # not explored, so not calm yet
    True
    >>> codes = np.array([t.initial])
    >>> for _ in range(4):  # levels: the leaf is explored, then calm
    ...     _ = t.expand(codes)
    ...     codes = np.union1d(codes, t.successors(codes)[1])
    >>> group.folding.fired = 1 << 20  # as if the lazy tables had fired that many codes
    >>> table = group.folding.table(t.layout)
    >>> table.offsets.tolist(), table.deterministic  # one move from each joint state
    ([0, 1, 2, 3, 4], True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from procalg.lts.codes import Layout
from procalg.lts.factor_tables import TableFactor, table_of_arrays
from procalg.lts.lazy import LazyComponent

FOLD_CALM = 2
"""Levels without a new local state or move before a lazy group is folded."""
FOLD_LIMIT = 1 << 18
"""Largest joint local space (states numbered so far) a lazy group is folded over."""
FOLD_PAYBACK = 1
"""A group is folded once it has fired, since its last fold, at least
1/``FOLD_PAYBACK`` of its joint space's size in codes through its lazy tables
(a fold costs about one firing of the whole joint space: a leaf that keeps
growing now and then is folded at most once per that much work)."""

Fire = Callable[[np.ndarray, dict[int, np.ndarray], Layout],
                tuple[np.ndarray, np.ndarray, np.ndarray]]


class Folding:
    """One forward lazy group's folded table, kept while its lazy leaves are calm.

    Args:
        comps: the group's sorted components.
        parts: their components (lazy or eager), in that order.
        fire: the group's lazy-path firing (codes, local states, layout).
    """

    def __init__(self, comps: tuple[int, ...], parts: Sequence[object], fire: Fire) -> None:
        self.comps = comps
        self.parts = list(parts)
        self.lazy = [p for p in parts if isinstance(p, LazyComponent)]
        self.fire = fire
        self.fired = 0  # codes fired through the lazy tables since the last fold
        self._fold: tuple[Layout, tuple, TableFactor] | None = None

    def table(self, layout: Layout) -> TableFactor | None:
        """The folded table for ``layout``, if the leaves are calm and it pays;
        None while they grow, or past ``FOLD_LIMIT``."""
        stamp = tuple(c.stamp for c in self.lazy)
        fold = self._fold
        if fold is not None and fold[0] is layout and fold[1] == stamp:
            return fold[2]
        if any(c.calm < FOLD_CALM for c in self.lazy):
            return None
        sizes = [part.num_states for part in self.parts]  # type: ignore[attr-defined]
        size = math.prod(sizes)
        if size > FOLD_LIMIT or self.fired < size // FOLD_PAYBACK:
            return None
        table = self._folding(layout, sizes)
        self._fold = (layout, stamp, table)  # one assignment: other threads see old or new
        self.fired = 0  # the next fold must pay for itself again
        return table

    def _folding(self, layout: Layout, sizes: list[int]) -> TableFactor:
        """The joint table of the group's moves from every local state numbered
        so far (``sizes`` per component; joint index weights from them, not
        from the digits: a lazy digit's headroom would only add empty rows)."""
        comps = self.comps
        weights = tuple(math.prod(sizes[:i]) for i in range(len(comps)))
        grid = np.indices(sizes, dtype=np.int64).reshape(len(comps), -1)
        locs = {c: grid[i] for i, c in enumerate(comps)}
        joint = np.zeros(grid.shape[1], dtype=np.int64)
        codes = layout.keys([0] * grid.shape[1]) if layout.words else \
            np.zeros(grid.shape[1], dtype=np.int64)
        for i, c in enumerate(comps):
            joint += grid[i] * weights[i]
            codes = layout.moved(codes, layout.shifted(c, grid[i]))
        src, dst, label = self.fire(codes, locs, layout)
        return table_of_arrays(joint[src], _minus(layout, dst, codes[src]),
                               label.astype(np.int64), math.prod(sizes), comps, weights)


def _minus(layout: Layout, dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    """The deltas taking ``src`` codes to ``dst`` (per-word rows of keys:
    no field leaves its word, so each word's difference is exact)."""
    if not layout.words:
        return dst - src
    def words(keys: np.ndarray) -> np.ndarray:
        return keys.view(">u8").reshape(len(keys), layout.words).astype(np.uint64)
    return (words(dst) - words(src)).view(np.int64)
