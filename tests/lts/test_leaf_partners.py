"""A lazy leaf's deep chain beside eager partners, walked in plain Python.

:class:`procalg.lts.leaf_partners.PartneredLeaf` must leave exactly what the
numpy marked walk leaves (it is switched off for the oracle): the same
states in the same BFS levels (the visited numbering), the same transition
count, the same shortest paths to the same goals; a level of one state must
get the moves of :meth:`~procalg.lts.vectors.Tables.successors` in their
order; and models of this shape must check as the term-level rules do.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.export import process_lts
from procalg.api.model import loads
from procalg.api.search import CheckEngine
from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded
from procalg.lts import leaf_partners, level_search
from procalg.lts.census import Census, take_census
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.held import Holding
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_choice import leaf
from procalg.lts.leaf_partners import PartneredLeaf
from procalg.lts.level_search import LevelSearch
from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.network import Network, close, component, hide, parallel, rename
from procalg.lts.priority import prioritise
from procalg.lts.priority_scopes import scope
from procalg.lts.product import Limits, count_states, find_path, searcher, tau_lasso
from tests.lts.test_lazy_small import _outcomes
from tests.lts.test_leaf_levels import deep_leaves
from tests.semantics.test_network import _bisimilar

EVENTS = ["a", "b", "c"]


@st.composite
def partners(draw) -> LTS:
    """A small eager partner over a, b, c (and τ): a random graph of 1 to 4 states."""
    n = draw(st.integers(1, 4))
    moves = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from([*EVENTS, TAU]),
                                    st.integers(0, n - 1)), min_size=1, max_size=8))
    return LTS.build(n, 0, EVENTS, moves)


@st.composite
def priorities(draw, some: bool = False) -> tuple:
    """None (unless ``some``), or a priority over the leaf and its partners: a scope
    (each label's pre-empting labels, τ and ✓ among them) or ranks (prioritise's classes)."""
    kind = draw(st.sampled_from(["scope", "rank"] if some else ["none", "none", "scope", "rank"]))
    if kind == "scope":
        tops = st.frozensets(st.sampled_from([*EVENTS, TAU, TICK]), max_size=2)
        return kind, draw(st.dictionaries(st.sampled_from([*EVENTS, TAU]), tops, max_size=3))
    if kind == "rank":
        return kind, draw(st.dictionaries(st.sampled_from(EVENTS), st.integers(0, 2), max_size=3))
    return kind, {}


@st.composite
def shapes(draw, prioritised: bool = False) -> tuple:
    """A deep leaf, one or two partners with the events each shares, the priority
    over them (one, if ``prioritised``), and what goes on top."""
    chain = draw(deep_leaves())
    mates = draw(st.lists(st.tuples(partners(), st.frozensets(st.sampled_from(EVENTS))),
                          min_size=1, max_size=2))
    return (chain, mates, draw(st.sampled_from(["none", "hide", "rename"])), draw(st.booleans()),
            draw(priorities(prioritised)))


def _network(shape: tuple) -> Network:
    chain, mates, top, held, (priority, order) = shape
    system = Holding(ExplicitSystem(chain)) if held else ExplicitSystem(chain)
    net = component(LazyComponent(system, set(EVENTS)))
    for lts, shared in mates:
        net = parallel(net, component(lts), set(shared))
    if priority == "scope":
        net = scope(net, order)
    elif priority == "rank":
        net = prioritise(net, order)
    if top == "hide":
        net = hide(net, {"b"})
    elif top == "rename":
        net = rename(net, [("a", "x"), ("a", "y"), ("c", "b")])
    return close(net)


def _without_walk(run):
    with pytest.MonkeyPatch.context() as m:
        m.setattr(PartneredLeaf, "of", classmethod(lambda cls, tables: None))
        return run()


def _outcome(found) -> tuple:
    if isinstance(found, Census):
        return (found.states, found.transitions, found.stuck.tolist(),
                *(x.tolist() for x in (found.src, found.lab, found.dst)))
    return (found.found, found.path, found.cycle, found.states, found.transitions,
            found.levels)


@settings(max_examples=150, deadline=None)
@given(shapes(), st.sampled_from(["count", "census", "deadlock", "a", "b", "divergence"]))
def test_the_partnered_walk_leaves_the_states_levels_and_paths_of_the_numpy_search(shape, goal):
    _assert_walk_leaves_what_numpy_leaves(shape, goal)


@settings(max_examples=150, deadline=None)
@given(shapes(prioritised=True), st.sampled_from(["count", "deadlock", "a", "divergence"]))
def test_a_prioritised_walk_leaves_the_states_levels_and_paths_of_the_numpy_search(shape, goal):
    # marks from the first level: the walk takes every narrow level of these short chains
    with pytest.MonkeyPatch.context() as m:
        m.setattr(level_search, "MARK_DEPTH", 0)
        _assert_walk_leaves_what_numpy_leaves(shape, goal)


def _assert_walk_leaves_what_numpy_leaves(shape: tuple, goal: str) -> None:
    def run():
        net = _network(shape)
        if goal == "count":
            return _outcome(count_states(net))
        if goal == "census":
            return _outcome(take_census(net, ["a", "x", TAU]))
        if goal == "divergence":
            return _outcome(tau_lasso(net))
        return _outcome(find_path(net, deadlock_goal if goal == "deadlock"
                                  else reachability_goal(goal)))

    assert run() == _without_walk(run)


@settings(max_examples=60, deadline=None)
@given(shapes(), st.integers(1, 400))
def test_a_state_limit_stops_the_walk_where_it_stops_the_numpy_search(shape, limit):
    def run():
        try:
            return _outcome(count_states(_network(shape), Limits(max_states=limit)))
        except LimitExceeded as err:
            return ("limit", str(err), err.states)

    assert run() == _without_walk(run)


def _levels(shape: tuple) -> tuple[list[list[int]], object]:
    search = searcher(_network(shape))
    search.run()
    levels = search._levels(0, search.visited.depth + 1)
    return [levels[k].tolist() for k in sorted(levels)], search


@settings(max_examples=100, deadline=None)
@given(shapes())
def test_each_level_holds_the_same_codes_and_one_state_levels_fire_in_the_same_order(shape):
    levels, search = _levels(shape)
    assert levels == _without_walk(lambda: _levels(shape)[0])  # the visited numbering
    walk = PartneredLeaf.of(search.tables)
    assert walk is not None
    walk.marks = search.marks
    fit = walk._fit()
    if fit is None or search.marks is None:
        return
    for level in levels:
        for code in level:
            out = walk._level([code], *fit, memoryview(bytearray(len(search.marks.seen))))
            if out is None:  # a key only numpy tells apart
                continue
            _, dst, lab = search.tables.successors(np.array([code]))
            assert out[0] == [list(zip(lab.tolist(), dst.tolist(), strict=True))]


PARTNERED = """
channel up, tick, go
C(n) = n < {size} & (up -> C(n + 1) [] n % 5 == 0 & up -> C(n + 2) [] n == {gate} & go -> C(n))
P = up -> tick -> P [] go -> P
Sys = C(0) [| {{up, go}} |] P
assert Sys :[deadlock free]
assert Sys \\ {{tick}} :[divergence free]
assert Sys \\ {{up}} :[deadlock free]
assert Sys :[reachable go]
assert Sys :[has trace]: <up, tick, up, tick, up>
assert Sys :[has trace]: <up, tick, up, up>
assert Sys \\ {{tick}} :[deterministic]
"""


@settings(max_examples=6, deadline=None)
@given(st.integers(2001, 2300), st.integers(0, 5000))
def test_a_counter_leaf_beside_a_partner_checks_as_the_term_rules_do(size, gate):
    text = PARTNERED.format(size=size, gate=gate)
    made = []
    real = PartneredLeaf.batch
    with pytest.MonkeyPatch.context() as m:
        m.setattr(PartneredLeaf, "batch", lambda self, *a: _record(made, real(self, *a)))
        product = _outcomes(text, CheckEngine.PRODUCT)
    assert sum(made) >= size  # the Python walk made most levels
    reference = _outcomes(text, CheckEngine.REFERENCE)
    # verdicts and shortest traces; the states where both explore the whole space
    # (a reachable event's search ends at its level, the reference's a level on)
    assert [(r, t) for r, _, t in product] == [(r, t) for r, _, t in reference]
    assert [n for _, n, _ in product[:3]] == [n for _, n, _ in reference[:3]]


def _record(made: list[int], result: tuple) -> tuple:
    made.append(result[0])
    return result


def _run_counting_firings(net: Network) -> tuple[LevelSearch, list[int]]:
    """Run ``net``'s search; it and the number of codes of each numpy successor call."""
    search = searcher(net)
    fired: list[int] = []
    real = search.tables.successors
    search.tables.successors = lambda codes, **k: fired.append(len(codes)) or real(codes, **k)
    search.run()
    return search, fired


