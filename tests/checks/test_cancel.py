"""The checks cover cancelled runs: ``cancel`` is an event of the LTS, so
``:[compensation complete]``, ``:[terminates]`` and deadlock freedom explore every
path through a cancellation, and the terminal outcomes name cancelled runs."""

from __future__ import annotations

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.checks.compensation import check_compensation, terminal_outcomes
from procalg.lts import LTS, explore

DECLS = "activity reserve, charge, ship\nactivity release, refund never fails\n"


def _verdicts(text: str) -> dict[str, tuple[bool, tuple[str, ...]]]:
    out = {}
    for report in check_model(loads(DECLS + text)):
        assert report.check is not None, report.error
        example = report.check.counterexample
        out[report.assertion.text] = (report.result == "pass",
                                      tuple(map(str, example.trace)) if example else ())
    return out


def test_a_cancellation_after_a_pivot_strands_it_and_the_check_shows_that_path() -> None:
    model = loads(DECLS + "Order = saga (reserve undo release ; charge"
                          " ; (cancel -> THROW [] ship))")
    result = check_compensation(model.system("Order"))
    assert not result.passed
    assert result.counterexample.trace == (
        "reserve", "charge", "cancel", "compensate", "stranded.charge")


def test_the_same_saga_with_every_step_undoable_passes_over_its_cancelled_runs() -> None:
    model = loads(DECLS + "Order = saga (reserve undo release ; charge undo refund"
                          " ; (cancel -> THROW [] ship))")
    assert check_compensation(model.system("Order")).passed


def test_terminates_and_deadlock_freedom_explore_what_follows_a_cancel() -> None:
    got = _verdicts("channel wait\n"
                    "Loops = saga (reserve undo release ; (cancel -> THROW [] ship)) ; Idle\n"
                    "Idle = wait -> Idle\n"
                    "Stops = saga (reserve undo release ; (cancel -> STOP [] ship))\n"
                    "assert Loops :[terminates]\nassert Stops :[deadlock free]\n")
    assert got["Loops :[terminates]"][0] is False
    passed, trace = got["Stops :[deadlock free]"]
    assert not passed and trace == ("reserve", "cancel")


def test_terminal_outcomes_call_a_run_that_took_cancel_and_terminated_cancelled() -> None:
    model = loads(DECLS + "Order = saga (reserve undo release ; (cancel -> THROW [] ship))")
    outcomes = set().union(*terminal_outcomes(explore(model.system("Order"))).values())
    assert outcomes == {"cancelled", "completed", "compensated"}


def test_a_terminal_state_reached_only_after_cancel_is_only_cancelled() -> None:
    lts = LTS.build(4, 0, [], [(0, "cancel", 1), (1, "✓", 2), (0, "a", 3), (3, "✓", 2)])
    assert terminal_outcomes(lts) == {2: frozenset({"cancelled", "completed"})}
    only = LTS.build(3, 0, [], [(0, "cancel", 1), (1, "✓", 2)])
    assert terminal_outcomes(only) == {2: frozenset({"cancelled"})}
