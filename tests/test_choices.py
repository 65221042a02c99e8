"""Every enum a user names is read the same way: value or name, any case, ``-``/``_`` alike."""

from __future__ import annotations

import pytest

from procalg.api.search import CheckEngine
from procalg.assertion_kinds import Equivalence, RefinementModel
from procalg.errors import ProcalgError, UsageError
from procalg.lts.partition import Bisimulation, PartitionEngine

NAMED = [CheckEngine, Equivalence, RefinementModel, Bisimulation, PartitionEngine]


@pytest.mark.parametrize("enum", NAMED, ids=lambda e: e.__name__)
def test_each_member_is_read_back_from_its_value_and_its_name_in_any_case(enum) -> None:
    for member in enum:
        assert enum.parse(member.value) is member
        assert enum.parse(f" {member.value.upper()} ") is member
        assert enum.parse(member.name.lower().replace("_", "-")) is member


@pytest.mark.parametrize("enum", NAMED, ids=lambda e: e.__name__)
def test_a_wrong_name_is_an_error_that_lists_every_choice(enum) -> None:
    with pytest.raises(ProcalgError) as info:
        enum.parse("nonsense")
    assert "no " in info.value.message and "'nonsense'" in info.value.message
    for member in enum:
        assert member.value in info.value.hint


def test_a_wrong_engine_is_a_command_line_error() -> None:
    with pytest.raises(UsageError, match="no engine called 'fast'"):
        CheckEngine.parse("fast")


def test_refinement_models_are_read_from_their_letters_or_their_names() -> None:
    assert RefinementModel.parse("fd") is RefinementModel.FAILURES_DIVERGENCES
    assert RefinementModel.parse("failures divergences") is RefinementModel.FAILURES_DIVERGENCES
    assert RefinementModel.parse("T") is RefinementModel.TRACES
