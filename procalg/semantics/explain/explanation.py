"""Counterexamples projected onto parallel components, like FDR's debugger.

:func:`explain` replays a check's path through the firing rules
(:mod:`~procalg.semantics.explain.replay`), splits every state it passes
into components (:mod:`~procalg.semantics.explain.components`), follows
each component from the state it appears in to the one it ends or
terminates in, and analyses the end state
(:mod:`~procalg.semantics.explain.ending`): what each component offers, and
which events a parallel operator holds back and why.

Complexity: as the replay, plus O(c) per step for c components.

Example:
    >>> from procalg.semantics.sos import Rules
    >>> from procalg.terms import Event, Parallel, Prefix, STOP
    >>> a, b, c = Event("a"), Event("b"), Event("c")
    >>> left = Prefix(c, Prefix(a, Prefix(b, STOP)))
    >>> term = Parallel(left, Prefix(b, Prefix(a, STOP)), frozenset({a, b}))
    >>> ex = explain(Rules(None), term, ("c",), goal=lambda moves: not moves)
    >>> ex.steps, ex.columns
    (('c',), (('c', None),))
    >>> [(x.name, x.trace, x.offers) for x in ex.components]
    [('c -> a -> b -> STOP', ('c',), ('a',)), ('b -> a -> STOP', (), ('b',))]
    >>> [(x.event, x.blocked_by, x.reason) for x in ex.blocked]
    [('a', ('b -> a -> STOP',), 'waits'), ('b', ('c -> a -> b -> STOP',), 'waits')]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from procalg.lts import TAU
from procalg.semantics.explain import replay
from procalg.semantics.explain.components import Position, Structure
from procalg.semantics.explain.ending import Blocked, Ending, saga_notes
from procalg.semantics.sos import Label, Rules
from procalg.terms import Omega, Process, show_process

Goal = Callable[[list[tuple[Label, Process]]], bool]
"""Picks the end state that shows the failure, from its ``(label, target)`` moves."""


@dataclass(frozen=True)
class Component:
    """One component's part in the counterexample.

    Attributes:
        name: the call it is the unfolding of when it appears (``Phil(3)``), ``step a``
            for a saga step, else its term.
        trace: the events it took part in, its own names (hidden ones too).
        offers: the events it offers at the end (sorted, ✓ included; none if gone).
        stable: whether it has no internal move at the end.
        final: its term at the end (or when it ended).
        span: the first and last state it exists in (state k is before step k);
            columns outside the span are steps when it did not exist.
        alive: whether it exists at the end.
    """

    name: str
    trace: tuple[str, ...]
    offers: tuple[str, ...]
    stable: bool
    final: str
    span: tuple[int, int] = (0, 0)
    alive: bool = True


@dataclass(frozen=True)
class Explanation:
    """A counterexample attributed to components.

    Attributes:
        steps: the system's labels along the path (τ included).
        columns: per step, what each component did (its label, or ``None``).
        components: in order of appearance (tree order among those that
            appear together).
        blocked: events offered at the end that a parallel operator holds back.
        cycle_steps, cycle_columns: a τ-cycle at the end (divergence), same shape;
            spans count its steps after the path's.
        exact: whether the check's exact path replayed (else its visible trace did).
        notes: what the path's saga events say (which step was stranded, ...).
    """

    steps: tuple[str, ...]
    columns: tuple[tuple[str | None, ...], ...]
    components: tuple[Component, ...]
    blocked: tuple[Blocked, ...] = ()
    cycle_steps: tuple[str, ...] = ()
    cycle_columns: tuple[tuple[str | None, ...], ...] = ()
    exact: bool = True
    notes: tuple[str, ...] = ()


def explain(rules: Rules, term: Process, path: Sequence[str], *,
            goal: Goal | None = None, exact: bool = True, cycle: bool = False,
            max_terms: int = 200_000,
            names: Mapping[Process, str] | None = None) -> Explanation:
    """Replay ``path`` from ``term`` and attribute it to the components.

    Args:
        rules: the firing rules of the model (``spec.rules()``).
        term: the process of the check (not yet normalised).
        path: label names; τ included when ``exact``, else visible events only.
        goal: picks the end state that shows the failure, from its moves.
        exact: ``path`` spells every step; if it does not replay, the
            visible trace is replayed weakly.
        cycle: also find a τ-cycle from the end (divergence).
        max_terms: bound on the terms the weak replay visits.
        names: components' names beyond unfolded calls (a saga's expanded
            definitions: ``IT`` rather than its compensable term).

    Raises:
        ProcalgError: the path cannot be replayed.
    """
    structure = Structure(rules, names)
    moves = structure.moves
    start = rules.normalise(term)

    def accept(end: Process) -> bool:
        if cycle and not replay.tau_cycle(moves, end):
            return False
        return goal is None or goal([(lab, t) for lab, t, _ in moves(end)])

    found = replay.strict(moves, start, path, accept) if exact else None
    if found is None:
        visible = [x for x in path if x != TAU]
        found = replay.weak(moves, start, visible, accept, max_terms)
        exact = False
    end = found[-1][2] if found else start
    loop = replay.tau_cycle(moves, end) if cycle else []
    story = _Tracker(structure, start)
    for step in (*found, *loop):
        story.step(*step)
    return story.explanation(found, loop, exact)


class _Tracker:
    """Follows the components along a path: who did what, who appeared and ended when."""

    def __init__(self, structure: Structure, start: Process) -> None:
        self.structure, self.term, self.steps = structure, start, 0
        self.names: list[str] = []
        self.born: list[Process] = []
        self.spans: list[list[int]] = []
        self.finals: list[Process] = []
        self.cells: list[list[str | None]] = []
        self.here: dict[Position, int] = {}  # position in the current term -> component
        self._arrive(start, {})

    def _arrive(self, term: Process, carried: dict[Position, int]) -> None:
        here: dict[Position, int] = {}
        for at, leaf in self.structure.leaves(term):
            number = carried.get(at)
            if number is None:
                if type(leaf) is Omega:
                    continue  # a place holder (a network's Ω leaf), never a component
                number = len(self.names)
                self.names.append(self.structure.name(leaf))
                self.born.append(leaf)
                self.spans.append([self.steps, self.steps])
                self.finals.append(leaf)
            here[at], self.spans[number][1], self.finals[number] = number, self.steps, leaf
        self.here = here

    def step(self, label: Label, blame: tuple, target: Process) -> None:
        cells: list[str | None] = [None] * len(self.names)
        for at, own in blame:
            if at in self.here:
                cells[self.here[at]] = str(own)
        self.cells.append(cells)
        kept = self.structure.carry(self.term, target, blame)
        self.steps += 1
        self.term = target
        self._arrive(target, {to: self.here[at] for to, at in kept.items() if at in self.here})

    def explanation(self, found: replay.Path, loop: replay.Path, exact: bool) -> Explanation:
        width = len(self.names)
        columns = tuple(tuple(c + [None] * (width - len(c))) for c in self.cells)
        end, labels = self.term, [str(lab) for lab, _, _ in (*found, *loop)]
        at_end = {n: at for at, n in self.here.items()}
        comps = []
        for n, name in enumerate(self.names):
            own = tuple(c[n] for c in columns if c[n] is not None and c[n] != TAU)
            alive = n in at_end
            moves = [lab for lab, _ in self.structure.rules.transitions(self.finals[n])]
            offers = tuple(sorted(str(x) for x in moves if x != TAU)) if alive else ()
            comps.append(Component(name, own, offers, TAU not in moves or not alive,
                                   show_process(self.finals[n]), tuple(self.spans[n]), alive))
        blocked = Ending(self.structure).blocked(
            end, {at: self.names[n] for at, n in self.here.items()},
            {at: self.born[n] for at, n in self.here.items()})
        return Explanation(
            steps=tuple(labels[:len(found)]), columns=columns[:len(found)],
            components=tuple(comps), blocked=tuple(blocked),
            cycle_steps=tuple(labels[len(found):]), cycle_columns=columns[len(found):],
            exact=exact, notes=tuple(saga_notes(labels)))
