"""The deep-evaluation thread (procalg.semantics.deep): results, errors, and what it keeps."""

from __future__ import annotations

import gc
import weakref

import pytest

from procalg.errors import ModelError
from procalg.semantics.deep import run_deep


class _Thing:
    """An object a test can watch die."""


def test_an_evaluation_returns_its_result_to_the_caller() -> None:
    assert run_deep(lambda: sum(range(10))) == 45


def test_an_evaluation_raises_its_error_in_the_caller() -> None:
    def fail() -> None:
        raise ModelError("boom")

    with pytest.raises(ModelError, match="boom"):
        run_deep(fail)


def test_a_finished_evaluation_keeps_neither_its_action_nor_its_result() -> None:
    held, returned = _Thing(), _Thing()
    watch_held, watch_returned = weakref.ref(held), weakref.ref(returned)
    result = run_deep(lambda h=held, r=returned: [r])  # the action holds one, the result the other
    assert result[0] is returned
    del held, returned, result
    gc.collect()
    assert watch_held() is None and watch_returned() is None


def test_a_failed_evaluation_keeps_nothing_of_its_action() -> None:
    held = _Thing()
    watch = weakref.ref(held)

    def fail(h: _Thing = held) -> None:
        raise ModelError("boom")

    with pytest.raises(ModelError):
        run_deep(fail)
    del held, fail
    gc.collect()
    assert watch() is None
