"""``:[has trace]:`` on a compiled network: a walk that only follows the trace.

The search of :func:`procalg.checks.traces.search_trace` over pairs (product
state, events of the trace done), run on the product engine's packed codes
(:class:`~procalg.lts.vectors.Tables`) one breadth-first level at a time:
each level's successors come in bulk, and only τ moves and the trace's next
event are kept, so the walk visits the states the trace leads through, never
the whole product. Lazy components are expanded on the states the walk
reaches (re-encoding every stored code if one outgrew its digits), as the
level search does (:class:`~procalg.lts.level_search.LevelSearch`).

Pairs are kept per level as arrays (code, events done, parent's position in
the level before, label), so a witness is rebuilt backwards without a
parent map. Among a level's pairs that show the trace, the least code is the
witness (the reference takes the first its queue meets: same length, τ
counted, possibly another interleaving of τ).

Complexity: O((k + 1)(S' + T') log S') numpy work for a trace of k events,
where S' and T' are the states and moves within τ-reach of the trace's
prefixes.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> net = close(component(LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)])))
    >>> found = walk_trace(net, ("a",))
    >>> found.path, found.deepest
    (('τ', 'a'), 1)
    >>> missed = walk_trace(net, ("a", "a"))
    >>> missed.found, missed.deepest, sorted(missed.offered)
    (False, 1, [])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.level_search import CHUNK
from procalg.lts.lts import TAU, TAU_INDEX
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Limits
from procalg.lts.vectors import Tables

_NONE = -2
"""A label index no move carries: the trace is done, or names an event no rule shows."""


@dataclass
class _Level:
    """One BFS level of pairs: codes (the layout's dtype), events done, the
    position of each pair's parent in the level before, and the move's label."""

    codes: np.ndarray
    done: np.ndarray
    parent: np.ndarray
    label: np.ndarray


@dataclass
class TraceWalk:
    """The outcome of :func:`walk_trace`.

    Attributes:
        found: the trace was followed to its end.
        path: label names (τ included) of a shortest witness, when found.
        deepest: the most trace events any visited pair has done.
        offered: when not found, the visible events offered by the states
            that did ``deepest`` events (the walk then visited every pair).
        states: distinct (state, events done) pairs visited.
        transitions: moves generated from them.
        notes: the search's notes (lazy components, wide codes).
    """

    found: bool
    path: tuple[str, ...] = ()
    deepest: int = 0
    offered: frozenset[str] = frozenset()
    states: int = 0
    transitions: int = 0
    notes: tuple[str, ...] = field(default=())


class _Walk:
    """The pair search's state: levels, visited codes per events done, limits."""

    def __init__(self, network: Network, trace: Sequence[str], limits: Limits) -> None:
        self.tables = Tables(network)
        self.trace = tuple(trace)
        index = self.tables.label_index
        self.next_label = np.array([index.get(e, _NONE) for e in self.trace] + [_NONE],
                                   dtype=np.int64)
        start = self.tables.layout.cast([self.tables.initial])
        self.levels = [_Level(start, np.zeros(1, np.int64), np.full(1, -1, np.int64),
                              np.full(1, -1, np.int64))]
        self.seen: dict[int, np.ndarray] = {0: start}
        self.limits = limits
        self.pairs, self.transitions, self.deepest = 1, 0, 0
        self.offered: set[int] = set()

    def run(self) -> int | None:
        """Walk level by level; the position (in the last level) of the least
        code that has done the whole trace, or ``None`` when none can."""
        while len(self.levels[-1].codes):
            level = self.levels[-1]
            whole = np.flatnonzero(level.done == len(self.trace))
            if len(whole):
                return int(whole[np.argmin(level.codes[whole])])
            self._note_deepest(level)
            self._recode(self.tables.expand(level.codes))
            self.levels.append(self._next(self.levels[-1]))
        return None

    def _note_deepest(self, level: _Level) -> None:
        top = int(level.done.max())
        if top > self.deepest:
            self.deepest, self.offered = top, set()

    def _recode(self, recode: object) -> None:
        """Re-encode every stored code after a lazy component outgrew its digits."""
        if recode is None:
            return
        for level in self.levels:
            level.codes = self.tables.layout.cast(recode(level.codes))  # type: ignore[operator]
        self.seen = {d: np.sort(self.tables.layout.cast(recode(c)))  # type: ignore[operator]
                     for d, c in self.seen.items()}

    def _next(self, level: _Level) -> _Level:
        parts = [self._moves(level, lo) for lo in range(0, len(level.codes), CHUNK)]
        codes = np.concatenate([p[0] for p in parts])
        done = np.concatenate([p[1] for p in parts])
        parent = np.concatenate([p[2] for p in parts])
        label = np.concatenate([p[3] for p in parts])
        keep = []
        for d in np.unique(done).tolist():
            at = np.flatnonzero(done == d)
            _, first = np.unique(codes[at], return_index=True)  # the first parent of each
            at = at[first]
            seen = self.seen.get(d, codes[:0])
            where = np.minimum(np.searchsorted(seen, codes[at]), max(len(seen) - 1, 0))
            new = at[(seen[where] != codes[at])] if len(seen) else at
            self.seen[d] = np.sort(np.concatenate((seen, codes[new])))
            keep.append(new)
        order = np.sort(np.concatenate(keep)) if keep else np.zeros(0, np.int64)
        self.pairs += len(order)
        if self.limits.max_states is not None and self.pairs > self.limits.max_states:
            raise LimitExceeded(
                f"state limit reached: more than {self.limits.max_states} states "
                f"({self.pairs} found following the trace)", states=self.pairs,
                transitions=self.transitions, hint="raise --max-states, or make data types smaller")
        return _Level(codes[order], done[order], parent[order], label[order])

    def _moves(self, level: _Level, lo: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The τ moves and trace moves of one chunk of ``level``: (target, done, parent, label)."""
        src, dst, lab = self.tables.successors(level.codes[lo: lo + CHUNK])
        self.transitions += len(src)
        done = level.done[lo: lo + CHUNK][src]
        at_top = done == self.deepest
        self.offered.update(np.unique(lab[at_top]).tolist())
        tau = lab == TAU_INDEX
        keep = tau | (lab == self.next_label[done])
        return (dst[keep], done[keep] + ~tau[keep], src[keep] + lo,
                lab[keep].astype(np.int64))

    def path(self, position: int) -> tuple[str, ...]:
        """Label names from the initial state to the pair at ``position`` of the last level."""
        names = []
        for level in reversed(self.levels[1:]):
            names.append(self.tables.labels[int(level.label[position])])
            position = int(level.parent[position])
        return tuple(reversed(names))


def walk_trace(network: Network, trace: Sequence[str], limits: Limits = NO_LIMITS) -> TraceWalk:
    """Follow ``trace`` (visible event names, τ free in between) in ``network``'s product.

    Raises:
        LimitExceeded: more than ``limits.max_states`` pairs were visited.
    """
    walk = _Walk(network, trace, limits)
    hit = walk.run()
    labels = walk.tables.labels
    offered = frozenset(labels[c] for c in walk.offered) - {TAU}
    notes = (*network.notes, *walk.tables.notes())
    if hit is not None:
        return TraceWalk(True, walk.path(hit), len(trace), frozenset(), walk.pairs,
                         walk.transitions, notes)
    return TraceWalk(False, (), walk.deepest, offered, walk.pairs, walk.transitions, notes)
