"""The paths a failing determinism check shows are the least of the shortest,
whatever order an engine numbers and meets states in (docs/checks.md, "Which
counterexample procalg shows")."""

from __future__ import annotations

from hypothesis import given, settings

from procalg.checks import determinism_paths
from procalg.checks.determinism import check_determinism, check_determinism_product
from procalg.checks.determinism_paths import clash_paths, divergence_path
from procalg.checks.result import CheckResult
from procalg.lts import LTS
from procalg.lts.exploration import Exploration
from procalg.lts.network import close, component
from tests.checks.test_divergence_engines import tau_heavy_lts
from tests.checks.test_refusal_refinement import twinned


def _shown(result: CheckResult) -> tuple | None:
    """The whole counterexample, a divergence's τ-lasso (measured in the LTS
    searched) left off."""
    ce = result.counterexample
    if ce is None:
        return None
    if ce.cycle is None:
        return ce.trace, ce.full_path, ce.refused, ce.accepted, ce.note
    lead = int(ce.note.split("(")[1].split(" ")[0])
    return ce.trace, ce.full_path[:len(ce.full_path) - lead], ce.note.split(" (")[0]


@settings(max_examples=300, deadline=None)
@given(tau_heavy_lts())
def test_a_bisimilar_lts_numbered_otherwise_shows_the_same_failure_on_either_engine(lts):
    shown = _shown(check_determinism(lts))
    for other in (twinned(lts), lts):
        assert _shown(check_determinism(twinned(lts))) == shown
        assert _shown(check_determinism_product(close(component(other)))) == shown


def test_the_accepting_and_refusing_paths_are_the_least_whatever_the_state_numbers():
    # after <a> the node holds a state offering b (reached by a then τ, or by τ then
    # a) and two refusing it: one that can terminate (by a then τ) and one stable
    # without b (by a alone: the shorter path wins)
    rows = [(0, "a", 1), (1, "τ", 2), (0, "τ", 3), (3, "a", 2), (0, "a", 4), (2, "b", 5),
            (1, "τ", 6), (6, "✓", 5)]
    for lts in (LTS.build(7, 0, ["a", "b"], rows), twinned(LTS.build(7, 0, ["a", "b"], rows))):
        accepting, refusing, _, ticks = clash_paths(Exploration(lts), ("a",), "b")
        assert (accepting, refusing, ticks) == (("a", "τ"), ("a",), False)


def test_a_divergence_shows_the_least_path_to_a_divergent_state_and_the_lasso_from_it():
    # after <a>: a τ-cycle of 2 one τ away (3 has an exit: minimising keeps the
    # cycle), or a τ self-loop reached by τ then a
    lts = LTS.build(6, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 3), (3, "τ", 2),
                                  (3, "a", 0), (0, "τ", 4), (4, "a", 5), (5, "τ", 5)])
    (path, states), lead, loop = divergence_path(Exploration(lts), ("a",))
    assert (path, states, lead, loop) == (("a",), (0, 1, 2), 1, 2)
    # without the exit the cycle is one state minimised: 1 is on it already
    plain = LTS.build(6, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 3), (3, "τ", 2),
                                    (0, "τ", 4), (4, "a", 5), (5, "τ", 5)])
    assert divergence_path(Exploration(plain), ("a",)) == ((("a",), (0, 1)), 0, 1)


def _lasso(result: CheckResult) -> tuple | None:
    """A divergence's whole counterexample: trace, path with its lead, cycle, note."""
    ce = result.counterexample
    return None if ce is None or ce.cycle is None else (ce.trace, ce.full_path, ce.cycle, ce.note)


@settings(max_examples=200, deadline=None)
@given(tau_heavy_lts())
def test_a_divergence_shows_one_lasso_on_either_engine(lts):
    assert _lasso(check_determinism_product(close(component(lts)))) == _lasso(
        check_determinism(lts))


def test_the_products_lasso_is_found_on_its_codes_in_bulk(monkeypatch):
    def walked(*args: object) -> None:
        raise AssertionError("the lasso walked the codes one by one")

    monkeypatch.setattr(determinism_paths, "lasso_from", walked)
    lts = LTS.build(5, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 3), (3, "τ", 2),
                                  (3, "a", 4)])
    ce = check_determinism_product(close(component(lts))).counterexample
    assert (ce.trace, ce.full_path, ce.cycle) == (("a",), ("a", "τ"), ("τ", "τ"))
