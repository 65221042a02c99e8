"""Snapshots: a run restored from a snapshot at any point is the run replayed from the start.

The oracle is replay (a fold of ``evolve`` over the whole history). Random
runs of a model with data inputs, a saga, retries, a timer and signals are
recorded; a snapshot is taken after a random prefix of the history, decoded
(also in a fresh load of the model, whose input prefixes are other objects),
and the rest of the history replayed on it: every field of the state must
equal the replayed one. Damaged snapshots, snapshots of another model
version and snapshots that do not fit the history are discarded with a
warning, and the run replays from the start.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api.model import loads
from procalg.errors import FormatError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.decide import RunState, evolve
from procalg.runtime.history import RunStarted
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import RunRecord
from procalg.runtime.snapshot import decode_state, encode_state, restore, save
from procalg.runtime.termjson import Unsaveable, decode_term, encode_term
from procalg.semantics.sites import site
from tests.runtime.test_machine import DATA_MODEL, WORKFLOW_MODELS

MODEL = """activity fetch : {0..2}.{0..2} attempts 2
activity store : {0..2}.{0..5} attempts 2
activity unstore : {0..2} never fails
signal go : {0..1}
timer nudge = 1m
channel audit : {0..5}
Loop(i, sum) = if i < 3 then (go?x -> Round(i, (sum + x) % 6) [] nudge -> Round(i, sum))
               else SKIP
Round(i, sum) = saga (fetch!i?v -> store!i!((sum + v) % 6) -> SKIP undo unstore.i)
                ; audit.sum -> Loop(i + 1, sum)
