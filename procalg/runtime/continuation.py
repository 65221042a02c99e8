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
second event ``ContinuedFrom(ID)``, both in ONE transaction. The call is
the one the firing rules unfolded to reach the state (the rules' memo of
unfoldings, read backwards), so its arguments are the values bound there
even where the awaited input prefix does not read them; for a state this
process did not reach by unfolding (restored from a snapshot) it is guessed
from the values the input prefixes captured, and checked.

Why this keeps the checker's word: the model says where a run may continue
(its named processes), not the engine. The new run's initial state is
checked to be *equal* to the state the old run reached (the same term), so
the old history followed by the new one is a trace of the original process,
and every assertion checked for it holds for the chain; each history alone
is a trace of its own process (``procalg replay``). Signals sent to an old
id go to the newest run of its chain (:func:`latest`); those the old run had
not read move into the new run with its final commit (:mod:`~procalg.runtime.inbox`).

Example:
    >>> next_id("a1b2"), next_id("a1b2~1"), next_id("x~y")
    ('a1b2~1', 'a1b2~2', 'x~y~1')
"""

from __future__ import annotations

import json
import logging
import weakref
from typing import TYPE_CHECKING, Any

from procalg.errors import FormatError, ProcalgError
from procalg.runtime.decide import RunState, Wait, evolve
from procalg.runtime.history import ContinuedFrom, RunContinued, RunFailed, RunStarted
from procalg.runtime.ports import EventLog, RunRecord, Write
from procalg.runtime.termjson import decode_term, encode_term, load_of
from procalg.runtime.value_json import SavedFunction, encode_value
from procalg.terms.process import Call, Process
from procalg.terms.values import show

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine
    from procalg.runtime.machine import Machine
    from procalg.semantics.evaluate import Evaluator

LOG = logging.getLogger("procalg.runtime.continuation")
_MISSES: weakref.WeakKeyDictionary[Machine, dict[int, int]] = weakref.WeakKeyDictionary()
"""Per machine: the states that were no loop head, with how many calls the rules had
unfolded when asked."""
_HEADS: weakref.WeakKeyDictionary[object, tuple[int, dict[Process, Call]]] = \
    weakref.WeakKeyDictionary()
"""Per rules (of a machine's system): :func:`_unfolded`'s index, and how many
unfoldings it has read."""


def next_id(run_id: str) -> str:
    """The id of the run that continues ``run_id`` as new."""
    base, _, gen = run_id.rpartition("~")
    return f"{base}~{int(gen) + 1}" if base and gen.isdigit() else f"{run_id}~1"


def latest(log: EventLog, run_id: str) -> str:
    """The newest run of ``run_id``'s chain (``run_id`` itself if it did not continue).

    One indexed read however long the chain (:meth:`EventLog.chain_head`). A chain whose
    last run continued but whose new run collided with an existing id (a run made by
    other means under that id) has no head: then the chain is walked run by run as the
    continue-as-new wrote it, to that run, where the store carried its unread inbox.
    """
    head = log.chain_head(run_id)
    return head if head is not None else _walked(log, run_id)


def _walked(log: EventLog, run_id: str) -> str:
    """:func:`latest` by following each run's ``RunContinued`` (one read per run)."""
    for _ in range(10_000):  # a chain, never a cycle: ids only grow
        if log.get_run(run_id).status != "continued":
            return run_id
        last = log.tail(run_id, log.length(run_id) - 1)
        if not last or not isinstance(last[-1], RunContinued):
            return run_id
        run_id = last[-1].next_run
    return run_id


def saved_args(args: tuple[Any, ...], ev: Evaluator | None) -> tuple[Any, ...]:
    """``args`` as a run record holds them: each function value (a closure of load ``ev``,
    which a store cannot write) named by the model text, as snapshots name it
    (:mod:`procalg.semantics.naming`), in a :class:`SavedFunction`.

    Raises:
        FormatError: a value that cannot be named (``Unsaveable``).
    """
    out = []
    for arg in args:
        try:
            encode_value(arg)
        except FormatError:  # a function value (or data holding one): named by the text
            named = encode_term(arg, ev)
            data = json.dumps(named, separators=(",", ":"), ensure_ascii=False)
            arg = SavedFunction(data, _display(named) or show(arg))
        out.append(arg)
    return tuple(out)


def _display(named: Any) -> str | None:
    """How a saved closure prints: its name and what it captured (``λ[k=3]``)."""
    if not (isinstance(named, dict) and "fn" in named):
        return None
    name, captured = named["fn"]
    values = [show(decode_term(v, None)) for v in captured.get("t", [])]
    if isinstance(name, dict):  # a local definition: its name in the text, captured names
        _, _, shown, names = name["local"]
        return f"{shown}[{', '.join(f'{n}={v}' for n, v in zip(names, values, strict=False))}]"
    return f"{name}[{', '.join(values)}]" if values else name


def loaded_args(args: tuple[Any, ...], ev: Evaluator | None) -> tuple[Any, ...]:
    """Invert :func:`saved_args` in load ``ev``: each :class:`SavedFunction` becomes that
    load's closure (FormatError if the model text has no such definition).

    Example:
        >>> loaded_args((1, SavedFunction('{"fn":["add",{"t":[3]}]}', "add")), None)
        (1, Closure(name='add', captured=(3,)))
    """
    return tuple(decode_term(json.loads(a.data), None, ev) if type(a) is SavedFunction else a
                 for a in args)


def _loop_head(engine: Engine, run_id: str, state: RunState, wait: Wait) -> Call | None:
    """The call of a named process whose unfolding the state is, if the run may continue
    as new here (see the module), else None."""
    if (wait.until is not None or state.inflight or state.timers or state.retry_at
            or state.maybe_done or state.gave_up or state.compensated or engine.loader is None):
        return None
    machine = state.machine
    system = machine.workflow.system
    misses = _MISSES.setdefault(machine, {})
    # asked once per state (every wait there would ask again), and again only once the
    # rules have unfolded more calls (one of them may be this state's)
    if misses.get(state.sid, -1) == _unfolded_count(system):
        return None
    head = _head(system, state.term)
    if head is None:
        misses[state.sid] = _unfolded_count(system)
        LOG.debug("run %s: no loop head at event %d: %s is no unfolding of a named "
                  "process's call with values", run_id, state.seq, state.term)
        return None
    return None if engine.log.pending(run_id) else head


def _head(system: object, term: Process) -> Call | None:
    """A call of a named process with values that unfolds to ``term``: the one the
    rules unfolded to reach it (the parameters' values bound there), else one guessed
    from the values its input prefixes captured (a state restored from a snapshot
    that the rules did not reach in this process), compared as saved."""
    spec = getattr(system, "spec", None)
    if spec is None:
        return None
    from procalg.semantics.sites import calls_for  # a loaded model's: the engine loads no lark

    found = _unfolded(system).get(term)
    if found is not None:
        return found
    try:
        target = encode_term(term, spec.evaluator)
        for call in calls_for(spec.evaluator, term):
            if encode_term(spec.system(call).initial_state(), spec.evaluator) == target:
                return call
    except ProcalgError:  # a part that cannot be named (Unsaveable), or a call that fails
        return None
    return None


def _unfolded_count(system: object) -> int:
    return len(getattr(getattr(system, "rules", None), "unfolded", ()))


def _unfolded(system: object) -> dict[Process, Call]:
    """Each state the rules reached by unfolding a call of a named process, with that
    call (the first such call): the rules' memo of unfoldings, read backwards, kept
    up to date by reading only the calls unfolded since the last time."""
    rules = getattr(system, "rules", None)
    memo = getattr(rules, "unfolded", None)
    if memo is None:
        return {}
    count, index = _HEADS.get(rules, (0, {}))
    if count != len(memo):
        for call, body in list(memo.items())[count:]:  # one copy: other threads add calls
            if "#" not in call.name:  # a local definition starts no run
                index.setdefault(body, call)
        _HEADS[rules] = (len(memo), index)
    return index


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
    try:
        args = saved_args(head.args, load_of(wf))  # a function value: by the model text
        record = RunRecord(new_id, head.name, args, wf.model_hash, wf.model_text,
                           dict(old.verdicts), created=now, owner=engine.owner)
        new_wf = engine.loader(record)  # type: ignore[misc]
        fresh = RunState.initial(new_wf)
    except ProcalgError as err:  # e.g. arguments that do not print as .proc values
        LOG.warning("run %s: not continued as new: %s", run_id, err)
        return False
    if encode_term(fresh.term, load_of(new_wf)) != encode_term(state.term, load_of(wf)):
        LOG.warning("run %s: not continued as new: %s starts elsewhere", run_id, head)
        return False
    first = (RunStarted(time=now, process=head.name, args=args,
                        model_hash=wf.model_hash), ContinuedFrom(time=now, previous_run=run_id))
    end = RunContinued(time=now, next_run=new_id)
    errors = engine.log.write_many([
        # its unread inbox goes along, in this transaction (runtime/inbox.py)
        Write(run_id, state.seq, (end,), "continued", release=engine.owner, carry=new_id),
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
