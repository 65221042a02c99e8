"""``:[has trace]:`` on a compiled network: a walk that only follows the trace.

The search of :func:`procalg.checks.traces.search_trace` over pairs (product
state, events of the trace done), run on the product engine's packed codes
(:class:`~procalg.lts.vectors.Tables`) one breadth-first level at a time:
each level's successors come in bulk, and only τ moves and the trace's next
event are kept, so the walk visits the states the trace leads through, never
the whole product. Lazy components are expanded on the states the walk
reaches (re-encoding every stored code if one outgrew its digits), as the
level search does (:class:`~procalg.lts.level_search.LevelSearch`).

Pairs are kept per level as arrays (code, events done, and the parent's
position in the level before and the label of the pair's *least* way in), so
the witness is read off them without firing again: among the shortest paths
to a pair that shows the trace, the least by label names position by
position, as the reference's pair search picks it (``docs/checks.md``, "Which
counterexample procalg shows"). The least way in is chosen as a level is
built, from every move into its new pairs (their paths compare as the
parent's rank, then the label), so those moves are not kept.

A leaf's model error held in a state (:mod:`procalg.lts.held`) that the
reference's pair search would expand (``[T]``: a pair that did not do the whole
trace; ``[F]``, ``[FD]``: any pair, and for ``[FD]`` its τ-reach) is
:class:`~procalg.lts.held.HeldOrder`: the caller asks the term rules, which say
whether they meet it (a leaf explored whole may hold an error of a value they
never ask for) and where. A walk that meets none needs no term rules.

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from procalg.assertion_kinds import RefinementModel
from procalg.errors import LimitExceeded
from procalg.lts.code_sets import sorted_in
from procalg.lts.held import HeldOrder, is_held
from procalg.lts.level_paths import name_rank
from procalg.lts.level_search import CHUNK
from procalg.lts.lts import TAU, TAU_INDEX
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Limits
from procalg.lts.tau import has_cycle
from procalg.lts.vectors import Tables
from procalg.lts.visited import sorted_unique

_NONE = -2
"""A label index no move carries: the trace is done, or names an event no rule shows."""


@dataclass
class _Level:
    """One BFS level of pairs: codes (the layout's dtype), events done, the
    position in the level before of the parent on each pair's least way in,
    and that move's label; ``rank``: the pairs' order by their least path
    (``None`` once the next level is built: only the newest is read)."""

    codes: np.ndarray
    done: np.ndarray
    parent: np.ndarray
    label: np.ndarray
    rank: np.ndarray | None = None


@dataclass
class TraceWalk:
    """The outcome of :func:`walk_trace`.

    Attributes:
        found: a pair showing the trace in the model was reached.
        path: label names (τ included) of a shortest witness, when found.
        deepest: when found, the events the witness did (fewer than the trace's
            where ``[FD]`` met a divergence first); else the most any pair did.
        offered: when not found, the visible events offered by the states
            that did ``deepest`` events (the walk then visited every pair).
        states: distinct product states visited (with any number of events done).
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


class _Recoded(Exception):
    """A lazy component outgrew its digits while a level was being worked on:
    every stored code is re-encoded, and the level's work starts again."""


class _Walk:
    """The pair search's state: levels, visited codes per events done, limits."""

    def __init__(self, network: Network, trace: Sequence[str], model: RefinementModel,
                 limits: Limits) -> None:
        self.tables = Tables(network)
        self.trace, self.model, self.limits = tuple(trace), model, limits
        index = self.tables.label_index
        self.next_label = np.array([index.get(e, _NONE) for e in self.trace] + [_NONE],
                                   dtype=np.int64)
        start = self.tables.layout.cast([self.tables.initial])
        self.levels = [_Level(start, np.zeros(1, np.int64), np.full(1, -1, np.int64),
                              np.full(1, -1, np.int64), np.zeros(1, np.int32))]
        self.seen: dict[int, np.ndarray] = {0: start}
        self.pairs, self.transitions, self.deepest = 1, 0, 0
        self.offered: set[int] = set()
        self.on_cycle: dict[object, bool] = {}
        self.held = np.array([i for i, name in enumerate(self.tables.labels) if is_held(name)],
                             dtype=np.int64)
        self.reach_held: dict[object, int] = {}  # [FD]: a held label in a code's τ-reach

    def run(self) -> np.ndarray | None:
        """Walk level by level; which pairs of the last level show the trace in
        the model (:func:`_pick`), or ``None`` where none is reached."""
        while len(self.levels[-1].codes):
            level = self.levels[-1]
            whole = level.done == len(self.trace)
            traces = self.model is RefinementModel.TRACES
            if traces and whole.any() and not len(self.held):  # no moves needed
                return whole
            self._note_deepest(level)
            while True:
                try:
                    self._expand(level.codes)
                    moves, restless, held = self._level_moves(level)
                    hit = whole if traces and whole.any() else \
                        None if traces else self._goal(level, restless, held)
                    break
                except _Recoded:  # level.codes are re-encoded: again
                    continue
            # the reference checks a pair's goal before expanding it ([T]: whole pairs
            # are not expanded; [F] and [FD] expand every pair they ask)
            self._raise_held(np.where(whole, -1, held) if traces else held, hit)
            if hit is not None:
                return hit
            self.levels.append(self._next(*moves))
        return None

    def _note_deepest(self, level: _Level) -> None:
        top = int(level.done.max())
        if top > self.deepest:
            self.deepest, self.offered = top, set()

    def _expand(self, codes: np.ndarray) -> None:
        """Explore the lazy components' local states in ``codes``.

        Raises:
            _Recoded: one outgrew its digits; every stored code is re-encoded.
        """
        recode = self.tables.expand(codes)
        if recode is None:
            return
        for level in self.levels:
            level.codes = self.tables.layout.cast(recode(level.codes))
        self.seen = {d: np.sort(self.tables.layout.cast(recode(c)))
                     for d, c in self.seen.items()}
        self.on_cycle, self.reach_held = {}, {}
        raise _Recoded

    def _goal(self, level: _Level, restless: np.ndarray, held: np.ndarray
              ) -> np.ndarray | None:
        """[F]: a pair that did the trace and is stable; [FD]: that, or a pair that
        can do τ for ever (a divergence allows every continuation, UCS §8.3).
        [FD] asks every pair's τ-reach: ``held`` (each pair's held label, or -1)
        gets the held label met there."""
        whole = (level.done == len(self.trace)) & ~restless & (held < 0)
        hits = whole.copy()
        if self.model is RefinementModel.FAILURES_DIVERGENCES:
            for at in np.flatnonzero(restless).tolist():
                cycles = self._cycles(level.codes[at])
                held[at] = self.reach_held[level.codes[at]]
                hits[at] = cycles and held[at] < 0
        return hits if hits.any() else None

    @staticmethod
    def _raise_held(held: np.ndarray, hit: np.ndarray | None) -> None:
        """:class:`~procalg.lts.held.HeldOrder` where the reference's pair search
        would expand a state holding an error: a pair of the level's ``held``
        (their held labels, -1 for none) that is not a witness ``hit``. The term
        rules then say whether it raises (a leaf explored whole holds an error
        of an input value the terms never ask for: ``c?x -> d!(x + 1)``) and
        where (its order against the witness's)."""
        if (held >= 0).any():
            raise HeldOrder("the walk meets a model error a leaf holds: the term rules say "
                            "whether and where they meet it")

    def _cycles(self, code: object) -> bool:
        """Whether ``code`` can do τ for ever (its τ-reach, gathered level by
        level in bulk, then peeled: :func:`~procalg.checks.traces.tau_cycle_reached`)."""
        if code not in self.on_cycle:
            seen = frontier = self.tables.layout.cast([code])
            edges: dict[object, list[object]] = {}
            met = -1
            while len(frontier):
                self._expand(frontier)
                src, dst, lab = self.tables.successors(frontier)
                if len(self.held) and met < 0 and np.isin(lab, self.held).any():
                    met = int(lab[np.isin(lab, self.held)][0])
                tau = lab == TAU_INDEX
                for s in frontier.tolist():
                    edges[s] = []
                for s, d in zip(frontier[src[tau]].tolist(), dst[tau].tolist(), strict=True):
                    edges[s].append(d)
                after = sorted_unique(dst[tau])
                frontier = after[~sorted_in(seen, after)]
                seen = np.sort(np.concatenate((seen, frontier)))
            first = self.tables.layout.cast([code]).tolist()[0]
            self.on_cycle[code] = tau_cycle_reached(first, edges.__getitem__)
            self.reach_held[code] = met
        return self.on_cycle[code]

    def _level_moves(self, level: _Level
                     ) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
        """The level's τ and trace moves (target, done, parent, label), which of
        its pairs have a τ move, and each pair's held label (-1: none)."""
        parts = [self._moves(level, lo) for lo in range(0, len(level.codes), CHUNK)]
        moves = tuple(np.concatenate([p[k] for p in parts]) for k in range(4))
        return moves, np.concatenate([p[4] for p in parts]), np.concatenate([p[5] for p in parts])

    def _next(self, codes: np.ndarray, done: np.ndarray, parent: np.ndarray,
              label: np.ndarray) -> _Level:
        """The next level: the moves' targets not visited with as many events
        done, each with its least way in (:attr:`_Level.rank`)."""
        keep, moves, firsts = [], [], []
        for d in sorted_unique(done).tolist():  # not np.unique: numpy.ma
            at = np.flatnonzero(done == d)
            unique, first, inverse = np.unique(codes[at], return_index=True,
                                               return_inverse=True)
            seen = self.seen.get(d, codes[:0])
            new = ~sorted_in(seen, unique)
            self.seen[d] = np.sort(np.concatenate((seen, unique[new])))
            keep.append(at[first[new]])  # the first parent of each
            into = new[inverse.ravel()]
            moves.append(at[into])
            firsts.append(at[first[inverse.ravel()[into]]])
        order = np.sort(np.concatenate(keep)) if keep else np.zeros(0, np.int64)
        move = np.concatenate(moves) if moves else order
        where = np.empty(len(codes), np.int64)  # a first move's pair's position
        where[order] = np.arange(len(order))
        best, rank = self._least_ways(parent[move], label[move],
                                      where[np.concatenate(firsts) if firsts else order],
                                      len(order))
        self.pairs += len(order)
        if self.limits.max_states is not None and self.pairs > self.limits.max_states:
            raise LimitExceeded(
                f"state limit reached: more than {self.limits.max_states} states "
                f"({self.pairs} found following the trace)", states=self.pairs,
                transitions=self.transitions, hint="raise --max-states, or make data types smaller")
        self.levels[-1].rank = None  # only the newest level's ranks are read
        return _Level(codes[order], done[order], parent[move[best]].astype(np.int32),
                      label[move[best]].astype(np.int32), rank)

    def _least_ways(self, parent: np.ndarray, label: np.ndarray, target: np.ndarray,
                    size: int) -> tuple[np.ndarray, np.ndarray]:
        """Per new pair (``target``: each move's), the move of its least way in and
        the pair's rank. Shortest paths of equal length compare as their prefix,
        then their last label: a move's key is (its source's rank, its label's
        place by name), a pair's path the least key's, so ranks are the keys'
        order (the way FDR3's trace rebuild and Dijkstra's tie-breaking go, kept
        forwards: one parent per pair instead of every move)."""
        before = self.levels[-1].rank
        assert before is not None
        labels = name_rank(self.tables.labels)
        key = before[parent] * len(labels) + labels[label]
        width = int(key.max(initial=0)) + 1
        order = np.argsort(target * width + key) if size * width < 2**62 else \
            np.lexsort((key, target))  # by target, least key first
        best = order[np.r_[True, target[order[1:]] != target[order[:-1]]]] if len(order) \
            else order
        least = np.empty(size, np.int64)
        least[target[best]] = key[best]
        _, rank = np.unique(least, return_inverse=True)
        moved = np.empty(size, np.int64)
        moved[target[best]] = best
        return moved, rank.reshape(-1).astype(np.int32)

    def _moves(self, level: _Level, lo: int) -> tuple[np.ndarray, ...]:
        """One chunk of ``level``: its τ and trace moves (target, done, parent,
        label), which of its pairs have a τ move, and their held labels."""
        src, dst, lab = self.tables.successors(level.codes[lo: lo + CHUNK])
        self.transitions += len(src)
        done = level.done[lo: lo + CHUNK][src]
        at_top = done == self.deepest
        self.offered.update(sorted_unique(lab[at_top]).tolist())
        tau = lab == TAU_INDEX
        restless = np.zeros(len(level.codes[lo: lo + CHUNK]), dtype=bool)
        restless[src[tau]] = True
        held = np.full(len(restless), -1, dtype=np.int64)
        if len(self.held):  # a held state's one move is its error
            at = np.isin(lab, self.held)
            held[src[at]] = lab[at]
        keep = tau | (lab == self.next_label[done])
        return (dst[keep], done[keep] + ~tau[keep], src[keep] + lo,
                lab[keep].astype(np.int64), restless, held)

    def states(self) -> int:
        """Distinct product states visited, whatever the events done (as the
        term-level search counts them)."""
        return len(sorted_unique(np.concatenate(list(self.seen.values()))))

    def least_path(self, hits: np.ndarray) -> tuple[tuple[str, ...], int]:
        """The least (by label names, position by position) of the shortest paths
        to the last level's ``hits``, and the position of the pair it ends in (the
        least code's where it can end in several): the hits of least rank, then
        back along each level's least parent. O(path length)."""
        last = self.levels[-1]
        assert last.rank is not None
        ends = np.flatnonzero(hits)
        ranks = last.rank[ends]
        ends = ends[ranks == ranks.min()]
        end = int(ends[np.argmin(last.codes[ends])])
        names, path, at = self.tables.labels, [], end
        for level in reversed(self.levels[1:]):
            path.append(names[int(level.label[at])])
            at = int(level.parent[at])
        return tuple(path[::-1]), end


def tau_cycle_reached(state: Any, taus: Callable[[Any], Sequence[Any]]) -> bool:
    """Whether ``state`` can do τ for ever: its τ-reach (``taus`` gives a state's
    τ-successors) holds a cycle. O(S + T) in the τ-reach.

    Example:
        >>> graph = {0: [1], 1: [2], 2: [1], 3: [4], 4: []}
        >>> tau_cycle_reached(0, graph.__getitem__), tau_cycle_reached(3, graph.__getitem__)
        (True, False)
    """
    number, stack, edges = {state: 0}, [state], []
    while stack:
        source = stack.pop()
        for target in taus(source):
            if target not in number:
                number[target] = len(number)
                stack.append(target)
            edges.append((number[source], number[target]))
    if not edges:
        return False
    src, dst = np.array(edges, dtype=np.int64).T
    return has_cycle(len(number), src, dst)




def walk_trace(network: Network, trace: Sequence[str], limits: Limits = NO_LIMITS, *,
               model: RefinementModel = RefinementModel.TRACES) -> TraceWalk:
    """Follow ``trace`` (visible event names, τ free in between) in ``network``'s
    product, to a pair that shows it in ``model``
    (:func:`~procalg.checks.traces.check_has_trace` says what each model observes).

    Raises:
        LimitExceeded: more than ``limits.max_states`` pairs were visited.
    """
    walk = _Walk(network, trace, model, limits)
    hits = walk.run()
    labels = walk.tables.labels
    offered = frozenset(labels[c] for c in walk.offered) - {TAU}
    notes = (*network.notes, *walk.tables.notes())
    if hits is not None:
        path, end = walk.least_path(hits)
        return TraceWalk(True, path, int(walk.levels[-1].done[end]), frozenset(),
                         walk.states(), walk.transitions, notes)
    return TraceWalk(False, (), walk.deepest, offered, walk.states(), walk.transitions, notes)
