"""Schedules on the virtual clock: due times, catch-up, pause, and runs that are traces."""

from __future__ import annotations

import datetime as dt

import pytest

from procalg.api import schedule
from procalg.api.attrs import find_runs
from procalg.api.model import loads
from procalg.api.run import engine, replay
from procalg.errors import UsageError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.cron import Cron
from procalg.runtime.memory import MemoryLog
from procalg.runtime.schedule import Schedule, due_times, fire_due, scheduled_run_id

MODEL = loads("activity report : {0..9}\nReport(n) = report.n -> SKIP\n", "report.proc")
HOUR = 3600.0


def _utc(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M %a")


@pytest.mark.parametrize(("expr", "after", "expected"), [
    ("0 * * * *", "2026-12-03 19:05", "2026-12-03 20:00 Thu"),
    ("*/15 9-17 * * *", "2026-12-03 17:50", "2026-12-04 09:00 Fri"),
    ("30 9 * * mon-fri", "2026-12-05 12:00", "2026-12-07 09:30 Mon"),
    ("0 0 1 jan *", "2026-12-03 00:00", "2027-01-01 00:00 Fri"),
    ("0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00 Tue"),
    ("0 12 13 * 5", "2026-12-03 00:00", "2026-12-04 12:00 Fri"),  # day OR weekday, as cron
    ("0 0 * * 7", "2026-12-03 00:00", "2026-12-06 00:00 Sun"),
])
def test_cron_gives_the_next_matching_minute_in_utc(expr: str, after: str,
                                                    expected: str) -> None:
    assert _iso(Cron.parse(expr).next_after(_utc(after))) == expected


@pytest.mark.parametrize(("expr", "why"), [
    ("0 * * *", "4 fields"), ("60 * * * *", "outside the minute range"),
    ("0 0 31 2 *", "matches no time"), ("*/0 * * * *", "step must be at least 1"),
    ("x * * * *", "not a number"),
])
def test_a_bad_cron_expression_is_a_usage_error_naming_the_fault(expr: str, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        Cron.parse(expr)


def test_after_downtime_latest_fires_once_and_all_fires_every_missed_time() -> None:
    latest = Schedule("s", "P", every=HOUR, next_due=HOUR)
    assert due_times(latest, 5.5 * HOUR) == ([5 * HOUR], 6 * HOUR)
    every = Schedule("s", "P", every=HOUR, next_due=HOUR, catch_up="all")
    assert due_times(every, 5.5 * HOUR) == ([1 * HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR, 5 * HOUR],
                                             6 * HOUR)
    assert due_times(Schedule("s", "P", every=HOUR, next_due=HOUR, paused=True), 9 * HOUR) \
        == ([], HOUR)


def test_a_scheduled_run_is_driven_to_the_end_and_its_history_is_a_trace() -> None:
    clock = VirtualClock(start=0.0)
    calls: list[int] = []
    eng = engine(MemoryLog(), activities={"report": calls.append}, clock=clock)
    schedule.add(eng, "hourly", MODEL, "Report", 3, every="1h", now=clock.now(),
                 attrs={"team": "ops"})
    assert fire_due(eng.log, clock.now()) == []
    clock.advance(HOUR)
    assert fire_due(eng.log, clock.now()) == [("hourly", "hourly-19700101T010000Z")]
    assert fire_due(eng.log, clock.now()) == []  # the same due time never starts twice
    assert eng.resume("hourly-19700101T010000Z") == "completed"
    assert calls == [3]
    history = eng.log.history("hourly-19700101T010000Z")
    assert replay(MODEL, history).status == "completed"
    assert [r.run_id for r in find_runs(eng, attrs={"schedule": "hourly", "team": "ops"})] \
        == ["hourly-19700101T010000Z"]


def test_a_paused_schedule_fires_nothing_and_resumes_from_the_next_due_time() -> None:
    log = MemoryLog()
    schedule.add(log, "s", MODEL, "Report", 1, every="1h", now=0.0)
    schedule.pause(log, "s")
    assert fire_due(log, 10 * HOUR) == []
    assert schedule.resume(log, "s", now=10.5 * HOUR).next_due == 11 * HOUR
    assert fire_due(log, 11 * HOUR) == [("s", scheduled_run_id("s", 11 * HOUR))]


def test_a_schedule_of_an_unknown_process_or_without_timing_is_refused() -> None:
    log = MemoryLog()
    with pytest.raises(UsageError, match="exactly one of --every and --cron"):
        schedule.add(log, "s", MODEL, "Report", 1)
    with pytest.raises(UsageError, match="exactly one"):
        schedule.add(log, "s", MODEL, "Report", 1, every="1h", cron="0 * * * *")
    with pytest.raises(Exception, match="Nope"):
        schedule.add(log, "s", MODEL, "Nope", every="1h")
    assert log.schedules() == []
