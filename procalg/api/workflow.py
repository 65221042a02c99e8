"""A model's process as the engine's :class:`~procalg.runtime.workflow.Workflow` (layer 5).

:func:`workflow` turns a loaded model's activity, signal and timer
declarations into channel bindings (``attempts``/``backoff``/``timeout``
become Temporal-style retry policies, :func:`policy`), says how to find
which activities the process can reach (searched only if a declared one
has no function: a run need not bind what it never calls), and gives the
workflow the compiled machine every run of the same process of the same
model text shares, whatever its arguments.

Example:
    >>> from procalg.api.model import loads
    >>> wf = workflow(loads("activity pay : {1, 2}\\nP = pay.2 -> SKIP"), "P")
    >>> sorted(wf.channels), wf.process
    (['pay'], 'P')
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from procalg.api.model import Model
from procalg.errors import ModelError
from procalg.runtime.machine import Machine
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, Workflow
from procalg.semantics.child import OpaqueChildren, started_children
from procalg.semantics.deep import run_deep
from procalg.semantics.spec import ProcessSystem
from procalg.terms import Call
from procalg.terms.cancel import CANCEL
from procalg.terms.values import Event

RetryOverrides = Mapping[str, RetryPolicy | Mapping[str, Any]]
"""Channel name (or ``"*"`` for every activity) to a policy or fields to override."""


def policy(model: Model, channel: str, overrides: RetryOverrides | None = None) -> RetryPolicy:
    """The retry policy of an activity: Temporal's defaults, the model's options, then Python's.

    Example:
        >>> from procalg.api.model import loads
        >>> m = loads("activity ship attempts 3 backoff 2s timeout 30s")
        >>> p = policy(m, "ship", {"ship": {"maximum_attempts": 5}})
        >>> p.maximum_attempts, p.initial_interval, p.start_to_close_timeout
        (5, 2.0, 30.0)
    """
    decl = model.spec.activities[channel]
    base = RetryPolicy(
        initial_interval=1.0 if decl.backoff_ms is None else decl.backoff_ms / 1000,
        maximum_attempts=decl.attempts or 0,
        start_to_close_timeout=None if decl.timeout_ms is None else decl.timeout_ms / 1000,
    )
    for key in ("*", channel):
        change = (overrides or {}).get(key)
        if isinstance(change, RetryPolicy):
            base = change
        elif change:
            base = base.with_overrides(**dict(change))
    return base


def workflow(model: Model, process: str, *args: Any, retry: RetryOverrides | None = None,
             verdicts: Mapping[str, Any] | None = None) -> Workflow:
    """The process ``process(args...)`` of ``model``, ready for the engine.

    Raises:
        ModelError: unknown process, wrong arguments, or a retry override
            naming something that is not an activity.
    """
    key = _reuse_key(model, process, args, retry, verdicts)
    found = _WORKFLOWS.get(key) if key is not None else None
    if found is not None and found[0] is model:
        shared = _touch(found[2])
        if shared is found[1].compiled and len(shared) <= MACHINE_STATES:
            return found[1]  # built before, on the machine shared now: no hand-over, build
    wf = _with_arguments(model, key, args) if key is not None else None
    if wf is None:
        # one hand-over to the evaluating thread for the whole build, not one per
        # evaluation in it (the call, its unfolding, the activity search): each costs
        # a thread switch, tens of µs of CPU (semantics/deep.py)
        wf = run_deep(lambda: _workflow(model, process, args, retry, verdicts))
    if key is not None:
        if len(_WORKFLOWS) >= MACHINES * 8:  # arguments come and go: keep a bounded few
            _WORKFLOWS.clear()
            _ALIKE.clear()
        machine_key = _machine_key(wf, (model.content_hash, process))
        _WORKFLOWS[key] = _ALIKE[_alike_key(key)] = (model, wf, machine_key)
    return wf


_ALIKE: dict[tuple[Any, ...], tuple[Model, Workflow, tuple[Any, ...]]] = {}
"""The workflow last built per model, process, argument types and verdicts (any
argument values): what :func:`_with_arguments` builds a new argument's from."""


