"""procalg schedule and runs list's search filters, end to end through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from procalg.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ORDER = str(ROOT / "models" / "order_saga.proc")
APPROVAL = str(ROOT / "models" / "approval.proc")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))  # examples.* importable
    monkeypatch.delenv("SHOP_FAIL", raising=False)


def _out(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_schedules_are_added_listed_paused_resumed_and_deleted(capsys) -> None:
    code, out, _ = _out(capsys, "schedule", "add", "nightly", ORDER, "Order",
                        "--cron", "0 2 * * *")
    assert code == 0 and out.startswith("schedule nightly: Order cron '0 2 * * *', next at ")
    assert out.rstrip().endswith("02:00:00 UTC (catch-up: latest)")
    _out(capsys, "schedule", "add", "often", ORDER, "Order", "--every", "30s",
         "--catch-up", "all")
    code, out, _ = _out(capsys, "schedule", "pause", "often")
    assert (code, out) == (0, "schedule often paused\n")
    _, out, _ = _out(capsys, "schedule", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "PROCESS", "WHEN", "NEXT", "(UTC)", "STATE"]
    assert lines[1].split()[:4] + lines[1].split()[-1:] == ["nightly", "Order", "cron",
                                                             "'0", "active"]
    assert lines[2].split()[:4] + lines[2].split()[-1:] == ["often", "Order", "every", "30s",
                                                             "paused"]
    assert _out(capsys, "schedule", "resume", "often")[1].startswith("schedule often resumed")
    assert _out(capsys, "schedule", "delete", "often") == (0, "schedule often deleted\n", "")
    assert len(_out(capsys, "schedule", "list")[1].splitlines()) == 2


@pytest.mark.parametrize(("argv", "message"), [
    (["add", "x", ORDER, "Order", "--cron", "0 2 * *"], "error: bad cron expression"),
    (["add", "x", ORDER, "Nope", "--every", "1h"], "has no process named Nope"),
    (["add", "x", ORDER, "Order", "--every", "soon"], "not a duration"),
    (["add", "x", ORDER, "Order", "--every", "1h", "--attr", "oops"], "is not KEY=VALUE"),
    (["pause", "ghost"], "error: no schedule named 'ghost'"),
    (["delete", "ghost"], "error: no schedule named 'ghost'"),
])
def test_a_bad_schedule_command_is_a_one_line_error_with_exit_2(capsys, argv, message) -> None:
    _out(capsys, "schedule", "add", "seed", ORDER, "Order", "--every", "1h")  # a store
    code, _, err = _out(capsys, "schedule", *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_schedule_name_is_unique(capsys) -> None:
    _out(capsys, "schedule", "add", "s", ORDER, "Order", "--every", "1h")
    code, _, err = _out(capsys, "schedule", "add", "s", ORDER, "Order", "--every", "2h")
    assert code == 2 and "a schedule named 's' already exists" in err


def test_runs_list_filters_by_status_model_time_and_attribute(capsys) -> None:
    shop = ["--activities", "examples.shop", "--retry", "*.initial_interval=1ms"]
    main(["run", ORDER, "Order", *shop, "--run-id", "a", "--attr", "tenant=acme"])
    main(["run", ORDER, "Order", *shop, "--run-id", "b", "--attr", "tenant=zeta",
          "--attr", "tier=gold"])
    capsys.readouterr()

    def ids(*flags: str) -> list[str]:
        code, out, err = _out(capsys, "runs", "list", *flags)
        assert code == 0, err
        return [] if out == "no runs\n" else [line.split()[0] for line in out.splitlines()[1:]]

    assert ids() == ["a", "b"]
    assert ids("--attr", "tenant=acme") == ["a"]
    assert ids("--attr", "tenant=zeta", "--attr", "tier=gold") == ["b"]
    assert ids("--attr", "tenant=acme", "--attr", "tier=gold") == []
    assert ids("--status", "completed") == ["a", "b"]
    assert ids("--status", "waiting,failed") == []
    assert ids("--status", "Completed") == ["a", "b"]
    code, _, err = _out(capsys, "runs", "list", "--status", "done")
    assert code == 2 and "no run status called 'done'" in err and "completed" in err
    assert ids("--model", ORDER) == ["a", "b"]
    assert ids("--model", APPROVAL) == []
    assert ids("--since", "1h") == ["a", "b"]
    assert ids("--since", "2999-01-01") == []
    code, _, err = _out(capsys, "runs", "list", "--since", "yesterday")
    assert code == 2 and "neither a duration nor a date" in err


def test_a_schedule_of_a_process_with_arguments_reads_them_as_values_of_the_model(capsys) -> None:
    account = str(ROOT / "models" / "account.proc")
    code, out, err = _out(capsys, "schedule", "add", "topup", account, "Account", "3",
                          "--every", "1h")
    assert (code, err) == (0, "") and out.startswith("schedule topup: Account every 1h")
    _, out, _ = _out(capsys, "schedule", "list")
    assert out.splitlines()[1].split()[:2] == ["topup", "Account(3)"]
    code, _, err = _out(capsys, "schedule", "add", "bad", account, "Account", "nine",
                        "--every", "1h")
    assert code == 2 and err.startswith("<command line>:1:1: error: undefined name 'nine'")
