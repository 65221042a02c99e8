"""The %%proc magic as a function: its line, the model in the cell, the namespace."""

from __future__ import annotations

import pytest

from procalg.errors import ParseError
from procalg.notebook.magic import MagicLine, MagicUsageError, parse_line, proc_cell

CELL = "channel a, b\nP = a -> b -> STOP\nassert P :[deadlock free]\nassert P [T= P\n"


def test_cell_is_loaded_checked_and_bound_to_the_name():
    ns: dict = {}
    reports = proc_cell("m", CELL, ns)
    assert [r.result for r in reports] == ["fail", "pass"]
    assert reports[0].check.counterexample.trace == ("a", "b")
    assert ns["m"].lts("P").num_states == 3


def test_without_a_name_nothing_is_bound():
    ns: dict = {}
    assert len(proc_cell("", CELL, ns)) == 2 and ns == {}


def test_state_limit_reaches_the_checks():
    cell = "channel c : {0..9}\nR(n) = c?x -> R((n + x) % 50)\nassert R(0) :[deadlock free]\n"
    (report,) = proc_cell("--max-states 3", cell, {})
    assert report.result == "error" and "limit" in report.error.message.lower()


def test_line_parsing():
    assert parse_line("") == MagicLine()
    assert parse_line("  dp  ") == MagicLine("dp")
    assert parse_line("--max-states 10 dp") == MagicLine("dp", 10)


@pytest.mark.parametrize("line", ["dp --max-states", "--max-states 0", "--max-states x",
                                  "a b", "1dp", "--verbose"])
def test_malformed_lines_are_usage_errors_with_the_usage(line):
    with pytest.raises(MagicUsageError) as caught:
        parse_line(line)
    assert "%%proc [NAME]" in caught.value.hint


def test_a_malformed_model_is_a_parse_error_naming_the_cell():
    with pytest.raises(ParseError) as caught:
        proc_cell("bad", "P = a -> -> STOP\n", {})
    assert caught.value.render().startswith("<%%proc bad>:1:")
