"""Queries and updates across processes, on SQLite and a real PostgreSQL server: a run a
live `procalg worker` process holds answers a query and an update; an update whose
process dies between accepting and recording it is applied exactly once afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.cli.main import main
from procalg.runtime.history import UpdateReceived
from procalg.store import store_from_url

MODEL = """signal deposit : {1..3}
activity slow attempts 3 backoff 1s
Account(b) = deposit?x -> Account((b + x) % 10)
P = (slow -> SKIP) ||| Account(0)
"""
ACTS = """import time
def slow():
    time.sleep(3)
ACTIVITIES = {"slow": slow}
"""


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    Path("m.proc").write_text(MODEL)
    Path("acts.py").write_text(ACTS)
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.db'}"
    return request.getfixturevalue("fresh_postgres")


def _down() -> None:
    raise ConnectionError("slow service down")


def _updates(url: str, run_id: str) -> list[UpdateReceived]:
    log = store_from_url(url)
    try:
        return [e for e in log.history(run_id) if type(e) is UpdateReceived]
    finally:
        log.close()


def test_a_run_held_by_a_live_worker_process_answers_a_query_and_an_update(
        url: str, capsys) -> None:
    starter = api.engine(url, activities={"slow": _down})
    api.start("m.proc", "P", store=starter, run_id="r")  # slow failed once: retry in 1s
    starter.close()
    worker = subprocess.Popen([sys.executable, "-m", "procalg.cli", "worker", "--db", url,
                               "--activities", "acts"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        log = store_from_url(url)
        deadline = time.monotonic() + 30
        while log.length("r") < 4 and time.monotonic() < deadline:
            time.sleep(0.05)  # the worker claims the run, records run_resumed, runs slow (3 s)
        owner, length = log.get_run("r").owner, log.length("r")
        assert owner
        assert main(["runs", "query", "r", "--db", url, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["branches"][1]["params"] == {"b": 0}
        assert "deposit.2" in data["signals"] and data["activities"] == ["slow"]
        assert (log.get_run("r").owner, log.length("r")) == (owner, length)  # a read only
        assert main(["runs", "update", "r", "deposit.2", "--db", url, "--update-id", "k",
                     "--timeout", "30", "--json"]) == 0
        reply = json.loads(capsys.readouterr().out)
        assert reply["position"]["branches"][-1]["params"] == {"b": 2}
        assert [u.update_id for u in _updates(url, "r")] == ["k"]
        log.close()
    finally:
        worker.terminate()
        worker.communicate(timeout=30)


CHILD = """import os, sys
from procalg.api import run as api
from procalg.runtime.engine import Engine
def crash(self, *args, **kwargs):  # the update is accepted (buffered), not yet recorded
    os._exit(9)
Engine._flush = crash
eng = api.engine(sys.argv[1], activities={"slow": lambda: None})
eng.get("r").update("deposit", 2, update_id="k")
"""


def test_an_update_whose_process_dies_before_recording_it_is_applied_once_afterwards(
        url: str, capsys) -> None:
    starter = api.engine(url, activities={"slow": lambda: None})
    api.start("m.proc", "P", store=starter, run_id="r")  # waits for a deposit
    starter.close()
    child = subprocess.run([sys.executable, "-c", CHILD, url], capture_output=True, text=True,
                           timeout=60)
    assert child.returncode == 9, child.stderr
    log = store_from_url(url)
    assert [s.update_id for _, s in log.pending("r")] == ["k"]  # accepted, durable
    assert _updates(url, "r") == []  # not recorded
    log.close()
    # the retry with its key finds it in the inbox, takes the dead process's lease, records it
    assert main(["runs", "update", "r", "deposit.2", "--db", url, "--update-id", "k",
                 "--json"]) == 0
    reply = json.loads(capsys.readouterr().out)
    assert reply["position"]["branches"][-1]["params"] == {"b": 2}
    assert main(["runs", "update", "r", "deposit.2", "--db", url, "--update-id", "k",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == reply
    assert [u.update_id for u in _updates(url, "r")] == ["k"]
    log = store_from_url(url)
    assert log.pending("r") == []
    history = log.history("r")
    log.close()
    assert api.replay("m.proc", history).status == "waiting"  # a trace of the model


def test_two_callers_racing_with_one_key_apply_the_update_once(url: str) -> None:
    starter = api.engine(url, activities={"slow": lambda: None})
    api.start("m.proc", "P", store=starter, run_id="r")
    starter.close()
    callers = [api.engine(url, activities={"slow": lambda: None}) for _ in range(4)]
    replies: list = []
    barrier = threading.Barrier(len(callers))

    def one(eng) -> None:
        barrier.wait()
        replies.append(eng.get("r").update("deposit", 1, update_id="same", timeout=30))

    threads = [threading.Thread(target=one, args=(eng,)) for eng in callers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for eng in callers:
        eng.close()
    assert len(replies) == 4 and all(r == replies[0] for r in replies)
    assert [u.update_id for u in _updates(url, "r")] == ["same"]
