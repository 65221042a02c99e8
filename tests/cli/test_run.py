"""procalg run / runs / replay end to end, with the activity modules of examples/."""

from __future__ import annotations

import json
import re
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
    assert main(["runs", "signal", run_id, "approve", "--activities", "examples.travel"]) == 2
    err = capsys.readouterr().err.splitlines()  # when it ended, not "buffered"
    assert re.fullmatch(rf"error: run {run_id} has finished: completed at \d{{4}}-\d\d-\d\d"
                        r" \d\d:\d\d:\d\d; it takes no more signals", err[0]), err
    assert main(["runs", "show", run_id, "--json"]) == 0
    Path("h.json").write_text(capsys.readouterr().out)
    assert main(["replay", APPROVAL, "h.json"]) == 0
    out = capsys.readouterr().out
    assert "is a trace of Approval" in out and "the run is completed" in out
    assert main(["replay", ORDER, "h.json", "--process", "Order"]) == 1
    assert "NOT a trace" in capsys.readouterr().out


def test_bad_input_is_a_clear_error_and_never_a_traceback(capsys) -> None:
    from procalg.store.sqlite import SqliteLog

    SqliteLog("runs.db").close()
    assert main(["runs", "show", "nope"]) == 2
    assert "error: no run with id 'nope'" in capsys.readouterr().err
    Path("foreign.db").write_text("not a database")
    assert main(["runs", "list", "--db", "foreign.db"]) == 2
    assert "is not a procalg run store" in capsys.readouterr().err
    assert Path("foreign.db").read_text() == "not a database"
    assert main(["run", ORDER, "Order", "--activities", "no.such.module"]) == 2
    assert "cannot import activities module 'no.such.module'" in capsys.readouterr().err
    account = str(ROOT / "models" / "account.proc")
    assert main(["run", account, "Account", "nine"]) == 2  # the typing's fault, not the file's
    assert capsys.readouterr().err.startswith("<command line>:1:1: error: undefined name 'nine'")


# -- leases: every command that claims a run releases it; dead owners are seen at once ----

ASK = """signal answer : {0..2}
signal ok : Bool
activity work
channel done
P = answer?x -> ok?b -> work -> done -> SKIP
"""
OTHER = ASK.replace("P = answer?x ->", "P = done ->")


def _waiting_run(capsys, module: str, body: str = "def work():\n    pass\n") -> str:
    Path("ask.proc").write_text(ASK)
    Path(f"{module}.py").write_text(f"{body}\nACTIVITIES = {{'work': work}}\n")
    assert main(["run", "ask.proc", "P", "--activities", module]) == 3
    run_id = capsys.readouterr().out.split()[1].rstrip(":")
    assert _owner(run_id) == ""  # waiting for a signal: the lease is released
    return run_id


def _owner(run_id: str) -> str:
    from procalg.store.sqlite import SqliteLog

    log = SqliteLog("runs.db")
    try:
        return log.get_run(run_id).owner
    finally:
        log.close()


@pytest.mark.parametrize("path", ["bad value", "bool given 1", "rejected migration",
                                  "unbound activity", "ctrl-c in an activity"])
def test_a_command_that_claims_a_run_and_fails_releases_its_lease(capsys, path: str) -> None:
    module = "acts_" + path.replace(" ", "_").replace("-", "_")
    body = ("def work():\n    raise KeyboardInterrupt\n" if path.startswith("ctrl-c")
            else "def work():\n    pass\n")
    run_id = _waiting_run(capsys, module, body)
    acts = ["--activities", module]
    if path != "bad value":
        assert main(["runs", "signal", run_id, "answer", "1", *acts]) == 3
        capsys.readouterr()
    if path == "bad value":
        assert main(["runs", "signal", run_id, "answer", "7", *acts]) == 2
        assert "7 is not a value of field 1 of signal answer" in capsys.readouterr().err
    elif path == "bool given 1":
        assert main(["runs", "signal", run_id, "ok", "1", *acts]) == 2
        assert "1 is not a value of field 1 of signal ok" in capsys.readouterr().err
    elif path == "rejected migration":
        Path("other.proc").write_text(OTHER)
        assert main(["runs", "resume", run_id, "--model", "other.proc", *acts]) == 2
        assert "answer" in capsys.readouterr().err
    elif path == "unbound activity":
        assert main(["runs", "signal", run_id, "ok", "true"]) == 2
        assert "without a bound function: work" in capsys.readouterr().err
    else:
        assert main(["runs", "signal", run_id, "ok", "true", *acts]) == 130
    assert _owner(run_id) == ""
    # and the next command is not refused
    assert main(["runs", "signal", run_id, "ok", "true", "--activities", "examples.shop"]) != 0
    assert "held by" not in capsys.readouterr().err


