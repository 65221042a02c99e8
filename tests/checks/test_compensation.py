"""``:[compensation complete]`` and the outcomes of terminal states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import load, loads
from procalg.api.search import CheckEngine, SearchOptions, compensation
from procalg.checks.compensation import (
    WATCHED,
    census_outcomes,
    check_compensation,
    check_compensation_product,
    terminal_outcomes,
)
from procalg.lts import LTS, TAU, TICK
from procalg.lts.census import take_census
from procalg.lts.network import close, component, parallel
from procalg.lts.partition import bfs_renumber
from procalg.lts.product import explore_product
from tests.lts.test_product import _replay

MODELS = Path(__file__).resolve().parents[2] / "models"
SAGA_MODELS = ["order_saga", "trip_booking", "approval", "broken_saga"]
EXPECT = re.compile(r"^-- expect:\s*(\w+)\s*:\[compensation complete\]\s*=>\s*(pass|fail)\s*$")


def test_a_saga_without_markers_of_undone_steps_passes_on_an_explicit_lts() -> None:
    lts = LTS.build(4, 0, [], [(0, "a", 1), (1, "fail.b", 2), (2, "compensate", 3),
                               (3, "ua", 0)])
    result = check_compensation(lts)
    assert result.passed and result.stats.states == 4


def test_the_shortest_trace_to_a_stranded_step_is_the_counterexample() -> None:
    lts = LTS.build(6, 0, [], [(0, "a", 1), (1, "b", 2), (2, "stranded.b", 3),
                               (0, "c", 4), (4, "stranded.c", 5)])
    result = check_compensation(lts)
    assert not result.passed
    assert result.counterexample.trace == ("c", "stranded.c")
    assert result.message == "c is left done: it has no undo and a later step failed"


def test_a_pivot_followed_by_a_fallible_step_fails_naming_the_pivot() -> None:
    model = load(MODELS / "broken_saga.proc")
    result = check_compensation(model.system("Order"))
    assert not result.passed
    assert result.counterexample.trace == (
        "reserve", "charge", "fail.ship", "compensate", "stranded.charge")


def test_a_compensation_that_can_fail_is_a_violation_naming_its_step() -> None:
    model = load(MODELS / "broken_saga.proc")
    result = check_compensation(model.system("Shaky"))
    assert not result.passed
    assert result.counterexample.trace == (
        "reserve", "charge", "fail.ship", "compensate", "fail.refund", "unreverted.charge")
    assert result.message == "charge is left done: its compensation can fail"


def test_a_compensation_that_can_fail_but_never_runs_is_no_violation() -> None:
    model = loads("activity a, ua\nchannel b\nP = saga (a undo ua ; b)\n")
    assert check_compensation(model.system("P")).passed


def test_a_pivot_as_the_last_step_is_fine() -> None:
    model = loads("activity a, b, c\nactivity ua, ub never fails\n"
                  "P = saga (a undo ua ; b undo ub ; c)\n")
    assert check_compensation(model.system("P")).passed


MARKERS = ["stranded.x", "unreverted.y", "stranded.z"]


@st.composite
def marked_lts(draw: st.DrawFn) -> LTS:
    """A random LTS of CSP's shape (✓ only into Ω) with a few marker events,
    numbered breadth first as the term-level rules number what they explore (the
    product breaks a tie between markers one BFS level apart by state code)."""
    n = draw(st.integers(1, 7))
    states = st.integers(0, n - 1)
    labels = st.sampled_from([TAU, TICK, "a", "b", "a", "b", *MARKERS])
    rows = draw(st.lists(st.tuples(states, labels, states), max_size=2 * n + 2))
    return bfs_renumber(LTS.build(n + 1, 0, ["a", "b", *MARKERS],
                                  [(s, x, n if x == TICK else d) for s, x, d in rows]))


def _markers_at(lts: LTS, depth: int) -> set[str]:
    """The markers some path of ``depth`` moves (τ counted) can do next."""
    here, seen = {lts.initial}, {lts.initial}
    for _ in range(depth):
        here = {d for s in here for _, d in lts.successors(s)} - seen
        seen |= here
    return {lts.labels[x] for s in here for x, _ in lts.successors(s)} & set(MARKERS)


@settings(max_examples=200, deadline=None)
@given(marked_lts(), marked_lts())
def test_the_product_finds_a_shortest_marker_as_the_term_level_search_does(
        left: LTS, right: LTS) -> None:
    reference = check_compensation(left)
    product = check_compensation_product(close(component(left)))
    assert product.verdict == reference.verdict
    if reference.passed:
        assert product.message == reference.message and product.counterexample is None
        return
    rc, pc = reference.counterexample, product.counterexample
    assert len(pc.full_path) == len(rc.full_path) and len(pc.trace) == len(rc.trace)
    assert pc.full_path[-1] in _markers_at(left, len(pc.full_path) - 1)
    assert _replay(left, pc.full_path)
    assert pc.trace == tuple(x for x in pc.full_path if x != TAU)
    if pc.full_path[-1] == rc.full_path[-1]:
        assert (product.message, pc.note) == (reference.message, rc.note)
    # interleaved with a second saga: the nearer of the two markers
    alone = [r for r in (reference, check_compensation(right)) if not r.passed]
    both = check_compensation_product(close(parallel(component(left), component(right),
                                                     set())))
    nearest = min(len(r.counterexample.full_path) for r in alone)
    assert len(both.counterexample.full_path) == nearest


@pytest.mark.parametrize("name", SAGA_MODELS)
def test_saga_models_on_the_product_engine_give_the_reference_counterexamples(name: str) -> None:
    model = load(MODELS / f"{name}.proc")
    for assertion in model.assertions:
        if "compensation complete" not in assertion.text:
            continue
        process = assertion.property.process
        product = compensation(model, process, SearchOptions())
        reference = compensation(model, process, SearchOptions(engine=CheckEngine.REFERENCE))
        assert product.stats.extra["engine"] == "product"
        assert reference.stats.extra["engine"] == "reference"
        assert (product.verdict, product.message) == (reference.verdict, reference.message)
        if not reference.passed:
            assert product.counterexample.trace == reference.counterexample.trace


@pytest.mark.parametrize("name", SAGA_MODELS)
def test_saga_models_give_the_compensation_verdicts_their_headers_state(name: str) -> None:
    path = MODELS / f"{name}.proc"
    expected = [m.groups() for line in path.read_text().splitlines()
                if (m := EXPECT.match(line))]
    assert expected, f"{name} states no compensation verdict"
    model = load(path)
    for process, verdict in expected:
        result = check_compensation(model.system(process))
        assert ("pass" if result.passed else "fail") == verdict, (process, result.message)


def test_terminal_states_are_classified_by_how_runs_end() -> None:
    model = loads("activity a\nchannel ua, d\n"
                  "P = saga (a undo ua) ; d -> STOP\nQ = a -> SKIP\nR = saga (a undo ua)\n")
    p = terminal_outcomes(model.lts("P"))
    assert sorted(map(sorted, p.values())) == [["deadlocked"]]  # both outcomes go on to d
    q = terminal_outcomes(model.lts("Q"))
    assert sorted(map(sorted, q.values())) == [["completed"], ["failed"]]
    r = terminal_outcomes(model.lts("R"))
    assert sorted(map(sorted, r.values())) == [["compensated", "completed"]]


@st.composite
def _ending_lts(draw, most: int = 6, sink: bool = False) -> LTS:
    """A small LTS whose moves include ✓, throw and compensated, some states
    unreachable; with ``sink``, every ✓ enters one extra state (a component's Ω)."""
    n = draw(st.integers(1, most))
    names = ["a", TICK, "throw", "compensated"]
    moves = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(names),
                                    st.integers(0, n - 1)), max_size=10))
    if sink:
        return LTS.build(n + 1, 0, ["a", "throw", "compensated"],
                         [(s, name, n if name == TICK else d) for s, name, d in moves])
    return LTS.build(n, 0, ["a", "throw", "compensated"], moves)


