"""A signal, update or cancel request sent from outside is never lost to a run that is
ending: on the memory store, with real threads, one side held at a hook while the other
runs. A send that checked a waiting run and reaches the store after the run's final
commit is refused with when the run ended; one that resolved a run about to continue as
new goes to the continuation; one that landed just before that commit is carried there."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest

from procalg.api import run as api
from procalg.errors import RunError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.continuation import latest
from procalg.runtime.history import EventFired, HistoryEvent, UpdateReceived
from procalg.runtime.memory import MemoryLog
from procalg.runtime.updates import update
from procalg.terms.values import Event
from tests.runtime.conftest import in_thread

LOOP = """signal go : {0..9}
signal stop
channel done : {0..9}
Loop(n) = go?x -> Loop((n + x) % 10) [] stop -> SKIP [] cancel -> done!n -> SKIP
P = Loop(0)
"""
SENDS: dict[str, Callable[[Any], object]] = {
    "signal": lambda eng: eng.send("r", "go", 1),
    "update": lambda eng: update(eng, "r", "go", 1, update_id="k", timeout=10),
    "cancel": lambda eng: eng.cancel("r", "late"),
}
ENDED = r"run r has finished: completed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d; "


class _HeldSends(MemoryLog):
    """A store whose first send (a signal, an update or a cancel request) waits at its start,
    after the sender's look at the run, until ``go`` is set (``ready`` says it is there)."""

    def __init__(self) -> None:
        super().__init__()
        self.ready, self.go = threading.Event(), threading.Event()

    def _hold(self) -> None:
        if not self.ready.is_set():
            self.ready.set()
            assert self.go.wait(30)

    def send(self, run_id: str, signal: Any) -> int:
        self._hold()
        return super().send(run_id, signal)

    def send_update(self, run_id: str, update: Any) -> tuple[int, bool]:
        self._hold()
        return super().send_update(run_id, update)


