"""The SQLite store refuses foreign or damaged files and survives crashes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from procalg.errors import StoreError
from procalg.runtime.history import EventFired, RunStarted, SignalReceived
from procalg.runtime.ports import RunRecord
from procalg.store import store_from_url
from procalg.store.rows import SCHEMA_VERSION
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _new_store(path: Path) -> SqliteLog:
    log = SqliteLog(path)
    log.create_run(RunRecord("r1", "P"), [RunStarted(time=0.0, process="P")])
    return log


def test_the_store_uses_wal_and_an_fsync_per_commit(tmp_path: Path) -> None:
    log = _new_store(tmp_path / "runs.db")
    assert log._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert log._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_text_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my precious notes\n" * 50)
    before = _digest(path)
    with pytest.raises(StoreError, match="not an SQLite database"):
        store_from_url(f"sqlite:///{path}")
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_another_applications_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (x)")
    db.execute("INSERT INTO runs VALUES (1)")
    db.commit()
    db.close()
    before = _digest(path)
    with pytest.raises(StoreError, match="application_id"):
        SqliteLog(path)
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


def test_a_damaged_store_gives_a_store_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    log = _new_store(path)
    log.append("r1", 1, [EventFired(time=1.0, label="x" * 5000) for _ in range(20)])
    log.close()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # wreck every page after the first
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(StoreError, match="damaged"):
        reopened = SqliteLog(path)
        reopened.history("r1")
    assert _digest(path) == before


def test_a_store_with_one_overwritten_index_page_is_refused_before_any_write(
        tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    log = _new_store(path)
    for i in range(300):  # enough runs for the status index to fill pages of its own
        log.create_run(RunRecord(f"run-{i:04}", "P"), [RunStarted(time=0.0, process="P")])
    log._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (root,) = log._db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs_status'"
                              ).fetchone()
    (size,) = log._db.execute("PRAGMA page_size").fetchone()
    log.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size + 8:root * size] = os.urandom(size - 8)  # keep the page header
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(StoreError, match="damaged"):
        SqliteLog(path)
    assert _digest(path) == before


def test_a_directory_or_a_missing_store_when_only_reading_is_refused_without_a_file(
        tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="it is a directory"):
        SqliteLog(tmp_path)
    with pytest.raises(StoreError, match="there is no run store at"):
        store_from_url(f"sqlite:///{tmp_path / 'typo.db'}", create=False)
    assert list(tmp_path.iterdir()) == []


def test_a_newer_schema_is_refused_with_a_hint_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _new_store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema version 99") as err:
        SqliteLog(path)
    assert "upgrade" in (err.value.hint or "")


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    path.touch()
    _new_store(path).close()
    assert SqliteLog(path).get_run("r1").process == "P"


_CLAIMER = """
import os, signal, sys
from procalg.store.sqlite import SqliteLog
log = SqliteLog(sys.argv[1])
assert log.claim("r1", "dead-worker", 300.0)
os.kill(os.getpid(), signal.SIGKILL)  # right after the claim's commit: no close, no exit
"""


def test_a_lease_commits_without_an_fsync_yet_a_killed_claimers_lease_is_kept(
        tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    log = _new_store(path)
    assert log.claim("r1", "w", 30.0) and log.renew("r1", "w", 30.0)
    log.release("r1", "w")
    # the leases went out at synchronous=NORMAL; every step after them is FULL again
    assert log._db.execute("PRAGMA synchronous").fetchone()[0] == 2
    log.close()
    child = subprocess.run([sys.executable, "-c", _CLAIMER, str(path)], check=False)
    assert child.returncode == -signal.SIGKILL
    seen = SqliteLog(path).get_run("r1")  # the OS kept the committed frames of the WAL
    assert seen.owner == "dead-worker" and seen.lease_until > time.time() + 200


def test_an_unknown_url_scheme_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unknown store URL"):
        store_from_url("mysql://localhost/db")


_WRITER = """
import sys
from procalg.store.sqlite import SqliteLog
from procalg.terms.values import Event
from procalg.runtime.history import EventFired
log = SqliteLog(sys.argv[1])
seq = len(log.history("r1"))
print("ready", flush=True)
while True:
    log.append("r1", seq, [EventFired(time=float(seq), label=f"e{seq}"),
                           EventFired(time=float(seq), label=f"f{seq}")])
    seq += 2
"""


def test_a_writer_killed_mid_stream_leaves_whole_batches_and_readers_keep_reading(
    tmp_path: Path,
) -> None:
    path = tmp_path / "runs.db"
    _new_store(path).close()
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    reader = SqliteLog(path)
    seen = []
    for _ in range(20):  # a concurrent reader always sees a consistent prefix
        seen.append(len(reader.history("r1")))
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert seen == sorted(seen) and all(n % 2 == 1 for n in seen)
    history = SqliteLog(path).history("r1")
    assert len(history) % 2 == 1 and len(history) > 1  # run_started + whole pairs only
    labels = [e.label for e in history[1:]]
    assert labels == [f"{c}{i}" for i in range(1, len(history), 2) for c in "ef"]


def test_a_version_1_store_gains_the_signal_inbox_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _new_store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE inbox")
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    log = SqliteLog(path)
    log.send("r1", SignalReceived(time=1.0, event=Event("ok", ())))
    assert [s.event for _, s in log.pending("r1")] == [Event("ok", ())]
    assert log._db.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                           ).fetchone()[0] == str(SCHEMA_VERSION)


def test_a_version_2_store_gains_the_snapshots_table_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _new_store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE snapshots")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    log = SqliteLog(path)
    log.save_snapshot("r1", 3, "body")
    assert log.snapshot("r1") == (3, "body")
    assert log._db.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                           ).fetchone()[0] == str(SCHEMA_VERSION)
