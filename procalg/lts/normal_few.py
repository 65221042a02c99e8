"""A normal-form level of a few one-state nodes, built in plain Python.

Deep, narrow processes (a long chain whose last states a screen rejects:
a τ or two moves of one label near its end,
:mod:`procalg.lts.determinism_screen`) give the bulk normal form
(:mod:`procalg.lts.normal_product`) thousands of levels of one or two
one-state nodes, where numpy's fixed cost per call (some twenty calls a
level: grouping, hashing, sorting children) sets the pace. Such a level
needs none of it: a lone stable state clashes only if it can terminate
and do something else (Roscoe, *Understanding Concurrent Systems*, 2010,
sec. 10.5; as :func:`~procalg.lts.refusals.clashes` counts for a lone
member), and its children by each event are single states unless two
moves share the event or a target moves by τ -- then this module declines
and the numpy level runs, so every set is still τ-closed and hashed there.
One call reads the members' moves, one the targets' τ-moves; the rest is a
dictionary per level, so the level costs what the moves cost.

The outcome is the numpy level's: children numbered in the reference's
order (node, then event by name), the first fresh child kept when two
events lead to one state, a node's clash before its children's divergence.

Complexity: ``O(m log m)`` for the ``m`` moves of the level's members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.code_sets import sorted_in
from procalg.lts.determinism_codes import traced
from procalg.lts.lts import TAU_INDEX, TICK_INDEX
from procalg.lts.refusals import clash_event

if TYPE_CHECKING:
    from procalg.lts.determinism_codes import Determinism
    from procalg.lts.normal_product import NormalForm

FEW = 64
"""Members up to which a level of one-state nodes is built here."""

Level = tuple["Determinism | None", "tuple[np.ndarray, np.ndarray] | None"]


def few_level(build: NormalForm, node: np.ndarray, code: np.ndarray, level: int) -> Level | None:
    """The numpy level's outcome for a level of at most :data:`FEW` one-state
    nodes (``node`` is ``0 .. n-1``), or ``None`` (the numpy level runs)
    where a child would be a set of states.

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.normal_product import find_nondeterminism
        >>> chain = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (1, "✓", 0)])
        >>> found = find_nondeterminism(close(component(chain)))
        >>> found.kind, found.trace, found.event
        ('clash', ('a',), 'b')
    """
    if len(node) > FEW or node.tolist() != list(range(len(node))):
        return None
    src, dst, lab = build.moves(code)
    groups: dict[tuple[int, int], int] = {}  # (node, event rank) -> its one target
    rank = build.rank
    tick: set[int] = set()
    other: set[int] = set()
    for s, d, x in zip(src.tolist(), dst.tolist(), lab.tolist(), strict=True):
        if x == TAU_INDEX:
            return None  # a τ-move: its node is no lone stable state (numpy decides)
        if x == TICK_INDEX:
            tick.add(s)
            continue
        other.add(s)
        key = (s, int(rank[x]))
        if groups.setdefault(key, d) != d:
            return None  # two targets by one event: a set
    order = sorted(groups)
    targets = np.array([groups[k] for k in order], np.int64)
    if build.has_tau and len(targets) and _moving(build, targets):
        return None
    build.transitions += len(src)
    build.count(code, np.ones(len(code), bool))
    return _children(build, order, targets, level, code, min(tick & other, default=None))


def _moving(build: NormalForm, targets: np.ndarray) -> bool:
    """Whether some target has a τ-move to another state (its set would grow)."""
    tsrc, tdst, tlab = build.tau_moves(targets)
    return bool(((tlab == TAU_INDEX) & (tdst != targets[tsrc])).any())


def _children(build: NormalForm, order: list[tuple[int, int]], targets: np.ndarray, level: int,
              code: np.ndarray, clash: int | None) -> Level:
    """The fresh one-state children, in the reference's order, or the first
    failure: node ``clash``'s, or a fresh child's divergence under an earlier node."""
    first: dict[int, int] = {}  # target -> its first (least) position
    for at, t in enumerate(targets.tolist()):
        first.setdefault(t, at)
    keep = np.array(sorted(first.values()), np.int64)
    kept = targets[keep]
    fresh = ~build.keys.contains(np.sort(kept))[np.argsort(np.argsort(kept))]
    keep, kept = keep[fresh], kept[fresh]
    best = None if clash is None else (clash, -1)  # (node, -1: clash / event rank)
    if build.divergent is not None and len(kept):
        bad = np.flatnonzero(sorted_in(build.divergent, kept))
        if len(bad) and (best is None or order[int(keep[bad[0]])] < best):
            best = order[int(keep[bad[0]])]
    if best is not None:
        trace = traced(build.links, build.tables.labels, level, best[0])
        if best[1] < 0:
            return build.result("clash", trace=trace, event=clash_event(
                build.tables, code[best[0]:best[0] + 1])), None
        name = build.tables.labels[int(build.by_rank[best[1]])]
        return build.result("divergence", trace=(*trace, name)), None
    build.remember(np.sort(kept), np.zeros(0, np.int64))
    parents = np.array([order[i][0] for i in keep.tolist()], np.int32)
    events = np.array([order[i][1] for i in keep.tolist()], np.int64)
    build.links.append((parents, build.by_rank[events]))
    return None, (np.arange(len(kept), dtype=np.int64), kept)
