"""The determinism screen: a τ-free, label-deterministic process passes without a normal form.

The screen (:mod:`procalg.lts.determinism_screen`) may only ever answer PASS,
and only where the reference passes; where it cannot tell, the normal form
answers as before (same verdict, trace, refused event, kind of failure).
"""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.determinism import check_determinism, check_determinism_product
from procalg.lts import (
    LTS,
    determinism_screen,
    leaf_levels,
    leaf_partners,
    narrow_levels,
    normal_product,
)
from procalg.lts.determinism_screen import screen_deterministic
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import TAU_INDEX, TICK_INDEX
from procalg.lts.narrow_levels import level_arrays
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.product import explore_product
from procalg.lts.vectors import Tables
from tests.api.random_models import models
from tests.api.test_check_engines import assert_engines_agree
from tests.lts.test_refine_product import networks


def _answer(result) -> tuple:
    ce = result.counterexample
    return (result.passed,) if ce is None else (ce.trace, ce.refused, ce.cycle is None)


def _chain(n: int) -> LTS:
    """0 -a-> 1 -a-> ... -a-> n (and two states never reached)."""
    return LTS.build(n + 3, 0, ["a", "b"], [(i, "a", i + 1) for i in range(n)])


@settings(max_examples=300, deadline=None)
@given(networks())
def test_the_screen_passes_only_processes_the_reference_passes(net):
    screened = screen_deterministic(Tables(net))
    if screened is not None:
        assert screened.kind is None
        reference = check_determinism(explore_product(net))
        assert reference.passed
        assert screened.states == reference.stats.states


@settings(max_examples=200, deadline=None)
@given(networks())
def test_the_screen_judges_alike_in_python_and_in_numpy(net):
    python = screen_deterministic(Tables(net)) is None
    with patch.object(determinism_screen, "SMALL", 0):
        assert (screen_deterministic(Tables(net)) is None) == python


@settings(max_examples=300, deadline=None)
@given(networks(), st.booleans())
def test_the_product_check_answers_alike_with_and_without_the_screen(net, divergence):
    reference = check_determinism(explore_product(net), divergence=divergence)
    screened = check_determinism_product(net, divergence=divergence)
    with patch.object(normal_product, "SCREEN", False):
        normal = check_determinism_product(net, divergence=divergence)
    assert _answer(screened) == _answer(reference) == _answer(normal)


@settings(max_examples=60, deadline=None)
@given(models())
def test_random_models_get_the_reference_answers_with_the_screen(text):
    assert_engines_agree(text)


def test_a_deep_deterministic_chain_builds_no_normal_form_level():
    levels = []
    original = normal_product.NormalForm._level

    def counted(self, *args):
        levels.append(1)
        return original(self, *args)

    with patch.object(normal_product.NormalForm, "_level", counted):
        result = check_determinism_product(close(component(_chain(3000))))
    assert result.passed and result.stats.states == 3003 - 2
    assert any("screen" in note for note in result.stats.extra["notes"])
    assert levels == []


def test_a_chain_ending_in_a_choice_of_two_a_moves_gets_the_normal_forms_clash():
    lts = LTS.build(43, 0, ["a", "b"], [*((i, "a", i + 1) for i in range(40)),
                                        (40, "a", 41), (40, "a", 42), (41, "b", 42)])
    result = check_determinism_product(close(component(lts)))
    assert _answer(result) == (("a",) * 41, frozenset({"b"}), True)


def test_a_state_offering_tick_beside_an_event_is_left_to_the_normal_form():
    lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2), (1, "✓", 2)])
    assert screen_deterministic(Tables(close(component(lts)))) is None
    assert not check_determinism_product(close(component(lts))).passed


