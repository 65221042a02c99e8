"""A workflow compiled as runs reach it: states interned to ints, each state's step cached.

Stepping a run by the term rules costs a successor computation per step
(unfolding a call, evaluating its expressions, building target terms) and,
in a stable state, the diamond test over the offered activity events
(:mod:`~procalg.runtime.units`), which computes the successors of every
target again. A :class:`Machine` does that work once per *state*: the first
time a run reaches a term, the term is interned (hash-consing: one int per
distinct term) and compiled into a :class:`Node` -- its moves, the target
ids of each label in the canonical order replay relies on, and everything
:func:`~procalg.runtime.decide.decide` derives from the moves alone (the
internal move it fires, the timers and signals offered, the batch of calls).
Afterwards a step, and a replayed history event, is a dict and a list
look-up. This is the explicit-state caching of FDR's compiled machines
(Roscoe, *Understanding Concurrent Systems*, ch. 9 and 16: a state is
compiled once, then transitions are table look-ups), built lazily: only the
states runs actually reach are compiled, O(moves) each, once.

A state that is an input prefix (``fetch!i?v -> ...``, where a data-carrying
workflow usually waits) is compiled from its events alone: the continuation
of an event is evaluated when a run takes that event, or when the diamond
test of :mod:`~procalg.runtime.units` cannot tell from the continuation's
first channels alone, not once per value the input accepts (the lazy
successor generation of on-the-fly model checkers; Holzmann, *The SPIN Model
Checker*, ch. 8).

One machine is shared by every run of the same process of the same model in
a process (:func:`procalg.api.run.workflow` keeps them), so the second run
of a model steps through states the first compiled. The term rules remain
the oracle: a node is a pure function of its term's moves by
:mod:`procalg.semantics.sos`, and ``tests/runtime/test_machine.py`` compares
them on every bundled workflow model.

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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from procalg.errors import ProcalgError
from procalg.lts import TAU, TICK
from procalg.runtime.units import Call, choose, offered_after, offers_label
from procalg.runtime.workflow import ChannelKind
from procalg.terms.input import Input
from procalg.terms.process import Process
from procalg.terms.saga import FAIL, THROW_EVENT
from procalg.terms.values import Event, Label, sort_key

if TYPE_CHECKING:
    from procalg.runtime.workflow import Workflow

Moves = Sequence[tuple[Label, Process]]
_UNSET = object()


@dataclass(frozen=True, slots=True)
class Node:
    """One compiled state: what a step from it needs, computed once.

    Attributes:
        term: the state's (normalised) term.
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

    term: Process
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


class LazyMoves(Sequence[tuple[Label, Process]]):
    """An input state's moves: length and truth from its labels; items evaluate every target."""

    __slots__ = ("_found", "_targets")

    def __init__(self, targets: InputTargets) -> None:
        self._targets = targets
        self._found: list[tuple[Label, Process]] | None = None

    def __len__(self) -> int:
        return len(self._targets.labels)

    def __bool__(self) -> bool:
        return bool(self._targets.labels)

    def _all(self) -> list[tuple[Label, Process]]:
        if self._found is None:
            targets = self._targets
            self._found = list(targets.machine.workflow.system.successors(targets.term))
        return self._found

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __iter__(self) -> Iterator[tuple[Label, Process]]:
        return iter(self._all())


