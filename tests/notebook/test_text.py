"""Plain-text views: what a terminal IPython or a log shows."""

from __future__ import annotations

from procalg.api import check_model, loads
from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts import LTS
from procalg.notebook.text import (
    evidence_lines,
    lts_text,
    model_text,
    report_text,
    reports_text,
    result_text,
)


def test_reports_text_marks_each_assertion_and_indents_the_evidence():
    model = loads("channel a\nP = a -> STOP\nQ = a -> Q\n"
                  "assert P :[deadlock free]\nassert Q :[deadlock free]\n", "m.proc")
    lines = reports_text(list(check_model(model))).splitlines()
    assert lines[0].startswith("✗ P :[deadlock free]  (line 4,")
    assert lines[1].startswith("    deadlock")
    assert lines[2] == "    trace: a"
    assert lines[3].startswith("✓ Q :[deadlock free]  (line 5,")
    assert len(lines) == 4  # a pass has no evidence lines


def test_error_report_shows_message_and_hint_without_states():
    model = loads("assert R :[deadlock free]\n", "m.proc")
    report = next(check_model(model))
    text = report_text(report)
    assert text.startswith("! R :[deadlock free]  (line 1)")
    assert report.error.message in text and "states" not in text


def test_divergence_evidence_names_the_loop_without_taus():
    ce = Counterexample(("a",), cycle=("τ", "b", "τ"), note="diverges")
    assert evidence_lines(ce) == ["diverges", "trace: a", "then loops for ever: b"]
    assert evidence_lines(Counterexample((), cycle=("τ",)))[-1] == "then loops for ever: τ"


def test_formula_and_accepted_sets_are_shown_sorted():
    ce = Counterexample(("a",), accepted=frozenset({"c", "b"}), formula="<a>tt")
    assert evidence_lines(ce)[1:] == ["accepted: {b, c}", "distinguishing formula: <a>tt"]


def test_result_text_counts_states():
    result = CheckResult(Verdict.FAIL, Counterexample(()), Stats(states=1234))
    assert result_text(result).splitlines() == ["✗ fail  (1,234 states)",
                                                "    trace: (the empty trace)"]


def test_lts_text_counts_deadlocks_but_not_terminated_states():
    lts = LTS.build(4, 0, ["a"], [(0, "a", 1), (0, "✓", 2), (0, "τ", 3)])
    assert lts_text(lts) == ("LTS: 4 states, 3 transitions, 1 visible labels, "
                             "2 deadlocked states")


def test_model_text_lists_declarations_with_their_kinds():
    model = loads("activity pay attempts 2 backoff 1s\nchannel c : {0..1}\nN = 3\n"
                  "P = pay -> c!1 -> SKIP\nassert P :[deadlock free]\n", "m.proc")
    assert model_text(model).splitlines() == [
        "model m.proc",
        "  channel c : {0, 1}",
        "  activity pay  (attempts 2, backoff 1s)",
        "  N = 3  (value)",
        "  P  (process)",
        "  assert P :[deadlock free]  (line 5)",
    ]
