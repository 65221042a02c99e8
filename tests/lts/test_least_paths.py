"""The least of the shortest paths: one deadlock and one reachability witness,
whatever the engine and however the LTS is numbered or reduced."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import check_deadlock, check_deadlock_product
from procalg.checks.reachability import check_reachable, check_reachable_product
from procalg.lts import LTS, TICK
from procalg.lts.network import close, component, reduce_components
from tests.checks.test_deadlock import csp_lts


def _paths(lts: LTS, length: int) -> list[tuple[tuple[str, ...], int]]:
    """Every path of ``length`` moves from the initial state: labels and end."""
    out = [((), lts.initial)]
    for _ in range(length):
        out = [((*p, lts.labels[a]), d) for p, s in out for a, d in lts.successors(s)]
    return out


def _least_deadlock(lts: LTS) -> tuple[str, ...] | None:
    """The least (by names) of the shortest paths to a stuck state not entered by ✓,
    found by listing every path of each length."""
    for length in range(lts.num_states + 1):
        stuck = [p for p, s in _paths(lts, length) if not lts.successors(s)
                 and not (p and p[-1] == TICK)]
        if stuck:
            return min(stuck)
    return None


def _least_witness(lts: LTS, event: str) -> tuple[str, ...] | None:
    for length in range(lts.num_states + 1):
        ends = [(*p, event) for p, s in _paths(lts, length)
                if any(lts.labels[a] == event for a, _ in lts.successors(s))]
        if ends:
            return min(ends)
    return None


@settings(max_examples=200, deadline=None)
@given(csp_lts(), st.booleans())
def test_every_engine_shows_the_least_shortest_path_to_a_deadlock(lts: LTS,
                                                                  reduce: bool) -> None:
    net = close(component(lts))
    product = check_deadlock_product(reduce_components(net) if reduce else net)
    reference = check_deadlock(lts)
    expected = _least_deadlock(lts)
    for result in (product, reference):
        found = result.counterexample
        assert (None if found is None else found.full_path) == expected


@settings(max_examples=200, deadline=None)
@given(csp_lts(), st.sampled_from(["a", "b", "τ", TICK]), st.booleans())
def test_every_engine_shows_the_least_shortest_witness_of_an_event(lts: LTS, event: str,
                                                                   reduce: bool) -> None:
    net = close(component(lts))
    product = check_reachable_product(reduce_components(net) if reduce else net, event)
    reference = check_reachable(lts, event)
    expected = _least_witness(lts, event)
    for result in (product, reference):
        found = result.counterexample
        assert (None if found is None else found.full_path) == expected


def test_two_shortest_paths_hiding_different_events_give_the_least_by_names() -> None:
    # both deadlocks are two moves away: <a, τ> and <a, b>; "b" sorts before "τ"
    lts = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (1, "τ", 2), (1, "b", 3), (2, "a", 2)])
    stuck = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (1, "τ", 2), (1, "b", 3)])
    for system in (stuck, close(component(stuck))):
        check = check_deadlock if isinstance(system, LTS) else check_deadlock_product
        assert check(system).counterexample.full_path == ("a", "b")
    assert check_deadlock(lts).counterexample.full_path == ("a", "b")
