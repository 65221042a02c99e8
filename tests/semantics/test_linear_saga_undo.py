"""A compiled saga's compensations are made when a rollback starts them, as the terms do.

The term rules hold an installed compensation as the term ``undo`` evaluated
(its calls left calls) and unfold it only when a rollback starts it
(``normal(Rollback(c))``, ``Q`` of ``P ; Q``). The compiled machine
(:mod:`procalg.semantics.linear_saga`) installs an ``undo`` state keyed by
that term and makes its machine state there too: a model error in a
compensation that never runs is no error, one that runs is met where the
terms meet it, and the machine has the terms' states (one per installed term).
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import partial
from unittest.mock import patch

import pytest

from procalg.api import check_model, loads
from procalg.api.check import AssertionResult
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import ModelError
from procalg.lts import explore, leaf_choice
from procalg.semantics import leaves
from procalg.semantics.linear import Machine
from tests.semantics.test_linear import _bisimilar
from tests.semantics.test_linear_saga import HEADER

NEVER_RUN = [
    # a transparent body (SKIP ; ..): the machine used to key it, reading a!m, at e's ✓
    "P = saga (e undo Late ; SKIP)\nLate = (SKIP ; a!m -> SKIP)",
    "P = saga ((e undo (f -> Late) [] g undo SKIP) ; ok.1)\nLate = (SKIP ; a!m -> SKIP)",
    "P = saga (e undo Late ; ok.1) ; P\nLate = if m then SKIP else STOP",
    "P = saga ((e undo Late ||| ok.2) ; SKIP)\nLate = (SKIP ; Nowhere)",
]
"""Sagas whose compensation (a call) is installed but never runs, with a model
error (an undefined name) in it."""


def _both(text: str):
    model = loads(HEADER + text)
    call = model.process("P")
    return explore(Machine(model.spec.evaluator, call)), explore(model.spec.system(call))


@pytest.mark.parametrize("text", NEVER_RUN)
def test_a_compensation_that_never_runs_is_never_evaluated_by_the_machine_as_by_the_terms(text):
    compiled, reference = _both(text)
    assert _bisimilar(compiled, reference)
    assert compiled.num_states == reference.num_states


@pytest.mark.parametrize("text", NEVER_RUN)
def test_a_never_run_compensation_with_an_error_is_checked_on_the_product_engine(text):
    # the product engine used to fail compiling the leaf and fall back to the terms
    asserts = "assert P :[deadlock free]\nassert P :[compensation complete]\n"
    model_text = HEADER + text + "\n" + asserts
    for lazily in (False, True):
        with patch.object(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2)) \
                if lazily else nullcontext():
            fast = list(check_model(loads(model_text)))
        reference = list(check_model(loads(model_text),
                                     options=SearchOptions(engine=CheckEngine.REFERENCE)))
        for mine, theirs in zip(fast, reference, strict=True):
            assert mine.result is theirs.result is not AssertionResult.ERROR
            assert mine.stats.extra["engine"] == "product", mine.stats.extra


@pytest.mark.parametrize("text", [
    "P = saga (e undo Late ; THROW)\nLate = (SKIP ; a!m -> SKIP)",
    "P = saga (e undo ok.1 ; g undo Late ; THROW)\nLate = (SKIP ; a!m -> SKIP)",
    "P = saga ((e undo Late ||| g) ; THROW)\nLate = (SKIP ; a!m -> SKIP)",
])
def test_a_compensation_that_runs_meets_its_error_on_the_machine_as_on_the_terms(text):
    model = loads(HEADER + text)
    call = model.process("P")
    for system in (model.spec.system(call), Machine(model.spec.evaluator, call)):
        with pytest.raises(ModelError, match="undefined name 'm'"):
            explore(system)


@pytest.mark.parametrize(("text", "states"), [
    # R and R2 = R are two terms, two installed compensations (the machine had one)
    ("P = saga ((e undo R [] e undo R2) ; THROW)\nR = f -> R\nR2 = R", 6),
    # a compensation back at its start is the state the rollback started in
    ("P = saga (e undo R ; THROW)\nR = f -> R", 4),
    ("P = saga ((e undo R ||| e undo (f -> R)) ; THROW)\nR = f -> SKIP", 24),
    ("P = saga (e undo R ; e undo R2 ; THROW)\nR = f -> SKIP\nR2 = R", 11),
])
def test_the_machine_has_the_terms_states_one_per_installed_compensation_term(text, states):
    compiled, reference = _both(text)
    assert compiled.num_states == reference.num_states == states
    assert _bisimilar(compiled, reference)


def test_a_rollback_runs_a_compensation_installed_as_a_term_last_first():
    model = loads(HEADER + "P = saga (e undo R ; f undo R2 ; THROW)\nR = ok.1 -> SKIP\n"
                  "R2 = ok.2 -> SKIP")
    machine = Machine(model.spec.evaluator, model.process("P"))
    state, labels = machine.initial_state(), []
    while machine.successors(state):
        label, state = machine.successors(state)[0]
        labels.append(label)
    assert labels == ["e", "τ", "f", "τ", "compensate", "ok.2", "τ", "ok.1", "compensated", "✓"]
