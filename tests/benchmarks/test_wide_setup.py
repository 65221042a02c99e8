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


def test_a_width_below_one_is_a_usage_error_not_a_traceback(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["wide_setup", "--width", "0"])
    with pytest.raises(SystemExit) as exit_:
        wide_setup.main()
    assert exit_.value.code == 2 and "--width" in capsys.readouterr().err
