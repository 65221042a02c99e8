"""Levels of a few one-state normal-form nodes built in plain Python
(:mod:`procalg.lts.normal_few`) against the numpy levels they stand for."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.determinism import check_determinism
from procalg.lts import LTS, normal_few, normal_product
from procalg.lts.network import close, component
from procalg.lts.normal_product import find_nondeterminism
from tests.checks.test_divergence_engines import tau_heavy_lts
from tests.lts.test_refine_product import networks


def _found(net, divergence: bool, few: int) -> tuple:
    with patch.object(normal_few, "FEW", few), patch.object(normal_product, "SCREEN", False), \
            patch.object(normal_product, "METHODS", ("normal form",)):
        r = find_nondeterminism(net, divergence=divergence)
    return r.kind, r.trace, r.event, r.nodes, r.states, r.transitions, r.levels


@settings(max_examples=300, deadline=None)
@given(st.one_of(networks(), tau_heavy_lts().map(lambda lts: close(component(lts)))),
       st.booleans())
def test_python_levels_give_the_numpy_levels_failure_nodes_states_and_transitions(
        net, divergence):
    assert _found(net, divergence, normal_few.FEW) == _found(net, divergence, 0)


def _chain(n: int, end: list[tuple[int, str, int]]) -> LTS:
    rows = [(i, "a", i + 1) for i in range(n)]
    return LTS.build(n + 4, 0, ["a", "b", "c"], rows + end)


def _numpy_levels(lts: LTS) -> tuple[int, object]:
    calls = []
    original = normal_product.NormalForm._level

    def counted(self, node, code, level):
        calls.append(level)
        return original(self, node, code, level)

    with patch.object(normal_product.NormalForm, "_level", counted):
        found = find_nondeterminism(close(component(lts)))
    return len(calls), found


def test_a_long_chain_ending_in_two_b_moves_runs_one_numpy_level():
    lts = _chain(300, [(300, "b", 0), (300, "b", 301), (301, "c", 302)])
    calls, found = _numpy_levels(lts)
    assert calls == 2  # the last state's two b-moves make a set; that set clashes
    assert (found.kind, found.trace, found.event) == ("clash", ("a",) * 300 + ("b",), "a")
    reference = check_determinism(lts).counterexample
    assert found.trace == reference.trace and {found.event} == reference.refused


def test_a_chain_ending_in_a_hidden_choice_fails_as_the_reference_does():
    lts = _chain(300, [(300, "τ", 301), (300, "τ", 302), (301, "b", 303), (302, "c", 303)])
    calls, found = _numpy_levels(lts)
    assert calls <= 2
    reference = check_determinism(lts).counterexample
    assert found.kind == "clash" and found.trace == reference.trace == ("a",) * 300
    assert {found.event} == reference.refused


def test_a_lone_state_that_can_terminate_and_do_more_clashes_after_its_trace():
    lts = _chain(50, [(50, "✓", 51), (50, "b", 52)])
    calls, found = _numpy_levels(lts)
    assert calls == 0
    assert (found.kind, found.trace, found.event) == ("clash", ("a",) * 50, "b")
