"""Activity, signal and timer declarations; reserved names; saga syntax errors."""

from __future__ import annotations

import pytest

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.checks.reachability import check_reachable
from procalg.errors import ModelError, ProcalgError
from procalg.syntax import parse_expr
from procalg.terms import Event
from procalg.terms.saga import fail_event


def labels(text: str, process: str) -> set[str]:
    lts = loads(text).lts(process)
    return set(lts.labels[2:])


def test_activity_options_are_kept_on_the_model_for_every_name_listed() -> None:
    spec = loads("activity charge, hold : {1, 2} attempts 3 backoff 2s timeout 30s\n"
                 "activity refund never fails\n").spec
    charge = spec.activities["charge"]
    assert (charge.attempts, charge.backoff_ms, charge.timeout_ms, charge.never_fails) == (
        3, 2_000, 30_000, False)
    assert spec.activities["hold"].attempts == 3
    assert spec.activities["refund"].never_fails and spec.activities["refund"].attempts is None
    assert spec.channels["charge"] == (frozenset({1, 2}),)


def test_signals_and_timers_declare_channels_and_keep_their_durations() -> None:
    spec = loads("signal approve : Bool\ntimer deadline = 24h\ntimer tick = 250ms\n").spec
    assert set(spec.signals) == {"approve"}
    assert spec.timers["deadline"].duration_ms == 24 * 3600 * 1000
    assert spec.timers["tick"].duration_ms == 250
    assert spec.events == {Event("approve", (True,)), Event("approve", (False,)),
                           Event("deadline"), Event("tick")}


def test_every_value_of_a_fallible_activity_gets_its_own_failure_alternative() -> None:
    text = "activity pay : {1, 2}\nP = pay?x -> SKIP\n"
    assert labels(text, "P") == {"pay.1", "pay.2", "fail.pay.1", "fail.pay.2", "throw"}


def test_never_fails_activities_signals_and_timers_cannot_fail() -> None:
    text = ("activity pay never fails\nsignal ok\ntimer t = 5m\nchannel c\n"
            "P = pay -> ok -> t -> c -> SKIP\n")
    assert labels(text, "P") == {"pay", "ok", "t", "c"}


@pytest.mark.parametrize("decl", [
    "channel throw", "channel compensate", "activity fail", "signal compensated",
    "timer stranded = 1s", "datatype T = unreverted | other", "throw = STOP",
])
def test_reserved_names_cannot_be_declared_where_workflow_constructs_are_used(
        decl: str) -> None:
    with pytest.raises(ModelError, match=r"but the (activity|signal|timer) at [12]:1 reserves it"):
        loads(decl + "\nactivity go_\n")


@pytest.mark.parametrize("decl", [
    "channel throw", "channel compensate", "channel fail", "datatype STATUS = success | fail",
    "datatype T = unreverted | other", "throw = STOP",
])
def test_plain_cspm_keeps_every_workflow_name(decl: str) -> None:
    loads(decl + "\nchannel c\nP = c -> STOP\n")  # no activity, signal, timer or saga


def test_a_saga_reserves_the_workflow_names_naming_both_places() -> None:
    with pytest.raises(ModelError, match=r"'fail' is declared here, but the saga at 3:5") as info:
        loads("datatype STATUS = success | fail\nchannel a\nP = saga (a -> SKIP)\n")
    assert (info.value.span.line, info.value.span.column) == (1, 29)


def test_a_name_declared_as_channel_and_activity_is_an_error() -> None:
    with pytest.raises(ModelError, match="declared twice"):
        loads("channel pay\nactivity pay\n")


@pytest.mark.parametrize("text", [
    "activity pay attempts 0", "activity pay timeout 0s", "timer t", "signal s never fails",
])
def test_options_that_make_no_sense_are_errors_with_a_location(text: str) -> None:
    with pytest.raises(ProcalgError) as info:
        loads(text + "\n")
    assert info.value.span is not None


def test_undo_outside_a_saga_is_an_error_pointing_at_it() -> None:
    model = loads("channel a, b\nP = a undo b\n")
    with pytest.raises(ModelError, match="only has a meaning inside saga") as info:
        model.lts("P")
    assert info.value.span is not None and info.value.span.line == 2


def test_recursion_through_compensable_definitions_is_an_error() -> None:
    model = loads("channel a, b\nP = a undo b ; P\nQ = saga (P)\n")
    with pytest.raises(ModelError, match="reaches itself"):
        model.lts("Q")


@pytest.mark.parametrize("body", [
    "P = saga (a undo u ; P)",
    "P = saga (a undo u ; (b -> SKIP [] c -> Q))\nQ = P",
    "P = saga (a undo P)",
])
def test_a_saga_that_starts_itself_from_inside_its_body_is_an_error_naming_the_chain(
        body: str) -> None:
    model = loads(f"activity a\nactivity u never fails\nchannel b, c\n{body}\n")
    with pytest.raises(ModelError, match="starts itself again from inside its own body") as info:
        model.lts("P")
    assert info.value.span is not None and info.value.span.line == 4
    assert "P = saga (...) ; P" in info.value.hint


def test_recursion_around_a_saga_stays_finite() -> None:
    model = loads("activity a\nchannel b, c\nP = saga (a undo b ; c) ; P\n")
    lts = model.lts("P")
    assert lts.num_states < 20
    assert check_reachable(model.system("P"), "compensated").passed


def test_outcome_markers_are_events_that_assertions_can_name() -> None:
    model = loads("activity a\nchannel b\nP = saga (a undo b)\nQ = saga (a undo b ; THROW)\n"
                  "assert P :[reachable compensated]\nassert not Q :[reachable throw]\n")
    reports = list(check_model(model))
    assert [r.result for r in reports] == ["pass", "pass"]
    assert reports[0].check.counterexample.trace == ("fail.a", "compensate", "compensated")


def test_failures_are_a_channel_models_can_name_and_events_include() -> None:
    model = loads("activity pay : {1, 2}\nactivity ship\nactivity log never fails\n"
                  "P = pay?x -> SKIP\nQ = P \\ {| fail |}\n")
    assert model.spec.value(parse_expr("fail.ship")) == fail_event(Event("ship"))
    assert {str(e) for e in model.spec.events} == {
        "pay.1", "pay.2", "ship", "log", "fail.pay.1", "fail.pay.2", "fail.ship"}
    assert set(model.lts("Q").labels[2:]) == {"pay.1", "pay.2", "throw"}


def test_events_of_a_model_with_sagas_include_the_markers_so_hiding_all_but_a_hides_them() -> None:
    model = loads("activity a\nchannel u\nP = saga (a undo u)\nQ = P \\ diff(Events, {a})\n")
    assert {"compensate", "compensated"} <= {str(e) for e in model.spec.events}
    assert set(model.lts("Q").labels) - {"τ", "✓"} == {"a"}


def test_events_of_a_model_without_sagas_have_no_markers() -> None:
    model = loads("activity a\nP = a -> SKIP\n")
    assert {str(e) for e in model.spec.events} == {"a", "fail.a"}
