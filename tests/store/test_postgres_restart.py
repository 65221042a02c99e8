"""A worker started while its PostgreSQL server is away waits for it; a wrong URL fails at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.errors import StoreError, StoreUnavailable
from procalg.store import store_from_url

MODEL = """activity a, b
timer t = 300ms
P = a -> t -> b -> SKIP
"""
ACTS = """import os
def call(name):
    def act():
        with open(os.environ["EFFECTS"], "a") as f:
            f.write(name + "\\n")
    return act
ACTIVITIES = {"a": call("a"), "b": call("b")}
"""


def _worker(url: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "procalg.cli", "worker", "--db", url,
                             "--activities", "acts", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_worker_started_while_the_server_is_down_waits_for_it_and_drives_the_runs(
        fresh_postgres: str, postgres_server: dict, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    effects = tmp_path / "effects.txt"
    monkeypatch.setenv("EFFECTS", str(effects))
    Path("m.proc").write_text(MODEL)
    Path("acts.py").write_text(ACTS)
    import acts

    starter = api.engine(fresh_postgres, activities=acts.ACTIVITIES)
    for i in range(3):  # each does `a`, then waits on its timer
        api.start("m.proc", "P", store=starter, run_id=f"r{i}")
    starter.close()
    postgres_server["stop"]()
    try:
        with pytest.raises(StoreUnavailable, match="cannot connect"):
            store_from_url(fresh_postgres)  # what the worker meets: worth waiting for
        worker = _worker(fresh_postgres, "--wait", "60")
        assert worker.stderr is not None
        assert worker.stderr.readline().startswith("waiting up to 60 s for the store: ")
    finally:
        postgres_server["start"]()
    log = store_from_url(fresh_postgres)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(r.status != "completed" for r in log.list_runs()):
        time.sleep(0.1)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert [r.status for r in log.list_runs()] == ["completed"] * 3
    assert sorted(effects.read_text().split()) == ["a"] * 3 + ["b"] * 3
    assert out.startswith("worker ") and "worker stopped: 3 drives, 0 failed" in out


def test_a_worker_on_a_database_that_does_not_exist_fails_at_once_without_waiting(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("acts.py").write_text(ACTS)
    wrong = postgres_url.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(StoreError, match="does not exist") as raised:
        store_from_url(wrong)
    assert not isinstance(raised.value, StoreUnavailable)
    began = time.monotonic()
    worker = _worker(wrong, "--wait", "60")
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 2
    assert err.startswith("error: cannot connect to ") and "does not exist" in err
    assert "waiting" not in err and out == ""
    assert time.monotonic() - began < 20  # not the 60 s of --wait


def test_a_server_that_goes_away_while_the_store_opens_is_worth_waiting_for(
        fresh_postgres: str, postgres_server: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    import procalg.store.postgres as postgres

    real = postgres.prepare

    def stopped_first(cur):  # type: ignore[no-untyped-def]
        postgres_server["stop"]()  # connected; the server dies before the schema check
        return real(cur)

    monkeypatch.setattr(postgres, "prepare", stopped_first)
    try:
        with pytest.raises(StoreUnavailable, match="cannot open the store"):
            store_from_url(fresh_postgres)  # so `procalg worker --wait` waits, not exits
    finally:
        postgres_server["start"]()
    monkeypatch.setattr(postgres, "prepare", real)
    assert store_from_url(fresh_postgres).list_runs() == []