def test_a_chain_beside_a_partner_fires_numpy_once_per_distinct_template():
    line = LTS.build(3000, 0, ["up"], [(i, "up", i + 1) for i in range(2999)])
    beat = LTS.build(2, 0, ["up", "tick"], [(0, "up", 1), (1, "tick", 0)])
    lazy = LazyComponent(ExplicitSystem(line), {"up"})
    search, fired = _run_counting_firings(close(parallel(component(lazy), component(beat),
                                                         {"up"})))
    assert (len(search.visited), search.transitions) == (5999, 5998)
    assert len(fired) < 200  # the first levels (no marks yet) and two templates, not 6,000


@pytest.mark.parametrize("priority", ["scope", "rank"])
def test_a_prioritised_chain_beside_a_partner_filters_once_per_distinct_template(priority):
    # up pre-empts tick where the leaf offers it: the partner's tick waits for the chain's end
    moves = [(i, "up", i + 1) for i in range(2999)]
    line = LTS.build(3000, 0, ["up"], moves + [(i, "go", i) for i in range(0, 3000, 7)])
    beat = LTS.build(2, 0, ["up", "tick", "go"], [(0, "up", 1), (1, "tick", 0), (1, "up", 1)])
    net = parallel(component(LazyComponent(ExplicitSystem(line), {"up", "go"})),
                   component(beat), {"up"})
    net = scope(net, {"tick": frozenset({"up"})}) if priority == "scope" else \
        prioritise(net, {"up": 0, "tick": 1})
    search, fired = _run_counting_firings(close(net))
    # the leaf counts up to 2,999 (the partner at 0, then at 1), then the partner ticks
    assert len(search.visited) == 3001
    assert search.transitions == _without_walk(lambda: count_states(close(net)).transitions)
    assert len(fired) < 200  # the first levels (no marks yet) and a few templates, not 3,000


