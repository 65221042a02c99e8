"""The least of the shortest paths: one deadlock, reachability and trace witness,
whatever the engine and however the LTS is numbered or reduced."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.deadlock import check_deadlock, check_deadlock_product
from procalg.checks.reachability import check_reachable, check_reachable_product
from procalg.checks.traces import check_has_trace, check_has_trace_product
from procalg.lts import LTS, TAU, TICK, explore
from procalg.lts.network import close, component, reduce_components
from tests.checks.test_deadlock import csp_lts
from tests.lts.test_product import EVENTS, Tree, _network, trees


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


def _diverges(lts: LTS, state: int) -> bool:
    """τ for ever from ``state``: a τ-path as long as the LTS returns to a state."""
    here = {state}
    for _ in range(lts.num_states):
        here = {d for s in here for x, d in lts.successors(s) if lts.labels[x] == TAU}
    return bool(here)


def _least_trace_witness(lts: LTS, trace: tuple[str, ...], model: RefinementModel
                         ) -> tuple[str, ...] | None:
    """The least of the shortest paths following ``trace`` (τ anywhere) to a pair
    (state, events done) that shows it in ``model``, found by listing every
    label sequence of each length (per pair reached)."""
    def shows(state: int, done: int) -> bool:
        stable = all(lts.labels[x] != TAU for x, _ in lts.successors(state))
        whole = done == len(trace) and (model is RefinementModel.TRACES or stable)
        return whole or (model is RefinementModel.FAILURES_DIVERGENCES and _diverges(lts, state))

    reached: dict[tuple[int, int], set[tuple[str, ...]]] = {(lts.initial, 0): {()}}
    for _ in range(lts.num_states * (len(trace) + 1) + 1):
        ends = [p for (s, done), paths in reached.items() if shows(s, done) for p in paths]
        if ends:
            return min(ends)
        after: dict[tuple[int, int], set[tuple[str, ...]]] = {}
        for (s, done), paths in reached.items():
            for x, d in lts.successors(s):
                name = lts.labels[x]
                step = done if name == TAU else done + 1 if (
                    done < len(trace) and name == trace[done]) else None
                if step is not None:
                    after.setdefault((d, step), set()).update((*p, name) for p in paths)
        reached = after
    return None


@settings(max_examples=150, deadline=None)
@given(trees(), st.lists(st.sampled_from(EVENTS), max_size=3).map(tuple),
       st.sampled_from([RefinementModel.TRACES, RefinementModel.FAILURES,
                        RefinementModel.FAILURES_DIVERGENCES]), st.booleans())
def test_every_engine_shows_the_least_shortest_witness_of_a_trace(
        tree: object, trace: tuple[str, ...], model: RefinementModel, reduce: bool) -> None:
    # the term rules list moves in their own order, the product by codes: neither
    # is the order of names
    net = close(_network(tree))
    product = check_has_trace_product(reduce_components(net) if reduce else net, trace,
                                      model=model)
    expected = _least_trace_witness(explore(Tree(tree)), trace, model)
    for result in (product, check_has_trace(Tree(tree), trace, model=model)):
        assert (result.counterexample.full_path if result.passed else None) == expected
