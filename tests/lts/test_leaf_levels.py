"""One lazy leaf's tiniest levels in plain Python against the vectorised search.

:class:`procalg.lts.leaf_levels.OneLeaf` must leave exactly what the
numpy level search leaves (it is switched off for the oracle): the same
states, transitions and BFS levels, the same shortest paths to the same
goals, the same leaf expansions (so a limit or an error in a deep state
stops both at the same place), whole or under hiding and renaming; and a
one-component model must check as the term-level reference does.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded, ModelError
from procalg.lts import leaf_levels
from procalg.lts.census import Census, take_census
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.held import Holding
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_choice import leaf
from procalg.lts.level_search import LevelSearch
from procalg.lts.lts import LTS, TAU
from procalg.lts.network import Network, close, component, hide, parallel, rename
from procalg.lts.product import Limits, count_states, find_path, searcher

LABELS = ["a", "b", "c", TAU]


@st.composite
def deep_leaves(draw) -> LTS:
    """A long chain (one state per level, mostly) with a few random extra moves
    (back edges, short cuts, branches, dead ends) and now and then a fan: a
    level wider than the Python walk takes, which the numpy search then makes."""
    moves, top = [], 0  # top: the chain's last state so far
    for _ in range(draw(st.integers(1, 300))):
        label = draw(st.sampled_from(LABELS))
        width = draw(st.sampled_from([1] * 12 + [2, 3, leaf_levels.FEW, leaf_levels.FEW + 1, 30]))
        if width == 1:
            if draw(st.integers(0, 40)):  # now and then no move on: a dead end
                moves.append((top, label, top + 1))
        else:  # top -> each of the fan's states -> the state after them
            fan = range(top + 1, top + 1 + width)
            into = draw(st.lists(st.sampled_from(LABELS), min_size=width, max_size=width))
            out = draw(st.lists(st.sampled_from(LABELS), min_size=width, max_size=width))
            moves += [(top, a, f) for f, a in zip(fan, into, strict=True)]
            moves += [(f, a, fan[-1] + 1) for f, a in zip(fan, out, strict=True)]
        top = moves[-1][2] if moves and moves[-1][0] >= top else top + 1
    n = top + 1
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(LABELS),
                                    st.integers(0, n - 1)), max_size=12))
    return LTS.build(n, 0, ["a", "b", "c"], moves + extra)


def _networks(lts: LTS, on_top: str, start: str = "fresh", **lazy) -> Network:
    """The leaf over ``lts`` lazy from its start (``fresh``), asked through a
    :class:`Holding` (``held``: its next-state function called straight, as a
    compiled machine's is), or lazy after its first states were explored whole
    (``resumed``: their moves are read off the leaf's table)."""
    system = Holding(ExplicitSystem(lts)) if start == "held" else ExplicitSystem(lts)
    if start == "resumed":
        made = leaf(system, {"a", "b", "c"}, eager_limit=min(5, lts.num_states - 1), **lazy)
    else:
        made = LazyComponent(system, {"a", "b", "c"}, **lazy)
    net = component(made)
    if on_top == "hide":
        net = hide(net, {"b"})
    elif on_top == "rename":
        net = rename(net, [("a", "x"), ("a", "y"), ("c", "b")])
    return close(net)


def _without_leaf_walk(run):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(leaf_levels.OneLeaf, "of", classmethod(lambda cls, tables: None))
        return run()


def _outcome(run):
    try:
        found = run()
    except LimitExceeded as err:
        return ("limit", str(err), err.states)
    if isinstance(found, Census):
        return (found.states, found.transitions, found.stuck.tolist(),
                *(x.tolist() for x in (found.src, found.lab, found.dst)))
    return (found.found, found.path, found.states, found.transitions, found.levels)


tops = st.sampled_from(["none", "hide", "rename"])
starts = st.sampled_from(["fresh", "held", "resumed"])


@settings(max_examples=120, deadline=None)
@given(deep_leaves(), tops, st.sampled_from(["count", "census", "deadlock", "a", "b"]), starts)
def test_the_leaf_walk_leaves_the_states_levels_and_paths_of_the_numpy_search(
        lts, top, goal, start):
    def run():
        net = _networks(lts, top, start)
        if goal == "count":
            return count_states(net)
        if goal == "census":  # every level's moves, a batch of levels at a time
            return take_census(net, ["a", "x", TAU])
        return find_path(net, deadlock_goal if goal == "deadlock" else reachability_goal(goal))

    assert _outcome(run) == _without_leaf_walk(lambda: _outcome(run))


@settings(max_examples=60, deadline=None)
@given(deep_leaves(), tops, st.integers(1, 300), st.booleans(), starts)
def test_a_limit_met_deep_in_the_leaf_stops_both_searches_at_the_same_place(
        lts, top, limit, on_leaf, start):
    def run():
        if on_leaf:
            return find_path(_networks(lts, top, start, max_states=limit), deadlock_goal)
        return count_states(_networks(lts, top, start), Limits(max_states=limit))

    assert _outcome(run) == _without_leaf_walk(lambda: _outcome(run))


class _Failing:
    """A chain whose state ``bad`` raises when expanded (a value outside its type)."""

    def __init__(self, bad: int, stuck: int) -> None:
        self.bad, self.stuck = bad, stuck

    def initial_state(self) -> int:
        return 0

    def successors(self, n: int) -> list[tuple[str, int]]:
        if n == self.bad:
            raise ModelError(f"state {n} is bad")
        return [] if n == self.stuck else [("a", n + 1)]


@pytest.mark.parametrize(("bad", "stuck"), [(300, 1000), (300, 299), (300, 300), (70, 2)])
def test_an_error_in_a_deep_state_is_raised_only_where_the_search_expands_it(bad, stuck):
    net = close(component(LazyComponent(_Failing(bad, stuck), {"a"})))
    if stuck < bad:  # the deadlock is found first: the bad state is never expanded
        assert find_path(net, deadlock_goal).path == ("a",) * stuck
    else:
        with pytest.raises(ModelError, match=f"state {bad} is bad"):
            find_path(net, deadlock_goal)


def test_a_ring_leaf_is_walked_in_python_expanding_each_state_once():
    ring = LTS.build(3000, 0, ["a"], [(i, "a", (i + 1) % 3000) for i in range(3000)])
    lazy = LazyComponent(ExplicitSystem(ring), {"a"})
    search = searcher(close(component(lazy)))
    assert leaf_levels.OneLeaf.of(search.tables) is not None
    search.run()
    assert (len(search.visited), search.transitions, search.visited.depth) == (3000, 3000, 3000)
    assert (lazy.num_states, lazy.expanded, lazy.transitions) == (3000, 3000, 3000)
    assert [x.tolist() for x in lazy.known_moves()] == [
        list(range(3000)), [1] * 3000, [(i + 1) % 3000 for i in range(3000)]]


def test_a_deep_counterexample_is_read_off_the_walks_moves_without_firing_a_level():
    labels = ["a", "b"]
    chain = LTS.build(2001, 0, labels, [(i, labels[i % 3 == 0], i + 1) for i in range(2000)]
                      + [(i, "a", i + 1) for i in range(0, 2000, 7)])
    net = close(component(LazyComponent(ExplicitSystem(chain), set(labels))))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(LevelSearch, "path_to", lambda self, code: pytest.fail("fired"))
        found = find_path(net, deadlock_goal)
    # at each step back the least predecessor's first move: "a" before "b"
    assert found.path == tuple("a" if i % 3 != 0 or i % 7 == 0 else "b" for i in range(2000))
    assert found.path == _without_leaf_walk(lambda: find_path(net, deadlock_goal)).path


def test_a_walk_that_forgets_its_kept_moves_still_finds_the_same_trace():
    ring = LTS.build(900, 0, ["a", "b"], [(i, "ab"[i % 2], i + 1) for i in range(899)])
    net = close(component(LazyComponent(ExplicitSystem(ring), {"a", "b"})))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(leaf_levels, "KEPT", 10)
        m.setattr(leaf_levels, "STEPS", 50)  # batches of 50 levels: the cache is cleared
        found = find_path(net, deadlock_goal)
    assert found.path == tuple("ab"[i % 2] for i in range(899))


def test_a_network_of_more_than_one_leaf_or_an_eager_leaf_is_not_walked_in_python():
    ring = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    lazy = component(LazyComponent(ExplicitSystem(ring), {"a"}))
    assert leaf_levels.OneLeaf.of(searcher(close(component(ring))).tables) is None
    assert leaf_levels.OneLeaf.of(searcher(close(parallel(lazy, lazy, {"a"}))).tables) is None


MODEL = """
channel c : {{0..{top}}}
channel d, e
P(n) = if n == {stuck} then STOP else c!n -> (if n == {seen} then e -> d -> P(n + 1)
                                               else d -> P((n + 1) % {size}))
assert P(0) :[deadlock free]
assert P(0) :[reachable e]
assert P(0) \\ {{d}} :[deadlock free [F]]
assert P(0) [[e <- d]] :[deadlock free]
assert P(0) :[has trace]: <c.0, d, c.1, d, c.2>
"""


def _checked(text: str, engine: CheckEngine) -> list[tuple]:
    out = []
    for report in check_model(loads(text), options=SearchOptions(engine=engine)):
        assert report.check is not None, report.error
        found = report.check.counterexample
        out.append((report.result, found.trace if found else None))
    return out


@settings(max_examples=6, deadline=None)
@given(st.integers(1001, 1200), st.data())  # past 2,000 states: the leaf is lazy
def test_a_one_component_model_checks_as_the_reference_does(size, data):
    stuck = data.draw(st.integers(0, 2 * size))
    seen = data.draw(st.integers(-1, size - 2))  # -1: no e
    text = MODEL.format(top=size - 1, stuck=stuck, seen=seen, size=size)
    assert _checked(text, CheckEngine.PRODUCT) == _checked(text, CheckEngine.REFERENCE)


ENDING = """
channel c : {{0..{top}}}
P(n) = if n == {end} then SKIP else c!n -> P(n + 1)
assert P(0) :[deadlock free]
assert P(0) :[deadlock free [F]]
assert P(0) ; STOP :[deadlock free]
"""


@pytest.mark.parametrize("end", [1500, 2600])
def test_a_long_chain_that_terminates_checks_as_the_reference_does(end):
    # its leaf's Ω loops on DONE, a label no rule of the closed network takes: the
    # walk maps the leaf's one-rule labels straight and drops that move
    text = ENDING.format(top=end, end=end)
    assert _checked(text, CheckEngine.PRODUCT) == _checked(text, CheckEngine.REFERENCE)
