"""Breadth-first exploration: numbering, parent links, limits, depth."""

from collections import deque
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import LTS, TAU, TICK, ExplicitSystem, explore
from procalg.lts.exploration import Exploration, as_system


class Graph:
    """A transition system given by a dict of successor lists (order kept)."""

    def __init__(self, start: str, edges: dict[str, list[tuple[object, str]]]) -> None:
        self.start, self.edges, self.calls = start, edges, 0

    def initial_state(self) -> str:
        return self.start

    def successors(self, state: str) -> Iterable[tuple[object, str]]:
        self.calls += 1
        return self.edges.get(state, [])


class Naturals:
    """0 -up-> 1 -up-> 2 ...: infinite, to show that iteration can stop early."""

    def initial_state(self) -> int:
        return 0

    def successors(self, n: int) -> Iterable[tuple[str, int]]:
        return [("up", n + 1), ("reset", 0)]


class Chain:
    def __init__(self, length: int, label: str = "a") -> None:
        self.length, self.label = length, label

    def initial_state(self) -> int:
        return 0

    def successors(self, n: int) -> Iterable[tuple[str, int]]:
        return [(self.label, n + 1)] if n + 1 < self.length else []


class Named:
    """An event-like label: only its ``str`` is its name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


DIAMOND = Graph("r", {
    "r": [("a", "x"), ("b", "y")],
    "x": [("c", "z"), (TAU, "r")],
    "y": [("c", "z")],
    "z": [("d", "w")],
})


def test_states_are_numbered_in_breadth_first_order() -> None:
    walk = Exploration(DIAMOND)
    order = [walk.states[n] for n, _ in walk]
    assert order == ["r", "x", "y", "z", "w"]
    assert list(walk.level) == [0, 1, 1, 2, 3]


def test_parent_links_give_a_shortest_path_with_tau_in_the_full_path_only() -> None:
    system = Graph("s", {"s": [(TAU, "t"), ("a", "u")], "t": [("b", "v")], "u": [("c", "v")],
                         "v": [("d", "end")]})
    walk = Exploration(system)
    for _ in walk:
        pass
    end = walk.index["end"]
    assert walk.full_path_to(end) == (TAU, "b", "d")  # t is discovered before u
    assert walk.trace_to(end) == ("b", "d")
    assert [walk.states[s] for s in walk.path_states(end)] == ["s", "t", "v", "end"]


def test_iteration_yields_edges_as_label_codes_and_can_stop_early() -> None:
    walk = Exploration(Naturals())
    seen = []
    for number, edges in walk:
        seen.append((number, walk.edge_names(edges)))
        if number == 2:
            break
    assert seen == [(0, [("up", 1), ("reset", 0)]), (1, [("up", 2), ("reset", 0)]),
                    (2, [("up", 3), ("reset", 0)])]
    assert walk.num_states == 4 and walk.transitions == 6


def test_event_like_labels_with_the_same_name_share_one_code() -> None:
    system = Graph("p", {"p": [(Named("ch.1"), "q"), (Named("ch.1"), "r")], "q": [("ch.1", "p")]})
    lts = explore(system)
    assert lts.labels == (TAU, TICK, "ch.1")
    assert lts.num_transitions == 3


def test_successors_expand_each_state_once() -> None:
    system = Graph("r", dict(DIAMOND.edges))
    walk = Exploration(system)
    first = walk.successors(0)
    assert walk.successors(0) is first and system.calls == 1
    assert [n for n, _ in walk] == [0, 1, 2, 3, 4]
    assert system.calls == 5  # state 0 came from the cache


def test_explore_records_every_edge_and_state_names() -> None:
    lts = explore(DIAMOND, state_name=str.upper)
    assert lts.num_states == 5 and lts.initial == 0
    assert sorted(lts.triples()) == [(0, "a", 1), (0, "b", 2), (1, "c", 3), (1, TAU, 0),
                                     (2, "c", 3), (3, "d", 4)]
    assert list(lts.state_names) == ["R", "X", "Y", "Z", "W"]


def test_explore_keeps_only_states_reachable_from_the_initial_one() -> None:
    source = LTS.build(4, 2, ["a", "b"], [(0, "a", 1), (2, "b", 3), (3, "a", 2)])
    lts = explore(ExplicitSystem(source))
    assert lts.num_states == 2
    assert sorted(lts.triples()) == [(0, "b", 1), (1, "a", 0)]
    assert explore(source).num_states == 2  # an LTS is accepted as it is


def test_as_system_wraps_an_lts_and_leaves_systems_alone() -> None:
    lts = LTS.build(1, 0, [], [])
    assert isinstance(as_system(lts), ExplicitSystem)
    assert as_system(DIAMOND) is DIAMOND


def test_state_limit_says_how_many_states_transitions_and_which_level() -> None:
    with pytest.raises(LimitExceeded) as caught:
        explore(Chain(10), max_states=4)
    err = caught.value
    assert isinstance(err, ProcalgError)
    assert (err.states, err.transitions) == (4, 3)
    assert "more than 4 states" in err.message and "BFS level 3" in err.message
    assert err.hint


def test_state_limit_equal_to_the_state_count_is_not_exceeded() -> None:
    assert explore(Chain(10), max_states=10).num_states == 10
    with pytest.raises(LimitExceeded):
        explore(Chain(10), max_states=9)


def test_a_200000_state_chain_is_explored_without_recursion() -> None:
    lts = explore(Chain(200_000))
    assert lts.num_states == 200_000 and lts.num_transitions == 199_999
    assert lts.deadlocks() == [199_999]
    walk = Exploration(Chain(200_000))
    for _ in walk:
        pass
    assert len(walk.trace_to(199_999)) == 199_999


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from([TAU, "a", "b"]),
                       st.integers(0, n - 1)), max_size=14))))
def test_levels_are_breadth_first_distances_and_paths_are_real(case: tuple) -> None:
    n, rows = case
    source = LTS.build(n, 0, ["a", "b"], rows)
    walk = Exploration(source)
    for _ in walk:
        pass
    distance = {0: 0}
    queue = deque([0])
    while queue:  # reference BFS on the triples
        s = queue.popleft()
        for d in (d for s2, _, d in rows if s2 == s and d not in distance):
            distance[d] = distance[s] + 1
            queue.append(d)
    assert {walk.states[k]: walk.level[k] for k in range(walk.num_states)} == distance
    assert list(walk.level) == sorted(walk.level)
    edges = set(rows)
    for k in range(walk.num_states):
        names, states = walk.full_path_to(k), walk.path_states(k)
        assert len(names) == walk.level[k]
        assert all((states[i], names[i], states[i + 1]) in edges
                   for i in range(len(names)))


def test_a_compiled_machines_batch_function_is_made_only_for_a_frontier_wide_enough() -> None:
    from procalg.api.model import loads
    from procalg.semantics.linear import Machine

    model = loads("channel v : {0..999}\nchannel d : {0..99}\nW = v?x -> W\n"
                  "P = d?x -> Q(x)\nQ(n) = d!n -> P")
    one = Machine(model.spec.evaluator, model.process("W"))
    assert explore(one).num_transitions == 1000
    assert "_vector" not in one.__dict__  # one state: its 1,000 offers listed once, not twice
    wide = Machine(model.spec.evaluator, model.process("P"))
    assert explore(wide).num_states == 101
    assert wide.__dict__["_vector"] is not None  # 100 states in a frontier: batched
