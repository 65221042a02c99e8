"""A model's declarations as rows: kinds, options, and no exploration."""

from __future__ import annotations

from pathlib import Path

from procalg.api import Model, load, loads
from procalg.errors import ModelError
from procalg.notebook.summary import summarise
from procalg.syntax.pretty import duration

ROOT = Path(__file__).resolve().parents[2]


def test_definitions_are_told_apart_as_process_function_or_value():
    model = loads("N = 2\nchannel c : {0..N}\nDouble(x) = 2 * x\nP(i) = c!i -> STOP\n"
                  "S = {0, 1}\nQ = P(1) [] P(0)\n")
    rows = {d.signature: (d.kind, d.value) for d in summarise(model).definitions}
    assert rows == {"N": ("value", "2"), "Double(x)": ("function", ""),
                    "P(i)": ("process", ""), "S": ("value", "{0, 1}"), "Q": ("process", "")}


class Failing(Model):
    """A model whose values fail when evaluated (loading evaluates them today; the view
    must not depend on that)."""

    def value(self, expr):
        raise ModelError("division by zero")


def test_a_definition_that_fails_to_evaluate_is_a_row_not_an_exception():
    model = loads("X = 1\n")
    rows = summarise(Failing(model.source, model.module, model.spec)).definitions
    assert [(d.signature, d.kind, d.value) for d in rows] == [("X", "error", "division by zero")]


def test_long_values_are_cut_with_an_ellipsis():
    (row,) = summarise(loads("S = {0..100}\n")).definitions
    assert len(row.value) == 60 and row.value.endswith("…")


def test_workflow_channels_carry_their_kind_and_options():
    summary = summarise(load(ROOT / "models" / "approval.proc"))
    rows = {c.name: (c.kind, c.options) for c in summary.channels}
    assert rows["approve"] == ("signal", "")
    assert rows["grant"] == ("activity", "attempts 5, backoff 1m")
    assert rows["revoke"] == ("activity", "never fails")
    assert rows["escalate"] == ("timer", "fires after 1d")
    assert rows["request"] == ("channel", "")
    assert "fail" not in rows  # the saga semantics' own channel, not declared by the model


def test_summary_keeps_assertions_with_their_lines():
    summary = summarise(loads("channel a\nP = a -> P\n\nassert P :[deadlock free]\n"))
    assert [(a.line, a.text) for a in summary.assertions] == [(4, "P :[deadlock free]")]


def test_duration_uses_the_largest_exact_unit():
    assert [duration(ms) for ms in (7_200_000, 90_000, 30_000, 250, 3_601_000)] == [
        "2h", "90s", "30s", "250ms", "3601s"]
