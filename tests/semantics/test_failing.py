"""Building a target never raises a model error (:mod:`procalg.semantics.failing`)."""

from __future__ import annotations

import pytest

from procalg.errors import LimitExceeded, ModelError
from procalg.semantics.failing import failed, target
from procalg.semantics.growth import UnboundedGrowth
from procalg.terms import STOP
from procalg.terms.failed import Failed


def _raising(err: Exception):
    def build():
        raise err
    return build


def test_a_model_error_building_a_target_makes_the_failed_state_of_that_error() -> None:
    err = ModelError("division by zero")
    assert target(_raising(err)) == Failed.of(err)
    assert target(lambda: STOP) is STOP


def test_errors_that_stop_an_engine_raise_on() -> None:
    with pytest.raises(LimitExceeded):
        target(_raising(LimitExceeded("too many states")))
    growth = UnboundedGrowth.__new__(UnboundedGrowth)
    ModelError.__init__(growth, "grows")
    assert failed(growth) is None
    with pytest.raises(UnboundedGrowth):
        target(_raising(growth))