class InputTargets(Mapping[Label, tuple[int, ...]]):
    """An input state's target ids per label, each label's evaluated when first asked.

    Args:
        machine: the machine that interns the targets.
        term: the input state.
        labels: its labels, and ``bindings``, the binding of each
            (:meth:`~procalg.terms.input.InputSite.offer`).
        normal: turns a continuation into the target the rules give.
    """

    __slots__ = ("_after", "_first", "_found", "bindings", "labels", "machine", "normal", "term")

    def __init__(self, machine: Machine, term: Input, labels: tuple[Label, ...],
                 bindings: tuple[Any, ...], normal: Callable[[Process], Process]) -> None:
        self.machine, self.term, self.normal = machine, term, normal
        self.labels, self.bindings = labels, bindings
        first: dict[Label, int] = {}
        for i, label in enumerate(labels):
            first.setdefault(label, i)
        self._first = first
        self._found: dict[Label, tuple[int, ...]] = {}
        self._after: dict[Event, Any] | None = None  # per event: first channels, labels after

    def __getitem__(self, label: Label) -> tuple[int, ...]:
        found = self._found.get(label)
        if found is None:
            if label not in self._first:
                raise KeyError(label)
            machine = self.machine
            with machine._lock:
                found = self._found[label] = tuple(
                    machine.intern(t) for t in self.continuations(label))
        return found

    def get(self, label: Label, default: Any = None) -> Any:  # Mapping.get catches KeyError: slower
        return self[label] if label in self._first else default

    def __contains__(self, label: object) -> bool:
        return label in self._first

    def __iter__(self) -> Iterator[Label]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def _bindings(self, label: Label) -> list[Any]:
        if len(self._first) == len(self.labels):  # every label once
            return [self.bindings[self._first[label]]]
        return [b for lab, b in zip(self.labels, self.bindings, strict=True) if lab == label]

    def continuations(self, label: Label) -> list[Process]:
        """The targets of ``label`` as terms, in the canonical order (by printed term)."""
        site, captured, normal = self.term.site, self.term.captured, self.normal
        try:
            found = [normal(site.followed(captured, b)) for b in self._bindings(label)]
        except (ProcalgError, RecursionError):
            self.machine.workflow.system.successors(self.term)  # the error as the rules say it
            raise
        if len(found) > 1:
            found.sort(key=str)  # the canonical order of decide.targets
        return found

    def _entry(self, event: Event) -> list[Any]:
        memo = self._after
        if memo is None:
            memo = self._after = {}
        entry = memo.get(event)
        if entry is None:
            entry = memo[event] = [_starts(self.term.site.firsts, self._bindings(event)), None]
        return entry

    def follows(self, event: Event, channel: str) -> bool:
        """False when some continuation of ``event`` cannot start with ``channel``."""
        allowed = self._entry(event)[0]
        return allowed is None or channel in allowed

    def after(self, event: Event, other: Event) -> bool:
        """Whether ``other`` is offered in every state ``event`` leads to; False without
        evaluating them when some continuation cannot start with ``other``'s channel."""
        entry = self._entry(event)
        allowed = entry[0]
        if allowed is not None and other.channel not in allowed:
            return False
        if entry[1] is None:
            successors = self.machine.workflow.system.successors
            entry[1] = frozenset.intersection(*[
                frozenset(lab for lab, _ in successors(t)) for t in self.continuations(event)])
        return other in entry[1]

    def forget_after(self) -> None:
        """Drop what :meth:`after` remembered (the batch it served is cached)."""
        self._after = None


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
        self._terms: list[Process] = []
        self._nodes: list[Node | None] = []
        self._calls: dict[int, tuple[Call, ...]] = {}
        self._start: int | None = None
        self._lock = threading.RLock()
        self._normal: Any = _UNSET  # see _normaliser: found on the first input state
        self._kinds: dict[Any, ChannelKind] = {}
        self._labels: dict[Label, Label] = {}

    def __len__(self) -> int:
        """The number of states interned so far."""
        return len(self._terms)

    def initial(self) -> int:
        """The id of the initial state (the normalised process)."""
        if self._start is None:
            self._start = self.intern(self.workflow.system.initial_state())
        return self._start

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

    def term(self, sid: int) -> Process:
        """The term of state ``sid``."""
        return self._terms[sid]

    def node(self, sid: int) -> Node:
        """State ``sid`` compiled (on the first call for it)."""
        node = self._nodes[sid]
        if node is None:
            with self._lock:
                node = self._nodes[sid]
                if node is None:
                    node = self._nodes[sid] = self._compile(self._terms[sid])
        return node

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
                    targets = node.targets
                    if type(targets) is InputTargets:
                        found = tuple(choose(self.kind, node.labels, targets.after,
                                             targets.follows))
                        targets.forget_after()  # fewer objects kept: less for the GC to walk
                    else:
                        found = tuple(choose(self.kind, node.labels,
                                             offered_after(self.workflow, node.moves)))
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

    def _compile(self, term: Process) -> Node:
        if type(term) is Input and term.site.offer is not None:
            node = self._compile_input(term)
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

    def _node(self, term: Process, moves: Moves, targets: Mapping[Label, tuple[int, ...]],
              labels: Sequence[Label]) -> Node:
        kind = self.kind
        kinds = {label: kind(label) for label in labels}
        internal = [label for label, kind in kinds.items() if kind is ChannelKind.INTERNAL]
        return Node(
            term=term,
            moves=moves,
            targets=targets,
            internal=min(internal, key=internal_key) if internal else None,
            channels=frozenset(lab.channel for lab in kinds if isinstance(lab, Event)),
            timers=tuple(sorted({lab.channel for lab, kind in kinds.items()
                                 if kind is ChannelKind.TIMER})),
            signals=tuple(sorted((lab for lab in labels
                                  if isinstance(lab, Event) and kinds[lab] is ChannelKind.SIGNAL),
                                 key=sort_key)),
            labels=tuple(labels),
        )

    def _compile_input(self, term: Input) -> Node | None:
        """An input state from its events, each continuation evaluated when first needed
        (None: the system is not the term rules, or the events are not plain)."""
        if self._normal is _UNSET:
            self._normal = _normaliser(self.workflow.system)
        normal = self._normal
        if normal is None:
            return None
        site, captured = term.site, term.captured
        try:
            labels, bindings = site.offer(captured)  # type: ignore[misc]
        except (ProcalgError, RecursionError):
            return None  # the rules report it, with the model's diagnostics
        if THROW_EVENT in labels:
            return None  # saga.aborting would rewrite it
        shared = self._labels  # c.i.v recurs in the states of other runs: keep one of each
        labels = tuple([shared.setdefault(label, label) for label in labels])
        targets = InputTargets(self, term, labels, bindings, normal)
        return self._node(term, LazyMoves(targets), targets, labels)


def _starts(firsts: Callable[[Any], frozenset[str] | None] | None,
            bindings: list[Any]) -> frozenset[str] | None:
    """The channels every continuation of ``bindings`` whose first channels are known may
    start with (an event of another channel is not offered after all of them), or None."""
    known = [] if firsts is None else [c for c in map(firsts, bindings) if c is not None]
    return frozenset.intersection(*known) if known else None


def _normaliser(system: Any) -> Callable[[Process], Process] | None:
    """How ``system`` turns a continuation into the target its successors give
    (the rules' normal form; child runs made opaque), or None for another system."""
    from procalg.semantics.child import OpaqueChildren, opaque  # imports the syntax (lark)

    if isinstance(system, OpaqueChildren):
        inner = _normaliser(system.system)
        return None if inner is None else (lambda term: opaque(inner(term)))
    rules = getattr(system, "rules", None)
    normalise = getattr(rules, "normalise", None)
    return normalise if callable(normalise) else None
