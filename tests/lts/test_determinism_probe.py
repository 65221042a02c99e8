"""The screen's look-ahead: random walks that give the screen up before a deep rejection.

The probe (:mod:`procalg.lts.determinism_probe`) may only make the screen give
up sooner: the screen answers PASS exactly where it did without it, and the
product check keeps the reference's verdict, trace and refused event. Probes
are made to run at every level here (``FIRST``, ``GROWTH``, ``NARROW``
patched), so small networks take the path.
"""

from __future__ import annotations

from contextlib import ExitStack
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.determinism import check_determinism, check_determinism_product
from procalg.lts import LTS, determinism_probe, determinism_screen, level_search
from procalg.lts.determinism_probe import Probe
from procalg.lts.determinism_screen import screen_deterministic
from procalg.lts.network import alpha_parallel, close, component, hide
from procalg.lts.product import explore_product
from procalg.lts.vectors import Tables
from tests.lts.test_determinism_confluence import _cyclers, _hidden_networks


def _late(rounds: int, disables: bool):
    """Milner's scheduler of three cyclers beside a process that, after
    ``rounds`` of ``a0``, may take a hidden step (``h``) to a state that
    refuses ``a0`` (``disables``) or still offers it (a confluent step)."""
    moves = [(i, "a0", i + 1) for i in range(rounds)]
    moves += [(rounds, "a0", rounds), (rounds, "h", rounds + 1)]
    moves += [(rounds + 1, "d", rounds)] if disables else [(rounds + 1, "a0", rounds)]
    late = LTS.build(rounds + 2, 0, ["a0", "h", "d"], moves)
    cyclers, alphabet = _cyclers(3)
    net = alpha_parallel(cyclers, component(late), alphabet, {"a0", "h", "d"})
    return close(hide(net, {"h", "c0", "c1", "c2"}))


def _every_level():
    """Patches that make the screen probe at every level (each level reported:
    none walked in batches of several)."""
    stack = ExitStack()
    stack.enter_context(patch.object(level_search, "NARROW", 0))
    stack.enter_context(patch.object(determinism_probe, "FIRST", 1))
    stack.enter_context(patch.object(determinism_probe, "GROWTH", 1))
    return stack


def _answer(result) -> tuple:
    ce = result.counterexample
    return (result.passed,) if ce is None else (ce.trace, ce.refused, ce.cycle is None)


def _probes_met(net) -> list[bool]:
    """What each probe of the screen of ``net`` answered."""
    met: list[bool] = []
    ahead = Probe.ahead

    def spy(self, frontier):
        met.append(ahead(self, frontier))
        return met[-1]

    with _every_level(), patch.object(Probe, "ahead", spy):
        screen_deterministic(Tables(net))
    return met


def test_a_probe_meets_a_hidden_step_that_disables_a0_before_the_search_does():
    net = _late(4, disables=True)
    met = _probes_met(net)
    assert met and met[-1]  # the screen was given up by a probe
    with _every_level():
        assert screen_deterministic(Tables(net)) is None
        assert _answer(check_determinism_product(net)) == _answer(
            check_determinism(explore_product(net)))


def test_a_confluent_hidden_step_is_probed_and_still_passes_the_screen():
    net = _late(4, disables=False)
    met = _probes_met(net)
    assert met and not any(met)
    with _every_level():
        result = check_determinism_product(net)
    assert result.passed and result.stats.extra["method"] == "screen"


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 6), st.booleans())
def test_failing_late_schedulers_get_the_reference_answer_with_probes(rounds, disables):
    net = _late(rounds, disables)
    reference = check_determinism(explore_product(net))
    with _every_level():
        assert _answer(check_determinism_product(net)) == _answer(reference)


@settings(max_examples=300, deadline=None)
@given(_hidden_networks(), st.booleans())
def test_probes_change_neither_the_screens_pass_nor_the_checks_answer(net, divergence):
    with patch.object(determinism_screen, "PROBE", False):
        plain = screen_deterministic(Tables(net))
    with _every_level():
        probed = screen_deterministic(Tables(net))
        answer = _answer(check_determinism_product(net, divergence=divergence))
    assert (probed is None) == (plain is None)
    assert answer == _answer(check_determinism(explore_product(net), divergence=divergence))
