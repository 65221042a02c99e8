"""Lazy rule groups folded into eager joint tables once their leaves stop growing.

A folded group must fire exactly what the lazy tables would: the tests force
folding at every level (no calm levels, no payback) and compare with whole
leaves, for plain and asking lazy leaves, and check that a leaf that grows
again after a fold is unfolded, explored further and folded again.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from procalg.checks.deadlock import deadlock_goal
from procalg.lts import LTS, explore, lazy_fold
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import close, component, parallel
from procalg.lts.product import explore_product, find_path
from tests.lts.test_lazy import _pair, mixes
from tests.lts.test_lazy_asks import _eager, _mixed, flags
from tests.lts.test_product import Tree, _bisimilar, _replay, trees


def _always_fold(patch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """Fold every lazy group at every level; returns the list of folded groups."""
    patch.setattr(lazy_fold, "FOLD_CALM", 0)
    patch.setattr(lazy_fold, "FOLD_PAYBACK", 1 << 62)  # no work needed first
    folds: list[tuple[int, ...]] = []
    folding = lazy_fold.Folding._folding

    def spy(group, layout, sizes):
        folds.append(group.comps)
        return folding(group, layout, sizes)

    patch.setattr(lazy_fold.Folding, "_folding", spy)
    return folds


@settings(max_examples=120, deadline=None)
@given(trees(), mixes)
def test_folded_lazy_groups_give_the_same_product_and_shortest_deadlock(tree, mix):
    eager, lazy = _pair(tree, mix=mix)
    with pytest.MonkeyPatch.context() as patch:
        _always_fold(patch)
        a, b = explore_product(eager), explore_product(lazy)
        assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
        assert _bisimilar(a, b)
        eager, lazy = _pair(tree, mix=mix)  # fresh leaves: nothing explored yet
        found, path = find_path(eager, deadlock_goal), find_path(lazy, deadlock_goal)
    assert path.found == found.found
    if path.found:
        reference = explore(Tree(tree))
        assert len(path.path) == len(found.path)
        assert set(_replay(reference, path.path)) & set(reference.deadlocks())


@settings(max_examples=120, deadline=None)
@given(trees(), flags)
def test_folded_groups_of_asking_leaves_give_the_same_product(tree, mix):
    with pytest.MonkeyPatch.context() as patch:
        _always_fold(patch)
        a = explore_product(_eager(tree))
        b = explore_product(close(_mixed(tree, list(mix))))
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
    assert _bisimilar(a, b)


def _slow_counter(steps: int, ring: int) -> tuple[LTS, LTS]:
    """A counter of ``steps`` ``x`` moves, and a ring of ``ring`` ``t`` moves that
    must go round once before each ``x``: the counter gains a local state
    every ``ring + 1`` levels and is calm in between."""
    counter = LTS.build(steps + 1, 0, ["x"], [(i, "x", i + 1) for i in range(steps)])
    edges = [(i, "t", i + 1) for i in range(ring)] + [(ring, "x", 0)]
    return counter, LTS.build(ring + 1, 0, ["t", "x"], edges)


def test_a_lazy_leaf_that_grows_after_a_fold_is_unfolded_and_every_state_kept():
    counter, ring = _slow_counter(12, 4)
    eager = close(parallel(component(ring), component(counter), {"x"}))
    lazy_counter = LazyComponent(ExplicitSystem(counter), {"x"})
    lazy = close(parallel(component(ring), component(lazy_counter), {"x"}))
    with pytest.MonkeyPatch.context() as patch:
        folds = _always_fold(patch)
        patch.setattr(lazy_fold, "FOLD_CALM", 2)  # calm only between the x moves
        a, b = explore_product(eager), explore_product(lazy)
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions) == (65, 64)
    assert _bisimilar(a, b)
    assert len(folds) >= 10  # folded in every calm stretch, unfolded when it grew
    assert lazy_counter.num_states == 13


def test_a_fold_waits_until_the_lazy_tables_have_fired_its_size_in_codes():
    counter, ring = _slow_counter(12, 4)
    lazy = close(parallel(component(ring),
                          component(LazyComponent(ExplicitSystem(counter), {"x"})), {"x"}))
    paid: list[tuple[int, int]] = []
    folding = lazy_fold.Folding._folding

    def spy(group, layout, sizes):
        paid.append((group.fired, math.prod(sizes)))
        return folding(group, layout, sizes)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lazy_fold.Folding, "_folding", spy)
        patch.setattr(lazy_fold, "FOLD_CALM", 2)
        explore_product(lazy)
    assert paid  # a long calm stretch at the end pays for the small tables
    assert all(fired >= size for fired, size in paid)
