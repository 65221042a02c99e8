"""Determinism by pairs of states (Lazić's check), level by level on codes.

``P`` is nondeterministic (FDR's ``:[deterministic]``) iff it diverges after
some trace, or some trace ``s`` reaches two states ``p`` and ``q`` (each by
τ* after ``s``; possibly one state) where ``p`` offers an event ``a`` that
``q`` refuses: ``q`` is stable without ``a``, or ``q`` can terminate and
``a`` is not ✓. Searching the pairs reached by a common trace (τ moves on
each side alone, visible moves on both at once) decides this in time
polynomial in the states, where the normal form's sets can be exponentially
many (R. Lazić's construction; A. W. Roscoe, *Understanding Concurrent
Systems*, 2010, on checking determinism).

The search is breadth-first on visible events, one level per trace length,
on integer arrays: states are numbered as they are met (:class:`_States`:
each one's offered events as a bit mask, its visible moves, and for a move's
target its τ-closure), a pair is one int64 of two numbers (the smaller
first: the pairs reached are symmetric), and a level's successors are a
join of both sides' moves on the label, each target pair then widened to
the product of both τ-closures. Every pair keeps its least trace (length,
then events ranked by name) as a dense rank within its level, so the
failure is the normal form's (:mod:`procalg.lts.normal_product`): the least
clashing trace ``s`` keyed ``(|s|, s, 0)``, a divergence after ``t·a`` keyed
``(|t|, t, 1 + rank a)``; the clashing event is then named by walking the
one set of states along ``s`` (:func:`~procalg.lts.refusals.clash_event`).

Complexity: ``O(S²)`` pairs for ``S`` states met, each expanded once: time
``O(S² · b² · c²)`` for ``b`` moves per label and ``c`` states per τ-closure;
memory 8 bytes per pair (the visited set) plus one level's pairs and moves.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> choice = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (2, "b", 3)])
    >>> r = search_pairs(Tables(close(component(choice))), None)
    >>> r.kind, r.trace, r.event
    ('clash', ('a',), 'b')
"""

from __future__ import annotations

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.code_sets import argsort_small, close_sets, sorted_in
from procalg.lts.determinism_codes import (
    Determinism,
    Levels,
    moves_exploring,
    tau_moves,
    tau_tables,
    traced,
)
from procalg.lts.lts import TAU, TAU_INDEX, TICK_INDEX
from procalg.lts.refusals import clash_event
from procalg.lts.vectors import Tables
from procalg.lts.visited import Visited, sorted_unique

CHUNK = 1 << 16
"""Pairs expanded at once (bounds a level's scratch: moves and τ-closures)."""

_HALF = 31  # a pair is (smaller number) << 31 | (larger number)
_LOW = (1 << _HALF) - 1


def search_pairs(tables: Tables, divergent: np.ndarray | None, *,
                 max_states: int | None = None) -> Determinism:
    """Search the pairs of states of ``tables``' network until one fails.

    Args:
        tables: the network's tables (codes within 62 bits).
        divergent: sorted codes of the divergent states (model FD), or ``None`` ([F],
            or none can diverge).
        max_states: limit on the states met (:class:`~procalg.errors.LimitExceeded`).

    Raises:
        Regrown: a lazy component outgrew its digits (the caller restarts).
    """
    levels = PairSearch(tables, divergent, max_states).levels()
    while True:
        try:
            next(levels)
        except StopIteration as done:
            return done.value


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every position of the ranges ``lo[i]:hi[i]``, with its ``i``."""
    count = hi - lo
    which = np.repeat(np.arange(len(lo)), count)
    start = np.cumsum(count) - count
    return which, np.arange(int(count.sum())) - start[which] + lo[which]


def _least(key: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``key``s, sorted, each with its least ``order``."""
    if not len(key):
        return key, order
    at = np.lexsort((order, key))
    key, order = key[at], order[at]
    head = np.ones(len(key), bool)
    head[1:] = key[1:] != key[:-1]
    return key[head], order[head]