def test_a_leaf_explored_past_16_bits_before_it_turned_lazy_is_walked_too():
    # 33,000 states explored whole, then lazy: a 2^17 digit (as a priority scope's
    # leaf was, explored to 50,000 states first); marks take it, and so does the walk
    line = LTS.build(34_000, 0, ["up"], [(i, "up", i + 1) for i in range(33_999)])
    lazy = leaf(ExplicitSystem(line), {"up"}, eager_limit=33_000)
    beat = LTS.build(2, 0, ["up", "tick"], [(0, "up", 1), (1, "tick", 0)])
    search = searcher(close(parallel(component(lazy), component(beat), {"up"})))
    assert search.tables.layout.radix[0] == 1 << 17
    levels, read = [], []
    real, written = LevelSearch._level, type(lazy).written_moves
    with pytest.MonkeyPatch.context() as m:
        m.setattr(LevelSearch, "_level", lambda self, *a: levels.append(1) or real(self, *a))
        m.setattr(type(lazy), "written_moves", lambda self, n: read.append(1) or written(self, n))
        search.run()
    assert (len(search.visited), search.transitions) == (67_999, 67_998)
    assert len(levels) < 200  # the first levels only (no marks yet), not 68,000
    assert len(read) < 200  # the explored states' moves read at once, not 33,000 look-ups


