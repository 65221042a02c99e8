"""Signals: checked against the model, buffered durably until the model listens."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from procalg.errors import RunError, StoreError
from procalg.runtime.engine import Engine
from procalg.runtime.history import EventFired, SignalReceived
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store.sqlite import SqliteLog
from procalg.terms import SKIP, Event, Prefix

BOOL = (frozenset({True, False}),)


def _model() -> Workflow:
    # t (a timer) -> ok?b -> ok?c -> SKIP : the model listens for ok only after the timer
    inner = SKIP
    for value in (False, True):
        inner = Prefix(Event("ok", (value,)), inner)
    term = Prefix(Event("t"), inner)
    return Workflow(TermSystem(term), {
        "t": Channel("t", ChannelKind.TIMER, duration=0.3),
        "ok": Channel("ok", ChannelKind.SIGNAL, 1, fields=BOOL),
        "no": Channel("no", ChannelKind.SIGNAL, 0)})


def test_signals_sent_before_the_model_listens_are_consumed_in_order_once(
        tmp_path: Path) -> None:
    model = _model()
    worker = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    run = worker.start(model, run_id="r")
    assert run.status == "waiting"  # on the timer: the worker holds the lease
    operator = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    with pytest.raises(RunError, match=r"not waiting for ok\.true"):
        operator.signal("r", "ok", True)  # an immediate signal: only when the model listens
    assert operator.send("r", "ok", True) is False  # buffered: needs no lease
    assert operator.send("r", "ok", False) is False
    assert operator.send("r", "no") is False  # never consumed: stays visible
    assert worker.run_until_done("r", timeout=10) == "completed"
    fired = [str(e.label) for e in worker.log.history("r") if isinstance(e, EventFired)]
    assert fired[:3] == ["t", "ok.true", "ok.false"]
    assert sum(isinstance(e, SignalReceived) for e in worker.log.history("r")) == 2
    assert [str(s.event) for _, s in worker.log.pending("r")] == ["no"]


def test_a_signal_outside_its_type_is_refused_and_nothing_is_buffered(tmp_path: Path) -> None:
    model = _model()
    engine = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    engine.start(model, run_id="r")
    with pytest.raises(RunError, match="1 is not a value of field 1 of signal ok"):
        engine.send("r", "ok", 1)
    with pytest.raises(RunError, match="'nope' is not a signal channel"):
        engine.send("r", "nope")
    assert engine.log.pending("r") == []


def test_a_signal_sent_to_a_run_nobody_holds_is_consumed_at_once(tmp_path: Path) -> None:
    model = Workflow(TermSystem(Prefix(Event("ok", (True,)), SKIP)),
                     {"ok": Channel("ok", ChannelKind.SIGNAL, 1, fields=BOOL)})
    first = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    first.start(model, run_id="r")  # waits for the signal only: holds no lease
    other = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    assert other.send("r", "ok", True) is True
    assert other.get("r").status == "completed" and other.log.pending("r") == []


def test_resume_all_leaves_a_run_waiting_only_for_a_signal_alone_until_one_is_buffered(
        tmp_path: Path) -> None:
    model = Workflow(TermSystem(Prefix(Event("ok", (True,)), SKIP)),
                     {"ok": Channel("ok", ChannelKind.SIGNAL, 1, fields=BOOL)})
    Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model).start(model, run_id="r")
    log = SqliteLog(tmp_path / "r.db")
    assert log.get_run("r").wake_at == float("inf")
    looping = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model)
    assert [looping.resume_all() for _ in range(5)] == [[]] * 5  # no claim, no replay
    log.send("r", SignalReceived(time=0.0, event=Event("ok", (True,))))  # sender then died
    assert looping.resume_all() == ["r"]
    assert log.get_run("r").status == "completed"


def test_a_signals_values_fit_the_same_the_second_time_and_one_is_never_true() -> None:
    from procalg.runtime.signals import _check_type, _fitted
    from procalg.runtime.workflow import Channel, ChannelKind

    flag = Channel("flag", ChannelKind.SIGNAL, 2, fields=(frozenset({True, False}),
                                                          frozenset({1, 2})))
    for _ in range(2):  # the second time from the memo
        assert _check_type(flag, (True, 2)) == _fitted(flag, (True, 2)) == (True, 2)
        fitted = _check_type(flag, (True, 2.0))
        assert fitted == (True, 2) and type(fitted[1]) is int
        with pytest.raises(RunError, match="1 is not a value of field 1 of signal flag"):
            _check_type(flag, (1, 2))
        with pytest.raises(RunError, match="true is not a value of field 2 of signal flag"):
            _check_type(flag, (True, True))
        with pytest.raises(RunError, match="takes 2 value"):
            _check_type(flag, (True,))


class _WriteLostOnce(SqliteLog):
    """A store whose server goes away once, at the first write after ``armed`` is set."""

    armed = False
    lost = 0

    def write_many(self, writes):  # type: ignore[no-untyped-def]
        if type(self).armed and not type(self).lost:
            type(self).lost += 1
            raise StoreError("store request failed: the connection is lost")
        return super().write_many(writes)


def test_a_signal_whose_drive_fails_leaves_the_run_to_any_worker_once_its_lease_expires(
        tmp_path: Path) -> None:
    # go (a signal) -> a (an activity) -> SKIP
    model = Workflow(TermSystem(Prefix(Event("go"), Prefix(Event("a"), SKIP))), {
        "go": Channel("go", ChannelKind.SIGNAL, 0),
        "a": Channel("a", ChannelKind.ACTIVITY, 0)})
    calls: list[str] = []
    acts = {"a": lambda: calls.append("a")}
    _WriteLostOnce.armed, _WriteLostOnce.lost = False, 0
    api_user = Engine(_WriteLostOnce(tmp_path / "r.db"), acts, loader=lambda r: model,
                      lease=0.6)
    assert api_user.start(model, run_id="r").status == "waiting"  # for go: no lease held
    _WriteLostOnce.armed = True
    with pytest.raises(StoreError):
        api_user.signal("r", "go")  # claimed, then its first commit is lost
    assert _WriteLostOnce.lost == 1
    # the engine stays open (a long-lived service), but it no longer renews the lease
    # of a run it failed to drive: once the lease expires another worker takes it
    assert not api_user.leases.holds("r")
    time.sleep(1.0)
    other = Engine(SqliteLog(tmp_path / "r.db"), acts, loader=lambda r: model, lease=0.6)
    other.signal("r", "go")
    assert other.state("r").status == "completed" and calls == ["a"]
    api_user.close()
    other.close()


def test_a_run_taken_but_not_resumable_here_is_not_held_by_this_engine(tmp_path: Path) -> None:
    # as children.py and cancel.py do: take the lease, then resume; this engine
    # has no function for the activity a, so the resume refuses the run
    model = Workflow(TermSystem(Prefix(Event("go"), Prefix(Event("a"), SKIP))), {
        "go": Channel("go", ChannelKind.SIGNAL, 0),
        "a": Channel("a", ChannelKind.ACTIVITY, 0)})
    starter = Engine(SqliteLog(tmp_path / "r.db"), {"a": lambda: None}, loader=lambda r: model)
    starter.start(model, run_id="r")
    starter.close()
    unbound = Engine(SqliteLog(tmp_path / "r.db"), loader=lambda r: model, lease=0.6)
    assert unbound.leases.take("r")
    with pytest.raises(RunError, match="without a bound function: a"):
        unbound.resume("r")
    assert not unbound.leases.holds("r")  # not renewed: it expires, then any worker takes it
    unbound.close()
