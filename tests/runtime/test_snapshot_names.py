"""Snapshots of terms holding what a load makes as it evaluates: local definitions,
function values, compressed processes (named by the model text, ``semantics/naming``).

The oracle is the term rules: every reachable state of models using ``let``,
lambdas, curried definitions and compressions, saved and decoded in the same
load, is the same term, and in a fresh load prints the same and offers the
same events. A run of such a model resumes from its snapshot without reading
its history and goes on as the replayed run; a snapshot naming something the
model does not have, or a compression that builds another table, is discarded
and the run replays.
"""

from __future__ import annotations

import hashlib
import json
import logging

import pytest

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.decide import RunState, evolve
from procalg.runtime.memory import MemoryLog
from procalg.runtime.termjson import decode_term, encode_term
from procalg.semantics.sites import site

NAMED = {
    "let": """channel c : {0..2}
channel d
P(n) = let Q(k) = c!k -> d -> Q(g(k))
           g(y) = (y + n) % 3 within Q(n)
Main = P(1) ||| P(2)
""",
    "nested let": """channel c : {0..2}
Outer(n) = let Inner(k) = let Step(j) = c!j -> Inner((j + n) % 3) within Step(k)
           within Inner(n)
Main = Outer(1) [] Outer(2)
""",
    "function values": """channel c : {0..2}
add(k) = \\ y @ (y + k) % 3
inc(y) = (y + 1) % 3
twice(f)(y) = f(f(y))
T(fn, i) = c!fn(i) -> T(fn, fn(i))
Main = T(add(1), 0) ||| T(twice(add(2)), 1) ||| T(inc, 2)
""",
    "compressions": """channel c : {0..2}
channel d
R0 = c?x -> (d -> R0 |~| c!x -> R0)
Main = (sbisim(R0) [| {d} |] normal(R0)) ||| prioritise(wbisim(R0), <{d}>)
""",
}
NAMED_RUN = """signal go : {0..2}
activity work : {0..2}.{0..2} attempts 2
add(k) = \\ y @ (y + k) % 3
Gate = go?x -> Gate
Loop(f, n) = let Next(r) = Loop(f, f((n + r) % 3)) within go?x -> work!x?r -> Next(r)
P = Loop(add(1), 0) [| {| go |} |] sbisim(Gate)
"""


def _states(model: object, name: str, limit: int = 300) -> list[object]:
    system = model.system(name)  # type: ignore[attr-defined]
    seen: dict[object, None] = {}
    todo = [system.initial_state()]
    while todo and len(seen) < limit:
        term = todo.pop()
        if term not in seen:
            seen[term] = None
            todo += [t for _, t in system.successors(term)]
    return list(seen)


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_every_reachable_state_is_saved_and_decodes_to_itself_and_in_a_fresh_load(kind) -> None:
    text = NAMED[kind]
    first, second = loads(text, "a.proc"), loads(text, "b.proc")
    ev1, ev2 = first.spec.evaluator, second.spec.evaluator
    states = _states(first, "Main")
    assert len(states) > 3
    for term in states:
        data = json.loads(json.dumps(encode_term(term, ev1)))  # as a store gives it back
        assert decode_term(data, lambda key: site(ev1, key), ev1) == term
        fresh = decode_term(data, lambda key: site(ev2, key), ev2)
        assert str(fresh) == str(term)
        assert sorted(str(lab) for lab, _ in second.system("Main").successors(fresh)) == \
            sorted(str(lab) for lab, _ in first.system("Main").successors(term))


def _engine(log: MemoryLog, every: int = 4) -> object:
    eng = api.engine(log, activities={"work": lambda x: (x + 1) % 3}, clock=VirtualClock())
    eng.snapshot_every = every
    return eng


def _run(log: MemoryLog, signals: int = 5) -> str:
    eng = _engine(log)
    run = eng.start(api.workflow(loads(NAMED_RUN, "n.proc"), "P"))
    for i in range(signals):
        run.signal("go", i % 3)
    eng.close()
    return run.id


def _replayed(wf: object, history: list) -> RunState:
    state = RunState.initial(wf)  # type: ignore[arg-type]
    for event in history:
        evolve(state, event)
    return state


def test_a_run_with_local_definitions_closures_and_a_compression_resumes_from_its_snapshot(
        monkeypatch) -> None:
    log = MemoryLog()
    run_id = _run(log)
    seq, _ = log.snapshot(run_id)
    assert seq == log.length(run_id)
    history = log.history(run_id)
    monkeypatch.setattr(log, "history", lambda run_id: pytest.fail("read the whole history"))
    other = _engine(log)
    state = other.state(run_id)
    assert state.trace_offset > 0
    full = _replayed(state.workflow, history)
    assert state.term == full.term and state.seq == full.seq
    other.signal(run_id, "go", 2)
    monkeypatch.undo()
    assert _replayed(state.workflow, log.history(run_id)).term == other.state(run_id).term


@pytest.mark.parametrize("damage", ["local", "fingerprint", "compression"])
def test_a_snapshot_naming_what_the_model_lacks_is_discarded_and_the_run_replays(
        damage, caplog) -> None:
    log = MemoryLog()
    run_id = _run(log)
    seq, text = log.snapshot(run_id)
    body = text.partition("\n")[2]
    if damage == "local":  # a let the model has no second one of at that place
        body = body.replace(',0,"Next"', ',1,"Next"')
    elif damage == "fingerprint":  # the compression built another table
        data = json.loads(body)
        table = next(n["compressed"] for n in data["term"]["g"] if "compressed" in n)
        body = body.replace(table[2], "0" * 32)
    else:
        body = body.replace('["sbisim",', '["nosuch",')
    assert body != text.partition("\n")[2]
    log._snapshots[run_id] = (seq, hashlib.sha256(body.encode()).hexdigest() + "\n" + body)
    with caplog.at_level(logging.WARNING, logger="procalg.runtime.snapshot"):
        state = _engine(log).state(run_id)
    assert "discarded, replaying the whole history" in caplog.text
    assert state.trace_offset == 0
    assert state.term == _replayed(state.workflow, log.history(run_id)).term
