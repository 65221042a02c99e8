"""The compiled machine steps exactly like the term rules (the oracle), and is shared by runs.

Every state a machine compiles is compared with what the reference rules
(``procalg.semantics.sos.transitions`` on a fresh cache) say about its term:
the same moves, the same targets in the same canonical order (by printed
term), and the same internal move, timers, signals and batch of calls as
deciding on the term's moves directly. Checked on every reachable state of
every process of the bundled workflow models, a parameterised data model,
and random terms with random channel kinds.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api import workflow as api_workflow
from procalg.api.model import Model, load, loads
from procalg.lts import TAU, TICK
from procalg.runtime.clock import VirtualClock
from procalg.runtime.decide import RunState, evolve
from procalg.runtime.history import EventFired
from procalg.runtime.machine import Machine
from procalg.runtime.units import batch
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.semantics.child import opaque
from procalg.semantics.sos import transitions
from procalg.terms import Event
from procalg.terms.values import sort_key
from tests.semantics.test_sos_laws import EVENTS, terms

MODELS = Path(__file__).resolve().parents[2] / "models"
WORKFLOW_MODELS = sorted(p for p in MODELS.glob("*.proc")
                         if any(line.startswith(("activity", "signal", "timer"))
                                for line in p.read_text().splitlines()))
DATA_MODEL = """N = 4
activity fetch : {0..N-1}.{0..2} attempts 2
activity store : {0..N-1}.{0..5}
signal go : {0..1}
timer nudge = 1m
channel audit : {0..5}
Loop(i, sum) = if i < N then fetch!i?v -> store!i!((sum + v) % 6) -> audit.((sum + v) % 6)
                             -> Loop(i + 1, (sum + v) % 6)
               else (go?x -> SKIP [] nudge -> SKIP)
P = Loop(0, 0) ||| (fetch.0.1 -> SKIP |~| audit.0 -> SKIP)
"""


def _processes(model: Model) -> list[str]:
    """The processes the model's assertions are about (named ones)."""
    names = [getattr(getattr(a.property, "process", None), "id", None) for a in model.assertions]
    return [n for n in dict.fromkeys(names) if n is not None]


def _reference_internal(wf: Workflow, moves: list) -> object:
    """The internal move decide fired before the machine: events, then τ, then ✓."""
    internal = [lab for lab, _ in moves if wf.kind(lab) is ChannelKind.INTERNAL]
    events = sorted((lab for lab in internal if isinstance(lab, Event)), key=sort_key)
    rest = [x for x in (TAU, TICK) if x in internal]
    return (events + rest or [None])[0]


def _assert_steps_like_the_rules(wf: Workflow, machine: Machine, limit: int = 3000) -> int:
    """Compile every reachable state (up to ``limit``) and compare it with the rules."""
    # the rules of the workflow that built the machine's terms: a machine is shared by
    # every load of one model text, and input prefixes compare by their load's sites
    # (OpaqueChildren wraps the model's system when the model starts child runs)
    system = machine.workflow.system
    base = getattr(system, "system", system)
    unfold = getattr(base, "spec", None)
    todo, seen = [machine.initial()], set()
    while todo and len(seen) < limit:
        sid = todo.pop()
        if sid in seen:
            continue
        seen.add(sid)
        node, term = machine.node(sid), machine.term(sid)
        reference = transitions(term, unfold.unfold if unfold else None)
        if base is not system:  # the engine sees child runs opaque (semantics/child.py)
            reference = [(lab, opaque(t)) for lab, t in reference]
        assert Counter(node.moves) == Counter(reference), term
        for label in {lab for lab, _ in reference}:
            expected = sorted((t for lab, t in reference if lab == label), key=str)
            assert [machine.term(t) for t in node.targets[label]] == expected
            todo.extend(node.targets[label])
        assert node.internal == _reference_internal(wf, reference)
        assert node.timers == tuple(sorted({lab.channel for lab, _ in reference
                                            if wf.kind(lab) is ChannelKind.TIMER}))
        assert node.signals == tuple(sorted((lab for lab, _ in reference
                                             if wf.kind(lab) is ChannelKind.SIGNAL),
                                            key=sort_key))
        assert list(machine.calls(sid)) == batch(wf, reference)
    return len(seen)


@pytest.mark.parametrize("path", WORKFLOW_MODELS, ids=lambda p: p.stem)
def test_the_machine_steps_like_the_term_rules_on_every_bundled_workflow_model(path) -> None:
    model = load(path)
    processes = _processes(model)
    assert processes
    for process in processes:
        wf = api.workflow(model, process)
        assert _assert_steps_like_the_rules(wf, wf.machine) > 2


def test_the_machine_steps_like_the_term_rules_on_a_model_with_data_inputs_and_parameters(
) -> None:
    wf = api.workflow(loads(DATA_MODEL), "P")
    assert _assert_steps_like_the_rules(wf, wf.machine) > 50


KINDS = [ChannelKind.ACTIVITY, ChannelKind.SIGNAL, ChannelKind.TIMER, ChannelKind.INTERNAL]


@settings(max_examples=80, deadline=None)
@given(term=terms, kinds=st.lists(st.sampled_from(KINDS), min_size=len(EVENTS),
                                  max_size=len(EVENTS)))