def _deadlock_beside_a_beat(chain: LTS) -> tuple:
    """The deadlock search of lazy ``chain`` beside a one-state ``a`` loop, and
    the levels each of the walk's batches made."""
    beat = LTS.build(1, 0, ["a"], [(0, "a", 0)])
    made: list[int] = []
    real = PartneredLeaf.batch
    with pytest.MonkeyPatch.context() as m:
        m.setattr(PartneredLeaf, "batch", lambda self, *a: _record(made, real(self, *a)))
        net = close(parallel(component(LazyComponent(ExplicitSystem(chain), {"a"})),
                             component(beat), {"a"}))
        return find_path(net, deadlock_goal), made


def test_the_walk_hands_a_wide_level_to_numpy_and_takes_the_chain_back():
    wide = leaf_partners.FEW + 3  # a fan of this many states, then the chain again
    moves = [(i, "a", i + 1) for i in range(200)]
    moves += [(200, "a", 201 + k) for k in range(wide)] + [(201 + k, "a", 300) for k in range(wide)]
    moves += [(i, "a", i + 1) for i in range(300, 600)]
    chain = LTS.build(601, 0, ["a"], moves)
    found, made = _deadlock_beside_a_beat(chain)
    assert found.path == ("a",) * 502 and found.states == 201 + wide + 301
    assert len([n for n in made if n]) >= 2  # before the fan, and after it


def test_levels_that_narrow_and_widen_by_turns_stay_with_numpy():
    wide = leaf_partners.FEW + 1  # each join state fans out to this many, which join again
    moves, join = [], 0
    for _ in range(300):
        fan = range(join + 1, join + 1 + wide)
        moves += [(join, "a", f) for f in fan] + [(f, "a", fan[-1] + 1) for f in fan]
        join = fan[-1] + 1
    chain = LTS.build(join + 1, 0, ["a"], moves)
    found, made = _deadlock_beside_a_beat(chain)
    assert found.path == ("a",) * 600 and found.states == join + 1
    assert len(made) < 10  # not a batch per level, numpy and the walk by turns


PRIORITISED = """
channel up, down, tick, go, c
C(n) = n < {size} & up -> C(n + 1) [] n > 0 & n % 3 == 0 & down -> C(n - 1)
       [] n == {gate} & go -> C(n)
P = {partner}
X = C(0) [| {{up, go}} |] P
Sys = {wrapper}
assert Sys :[deadlock free]
assert Sys \\ {{tick}} :[divergence free]
assert Sys :[reachable go]
assert Sys :[has trace]: <up, tick, up, up>
"""
PARTNERS = ["up -> tick -> P [] go -> P", "up -> P [] tick -> P [] down -> P",
            "up -> (tick -> P [] down -> P) [] go -> STOP"]
WRAPPERS = ["prioritise(X, <{first}, {second}>)",
            "prioritisepo(X, {{up, down, tick, go}}, {{{pairs}}}, {maximal})",
            "c -> STOP [] prioritise(X, <{first}, {second}>)",
            "prioritise(X, <{first}, {second}>) ; c -> STOP"]


