"""Input states compiled from their events: a continuation is evaluated when taken.

A state that is an input prefix (``fetch!i?v -> store!i!v -> ...``, where a
data-carrying workflow usually waits) offers one event per value the input
accepts, and the term rules evaluate one continuation per event to give its
moves. A run takes one of them. :func:`input_targets` compiles such a state
from its events and their bindings alone
(:meth:`~procalg.terms.input.InputSite.offer`): :class:`InputTargets`
evaluates a label's continuation the first time a run (or a replayed history)
takes it, and the diamond test of :mod:`~procalg.runtime.units` asks
:meth:`InputTargets.follows` first, which rules a pair of events out by the
channels a continuation can start with (``store`` after ``fetch``) without
evaluating it. This is the lazy successor generation of on-the-fly model
checking (Holzmann, *The SPIN Model Checker*, 2003, ch. 8) applied to one
state's transitions. Cost: the events and bindings, O(values), and one
continuation per event taken; the full moves (:class:`LazyMoves`) are the
term rules' own, computed only if something iterates them.

Example:
    >>> from procalg.api import run as api
    >>> from procalg.api.model import loads
    >>> from procalg.runtime.machine import Machine
    >>> from procalg.runtime.workflow import Workflow
    >>> from procalg.semantics.system import TermSystem
    >>> from procalg.terms import Event
    >>> model = loads("activity c, d : {0..2} never fails\\nP = c?x -> d!x -> P")
    >>> wf = api.workflow(model, "P")
    >>> rules = TermSystem(wf.system.term, wf.system.rules)  # the term path: no compiled states
    >>> machine = Machine(Workflow(rules, wf.channels))
    >>> node = machine.node(machine.initial())
    >>> type(node.targets).__name__, len(node.moves), len(machine)
    ('InputTargets', 3, 1)
    >>> [str(machine.term(t)) for t in node.targets[Event("c", (1,))]], len(machine)
    (['d.1 -> P'], 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from procalg.errors import ProcalgError
from procalg.terms.input import Input
from procalg.terms.process import Process
from procalg.terms.saga import THROW_EVENT
from procalg.terms.values import Event, Label

if TYPE_CHECKING:
    from procalg.runtime.machine import Machine


def input_targets(machine: Machine, term: Input, normal: Callable[[Process], Process],
                  shared: dict[Label, Label]) -> InputTargets | None:
    """The lazy targets of input state ``term``, or None if its site cannot offer
    without expanding, offering raises (the rules then report it), or a label is
    ``throw`` (which the rules would rewrite).

    ``shared`` keeps one object per distinct label: ``c.i.v`` recurs in the
    states of other runs, and fewer objects kept is less for the GC to walk.
    """
    site = term.site
    if site.offer is None:
        return None
    try:
        labels, bindings = site.offer(term.captured)
    except (ProcalgError, RecursionError):
        return None
    if THROW_EVENT in labels:
        return None
    labels = tuple([shared.setdefault(label, label) for label in labels])
    return InputTargets(machine, term, labels, bindings, normal)


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


class LazyTargets(Mapping[Label, tuple[int, ...]]):
    """A state's target ids per label, each label's continuations evaluated and
    interned when first asked (a subclass says how: :meth:`continuations`).

    ``_keys`` holds the state's labels as keys; ``_found`` the answers so far.
    """

    __slots__ = ("_found", "_keys", "machine")

    def __init__(self, machine: Machine, keys: Mapping[Label, Any]) -> None:
        self.machine = machine
        self._keys = keys
        self._found: dict[Label, tuple[int, ...]] = {}

    def continuations(self, label: Label) -> list[Process]:
        raise NotImplementedError

    def __getitem__(self, label: Label) -> tuple[int, ...]:
        found = self._found.get(label)
        if found is None:
            if label not in self._keys:
                raise KeyError(label)
            with self.machine._lock:
                found = self._found[label] = self.make(label)
        return found

    def make(self, label: Label) -> tuple[int, ...]:
        """The target ids of ``label`` (under the machine's lock): its
        :meth:`continuations` interned, unless a subclass makes them another way."""
        machine = self.machine
        return tuple(machine.intern(t) for t in self.continuations(label))

    def get(self, label: Label, default: Any = None) -> Any:  # Mapping.get catches KeyError: slower
        found = self._found.get(label)  # a step through a known state: one look-up
        if found is not None:
            return found
        return self[label] if label in self._keys else default

    def __contains__(self, label: object) -> bool:
        return label in self._keys

    def __iter__(self) -> Iterator[Label]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class InputTargets(LazyTargets):
    """An input state's target ids per label, each label's evaluated when first asked.

    Args:
        machine: the machine that interns the targets.
        term: the input state.
        labels: its labels, and ``bindings``, the binding of each
            (:meth:`~procalg.terms.input.InputSite.offer`).
        normal: turns a continuation into the target the rules give.
    """

    __slots__ = ("_after", "_first", "bindings", "labels", "normal", "term")

    def __init__(self, machine: Machine, term: Input, labels: tuple[Label, ...],
                 bindings: tuple[Any, ...], normal: Callable[[Process], Process]) -> None:
        self.term, self.normal = term, normal
        self.labels, self.bindings = labels, bindings
        first: dict[Label, int] = {}
        for i, label in enumerate(labels):
            first.setdefault(label, i)
        self._first = first
        super().__init__(machine, first)
        self._after: dict[Event, Any] | None = None  # per event: first channels, labels after

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
            entry = memo[event] = [starts(self.term.site.firsts, self._bindings(event)), None]
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


def starts(firsts: Callable[[Any], frozenset[str] | None] | None,
            bindings: list[Any]) -> frozenset[str] | None:
    """The channels every continuation of ``bindings`` whose first channels are known may
    start with (an event of another channel is not offered after all of them), or None."""
    known = [] if firsts is None else [c for c in map(firsts, bindings) if c is not None]
    return frozenset.intersection(*known) if known else None


def normaliser(system: Any) -> Callable[[Process], Process] | None:
    """How ``system`` turns a continuation into the target its successors give
    (the rules' normal form; child runs made opaque), or None for another system."""
    from procalg.semantics.child import OpaqueChildren, opaque  # imports the syntax (lark)

    if isinstance(system, OpaqueChildren):
        inner = normaliser(system.system)
        return None if inner is None else (lambda term: opaque(inner(term)))
    rules = getattr(system, "rules", None)
    normalise = getattr(rules, "normalise", None)
    return normalise if callable(normalise) else None
