"""Activity heartbeats: silence fails an attempt; details survive into the next attempt."""

from __future__ import annotations

import time
from pathlib import Path

import procalg
from procalg.runtime.engine import Engine
from procalg.runtime.history import AttemptFailed
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Prefix


def _model(**policy: object) -> Workflow:
    retry = RetryPolicy(initial_interval=0.0, maximum_attempts=3).with_overrides(**policy)
    return Workflow(TermSystem(Prefix(Event("copy"), SKIP)),
                    {"copy": Channel("copy", ChannelKind.ACTIVITY, 0, retry)})


def test_an_activity_that_keeps_beating_outlives_its_heartbeat_timeout(tmp_path: Path) -> None:
    def copy() -> None:
        for page in range(8):
            time.sleep(0.05)
            procalg.heartbeat({"page": page})

    engine = Engine(SqliteLog(tmp_path / "r.db"), {"copy": copy})
    run = engine.start(_model(heartbeat_timeout=0.2))
    assert run.status == "completed"  # 0.4 s in all, never 0.2 s silent


def test_a_silent_attempt_fails_and_the_next_resumes_from_its_last_details(
        tmp_path: Path) -> None:
    seen: list[object] = []

    def copy() -> None:
        start = procalg.heartbeat_details()
        seen.append(start)
        page = 0 if start is None else start["page"] + 1
        procalg.heartbeat({"page": page})
        if page < 2:
            time.sleep(1.0)  # hangs: no heartbeat for longer than the timeout

    engine = Engine(SqliteLog(tmp_path / "r.db"), {"copy": copy},
                    loader=lambda record: _model(heartbeat_timeout=0.2))
    run = engine.start(_model(heartbeat_timeout=0.2))
    run_status = engine.run_until_done(run.id, timeout=20)
    assert run_status == "completed"
    assert seen == [None, {"page": 0}, {"page": 1}]
    failed = [e for e in run.history() if isinstance(e, AttemptFailed)]
    assert [f.error_type for f in failed] == ["HeartbeatTimeout"] * 2
    assert [f.details for f in failed] == [{"page": 0}, {"page": 1}]  # recorded: durable


def test_heartbeat_outside_an_activity_does_nothing() -> None:
    procalg.heartbeat({"x": 1})
    assert procalg.heartbeat_details() is None
