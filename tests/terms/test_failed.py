"""A failed state (:mod:`procalg.terms.failed`): one per error, raising it when expanded."""

from __future__ import annotations

import pytest

from procalg.errors import ModelError
from procalg.source import Span
from procalg.terms.failed import Failed


def test_the_same_error_made_twice_is_one_state_and_another_error_another() -> None:
    first, again = ModelError("division by zero", Span(3, 5)), ModelError(
        "division by zero", Span(3, 5))
    assert Failed.of(first) == Failed.of(again) and hash(Failed.of(first)) == hash(Failed.of(again))
    assert Failed.of(first) != Failed.of(ModelError("division by zero", Span(4, 5)))
    assert Failed.of(first) != Failed.of(ModelError("value 4 is outside d", Span(3, 5)))


def test_a_failed_state_raises_its_error_each_time_with_a_fresh_traceback() -> None:
    state = Failed.of(ModelError("division by zero"))
    depths = []
    for _ in range(3):
        with pytest.raises(ModelError, match="division by zero") as raised:
            state.fail()
        depths.append(len(list(_frames(raised.value.__traceback__))))
    assert raised.value is state.error
    assert depths[0] == depths[-1]  # not one more frame per raise


def test_a_failed_state_prints_its_error() -> None:
    assert str(Failed.of(ModelError("division by zero"))) == "error(division by zero)"


def _frames(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next
