"""``:[deterministic]``: FDR's failures-divergences determinism on hand-drawn LTSs.

Each LTS is the operational semantics of the CSP process in the test's
comment, drawn by hand (internal choice as two τ moves, SKIP as ✓ to Ω).
"""

import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.determinism import check_determinism
from procalg.checks.divergence import check_divergence
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, TICK


def build(n: int, rows: list[tuple[int, str, int]]) -> LTS:
    return LTS.build(n, 0, [], rows)


def test_external_choice_of_different_events_is_deterministic() -> None:
    result = check_determinism(build(3, [(0, "a", 1), (0, "b", 2)]))  # a -> STOP [] b -> STOP
    assert result.passed and result.counterexample is None


def test_external_choice_of_the_same_event_with_different_futures_is_not() -> None:
    # a -> STOP [] a -> b -> STOP: after <a>, b can happen and can be refused
    result = check_determinism(build(4, [(0, "a", 1), (0, "a", 2), (2, "b", 3)]))
    assert not result.passed
    cx = result.counterexample
    assert cx.trace == ("a",)
    assert cx.refused == frozenset({"b"}) and cx.accepted == frozenset({"b"})
    assert cx.full_path == ("a",) and cx.states == (0, 1)  # the refusing behaviour
    assert "path a, b" in cx.note  # the accepting behaviour


def test_internal_choice_between_different_events_is_not_deterministic() -> None:
    # a -> STOP |~| b -> STOP: the empty trace, a offered by one side, refused by the other
    result = check_determinism(build(5, [(0, TAU, 1), (0, TAU, 2), (1, "a", 3), (2, "b", 4)]))
    cx = result.counterexample
    assert cx.trace == () and cx.refused == frozenset({"a"})
    assert cx.full_path == (TAU,) and cx.states == (0, 2)


def test_internal_choice_between_equal_processes_is_deterministic() -> None:
    # a -> STOP |~| a -> STOP
    assert check_determinism(build(5, [(0, TAU, 1), (0, TAU, 2), (1, "a", 3), (2, "a", 4)])).passed


def test_nondeterminism_after_a_prefix_gets_the_shortest_trace() -> None:
    # c -> c -> (a -> b -> STOP |~| a -> d -> STOP) [] e -> (b -> STOP |~| d -> STOP)
    rows = [(0, "c", 1), (1, "c", 2), (2, TAU, 3), (2, TAU, 4), (3, "a", 5), (4, "a", 6),
            (5, "b", 7), (6, "d", 8), (0, "e", 9), (9, TAU, 10), (9, TAU, 11),
            (10, "b", 12), (11, "d", 13)]
    cx = check_determinism(build(14, rows)).counterexample
    assert cx.trace == ("e",) and cx.refused == frozenset({"b"})


def test_unobservable_tau_steps_do_not_make_a_process_nondeterministic() -> None:
    # (a -> c -> b -> STOP) \ {c}, and μP. a -> P
    assert check_determinism(build(4, [(0, "a", 1), (1, TAU, 2), (2, "b", 3)])).passed
    result = check_determinism(build(1, [(0, "a", 0)]))
    assert result.passed and result.stats.extra["normal_form_nodes"] == 1


def test_skip_is_deterministic_and_skip_or_stop_is_not() -> None:
    assert check_determinism(build(2, [(0, TICK, 1)])).passed
    # SKIP |~| STOP: ✓ is possible and STOP refuses it
    cx = check_determinism(build(4, [(0, TAU, 1), (0, TAU, 2), (1, TICK, 3)])).counterexample
    assert cx.trace == () and cx.refused == frozenset({TICK}) and cx.states == (0, 2)


def test_a_process_that_can_terminate_can_refuse_every_other_event() -> None:
    # a -> STOP [] SKIP: Roscoe's failures let the terminating state refuse Σ
    cx = check_determinism(build(3, [(0, "a", 1), (0, TICK, 2)])).counterexample
    assert cx.trace == () and cx.refused == frozenset({"a"})
    assert "can terminate" in cx.note


def test_divergence_after_termination_does_not_count() -> None:
    # an LTS no CSP term has: Ω -τ-> Ω after SKIP; divergence traces are ✓-free
    assert check_determinism(build(2, [(0, TICK, 1), (1, TAU, 1)])).passed


