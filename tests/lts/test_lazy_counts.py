"""A wide channel beside a lazy counter: its trace rebuilt with no work per value.

``W = w?x -> W`` (one state, a self-loop per value) beside a lazy counter
``C(n) = w!(n % K) -> C(n + 1)`` has a rule per value. Rebuilding the
deadlock trace backwards (:mod:`procalg.lts.path_cones`) counts each cone
level's candidates (:class:`~procalg.lts.lazy_counts.IntoCounts`: every rule in
one look-up per component) and fires the reversed rules from the counter's one
move into each state (a lazy driver backward), not from ``W``'s K self-loops.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.lts import LTS, level_trail
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_counts import IntoCounts
from procalg.lts.lazy_tables import LazyGroup
from procalg.lts.network import close, component, parallel
from procalg.lts.product import find_path, searcher
from tests.lts.test_lazy import _pair, mixes
from tests.lts.test_product import trees


def _wide_beside_counter(values: int, length: int, lazy: bool = True):
    """``W`` over ``values`` labels beside a counter of ``length`` moves, synchronised on all."""
    labels = [f"w.{k}" for k in range(values)]
    wide = LTS.build(1, 0, labels, [(0, a, 0) for a in labels])
    chain = LTS.build(length + 1, 0, labels,
                      [(n, labels[n % values], n + 1) for n in range(length)])
    counter = LazyComponent(ExplicitSystem(chain), set(labels)) if lazy else chain
    return close(parallel(component(wide), component(counter), set(labels)))


def test_a_wide_channels_trace_is_rebuilt_with_look_ups_per_level_not_per_value(monkeypatch):
    monkeypatch.setattr(level_trail, "FEW", 0)  # no level kept: every cone level backwards
    calls = []
    for name in ("lookup", "run_at"):
        real = getattr(LazyComponent, name)

        def spy(self, *args, _real=real, **kwargs):
            calls.append(1)
            return _real(self, *args, **kwargs)
        monkeypatch.setattr(LazyComponent, name, spy)
    found = find_path(_wide_beside_counter(values=500, length=40), deadlock_goal)
    assert found.found and list(found.path) == [f"w.{n}" for n in range(40)]
    assert len(calls) < 40 * 20  # a look-up per rule and level made 40 × 1,000


def test_the_wide_channels_trace_is_the_one_over_whole_leaves(monkeypatch):
    monkeypatch.setattr(level_trail, "FEW", 0)
    want = find_path(_wide_beside_counter(7, 30, lazy=False), deadlock_goal)
    got = find_path(_wide_beside_counter(7, 30), deadlock_goal)
    assert got.found and got.path == want.path and len(got.path) == 30


def _rule_by_rule(search, group: LazyGroup, rules, locs: dict[int, np.ndarray]) -> list[float]:
    """The count as a sum over the rules of products over their parts, one at a time."""
    components = search.tables.network.components
    total = np.zeros(len(next(iter(locs.values()))))
    for rule in rules:
        product = np.ones(len(total))
        for c, name in rule.parts:
            comp = components[c]
            if isinstance(comp, LazyComponent):
                code = comp.code.get(name)
                product *= 0 if code is None else comp.lookup(code, locs[c], backward=True)[0]
            else:
                dst = search.tables.local_moves(c).get(name, ([], []))[1]
                product *= np.array([sum(d == loc for d in dst) for loc in locs[c].tolist()])
        total += product
    return total.tolist()


@settings(max_examples=100, deadline=None)
@given(trees(), mixes, st.integers(1, 3), st.sampled_from([0, 4, 10**9]))
def test_all_rules_counted_at_once_are_the_rules_counted_one_by_one(tree, mix, chunk, share):
    search = searcher(_pair(tree, mix=mix)[1])
    search.run()
    codes = search.visited.at_levels(0, search.visited.depth + 1)[0]
    checked = 0
    for group, rules in zip(search.tables.backward, search.tables.rules, strict=True):
        if not isinstance(group, LazyGroup) or group.into is None:
            continue
        locs = search.tables.layout.decode(codes, list(group.comps))
        with pytest.MonkeyPatch.context() as patch:  # a grid of `chunk` states at a time
            patch.setattr("procalg.lts.lazy_counts.CELLS", chunk * max(1, len(rules)))
            patch.setattr("procalg.lts.lazy_counts.DRIVEN_SHARE", share)  # 0: always driven
            patch.setattr("procalg.lts.lazy_counts.DRIVEN_CELLS", 0)
            got = group.into.count(locs).tolist()
        assert got == _rule_by_rule(search, group, rules, locs)
        checked += 1
    assert checked or not any(isinstance(g, LazyGroup) for g in search.tables.backward)


def test_rules_missing_a_part_in_some_component_are_counted_one_by_one():
    assert not IntoCounts.fits((0, 1), [type("R", (), {"parts": ((0, "a"),)})()])


def test_a_wide_channels_count_is_driven_by_the_counters_moves_not_a_grid_per_value(
        monkeypatch):
    monkeypatch.setattr(level_trail, "FEW", 0)
    search = searcher(_wide_beside_counter(values=20_000, length=30))
    search.run()
    groups = [g for g in search.tables.backward if isinstance(g, LazyGroup)]
    codes = search.visited.at_levels(0, search.visited.depth + 1)[0]
    total = np.zeros(len(codes))
    for group in groups:
        locs = search.tables.layout.decode(codes, list(group.comps))
        driven = group.into.driven(locs, len(codes) * 20_000 // len(groups))
        assert driven is not None
        with pytest.MonkeyPatch.context() as patch:  # a grid, one state at a time
            patch.setattr("procalg.lts.lazy_counts.CELLS", 1)
            patch.setattr("procalg.lts.lazy_counts.DRIVEN_SHARE", 10**9)
            assert group.into.count(locs).tolist() == driven.tolist()
        total += driven
    assert sorted(total.tolist()) == [0.0] + [1.0] * 30  # the counter's one move into each
