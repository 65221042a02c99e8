"""The properties' goals read the search's keys of words, not Python integers.

With every code a key of 64-bit words from the first state (as Tokeneer's
4-word keys; ``max_bits`` 0), the goals of deadlock, reachability, markers and
refinement (traces, failures, failures-divergences: a divergent state read off
the key) see each expanded chunk as the search holds it. They must give the
reference's verdicts and least counterexamples, over many small chunks (the
least witness among chunks), and no chunk may be turned into integers.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.compensation import check_compensation, check_compensation_product
from procalg.checks.deadlock import check_deadlock, check_deadlock_product
from procalg.checks.reachability import check_reachable, check_reachable_product, reachability_goal
from procalg.checks.refinement import check_refinement, check_refinement_product
from procalg.errors import ModelError
from procalg.lts import LTS, codes, level_search, vectors
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.product import explore_product, find_path
from tests.lts.test_held import _leaf
from tests.lts.test_refine_product import _whole, systems

MODELS = [RefinementModel.TRACES, RefinementModel.FAILURES,
          RefinementModel.FAILURES_DIVERGENCES]
NAMES = ["a", "b", "c", "stranded.s"]


@contextmanager
def _keys_of_words(converted: list[int] | None = None):
    """Codes held as keys of words from the first state, levels expanded two
    states a chunk; ``converted`` collects the size of every batch of keys
    turned into Python integers."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "_MAX_BITS", 0)
        patch.setattr(vectors, "_MAX_CODE", 1)
        patch.setattr(level_search, "NARROW", 0)
        patch.setattr(level_search, "CHUNK", 2)
        patch.setattr(level_search, "MIN_CHUNK", 1)
        patch.setattr(level_search, "MIN_BUDGET", 1)
        if converted is not None:
            ints = codes.from_keys

            def counted(keys, k):
                converted.append(len(keys))
                return ints(keys, k)
            patch.setattr(codes, "from_keys", counted)
        yield


@st.composite
def deeper_networks(draw, names=("a", "b", "c")):
    """Three components of up to six states over ``names``, some of a, b hidden."""
    parts = [draw(_named(list(names))) for _ in range(3)]
    net = component(parts[0])
    for part in parts[1:]:
        net = parallel(net, component(part), draw(st.sets(st.sampled_from(["a", "b"]))))
    return close(hide(net, draw(st.sets(st.sampled_from(["a", "b"]), max_size=1))))


@st.composite
def _named(draw, names: list[str], max_states: int = 6) -> LTS:
    n = draw(st.integers(1, max_states))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(names),
                                    st.integers(0, n - 1)), max_size=3 * n))
    return LTS.build(n, 0, names, edges)


def _trace(result) -> tuple:
    ce = result.counterexample
    return result.passed, None if ce is None else (ce.trace, ce.full_path)


@settings(max_examples=150, deadline=None)
@given(deeper_networks(), st.sampled_from(NAMES[:3]))
def test_deadlock_and_reachability_goals_on_keys_of_words_give_the_reference_answers(
        net, event):
    lts = explore_product(net)
    with _keys_of_words():
        dead, reached = check_deadlock_product(net), check_reachable_product(net, event)
    assert _trace(dead) == _trace(check_deadlock(lts))
    assert _trace(reached) == _trace(check_reachable(lts, event))


@settings(max_examples=100, deadline=None)
@given(deeper_networks(names=("a", "b", "stranded.s")))
def test_a_marker_goal_on_keys_of_words_gives_the_reference_answer(net):
    with _keys_of_words():
        found = check_compensation_product(net)
    assert _trace(found) == _trace(check_compensation(explore_product(net)))


@settings(max_examples=150, deadline=None)
@given(systems(), deeper_networks(), st.sampled_from(MODELS))
def test_refinement_goals_on_keys_of_words_give_the_reference_counterexample(
        spec, net, model):
    reference = check_refinement(spec, explore_product(net), model)
    with _keys_of_words():
        bulk = check_refinement_product(spec, net, model)
    assert bulk.passed == reference.passed
    if not bulk.passed:
        assert _whole(bulk) == _whole(reference)


def _ring_network():
    """Forty 4-state rings in step beside a free chain whose fourth move is c."""
    ring = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "a", 3), (3, "b", 0)])
    net = component(ring)
    for _ in range(39):
        net = parallel(net, component(ring), {"a", "b"})
    free = LTS.build(5, 0, ["d", "c", "e"], [(0, "d", 1), (1, "d", 2), (2, "d", 3),
                                             (3, "c", 4), (4, "e", 0)])
    return close(parallel(net, component(free), set()))


@pytest.mark.parametrize("check", ["deadlock", "reachable", "traces", "failures"])
def test_goals_turn_no_chunk_of_keys_into_python_integers(check):
    net = _ring_network()
    events = ["a", "b", "d", "e"]  # c: a trace error; a stable state refusing them all: none
    spec = LTS.build(5, 0, ["τ", *events, "c"], [*((0, "τ", i + 1) for i in range(4)),
                                               *((i + 1, x, 0) for i, x in enumerate(events))])
    converted: list[int] = []
    with _keys_of_words(converted):
        result = {"deadlock": lambda: check_deadlock_product(net),
                  "reachable": lambda: check_reachable_product(net, "c"),
                  "traces": lambda: check_refinement_product(spec, net,
                                                             RefinementModel.TRACES),
                  "failures": lambda: check_refinement_product(
                      spec, net, RefinementModel.FAILURES)}[check]()
    assert result.stats.states > 8
    assert max(converted, default=0) <= 1  # the witness alone, never a chunk


@pytest.mark.parametrize(("held_at", "goal_at"), [(2, 1), (1, 2)])
def test_a_held_error_beside_a_goal_on_keys_is_ordered_as_on_integers(held_at, goal_at):
    net = close(component(_leaf(held_at=held_at, goal_at=goal_at)))
    outcomes = []
    for keys in (False, True):
        with _keys_of_words() if keys else nullcontext():
            try:
                outcomes.append(find_path(net, reachability_goal("c")).path)
            except ModelError as err:
                outcomes.append(str(err))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == ("a", "c") if goal_at == 1 else "broken here" in outcomes[0]
