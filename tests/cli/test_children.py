"""procalg run / runs list / runs show with child runs (models/order_children.proc)."""

from __future__ import annotations

from pathlib import Path

import pytest

from procalg.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ORDER = str(ROOT / "models" / "order_children.proc")
FAST = ["--retry", "*.initial_interval=1ms"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))  # examples.* importable
    monkeypatch.delenv("PAY_FAIL", raising=False)


def test_a_run_narrates_its_child_run_marked_with_the_childs_id(capsys) -> None:
    code = main(["run", ORDER, "Order(1)", "--activities", "examples.payments",
                 "--run-id", "o1", *FAST])
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert lines[1:] == ["child Pay(1) started: run o1.0", "[o1.0] activity charge.1 (attempt 1)",
                         "[o1.0] completed", "child run o1.0 completed: Pay.1.completed",
                         "activity ship.1 (attempt 1)", "· confirm.1", "completed"]


def test_runs_list_puts_each_child_under_its_parent_and_show_prints_the_family(
    capsys, monkeypatch
) -> None:
    monkeypatch.setenv("PAY_FAIL", "charge")
    assert main(["run", ORDER, "Order(2)", "--activities", "examples.payments",
                 "--run-id", "o2", *FAST]) == 1
    monkeypatch.delenv("PAY_FAIL")
    assert main(["run", ORDER, "Order(1)", "--activities", "examples.payments",
                 "--run-id", "o1", *FAST]) == 0
    capsys.readouterr()
    assert main(["runs", "list"]) == 0
    rows = [line.split()[:4] for line in capsys.readouterr().out.splitlines()[1:]]
    assert [r[:3] for r in rows] == [["o2", "Order(2)", "compensated"],
                                     ["└", "o2.0", "Pay(2)"], ["o1", "Order(1)", "completed"],
                                     ["└", "o1.0", "Pay(1)"]]
    assert main(["runs", "show", "o2"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("children:\n  o2.0  Pay(2)  compensated")
    assert "child_started" in out and "outcome=compensated" in out
    assert main(["runs", "show", "o2.0"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("status: compensated\nparent: o2")


FAMILY = """\
activity reserve, charge attempts 1
activity release, refund never fails
signal approve
Pay(o) = saga (charge undo refund ; (cancel -> THROW [] approve -> SKIP))
Order(o) = saga (reserve undo release ; (child(Pay(o)) /\\ (cancel -> THROW)))
"""


def test_a_parent_whose_child_waits_for_a_signal_names_the_child_and_exits_3(
        tmp_path, capsys) -> None:
    (tmp_path / "family.proc").write_text(FAMILY)
    (tmp_path / "family_acts.py").write_text(
        "ACTIVITIES = {n: (lambda: None) for n in ('reserve', 'charge', 'release', 'refund')}\n")
    acts = ["--activities", "family_acts"]
    assert main(["run", "family.proc", "Order(1)", *acts, "--run-id", "o"]) == 3
    out = capsys.readouterr().out
    assert "run o.1 (a child of run o) waiting for a signal: approve" in out
    assert "send one with: procalg runs signal o.1 NAME [VALUE...]" in out
    assert main(["runs", "signal", "o.1", "approve", *acts]) == 0
    assert main(["runs", "list"]) == 0
    listed = capsys.readouterr().out
    assert [line.split()[:3] for line in listed.splitlines()[-2:]] == [
        ["o", "Order(1)", "completed"], ["└", "o.1", "Pay(1)"]]