@st.composite
def prioritised_models(draw) -> str:
    """A counter leaf past the eager limit beside a small partner, under a random priority."""
    names = ["up", "down", "tick", "go"]
    events = st.frozensets(st.sampled_from(names))
    rank = draw(st.permutations(names))  # pairs that agree with one ranking: no cycle
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=3))
    pairs = sorted({(a, b) for a, b in pairs if rank.index(a) < rank.index(b)})
    first = sorted(draw(events))
    maximal = [e for e in first if all(b != e for _, b in pairs)]  # none pre-empted
    wrapper = draw(st.sampled_from(WRAPPERS)).format(
        first="{" + ", ".join(first) + "}",
        second="{" + ", ".join(sorted(draw(events))) + "}",
        maximal="{" + ", ".join(maximal) + "}",
        pairs=", ".join(f"({a}, {b})" for a, b in pairs))
    return PRIORITISED.format(size=draw(st.integers(2001, 2100)), gate=draw(st.integers(0, 2100)),
                              partner=draw(st.sampled_from(PARTNERS)), wrapper=wrapper)


@settings(max_examples=8, deadline=None)
@given(prioritised_models())
def test_a_prioritised_counter_beside_a_partner_checks_as_the_term_rules_do(text):
    made = []
    real = PartneredLeaf.batch
    with pytest.MonkeyPatch.context() as m:  # a scope's leaf past 2,000 states is lazy
        m.setattr(PartneredLeaf, "batch", lambda self, *a: _record(made, real(self, *a)))
        product = _outcomes(text, CheckEngine.PRODUCT)
        whole = process_lts(loads(text), "Sys", engine=CheckEngine.PRODUCT)
    if product[0][1] >= 1_000:  # a deep space (not cut short by priority or a deadlock)
        assert sum(made) >= 500  # the Python walk made most of its levels
    reference = _outcomes(text, CheckEngine.REFERENCE)
    assert [(r, t) for r, _, t in product] == [(r, t) for r, _, t in reference]
    assert _bisimilar(whole, process_lts(loads(text), "Sys", engine=CheckEngine.REFERENCE))


def test_a_counter_of_many_labels_beside_a_wide_input_reads_its_templates_without_firing():
    # w!(n % 500) beside w?x: 500 keys of one leaf move each, read off the partner's table
    names = [f"w{k}" for k in range(500)]
    line = LTS.build(3000, 0, names, [(i, names[i % 500], i + 1) for i in range(2999)])
    wide = LTS.build(1, 0, names, [(0, name, 0) for name in names])

    def net() -> Network:
        return close(parallel(component(LazyComponent(ExplicitSystem(line), set(names))),
                              component(wide), set(names)))

    search, fired = _run_counting_firings(net())
    assert (len(search.visited), search.transitions) == (3000, 2999)
    assert _outcome(find_path(net(), deadlock_goal)) == \
        _without_walk(lambda: _outcome(find_path(net(), deadlock_goal)))
    assert len(fired) < 200  # the first levels (no marks yet), not one call per label


def test_a_kept_wide_input_fires_each_template_once_while_the_counter_outgrows_its_digit():
    # Wv = w?x -> num!(x % 10) -> Wv beside w!(n % 50): 100 keys, each fired (num alone
    # moves beside the leaf); the counter's digit grows from 2 to 8,000 states meanwhile
    names = [f"w{k}" for k in range(50)]
    nums = [f"num{j}" for j in range(10)]
    line = LTS.build(4000, 0, names, [(i, names[i % 50], i + 1) for i in range(3999)])
    kept = LTS.build(51, 0, names + nums, [(0, w, 1 + k) for k, w in enumerate(names)]
                     + [(1 + k, nums[k % 10], 0) for k in range(50)])

    def net() -> Network:
        return close(parallel(component(LazyComponent(ExplicitSystem(line), set(names))),
                              component(kept), set(names)))

    search, fired = _run_counting_firings(net())
    assert (len(search.visited), search.transitions) == (7999, 7998)
    assert _outcome(find_path(net(), deadlock_goal)) == \
        _without_walk(lambda: _outcome(find_path(net(), deadlock_goal)))
    assert len(fired) < 100  # 50 keys and the first levels (s31-base: 182, 50 a re-encoding)
