"""Group commit: concurrent writers share transactions, each learns its own fate."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import StoreError
from procalg.runtime.commit import GroupCommit
from procalg.runtime.history import EventFired, RunStarted
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import RunRecord, SeqConflict, Write


def _create(run_id: str) -> Write:
    return Write(run_id, 0, (RunStarted(time=0.0, process="P"),), record=RunRecord(run_id, "P"))


class _SlowLog(MemoryLog):
    """A log whose transactions take a while, recording each batch it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()

    def write_many(self, writes: list[Write]) -> list[StoreError | None]:
        self.batches.append([w.run_id for w in writes])
        self.entered.set()
        self.release.wait(5)
        return super().write_many(writes)


def test_writes_queued_during_a_commit_share_the_next_transaction() -> None:
    log = _SlowLog()
    commits = GroupCommit(log)
    first = threading.Thread(target=commits.commit, args=(_create("lead"),))
    first.start()
    assert log.entered.wait(5)  # the leader is inside its (slow) transaction
    others = [threading.Thread(target=commits.commit, args=(_create(f"r{i}"),)) for i in range(5)]
    for t in others:
        t.start()
    while len(commits._queue) < 5:  # all five queued behind the leader
        threading.Event().wait(0.001)
    log.release.set()
    for t in [first, *others]:
        t.join(5)
    assert log.batches[0] == ["lead"]
    assert sorted(log.batches[1]) == [f"r{i}" for i in range(5)] and len(log.batches) == 2
    assert (commits.batches, commits.writes) == (2, 6)
    assert all(log.length(r) == 1 for r in ["lead", *(f"r{i}" for i in range(5))])


def test_a_collision_fails_only_its_own_writer_and_the_others_are_durable() -> None:
    log = MemoryLog()
    commits = GroupCommit(log)
    commits.commit(_create("a"))
    commits.commit(_create("b"))
    results = commits._write([Write("a", 1, (EventFired(time=1.0, label="τ"),)),
                              Write("b", 5, (EventFired(time=1.0, label="τ"),)),
                              _create("a")])
    assert results[0] is None
    assert isinstance(results[1], SeqConflict)
    assert isinstance(results[2], StoreError) and "already exists" in str(results[2])
    assert (log.length("a"), log.length("b")) == (2, 1)
    with pytest.raises(SeqConflict):  # raised in the caller whose write it was
        commits.commit(Write("b", 5, (EventFired(time=1.0, label="τ"),)))


class _PlainLog:
    """A log with only the basic port methods (no write_many)."""

    def __init__(self) -> None:
        self.inner = MemoryLog()
        self.calls: list[str] = []

    def create_run(self, record: RunRecord, first: list) -> None:
        self.calls.append("create")
        self.inner.create_run(record, first)

    def append(self, run_id: str, seq: int, events: list, status: str | None = None) -> None:
        self.calls.append("append")
        self.inner.append(run_id, seq, events, status)

    def release(self, run_id: str, owner: str) -> None:
        self.calls.append("release")
        self.inner.release(run_id, owner)


def test_a_log_without_write_many_gets_one_call_per_write_with_the_same_effects() -> None:
    log = _PlainLog()
    commits = GroupCommit(log)  # type: ignore[arg-type]
    commits.commit(Write("r", 0, (RunStarted(time=0.0, process="P"),),
                         record=RunRecord("r", "P", owner="me", lease_until=9.0)))
    commits.commit(Write("r", 1, (EventFired(time=1.0, label="✓"),), "completed", release="me"))
    assert log.calls == ["create", "append", "release"]
    record = log.inner.get_run("r")
    assert (record.status, record.owner, log.inner.length("r")) == ("completed", "", 2)
    with pytest.raises(SeqConflict):
        commits.commit(Write("r", 1, (EventFired(time=1.0, label="τ"),)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=12))
def test_concurrent_writers_each_get_every_event_in_order_exactly_once(lengths: list[int]) -> None:
    log = MemoryLog()
    commits = GroupCommit(log)

    def writer(i: int, steps: int) -> None:
        commits.commit(_create(f"r{i}"))
        for seq in range(1, steps + 1):
            commits.commit(Write(f"r{i}", seq, (EventFired(time=float(seq), label=f"e{seq}"),)))

    threads = [threading.Thread(target=writer, args=(i, n)) for i, n in enumerate(lengths)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for i, n in enumerate(lengths):
        labels = [e.label for e in log.history(f"r{i}")[1:]]
        assert labels == [f"e{s}" for s in range(1, n + 1)]
    assert commits.writes == sum(lengths) + len(lengths)
    assert commits.batches <= commits.writes
