"""Continue-as-new: a run that loops for ever goes on in a fresh run with a short history.

Snapshots (:mod:`~procalg.runtime.snapshot`) keep resuming fast, but a
history still grows for ever and every event stays in the store. With
``Engine.continue_after = N`` a run whose history reached ``N`` events
continues as new at its next *loop head*: a state that is a call of a
named process with values (``Loop(42)``), where the run waits only for a
signal and has nothing pending (no activity in flight, timer started,
retry due, maybe-done step, rolled-back saga or buffered signal). The run
ends with ``RunContinued(next_run)`` and status ``continued``; run
``ID~1`` (then ``ID~2``, ...) starts as ``Loop(42)`` of the same model, its
second event ``ContinuedFrom(ID)``, both in ONE transaction.

Why this keeps the checker's word: the model says where a run may continue
(its named processes), not the engine. The new run's initial state is
checked to be *equal* to the state the old run reached (the same term), so
the old history followed by the new one is a trace of the original process,
and every assertion checked for it holds for the chain; each history alone
is a trace of its own process (``procalg replay``). Signals sent to an old
id go to the newest run of its chain (:func:`latest`).

Example:
    >>> next_id("a1b2"), next_id("a1b2~1"), next_id("x~y")
    ('a1b2~1', 'a1b2~2', 'x~y~1')
"""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING

from procalg.errors import ProcalgError
from procalg.runtime.decide import RunState, Wait, evolve
from procalg.runtime.history import ContinuedFrom, RunContinued, RunFailed, RunStarted
from procalg.runtime.ports import EventLog, RunRecord, Write
from procalg.runtime.termjson import encode_term
from procalg.terms.process import Call, Process

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine
    from procalg.runtime.machine import Machine

LOG = logging.getLogger("procalg.runtime.continuation")
_MISSES: weakref.WeakKeyDictionary[Machine, set[int]] = weakref.WeakKeyDictionary()
"""Per machine: the states that are no loop head."""


def next_id(run_id: str) -> str:
    """The id of the run that continues ``run_id`` as new."""
    base, _, gen = run_id.rpartition("~")
    return f"{base}~{int(gen) + 1}" if base and gen.isdigit() else f"{run_id}~1"


def latest(log: EventLog, run_id: str) -> str:
    """The newest run of ``run_id``'s chain (``run_id`` itself if it did not continue)."""
    for _ in range(10_000):  # a chain, never a cycle: ids only grow
        if log.get_run(run_id).status != "continued":
            return run_id
        last = log.tail(run_id, log.length(run_id) - 1)
        if not last or not isinstance(last[-1], RunContinued):
            return run_id
        run_id = last[-1].next_run
    return run_id


def _loop_head(engine: Engine, run_id: str, state: RunState, wait: Wait) -> Call | None:
    """The call of a named process whose unfolding the state is, if the run may continue
    as new here (see the module), else None."""
    if (wait.until is not None or state.inflight or state.timers or state.retry_at
            or state.maybe_done or state.gave_up or state.compensated or engine.loader is None):
        return None
    machine = state.machine
    misses = _MISSES.setdefault(machine, set())
    if state.sid in misses:
        return None
    head = _head(machine.workflow.system, state.term)
    if head is None:
        misses.add(state.sid)  # asked once per state: every wait there would ask again
        return None
    return None if engine.log.pending(run_id) else head


def _head(system: object, term: Process) -> Call | None:
    """The first call (by name) of a named process that unfolds to ``term``, compared
    as saved (:mod:`~procalg.runtime.termjson`): the same in every load of the model."""
    spec = getattr(system, "spec", None)
    if spec is None:
        return None
    from procalg.semantics.sites import calls_for  # a loaded model's: the engine loads no lark

    try:
        target = encode_term(term)
        for call in calls_for(spec.evaluator, term):
            if encode_term(spec.system(call).initial_state()) == target:
                return call
    except ProcalgError:  # a part that cannot be named (Unsaveable), or a call that fails
        return None
    return None


def continue_as_new(engine: Engine, run_id: str, state: RunState, wait: Wait) -> bool:
    """Continue the waiting run as new if its history is long and it is at a loop head.

    Returns True if it did (the old run's status is then ``continued``).
    """
    if state.seq < max(engine.continue_after, 3):  # a continuing run (2 events) moves first
        return False
    head = _loop_head(engine, run_id, state, wait)
    if head is None:
        return False
    engine._flush(run_id, state, "running")  # the steps so far are durable first
    old, now, new_id = engine.log.get_run(run_id), engine.clock.now(), next_id(run_id)
    wf = state.workflow
    record = RunRecord(new_id, head.name, head.args, wf.model_hash, wf.model_text,
                       dict(old.verdicts), created=now, owner=engine.owner)
    try:
        new_wf = engine.loader(record)  # type: ignore[misc]
        fresh = RunState.initial(new_wf)
    except ProcalgError as err:  # e.g. arguments that do not print as .proc values
        LOG.warning("run %s: not continued as new: %s", run_id, err)
        return False
    if encode_term(fresh.term) != encode_term(state.term):  # it starts exactly here
        LOG.warning("run %s: not continued as new: %s starts elsewhere", run_id, head)
        return False
    first = (RunStarted(time=now, process=head.name, args=head.args,
                        model_hash=wf.model_hash), ContinuedFrom(time=now, previous_run=run_id))
    end = RunContinued(time=now, next_run=new_id)
    errors = engine.log.write_many([
        Write(run_id, state.seq, (end,), "continued", release=engine.owner),
        Write(new_id, 0, first, record=record, lease=engine.lease)])
    if errors[0] is not None:
        if errors[1] is None:  # this worker lost the run meanwhile: the new one is void
            engine.log.append(new_id, 2, [RunFailed(time=now, error=str(errors[0]))], "failed")
        raise errors[0]
    if errors[1] is not None:
        raise errors[1]
    for target, event in ((run_id, end), (new_id, first[0]), (new_id, first[1])):
        evolve(state if target == run_id else fresh, event)
        if engine.on_event is not None:
            engine.on_event(target, event)
    engine._stored[run_id] = "continued"
    engine.leases.dropped(run_id)
    with engine._run_lock(new_id):
        engine._states[new_id], engine._pending[new_id] = fresh, []
        engine._stored[new_id], engine._snapped[new_id] = record.status, 0
        engine.leases.hold(new_id)
        engine.drive(new_id)
    return True
