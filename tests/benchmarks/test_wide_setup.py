"""The wide set-up benchmark (benchmarks/wide_setup.py): it builds what it times."""

from __future__ import annotations

import sys

import pytest

from benchmarks import wide_setup
from procalg.semantics import network_shape
from procalg.semantics.deep import run_deep


def test_every_phase_is_timed_and_the_whole_budget_is_given_back(monkeypatch):
    monkeypatch.setattr(network_shape, "WIDE_WHOLE_MOVES", 100)
    spent = run_deep(lambda: wide_setup.phases(300))  # past the budget: raised meanwhile
    assert sorted(spent) == ["compile", "drivers", "leaf walk", "tables"]
    assert all(seconds >= 0 for seconds in spent.values())
    assert network_shape.WIDE_WHOLE_MOVES == 100


@pytest.mark.parametrize(("option", "value"), [("--width", "0"), ("--check", "-1")])
def test_a_width_below_one_or_a_negative_check_length_is_a_usage_error_not_a_traceback(
        monkeypatch, capsys, option, value):
    monkeypatch.setattr(sys, "argv", ["wide_setup", option, value])
    with pytest.raises(SystemExit) as exit_:
        wide_setup.main()
    assert exit_.value.code == 2 and option in capsys.readouterr().err


def test_a_whole_check_is_split_by_phase_on_the_product_and_every_patched_call_is_given_back(
        monkeypatch):
    monkeypatch.setattr(network_shape, "WIDE_WHOLE_MOVES", 100)
    before = [owner.__dict__[name] for owner, name, _ in wide_setup.CHECKED]
    spent = run_deep(lambda: wide_setup.check_phases(300, 40))
    assert list(spent) == ["all", *(phase for _, _, phase in wide_setup.CHECKED)]
    # the product ran: its network compiled, its level search and its trace rebuilt
    assert spent["compile"] > 0 and spent["search"] > 0 and spent["counterexample"] > 0
    assert spent["all"] >= spent["compile"] + spent["search"]
    assert [owner.__dict__[name] for owner, name, _ in wide_setup.CHECKED] == before
    assert network_shape.WIDE_WHOLE_MOVES == 100
