"""``:[deadlock free]``: shortest counterexamples, termination is not deadlock."""

from collections import deque
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import check_deadlock, check_deadlock_product
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, TICK, ExplicitSystem, explore
from procalg.lts.network import close, component, reduce_components


class Graph:
    def __init__(self, start: str, edges: dict[str, list[tuple[str, str]]]) -> None:
        self.start, self.edges, self.expanded = start, edges, []

    def initial_state(self) -> str:
        return self.start

    def successors(self, state: str) -> Iterable[tuple[str, str]]:
        self.expanded.append(state)
        return self.edges.get(state, [])


def test_stop_deadlocks_at_once_with_the_empty_trace() -> None:
    result = check_deadlock(LTS.build(1, 0, [], []))
    assert not result.passed
    assert result.counterexample.trace == () and result.counterexample.states == (0,)


def test_skip_terminates_and_is_not_a_deadlock() -> None:
    result = check_deadlock(LTS.build(2, 0, [], [(0, TICK, 1)]))  # SKIP -✓-> Ω
    assert result.passed and result.counterexample is None
    assert (result.stats.states, result.stats.transitions) == (2, 1)


def test_a_then_skip_on_the_fly_terminates() -> None:
    system = Graph("a -> SKIP", {"a -> SKIP": [("a", "SKIP")], "SKIP": [(TICK, "Ω")]})
    assert check_deadlock(system).passed


def test_the_shortest_of_two_deadlocks_is_reported() -> None:
    # P = a -> b -> c -> STOP [] d -> (e -> STOP [] f -> P)
    lts = LTS.build(6, 0, "abcdef", [(0, "a", 1), (1, "b", 2), (2, "c", 3), (0, "d", 4),
                                     (4, "e", 5), (4, "f", 0)])
    result = check_deadlock(lts)
    assert not result.passed
    assert result.counterexample.trace == ("d", "e")


def test_tau_is_left_out_of_the_trace_but_kept_in_the_full_path() -> None:
    # (a -> STOP |~| b -> c -> SKIP) [] d -> STOP, the internal choice as τ moves
    system = Graph("P", {"P": [(TAU, "a->STOP"), (TAU, "b->c->SKIP"), ("d", "STOP")],
                         "a->STOP": [("a", "STOP")], "b->c->SKIP": [("b", "c->SKIP")],
                         "c->SKIP": [("c", "SKIP")], "SKIP": [(TICK, "Ω")]})
    result = check_deadlock(system)
    assert result.counterexample.trace == ("d",)  # one step beats τ, a
    assert result.counterexample.full_path == ("d",)
    internal = Graph("Q", {"Q": [(TAU, "a->STOP"), (TAU, "SKIP")], "a->STOP": [("a", "STOP")],
                           "SKIP": [(TICK, "Ω")]})
    result = check_deadlock(internal)
    assert result.counterexample.trace == ("a",)
    assert result.counterexample.full_path == (TAU, "a")
    assert len(result.counterexample.states) == 3


def test_the_search_stops_at_the_first_deadlock_of_an_infinite_system() -> None:
    class Counter:  # n -up-> n+1, and 3 -jam-> stuck
        def initial_state(self) -> int:
            return 0

        def successors(self, n: object) -> list[tuple[str, object]]:
            if n == "jammed":
                return []
            assert isinstance(n, int)
            return [("up", n + 1), ("jam", "jammed")] if n == 3 else [("up", n + 1)]

    result = check_deadlock(Counter())
    assert result.counterexample.trace == ("up", "up", "up", "jam")
    assert result.stats.states <= 7


def test_a_system_without_deadlock_that_never_ends_hits_the_state_limit() -> None:
    class Naturals:
        def initial_state(self) -> int:
            return 0

        def successors(self, n: int) -> list[tuple[str, int]]:
            return [("up", n + 1)]

    with pytest.raises(LimitExceeded, match="more than 50 states"):
        check_deadlock(Naturals(), max_states=50)


def test_a_cycle_with_no_stuck_state_is_deadlock_free() -> None:
    assert check_deadlock(LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])).passed


def test_an_explicit_state_entered_by_tick_from_later_in_bfs_order_is_terminated() -> None:
    # 0 -a-> 1 (stuck) and 0 -b-> 2 -c-> 3 -✓-> 1: state 1 was entered by ✓
    lts = LTS.build(4, 0, "abc", [(0, "a", 1), (0, "b", 2), (2, "c", 3), (3, TICK, 1)])
    assert check_deadlock(ExplicitSystem(lts)).passed


@st.composite
def random_lts(draw: st.DrawFn) -> LTS:
    n = draw(st.integers(1, 8))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TICK, "a", "b"]), states),
                         max_size=2 * n + 2))
    return LTS.build(n, 0, ["a", "b"], rows)


