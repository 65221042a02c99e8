"""Values from Python are recorded as the model's values, or fail the attempt for good."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from procalg.runtime.conform import compatible, conform
from procalg.runtime.engine import Engine
from procalg.runtime.history import ActivityCompleted, AttemptFailed
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, ExternalChoice, Prefix


@pytest.mark.parametrize(("value", "model", "ok"), [
    (10.0, 10, True), (np.int64(10), 10, True), (10.5, 10, False), (True, 1, False),
    (1, True, False), (np.bool_(True), True, True), (False, True, False), ("10", 10, False),
    ([1, 2.0], (1, 2), True),
    ({1, 2}, frozenset({1, 2}), True), (None, 0, False),
])
def test_only_a_value_of_the_same_kind_stands_for_a_model_value(value, model, ok) -> None:
    assert compatible(value, model) is ok


def test_conform_gives_the_models_own_value() -> None:
    fitted = conform(np.int64(3), frozenset({1, 2, 3}))
    assert fitted == 3 and type(fitted) is int
    assert conform(1, frozenset({True, False})) is None
    assert conform([1], frozenset({1})) is None  # unhashable: compared one by one, no match


def _model() -> Workflow:
    # get.10 -> SKIP [] get.11 -> SKIP : the activity chooses by its return value
    term = ExternalChoice(Prefix(Event("get", (10,)), SKIP), Prefix(Event("get", (11,)), SKIP))
    return Workflow(TermSystem(term), {"get": Channel(
        "get", ChannelKind.ACTIVITY, 1, RetryPolicy(maximum_attempts=5), fields=None)})


@pytest.mark.parametrize("returned", [10.0, np.int64(10), 10])
def test_a_numerically_equal_return_value_is_recorded_as_the_models(
        tmp_path: Path, returned) -> None:
    engine = Engine(SqliteLog(tmp_path / "r.db"), {"get": lambda: returned})
    run = engine.start(_model())
    assert run.status == "completed"
    fresh = Engine(SqliteLog(tmp_path / "r.db"))  # read back from the file
    done = [e for e in fresh.log.history(run.id) if isinstance(e, ActivityCompleted)]
    assert done[0].output == (10,) and type(done[0].output[0]) is int


@pytest.mark.parametrize(("returned", "said"), [
    (10.5, "10.5 (a float)"), ("10", "'10' (a str)"), (True, "true: get.true is not"),
    ([10], "[10], which is not a value of the model")])
def test_a_value_outside_the_model_fails_the_attempt_once_and_for_good(
        tmp_path: Path, returned, said: str) -> None:
    calls = []
    engine = Engine(SqliteLog(tmp_path / "r.db"),
                    {"get": lambda: calls.append(1) or returned},
                    loader=lambda record: _model())
    run = engine.start(_model())
    assert run.status == "failed"
    failed = [e for e in run.history() if isinstance(e, AttemptFailed)]
    assert [f.error_type for f in failed] == ["ValueOutsideChannel"]
    assert failed[0].retry_at is None  # not retried: the side effect has happened
    assert f"activity get returned {said}" in failed[0].message
    assert engine.resume_all() == []  # a resume never repeats it
    assert calls == [1]