P = Loop(0, 0)
"""
FIELDS = ("sid", "status", "seq", "steps", "inflight", "failures", "retry_at", "timers",
          "error", "gave_up", "crashes", "details", "compensated", "note", "maybe_done")


def _record(outcomes: list[int | None], moves: list[str]) -> tuple[object, list]:
    """A run of MODEL: activities return the next outcome (None: fail), moves drive it."""
    clock, pending = VirtualClock(), iter(outcomes)

    def call(*args: object) -> int:
        found = next(pending, 0)
        if found is None:
            raise OSError("injected")
        return found

    wf = api.workflow(loads(MODEL, "snap.proc"), "P")
    log = MemoryLog()

    def engine() -> object:
        eng = api.engine(log, activities={"fetch": call, "store": lambda *a: None,
                                          "unstore": lambda *a: None}, clock=clock)
        eng.snapshot_every = 0
        return eng

    eng = engine()
    run = eng.start(wf)
    for move in moves:
        if run.status not in ("running", "waiting"):
            break
        if move == "crash":  # another worker takes over: calls due now may have run
            eng.close()
            clock = VirtualClock(clock.now() + 5)  # down 5 s; the dead engine hears no ticks
            eng = engine()
            eng.claim(run.id)
            eng.resume(run.id)
            run = eng.get(run.id)
        elif move.startswith("go"):
            if any(w.what == f"go.{move[-1]}" for w in run.waiting_on()):
                run.signal("go", int(move[-1]))
        else:
            clock.advance(move)
    return wf, run.history()


def _replayed(wf: object, history: list) -> RunState:
    state = RunState.initial(wf)  # type: ignore[arg-type]
    for event in history:
        evolve(state, event)
    return state


def _same(a: RunState, b: RunState) -> None:
    # the state compared by its term, not its id: the compiled machine may hold two
    # locations with one term (reached along different paths), and a snapshot resumes
    # at the first of them the machine made (shared by every run of the model, so
    # which one depends on the runs before: a test order under xdist)
    machine = a.workflow.machine
    assert machine.term(a.sid) == machine.term(b.sid)
    for name in FIELDS[1:]:
        assert getattr(a, name) == getattr(b, name), name
    assert a.trace_offset + len(a.trace) == b.trace_offset + len(b.trace)


@settings(max_examples=40, deadline=None)
@given(outcomes=st.lists(st.one_of(st.none(), st.integers(0, 2)), max_size=12),
       moves=st.lists(st.sampled_from(["go0", "go1", "1m", "5s", "crash"]), max_size=10),
       cut=st.floats(0.0, 1.0))
def test_a_state_restored_from_a_snapshot_at_any_point_equals_the_replayed_state(
        outcomes, moves, cut) -> None:
    wf, history = _record(outcomes, moves)
    k = max(1, round(cut * len(history)))
    body = encode_state(_replayed(wf, history[:k]), history[k - 1])
    restored = decode_state(body, wf)  # type: ignore[arg-type]
    for event in history[k:]:
        evolve(restored, event)
    full = _replayed(wf, history)
    _same(restored, full)
    assert restored.trace == full.trace[restored.trace_offset:]
    # in another load of the model (other input-prefix objects) it prints the same
    fresh = api.workflow(loads(MODEL, "snap.proc"), "P")
    again = decode_state(body, fresh)
    assert str(again.term) == str(_replayed(wf, history[:k]).term)


@pytest.mark.parametrize("path", [*WORKFLOW_MODELS, "data"], ids=lambda p: getattr(p, "stem", p))
def test_every_reachable_state_of_the_workflow_models_decodes_in_a_fresh_load(path) -> None:
    text = DATA_MODEL if path == "data" else path.read_text()
    first, second = loads(text, "a.proc"), loads(text, "b.proc")
    names = [n for n in ("P", "Order", "Trip", "Approval", "Upload", "Job", "Poll", "Shop", "Bank")
             if n in first.spec.definitions and first.spec.definitions[n][0].params is None]
    assert names, "each workflow model has a process to walk"
    ev = second.spec.evaluator

    def sites(key: str) -> object:
        return site(ev, key)

    for name in names:
        system = first.system(name)
        seen, todo = set(), [system.initial_state()]
        while todo and len(seen) < 500:
            term = todo.pop()
            if term in seen:
                continue
            seen.add(term)
            data = encode_term(term, first.spec.evaluator)  # every state has a name
            decoded = decode_term(data, sites, ev)
            assert str(decoded) == str(term)
            assert sorted(str(lab) for lab, _ in second.system(name).successors(decoded)) == \
                sorted(str(lab) for lab, _ in system.successors(term))
            todo += [t for _, t in system.successors(term)]


def _engine(log: MemoryLog, clock: VirtualClock, every: int) -> object:
    eng = api.engine(log, activities={"fetch": lambda i: 1, "store": lambda *a: None,
                                      "unstore": lambda *a: None}, clock=clock)
    eng.snapshot_every = every
    return eng


def test_the_engine_saves_snapshots_and_a_fresh_engine_resumes_from_one_without_the_history(
        monkeypatch) -> None:
    log, clock = MemoryLog(), VirtualClock()
    eng = _engine(log, clock, every=4)
    run = eng.start(api.workflow(loads(MODEL, "snap.proc"), "P"))
    run.signal("go", 1)
    seq, _ = log.snapshot(run.id)
    assert 4 <= seq <= log.length(run.id)
    eng.close()  # a worker that stopped: another one takes the run over
    monkeypatch.setattr(log, "history", lambda run_id: pytest.fail("read the whole history"))
    other = _engine(log, clock, every=4)
    state = other.state(run.id)
    assert state.trace_offset > 0 and state.seq == log.length(run.id)
    other.signal(run.id, "go", 0)
    other.signal(run.id, "go", 1)
    monkeypatch.undo()
    assert other.get(run.id).status == "completed"
    assert [str(e) for e in other.get(run.id).result().trace][:2] == ["go.1", "fetch.0.1"]


def _snapshotted(every: int = 4) -> tuple[MemoryLog, str]:
    log, clock = MemoryLog(), VirtualClock()
    eng = _engine(log, clock, every)
    run = eng.start(api.workflow(loads(MODEL, "snap.proc"), "P"))
    run.signal("go", 1)
    eng.close()
    return log, run.id


def _resumed(log: MemoryLog, run_id: str) -> RunState:
    return _engine(log, VirtualClock(), every=4).state(run_id)


@pytest.mark.parametrize("damage", ["digest", "model", "history", "format", "site"])
def test_a_snapshot_that_does_not_check_out_is_discarded_and_the_run_replays(
        damage, caplog) -> None:
    log, run_id = _snapshotted()
    seq, text = log.snapshot(run_id)
    digest, _, body = text.partition("\n")
    if damage == "digest":
        text = digest + "\n" + body.replace('"steps":', '"steps": ')
    else:
        import hashlib
        import json
        data = json.loads(body)
        if damage == "model":
            data["model_hash"] = "another"
        elif damage == "history":
            data["last"] = "0" * 32
        elif damage == "format":
            data["format"] = 99
        else:
            data["term"] = json.loads(json.dumps(data["term"]).replace('"site": "', '"site": "9'))
        body = json.dumps(data, sort_keys=True, separators=(",", ":"))
        text = hashlib.sha256(body.encode()).hexdigest() + "\n" + body
    log._snapshots[run_id] = (seq, text)
    with caplog.at_level(logging.WARNING, logger="procalg.runtime.snapshot"):
        state = _resumed(log, run_id)
    assert "discarded, replaying the whole history" in caplog.text
    assert state.trace_offset == 0
    _same(state, _replayed(state.workflow, log.history(run_id)))


def test_a_term_that_cannot_be_named_keeps_no_snapshot_and_the_run_goes_on() -> None:
    text = "channel c\nQ = c -> Q\nP = sbisim(Q)"
    wf = api.workflow(loads(text), "P")
    log = MemoryLog()
    log.create_run(RunRecord("r", "P", model_hash=wf.model_hash), [RunStarted(time=0.0,
                                                                               process="P")])
    state = RunState.initial(wf)
    evolve(state, RunStarted(time=0.0, process="P"))
    # a compressed process made by another load of the model: its table is nobody's here
    state.sid = state.machine.intern(loads(text).system("P").initial_state())
    with pytest.raises(Unsaveable):
        encode_state(state, RunStarted(time=0.0, process="P"))
    assert save(log, "r", state, RunStarted(time=0.0, process="P")) is False
    assert log.snapshot("r") is None and restore(log, "r", wf) is None


def test_a_saved_term_with_an_unknown_class_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="not a saved term"):
        decode_term({"p": "Nope", "f": []}, None)


def test_a_snapshot_restored_before_its_state_is_compiled_resumes_later_on_the_compiled_state(
        ) -> None:
    # A worker restores a snapshot on a machine that has compiled nothing yet: the term
    # becomes a plain state. Once replays have compiled that state, restoring the same
    # snapshot must land on the compiled id, the one a replay reaches (it had stayed on
    # the plain one: found by a random draw whose earlier examples filled the machine).
    from dataclasses import replace

    from procalg.runtime.machine import Machine

    wf, history = _record([], ["go0"])
    body = encode_state(_replayed(wf, history), history[-1])
    fresh = replace(wf, compiled=None)
    fresh = replace(fresh, compiled=Machine(fresh))
    early = decode_state(body, fresh)
    replayed = _replayed(fresh, history)
    assert fresh.machine.is_compiled(replayed.sid)
    assert not fresh.machine.is_compiled(early.sid)  # nothing was compiled when it came
    later = decode_state(body, fresh)
    assert later.sid == replayed.sid
    _same(later, replayed)
