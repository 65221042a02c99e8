"""A small eager network's deep chain, walked in Python over its fired code space.

:class:`procalg.lts.space_walk.SpaceWalk` must leave exactly what the numpy
marked walk leaves (it is switched off for the oracle): the same states in
the same BFS levels, the same transition count, the same shortest paths to
the same goals; and prioritised models of this shape must check as the
term-level rules do (verdicts, shortest counterexamples, the LTS up to strong
bisimulation).
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procalg.api.search import CheckEngine
from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded
from procalg.lts import level_search, space_walk
from procalg.lts.lts import LTS
from procalg.lts.network import Network, close, component, hide, parallel, rename
from procalg.lts.priority import prioritise
from procalg.lts.priority_scopes import scope
from procalg.lts.product import Limits, count_states, explore_product, find_path, tau_lasso
from procalg.lts.space_walk import SpaceWalk
from procalg.lts.vectors import Tables
from procalg.semantics.network import NotApplicable, compile_network
from tests.lts.test_lazy_small import _outcomes
from tests.lts.test_leaf_levels import deep_leaves
from tests.lts.test_leaf_partners import EVENTS, _outcome, partners, priorities
from tests.semantics.test_network import UNFOLD, _bisimilar, _reference, assert_searches_agree
from tests.semantics.test_network_priority import (
    _nested_terms,
    _prioritised_terms,
    _sources,
    _tau_deterministic,
)


@st.composite
def shapes(draw) -> tuple:
    """A deep eager leaf, one or two partners with the events each shares, a
    priority over them (some: the dense walk takes the rest), and what goes on top."""
    mates = draw(st.lists(st.tuples(partners(), st.frozensets(st.sampled_from(EVENTS))),
                          min_size=1, max_size=2))
    return (draw(deep_leaves()), mates, draw(st.sampled_from(["none", "hide", "rename"])),
            draw(priorities(some=True)))


def _network(shape: tuple) -> Network:
    chain, mates, top, (priority, order) = shape
    net = component(chain)
    for lts, shared in mates:
        net = parallel(net, component(lts), set(shared))
    net = scope(net, order) if priority == "scope" else prioritise(net, order)
    if top == "hide":
        net = hide(net, {"b"})
    elif top == "rename":
        net = rename(net, [("a", "x"), ("a", "y"), ("c", "b")])
    return close(net)


def _walked(run) -> tuple[object, int]:
    """``run()`` with the walk firing the space at once (in chunks of 5 codes) and
    marks from the first level, and the levels the walk made."""
    made: list[int] = []
    real = SpaceWalk.batch
    with pytest.MonkeyPatch.context() as m:
        m.setattr(level_search, "MARK_DEPTH", 0)
        m.setattr(space_walk, "PER_LEVEL", 1 << 30)
        m.setattr(space_walk, "CHUNK", 5)
        m.setattr(SpaceWalk, "batch", lambda self, *a: _record(made, real(self, *a)))
        return run(), sum(made)


def _without_walk(run):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(level_search, "MARK_DEPTH", 0)
        m.setattr(SpaceWalk, "of", classmethod(lambda cls, tables: None))
        return run()


def _record(made: list[int], result: tuple) -> tuple:
    made.append(result[0])
    return result


@settings(max_examples=150, deadline=None)
@given(shapes(), st.sampled_from(["count", "deadlock", "a", "b", "divergence"]))
def test_the_space_walk_leaves_the_states_levels_and_paths_of_the_numpy_search(shape, goal):
    def run():
        net = _network(shape)
        if goal == "count":
            return _outcome(count_states(net))
        if goal == "divergence":
            return _outcome(tau_lasso(net))
        return _outcome(find_path(net, deadlock_goal if goal == "deadlock"
                                  else reachability_goal(goal)))

    found, made = _walked(run)
    assume(made)  # the walk took some level
    assert found == _without_walk(run)


@settings(max_examples=60, deadline=None)
@given(shapes(), st.integers(1, 400))
def test_a_state_limit_stops_the_space_walk_where_it_stops_the_numpy_search(shape, limit):
    def run():
        try:
            return _outcome(count_states(_network(shape), Limits(max_states=limit)))
        except LimitExceeded as err:
            return ("limit", str(err), err.states)

    assert _walked(run)[0] == _without_walk(run)


@settings(max_examples=100, deadline=None)
@given(st.one_of(_prioritised_terms(), _nested_terms()))
def test_prioritised_terms_walked_over_their_space_search_as_the_term_rules_do(term):
    assume(all(_tau_deterministic(s.process) for s in _sources(term) if s.order.chase))
    net = compile_network(term, UNFOLD, reduce=True)
    assume(not isinstance(net, NotApplicable))
    reference = _reference(term, UNFOLD)

    def run() -> None:
        assert _bisimilar(explore_product(net), reference)
        assert_searches_agree(net, reference, ("a", "b"))

    assume(_walked(run)[1])


def _chain_search(limit: int) -> tuple[level_search.LevelSearch, list[int], Network]:
    # the nested falls row below the lazy-leaf size: thousands of one-state levels
    line = LTS.build(1500, 0, ["up", "go"], [(i, "up", i + 1) for i in range(1499)]
                     + [(i, "go", i) for i in range(0, 1500, 7)])
    beat = LTS.build(2, 0, ["up", "tick", "go"], [(0, "up", 1), (1, "tick", 0), (1, "up", 1)])
    net = close(prioritise(parallel(component(line), component(beat), {"up"}),
                           {"up": 0, "tick": 1}))
    search = level_search.LevelSearch(Tables(net))
    fired: list[int] = []
    real = search.tables.successors
    search.tables.successors = lambda codes, **k: fired.append(len(codes)) or real(codes, **k)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(space_walk, "MOVE_LIMIT", limit)
        search.run()
    return search, fired, net


def test_a_prioritised_chain_of_eager_components_fires_numpy_once_not_per_level():
    search, fired, net = _chain_search(space_walk.MOVE_LIMIT)
    assert len(search.visited) == 1501
    assert search.transitions == _without_walk(lambda: count_states(net).transitions)
    assert len(fired) < 300  # the levels before the space is fired, then one call, not 1,500
    assert search.tables._space_walk.fired


def test_a_space_past_the_move_limit_is_left_to_numpy_with_the_same_levels():
    search, fired, net = _chain_search(100)
    walk = search.tables._space_walk
    assert walk.refused and not walk.fired and walk.back() == 0
    assert (len(search.visited), search.transitions) == _without_walk(
        lambda: (lambda c: (c.states, c.transitions))(count_states(net)))
    assert len(fired) > 1400  # a numpy level each


CHAIN = """
N = {size}
channel a, b, c, d, up, down
Count(n) = n < N & up -> Count(n + 1) [] n > 0 & down -> Count(n - 1) [] a -> SKIP
Lim(n) = n < 3 & up -> Lim(n + 1) [] down -> Lim(n) [] a -> Lim(0)
U = up -> U [] down -> U [] a -> U
Nested = (d -> STOP [] prioritise(Count(0) ||| c -> STOP, <{{up}}, {{c}}>)) [| {{up}} |] Lim(0)
Po = prioritisepo(Count(0) [| {{up}} |] U, {{up, down}}, {{(up, down)}}, {{up}})
Seq = prioritise(Count(0) [| {{up}} |] U, <{{up}}, {{down}}>) ; c -> STOP
assert Nested :[deadlock free]
assert Po :[deadlock free]
assert Seq :[deadlock free]
assert Nested \\ {{up}} :[divergence free]
assert Po :[has trace]: <up, up, down, a>
assert Seq \\ {{down}} [T= Po \\ {{down}}
"""


@pytest.mark.parametrize("size", [1200, 1900])  # a scope over an eager leaf (dense walk: none)
def test_the_falls_priority_rows_check_as_the_term_rules_do_with_the_space_walked(size):
    text = CHAIN.format(size=size)
    made: list[int] = []
    real = SpaceWalk.batch
    with pytest.MonkeyPatch.context() as m:
        m.setattr(SpaceWalk, "batch", lambda self, *a: _record(made, real(self, *a)))
        product = _outcomes(text, CheckEngine.PRODUCT)
    assert sum(made) >= size  # the Python walk made most levels
    reference = _outcomes(text, CheckEngine.REFERENCE)
    assert [(r, t) for r, _, t in product] == [(r, t) for r, _, t in reference]  # shortest traces
