"""Attempts: how an activity is called, and how its result is fitted to the model's events."""

from __future__ import annotations

import inspect

import pytest

from procalg.runtime import worker
from procalg.runtime.commands import Perform
from procalg.runtime.worker import OUTSIDE_SET, attempt, plan_of
from procalg.terms.values import Event


def _call(offered: set[Event], given: tuple = (2,)) -> Perform:
    return Perform(0, "double", given, 1, frozenset(offered), False)


def test_an_activity_is_called_as_its_signature_asks_and_its_signature_is_read_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    real = inspect.iscoroutinefunction
    monkeypatch.setattr(worker.inspect, "iscoroutinefunction",
                        lambda fn: asked.append(fn) or real(fn))
    keys: list[str] = []

    def keyed(x: int, idempotency_key: str) -> int:
        keys.append(idempotency_key)
        return 2 * x

    def plain(x: int) -> int:
        return 2 * x

    async def later(x: int, **kwargs: object) -> int:
        keys.append(str(kwargs["idempotency_key"]))
        return 2 * x

    call = _call({Event("double", (2, 4))})
    for fn in (keyed, plain, later):
        for n in range(3):
            assert attempt(fn, call, f"run:{n}", None, arity=2).output == (4,)
    assert keys == ["run:0", "run:1", "run:2"] * 2
    assert asked == [keyed, plain, later]  # each function's plan found on its first call
    assert plan_of(keyed) == (True, False, False) and plan_of(later) == (True, False, True)


def test_a_result_is_recorded_as_the_offered_model_value_of_its_own_kind() -> None:
    call = _call({Event("double", (2, 4)), Event("double", (2, 5))})
    assert attempt(lambda x: 4.0, call, "r:0", None, arity=2).output == (4,)
    assert type(attempt(lambda x: 4.0, call, "r:0", None, arity=2).output[0]) is int
    flag = _call({Event("double", (2, True))})
    refused = attempt(lambda x: 1, flag, "r:0", None, arity=2)  # 1 == True, not a Bool
    assert refused.output is None and refused.error_type == OUTSIDE_SET
    assert attempt(lambda x: True, flag, "r:0", None, arity=2).output == (True,)
    outside = attempt(lambda x: 6, call, "r:0", None, arity=2)
    assert outside.output is None and "not in the set the model offers" in outside.message