def _alike_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A :data:`_WORKFLOWS` key without the argument values (their types stay)."""
    return key[:2] + key[3:]


def _with_arguments(model: Model, key: tuple[Any, ...], args: tuple[Any, ...]
                    ) -> Workflow | None:
    """The workflow of the process with new arguments, made from one built for other
    arguments of the same types on the machine shared now (None: build it).

    Applying a process definition to values only makes the call ``P(args)``
    (``Evaluator.apply``: nothing is evaluated, nothing recurses), so a run of
    ``Account(b)`` for a new ``b`` needs no hand-over to the evaluating thread
    (about 60 µs of CPU, a tenth of a short run's steps; docs/engine.md): its
    workflow is the one built for another ``b`` with the call, the term system
    and the activity search made for the new term (a parent of child runs: its
    system made opaque as the built one's). Only a plain call qualifies (no
    captured values).
    """
    found = _ALIKE.get(_alike_key(key))
    if found is None or found[0] is not model:
        return None
    alike = found[1]
    system, shared = alike.system, _touch(found[2])
    opaque = type(system) is OpaqueChildren  # a parent of child runs: wrapped the same way
    if opaque:
        system = system.system
    if type(system) is not ProcessSystem or shared is not alike.compiled \
            or len(shared) > MACHINE_STATES:
        return None
    call = system.term
    if type(call) is not Call or call.args != alike.args or len(args) != len(call.args):
        return None
    term = Call(call.name, tuple(args))
    activities = frozenset(model.spec.activities)
    made: Any = model.spec.system(term)
    return replace(alike, system=OpaqueChildren(made) if opaque else made, args=tuple(args),
                   verdicts=dict(alike.verdicts),
                   used=lambda: run_deep(lambda: _used(model, term, activities)))


_WORKFLOWS: dict[tuple[Any, ...], tuple[Model, Workflow, tuple[Any, ...]]] = {}
"""Workflows built, by model, process, typed arguments and verdicts (without retry
overrides), with the model (kept alive: its id is in the key) and their machine's key.
A run starting, and a child run loaded, ask for the same workflow again and again; a
workflow is reused only while its machine is the shared one (:func:`_machine`)."""


def _reuse_key(model: Model, process: str, args: tuple[Any, ...],
               retry: RetryOverrides | None, verdicts: Mapping[str, Any] | None
               ) -> tuple[Any, ...] | None:
    """The key :data:`_WORKFLOWS` keeps a workflow under, or None: not kept (retry
    overrides, or unhashable arguments or verdicts)."""
    if retry:
        return None
    key = (id(model), process, args, tuple(map(type, args)),  # 1 == True: not the same
           tuple(verdicts.items()) if verdicts else ())
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _touch(key: tuple[Any, ...]) -> Machine | None:
    """The shared machine under ``key``, made the most recently used (None: dropped)."""
    with _MACHINES_LOCK:
        found = _MACHINES.pop(key, None)
        if found is not None:
            _MACHINES[key] = found
    return found


def _workflow(model: Model, process: str, args: tuple[Any, ...], retry: RetryOverrides | None,
              verdicts: Mapping[str, Any] | None) -> Workflow:
    unknown = set(retry or {}) - {"*"} - set(model.spec.activities)
    if unknown:
        raise ModelError(f"retry policies for unknown activities: {', '.join(sorted(unknown))}",
                         hint="keys are activity channel names, or '*' for all")
    term = model.call(process, tuple(args))  # from the values: nothing printed and re-read
    system = model.system(term)
    channels, params, kids = _bindings(model, retry)
    if kids:  # the engine runs each child apart: the parent sees only its outcome
        system = OpaqueChildren(system)
    activities = frozenset(model.spec.activities)
    content_hash = model.content_hash
    wf = Workflow(system, channels, process, tuple(args), content_hash,
                  model.source.text, dict(verdicts or {}), params=params,
                  used=lambda: run_deep(lambda: _used(model, term, activities)))
    return replace(wf, compiled=_machine(wf, (content_hash, process)))


_BINDINGS: dict[str, tuple[Mapping[str, Channel], dict[str, tuple[str, ...]], frozenset[str]]] \
    = {}


def _bindings(model: Model, retry: RetryOverrides | None) -> tuple[
        Mapping[str, Channel], dict[str, tuple[str, ...]], frozenset[str]]:
    """The model's channel bindings (read only), parameter names and started children:
    the same for every run of a model text without retry overrides (built once)."""
    found = None if retry else _BINDINGS.get(model.content_hash)
    if found is not None:
        return found
    fields = model.spec.channels
    channels: dict[str, Channel] = {}
    for name in model.spec.activities:  # all: the kinds, and the machine, fit any arguments
        channels[name] = Channel(name, ChannelKind.ACTIVITY, len(fields[name]),
                                 policy(model, name, retry), fields=fields[name])
    for name in model.spec.signals:
        channels[name] = Channel(name, ChannelKind.SIGNAL, len(fields[name]),
                                 fields=fields[name])
    for name, timer in model.spec.timers.items():
        channels[name] = Channel(name, ChannelKind.TIMER, duration=timer.duration_ms / 1000)
    if model.spec.cancellable:  # the environment performs cancel, as it sends a signal
        channels[CANCEL] = Channel(CANCEL, ChannelKind.SIGNAL)
    kids = _children(model)
    channels.update((name, Channel(name, ChannelKind.CHILD)) for name in kids)
    found = (MappingProxyType(channels), parameter_names(model), kids)
    if not retry:
        if len(_BINDINGS) >= MACHINES * 8:  # model texts come and go: keep a bounded few
            _BINDINGS.clear()
        _BINDINGS[model.content_hash] = found
    return found


_CHILDREN: dict[str, frozenset[str]] = {}


def _children(model: Model) -> frozenset[str]:
    """The processes ``model`` starts as children, found once per model text."""
    found = _CHILDREN.get(model.content_hash)
    if found is None:
        if len(_CHILDREN) >= MACHINES * 8:
            _CHILDREN.clear()
        found = _CHILDREN[model.content_hash] = started_children(model.spec.module)
    return found


def parameter_names(model: Model) -> dict[str, tuple[str, ...]]:
    """Each definition's parameter names (a pattern parameter prints as ``_``).

    Example:
        >>> from procalg.api.model import loads
        >>> parameter_names(loads("Account(b) = SKIP\\nP = SKIP"))
        {'Account': ('b',)}
    """
    return {name: tuple(getattr(p, "name", "_") for p in clauses[0].params)
            for name, clauses in model.spec.definitions.items() if clauses[0].params}


MACHINE_STATES = 50_000
"""States the shared machines may hold together (about 2.3 kB each with the rules'
cache): past it the least recently used machines go, and a machine past it alone is
replaced for new runs (a process that counts for ever reaches new states for ever).
Runs keep the machine they started on."""
MACHINES = 32
"""Shared machines kept at most (the most recently used)."""
_MACHINES: dict[tuple[Any, ...], Machine] = {}
_MACHINES_LOCK = threading.Lock()


def _machine(wf: Workflow, key: tuple[str, Any]) -> Machine:
    """The compiled machine every run of this process of this model text shares.

    Workflows with the same model hash, process name and channel kinds step
    alike, whatever their arguments (retry policies differ, which the machine
    never reads): a run of ``Account(7)`` starts at its own state of the
    machine ``Account(3)`` filled (:meth:`~procalg.runtime.machine.Machine.initial`),
    and reaches the states that one compiled.
    """
    key = _machine_key(wf, key)
    with _MACHINES_LOCK:  # runs are loaded from several threads (resume_all)
        found = _MACHINES.pop(key, None)  # re-inserted last: least recently used first
        if found is None or len(found) > MACHINE_STATES:
            found = Machine(wf)
        _MACHINES[key] = found
        while len(_MACHINES) > 1 and (len(_MACHINES) > MACHINES or sum(
                len(m) for m in _MACHINES.values()) > MACHINE_STATES):
            del _MACHINES[next(iter(_MACHINES))]
    return found


def _machine_key(wf: Workflow, key: tuple[str, Any]) -> tuple[Any, ...]:
    """The key of ``wf``'s shared machine: model hash and process (``key``), and the
    channels' kinds."""
    return key + tuple(sorted((name, c.kind.value) for name, c in wf.channels.items()))


USED_LIMIT = 200_000
"""States explored to find the activities a process uses; beyond it, all are required."""


def _used(model: Model, term: Any, activities: frozenset[str]) -> list[str]:
    """The activities ``term`` can perform (all of them if its state space is too large to tell)."""
    if not activities:
        return []
    key = (model.content_hash, term)
    if key not in _USED:
        _USED[key] = _reachable(model.system(term), activities)
    return sorted(_USED[key])


def _reachable(system: Any, activities: frozenset[str]) -> frozenset[str]:
    """The activity channels with a transition reachable in ``system``.

    A search over the terms themselves (no LTS arrays: resuming a run must not
    load numpy), stopping as soon as every activity was seen. O(states +
    transitions) up to :data:`USED_LIMIT` states, beyond which all count as used.
    """
    start = system.initial_state()
    seen, todo, found = {start}, [start], set()
    while todo and len(found) < len(activities):
        for label, target in system.successors(todo.pop()):
            if type(label) is Event and label.channel in activities:
                found.add(label.channel)
            if target not in seen:
                if len(seen) >= USED_LIMIT:
                    return activities
                seen.add(target)
                todo.append(target)
    return frozenset(found)


_USED: dict[tuple[str, Any], frozenset[str]] = {}
