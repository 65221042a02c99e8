"""``:[compensation complete]`` and the outcomes of terminal states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procalg.api.model import load, loads
from procalg.checks.compensation import check_compensation, terminal_outcomes
from procalg.lts import LTS

MODELS = Path(__file__).resolve().parents[2] / "models"
SAGA_MODELS = ["order_saga", "trip_booking", "approval", "broken_saga"]
EXPECT = re.compile(r"^-- expect:\s*(\w+)\s*:\[compensation complete\]\s*=>\s*(pass|fail)\s*$")


def test_a_saga_without_markers_of_undone_steps_passes_on_an_explicit_lts() -> None:
    lts = LTS.build(4, 0, [], [(0, "a", 1), (1, "fail.b", 2), (2, "compensate", 3),
                               (3, "ua", 0)])
    result = check_compensation(lts)
    assert result.passed and result.stats.states == 4


def test_the_shortest_trace_to_a_stranded_step_is_the_counterexample() -> None:
    lts = LTS.build(6, 0, [], [(0, "a", 1), (1, "b", 2), (2, "stranded.b", 3),
                               (0, "c", 4), (4, "stranded.c", 5)])
    result = check_compensation(lts)
    assert not result.passed
    assert result.counterexample.trace == ("c", "stranded.c")
    assert result.message == "c is left done: it has no undo and a later step failed"


def test_a_pivot_followed_by_a_fallible_step_fails_naming_the_pivot() -> None:
    model = load(MODELS / "broken_saga.proc")
    result = check_compensation(model.system("Order"))
    assert not result.passed
    assert result.counterexample.trace == (
        "reserve", "charge", "fail.ship", "compensate", "stranded.charge")


def test_a_compensation_that_can_fail_is_a_violation_naming_its_step() -> None:
    model = load(MODELS / "broken_saga.proc")
    result = check_compensation(model.system("Shaky"))
    assert not result.passed
    assert result.counterexample.trace == (
        "reserve", "charge", "fail.ship", "compensate", "fail.refund", "unreverted.charge")
    assert result.message == "charge is left done: its compensation can fail"


def test_a_compensation_that_can_fail_but_never_runs_is_no_violation() -> None:
    model = loads("activity a, ua\nchannel b\nP = saga (a undo ua ; b)\n")
    assert check_compensation(model.system("P")).passed


def test_a_pivot_as_the_last_step_is_fine() -> None:
    model = loads("activity a, b, c\nactivity ua, ub never fails\n"
                  "P = saga (a undo ua ; b undo ub ; c)\n")
    assert check_compensation(model.system("P")).passed


@pytest.mark.parametrize("name", SAGA_MODELS)
def test_saga_models_give_the_compensation_verdicts_their_headers_state(name: str) -> None:
    path = MODELS / f"{name}.proc"
    expected = [m.groups() for line in path.read_text().splitlines()
                if (m := EXPECT.match(line))]
    assert expected, f"{name} states no compensation verdict"
    model = load(path)
    for process, verdict in expected:
        result = check_compensation(model.system(process))
        assert ("pass" if result.passed else "fail") == verdict, (process, result.message)


def test_terminal_states_are_classified_by_how_runs_end() -> None:
    model = loads("activity a\nchannel ua, d\n"
                  "P = saga (a undo ua) ; d -> STOP\nQ = a -> SKIP\nR = saga (a undo ua)\n")
    p = terminal_outcomes(model.lts("P"))
    assert sorted(map(sorted, p.values())) == [["deadlocked"]]  # both outcomes go on to d
    q = terminal_outcomes(model.lts("Q"))
    assert sorted(map(sorted, q.values())) == [["completed"], ["failed"]]
    r = terminal_outcomes(model.lts("R"))
    assert sorted(map(sorted, r.values())) == [["compensated", "completed"]]
