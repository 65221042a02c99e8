"""Nested networks (lts/nested.py, lts/lazy_batch.py): a filtered network as one
component of another, whole or lazy, against the same network filtered at the top."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import LimitExceeded
from procalg.lts import LTS
from procalg.lts.lazy import LazyComponent
from procalg.lts.nested import NestedNetwork, _nested_lts_loop, nested_component, nested_lts
from procalg.lts.network import DONE, close, component, parallel
from procalg.lts.partition import Bisimulation, partition
from procalg.lts.priority import Preemption, prioritise
from procalg.lts.product import explore_product

LABELS = ["a", "b", "c"]


@st.composite
def _ltss(draw) -> LTS:
    n = draw(st.integers(1, 4))
    moves = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(["τ", *LABELS]),
                                    st.integers(0, n - 1)), max_size=8))
    return LTS.build(n, 0, LABELS, moves)


def _same(a: LTS, b: LTS) -> bool:
    labels = sorted(set(a.labels[2:]) | set(b.labels[2:]))
    triples = list(a.triples()) + [(s + a.num_states, x, d + a.num_states)
                                   for s, x, d in b.triples()]
    blocks = partition(LTS.build(a.num_states + b.num_states, 0, labels, triples),
                       Bisimulation.STRONG)
    return bool(blocks[a.initial] == blocks[a.num_states + b.initial])


@settings(max_examples=100, deadline=None)
@given(_ltss(), _ltss(), st.dictionaries(st.sampled_from(LABELS), st.integers(0, 2)))
def test_a_nested_prioritised_network_is_the_network_prioritised_at_the_top(p, q, ranks):
    inner = close(parallel(component(p), component(q), {"a"}))
    top = explore_product(close(prioritise(parallel(component(p), component(q), {"a"}),
                                           ranks)))
    assert _same(nested_lts(NestedNetwork(inner, Preemption.ranks(ranks))), top)


@settings(max_examples=100, deadline=None)
@given(_ltss(), _ltss(), _ltss(), st.dictionaries(st.sampled_from(LABELS), st.integers(0, 2)))
def test_a_lazy_nested_component_gives_the_product_of_the_whole_one(p, q, r, ranks):
    system = NestedNetwork(close(parallel(component(p), component(q), {"a"})),
                           Preemption.ranks(ranks))
    lazy = LazyComponent(system, system.labels)
    whole = explore_product(close(parallel(component(nested_lts(system)), component(r),
                                           {"b"})))
    product = explore_product(close(parallel(component(lazy), component(r), {"b"})))
    assert _same(product, whole)
    assert (product.num_states, product.num_transitions) == (whole.num_states,
                                                             whole.num_transitions)


def test_a_terminating_nested_network_enters_its_omega_and_keeps_its_done_loop():
    p = LTS.build(2, 0, [], [(0, "✓", 1)])
    system = NestedNetwork(close(parallel(component(p), component(p), set())), None)
    lazy = LazyComponent(system, system.labels)
    while lazy.expand(np.arange(lazy.num_states)):
        pass
    omega = [i for i, s in enumerate(lazy.states) if repr(s) == "Ω"]
    assert len(omega) == 1  # the inner ✓ target is never a state of its own
    src, dst = lazy.entries(False)
    loops = [lazy.labels[c] for s, d, c in zip(src.tolist(), dst.tolist(), lazy.entry_labels(
        np.arange(len(src)), False).tolist(), strict=True) if s == omega[0]]
    assert loops == [DONE]


def test_a_big_nested_network_becomes_lazy_where_it_may_and_whole_where_it_must():
    counter = LTS.build(3000, 0, ["a"], [(i, "a", i + 1) for i in range(2999)])
    system = NestedNetwork(close(component(counter)), None)
    lazy, how = nested_component(system, lazy=True, max_states=None, lazy_limit=None, name="c")
    assert isinstance(lazy, LazyComponent) and "lazily" in how
    whole, how = nested_component(system, lazy=False, max_states=None, lazy_limit=None,
                                  name="c")
    assert isinstance(whole, LTS) and whole.num_states == 3000 and "whole" in how
    with pytest.raises(LimitExceeded):
        nested_component(system, lazy=False, max_states=100, lazy_limit=None, name="c")


@settings(max_examples=100, deadline=None)
@given(_ltss(), _ltss(), _ltss(), st.dictionaries(st.sampled_from(LABELS), st.integers(0, 2)))
def test_a_nested_network_explored_level_by_level_is_the_one_explored_a_move_at_a_time(
        p, q, r, ranks):
    inner = close(parallel(parallel(component(p), component(q), {"a"}), component(r), {"b"}))
    system = NestedNetwork(inner, Preemption.ranks(ranks))
    levels, moves = nested_lts(system), _nested_lts_loop(system, None)
    assert (levels.num_states, levels.num_transitions) == (moves.num_states,
                                                           moves.num_transitions)
    assert _same(levels, moves) and levels.initial == 0


def test_a_nested_network_over_the_leaf_cap_is_a_priority_scope_under_a_control_operator():
    from procalg.api import loads
    from procalg.lts.product import count_states

    # under a choice, 300 x 300 states: far over the 50,000 cap for term-level leaves
    # that once sent the whole check to the term rules, and never explored whole (each
    # C a 300-state cycle that strong bisimulation cannot shrink: its last step is c);
    # its two leaves join the outer network and priority filters its moves there
    model = loads("channel a, b, c\nN = 300\n"
                  "C(i) = if i == N - 1 then c -> C(0) else a -> C(i + 1)\n"
                  "P = b -> STOP [] prioritise(C(0) ||| C(1), <{a}>)\n")
    net = model.network("P", leaf_limit=50_000)
    assert not hasattr(net, "reason"), net
    assert any("a priority scope over 2 components" in note for note in net.notes), net.notes
    assert len(net.scopes) == 1 and not any(isinstance(c, LazyComponent) for c in net.components)
    # c is in no class: nothing is held back, every pair of counters is reached once
    # the choice is resolved, plus the start (the choice open) and STOP after b
    assert count_states(net).states == 300 * 300 + 2


@settings(max_examples=40, deadline=None)
@given(_ltss(), _ltss(), st.dictionaries(st.sampled_from(LABELS), st.integers(0, 2)))
def test_a_nested_network_on_word_aligned_wide_codes_is_the_narrow_one(p, q, ranks):
    from procalg.lts import vectors

    def nested() -> LTS:
        return nested_lts(NestedNetwork(close(parallel(component(p), component(q), {"a"})),
                                        Preemption.ranks(ranks)))

    narrow = nested()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "_MAX_BITS", 0)  # always wide: the search holds V{8k} keys,
        patch.setattr(vectors, "_MAX_CODE", 1)  # the nested system hands it integers
        wide = nested()
    assert (wide.num_states, wide.num_transitions) == (narrow.num_states,
                                                       narrow.num_transitions)
    assert _same(wide, narrow)
