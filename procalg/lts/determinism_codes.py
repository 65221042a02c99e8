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

import math
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lts import TAU
from procalg.lts.network import Network
from procalg.lts.vectors import Tables

GROW_AFTER = 6
"""Levels a search builds before its growth is read (the first ones' says little)."""

Moves = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray, np.ndarray]"]
Levels = Generator[int, None, "Determinism"]
"""A search that yields, before each BFS level, that level's work (its
frontier's entries: the race scales costs by it), and returns its outcome."""


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
        dropped: searches the race let go before the answer (clearly behind,
            or past their limit), their memory freed.
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
    dropped: tuple[str, ...] = ()


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


@dataclass(slots=True)
class _Pace:
    """What the race knows of one search: its levels built and what they cost."""

    levels: Levels
    depth: int = 0  # levels built
    cost: list[float] = field(default_factory=list)  # CPU seconds of its last two levels
    done: list[int] = field(default_factory=list)  # their work
    ahead: int = 1  # the next level's work
    floor: float = math.inf  # CPU seconds of its cheapest level: the fixed part of each

    def built(self, seconds: float, ahead: int) -> None:
        """Record a level built in ``seconds``, the next one of work ``ahead``."""
        self.depth += 1
        self.floor = min(self.floor, seconds)
        if self.depth > 1:  # (the first step is the set-up: the start's closure)
            self.cost, self.done = [*self.cost[-1:], seconds], [*self.done[-1:], self.ahead]
        self.ahead = max(1, ahead)

    def estimate(self, target: int, *, grow: bool = True) -> float:
        """CPU seconds to build level ``target``.

        A level costs a fixed part (numpy's calls: the cheapest level so far)
        and a part in proportion to its work, at the lesser rate of the last
        two levels (a level's time is noisy, and noise only adds: another
        process's cache misses, fresh pages). With ``grow`` (and
        :data:`GROW_AFTER` levels built: the first levels' growth says
        little), the levels after the next grow as the work last grew, read
        as a power of the depth (work ``∝ d^k``: the pairs' polynomial growth
        slows with depth, the normal form's doubling reads as a large ``k``),
        summed in closed form (the integral of ``(1 + x/m)^k`` around the
        levels lacking, by the midpoint rule); else they cost what the next one does.
        """
        lacking = target - self.depth
        if lacking <= 0 or not self.cost:
            return 0.0
        done, ahead = self.done, self.ahead
        rate = min((c - self.floor) / w for c, w in zip(self.cost, done, strict=True))
        m = self.depth + 1  # the next level's depth
        k = (math.log(ahead / done[-1]) / math.log(m / self.depth)
             if grow and self.depth >= GROW_AFTER else 0.0)
        # sum over i < lacking of (1 + i/m)^k: the integral from -1/2 to lacking - 1/2
        top, bottom = math.log1p((lacking - 0.5) / m), math.log1p(-0.5 / m)
        levels = m * (top - bottom) if abs(k + 1) < 1e-9 else m / (k + 1) * (
            math.exp(min((k + 1) * top, 700.0)) - math.exp((k + 1) * bottom))
        return self.floor * lacking + rate * ahead * levels