class _HeldEnd(MemoryLog):
    """A store whose continue-as-new commit waits at its start until ``go`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.ready, self.go = threading.Event(), threading.Event()

    def write_many(self, writes: list) -> list:
        if any(w.status == "continued" for w in writes) and not self.ready.is_set():
            self.ready.set()
            assert self.go.wait(30)
        return super().write_many(writes)


def _engine(log: MemoryLog, continue_after: int = 0) -> Any:
    eng = api.engine(log, clock=VirtualClock())
    eng.continue_after = continue_after
    return eng


def _started(log: MemoryLog, continue_after: int = 0) -> Any:
    worker = _engine(log, continue_after)
    worker.start(api.workflow(api._model(LOOP, "loop.proc"), "P"), run_id="r")
    return worker


def _fired(history: list[HistoryEvent]) -> list[str]:
    return [str(e.label) for e in history if isinstance(e, EventFired)]


@pytest.mark.parametrize("kind", SENDS)
def test_a_send_that_saw_a_waiting_run_is_refused_when_the_run_ended_before_it_landed(
        kind: str) -> None:
    log = _HeldSends()
    worker = _started(log)
    thread, outcome = in_thread(lambda: SENDS[kind](_engine(log)))
    assert log.ready.wait(30)  # the sender saw the run waiting and is about to buffer
    worker.signal("r", "stop")  # meanwhile the run ends
    log.go.set()
    thread.join(30)
    assert log.get_run("r").status == "completed"
    assert isinstance(outcome[0], RunError), f"the caller heard {outcome[0]!r}"
    assert re.match(ENDED, outcome[0].message), outcome[0].message
    assert log.pending("r") == []  # nothing sits unread in the finished run's inbox


@pytest.mark.parametrize("kind", SENDS)
def test_a_send_that_resolved_a_run_continuing_as_new_goes_to_its_continuation(
        kind: str) -> None:
    log = _HeldSends()
    worker = _started(log, continue_after=4)
    worker.signal("r", "go", 2)
    thread, outcome = in_thread(lambda: SENDS[kind](_engine(log)))
    assert log.ready.wait(30)  # the sender resolved "r", still its chain's newest run
    worker.signal("r", "go", 3)  # meanwhile "r" continues as new, as "r~1"
    assert log.get_run("r").status == "continued"
    log.go.set()
    thread.join(30)
    assert not isinstance(outcome[0], RunError), outcome[0]
    assert log.pending("r") == [] and log.pending("r~1") == []
    after = log.history("r~1")
    if kind == "cancel":
        # taken in the continuation's own state: Loop(5), where the old run was
        assert log.get_run("r~1").status == "cancelled"
        assert _fired(after) == ["cancel", "done.5", "✓"]
    else:
        assert _fired(after) == ["go.1"]
        assert (kind == "update") == any(isinstance(e, UpdateReceived) for e in after)


def test_a_signal_landing_just_before_a_continue_as_new_commit_is_taken_by_the_new_run(
        ) -> None:
    log = _HeldEnd()
    worker = _started(log, continue_after=4)
    worker.signal("r", "go", 2)
    thread, outcome = in_thread(lambda: worker.signal("r", "go", 3))
    assert log.ready.wait(30)  # the run's continue-as-new commit is about to be made
    sender = _engine(log)
    assert sender.send("r", "go", 4) is False  # buffered in the old run, unread
    log.go.set()
    thread.join(30)
    assert outcome == [None]
    assert log.get_run("r").status == "continued" and log.pending("r") == []
    assert _fired(log.history("r~1")) == ["go.4"]  # carried with the final commit, taken
    assert log.pending("r~1") == []
    assert Event("go", (4,)) not in log.history("r")


class _HeldAfterUpdate(_HeldEnd):
    """A store whose continue-as-new commit waits until ``go`` is set (:class:`_HeldEnd`),
    and whose first update, once buffered, holds its sender until ``sent_go`` is set
    (``landed`` says it is buffered)."""

    def __init__(self, hold_sender: bool) -> None:
        super().__init__()
        self.landed, self.sent_go = threading.Event(), threading.Event()
        if not hold_sender:
            self.sent_go.set()

    def send_update(self, run_id: str, update: Any) -> tuple[int, bool]:
        answer = super().send_update(run_id, update)
        self.landed.set()
        assert self.sent_go.wait(30)
        return answer


def _applied_once(log: MemoryLog, reply: Any, taker: str) -> None:
    """Update ``k`` is recorded once in the chain, by run ``taker``, and answered from
    there though ``taker`` has continued as new since; nothing is left unread, and the
    newest run finds the key in ``taker`` (one look along the chain)."""
    chain = [r.run_id for r in log.list_runs() if r.run_id.startswith("r")]
    taken = {r: [e.update_id for e in log.history(r) if isinstance(e, UpdateReceived)]
             for r in chain}
    assert taken == {r: ["k"] if r == taker else [] for r in chain}
    assert not isinstance(reply, RunError), reply
    assert reply.seq == log.update_entry(taker, "k")[0] and reply.event == "go.1"
    assert all(log.pending(r) == [] for r in chain)
    newest = latest(log, "r")
    assert log.get_run(taker).status == "continued" and newest != taker
    assert log.chain_entry(newest, "k")[:2] == (taker, reply.seq)
    for retried_at in chain:  # a retry sent to any run of the chain
        assert update(_engine(log), retried_at, "go", 1, update_id="k") == reply
    assert {r: [e.update_id for e in log.history(r) if isinstance(e, UpdateReceived)]
            for r in chain} == taken  # applied no more


def test_an_update_buffered_while_its_sender_is_held_is_applied_once_as_the_run_continues(
        ) -> None:
    log = _HeldAfterUpdate(hold_sender=True)
    log.go.set()  # the continue-as-new commit is not held here: the sender is
    worker = _started(log, continue_after=4)
    worker.signal("r", "go", 2)
    thread, outcome = in_thread(lambda: SENDS["update"](_engine(log)))
    assert log.landed.wait(30)  # buffered in "r", its sender not yet looking
    worker.signal("r", "go", 3)  # "r" continues as new: its inbox goes to "r~1"
    assert log.get_run("r").status == "continued"
    log.sent_go.set()
    thread.join(30)
    # "r" took it at its wait before continuing (a run with unread entries never
    # continues as new), and its sender finds it there
    _applied_once(log, outcome[0], "r")


def test_an_update_sent_while_its_run_commits_a_continue_as_new_is_applied_once(
        ) -> None:
    log = _HeldAfterUpdate(hold_sender=False)
    worker = _started(log, continue_after=4)
    worker.signal("r", "go", 2)
    ending, ended = in_thread(lambda: worker.signal("r", "go", 3))
    assert log.ready.wait(30)  # the worker, holding the lease, is about to continue "r"
    thread, outcome = in_thread(lambda: SENDS["update"](_engine(log)))
    assert log.landed.wait(30)  # the update is in "r"'s inbox; the worker holds "r"
    log.go.set()
    for each in (ending, thread):
        each.join(30)
    assert ended == [None] and log.get_run("r").status == "continued"
    # carried to "r~1" by the final commit, taken there, and "r~1" continued too (four
    # events): its sender's look at where its entry went passed "r~1"
    _applied_once(log, outcome[0], "r~1")