def _outcomes_state_by_state(lts: LTS) -> dict[int, frozenset[str]]:
    """terminal_outcomes' definition, read one reachable terminal state at a time."""
    reach = lts.reachable()
    moves = [(s, lts.labels[k], d) for s, k, d in zip(lts.src.tolist(), lts.label.tolist(),
                                                      lts.dst.tolist(), strict=True)
             if reach[s]]
    entered_by_compensated = {d for _, name, d in moves if name == "compensated"}
    found = {}
    for state in range(lts.num_states):
        if not reach[state] or any(s == state for s, _, _ in moves):
            continue
        kinds = {"failed" if name == "throw" else
                 "compensated" if s in entered_by_compensated else "completed"
                 for s, name, d in moves if d == state and name in ("throw", TICK)}
        found[state] = frozenset(kinds or {"deadlocked"})
    return found


@settings(max_examples=150, deadline=None)
@given(_ending_lts())
def test_terminal_outcomes_read_only_transitions_into_terminal_states_as_the_definition_says(
        lts: LTS) -> None:
    assert terminal_outcomes(lts) == _outcomes_state_by_state(lts)


@settings(max_examples=150, deadline=None)
@given(_ending_lts(4, sink=True), _ending_lts(4, sink=True),
       st.sampled_from([set(), {"a"}, {"a", "throw"}]))
def test_a_census_tells_how_runs_end_as_the_explored_product_does(
        left: LTS, right: LTS, sync: set[str]) -> None:
    net = close(parallel(component(left), component(right), sync))
    census = take_census(net, WATCHED)
    ended = sorted(sorted(o) for o in census_outcomes(census).values())
    assert ended == sorted(sorted(o) for o in terminal_outcomes(explore_product(net)).values())


def test_a_census_of_a_product_with_cancel_is_refused_for_the_whole_lts() -> None:
    p = LTS.build(3, 0, ["cancel"], [(0, "cancel", 1), (1, TICK, 2)])
    with pytest.raises(ValueError, match="build the LTS"):
        census_outcomes(take_census(close(component(p)), WATCHED))