def test_a_divergent_process_is_reported_as_nondeterministic_with_its_cycle() -> None:
    # a -> DIV, DIV = (μX. b -> b -> X) \ {b}: minimised, a τ self-loop
    result = check_determinism(build(3, [(0, "a", 1), (1, TAU, 2), (2, TAU, 1)]))
    cx = result.counterexample
    assert not result.passed
    assert cx.trace == ("a",) and cx.cycle == (TAU,) and cx.full_path == ("a",)
    assert "diverges" in cx.note


# --- properties on random LTSs, against a brute-force reading of the definition


@st.composite
def random_lts(draw: st.DrawFn) -> LTS:
    n = draw(st.integers(1, 6))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TICK, "a", "b"]), states),
                         max_size=2 * n + 2))
    return LTS.build(n, 0, ["a", "b"], rows)


class Reference:
    """Traces, τ-closures and refusals computed directly with networkx."""

    def __init__(self, lts: LTS) -> None:
        self.rows = list(lts.triples())
        self.tau = nx.DiGraph()
        self.tau.add_nodes_from(range(lts.num_states))
        self.tau.add_edges_from((s, d) for s, lab, d in self.rows if lab == TAU)
        self.initial = lts.initial

    def after(self, trace: tuple[str, ...]) -> set[int]:
        current = self.close({self.initial})
        for event in trace:
            current = self.close({d for s, lab, d in self.rows if s in current and lab == event})
        return current

    def close(self, states: set[int]) -> set[int]:
        return states.union(*(nx.descendants(self.tau, s) for s in states))

    def initials(self, state: int) -> set[str]:
        return {lab for s, lab, _ in self.rows if s == state}

    def refuses(self, state: int, event: str) -> bool:
        init = self.initials(state)
        stable = TAU not in init
        return (stable and event not in init) or (event != TICK and TICK in init)

    def clash(self, trace: tuple[str, ...], event: str) -> bool:
        states = self.after(trace)
        return (any(event in self.initials(s) for s in states)
                and any(self.refuses(s, event) for s in states))


@settings(max_examples=150, deadline=None)
@given(random_lts())
def test_a_pass_means_no_divergence_and_no_clash_on_short_traces(lts: LTS) -> None:
    result = check_determinism(lts)
    # nothing counts after ✓ (divergence traces are ✓-free): drop the ✓ moves
    before_tick = LTS.build(lts.num_states, lts.initial, [],
                            [t for t in lts.triples() if t[1] != TICK])
    if not check_divergence(before_tick).passed:
        assert not result.passed
    if not result.passed:
        return
    ref = Reference(lts)
    for k in range(3):
        for trace in itertools.product(["a", "b"], repeat=k):
            for event in ("a", "b", TICK):
                assert not ref.clash(trace, event)


@settings(max_examples=150, deadline=None)
@given(random_lts())
def test_a_failure_is_a_genuine_clash_or_divergence(lts: LTS) -> None:
    result = check_determinism(lts)
    if result.passed:
        return
    ref = Reference(lts)
    cx = result.counterexample
    transitions = set(ref.rows)
    path = cx.full_path
    assert all((cx.states[i], path[i], cx.states[i + 1]) in transitions for i in range(len(path)))
    assert tuple(e for e in path if e != TAU) == cx.trace
    end = cx.states[-1]
    if cx.cycle is not None:  # on a τ-cycle minimised: it reaches one (maybe a τ on)
        cyclic = {x for c in nx.strongly_connected_components(ref.tau) if len(c) > 1 for x in c}
        cyclic |= {x for x in ref.tau if ref.tau.has_edge(x, x)}
        assert end in ref.tau and ({end} | nx.descendants(ref.tau, end)) & cyclic
    else:
        (event,) = cx.refused
        assert ref.clash(cx.trace, event) and ref.refuses(end, event)


class Counter:
    """n -up-> n+1 forever; at ``fork`` also up -> a dead end (nondeterministic on up)."""

    def __init__(self, fork: int | None) -> None:
        self.fork = fork

    def initial_state(self) -> int:
        return 0

    def successors(self, n: object) -> list[tuple[str, object]]:
        if n == "dead":
            return []
        assert isinstance(n, int)
        return [("up", n + 1), ("up", "dead")] if n == self.fork else [("up", n + 1)]


def test_normalisation_is_on_the_fly_and_stops_at_the_first_clash() -> None:
    result = check_determinism(Counter(fork=3))
    assert result.counterexample.trace == ("up",) * 4
    assert result.counterexample.refused == frozenset({"up"})
    assert result.stats.states <= 7


def test_an_infinite_deterministic_system_hits_the_state_limit() -> None:
    with pytest.raises(LimitExceeded):
        check_determinism(Counter(fork=None), max_states=100)
