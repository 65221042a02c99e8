"""procalg run / runs / replay end to end, with the activity modules of examples/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ORDER = str(ROOT / "models" / "order_saga.proc")
APPROVAL = str(ROOT / "models" / "approval.proc")
BROKEN = str(ROOT / "models" / "broken_saga.proc")  # fails assertions on purpose
FAST = ["--retry", "*.initial_interval=1ms"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))  # examples.* importable
    monkeypatch.delenv("SHOP_FAIL", raising=False)


def test_a_run_that_completes_prints_each_activity_and_exits_0(capsys) -> None:
    code = main(["run", ORDER, "Order", "--activities", "examples.shop", *FAST])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    assert lines[1:] == ["activity reserve (attempt 1)", "activity charge (attempt 1)",
                         "activity ship (attempt 1)", "· confirm", "completed"]
    assert Path("runs.db").exists()


def test_a_failing_step_shows_retries_then_the_marked_rollback_and_exits_1(
    capsys, monkeypatch
) -> None:
    monkeypatch.setenv("SHOP_FAIL", "charge")
    code = main(["run", ORDER, "Order", "--activities", "examples.shop", *FAST])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count("activity charge attempt") == 3  # attempts 3 in the model
    rollback = out[out.index("↺ compensate"):]
    assert "undo activity release (attempt 1)" in rollback and "refund" not in rollback
    assert out.rstrip().endswith("compensated")


def test_a_model_failing_an_assertion_is_refused_with_exit_2_and_the_line(capsys) -> None:
    line = Path(BROKEN).read_text().splitlines().index(
        "assert Order :[compensation complete]") + 1  # the first that fails on purpose
    assert main(["run", BROKEN, "Shaky", "--activities", "examples.shop"]) == 2
    err = capsys.readouterr().err
    assert (f"broken_saga.proc:{line}:1: error: the model fails its assertion "
            "`Order :[compensation complete]` (and 1 more)") in err
    assert not json.dumps(err).count("Traceback")
    assert main(["runs", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no runs"  # refused before anything is recorded
    assert main(["run", BROKEN, "Shaky", "--activities", "examples.shop",
                 "--allow-failed-assertions", *FAST]) == 0  # the opt-out still works


def test_a_waiting_run_is_signalled_listed_shown_and_its_history_replays(capsys) -> None:
    assert main(["run", APPROVAL, "Approval", "--activities", "examples.travel"]) == 3
    out = capsys.readouterr().out
    run_id = out.split()[1].rstrip(":")
    assert "waiting for a signal: approve, reject" in out
    assert "timer escalate started: fires in 1d" in out
    assert main(["runs", "list"]) == 0
    assert f"{run_id}   Approval         waiting" in capsys.readouterr().out
    assert main(["runs", "signal", run_id, "approve", "--activities", "examples.travel"]) == 0
    out = capsys.readouterr().out
    assert "signal approve" in out and "activity grant (attempt 1)" in out
    assert main(["runs", "show", run_id]) == 0
    table = capsys.readouterr().out
    assert "signal_received" in table and table.rstrip().endswith("status: completed")
    assert main(["runs", "show", run_id, "--json"]) == 0
    Path("h.json").write_text(capsys.readouterr().out)
    assert main(["replay", APPROVAL, "h.json"]) == 0
    out = capsys.readouterr().out
    assert "is a trace of Approval" in out and "the run is completed" in out
    assert main(["replay", ORDER, "h.json", "--process", "Order"]) == 1
    assert "NOT a trace" in capsys.readouterr().out


def test_bad_input_is_a_clear_error_and_never_a_traceback(capsys) -> None:
    assert main(["runs", "show", "nope"]) == 2
    assert "error: no run with id 'nope'" in capsys.readouterr().err
    Path("foreign.db").write_text("not a database")
    assert main(["runs", "list", "--db", "foreign.db"]) == 2
    assert "is not a procalg run store" in capsys.readouterr().err
    assert Path("foreign.db").read_text() == "not a database"
    assert main(["run", ORDER, "Order", "--activities", "no.such.module"]) == 2
    assert "cannot import activities module 'no.such.module'" in capsys.readouterr().err