class Race:
    """Searches stepped a level at a time, each step given to the one that
    would reach :attr:`HORIZON` levels past the deepest search soonest, until
    one answers; a search clearly behind is let go (its memory freed).

    The normal form and the pairs give the same answer at the same depth
    (level ``d`` of each is what traces of length ``d`` reach), at costs no
    cheap count predicts: the normal form's levels grow with the subsets
    reached (up to 2^S), the pairs' with the pairs reached times the square
    of the τ-closures (up to S² · c²). So the measured costs decide. A
    search yields, before each level, that level's work (its frontier's
    entries); :class:`_Pace` prices its way on from its measured levels: a
    fixed part, a rate per unit of work, and the growth of the work. Three
    levels past the deepest, not one: a normal form one level from the
    target, its levels doubling, looks cheaper than pairs a few levels
    behind though its levels after cost more than all of theirs (``chain``
    of ``benchmarks/determinism_switch.py``: 4.8 s CPU with the last level's
    time times the levels lacking, 3.0 s so, pairs alone 2.5, on a loaded
    machine); pairs whose every pair widens to c² (two long
    hidden chains) read as a steep power and never catch up with a normal
    form a level from its answer. A new search's estimate is 0 until it
    has built a level past its set-up. Costs are the thread's CPU time
    (:func:`time.thread_time`: the check may run in a worker thread, and
    ``process_time`` costs ~10 µs a call here, more than a chain's level).

    Of two searches, both past :data:`GROW_AFTER` levels, one no deeper than
    the other whose way on is more than :attr:`DROP` times the other's (and
    past :attr:`FREE_AFTER` seconds) is let go: its generator closed, so its
    frontier goes, and :func:`~procalg.lts.normal_product.find_nondeterminism`
    drops its visited sets, before the survivor's deeper levels add theirs
    (the peak is then the larger search's, not the sum). A leader is never
    let go for a laggard's cheap first levels. The cost: an estimate read
    wrong leaves the dearer search alone (and with a limit on states, the
    survivor's limit ends the check where the other might have answered).
    :attr:`dropped` names those let go. Time ``O(1)`` per step.

    Example:
        >>> def counting(n):
        ...     for _ in range(n):
        ...         yield 1
        ...     return Determinism(None, levels=n)
        >>> race = Race({"normal form": counting(3)})
        >>> race.step() is None, race.depth  # one step taken, no answer yet
        (True, {'normal form': 1})
        >>> name, found = race.run()
        >>> name, found.levels, race.dropped
        ('normal form', 3, [])
    """

    HORIZON = 3
    """Levels past the deepest search that each search's way on is priced to."""
    DROP = 4.0
    """How many times dearer a search's way on must be for it to be dropped."""
    FREE_AFTER = 0.05
    """CPU seconds below which a search's way on is too cheap to drop it for."""

    def __init__(self, searches: dict[str, Levels]) -> None:
        self.paces: dict[str, _Pace] = {}
        self.dropped: list[str] = []
        for name, levels in searches.items():
            self.enter(name, levels)

    @property
    def searches(self) -> dict[str, Levels]:
        """The searches running, by name."""
        return {name: pace.levels for name, pace in self.paces.items()}

    @property
    def depth(self) -> dict[str, int]:
        """Levels each running search has built."""
        return {name: pace.depth for name, pace in self.paces.items()}

    def enter(self, name: str, levels: Levels) -> None:
        """Start another search (it runs next: no level of it has cost anything yet)."""
        self.paces[name] = _Pace(levels)

    def step(self) -> tuple[str, Determinism] | None:
        """One level of the cheapest search; its name and outcome once it answers.

        Raises:
            LimitExceeded: the last search running hit its limit (one of two
                that does is dropped: the other may still answer).
        """
        name = next(iter(self.paces))
        if len(self.paces) > 1:  # (one alone: no pricing, a deep chain's levels are µs)
            target = max(p.depth for p in self.paces.values()) + self.HORIZON
            name = min(self.paces, key=lambda n: (self.paces[n].estimate(target),
                                                  self.paces[n].depth))  # ties: the laggard
        pace = self.paces[name]
        started = time.thread_time()
        try:
            ahead = next(pace.levels)
        except StopIteration as done:
            return name, done.value
        except LimitExceeded:
            if len(self.paces) == 1:
                raise
            self._drop(name)
            return None
        pace.built(time.thread_time() - started, ahead or 1)
        self._drop_behind()
        return None

    def _drop_behind(self) -> None:
        """Let go a search no deeper than the other whose way on is clearly
        dearer (both past :data:`GROW_AFTER` levels: their growth read)."""
        if len(self.paces) != 2 or min(p.depth for p in self.paces.values()) < GROW_AFTER:
            return
        target = max(p.depth for p in self.paces.values()) + self.HORIZON
        cost = {n: p.estimate(target) for n, p in self.paces.items()}
        slow, fast = sorted(cost, key=cost.__getitem__, reverse=True)
        if (self.paces[slow].depth <= self.paces[fast].depth and cost[slow] > self.FREE_AFTER
                and cost[slow] > self.DROP * cost[fast]):
            self.paces[slow].levels.close()
            self._drop(slow)

    def _drop(self, name: str) -> None:
        del self.paces[name]
        self.dropped.append(name)

    def run(self) -> tuple[str, Determinism]:
        """Step until a search answers."""
        while (answered := self.step()) is None:
            pass
        return answered
