"""procalg runs cancel end to end: a waiting run is cancelled and compensates, a
request the model cannot take yet is kept, an ended run is a one-line error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from procalg.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ORDER = str(ROOT / "models" / "cancellable_order.proc")
PLAIN = str(ROOT / "models" / "order_saga.proc")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))  # examples.* importable
    monkeypatch.delenv("SHOP_FAIL", raising=False)


def _lines(capsys) -> list[str]:
    return [line.strip() for line in capsys.readouterr().out.splitlines()]


def test_a_waiting_run_is_cancelled_compensates_and_shows_as_cancelled(capsys) -> None:
    assert main(["run", ORDER, "Order", "--activities", "examples.shop", "--run-id", "o"]) == 3
    out = _lines(capsys)
    assert out[-2:] == ["run o waiting for a signal: approve",
                        "send one with: procalg runs signal o NAME [VALUE...]"]
    code = main(["runs", "cancel", "o", "--reason", "changed my mind",
                 "--activities", "examples.shop"])
    assert (code, _lines(capsys)) == (1, [
        "⊘ cancel (changed my mind)", "↺ compensate: rolling back completed steps",
        "undo activity release (attempt 1)", "↺ compensated", "cancelled"])
    assert main(["runs", "list"]) == 0
    assert _lines(capsys)[1].split()[:3] == ["o", "Order", "cancelled"]
    assert main(["runs", "show", "o"]) == 0
    shown = _lines(capsys)
    assert any("cancel_requested" in line and "reason=changed my mind" in line
               for line in shown)
    assert shown[-1] == "status: cancelled"
    assert main(["runs", "show", "o", "--json"]) == 0
    Path("o.json").write_text(capsys.readouterr().out)
    assert main(["replay", ORDER, "o.json"]) == 0
    assert _lines(capsys)[-1] == "the run is cancelled"
    assert json.loads(Path("o.json").read_text())[-1]["kind"] == "run_cancelled"


def test_cancelling_an_ended_run_or_one_that_cannot_be_cancelled_is_a_one_line_error(
        capsys) -> None:
    assert main(["run", PLAIN, "Order", "--activities", "examples.shop", "--run-id", "p"]) == 0
    capsys.readouterr()
    assert main(["runs", "cancel", "p", "--activities", "examples.shop"]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"error: run p has finished: completed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d;"
                        " it cannot be cancelled", err.splitlines()[0])
    assert "Traceback" not in err
    assert main(["runs", "cancel", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


LATE = """activity charge, ship
activity refund never fails
signal go
Order = saga (go undo SKIP ; charge undo refund ; (cancel -> THROW [] ship))
"""


def test_a_request_made_before_the_model_offers_cancel_is_kept_and_taken_later(capsys) -> None:
    Path("late.proc").write_text(LATE)
    assert main(["run", "late.proc", "Order", "--activities", "examples.shop",
                 "--run-id", "l"]) == 3
    capsys.readouterr()
    assert main(["runs", "cancel", "l", "--activities", "examples.shop"]) == 0
    assert _lines(capsys) == ["cancel requested: run l takes it where its model offers cancel "
                              "(its model offers no cancel now)"]
    assert main(["runs", "show", "l"]) == 0
    assert any(line.startswith("pending signal: cancel") for line in _lines(capsys))
    assert main(["runs", "signal", "l", "go", "--activities", "examples.shop"]) == 1
    assert _lines(capsys) == [
        "signal go", "activity charge (attempt 1)", "⊘ cancel",
        "↺ compensate: rolling back completed steps", "undo activity refund (attempt 1)",
        "↺ compensated", "cancelled"]