def test_a_tau_rule_never_reached_does_not_stop_the_screen():
    chain = LTS.build(8, 0, ["a", "b"], [*((i, "a", i + 1) for i in range(5)), (7, "b", 6)])
    stuck = LTS.build(2, 0, ["b"], [(0, "b", 1)])  # b never synchronises: its τ never fires
    net = close(hide(parallel(component(chain), component(stuck), {"b"}), {"b"}))
    assert any(rule.label == "τ" for rule in net.rules)
    assert screen_deterministic(Tables(net)) is not None


def test_a_chain_passes_with_a_hidden_step_and_not_where_that_step_drops_a_b():
    # a hidden step that disables nothing is confluent (determinism_confluence); one
    # that disables the b of its source is not, at any depth (a level of one move too)
    for at in (0, 1, 20):
        hidden = [(i, "τ" if i == at else "a", i + 1) for i in range(22)]
        chain = LTS.build(24, 0, ["a", "b"], hidden)
        assert screen_deterministic(Tables(close(component(chain)))).states == 23
        dropping = LTS.build(24, 0, ["a", "b"], [*hidden, (at, "b", 23)])
        assert screen_deterministic(Tables(close(component(dropping)))) is None
        assert not check_determinism(dropping).passed
    plain = LTS.build(23, 0, ["a"], [(i, "a", i + 1) for i in range(22)])
    assert screen_deterministic(Tables(close(component(plain)))).states == 23


@st.composite
def _walked_levels(draw) -> tuple[list[int], list[list[tuple[int, int]]]]:
    """A level as a Python walk hands it to its goal: codes and each one's moves."""
    labels = st.sampled_from([TAU_INDEX, TICK_INDEX, 2, 3, 4])
    moves = draw(st.lists(st.lists(st.tuples(labels, st.integers(0, 9)), max_size=4),
                          min_size=1, max_size=4))
    return draw(st.lists(st.integers(0, 99), min_size=len(moves), max_size=len(moves),
                         unique=True)), moves


@settings(max_examples=300, deadline=None)
@given(_walked_levels())
def test_the_screen_judges_a_walked_level_alike_from_its_lists_and_its_arrays(level):
    cur, moves = level
    assert determinism_screen._goal_lists(cur, moves) == determinism_screen._goal(
        *level_arrays(cur, moves))


def _partnered_chain(n: int, tau_at: int = -1) -> Tables:
    """A lazy leaf ``0 -up-> 1 -up-> … n`` (its move from ``tau_at`` a τ instead)
    beside ``up -> tick -> …``."""
    line = LTS.build(n + 1, 0, ["up"], [(i, "τ" if i == tau_at else "up", i + 1)
                                        for i in range(n)])
    beat = LTS.build(2, 0, ["up", "tick"], [(0, "up", 1), (1, "tick", 0)])
    leaf = component(LazyComponent(ExplicitSystem(line), {"up"}))
    return Tables(close(parallel(leaf, component(beat), {"up"})))


def _lone_chain(n: int, tau_at: int = -1) -> Tables:
    """The lazy leaf of :func:`_partnered_chain` alone."""
    line = LTS.build(n + 1, 0, ["up"], [(i, "τ" if i == tau_at else "up", i + 1)
                                        for i in range(n)])
    return Tables(close(component(LazyComponent(ExplicitSystem(line), {"up"}))))


@pytest.mark.parametrize(("walk", "chain", "states"), [
    (leaf_partners, _partnered_chain, 6001), (leaf_levels, _lone_chain, 3001)])
def test_a_deep_lazy_chain_is_screened_with_no_arrays_made_a_level(walk, chain, states):
    made = []  # both walks make a level's arrays through narrow_levels.ask_goal
    real = narrow_levels.level_arrays

    def counted(*args):
        made.append(1)
        return real(*args)

    with patch.object(narrow_levels, "level_arrays", counted):
        screened = screen_deterministic(chain(3000))
        assert screened is not None and screened.states == states
        assert len(made) < 10  # numpy's first levels only, none of the walk's thousands
        assert screen_deterministic(chain(3000, tau_at=2000)) is None
