"""``:[reachable e]``: a shortest witness on pass, the state count on failure."""

from collections import deque
from collections.abc import Iterable

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.reachability import check_reachable, check_reachable_product
from procalg.checks.traces import check_has_trace
from procalg.lts import LTS, TAU, TICK, explore
from procalg.lts.network import close, component
from tests.checks.test_deadlock import csp_lts


def test_the_witness_is_the_shortest_trace_ending_in_the_event() -> None:
    # P = a -> b -> done -> STOP [] c -> done -> STOP
    lts = LTS.build(5, 0, ["a", "b", "c", "done"], [(0, "a", 1), (1, "b", 2), (2, "done", 3),
                                                  (0, "c", 4), (4, "done", 3)])
    result = check_reachable(lts, "done")
    assert result.passed
    assert result.counterexample.trace == ("c", "done")
    assert result.counterexample.states == (0, 4, 3)


def test_tau_is_counted_in_the_path_but_left_out_of_the_trace() -> None:
    lts = LTS.build(3, 0, ["a", "b"], [(0, TAU, 1), (1, "a", 2), (0, "b", 0)])
    cx = check_reachable(lts, "a").counterexample
    assert cx.trace == ("a",) and cx.full_path == (TAU, "a")


def test_an_unreachable_event_fails_and_says_how_many_states_were_searched() -> None:
    lts = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (1, "a", 0), (2, "b", 3)])
    result = check_reachable(lts, "b")  # b only leaves the unreachable state 2
    assert not result.passed and result.counterexample is None
    assert result.message == "b is unreachable in 2 states"
    assert result.stats.states == 2


def test_termination_can_be_asked_for() -> None:
    lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, TICK, 2)])
    assert check_reachable(lts, TICK).counterexample.trace == ("a", TICK)


def test_negation_keeps_the_witness_as_the_counterexample() -> None:
    negated = check_reachable(LTS.build(2, 0, ["a"], [(0, "a", 1)]), "a").negated()
    assert not negated.passed and negated.counterexample.trace == ("a",)


def test_the_search_stops_at_the_first_occurrence_in_an_infinite_system() -> None:
    class Naturals:
        def initial_state(self) -> int:
            return 0

        def successors(self, n: int) -> Iterable[tuple[str, int]]:
            return [("up", n + 1), ("ring", n)] if n == 4 else [("up", n + 1)]

    result = check_reachable(Naturals(), "ring")
    assert result.counterexample.trace == ("up",) * 4 + ("ring",)
    assert result.stats.states == 6


@st.composite
def random_lts(draw: st.DrawFn) -> LTS:
    n = draw(st.integers(1, 8))
    states = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(states, st.sampled_from([TAU, TICK, "a", "b"]), states),
                         max_size=2 * n + 2))
    return LTS.build(n, 0, ["a", "b"], rows)


@settings(max_examples=200, deadline=None)
@given(random_lts(), st.sampled_from(["a", "b", TICK]))
def test_reachable_iff_the_event_labels_a_reachable_transition(lts: LTS, event: str) -> None:
    explored = explore(lts)
    result = check_reachable(lts, event)
    assert result.passed == any(lab == event for _, lab, _ in explored.triples())
    if not result.passed:
        return
    cx = result.counterexample
    assert cx.trace[-1] == event and check_has_trace(lts, cx.trace).passed
    distance, queue = {0: 0}, deque([0])  # reference BFS to the nearest source of event
    nearest = None
    while queue and nearest is None:
        s = queue.popleft()
        for src, lab, dst in lts.triples():
            if src == s and lab == event:
                nearest = distance[s] + 1
            if src == s and dst not in distance:
                distance[dst] = distance[s] + 1
                queue.append(dst)
    assert len(cx.full_path) == nearest


def test_an_unknown_verdict_stays_unknown_under_not() -> None:
    from procalg.checks.result import CheckResult, Verdict

    unknown = CheckResult(Verdict.UNKNOWN, message="unknown after depth 3")
    assert unknown.negated().verdict is Verdict.UNKNOWN
    assert not unknown.passed and not unknown.negated().passed


@settings(max_examples=200, deadline=None)
@given(csp_lts(), st.sampled_from(["a", "b", "c", TICK]))
def test_both_engines_answer_the_one_property_with_the_same_verdict_and_path_length(
        lts: LTS, event: str) -> None:
    product = check_reachable_product(close(component(lts)), event)
    reference = check_reachable(lts, event)
    assert product.verdict == reference.verdict and product.stats.extra["engine"] == "product"
    if reference.passed:
        assert len(product.counterexample.full_path) == len(reference.counterexample.full_path)
        assert product.counterexample.full_path[-1] == event
    else:
        assert ("no rule can show c" in product.stats.extra["notes"]) == (event == "c")