def test_resume_after_the_worker_was_killed_is_not_refused(capsys) -> None:
    import subprocess
    import sys
    import time

    Path("ask.proc").write_text(ASK.replace("P = answer?x -> ok?b ->", "P ="))
    Path("slow_acts.py").write_text(
        "import time, pathlib\n"
        "def work():\n    pathlib.Path('started').write_text('x')\n    time.sleep(60)\n"
        "ACTIVITIES = {'work': work}\n")
    worker = subprocess.Popen([sys.executable, "-m", "procalg.cli", "run", "ask.proc", "P",
                               "--activities", "slow_acts", "--run-id", "killed"],
                              stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not Path("started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.kill()
    worker.wait(timeout=30)
    run_id = "killed"
    Path("quick_acts.py").write_text("def work():\n    pass\nACTIVITIES = {'work': work}\n")
    began = time.monotonic()
    assert main(["runs", "resume", run_id, "--activities", "quick_acts"]) == 0
    assert time.monotonic() - began < 5  # not refused for the lease's 30 s
    assert "resumed after a crash" in capsys.readouterr().out


def test_a_signal_to_a_run_whose_owner_died_is_not_refused(capsys) -> None:
    import sqlite3
    import subprocess
    import sys
    import time

    run_id = _waiting_run(capsys, "acts_dead")
    dead = subprocess.run([sys.executable, "-c", "from procalg.runtime.leases import owner_id;"
                           " print(owner_id())"], capture_output=True, text=True).stdout.strip()
    with sqlite3.connect("runs.db") as db:  # as if a worker had died holding the run
        db.execute("UPDATE runs SET owner = ?, lease_until = ?", (dead, time.time() + 3600))
    assert main(["runs", "signal", run_id, "answer", "1", "--activities", "acts_dead"]) == 3
    assert "signal answer.1" in capsys.readouterr().out


@pytest.mark.parametrize(("case", "said"), [
    ("directory as --db", "d is not a procalg run store: it is a directory"),
    ("module raising at import", "cannot import activities module 'boom': ValueError: boom"),
    ("module with a syntax error", "cannot import activities module 'broken': SyntaxError"),
    ("sys.exit in an activity", "activity work called sys.exit(7)"),
    ("list a mistyped --db", "there is no run store at typo.db"),
])
def test_each_failure_is_one_error_line_with_exit_2(capsys, case: str, said: str) -> None:
    Path("w.proc").write_text("activity work\nP = work -> SKIP\n")
    Path("boom.py").write_text("raise ValueError('boom')\n")
    Path("broken.py").write_text("def (\n")
    Path("exits.py").write_text("import sys\nACTIVITIES = {'work': lambda: sys.exit(7)}\n")
    Path("d").mkdir()
    argv = {"directory as --db": ["runs", "list", "--db", "d"],
            "module raising at import": ["run", "w.proc", "P", "--activities", "boom"],
            "module with a syntax error": ["run", "w.proc", "P", "--activities", "broken"],
            "sys.exit in an activity": ["run", "w.proc", "P", "--activities", "exits"],
            "list a mistyped --db": ["runs", "list", "--db", "typo.db"]}[case]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {said}") and "Traceback" not in err
    assert not Path("typo.db").exists()


def test_a_hung_activity_past_its_timeout_does_not_keep_procalg_run_from_exiting() -> None:
    import subprocess
    import sys

    Path("hung.proc").write_text("activity work timeout 200ms attempts 1\nP = work -> SKIP\n")
    Path("hangs.py").write_text("import time\nACTIVITIES = {'work': lambda: time.sleep(600)}\n")
    done = subprocess.run([sys.executable, "-m", "procalg.cli", "run", "hung.proc", "P",
                           "--activities", "hangs"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1  # the run failed (no attempts left), and the process ended
    assert "StartToCloseTimeout" in done.stdout


def test_a_signal_to_a_run_another_worker_drives_is_buffered_and_shown_pending(capsys) -> None:
    from procalg.api import run as api

    Path("timed.proc").write_text("signal ok : Bool\ntimer t = 1h\nP = t -> ok?b -> SKIP\n")
    worker = api.engine("sqlite:///runs.db")
    run = api.start("timed.proc", "P", store=worker)  # waits on its timer, holding the lease
    assert main(["runs", "signal", run.id, "ok", "true"]) == 0
    out = capsys.readouterr().out
    assert "signal ok buffered" in out and f"driven by worker {worker.owner}" in out
    assert main(["runs", "show", run.id]) == 0
    assert "pending signal: ok.true" in capsys.readouterr().out
    worker.close()


def test_runs_show_lists_a_signal_left_in_an_ended_runs_inbox_as_unread_at_end(capsys) -> None:
    from procalg.api import run as api

    Path("two.proc").write_text("signal go : {0..9}\nsignal stop\n"
                                "P = stop -> SKIP [] go?x -> go?y -> SKIP\n")
    eng = api.engine("sqlite:///runs.db")
    run = api.start("two.proc", "P", store=eng)
    assert main(["runs", "signal", run.id, "go", "1"]) == 3  # waiting for the next go
    assert main(["runs", "signal", run.id, "stop"]) == 3  # no longer offered: buffered
    capsys.readouterr()
    assert main(["runs", "show", run.id]) == 0
    assert "pending signal: stop" in capsys.readouterr().out
    assert main(["runs", "signal", run.id, "go", "2"]) == 0  # the run completes
    capsys.readouterr()
    assert main(["runs", "show", run.id]) == 0
    out = capsys.readouterr().out
    assert "unread at end: stop (sent at +" in out and "pending signal" not in out
    assert out.rstrip().endswith("status: completed")