def test_the_machine_steps_like_the_term_rules_on_random_terms_and_channel_kinds(
        term, kinds) -> None:
    channels = {e.channel: Channel(e.channel, k, 0, duration=1.0)
                for e, k in zip(EVENTS, kinds, strict=True) if k is not ChannelKind.INTERNAL}
    wf = Workflow(TermSystem(term), channels)
    _assert_steps_like_the_rules(wf, wf.machine)


def test_runs_of_one_model_share_one_machine_and_a_second_run_compiles_nothing() -> None:
    model = loads(DATA_MODEL.replace("N = 4", "N = 3"))
    acts = {"fetch": lambda i: i % 3, "store": lambda i, x: None}
    eng = api.engine("memory:", activities=acts, clock=VirtualClock())
    first = api.start(model, "P", store=eng, allow_failed_assertions=True)
    machine = api.workflow(model, "P").machine
    compiled = len(machine)
    second = api.start(model, "P", store=eng, allow_failed_assertions=True)
    assert eng.state(second.id).machine is machine is eng.state(first.id).machine
    assert len(machine) == compiled
    assert second.status == first.status == "waiting"  # for go or nudge, at the end
    assert eng.state(second.id).trace == eng.state(first.id).trace
    assert len(eng.state(first.id).trace) >= 10


def test_states_offering_the_same_events_share_their_labels_and_shape_as_the_rules_say(
        ) -> None:
    model = load(MODELS / "account.proc")
    eng = api.engine("memory:", activities={"payout": lambda b: None}, clock=VirtualClock())
    runs = [api.start(model, "Account", b, store=eng) for b in (7, 8, 9)]
    wf, machine = eng.state(runs[0].id).workflow, eng.state(runs[0].id).machine
    nodes = [eng.state(r.id).node() for r in runs]  # deposits 1..5, withdrawals 1..5 each
    assert len({eng.state(r.id).sid for r in runs}) == 3
    first = nodes[0]
    for node in nodes[1:]:
        assert node.labels is first.labels and node.signals is first.signals
        assert node.channels is first.channels and node.timers == first.timers
    fresh = machine._shape(first.labels)  # the pass the shared shape spares
    assert (first.channels, first.internal, first.timers, first.signals) == fresh
    assert _assert_steps_like_the_rules(wf, machine) > 20  # and every state as the rules


def test_a_history_replayed_on_a_fresh_machine_reaches_the_same_terms() -> None:
    model = loads(DATA_MODEL)
    acts = {"fetch": lambda i: (i + 1) % 3, "store": lambda i, x: None}
    eng = api.engine("memory:", activities=acts, clock=VirtualClock())
    run = api.start(model, "P", store=eng, allow_failed_assertions=True)
    shared = eng.state(run.id)
    wf = api.workflow(model, "P")
    fresh = RunState.initial(Workflow(wf.system, wf.channels))  # compiles its own machine
    assert fresh.machine is not shared.machine
    for event in run.history():
        evolve(fresh, event)
    # printed: a machine shared by models of the same text holds the first one's terms
    assert str(fresh.term) == str(shared.term) and fresh.trace == shared.trace
    assert sum(isinstance(e, EventFired) for e in run.history()) > 10


def test_a_shared_machine_past_its_state_limit_is_replaced_for_new_runs(monkeypatch) -> None:
    model = loads(DATA_MODEL.replace("N = 4", "N = 2"))
    old = api.workflow(model, "P").machine
    old.node(old.initial())
    monkeypatch.setattr(api_workflow, "MACHINE_STATES", 0)
    new = api.workflow(model, "P").machine
    assert new is not old and api.workflow(model, "P").machine is new


def test_the_least_recently_used_machine_goes_when_the_cache_is_full(monkeypatch) -> None:
    first, second = loads(DATA_MODEL.replace("N = 4", "N = 1")), loads("channel a\nP = a -> P")
    monkeypatch.setattr(api_workflow, "MACHINES", 1)
    kept = api.workflow(first, "P").machine
    assert api.workflow(first, "P").machine is kept
    api.workflow(second, "P")
    assert api.workflow(first, "P").machine is not kept


def test_runs_driven_on_threads_share_a_machine_and_each_records_a_trace_of_the_model() -> None:
    model = loads(DATA_MODEL.replace("N = 4", "N = 6").replace("signal go", "channel go")
                  .replace("timer nudge = 1m", "channel nudge"))
    rng = random.Random(3)
    acts = {"fetch": lambda i: rng.randrange(3), "store": lambda i, x: None}
    eng = api.engine("memory:", activities=acts, max_runs=8)
    wf = api.workflow(model, "P")
    runs = eng.start_many([wf] * 24)
    assert {eng.state(r.id).machine for r in runs} == {wf.machine}
    assert len({tuple(eng.state(r.id).trace) for r in runs}) > 1  # not all one path
    for run in runs:
        fresh = RunState.initial(Workflow(model.system("P"), wf.channels))  # its own rules
        for event in run.history():
            evolve(fresh, event)  # ReplayError if the history is no trace of the model
        assert fresh.status == "completed" and fresh.trace == eng.state(run.id).trace
