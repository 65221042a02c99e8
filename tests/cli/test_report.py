"""``procalg check`` on refinement and equivalence assertions: verdicts worked out by hand
from the definitions (Roscoe, *Understanding Concurrent Systems*, ch. 6 and 9), and how
their counterexamples read in text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.cli.main import main

MODEL = """\
channel a, b, h
Ext = a -> STOP [] b -> STOP
Int = a -> STOP |~| b -> STOP
X = a -> X
D = X \\ {a}
TA = (h -> a -> STOP) \\ {h}
A = a -> STOP
"""

# (assertion, verdict): why
CASES = [
    ("Ext [T= Int", "pass"),    # both have traces {<>, <a>, <b>}
    ("Int [T= Ext", "pass"),
    ("Ext [F= Int", "fail"),    # Int may refuse {b} (or {a}) at the start; Ext refuses neither
    ("Int [F= Ext", "pass"),    # Ext's failures are a subset of Int's
    ("Int [FD= Ext", "pass"),
    ("STOP [T= D", "pass"),     # D = (μX. a -> X) \ {a} has only the empty trace
    ("STOP [F= D", "pass"),     # ... and no stable state, so no failures at all
    ("STOP [FD= D", "fail"),    # ... but it diverges at once, and STOP does not
    ("D [FD= STOP", "pass"),    # a divergent spec allows everything after its divergence
    ("TA = A :[weak]", "pass"),       # τ.a ≈ a
    ("TA = A :[branching]", "pass"),  # the τ is inert
    ("TA = A :[strong]", "fail"),     # τ.a can do τ, a cannot: <τ>tt
    ("Ext = Int :[weak]", "fail"),
]


@pytest.fixture
def checked(tmp_path: Path, capsys) -> dict:
    path = tmp_path / "m.proc"
    path.write_text(MODEL + "".join(f"assert {text}\n" for text, _ in CASES))
    assert main(["check", "--json", str(path)]) == 1
    doc = json.loads(capsys.readouterr().out)
    return {a["assertion"]: a for a in doc["assertions"]}


@pytest.mark.parametrize(("text", "verdict"), CASES, ids=[c[0] for c in CASES])
def test_refinement_and_equivalence_verdicts_match_the_hand_computed_ones(checked, text,
                                                                          verdict) -> None:
    assert checked[text]["result"] == verdict


def test_a_failures_violation_shows_the_refused_event_after_the_empty_trace(checked) -> None:
    ce = checked["Ext [F= Int"]["counterexample"]
    assert ce["trace"] == []
    assert ce["refused"] in (["a"], ["b"])  # whichever branch the internal choice took


def test_a_divergence_violation_shows_a_tau_cycle(checked) -> None:
    ce = checked["STOP [FD= D"]["counterexample"]
    assert ce["trace"] == [] and ce["cycle"] == ["τ"]


def test_a_strong_inequivalence_gives_the_formula_tau_tt(checked) -> None:
    ce = checked["TA = A :[strong]"]["counterexample"]
    assert ce["formula"] == "<tau>tt"


def test_a_weak_inequivalence_formula_is_weak_and_names_an_event(checked) -> None:
    formula = checked["Ext = Int :[weak]"]["counterexample"]["formula"]
    assert "<<" in formula or "[[" in formula
    assert "a" in formula or "b" in formula


def test_text_output_shows_refused_set_and_formula(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.proc"
    path.write_text(MODEL + "assert Ext [F= Int\nassert TA = A :[strong]\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "refused: {a}" in out or "refused: {b}" in out
    assert "distinguishing formula: <tau>tt" in out


def test_stats_name_the_product_engine_when_a_check_ran_on_the_lts_it_explored(
        tmp_path: Path, capsys) -> None:
    # 32 lock-step rings of 7 states: 7 reachable states, but 96-bit codes
    path = tmp_path / "wide.proc"
    path.write_text("channel step, tock\nC(i, k) = step -> C(i, (k + 1) % 7)"
                    " [] k == 0 & tock -> C(i, k)\n"
                    "Sys = [| {step, tock} |] i : {0..31} @ C(i, 0)\n"
                    "assert Sys :[deterministic]\nassert Sys [T= Sys\n")
    assert main(["check", str(path), "--stats"]) == 0
    out = capsys.readouterr().out
    assert "term-level" not in out
    assert "engine: product (the LTS), then state by state on it: the bulk normal form" in out


def test_json_says_why_the_reference_engine_ran_and_null_where_the_product_engine_did(
        tmp_path: Path, capsys) -> None:
    path = tmp_path / "why.proc"
    path.write_text("channel a\nP = a -> SKIP ; P\n"
                    "assert P :[deadlock free]\nassert P :[reachable a]\n")
    assert main(["check", "--json", str(path)]) == 0
    product = json.loads(capsys.readouterr().out)["assertions"]
    assert [(a["engine"], a["why"]) for a in product] == [("product", None)] * 2
    assert main(["check", "--json", "--engine", "reference", str(path)]) == 0
    reference = json.loads(capsys.readouterr().out)["assertions"]
    assert [(a["engine"], a["why"]) for a in reference] == [
        ("reference", "--engine reference")] * 2