def shortest_distance_to_deadlock(lts: LTS) -> tuple[int | None, set[int]]:
    """Reference: plain BFS over the triples; the distance (None if no deadlock is
    reachable) and the reachable deadlocks (stuck, not entered by a reachable ✓)."""
    rows = list(lts.triples())
    distance, queue = {lts.initial: 0}, deque([lts.initial])
    while queue:
        s = queue.popleft()
        for src, _, dst in rows:
            if src == s and dst not in distance:
                distance[dst] = distance[s] + 1
                queue.append(dst)
    ticked = {d for s, lab, d in rows if lab == TICK and s in distance}
    stuck = {s for s in distance if s not in ticked and all(r[0] != s for r in rows)}
    return min((distance[s] for s in stuck), default=None), stuck


@settings(max_examples=200, deadline=None)
@given(random_lts())
def test_verdict_agrees_with_deadlocks_of_the_explored_lts(lts: LTS) -> None:
    result = check_deadlock(lts)
    explored = explore(lts)
    assert result.passed == (explored.deadlocks() == [])
    assert (result.stats.states == explored.num_states) or not result.passed


@settings(max_examples=200, deadline=None)
@given(random_lts())
def test_the_counterexample_is_a_real_path_to_a_deadlock_and_no_shorter_one_exists(
        lts: LTS) -> None:
    result = check_deadlock(lts)
    expected, stuck = shortest_distance_to_deadlock(lts)
    assert (expected is None) == result.passed
    if result.passed:
        return
    cx = result.counterexample
    path, states = cx.full_path, cx.states
    assert len(path) == expected and len(states) == len(path) + 1
    assert states[0] == lts.initial and states[-1] in stuck
    transitions = set(lts.triples())
    assert all((states[i], path[i], states[i + 1]) in transitions for i in range(len(path)))
    assert cx.trace == tuple(name for name in path if name != TAU)


def test_a_tick_from_an_unreachable_state_does_not_make_a_stuck_state_terminated() -> None:
    lts = LTS.build(2, 0, [], [(1, TICK, 0)])  # 0 is STOP; 1 -✓-> 0 is unreachable
    assert lts.deadlocks() == []  # the whole-LTS view calls 0 terminated
    assert not check_deadlock(lts).passed


@st.composite
def csp_lts(draw: st.DrawFn) -> LTS:
    """A random LTS of CSP's shape: ✓ leads only into Ω (state n), which has no move."""
    n = draw(st.integers(1, 8))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TICK, "a", "b"]), states),
                         max_size=2 * n + 2))
    return LTS.build(n + 1, 0, ["a", "b"],
                     [(s, lab, n if lab == TICK else d) for s, lab, d in rows])


@settings(max_examples=200, deadline=None)
@given(csp_lts(), st.booleans())
def test_both_engines_answer_the_one_property_with_the_same_verdict_and_path_length(
        lts: LTS, reduce: bool) -> None:
    net = close(component(lts))
    product = check_deadlock_product(reduce_components(net) if reduce else net)
    reference = check_deadlock(lts)
    assert product.verdict == reference.verdict and product.message[:8] == reference.message[:8]
    if not reference.passed:
        assert len(product.counterexample.full_path) == len(reference.counterexample.full_path)
        assert product.counterexample.note == reference.counterexample.note
    assert product.stats.extra["engine"] == "product"


def test_a_stuck_state_is_told_terminated_from_its_digits_not_its_predecessors(monkeypatch):
    # 34 small control components: the moves into a stuck code by every rule were
    # 2^23 per code (26 s, over 2 GB); whether a ✓ entered it is read off its digits
    # (found by tests/api/test_check_engines.py)
    from procalg.api.model import loads
    from procalg.api.search import SearchOptions, deadlock
    from procalg.lts import path_cones, vectors

    model = loads("channel a, b, c\nchannel d : {0..3}\n"
                  "L(n) = (STOP [] (a -> SKIP [| {| d |} |] SKIP))\nP(n) = c -> L(3)\n"
                  "T = ((((P(1) [| {a} |] L(0)) \\ {| d |}) [| {a, b} |] ((L(0) [| {| d |} |] "
                  "a -> SKIP) ; (L(0) ; L(0)))) /\\ (a -> STOP [] (SKIP \\ {a, b})))\n")
    forward = vectors.Tables.successors

    def no_backward(self, codes, *, backward=False):
        assert not backward, "the stuck codes' predecessors were asked for"
        return forward(self, codes)

    monkeypatch.setattr(vectors.Tables, "successors", no_backward)
    # the trace's rebuild steps backwards only through candidates it counted as few
    # (lts/path_cones.py): sent forwards here, so any backward call is the stuck test's
    monkeypatch.setattr(path_cones, "BACKWARD", 0)
    result = deadlock(model, "T", SearchOptions())
    assert result.stats.extra["engine"] == "product"
    assert (result.passed, result.counterexample.trace) == (False, ("a",))
