"""The bulk normal form against the lazy one (:class:`~procalg.lts.normal.NormalForm`).

Both are the subset construction over τ-closures; the bulk one must give
the same nodes (as sets of spec states), the same moves between them, the
same minimal acceptances and divergence, on random LTSs with τ, ✓ and
hidden labels. The ``normal`` compression built on it must be a normal
form of the same process: normalising it again gives the same nodes'
initials, acceptances and divergence along every trace (✓ ends a trace:
the compression lets ✓ lead anywhere, as nothing follows it).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import LimitExceeded
from procalg.lts import LTS
from procalg.lts import normal_table as normal_table_module
from procalg.lts.normal import NormalForm
from procalg.lts.normal_table import normal_lts, normal_table


@st.composite
def specs(draw, max_states: int = 7) -> LTS:
    n = draw(st.integers(1, max_states))
    state = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(state, st.sampled_from(["τ", "✓", "a", "b", "c"]), state),
                         max_size=3 * n))
    hidden = draw(st.sets(st.sampled_from(["c"]), max_size=1))
    return LTS.build(n, 0, ["a", "b", "c"], rows, hidden=hidden)


def _walk(lazy: NormalForm, other, same, after_tick: bool = True) -> int:
    """Walk both normal forms from their roots in step; ``same`` compares a
    pair of nodes (and ``after_tick``: their nodes after ✓ too). Returns how
    many nodes were visited."""
    seen, todo = {lazy.root: other.root}, [(lazy.root, other.root)]
    while todo:
        a, b = todo.pop()
        same(lazy.node(a), other.node(b))
        for event, target in lazy.afters(a).items():
            if event == "✓" and not after_tick:
                continue
            there = other.after(b, event)
            assert there is not None, f"the other normal form cannot do {event}"
            if target in seen:
                assert seen[target] == there
            else:
                seen[target] = there
                todo.append((target, there))
    return len(seen)


@contextmanager
def levels_built(small: int):
    """Levels of up to ``small`` pairs built in plain Python, the rest on arrays."""
    saved = normal_table_module.SMALL
    normal_table_module.SMALL = small
    try:
        yield
    finally:
        normal_table_module.SMALL = saved


@settings(max_examples=400, deadline=None)
@given(specs(), st.sampled_from([-1, 2, 1000]))
def test_the_bulk_normal_form_has_the_lazy_ones_nodes_and_moves(spec, small):
    with levels_built(small):
        lazy, table = NormalForm(spec), normal_table(spec)

        def same(a, b):
            assert a == b

        assert _walk(lazy, table, same) == len(table)


@settings(max_examples=300, deadline=None)
@given(specs(), st.sampled_from([-1, 1000]))
def test_the_normal_compression_normalises_to_the_same_nodes(spec, small):
    def same(a, b):
        assert (a.initials, a.acceptances, a.divergent) == (b.initials, b.acceptances,
                                                             b.divergent)

    with levels_built(small):
        _walk(NormalForm(spec), NormalForm(normal_lts(spec)), same, after_tick=False)


def test_both_ways_of_building_a_level_number_the_nodes_alike():
    spec = LTS.build(6, 0, ["a", "b"], [(0, "τ", 1), (0, "a", 2), (1, "b", 3), (2, "a", 4),
                                        (3, "a", 5), (3, "b", 4), (4, "τ", 5)])
    tables = []
    for small in (-1, 1000):
        with levels_built(small):
            t = normal_table(spec)
            tables.append((t.ptr.tolist(), t.members.tolist(), t.src.tolist(),
                           t.label.tolist(), t.dst.tolist()))
    assert tables[0] == tables[1]


def test_a_tau_cycle_makes_one_divergent_node_with_no_acceptance():
    spec = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "τ", 0), (1, "a", 2)])
    table = normal_table(spec)
    assert table.divergent().tolist() == [True, False]
    assert table.node(0).acceptances == () and table.node(0).initials == {"a"}


def test_events_not_followed_are_offered_but_lead_nowhere():
    spec = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    table = normal_table(spec, follow=["a"])
    assert len(table) == 2 and table.after(0, "b") is None
    assert table.node(0).initials == {"a", "b"}


def test_a_terminating_member_accepts_only_tick():
    spec = LTS.build(3, 0, ["a"], [(0, "τ", 1), (0, "τ", 2), (1, "✓", 1), (2, "a", 2)])
    assert [sorted(a) for a in normal_table(spec).node(0).acceptances] == [["a"], ["✓"]]


def test_the_node_limit_stops_the_construction():
    chain = LTS.build(5, 0, ["a"], [(i, "a", i + 1) for i in range(4)])
    with pytest.raises(LimitExceeded, match="more than 2 nodes"):
        normal_table(chain, max_nodes=2)


def test_the_normal_compression_of_an_internal_choice_has_a_stable_state_per_acceptance():
    spec = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 1), (2, "b", 2)])
    lts = normal_lts(spec)
    taus = [d for s, lab, d in lts.triples() if s == lts.initial and lab == "τ"]
    assert sorted(sorted(lab for s, lab, _ in lts.triples() if s == t) for t in taus) == [
        ["a"], ["b"]]


@contextmanager
def pairs_at_a_time(step: int):
    """τ-rounds and closures made ``step`` (set, member) pairs at a time."""
    saved = normal_table_module.STEP_PAIRS
    normal_table_module.STEP_PAIRS = step
    try:
        yield
    finally:
        normal_table_module.STEP_PAIRS = saved


@settings(max_examples=200, deadline=None)
@given(specs(), st.sampled_from([1, 2, 5]), st.sampled_from([-1, 1000]))
def test_a_normal_form_made_a_few_pairs_at_a_time_has_the_lazy_ones_nodes_and_moves(
        spec, step, small):
    with pairs_at_a_time(step), levels_built(small):
        lazy, table = NormalForm(spec), normal_table(spec)

        def same(a, b):
            assert a == b

        assert _walk(lazy, table, same) == len(table)


def test_pairs_made_a_slice_at_a_time_give_up_at_the_slice_that_passes_the_limit():
    keys, lo, counts = np.arange(4), np.zeros(4, np.int64), np.full(4, 2)
    targets = np.array([0, 1])
    with pairs_at_a_time(2):  # one key's 2 pairs a slice: the 2nd slice passes 3
        assert normal_table_module._joined(keys, lo, counts, targets, 2, 3) is None
        assert normal_table_module._joined(keys, lo, counts, targets, 2, 8).tolist() == list(
            range(8))
