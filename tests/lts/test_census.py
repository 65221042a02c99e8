"""A census counts what the explored product holds, without building it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from procalg.lts import LTS, TICK
from procalg.lts.census import take_census
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import close, component, hide, parallel, rename
from procalg.lts.product import explore_product
from tests.lts.test_product import _force_wide, _network, _philosophers, trees


def _agrees(net) -> None:
    lts = explore_product(net)
    census = take_census(net, [TICK, "a"])
    assert (census.states, census.transitions) == (lts.num_states, lts.num_transitions)
    assert len(census.stuck) == int((lts.out_degree() == 0).sum())
    watched = np.isin(lts.label, [lts.labels.index(n) for n in (TICK, "a") if n in lts.labels])
    assert len(census.lab) == int(watched.sum())
    assert sorted(census.labels[k] for k in census.lab.tolist()) == sorted(
        lts.labels[k] for k in lts.label[watched].tolist())


@settings(max_examples=150, deadline=None)
@given(trees())
def test_a_census_counts_the_states_distinct_transitions_and_stuck_states_of_the_product(tree):
    _agrees(close(_network(tree)))


@settings(max_examples=30, deadline=None)
@given(trees())
def test_a_census_of_wide_codes_counts_what_the_product_holds(tree):
    with pytest.MonkeyPatch.context() as patch:
        _force_wide(patch)
        _agrees(close(_network(tree)))


def test_moves_two_rules_make_alike_are_one_transition() -> None:
    # a and b both hidden: two τ moves from each state to the same target
    p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (0, "b", 1), (1, "a", 0)])
    net = close(hide(component(p), {"a", "b"}))
    census = take_census(net, [])
    assert (census.states, census.transitions) == (2, 2)
    merged = close(rename(component(p), {("a", "c"), ("b", "c")}))
    assert take_census(merged, []).transitions == explore_product(merged).num_transitions == 2


def test_a_state_the_deep_narrow_search_expands_twice_is_counted_once() -> None:
    # a 40-state ring: its small levels are expanded in batches whose duplicate
    # detection is delayed, so the initial state comes round again before it is
    # known to be old
    ring = LTS.build(40, 0, ["a"], [(i, "a", (i + 1) % 40) for i in range(40)])
    census = take_census(close(component(ring)), ["a"])
    assert (census.states, census.transitions, len(census.lab)) == (40, 40, 40)
    assert len(census.stuck) == 0


def test_codes_kept_before_a_lazy_component_outgrew_its_digits_are_re_encoded() -> None:
    counter = LTS.build(300, 0, ["inc"], [(i, "inc", i + 1) for i in range(299)])
    other = LTS.build(3, 0, ["x"], [(0, "x", 1), (1, "x", 2), (2, "x", 0)])
    lazy = close(parallel(component(other),
                          component(LazyComponent(ExplicitSystem(counter), {"inc"})), set()))
    census = take_census(lazy, ["inc"])
    assert (census.states, census.transitions, len(census.lab)) == (900, 1797, 897)
    eager = explore_product(close(parallel(component(other), component(counter), set())))
    tops = eager.src[eager.label == eager.labels.index("inc")]
    assert len(np.unique(census.src)) == len(np.unique(tops)) == 897


def test_a_census_of_the_philosophers_finds_their_deadlock_among_the_stuck_states() -> None:
    census = take_census(_philosophers(4), [])
    lts = explore_product(_philosophers(4))
    assert (census.states, census.transitions) == (lts.num_states, lts.num_transitions)
    assert len(census.stuck) == 1
