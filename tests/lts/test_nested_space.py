"""Nested networks explored over their whole code space (lts/nested_space.py): the
same LTS, numbered the same, as the level-by-level search; the term rules agree."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procalg.errors import LimitExceeded
from procalg.lts import LTS, TICK, nested, nested_space
from procalg.lts.nested import NestedNetwork, nested_lts
from procalg.lts.network import close, component, parallel
from procalg.lts.priority import Preemption
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from tests.lts.test_nested import LABELS, _ltss
from tests.semantics.test_network import UNFOLD, _bisimilar, _reference, assert_searches_agree
from tests.semantics.test_network_priority import _nested_terms, _sources, _tau_deterministic


def _levels_only(system: NestedNetwork, max_states: int | None = None) -> LTS:
    """``system`` explored by the level-by-level search alone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nested, "DEEP", -1)  # never reached: no code-space route
        return nested_lts(system, max_states)


@settings(max_examples=100, deadline=None)
@given(_ltss(), _ltss(), _ltss(), st.dictionaries(st.sampled_from(LABELS), st.integers(0, 2)))
def test_the_code_space_route_gives_the_level_searchs_lts_state_for_state(p, q, r, ranks):
    inner = close(parallel(parallel(component(p), component(q), {"a"}), component(r), {"b"}))
    system = NestedNetwork(inner, Preemption.ranks(ranks))
    whole = nested_space.space_lts(system)
    assert whole is not None  # 64 codes at most: always the space's to explore
    levels = _levels_only(system)
    assert whole.labels == levels.labels and whole.num_states == levels.num_states
    assert sorted(whole.triples()) == sorted(levels.triples())  # same numbers, same moves


def _chain(n: int) -> LTS:
    """``up`` n times, each state able to ``b`` back to the start (pre-empted by ``up``)."""
    return LTS.build(n + 1, 0, ["up", "b"], [(i, "up", i + 1) for i in range(n)]
                     + [(i, "b", 0) for i in range(n + 1)])


def test_a_deep_narrow_nested_network_is_finished_in_one_step_over_its_code_space():
    # a counter under prioritise: a level of one state per step, 1,501 of them; the
    # level search made a product step per level (1,500 numpy calls), this makes DEEP + 1
    system = NestedNetwork(close(component(_chain(1500))), Preemption.ranks({"up": 0, "b": 1}))
    calls = []
    fire = system.tables.successors
    system.tables.successors = lambda codes, **kw: calls.append(len(codes)) or fire(codes, **kw)
    lts = nested_lts(system)
    assert len(calls) <= nested.DEEP + 1, len(calls)
    assert (lts.num_states, lts.num_transitions) == (1501, 1501)  # b only at the top
    assert sorted(lts.triples()) == sorted(_levels_only(NestedNetwork(
        close(component(_chain(1500))), Preemption.ranks({"up": 0, "b": 1}))).triples())


def test_the_code_space_route_keeps_the_state_limit():
    system = NestedNetwork(close(component(_chain(1500))), Preemption.ranks({"up": 0}))
    with pytest.raises(LimitExceeded, match="more than 1000 states"):
        nested_lts(system, 1000)
    assert nested_space.space_lts(system, 1501).num_states == 1501


def test_a_code_space_past_the_limit_or_wide_is_left_to_the_level_search():
    big = NestedNetwork(close(parallel(component(_chain(200)), component(_chain(200)), set())),
                        None)
    assert nested_space.space_codes(big) is None  # 201 x 201 codes > SPACE_LIMIT
    assert nested_lts(big).num_states == 201 * 201


@settings(max_examples=150, deadline=None)
@given(_nested_terms())
def test_nested_priority_from_the_code_space_gives_the_reference_lts_and_searches(term):
    assume(all(_tau_deterministic(s.process) for s in _sources(term) if s.order.chase))
    ran = []
    space_lts = nested_space.space_lts

    def spied(system: NestedNetwork, max_states: int | None = None) -> LTS | None:
        made = space_lts(system, max_states)
        ran.append(made is not None)
        return made

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nested, "DEEP", 1)  # every nested network from its code space
        patch.setattr(nested, "space_lts", spied)
        net = compile_network(term, UNFOLD, reduce=True)
    if isinstance(net, NotApplicable):
        assert "no parallel network" in net.reason
        return
    assume(any(ran))  # a nested network explored whole, past its first level
    assert all(ran)
    reference = _reference(term, UNFOLD)
    assert _bisimilar(explore_product(net), reference)
    assert_searches_agree(net, reference, ("b", TICK))
