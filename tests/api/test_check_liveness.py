"""``:[terminates]`` and ``:[ltl]:`` through the API and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.api import check_model, loads
from procalg.cli.main import main
from procalg.errors import ParseError

MODEL = """\
channel req, ack, idle
channel think, eat : {0..1}
Server = req -> (ack -> Server [] idle -> Server)
Phil(i) = think.i -> eat.i -> Phil(i)
Table = Phil(0) [| {| think |} |] Phil(1)
Two = Phil(0) ||| Phil(1)
"""


def _check(*assertions: str) -> list:
    return list(check_model(loads(MODEL + "\n".join(assertions) + "\n")))


def test_a_lasso_reaches_the_report_with_its_prefix_and_cycle() -> None:
    (report,) = _check("assert Server :[ltl]: G (req -> F ack)")
    ce = report.check.counterexample
    assert report.result == "fail" and ce.lasso
    assert ce.trace == ("req",) and ce.cycle == ("idle", "req")


def test_negation_flips_a_liveness_verdict() -> None:
    reports = _check("assert not Server :[terminates]",
                     "assert not Server :[ltl strong fairness]: G (req -> F ack)")
    assert [r.result for r in reports] == ["pass", "fail"]


def test_a_parallel_process_is_checked_on_the_product_engine() -> None:
    (report,) = _check("assert Two :[ltl strong fairness]: G F eat.1")
    assert report.result == "pass"
    assert report.check.stats.extra["engine"] == "product"


def test_channel_patterns_and_sets_are_atoms() -> None:
    reports = _check("assert Two :[ltl]: G (think.0 -> F {| eat |})",
                     "assert Two :[ltl]: G F think.1",
                     "assert Two :[ltl]: G (think -> think.0 || think.1) && G !think.2")
    assert [r.result for r in reports] == ["pass", "fail", "pass"]


def test_an_unknown_event_in_a_formula_is_an_error_pointing_at_it() -> None:
    (report,) = _check("assert Server :[ltl]: G (req -> F akc)")
    assert report.result == "error"
    assert "unknown event 'akc'; did you mean 'ack'?" in report.error.message
    assert report.error.span.column == len("assert Server :[ltl]: G (req -> F ") + 1


def test_a_malformed_formula_is_an_error_with_its_column() -> None:
    (report,) = _check("assert Server :[ltl]: G (req -> F ack")
    assert report.result == "error" and "expected ')'" in report.error.message
    assert report.error.span.column == len("assert Server :[ltl]: G (req -> F ack") + 1


@pytest.mark.parametrize(("text", "message"), [
    ("assert Server :[terminates fairly]", "unknown fairness 'fairly'"),
    ("assert Server :[ltl]", "needs the formula"),
    ("assert Server :[ltl fair]: F ack", "unknown fairness 'fair'"),
    ("assert Server :[ltl]:   ", "needs a formula"),
])
def test_malformed_liveness_assertions_are_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        loads(MODEL + text + "\n")


def test_json_output_gives_prefix_and_cycle(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.proc"
    path.write_text(MODEL + "assert Server :[terminates]\n")
    assert main(["check", "--json", str(path)]) == 1
    evidence = json.loads(capsys.readouterr().out)["assertions"][0]["counterexample"]
    assert evidence["prefix"] == [] and evidence["cycle"] == ["req", "ack"]


def test_text_output_shows_prefix_and_cycle_and_explains_the_cycle(tmp_path: Path,
                                                                   capsys) -> None:
    path = tmp_path / "m.proc"
    path.write_text(MODEL + "assert Two :[ltl]: G F eat.1\nassert Table :[ltl]: F eat.0\n")
    assert main(["check", "--explain", str(path)]) == 1
    out = capsys.readouterr().out
    assert "prefix: think.0\n    cycle: eat.0, think.0 (repeats for ever)" in out
    assert "| think.0  ↺ eat.0  ↺ think.0  offers at the end" in out
    # Table deadlocks at once: a finite run, shown as a trace
    assert "which deadlocks here (and stutters)\n    trace: (the empty trace)" in out


def test_max_states_bounds_the_liveness_product(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.proc"
    path.write_text(MODEL + "assert Two :[ltl]: G F eat.1\n")
    assert main(["check", "--max-states", "5", str(path)]) == 2
    captured = capsys.readouterr()
    assert "more than --max-states 5" in captured.out + captured.err
