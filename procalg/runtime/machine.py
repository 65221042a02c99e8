"""A workflow compiled as runs reach it: states interned to ints, each state's step cached.

Stepping a run by the term rules costs a successor computation per step (unfolding a call,
evaluating its expressions, building target terms) and, in a stable state, the diamond test
over the offered activity events (:mod:`~procalg.runtime.units`), which computes the
successors of every target again. A :class:`Machine` does that work once per *state*: the
first time a run reaches a term, the term is interned (hash-consing: one int per distinct
term) and compiled into a :class:`Node` -- its moves, the target ids of each label in the
canonical order replay relies on, and everything :func:`~procalg.runtime.decide.decide`
derives from the moves alone (the internal move it fires, the timers and signals offered,
the batch of calls). Afterwards a step, and a replayed history event, is a dict and a list
look-up. This is the explicit-state caching of FDR's compiled machines (Roscoe,
*Understanding Concurrent Systems*, ch. 9 and 16: a state is compiled once, then transitions
are table look-ups), built lazily: only the states runs actually reach are compiled,
O(moves) each, once.

A state that is an input prefix (``fetch!i?v -> ...``) is compiled from its events alone
(:mod:`~procalg.runtime.input_states`): a continuation is evaluated when a run takes its
event, not once per value the input accepts.

One machine is shared by every run of the same process of the same model in a process
(:func:`procalg.api.run.workflow` keeps them), so the second run of a model steps through
states the first compiled. The term rules remain the oracle: a node is a pure function of
its term's moves by :mod:`procalg.semantics.sos`, and ``tests/runtime/test_machine.py``
compares them on every bundled workflow model.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP
    >>> from procalg.runtime.workflow import TermSystem, Workflow
    >>> machine = Machine(Workflow(TermSystem(Prefix(Event("log"), SKIP))))
    >>> node = machine.node(machine.initial())
    >>> node.internal, node.targets[Event("log")]
    (Event(channel='log', fields=()), (1,))
    >>> str(machine.term(1)), len(machine)
    ('SKIP', 2)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procalg.lts import TAU, TICK
from procalg.runtime.compiled_states import CompiledMoves, CompiledStates
from procalg.runtime.input_states import InputTargets, LazyMoves, input_targets, normaliser
from procalg.runtime.nested_inputs import NestedTargets, Pendings, rules_of
from procalg.runtime.units import Call, Choices, offered_after, offers_label
from procalg.runtime.workflow import ChannelKind
from procalg.terms.input import Input
from procalg.terms.process import Call as CallTerm
from procalg.terms.process import Process
from procalg.terms.saga import FAIL
from procalg.terms.values import Event, Label, sort_key

if TYPE_CHECKING:
    from procalg.runtime.workflow import Workflow

Moves = Sequence[tuple[Label, Process]]
_UNSET = object()


@dataclass(frozen=True, slots=True)
class Node:
    """One compiled state: what a step from it needs, computed once.

    Attributes:
        term: the state's (normalised) term; None for a state stepped on the compiled
            machine (:mod:`~procalg.runtime.compiled_states`; :meth:`Machine.term` makes it).
        moves: its transitions by the term rules, as the rules list them
            (for an input state, evaluated on first use: :class:`LazyMoves`).
        targets: each label's target ids, in the canonical order (by printed
            term when several): ``EventFired.choice`` indexes this.
        internal: the internal move the engine fires here (events of internal
            channels first, then τ, then ✓; the smallest label), or None.
        channels: the channels of the events offered (timers not among them stop).
        timers: the timer channels offered, by name.
        signals: the signal events offered, in ``sort_key`` order.
        labels: the labels of ``moves``, in their order.
    """

    term: Process | None
    moves: Moves
    targets: Mapping[Label, tuple[int, ...]]
    internal: Label | None
    channels: frozenset[str]
    timers: tuple[str, ...]
    signals: tuple[Event, ...]
    labels: tuple[Label, ...] = ()
    _offers: dict[tuple[str, tuple[Any, ...]], bool] = field(default_factory=dict, repr=False)

    def offers(self, channel: str, given: tuple[Any, ...]) -> bool:
        """Whether an event (or failure) of the call ``channel.given`` is offered (memoised)."""
        key = (channel, given)
        found = self._offers.get(key)
        if found is None:
            found = self._offers[key] = offers_label(channel, given, self.labels)
        return found


def internal_key(label: Label) -> tuple:
    """The order among internal moves: channel events, then τ, then ✓; then by label.

    Example:
        >>> sorted([TICK, TAU, Event("b"), Event("a")], key=internal_key)
        [Event(channel='a', fields=()), Event(channel='b', fields=()), 'τ', '✓']
    """
    rank = 2 if label == TICK else 1 if label == TAU else 0
    return (rank, sort_key(label) if isinstance(label, Event) else ())


class Machine:
    """The states of one workflow that runs reached, interned and compiled on first visit.

    Safe to share between threads: look-ups of compiled states take no lock;
    interning and compiling a new state hold the machine's lock (the term
    rules' caches are not thread-safe).

    Args:
        workflow: gives the term system and the channel kinds; every workflow
            stepped with this machine must have the same system and kinds.
    """

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self._ids: dict[Process, int] = {}
        self._terms: list[Process | None] = []  # None: a compiled state, its term not made
        self._nodes: list[Node | None] = []
        self._calls: dict[int, tuple[Call, ...]] = {}
        self._start: int | None = None
        self._starts: dict[tuple[Any, ...], int] = {}  # other workflows' initial states
        self._lock = threading.RLock()
        self._normal: Any = _UNSET  # see _normaliser: found on the first input state
        self._rules: Any = _UNSET  # Pendings over the system's rules, and what it does to targets
        self._kinds: dict[Any, ChannelKind] = {}
        self._labels: dict[Label, Label] = {}
        self._keys: dict[Event, tuple] = {}  # sort keys of signal events
        self._channel_sets: dict[frozenset[str], frozenset[str]] = {}  # Node.channels, shared
        self._compiled: Any = _UNSET  # CompiledStates of the process, found on first use
        self._choices = Choices(self.kind)  # calls per labels offered (units.Choices)
        self._shapes: dict[int, tuple[Any, ...]] = {}  # Machine._shape of shared input labels
        self._label_shapes: dict[tuple[int, ...], tuple[Any, ...]] = {}  # see _shaped

    def __len__(self) -> int:
        """The number of states interned so far."""
        return len(self._terms)

    def initial(self, workflow: Workflow | None = None) -> int:
        """The id of the initial state (the normalised process) of ``workflow``, by default
        the machine's own: workflows of one process with other arguments share a machine."""
        if workflow is not None and workflow is not self.workflow:
            key = (workflow.args, tuple(map(type, workflow.args)))  # 1 == True: not the same
            found = self._starts.get(key)
            if found is None:
                found = self._starts[key] = self._initial(workflow)
            return found
        if self._start is None:
            self._start = self._initial(self.workflow)
        return self._start

    def _initial(self, workflow: Workflow) -> int:
        """The initial state of ``workflow``: on the compiled machine if its process compiles."""
        with self._lock:
            if self._compiled is _UNSET:
                self._compiled = CompiledStates.of(self.workflow)
            system = workflow.system
            if self._compiled is not None and type(getattr(system, "term", None)) is CallTerm:
                found = self._compiled.start(self, system.term)
                if found is not None:
                    return found
        return self.intern(system.initial_state())

    def is_compiled(self, sid: int) -> bool:
        """Whether state ``sid`` steps on the compiled machine (its node has no term)."""
        return self._compiled is not _UNSET and self._compiled is not None \
            and sid in self._compiled.lids

    def add_compiled(self) -> int:
        """A new state id for a compiled state (its term made when first read)."""
        self._terms.append(None)
        self._nodes.append(None)
        return len(self._terms) - 1

    def known_term(self, sid: int) -> Process | None:
        """The term of ``sid`` if it is made (None: a compiled state not read yet)."""
        return self._terms[sid]

    def set_term(self, sid: int, term: Process) -> None:
        """Record the term made for compiled state ``sid`` (a snapshot of that term
        resumes there).

        A term met before as a plain state (resumed from a snapshot, or stepped by
        the term rules) now names this compiled state: a later snapshot of it
        resumes on the compiled machine, at the id a replay reaches.
        """
        self._terms[sid] = term
        known = self._ids.get(term)
        if known is None or not self.is_compiled(known):
            self._ids[term] = sid

    def intern(self, term: Process) -> int:
        """The id of ``term``, a new one the first time it is seen."""
        sid = self._ids.get(term)
        if sid is None:
            with self._lock:
                sid = self._ids.get(term)
                if sid is None:
                    sid = len(self._terms)
                    self._terms.append(term)
                    self._nodes.append(None)
                    self._ids[term] = sid  # published last: readers find a complete entry
        return sid

    def resume_at(self, term: Process) -> int:
        """The state of ``term`` restored from a snapshot: a compiled state whose term
        it is (the terms of compiled states are made once, on the first miss or plain
        find), else the term's own state (stepped by the term rules)."""
        found = self._ids.get(term)
        if (found is None or not self.is_compiled(found)) \
                and self._compiled not in (None, _UNSET):
            with self._lock:
                for sid in list(self._compiled.lids):
                    self.term(sid)
            found = self._ids.get(term)
        return found if found is not None else self.intern(term)

    def term(self, sid: int) -> Process:
        """The term of state ``sid`` (of a compiled state: made on first demand)."""
        found = self._terms[sid]
        if found is None:
            with self._lock:
                found = self._compiled.term(self, sid)
        return found

    def node(self, sid: int) -> Node:
        """State ``sid`` compiled (on the first call for it)."""
        node = self._nodes[sid]
        if node is None:
            with self._lock:
                node = self._nodes[sid]
                if node is None:
                    node = self._nodes[sid] = self._compile_state(sid)
        return node

    def _compile_state(self, sid: int) -> Node:
        if self.is_compiled(sid):
            found = self._compiled.targets(self, sid)
            if found is not None:
                targets, labels = found[0], tuple(found[1])  # one tuple, the node's and its moves'
                if labels is found[1]:  # an input's labels, shared by states: so is their shape
                    shape = self._shapes.get(id(labels))
                    if shape is None or shape[0] is not labels:
                        shape = self._shapes[id(labels)] = (labels, *self._shape(labels))
                else:  # a choice's: states with the same event objects share labels and shape
                    shape = self._shaped(labels)
                    labels = shape[0]
                return self._node(None, CompiledMoves(self, sid, labels), targets, labels,
                                  shape[1:])
        return self._compile(self.term(sid))

    def _shaped(self, labels: tuple[Label, ...]) -> tuple[Any, ...]:
        """``(labels, *_shape(labels))``, shared by the states offering the same event objects
        (keyed by their ids: the entry keeps them alive, so no id is reused)."""
        key, shapes = tuple(map(id, labels)), self._label_shapes
        found = shapes.get(key)
        if found is None:
            if len(shapes) >= 4096:  # data-dependent label sets: keep a bounded few
                shapes.clear()
            found = shapes[key] = (labels, *self._shape(labels))
        return found

    def calls(self, sid: int) -> tuple[Call, ...]:
        """The activity calls a stable state runs now (:func:`~procalg.runtime.units.batch`).

        Computed on first demand: the diamond test expands the targets, work a
        state whose internal move fires never needs.
        """
        found = self._calls.get(sid)
        if found is None:
            node = self.node(sid)
            with self._lock:
                found = self._calls.get(sid)
                if found is None:
                    targets, choices = node.targets, self._choices.choose
                    if node.term is None:
                        found = choices(node.labels, self._compiled.after(self, targets),
                                        getattr(targets, "follows", None))
                    elif type(targets) is InputTargets:
                        found = choices(node.labels, targets.after, targets.follows)
                        targets.forget_after()  # fewer objects kept: less for the GC to walk
                    elif type(targets) is NestedTargets:
                        found = choices(node.labels, targets.after_once())
                    else:
                        found = choices(node.labels, offered_after(self.workflow, node.moves))
                    self._calls[sid] = found
        return found

    def kind(self, label: Label) -> ChannelKind:
        """The workflow's kind of ``label``, remembered per channel (of the failed
        activity, for ``fail.c.v``)."""
        if type(label) is not Event:
            return self.workflow.kind(label)
        key: Any = label.channel
        if key == FAIL:
            fields = label.fields
            if not fields or type(fields[0]) is not Event:
                return self.workflow.kind(label)
            key = (FAIL, fields[0].channel)
        found = self._kinds.get(key)
        if found is None:
            found = self._kinds[key] = self.workflow.kind(label)
        return found

    def _sort_key(self, label: Event) -> tuple:
        """``sort_key(label)``, remembered: signal events recur in many states."""
        found = self._keys.get(label)
        if found is None:
            found = self._keys[label] = sort_key(label)
        return found

    def _compile(self, term: Process) -> Node:
        if type(term) is Input and term.site.offer is not None:
            node = self._compile_input(term)
            if node is not None:
                return node
        elif self._rules is not None:
            node = self._compile_nested(term)
            if node is not None:
                return node
        wf = self.workflow
        moves = wf.system.successors(term)  # the rules' own list: read, never changed
        by_label: dict[Label, list[Process]] = {}
        for label, target in moves:
            by_label.setdefault(label, []).append(target)
        targets = {}
        for label, found in by_label.items():
            if len(found) > 1:
                found.sort(key=str)  # the canonical order of decide.targets
            targets[label] = tuple(self.intern(t) for t in found)
        return self._node(term, moves, targets, [label for label, _ in moves])

    def _node(self, term: Process | None, moves: Moves, targets: Mapping[Label, tuple[int, ...]],
              labels: Sequence[Label], shape: tuple[Any, ...] | None = None) -> Node:
        channels, internal, timers, signals = shape or self._shape(labels)
        return Node(term=term, moves=moves, targets=targets, internal=internal,
                    channels=channels, timers=timers, signals=signals, labels=tuple(labels))

    def _shape(self, labels: Sequence[Label]) -> tuple[Any, ...]:
        """A node's facts from its labels alone: channels, internal move, timers, signals."""
        # one pass over the labels (a new state's cost: every state of a first run)
        kind, internal_kind = self.kind, ChannelKind.INTERNAL
        channels: set[str] = set()
        internal: list[Label] = []
        timers: set[str] = set()
        signals: list[Event] = []
        for label in labels:
            found = kind(label)
            if isinstance(label, Event):
                channels.add(label.channel)
                if found is ChannelKind.SIGNAL:
                    signals.append(label)
                elif found is ChannelKind.TIMER:
                    timers.add(label.channel)
                elif found is internal_kind:
                    internal.append(label)
            elif found is internal_kind:
                internal.append(label)
        shared = frozenset(channels)  # states share few channel sets: one object each
        return (self._channel_sets.setdefault(shared, shared),
                min(internal, key=internal_key) if internal else None,
                tuple(sorted(timers)) if timers else (),
                tuple(sorted(signals, key=self._sort_key)) if signals else ())

    def _compile_input(self, term: Input) -> Node | None:
        """An input state from its events, each continuation evaluated when first needed
        (None: the system is not the term rules, or the events are not plain)."""
        if self._normal is _UNSET:
            self._normal = normaliser(self.workflow.system)
        if self._normal is None:
            return None
        found = input_targets(self, term, self._normal, self._labels)
        if found is None:
            return None
        return self._node(term, LazyMoves(found), found, found.labels)

    def _compile_nested(self, term: Process) -> Node | None:
        """A state whose inputs stand under operators, from its events; each label's
        targets evaluated when first needed (None: no input pending, or not the rules)."""
        if self._rules is _UNSET:
            found = rules_of(self.workflow.system)
            self._rules = None if found is None else (Pendings(found[0]), found[1])
            if self._rules is None:
                return None
        pendings, post = self._rules
        moves = pendings.moves(term)
        if moves is None:
            return None
        targets = NestedTargets(self, term, moves, pendings, pendings.rules.normalise, post)
        return self._node(term, LazyMoves(targets), targets, targets.labels)  # type: ignore[arg-type]