class _States:
    """The states met, numbered in the order met, with what the pairs ask of
    them; a state's moves are read (it is *expanded*) once it is in a pair."""

    def __init__(self, tables: Tables, divergent: np.ndarray | None,
                 max_states: int | None) -> None:
        self.tables, self.divergent, self.max_states = tables, divergent, max_states
        self.width = len(tables.labels)
        self.words = (self.width + 63) // 64
        self.taus = tau_moves(tables, tau_tables(tables))
        self.has_tau = any(r.label == TAU for r in tables.network.rules)
        self.by_code, self.number = np.zeros(0, np.int64), np.zeros(0, np.int64)  # sorted codes
        self.code = np.zeros(0, np.int64)  # per number
        self.offer = np.zeros((0, self.words), np.uint64)  # visible events, ✓ included
        self.stable = self.tick = self.other = self.diverges = np.zeros(0, bool)
        self.expanded = self.closed = np.zeros(0, bool)  # closed: its τ-closure is known
        self.move_key = np.zeros(0, np.int64)  # visible moves but ✓: number * width + label
        self.move_dst = np.zeros(0, np.int64)  # their targets' numbers
        self.closure = np.zeros(0, np.int64)  # sorted: number << 31 | member's number
        self._closure_at: np.ndarray | None = None  # closure's start per number
        self.transitions = 0

    def __len__(self) -> int:
        return len(self.code)

    def numbers(self, codes: np.ndarray) -> np.ndarray:
        """The numbers of ``codes``, new ones numbered (not expanded)."""
        at = np.searchsorted(self.by_code, codes)
        known = at < len(self.by_code)
        known[known] = self.by_code[at[known]] == codes[known]
        if not known.all():
            self._number(sorted_unique(codes[~known]))
            at = np.searchsorted(self.by_code, codes)
        return self.number[at]

    def _number(self, new: np.ndarray) -> None:
        first, n = len(self.code), len(new)
        limit = _LOW if self.max_states is None else min(self.max_states, _LOW)
        if first + n > limit:  # a pair holds two 31-bit numbers
            raise LimitExceeded(f"state limit reached: more than {limit} states",
                                states=first, transitions=self.transitions,
                                hint="raise --max-states" if limit < _LOW else None)
        at = np.searchsorted(self.by_code, new)
        self.by_code = np.insert(self.by_code, at, new)
        self.number = np.insert(self.number, at, np.arange(first, first + n))
        self.code = np.concatenate((self.code, new))
        self.offer = np.concatenate((self.offer, np.zeros((n, self.words), np.uint64)))
        for name in ("stable", "tick", "other", "expanded", "closed"):
            setattr(self, name, np.append(getattr(self, name), np.zeros(n, bool)))
        self.diverges = np.append(self.diverges, np.zeros(n, bool) if self.divergent is None
                                  else sorted_in(self.divergent, new))
        self._closure_at = None

    def expand(self, states: np.ndarray) -> None:
        """Read the moves of those ``states`` (numbers) not expanded yet."""
        new = sorted_unique(states[~self.expanded[states]])
        if not len(new):
            return
        src, dst, lab = moves_exploring(self.tables, self.code[new])
        self.transitions += len(src)
        self.expanded[new] = True
        tau, tick = lab == TAU_INDEX, lab == TICK_INDEX
        seen, n = ~tau, len(new)
        np.bitwise_or.at(self.offer, (new[src[seen]], lab[seen] // 64),
                         np.left_shift(np.uint64(1), (lab[seen] % 64).astype(np.uint64)))
        self.stable[new] = np.bincount(src[tau], minlength=n) == 0
        self.tick[new] = np.bincount(src[tick], minlength=n) > 0
        self.other[new] = np.bincount(src[seen & ~tick], minlength=n) > 0
        keep = seen & ~tick  # nothing matters after ✓
        targets = self.numbers(dst[keep].astype(np.int64))
        key = new[src[keep]] * self.width + lab[keep]
        order = argsort_small(key)  # merged into the sorted moves (their states are new)
        at = np.searchsorted(self.move_key, key[order])
        self.move_key = np.insert(self.move_key, at, key[order])
        self.move_dst = np.insert(self.move_dst, at, targets[order])

    def moves(self, key: np.ndarray, span: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Where the moves keyed ``key`` to ``key + span - 1`` start and end
        (number * width + label); queries searched in order (cache-friendly)."""
        if len(key) < 2 or (key[1:] >= key[:-1]).all():
            return np.searchsorted(self.move_key, key), np.searchsorted(self.move_key, key + span)
        order = argsort_small(key)
        lo, hi = np.empty_like(key), np.empty_like(key)
        lo[order], hi[order] = self.moves(key[order], span)
        return lo, hi

    def closures(self, seeds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each seed's τ-closure, expanded: (index into ``seeds``, member's number)."""
        if not self.has_tau:
            self.expand(seeds)
            return np.arange(len(seeds)), seeds
        fresh = sorted_unique(seeds[~self.closed[seeds]])
        if len(fresh):
            sets, codes = close_sets(self.taus, self.tables.layout.bits,
                                     np.arange(len(fresh)), self.code[fresh])
            members = self.numbers(codes)  # may number new states (not closed yet)
            self.expand(members)
            self.closed[fresh] = True
            more = np.sort((fresh[sets] << _HALF) | members)  # merged: their seeds are new
            self.closure = np.insert(self.closure, np.searchsorted(self.closure, more), more)
            self._closure_at = None
        if self._closure_at is None:
            self._closure_at = np.searchsorted(self.closure, np.arange(len(self) + 1) << _HALF)
        which, at = _ranges(self._closure_at[seeds], self._closure_at[seeds + 1])
        return which, self.closure[at] & _LOW

    def clashing(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per pair: one side offers an event the other refuses."""
        ox, oy = self.offer[x], self.offer[y]
        return ((self.stable[y] & (ox & ~oy).any(axis=1)) | (self.tick[y] & self.other[x])
                | (self.stable[x] & (oy & ~ox).any(axis=1)) | (self.tick[x] & self.other[y]))


class PairSearch:
    """The level-by-level search of pairs, each pair keyed by its least trace
    (:meth:`levels` yields before each level: the normal form races it)."""

    def __init__(self, tables: Tables, divergent: np.ndarray | None,
                 max_states: int | None) -> None:
        self.tables = tables
        self.states = _States(tables, divergent, max_states)
        names = tables.labels
        self.width = len(names)
        self.rank = np.empty(len(names), dtype=np.int64)  # label index -> order by name
        self.rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        self.by_rank = np.argsort(self.rank).astype(np.int64)
        self.links: list[tuple[np.ndarray, np.ndarray]] = []  # per level: parent rank, label
        self.visited = Visited(np.zeros(0, np.int64))
        self.peak = 0

    def levels(self) -> Levels:
        """Search level by level, yielding before each its work (its pairs);
        return the outcome."""
        start = self.states.numbers(np.array([self.tables.initial], np.int64))
        _, members = self.states.closures(start)  # expanded
        pair = self._pairs(np.repeat(members, len(members)), np.tile(members, len(members)))
        pair = sorted_unique(pair)
        self.visited.add_level(pair, checked=True, unique=True)
        if self.states.diverges[members].any():
            return self._result("divergence")
        trace = np.zeros(len(pair), np.int64)
        while len(pair):
            yield len(pair)
            failure, pair, trace = self._level(pair, trace)
            if failure is not None:
                return failure
        return self._result(None)

    def size(self) -> int:
        """Pairs of states visited so far."""
        return len(self.visited)

    def _pairs(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (np.minimum(x, y) << _HALF) | np.maximum(x, y)

    def _level(self, pair: np.ndarray, trace: np.ndarray):
        """Check one level's pairs and build the next (its pairs sorted, each
        with the rank of its least trace); a failure ends the search."""
        clash, keys, orders = None, [], []
        for lo in range(0, len(pair), CHUNK):
            x, y, rank = pair[lo:lo + CHUNK] >> _HALF, pair[lo:lo + CHUNK] & _LOW, \
                trace[lo:lo + CHUNK]
            bad = self.states.clashing(x, y)
            if bad.any():
                least = int(rank[bad].min())
                clash = least if clash is None else min(clash, least)
            held = 16 * (len(pair) + sum(map(len, keys)))  # the level, the chunks' pairs
            key, order = self._successors(x, y, rank, held)
            keys.append(key)
            orders.append(order)
        key, order = keys[0], orders[0]
        total = sum(map(len, keys))  # joined, sorted and ordered: three copies at most
        self.peak = max(self.peak, 16 * len(pair) + 48 * total + self._stored())
        if len(keys) > 1:
            key, order = _least(np.concatenate(keys), np.concatenate(orders))
        fresh = ~self.visited.contains(key)
        key, order = key[fresh], order[fresh]
        failure = self._failure(clash, key, order)
        if failure is not None:
            return failure, None, None
        self.visited.add_level(key, checked=True, unique=True)
        distinct, rank = np.unique(order, return_inverse=True)  # the next level's traces
        self.links.append((distinct // self.width, self.by_rank[distinct % self.width]))
        return None, key, rank.astype(np.int64)

    def _successors(self, x: np.ndarray, y: np.ndarray, rank: np.ndarray, held: int
                    ) -> tuple[np.ndarray, np.ndarray]:
        """The pairs one visible event leads ``(x, y)`` to, each keyed by its
        least (trace rank, event rank), distinct and sorted (``held``: bytes
        the caller holds meanwhile)."""
        st, width = self.states, self.width
        which, at = _ranges(*st.moves(x * width, width))
        label = st.move_key[at] % width
        row, at2 = _ranges(*st.moves(y[which] * width + label))
        order = rank[which[row]] * width + self.rank[label[row]]
        seed, order = self._least(st.move_dst[at[row]], st.move_dst[at2], order)
        left, right = seed >> _HALF, seed & _LOW
        i, xs = st.closures(left)  # each seed's left closure, then its right one
        j, ys = st.closures(right[i])
        # one side's moves (index, position, label, ask), joint moves (row, positions,
        # order, both targets, the sort's three copies), closures' pairs likewise
        self.peak = max(self.peak, held + 32 * len(which) + 96 * len(row) + 80 * len(j)
                        + self._stored())
        return self._least(xs[j], ys, order[i[j]])

    def _least(self, x: np.ndarray, y: np.ndarray, order: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """The distinct pairs ``(x, y)`` (unordered), sorted, each with its least
        ``order``: one sort of (pair, order) packed in an int64 where it fits."""
        low, high = np.minimum(x, y), np.maximum(x, y)
        n = len(self.states)
        shift = int(order.max()).bit_length() if len(order) else 0
        if (n * n).bit_length() + shift > 63:
            return _least((low << _HALF) | high, order)
        packed = np.sort(((low * n + high) << shift) | order)
        head = np.ones(len(packed), bool)
        pair = packed >> shift
        head[1:] = pair[1:] != pair[:-1]
        pair = pair[head]
        return ((pair // n) << _HALF) | (pair % n), packed[head] & ((1 << shift) - 1)

    def _failure(self, clash: int | None, key: np.ndarray, order: np.ndarray
                 ) -> Determinism | None:
        """The least failure: a clash at this level's trace ``clash``, or a
        divergence at a new pair (keyed by its parent's trace and event)."""
        best: tuple[int, int] | None = None if clash is None else (clash, 0)
        st = self.states
        bad = st.diverges[key >> _HALF] | st.diverges[key & _LOW]
        if bad.any():
            least = int(order[bad].min())
            cand = (least // self.width, 1 + least % self.width)
            best = cand if best is None or cand < best else best
        if best is None:
            return None
        trace = traced(self.links, self.tables.labels, len(self.links), best[0])
        if best[1] == 0:
            return self._result("clash", trace=trace, event=self._clash_event(trace))
        event = self.tables.labels[int(self.by_rank[best[1] - 1])]
        return self._result("divergence", trace=(*trace, event))

    def _clash_event(self, trace: tuple[str, ...]) -> str:
        """The event :func:`~procalg.lts.refusals.clash_event` names in the one
        set of states ``trace`` reaches (walked along it)."""
        tables, bits = self.tables, self.tables.layout.bits
        taus = self.states.taus if self.states.has_tau else None
        index = {name: i for i, name in enumerate(tables.labels)}
        _, members = close_sets(taus, bits, np.zeros(1, np.int64),
                                np.array([tables.initial], np.int64))
        for name in trace:
            _, dst, lab = moves_exploring(tables, tables.layout.cast(members))
            after = dst[lab == index[name]].astype(np.int64)
            _, members = close_sets(taus, bits, np.zeros(len(after), np.int64), after)
        return clash_event(tables, tables.layout.cast(members))

    def _stored(self) -> int:
        st = self.states
        return (self.visited.nbytes + st.offer.nbytes + 32 * len(st) + 16 * len(st.move_key)
                + 8 * len(st.closure))

    def _result(self, kind: str | None, **found) -> Determinism:
        return Determinism(kind, states=int(self.states.expanded.sum()),
                           transitions=self.states.transitions,
                           levels=len(self.links) + 1, pairs=len(self.visited), method="pairs",
                           peak_bytes=max(self.peak, self._stored()), tables=self.tables,
                           **found)
