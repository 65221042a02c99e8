"""What the two bulk determinism searches share: their outcome and moves on codes.

:mod:`procalg.lts.normal_product` builds the normal form level by level,
:mod:`procalg.lts.determinism_pairs` searches pairs of states; both answer
with one :class:`Determinism`, read a network's moves through
:func:`moves_exploring` (a lazily explored component's states explored as
they are met; a component that outgrows its digits restarts the search with
:class:`Regrown`), and τ-close sets with :func:`tau_tables`' τ-rules alone.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> tables = Tables(close(component(LTS.build(2, 0, ["a"], [(0, "a", 1)]))))
    >>> src, dst, lab = moves_exploring(tables, tables.layout.cast([0]))
    >>> [tables.labels[x] for x in lab.tolist()]
    ['a']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lts import TAU
from procalg.lts.network import Network
from procalg.lts.vectors import Tables

Moves = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray, np.ndarray]"]
Levels = Generator[None, None, "Determinism"]
"""A search that yields after each BFS level and returns its outcome."""


@dataclass(frozen=True, slots=True)
class Determinism:
    """The outcome of a bulk determinism search.

    Attributes:
        kind: ``None`` (deterministic), ``"clash"`` or ``"divergence"``.
        trace: the trace leading to the failing node.
        event: for a clash, the first event (by name) accepted and refused there
            (the paths shown are :mod:`procalg.checks.determinism_paths`', found on
            the codes afterwards).
        nodes, states, transitions, levels: how much was built and explored.
        pairs: pairs of states searched (0: no pair search ran).
        method: which search answered: ``"screen"``
            (:mod:`procalg.lts.determinism_screen`; ``nodes`` is then 0: no
            normal form was built), ``"normal form"`` or ``"pairs"``.
        peak_bytes: the search's largest arrays at once (an estimate).
        tables: the network's tables (to rebuild paths through its codes).
    """

    kind: str | None
    trace: tuple[str, ...] = ()
    event: str | None = None
    nodes: int = 0
    states: int = 0
    transitions: int = 0
    levels: int = 0
    peak_bytes: int = 0
    pairs: int = 0
    method: str = "normal form"
    tables: Tables | None = field(default=None, compare=False)


class Regrown(Exception):
    """A lazy component outgrew its digits: every code changes (``recode``)."""

    def __init__(self, recode: Callable[[np.ndarray], np.ndarray]) -> None:
        super().__init__("codes grew")
        self.recode = recode


def moves_exploring(tables: Tables, codes: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The moves of ``codes`` (index into ``codes``, target, label index), their
    lazy components' local states explored first.

    Raises:
        Regrown: a component outgrew its digits (the search restarts).
    """
    if tables.lazy:
        recode = tables.expand(codes)
        if recode is not None:
            raise Regrown(recode)
    return tables.successors(codes)


def tau_tables(tables: Tables) -> Tables | None:
    """Tables of the τ-rules alone, on the same codes (τ-closure fires only
    those, not every rule), or ``None`` where the codes could differ (lazy)."""
    if tables.lazy:
        return None
    net = tables.network
    taus = Tables(Network(net.components, tuple(r for r in net.rules if r.label == TAU),
                          net.notes, net.loose, net.scopes))
    same = (taus.layout.radix, taus.layout.stride) == (tables.layout.radix, tables.layout.stride)
    return taus if same else None


def tau_moves(tables: Tables, taus: Tables | None) -> Moves:
    """The τ-moves of codes by ``taus`` (all moves, without τ-only tables)."""
    if taus is None:
        return lambda codes: moves_exploring(tables, codes)
    return taus.successors


def traced(links: list[tuple[np.ndarray, np.ndarray]], labels: tuple[str, ...] | list[str],
           level: int, pos: int) -> tuple[str, ...]:
    """The trace to entry ``pos`` of ``level``, read back through each level's
    (parent position, label) links: the normal form's and the pairs' searches
    keep the same links.

    Example:
        >>> links = [(np.array([0]), np.array([2])), (np.array([0, 0]), np.array([3, 2]))]
        >>> traced(links, ("τ", "✓", "a", "b"), 2, 0)
        ('a', 'b')
    """
    out = []
    for parents, named in reversed(links[:level]):
        out.append(labels[int(named[pos])])
        pos = int(parents[pos])
    return tuple(reversed(out))


class Race:
    """Searches stepped a level at a time, each step given to the one that
    would reach one level past the deepest search soonest, until one answers.

    The normal form and the pairs give the same answer at the same depth
    (level ``d`` of each is what traces of length ``d`` reach), at costs no
    cheap count predicts: the normal form's levels grow with the subsets
    reached (up to 2^S), the pairs' with the pairs reached times the square
    of the τ-closures (up to S² · c²). So the measured costs decide: a
    search's way to depth ``D + 1`` (``D`` the deepest level built) is
    estimated as its last level's CPU time times the levels it lacks. A
    normal form whose levels double past the states soon costs more than
    the pairs catching up (the counters' ``reset`` choice: sets of values);
    pairs whose every pair widens to c² (two long hidden chains) never catch
    up with a normal form a level from its answer. A new search's estimate
    is 0 until it has built a level. Costs are the thread's CPU time
    (:func:`time.thread_time`: the check may run in a worker thread, and
    ``process_time`` costs ~10 µs a call here, more than a chain's level).
    Time ``O(1)`` per step.

    Example:
        >>> def counting(n):
        ...     for _ in range(n):
        ...         yield
        ...     return Determinism(None, levels=n)
        >>> race = Race({"normal form": counting(3)})
        >>> race.step() is None, race.depth  # one step taken, no answer yet
        (True, {'normal form': 1})
        >>> name, found = race.run()
        >>> name, found.levels
        ('normal form', 3)
    """

    def __init__(self, searches: dict[str, Levels]) -> None:
        self.searches = dict(searches)
        self.last = dict.fromkeys(searches, 0.0)  # CPU seconds of each one's last level
        self.depth = dict.fromkeys(searches, 0)  # levels each one has built

    def enter(self, name: str, levels: Levels) -> None:
        """Start another search (it runs next: no level of it has cost anything yet)."""
        self.searches[name], self.last[name], self.depth[name] = levels, 0.0, 0

    def step(self) -> tuple[str, Determinism] | None:
        """One level of the cheapest search; its name and outcome once it answers.

        Raises:
            LimitExceeded: the last search running hit its limit (one of two
                that does is dropped: the other may still answer).
        """
        target = max(self.depth.values()) + 1
        name = min(self.last, key=lambda n: self.last[n] * (target - self.depth[n]))
        started = time.thread_time()
        try:
            next(self.searches[name])
        except StopIteration as done:
            return name, done.value
        except LimitExceeded:
            if len(self.searches) == 1:
                raise
            del self.searches[name], self.last[name], self.depth[name]
            return None
        self.last[name] = time.thread_time() - started
        self.depth[name] += 1
        return None

    def run(self) -> tuple[str, Determinism]:
        """Step until a search answers."""
        while (answered := self.step()) is None:
            pass
        return answered
