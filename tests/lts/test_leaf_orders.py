"""The orders a lazy leaf's fired moves take, and the keys whose templates cannot keep them.

:class:`~procalg.lts.leaf_partners.PartneredLeaf` replays one fired state's
moves for every state with its key; a level of one state must get the moves
of :meth:`~procalg.lts.vectors.Tables.successors` in their order, before and
after the leaf's lazy group is folded (:mod:`procalg.lts.lazy_fold`).
"""

from __future__ import annotations

import numpy as np

from procalg.lts import leaf_orders
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_tables import LazyGroup
from procalg.lts.leaf_partners import PartneredLeaf
from procalg.lts.lts import LTS, TAU
from procalg.lts.network import close, component, parallel
from procalg.lts.product import searcher


def test_a_label_pairing_several_leaf_moves_with_several_partner_moves_is_left_to_numpy():
    # hypothesis found it: leaf moves c -> n+1, c -> n+2 beside a partner with two c moves
    # fire leaf-major when the leaf drives the lazy group (or a folded table fires
    # them) and partner-major when the partner does: no template keeps that order
    line = LTS.build(600, 0, ["c"], [(i, "c", i + k) for i in range(598) for k in (1, 2)])
    beat = LTS.build(2, 0, ["c"], [(0, "c", 0), (0, "c", 1), (1, "c", 0), (1, "c", 1)])
    lazy = LazyComponent(ExplicitSystem(line), {"c"})
    search = searcher(close(parallel(component(lazy), component(beat), {"c"})))
    search.run()
    walk = PartneredLeaf.of(search.tables)
    walk.marks = search.marks
    stride, weight, radix = walk._fit()
    code = 7 * stride + 1  # leaf 7 (two c moves), partner 1 (two c moves)
    scratch = memoryview(bytearray(len(search.marks.seen)))  # marks of no search
    assert walk._level([code], stride, weight, radix, scratch) is None  # numpy's turn
    assert not any(scratch)  # nothing marked
    assert walk.templates[(1, walk.local[7][1])] is None
    assert leaf_orders.crossed([(3, 0, 0, 0), (3, 0, 1, 1), (3, 1, 0, 0), (3, 1, 1, 1)])


def _walked_then_folded(ahead: str, back: str) -> tuple[PartneredLeaf, object, list[int]]:
    """A leaf chain whose state i moves ``ahead`` to i + 1 and ``back`` to i - 1,
    beside a one-state partner it shares nothing with, searched (the walk makes
    its templates from the lazy tables), then its lazy group folded: the walk,
    the tables and every reached code."""
    moves = [(i, ahead, i + 1) for i in range(299)] + [(i, back, i - 1) for i in range(1, 300)]
    line = LTS.build(300, 0, ["a"], moves)
    beat = LTS.build(1, 0, ["b"], [(0, "b", 0)])
    lazy = LazyComponent(ExplicitSystem(line), {"a"})
    search = searcher(close(parallel(component(lazy), component(beat), set())))
    search.run()
    levels = search._levels(0, search.visited.depth + 1)
    codes = [c for k in sorted(levels) for c in levels[k].tolist()]
    for _ in range(2):  # levels with no new leaf state: calm
        search.tables.expand(np.array(codes))
    (group,) = [g for g in search.tables.forward if isinstance(g, LazyGroup)]
    group.folding.fired = 1 << 20  # as if numpy had fired the leaf's levels that often
    assert group.folding.table(search.tables.layout) is not None  # folded from here on
    walk = PartneredLeaf.of(search.tables)
    walk.marks = search.marks
    return walk, search.tables, codes


def _replayed_and_fired(walk: PartneredLeaf, tables, codes: list[int]) -> list[tuple]:
    """Each code the walk takes: its template's moves and the folded tables' own."""
    out = []
    for code in codes:
        moves = walk._level([code], *walk._fit(), memoryview(bytearray(len(walk.marks.seen))))
        if moves is not None:
            _, dst, lab = tables.successors(np.array([code]))
            out.append((moves[0][0], list(zip(lab.tolist(), dst.tolist(), strict=True))))
    return out


def test_a_key_listed_by_label_unfolded_and_by_target_folded_is_left_to_numpy():
    # hypothesis found it (a 914-state leaf): τ to i + 1 ranks first by label in the
    # leaf's lazy table, a to i - 1 first by target in the folded one; a template
    # fired before the fold listed τ first where successors lists a first after it
    walk, tables, codes = _walked_then_folded(TAU, "a")
    pairs = _replayed_and_fired(walk, tables, codes)
    assert all(replayed == fired for replayed, fired in pairs)
    assert len(pairs) == 2  # the chain's ends (one move each); its two-move key is numpy's


def test_a_key_whose_label_and_target_orders_agree_keeps_its_template_across_the_fold():
    walk, tables, codes = _walked_then_folded("a", TAU)  # τ back to i - 1 ranks first both ways
    pairs = _replayed_and_fired(walk, tables, codes)
    assert len(pairs) == len(codes)  # all walked
    assert all(replayed == fired for replayed, fired in pairs)
