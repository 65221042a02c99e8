"""Breadth-first exploration of a :class:`TransitionSystem`, on the fly or into an :class:`LTS`.

:class:`Exploration` numbers states as it discovers them and keeps, per
state, its parent, the label that led there and its BFS level (three
``array('i')`` columns), so a shortest path to any state can be rebuilt.
Iterating it expands states in BFS order and yields each state's outgoing
edges, so a check can stop at the first counterexample; :func:`explore` is
the same iteration with every edge recorded. Iterative throughout (no
recursion limit); ``max_states`` stops cleanly and says how far it got.

Complexity: O(S + T) successor calls and dictionary operations for S
states and T transitions; O(S) integers of bookkeeping on top of the states.

Example:
    >>> class Counter:
    ...     def initial_state(self): return 0
    ...     def successors(self, n): return [("inc", (n + 1) % 3)]
    >>> lts = explore(Counter())
    >>> lts.num_states, lts.num_transitions
    (3, 3)
    >>> walk = Exploration(Counter())
    >>> [n for n, edges in walk]
    [0, 1, 2]
    >>> walk.trace_to(2)
    ('inc', 'inc')
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK, TransitionSystem

Edges = list[tuple[int, int]]
"""Outgoing transitions of one state as ``(label code, target number)``."""

BATCH_MIN = 16
"""Fewest states left to expand that a compiled machine's batch function makes at
once (:mod:`procalg.semantics.linear_vector`); fewer are expanded one by one."""


class ExplicitSystem:
    """An :class:`LTS` seen as a :class:`TransitionSystem` (labels by name).

    Example:
        >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1)])
        >>> list(ExplicitSystem(lts).successors(0))
        [('a', 1)]
    """

    def __init__(self, lts: LTS) -> None:
        self.lts = lts

    def initial_state(self) -> int:
        return self.lts.initial

    def successors(self, state: int) -> Iterable[tuple[str, int]]:
        names = self.lts.labels
        return [(names[lab], dst) for lab, dst in self.lts.successors(state)]


def as_system(system: TransitionSystem[Any] | LTS) -> TransitionSystem[Any]:
    """Accept an :class:`LTS` wherever a :class:`TransitionSystem` is expected.

    Example:
        >>> lts = LTS.build(1, 0, [], [])
        >>> isinstance(as_system(lts), ExplicitSystem)
        True
    """
    return ExplicitSystem(system) if isinstance(system, LTS) else system


class Exploration:
    """Breadth-first, on-the-fly exploration with shortest-path bookkeeping.

    States get numbers in discovery order. Iterating the object expands them
    in that order (so numbers are BFS order and parent links give shortest
    paths, counted in transitions, τ included). :meth:`successors` expands a
    state out of order and caches its edges, for searches that are not BFS
    over states (normalisation, trace products); parents are then still real
    paths, just not necessarily shortest.

    Attributes:
        system: what is explored.
        states: the system's states, by number.
        labels: label names by code; τ is 0 and ✓ is 1.
        parent, via, level: per state, its discoverer, the label code of the
            discovering transition (-1 for the initial state) and its depth.
        transitions: transitions seen so far (edges of expanded states).
        expanded: states expanded so far by iteration.

    Example:
        >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (1, "a", 2), (0, "b", 2)])
        >>> walk = Exploration(lts)
        >>> [(n, walk.edge_names(e)) for n, e in walk]
        [(0, [('τ', 1), ('b', 2)]), (1, [('a', 2)]), (2, [])]
        >>> walk.trace_to(2), walk.full_path_to(2), walk.path_states(2)
        (('b',), ('b',), (0, 2))
    """

    def __init__(self, system: TransitionSystem[Any] | LTS, *,
                 max_states: int | None = None) -> None:
        self.system = as_system(system)
        self.max_states = max_states
        self.states: list[Any] = []
        self.index: dict[Any, int] = {}
        self.labels: list[str] = [TAU, TICK]
        self._codes: dict[Any, int] = {TAU: 0, TICK: 1}
        self._by_name: dict[str, int] = {TAU: 0, TICK: 1}
        self.parent, self.via, self.level = array("i"), array("i"), array("i")
        self.transitions = 0
        self.expanded = 0
        self._cache: dict[int, Edges] = {}
        # a compiled machine's batch next-state function (procalg.semantics.linear_vector):
        # the moves of every discovered state made at once, numbered one state at a time;
        # asked for only once a frontier is wide enough to batch (making it enumerates
        # a static input's offers: 200,000 of them for a one-state wide leaf that
        # never batches, a third of its whole exploration)
        vector = getattr(self.system, "vector", None)
        self._make_vector: Callable[[], Any] | None = vector if callable(vector) else None
        self._vector: Any = None
        self._made: dict[int, list[tuple[str, Any]]] = {}
        self._add(self.system.initial_state(), -1, -1)

    @property
    def num_states(self) -> int:
        """States discovered so far."""
        return len(self.states)

    def code(self, label: Any) -> int:
        """The label code of ``label`` (a name or an object whose ``str`` is one)."""
        code = self._codes.get(label)
        if code is None:
            name = label if isinstance(label, str) else str(label)
            code = self._by_name.get(name)
            if code is None:
                code = self._by_name[name] = len(self.labels)
                self.labels.append(name)
            self._codes[label] = code
        return code

    def expand(self, number: int) -> Edges:
        """Call the system's successor function on state ``number``, numbering new targets.

        Raises:
            LimitExceeded: a new state would exceed ``max_states``.
        """
        edges: Edges = []
        index, code = self.index, self.code
        made = self._made.pop(number, None) if self._made else None
        if made is None and (self._vector or self._make_vector) is not None \
                and number not in self._cache and len(self.states) - number >= BATCH_MIN:
            made = self._prefetch(number)
        for label, target in made if made is not None else \
                self.system.successors(self.states[number]):
            lab = code(label)
            found = index.get(target)
            if found is None:
                found = self._add(target, number, lab)
            edges.append((lab, found))
        self.transitions += len(edges)
        return edges

    def _prefetch(self, number: int) -> list[tuple[str, Any]] | None:
        """The moves of ``number`` and of every later discovered state, made by the
        batch function (kept for their own expansion); None if it raises: then each
        state's own expansion raises, when (and if) the walk gets there."""
        if self._vector is None:  # the first frontier wide enough: made now, once
            assert self._make_vector is not None
            self._vector, self._make_vector = self._make_vector(), None
            if self._vector is None:
                return None
        todo = [n for n in range(number, len(self.states)) if n not in self._cache]
        if self.max_states is not None:  # no more than the walk can expand before its limit
            fan = max(1.0, (len(self.states) - 1) / max(1, number))  # new states per state
            todo = todo[:max(16, int((self.max_states - len(self.states)) / fan) + 1)]
        try:
            pos, lab, dst = self._vector.batch([self.states[n] for n in todo])  # type: ignore[union-attr]
        except ProcalgError:
            self._vector = None
            return None
        names = self._vector.labels  # type: ignore[union-attr]
        labels, targets = [names[i] for i in lab.tolist()], dst.tolist()
        cuts = np.searchsorted(pos, np.arange(len(todo) + 1)).tolist()
        for i, n in enumerate(todo):
            self._made[n] = list(zip(labels[cuts[i]:cuts[i + 1]], targets[cuts[i]:cuts[i + 1]],
                                     strict=True))
        return self._made.pop(number)

    def successors(self, number: int) -> Edges:
        """Like :meth:`expand`, but each state is expanded at most once (cached)."""
        edges = self._cache.get(number)
        if edges is None:
            edges = self._cache[number] = self.expand(number)
        return edges

    def __iter__(self) -> Iterator[tuple[int, Edges]]:
        """Expand states in BFS order, yielding ``(number, edges)``; stop when you like."""
        while self.expanded < len(self.states):
            number = self.expanded
            edges = self._cache.get(number)
            if edges is None:
                edges = self.expand(number)
            self.expanded += 1
            yield number, edges

    def _add(self, state: Any, parent: int, via: int) -> int:
        number = len(self.states)
        if self.max_states is not None and number >= self.max_states:
            depth = self.level[parent] if parent >= 0 else 0
            raise LimitExceeded(
                f"state limit reached: more than {self.max_states} states "
                f"({number} states, {self.transitions} transitions, {self.expanded} expanded, "
                f"BFS level {depth})",
                states=number,
                transitions=self.transitions,
                hint="raise --max-states, or make data types smaller",
            )
        self.index[state] = number
        self.states.append(state)
        self.parent.append(parent)
        self.via.append(via)
        self.level.append(self.level[parent] + 1 if parent >= 0 else 0)
        return number

    def path_to(self, number: int) -> list[tuple[int, int]]:
        """The discovery path to ``number`` as ``(label code, state)`` steps, in order."""
        steps = []
        while self.parent[number] >= 0:
            steps.append((self.via[number], number))
            number = self.parent[number]
        steps.reverse()
        return steps

    def trace_to(self, number: int) -> tuple[str, ...]:
        """Visible label names on the path to ``number`` (τ omitted)."""
        return tuple(self.labels[c] for c, _ in self.path_to(number) if c != TAU_INDEX)

    def full_path_to(self, number: int) -> tuple[str, ...]:
        """Label names on the path to ``number``, τ included."""
        return tuple(self.labels[c] for c, _ in self.path_to(number))

    def path_states(self, number: int) -> tuple[int, ...]:
        """State ids (:meth:`state_id`) along :meth:`full_path_to`, the initial state first."""
        return tuple(self.state_id(s) for s in (0, *(s for _, s in self.path_to(number))))

    def state_id(self, number: int) -> int:
        """The number to show a person: the LTS's own state number when exploring an
        explicit LTS, else the exploration number (which :func:`explore` also uses)."""
        return self.states[number] if isinstance(self.system, ExplicitSystem) else number

    def edge_names(self, edges: Edges) -> list[tuple[str, int]]:
        """``edges`` with label codes replaced by names (for messages and tests)."""
        return [(self.labels[c], d) for c, d in edges]


def explore(
    system: TransitionSystem[Any] | LTS,
    *,
    max_states: int | None = None,
    state_name: Callable[[Any], str] | None = None,
) -> LTS:
    """Explore every reachable state of ``system`` breadth-first.

    Args:
        system: what to explore.
        max_states: stop with :class:`LimitExceeded` when more states are found.
        state_name: if given, record ``state_name(state)`` for every state.

    Returns:
        The LTS, states numbered in discovery order (0 is initial).

    Raises:
        LimitExceeded: more than ``max_states`` states; says how far it got.

    Example:
        >>> explore(LTS.build(3, 1, ["a"], [(1, "a", 2)]))
        <LTS 2 states, 1 transitions>
    """
    walk = Exploration(system, max_states=max_states)
    src, lab, dst = array("i"), array("i"), array("i")
    for number, edges in walk:
        for code, target in edges:
            src.append(number)
            lab.append(code)
            dst.append(target)
    names = [state_name(s) for s in walk.states] if state_name else None
    return LTS.from_arrays(walk.num_states, 0, list(walk.labels), src, lab, dst,
                           state_names=names)
