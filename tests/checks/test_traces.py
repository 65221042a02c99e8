"""``:[has trace]``: τ-closure between events, longest prefix on failure."""

import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.traces import check_has_trace, search_trace
from procalg.lts import LTS, TAU, TICK
from procalg.lts.exploration import Exploration


class Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


# a -> (b -> STOP |~| c -> SKIP), the internal choice as τ moves
F, FD = RefinementModel.FAILURES, RefinementModel.FAILURES_DIVERGENCES
CHOICE = LTS.build(6, 0, "abc", [(0, "a", 1), (1, TAU, 2), (1, TAU, 3), (2, "b", 4),
                                 (3, "c", 5), (5, TICK, 4)])


def test_tau_moves_are_free_between_events() -> None:
    result = check_has_trace(CHOICE, ["a", "c", TICK])
    assert result.passed
    assert result.counterexample.trace == ("a", "c", TICK)
    assert result.counterexample.full_path == ("a", TAU, "c", TICK)
    assert result.counterexample.states == (0, 1, 3, 5, 4)


def test_the_empty_trace_is_always_possible() -> None:
    result = check_has_trace(LTS.build(1, 0, [], []), [])
    assert result.passed and result.counterexample.full_path == ()


def test_failure_names_the_longest_prefix_and_what_was_offered_after_it() -> None:
    result = check_has_trace(CHOICE, ["a", "d", "b"])
    assert not result.passed
    cx = result.counterexample
    assert cx.trace == ("a",)
    assert cx.accepted == frozenset({"b", "c"})  # both sides of the internal choice
    assert cx.refused == frozenset({"d"})
    assert "offers {b, c}, not d" in cx.note


def test_nothing_is_offered_after_termination() -> None:
    cx = check_has_trace(CHOICE, ["a", "c", TICK, "a"]).counterexample
    assert cx.trace == ("a", "c", TICK) and cx.accepted == frozenset()


def test_events_may_be_given_as_event_like_objects() -> None:
    assert check_has_trace(CHOICE, [Named("a"), Named("b")]).passed
    assert not check_has_trace(CHOICE, [Named("b")]).passed


def test_search_trace_stops_at_a_custom_goal() -> None:
    walk = Exploration(CHOICE)
    search = search_trace(walk, ["a"], lambda state, done: state == 3 and done == 1)
    assert search.found == (walk.index[3], 1)
    assert search.full_path(search.found) == ("a", TAU)


@st.composite
def random_lts(draw: st.DrawFn) -> LTS:
    n = draw(st.integers(1, 7))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TICK, "a", "b"]), states),
                         max_size=2 * n + 3))
    return LTS.build(n, 0, ["a", "b"], rows)


def weak_traces(lts: LTS, length: int) -> set[tuple[str, ...]]:
    """Reference: every trace up to ``length`` by brute force over event sequences,
    with τ-closure from networkx's descendants on the τ-graph."""
    tau = nx.DiGraph()
    tau.add_nodes_from(range(lts.num_states))
    tau.add_edges_from((s, d) for s, lab, d in lts.triples() if lab == TAU)

    def close(states: set[int]) -> set[int]:
        return states.union(*(nx.descendants(tau, s) for s in states))

    found = set()
    for k in range(length + 1):
        for trace in itertools.product(["a", "b", TICK], repeat=k):
            current = close({lts.initial})
            for event in trace:
                current = close({d for s, lab, d in lts.triples() if s in current and lab == event})
            if current:
                found.add(trace)
    return found


@settings(max_examples=100, deadline=None)
@given(random_lts(), st.lists(st.sampled_from(["a", "b", TICK]), max_size=3))
def test_has_trace_agrees_with_brute_force_enumeration(lts: LTS, trace: list[str]) -> None:
    traces = weak_traces(lts, 3)
    result = check_has_trace(lts, trace)
    assert result.passed == (tuple(trace) in traces)
    cx = result.counterexample
    if result.passed:
        transitions = set(lts.triples())
        path = cx.full_path
        assert tuple(e for e in path if e != TAU) == tuple(trace)
        assert all((cx.states[i], path[i], cx.states[i + 1]) in transitions
                   for i in range(len(path)))
    else:
        done = len(cx.trace)
        assert cx.trace == tuple(trace[:done]) and cx.trace in traces
        assert tuple(trace[:done + 1]) not in traces
        offered = {e for e in ("a", "b", TICK) if (*cx.trace, e) in traces}
        assert cx.accepted == offered


# a -> DIV: the trace <a> is there, but no stable state follows it
DIVERGES = LTS.build(2, 0, "ab", [(0, "a", 1), (1, TAU, 1)])


def test_in_the_failures_model_a_trace_needs_a_stable_state_after_it() -> None:
    assert check_has_trace(DIVERGES, ["a"]).passed
    result = check_has_trace(DIVERGES, ["a"], model=F)
    assert not result.passed and "never stable" in result.message
    # after a, the internal choice resolves to a stable state
    assert check_has_trace(CHOICE, ["a"], model=F).passed


def test_in_failures_divergences_a_divergence_allows_every_continuation() -> None:
    assert check_has_trace(DIVERGES, ["a"], model=FD).passed
    result = check_has_trace(DIVERGES, ["a", "b", "b"], model=FD)
    assert result.passed and result.counterexample.trace == ("a",)
    assert not check_has_trace(DIVERGES, ["b"], model=FD).passed
    assert not check_has_trace(DIVERGES, ["a", "b"], model=F).passed


def _after(lts: LTS, tau: nx.DiGraph, trace: list[str]) -> set[int]:
    current = {lts.initial} | nx.descendants(tau, lts.initial)
    for event in trace:
        step = {d for s, lab, d in lts.triples() if s in current and lab == event}
        current = step.union(*(nx.descendants(tau, s) for s in step))
    return current


@settings(max_examples=100, deadline=None)
@given(random_lts(), st.lists(st.sampled_from(["a", "b", TICK]), max_size=3))
def test_has_trace_in_f_and_fd_agrees_with_the_failures_by_brute_force(
        lts: LTS, trace: list[str]) -> None:
    tau = nx.DiGraph()
    tau.add_nodes_from(range(lts.num_states))
    tau.add_edges_from((s, d) for s, lab, d in lts.triples() if lab == TAU)
    stable = any(tau.out_degree(s) == 0 for s in _after(lts, tau, trace))
    diverges = any(s == t or s in nx.descendants(tau, t) for k in range(len(trace) + 1)
                   for s in _after(lts, tau, trace[:k]) for t in tau.successors(s))
    assert check_has_trace(lts, trace, model=F).passed == stable
    assert check_has_trace(lts, trace, model=FD).passed == (stable or diverges)


def test_in_fd_the_witness_stops_at_the_first_state_that_can_diverge() -> None:
    # a, then τ to a τ-self-loop: the state after a is on no cycle but can do τ
    # for ever, which strong bisimulation keeps (a reduced product agrees)
    lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, TAU, 2), (2, TAU, 2)])
    result = check_has_trace(lts, ["a", "b"], model=FD)
    assert result.passed and result.counterexample.full_path == ("a",)
    assert "diverges after 1 of the events" in result.counterexample.note
