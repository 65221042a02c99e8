"""The engine steps plain CSP workflows: activities, choices, signals, timers, retries."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import RunError, StoreError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.history import (
    ActivityCompleted,
    AttemptFailed,
    EventFired,
    RunStarted,
    TimerStarted,
)
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import RunRecord
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, STOP, Event, ExternalChoice, Parallel, Prefix, Process


def seq(*events: Event, then: Process = SKIP) -> Process:
    for e in reversed(events):
        then = Prefix(e, then)
    return then


def choice(*ps: Process) -> Process:
    out = ps[0]
    for p in ps[1:]:
        out = ExternalChoice(out, p)
    return out


def act(name: str, arity: int = 0, **retry: object) -> Channel:
    policy = RetryPolicy(maximum_attempts=3).with_overrides(**retry)
    return Channel(name, ChannelKind.ACTIVITY, arity, policy)


def wf(term: Process, *channels: Channel, **kw: object) -> Workflow:
    return Workflow(TermSystem(term), {c.name: c for c in channels}, **kw)


def E(channel: str, *fields: object) -> Event:
    return Event(channel, tuple(fields))


def visible(run) -> list[str]:
    return [str(e.label) for e in run.history() if isinstance(e, EventFired)]


def test_activities_run_in_model_order_with_the_fields_the_model_gives(engine: Engine) -> None:
    calls = []
    engine.activities.bind("reserve", lambda item: calls.append(("reserve", item)))
    engine.activities.bind("ship", lambda: calls.append(("ship",)))
    run = engine.start(wf(seq(E("reserve", 7), E("log"), E("ship")),
                          act("reserve", 1), act("ship")))
    assert calls == [("reserve", 7), ("ship",)]
    assert run.status == "completed"
    assert visible(run) == ["reserve.7", "log", "ship", "✓"]


def test_an_activity_result_fills_the_field_the_model_reads(engine: Engine) -> None:
    term = choice(Prefix(E("quote", 1, 10), Prefix(E("pay", 10), SKIP)),
                  Prefix(E("quote", 1, 20), Prefix(E("pay", 20), SKIP)))
    paid = []
    engine.activities.bind("quote", lambda item: 20)
    engine.activities.bind("pay", paid.append)
    run = engine.start(wf(term, act("quote", 2), act("pay", 1)))
    assert paid == [20]
    assert [str(e) for e in run.result().trace] == ["quote.1.20", "pay.20"]


def test_a_value_outside_the_offered_set_fails_the_attempt_naming_channel_value_and_set(
    engine: Engine,
) -> None:
    term = choice(Prefix(E("quote", 10), SKIP), Prefix(E("quote", 20), SKIP))
    engine.activities.bind("quote", lambda: 30)
    run = engine.start(wf(term, act("quote", 1, maximum_attempts=1)))
    assert run.status == "failed"
    failed = [e for e in run.history() if isinstance(e, AttemptFailed)]
    assert failed[0].message == ("activity quote returned 30: quote.30 is not in the set the "
                                 "model offers, {quote.10, quote.20}")
    assert "quote" in run.result().error


def test_parallel_activities_run_concurrently_and_share_one_commit(engine: Engine) -> None:
    barrier = threading.Barrier(2, timeout=5)
    engine.activities.bind("a", lambda: barrier.wait())
    engine.activities.bind("b", lambda: barrier.wait())
    appends = []
    real_write = engine.log.write_many
    engine.log.write_many = lambda ws: (appends.extend(w.events for w in ws), real_write(ws))[1]
    run = engine.start(wf(Parallel(seq(E("a")), seq(E("b"))), act("a"), act("b")))
    assert run.status == "completed"  # a barrier of 2 passes only if both ran at once
    completed_batches = [b for b in appends if any(isinstance(e, ActivityCompleted) for e in b)]
    assert len(completed_batches) == 1 and len(
        [e for e in completed_batches[0] if isinstance(e, ActivityCompleted)]) == 2


def test_a_choice_between_activities_runs_only_the_first_by_name(engine: Engine) -> None:
    calls = []
    engine.activities.bind("beta", lambda: calls.append("beta"))
    engine.activities.bind("alpha", lambda: calls.append("alpha"))
    run = engine.start(wf(choice(seq(E("beta")), seq(E("alpha"), then=STOP)),
                          act("alpha"), act("beta")))
    assert calls == ["alpha"]
    assert run.status == "failed" and "deadlock" in run.result().error


def test_retries_follow_the_backoff_on_the_engine_clock(engine: Engine, clock) -> None:
    tries = []

    def flaky() -> None:
        tries.append(clock.now())
        if len(tries) < 3:
            raise ConnectionError("down")

    engine.activities.bind("call", flaky)
    run = engine.start(wf(seq(E("call")), act("call", initial_interval="1s", maximum_attempts=5)))
    assert run.status == "waiting"
    assert [(w.kind, w.what, w.deadline) for w in run.waiting_on()] == [("retry", "call", 1.0)]
    clock.advance("1s")
    assert tries == [0.0, 1.0] and run.status == "waiting"
    clock.advance("1999ms")
    assert len(tries) == 2
    clock.advance("1ms")
    assert tries == [0.0, 1.0, 3.0] and run.status == "completed"
    failures = [(e.attempt, e.error_type, e.retry_at) for e in run.history()
                if isinstance(e, AttemptFailed)]
    assert failures == [(1, "ConnectionError", 1.0), (2, "ConnectionError", 3.0)]


def test_a_non_retryable_error_fails_the_run_at_once(engine: Engine) -> None:
    def bad() -> None:
        raise ValueError("card declined")

    engine.activities.bind("charge", bad)
    run = engine.start(wf(seq(E("charge")),
                          act("charge", non_retryable_error_types=("ValueError",))))
    assert run.status == "failed"
    assert run.result().error == ("activity charge failed after 1 attempt(s): "
                                  "ValueError: card declined")


def test_an_activity_hanging_past_its_timeout_fails_that_attempt(engine: Engine) -> None:
    release = threading.Event()
    engine.activities.bind("hang", lambda: release.wait(5))
    began = time.monotonic()
    run = engine.start(wf(seq(E("hang")), act("hang", start_to_close_timeout=0.05,
                                              maximum_attempts=1)))
    release.set()
    assert time.monotonic() - began < 2
    assert run.status == "failed" and "StartToCloseTimeout" in run.result().error


def test_a_signal_is_accepted_only_with_a_value_the_model_waits_for(engine: Engine) -> None:
    term = choice(seq(E("approve", True), E("ship")), seq(E("approve", False)))
    engine.activities.bind("ship", lambda: None)
    run = engine.start(wf(term, act("ship"), Channel("approve", ChannelKind.SIGNAL, 1)))
    assert [w.what for w in run.waiting_on()] == ["approve.false", "approve.true"]
    before = run.history()
    with pytest.raises(RunError, match=r"not waiting for approve\.3") as err:
        run.signal("approve", 3)
    assert "approve.false, approve.true" in err.value.hint
    with pytest.raises(RunError, match="not a signal channel"):
        run.signal("ship")
    assert run.history() == before and run.status == "waiting"
    run.signal("approve", True)
    assert run.status == "completed"
    with pytest.raises(RunError, match="has finished: completed at "):
        run.signal("approve", True)


def test_an_unknown_run_id_is_a_clear_error(engine: Engine) -> None:
    with pytest.raises(RunError, match="no run with id 'nope'"):
        engine.get("nope")
    with pytest.raises(RunError, match="no run with id 'nope'"):
        engine.claim("nope")


def test_claiming_a_finished_run_says_so_and_takes_no_lease(engine: Engine) -> None:
    engine.activities.bind("ship", lambda: None)
    run = engine.start(wf(seq(E("ship")), act("ship")))
    assert run.status == "completed"
    with pytest.raises(RunError, match="has completed"):
        engine.claim(run.id)
    assert engine.log.get_run(run.id).owner == "" and not engine.leases.holds(run.id)


def test_a_24_hour_timer_fires_exactly_at_its_deadline(engine: Engine, clock) -> None:
    term = choice(seq(E("approve")), seq(E("expire"), E("cancel")))
    engine.activities.bind("cancel", lambda: None)
    channels = (act("cancel"), Channel("approve", ChannelKind.SIGNAL),
                Channel("expire", ChannelKind.TIMER, duration=86400.0))
    clock.advance("5s")
    run = engine.start(wf(term, *channels))
    assert ("timer", "expire", 86405.0) in [(w.kind, w.what, w.deadline)
                                            for w in run.waiting_on()]
    clock.advance("23h59m59s")
    assert run.status == "waiting"
    clock.advance("1s")
    assert run.status == "completed"
    assert visible(run) == ["expire", "cancel", "✓"]


def test_a_model_failing_an_assertion_is_refused_unless_the_caller_opts_out(
    engine: Engine,
) -> None:
    model = wf(seq(E("a")), verdicts={"P :[deadlock free]": True, "P :[deterministic]": False})
    with pytest.raises(RunError, match=r"fails its assertion `P :\[deterministic\]`"):
        engine.start(model)
    assert engine.log.list_runs() == []
    assert engine.start(model, allow_failed_assertions=True).status == "completed"


def test_an_unbound_activity_is_refused_at_start(engine: Engine) -> None:
    with pytest.raises(RunError, match="without a bound function: pay"):
        engine.start(wf(seq(E("pay", 1)), act("pay", 1)))


def test_functions_that_take_it_get_a_deterministic_idempotency_key(engine: Engine) -> None:
    keys = []
    engine.activities.bind("a", lambda idempotency_key: keys.append(idempotency_key))
    run = engine.start(wf(seq(E("a"), E("a")), act("a")), run_id="r42")
    assert run.id == "r42" and keys == ["r42:0", "r42:1"]


def test_async_activities_are_awaited(engine: Engine) -> None:
    async def fetch(x: int) -> int:
        return x + 1

    engine.activities.bind("fetch", fetch)
    run = engine.start(wf(choice(seq(E("fetch", 1, 2)), seq(E("fetch", 1, 3))),
                          act("fetch", 2)))
    assert [str(e) for e in run.result().trace] == ["fetch.1.2"]


def test_a_virtual_clock_engine_resumes_a_timer_with_its_original_deadline(tmp_path) -> None:
    from procalg.store.sqlite import SqliteLog

    model = wf(seq(E("t"), E("done")), act("done"), Channel("t", ChannelKind.TIMER,
                                                             duration=3600.0))
    first = Engine(SqliteLog(tmp_path / "r.db"), {"done": lambda: None}, VirtualClock(100.0))
    run_id = first.start(model).id
    later = VirtualClock(1000.0)  # a restart 900 s later
    second = Engine(SqliteLog(tmp_path / "r.db"), {"done": lambda: None}, later,
                    loader=lambda record: model)
    run = second.get(run_id)
    assert [(w.what, w.deadline) for w in run.waiting_on()] == [("t", 3700.0)]
    second.state(run_id)
    later.advance(2699)
    assert run.status == "waiting"
    later.advance(1)
    assert run.status == "completed"
    assert [e for e in run.history() if isinstance(e, TimerStarted)] == [
        TimerStarted(time=100.0, timer="t", deadline=3700.0)]


def test_histories_replay_on_a_compatible_model_and_name_the_event_a_new_model_rejects(
    engine: Engine,
) -> None:
    engine.activities.bind("a", lambda: None)
    engine.activities.bind("b", lambda: None)
    sig = Channel("s", ChannelKind.SIGNAL)
    run = engine.start(wf(seq(E("a"), E("b"), E("s")), act("a"), act("b"), sig))
    assert run.status == "waiting"
    grown = wf(choice(seq(E("a"), E("b"), E("s"), E("c")), seq(E("z"))), act("a"), act("b"), sig)
    assert engine.attach(run.id, grown).trace == [E("a"), E("b")]
    changed = wf(seq(E("a"), E("c")), act("a"))
    with pytest.raises(RunError, match=r"history event #\d+ \(b\) is not possible here"):
        engine.attach(run.id, changed)


def test_a_divergent_model_fails_instead_of_spinning(engine: Engine) -> None:
    from procalg.terms import Call, Hide

    loop = TermSystem(Hide(Call("L"), frozenset({E("a")})),
                      {Call("L"): Prefix(E("a"), Call("L"))}.__getitem__)
    run = engine.start(Workflow(loop))
    assert run.status == "failed" and "diverges" in run.result().error


def test_parallel_branches_calling_one_channel_are_separate_concurrent_calls(
    engine: Engine,
) -> None:
    barrier = threading.Barrier(2, timeout=5)
    seen = []
    engine.activities.bind("work", lambda i: (seen.append(i), barrier.wait()))
    run = engine.start(wf(Parallel(seq(E("work", 0)), seq(E("work", 1))), act("work", 1)))
    assert run.status == "completed" and sorted(seen) == [0, 1]


def test_a_choice_of_values_on_one_channel_is_one_call_whose_result_picks_the_event(
    engine: Engine,
) -> None:
    seen = []
    engine.activities.bind("quote", lambda: (seen.append("call"), 20)[1])
    run = engine.start(wf(choice(seq(E("quote", 10)), seq(E("quote", 20))), act("quote", 1)))
    assert seen == ["call"] and [str(e) for e in run.result().trace] == ["quote.20"]


def test_timeouts_of_a_parallel_batch_run_from_the_batch_start_not_one_after_another(
    engine: Engine,
) -> None:
    release = threading.Event()
    for name in ("a", "b", "c"):
        engine.activities.bind(name, lambda: release.wait(5))
    began = time.monotonic()
    run = engine.start(wf(Parallel(Parallel(seq(E("a")), seq(E("b"))), seq(E("c"))),
                          *(act(n, start_to_close_timeout=0.3, maximum_attempts=1)
                            for n in ("a", "b", "c"))))
    took = time.monotonic() - began
    release.set()
    assert run.status == "failed" and "StartToCloseTimeout" in run.result().error
    assert took < 0.75  # one after another would be at least 0.9 s


class Crash(BaseException):
    """Stands for the worker dying inside an activity (nothing is recorded)."""


def test_a_call_in_flight_in_three_crashes_fails_instead_of_killing_workers_for_ever(
    engine: Engine,
) -> None:
    def poison() -> None:
        raise Crash

    engine.activities.bind("poison", poison)
    model = wf(seq(E("poison")), act("poison"))
    with pytest.raises(Crash):
        engine.start(model, run_id="p")
    for _ in range(2):
        with pytest.raises(Crash):
            engine.resume("p", model)
    assert engine.resume("p", model) == "failed"
    assert "WorkerCrashed" in engine.get("p").result().error
    assert [e.kind for e in engine.log.history("p")].count("run_resumed") == 3


def test_a_signal_value_outside_the_declared_type_is_refused_naming_the_type(
    engine: Engine,
) -> None:
    signal = Channel("approve", ChannelKind.SIGNAL, 1, fields=(frozenset({True, False}),))
    run = engine.start(wf(seq(E("approve", True)), signal))
    with pytest.raises(RunError, match="3 is not a value of field 1 of signal approve") as err:
        run.signal("approve", 3)
    assert err.value.hint == "the field's type is {false, true}"
    assert run.status == "waiting"


# -- several runs at once ----------------------------------------------------------------

def test_runs_started_together_progress_concurrently(engine: Engine) -> None:
    barrier = threading.Barrier(3, timeout=5)  # passes only if all three runs wait at once
    engine.activities.bind("a", lambda: barrier.wait())
    model = wf(seq(E("a"), E("done")), act("a"))
    runs = engine.start_many([model] * 3, run_ids=["x", "y", "z"])
    assert [(r.id, r.status) for r in runs] == [("x", "completed"), ("y", "completed"),
                                               ("z", "completed")]
    assert all([str(e) for e in r.result().trace] == ["a", "done"] for r in runs)


def test_start_many_checks_everything_before_starting_anything(engine: Engine) -> None:
    engine.activities.bind("a", lambda: None)
    good, unbound = wf(seq(E("a")), act("a")), wf(seq(E("b")), act("b"))
    with pytest.raises(RunError, match="without a bound function: b"):
        engine.start_many([good, unbound])
    assert engine.log.list_runs() == []
    with pytest.raises(RunError, match="one distinct run id per workflow"):
        engine.start_many([good, good], run_ids=["same", "same"])


def test_one_runs_store_error_does_not_stop_the_others(engine: Engine) -> None:
    engine.activities.bind("a", lambda: None)
    model = wf(seq(E("a")), act("a"))
    engine.start(model, run_id="taken")
    with pytest.raises(StoreError, match="'taken' already exists"):
        engine.start_many([model] * 3, run_ids=["r1", "taken", "r2"])
    assert engine.get("r1").status == engine.get("r2").status == "completed"


def test_steps_of_runs_ready_together_share_commits(tmp_path: Path) -> None:
    barrier = threading.Barrier(4, timeout=5)
    engine = Engine(SqliteLog(tmp_path / "r.db"), {"a": lambda i: barrier.wait()})
    model = wf(seq(*(Event("a", (i,)) for i in range(3))), act("a", 1))
    runs = engine.start_many([model] * 4)
    assert all(r.status == "completed" for r in runs)
    # 4 runs x (creation + 3 steps, the last one committed with the run's end) = 16 writes;
    # the barrier makes the 4 runs' steps ready together, so they share transactions.
    assert engine.commits.writes == 16
    assert engine.commits.batches < engine.commits.writes
    for run in runs:
        assert len(run.history()) == engine.log.length(run.id) == engine.state(run.id).seq
        assert engine.log.get_run(run.id).owner == ""  # the lease went with the last commit


def _history_shape(engine: Engine, run_id: str) -> list[tuple[str, str]]:
    return [(e.kind, str(getattr(e, "label", getattr(e, "step", "")))) for e in
            engine.log.history(run_id)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 3)), min_size=1, max_size=6))
def test_runs_driven_together_record_the_same_histories_as_one_at_a_time(
        shapes: list[tuple[int, int]]) -> None:
    # each run: `width` parallel branches of `depth` activity calls (+ an internal event)
    def model(width: int, depth: int) -> Workflow:
        term: Process = SKIP
        for b in range(width):
            term = Parallel(seq(*(Event("a", (b, d)) for d in range(depth)), E("end")), term)
        return wf(term, act("a", 2))

    workflows = [model(w, d) for w, d in shapes]
    ids = [f"r{i}" for i in range(len(shapes))]
    alone = Engine(MemoryLog(), {"a": lambda b, d: None}, clock=VirtualClock())
    for run_id, w in zip(ids, workflows, strict=True):
        alone.start(w, run_id=run_id)
    together = Engine(MemoryLog(), {"a": lambda b, d: None}, clock=VirtualClock())
    together.start_many(workflows, run_ids=ids)
    for run_id in ids:
        assert _history_shape(together, run_id) == _history_shape(alone, run_id)
        assert together.get(run_id).status == alone.get(run_id).status == "completed"


def test_resume_all_drives_the_taken_over_runs_concurrently(tmp_path: Path) -> None:
    model = wf(seq(E("a"), E("done")), act("a"))
    log = SqliteLog(tmp_path / "r.db")
    dead = f"{socket.gethostname()}:{2 ** 22 + 12345}:gone"  # no such pid: a dead worker
    for run_id in ("p", "q"):
        log.create_run(RunRecord(run_id, "P", owner=dead, lease_until=time.time() + 3600),
                       [RunStarted(time=0.0, process="P")])
    barrier = threading.Barrier(2, timeout=5)  # both calls must be in flight at once
    engine = Engine(log, {"a": lambda: barrier.wait()}, loader=lambda record: model)
    assert sorted(engine.resume_all()) == ["p", "q"]
    assert engine.get("p").status == engine.get("q").status == "completed"


def test_the_engine_and_sqlite_store_import_neither_numpy_nor_lark() -> None:
    code = ("import sys, procalg.runtime.engine, procalg.store.sqlite, procalg.runtime.run; "
            "print(sorted(m for m in ('numpy', 'lark', 'procalg.checks', 'asyncio') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
