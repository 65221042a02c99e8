"""Determinism of a network in bulk: the normal form built level by level on codes.

``P`` is deterministic (FDR's ``:[deterministic]``) iff it is
divergence-free and no trace ``s`` and event ``a`` exist where ``P`` can do
``a`` after ``s`` and also refuse it (Roscoe, *Understanding Concurrent
Systems*, 2010, sec. 6.1 and 10.5; FDR normalises ``P`` and compares each
normal node with the states it stands for). The reference check
(:mod:`procalg.checks.determinism`) builds the normal form one node at a
time in Python. Here it is built one BFS level at a time on the product
engine's packed codes, with numpy and no per-state Python:

- a level is a flat array of (node, member code) pairs, expanded
  ``CHUNK`` pairs at a time (bounded scratch); the members' moves come
  from the network's tables in bulk, and a lazily explored component's
  states are explored as they are met (the build restarts, rarely, when one
  outgrows its digits of the codes);
- a node clashes if some member refuses an event another member offers
  (:func:`~procalg.lts.refusals.clashes`, by counting events);
- the children of a level are grouped by (node, event) -- that pair,
  with events ranked by name, is also the reference's order -- and
  τ-closed together with the τ-rules' tables alone (one call per τ-round
  for the whole chunk, equal sets closed once); a child is keyed by
  :func:`~procalg.lts.code_sets.set_keys`: a one-member set by its code
  (then the build is a deadlock search's BFS on codes, with a check per
  state), a larger one by a 64-bit hash, whose collision a second hash,
  kept for those nodes only, detects (then the search stops with an
  error, never a wrong verdict);
- with divergences counted, the divergent states are found first (none if
  the components have no τ-cycles, :func:`~procalg.lts.refine_product.tau_acyclic`,
  else one τ-peel, :func:`~procalg.lts.product.divergent_codes`), and a node
  holding one is a failure when it is first built, as in the reference.

Failures are ordered as the reference finds them (a node's clash before
its children's divergence, nodes in BFS order), so the trace and event are
the reference's. Memory per normal node: its key (10 bytes with its level
tag) and a parent link (8), plus one level's pairs; members of larger
nodes are kept once more (10 bytes each) to count the states.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> choice = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (2, "b", 3)])
    >>> r = find_nondeterminism(close(component(choice)))
    >>> r.kind, r.trace, r.event
    ('clash', ('a',), 'b')
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.code_sets import (
    Children,
    argsort_small,
    close_sets,
    collision,
    distinct,
    joined,
    set_keys,
    shrink,
    sorted_in,
    unique_inverse,
)
from procalg.lts.determinism_codes import (
    Determinism,
    Levels,
    Race,
    Regrown,
    moves_exploring,
    tau_tables,
    traced,
)
from procalg.lts.determinism_pairs import PairSearch
from procalg.lts.determinism_screen import screen_deterministic
from procalg.lts.lts import TAU, TAU_INDEX, TICK_INDEX
from procalg.lts.network import Network
from procalg.lts.normal_few import few_level
from procalg.lts.product import Limits, divergent_codes
from procalg.lts.refine_product import tau_acyclic
from procalg.lts.refusals import clash_event, clashes
from procalg.lts.vectors import Tables
from procalg.lts.visited import Visited, sorted_unique

CHUNK = 1 << 16
"""Normal-form pairs expanded at once (bounds the scratch memory of a level)."""

NODES_PER_STATE, MIN_NODES = 8, 20_000
"""Past ``MIN_NODES`` normal nodes and ``NODES_PER_STATE`` per state met, a
search of pairs of states races the normal form (:func:`find_nondeterminism`)."""


METHODS = ("normal form", "pairs")
"""The searches that may answer (tests and benchmarks force one alone)."""

SCREEN = True
"""Try :func:`~procalg.lts.determinism_screen.screen_deterministic` first (tests
of the normal form and of pairs turn it off)."""


def why_not(network: Network) -> str | None:
    """Why the bulk check cannot run on ``network`` (``None``: it can)."""
    layout = Tables(network).layout
    return _too_wide(layout.bits) if layout.wide else None


def _too_wide(bits: int) -> str:
    return f"the bulk normal form keys nodes by 62-bit codes; these codes need {bits} bits"


class Unavailable(ValueError):
    """The bulk check cannot run: a lazy component grew the codes past 62 bits."""


def find_nondeterminism(network: Network, *, divergence: bool = True,
                        max_states: int | None = None) -> Determinism:
    """Build the normal form of ``network`` in bulk until a node fails, or,
    once it has many more nodes than states (:data:`NODES_PER_STATE`), race
    it against a search of pairs of states (:mod:`procalg.lts.determinism_pairs`:
    polynomial where the normal form may be exponential, but paying the
    square of the τ-closures), level by level, the cheaper level first
    (:class:`~procalg.lts.determinism_codes.Race`); either gives the same answer.

    Args:
        network: the process (codes within 62 bits: :func:`why_not`).
        divergence: a divergence is nondeterminism (model FD); ``False``: [F].
        max_states: limit on normal nodes, or, searching pairs, on states
            (:class:`~procalg.errors.LimitExceeded`; one search of two that
            reaches it gives way to the other).
    """
    tables, divergent = Tables(network), None
    screened = SCREEN and screen_deterministic(tables, max_states=max_states)
    if screened:  # a τ-free, label-deterministic process: its normal form is its states
        return screened
    if divergence and not tau_acyclic(network):  # (lazy components explored whole here)
        # the check's limit holds here too: else a large product is explored whole
        # (until memory runs out) before the normal form's limit is ever met
        tables, divergent, _ = divergent_codes(network, Limits(max_states=max_states))
    while True:  # lazy components: rebuilt when one outgrows its digits (headroom doubles)
        if tables.layout.wide:
            raise Unavailable(_too_wide(tables.layout.bits))
        known = None if divergent is None else divergent.astype(np.int64)
        try:
            return _raced(tables, known, max_states)
        except Regrown as grown:
            if divergent is not None:
                divergent = np.sort(grown.recode(divergent))


def _raced(tables: Tables, divergent: np.ndarray | None, max_states: int | None
           ) -> Determinism:
    """The normal form alone, joined by the pairs once it outgrows the states;
    a search the race drops is let go here too (its memory freed)."""
    live: dict[str, NormalForm | PairSearch] = {}
    race = Race({})
    if "normal form" in METHODS:
        live["normal form"] = NormalForm(tables, divergent, max_states)
        race.enter("normal form", live["normal form"].levels())
    built = {"normal form": 0, "pairs": 0}  # nodes, pairs: kept once a search is let go
    waiting = "pairs" in METHODS  # the pairs join once the normal form outgrows the states
    while True:
        build = live.get("normal form")  # None: not run, or let go
        if waiting and (build is None or build.nodes > max(MIN_NODES,
                                                           NODES_PER_STATE * build.states)):
            waiting, live["pairs"] = False, PairSearch(tables, divergent, max_states)
            race.enter("pairs", live["pairs"].levels())
        answered = race.step()
        for name, search in list(live.items()):
            built[name] = search.size()
            if name in race.dropped:
                del live[name]
        if answered is not None:
            method, found = answered
            return replace(found, nodes=built["normal form"], method=method,
                           pairs=built["pairs"], dropped=tuple(race.dropped))


def _held(kids: Children) -> int:
    """Bytes of a level's children: three keys per set, two words per member."""
    return 24 * len(kids.key) + 16 * len(kids.code)


class NormalForm:
    """The level-by-level subset construction (its moves, count, remember and
    result serve :mod:`procalg.lts.normal_few`'s levels too)."""

    def __init__(self, tables: Tables, divergent: np.ndarray | None, max_states: int | None):
        self.tables, self.divergent, self.max_states = tables, divergent, max_states
        names = tables.labels
        self.width = len(names)
        self.rank = np.empty(len(names), dtype=np.int64)  # label index -> order by name
        self.rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        self.by_rank = np.argsort(self.rank).astype(np.int32)
        # node keys (code_sets.set_keys), and second hashes of the larger nodes
        self.keys, self.checks = Visited(np.zeros(0, np.int64)), Visited(np.zeros(0, np.int64))
        # impl states expanded: one-member nodes' codes (in ``keys``, each once)
        # and the larger nodes' members (``shared``), counted once each
        self.shared, self.states = Visited(np.zeros(0, np.int64)), 0
        self.links: list[tuple[np.ndarray, np.ndarray]] = []  # per level: parent, label
        self.nodes = self.transitions = self.peak = 0
        self.has_tau = any(r.label == TAU for r in tables.network.rules)
        self.taus = tau_tables(tables) if self.has_tau else None

    def levels(self) -> Levels:
        """Build level by level, yielding before each its work (members in its
        nodes); return the outcome."""
        node, code = self._close(np.zeros(1, np.int64), np.array([self.tables.initial]))
        h1, h2, big = set_keys(node, code, 1)
        self.remember(h1, h2[big])
        if self._diverging(code).any():
            return self.result("divergence")
        level = 0
        while len(node):
            yield len(code)
            failure, children = few_level(self, node, code, level) or self._level(
                node, code, level)
            if failure is not None:
                return failure
            node, code = children
            level += 1
        return self.result(None)

    def _level(self, node: np.ndarray, code: np.ndarray, level: int):
        """Check one level's nodes (numbered in the reference's order) and
        build the next; a failure ends the search."""
        # members' moves straight from their codes (a state in two nodes of one
        # level is expanded twice: rarer, and cheaper, than joining back)
        n = int(node.max()) + 1
        alone = np.bincount(node, minlength=n)[node] == 1
        self.count(code, alone)
        # nodes a chunk at a time (bounded scratch: a level's moves are many
        # times its pairs), each chunk's children reduced to distinct sets
        by_node = argsort_small(node)
        cuts = sorted_unique(np.append(np.searchsorted(node[by_node], node[by_node][::CHUNK]),
                                       len(node)))
        clash, parts = np.zeros(n, bool), []
        for lo, hi in itertools.pairwise(cuts):
            at = by_node[lo:hi]
            src, dst, lab = self.moves(code[at])
            self.transitions += len(src)
            clash |= clashes(node[at], src, lab, n, alone[at], self.width)
            ok = (lab != TAU_INDEX) & (lab != TICK_INDEX)  # nothing matters after ✓
            # a child is the τ-closed set a node reaches by one event; its order
            # key (node, event rank) is also its place in the reference's order
            kids = self._children(node[at][src[ok]] * self.width + self.rank[lab[ok]],
                                  dst[ok].astype(np.int64))
            # the level's members (node, code, order, alone), this chunk's moves and
            # their grouped copies, its children and their τ-closure's sorted copies
            # (five words per member), and the children of the chunks before it
            self.peak = max(self.peak, 25 * len(node) + 48 * len(src) + _held(kids)
                            + 40 * len(kids.code) + sum(map(_held, parts)) + self._stored())
            parts.append(kids if len(cuts) == 2 else shrink(kids, *distinct(kids)[2:]))
            del src, dst, lab, ok, kids
        kids = parts[0] if len(parts) == 1 else joined(parts)
        parts.clear()
        h1, starts, first, rep = distinct(kids)
        # the old level, the chunks' children and their joined copy, the sort's
        # scratch (order and sorted keys), and the new level (at most every child)
        self.peak = max(self.peak, 25 * len(code) + (_held(kids) if len(cuts) == 2 else
                                                     2 * _held(kids)) + 32 * len(kids.key)
                        + 16 * (len(kids.code) + kids.singles) + self._stored())
        fresh = ~self.keys.contains(h1[starts])  # sorted queries
        big = rep >= kids.singles
        if not self.checks.contains(kids.h2[rep[big & ~fresh]]).all():
            raise collision()
        failure = self._first_failure(clash, kids, rep, fresh, first, level, node, code)
        if failure is not None:
            return failure, None
        self.remember(h1[starts[fresh]], kids.h2[rep[fresh & big]])
        number = argsort_small(first[fresh])  # the new level in the reference's order
        fresh_first, fresh_rep = first[fresh][number], rep[fresh][number]
        self.links.append(((fresh_first // self.width).astype(np.int32),
                           self.by_rank[fresh_first % self.width]))
        one = fresh_rep < kids.singles
        renumber = np.full(len(kids.key) - kids.singles, -1, np.int64)
        renumber[fresh_rep[~one] - kids.singles] = np.flatnonzero(~one)
        mine = renumber[kids.cid] >= 0
        new_node = np.concatenate((np.flatnonzero(one), renumber[kids.cid[mine]]))
        new_code = np.concatenate((kids.h1[fresh_rep[one]], kids.code[mine]))
        return None, (new_node, new_code)

    def size(self) -> int:
        """Normal nodes built so far."""
        return self.nodes

    def count(self, code: np.ndarray, alone: np.ndarray) -> None:
        """Count the level's members not counted before (|singles ∪ shared|)."""
        single = code[alone]
        if len(self.shared) and len(single):
            single = self.shared.unseen(np.sort(single))
        self.states += len(single)
        if not alone.all():
            more = self.shared.unseen(sorted_unique(code[~alone]))
            self.shared.add_level(more, checked=True, unique=True)
            self.states += int((~self.keys.contains(more)).sum())

    def _children(self, group: np.ndarray, dst: np.ndarray) -> Children:
        """The (node, event) groups' τ-closed target sets: one-member sets
        apart, keyed by their code; the others as sorted (set, code) pairs."""
        order = argsort_small(group)
        g, d = group[order], dst[order]
        head = np.ones(len(g), bool)
        head[1:] = g[1:] != g[:-1]
        starts = np.flatnonzero(head)
        keys = g[starts]
        step = np.zeros(len(g), np.int8)  # a second distinct target in a group
        step[1:] = ~head[1:] & (d[1:] != d[:-1])
        many = (np.maximum.reduceat(step, starts) > 0) if len(g) else np.zeros(0, bool)
        s_key, s_code = keys[~many], d[starts[~many]]
        m_key = keys[many]
        size = np.diff(np.append(starts, len(g)))[many]
        inside = np.repeat(many, np.diff(np.append(starts, len(g))))
        m_cid, m_code = np.repeat(np.arange(len(m_key)), size), d[inside]
        if self.has_tau and len(s_code):  # a one-member set grows if its member moves by τ
            distinct_code, inverse = unique_inverse(s_code)  # each state asked once
            src, dst2, lab = self.tau_moves(distinct_code)
            moving = np.zeros(len(distinct_code), bool)
            moving[src[(lab == TAU_INDEX) & (dst2 != distinct_code[src])]] = True
            moves = moving[inverse]
            if moves.any():
                m_cid = np.concatenate((m_cid, len(m_key) + np.arange(int(moves.sum()))))
                m_code = np.concatenate((m_code, s_code[moves]))
                m_key = np.concatenate((m_key, s_key[moves]))
                s_key, s_code = s_key[~moves], s_code[~moves]
        h1, h2 = s_code, np.zeros(len(s_code), np.int64)
        if len(m_code):  # equal sets before closure are closed once, at their least key
            m_cid, m_code = close_sets(None, self.tables.layout.bits, m_cid, m_code)
            m_h1, m_h2, _ = set_keys(m_cid, m_code, len(m_key))
            pre = shrink(Children(m_key, m_h1, m_h2, 0, m_cid, m_code),
                         *distinct(Children(m_key, m_h1, m_h2, 0, m_cid, m_code))[2:])
            m_key, m_cid, m_code = pre.key, pre.cid, pre.code
            m_cid, m_code = self._close(m_cid, m_code)
            m_h1, m_h2, _ = set_keys(m_cid, m_code, len(m_key))
            h1, h2 = np.concatenate((h1, m_h1)), np.concatenate((h2, m_h2))
        return Children(np.concatenate((s_key, m_key)), h1, h2, len(s_code), m_cid, m_code)

    def _first_failure(self, clash, kids, rep, fresh, first, level, node, code):
        """The reference's first failure: nodes in order, a node's clash before
        its new children's divergence."""
        width = self.width
        best: tuple[int, int] | None = None  # (node, 0 clash / 1 + event rank)
        if clash.any():
            best = (int(np.flatnonzero(clash)[0]), 0)
        if self.divergent is not None:
            bad = np.concatenate((self._diverging(kids.h1[:kids.singles]), np.bincount(
                kids.cid[self._diverging(kids.code)], minlength=len(kids.key) - kids.singles) > 0))
            at = np.flatnonzero(bad[rep] & fresh)
            if len(at):
                key = int(first[at].min())
                cand = (key // width, 1 + key % width)
                if best is None or cand < best:
                    best = cand
        if best is None:
            return None
        trace = traced(self.links, self.tables.labels, level, best[0])
        if best[1] == 0:
            return self.result("clash", trace=trace,
                                event=clash_event(self.tables, code[node == best[0]]))
        event = self.tables.labels[int(self.by_rank[best[1] - 1])]
        return self.result("divergence", trace=(*trace, event))

    def _close(self, node: np.ndarray, code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        moves = self.tau_moves if self.has_tau else None
        return close_sets(moves, self.tables.layout.bits, node, code)

    def tau_moves(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The τ-moves of ``codes`` (and, without τ-only tables, all their moves)."""
        return self.moves(codes) if self.taus is None else self.taus.successors(codes)

    def moves(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return moves_exploring(self.tables, codes)

    def remember(self, h1: np.ndarray, h2: np.ndarray) -> None:
        """Record new nodes: their keys, and the second hashes of the larger ones."""
        self.keys.add_level(h1, checked=True)
        if len(h2):
            self.checks.add_level(h2)
        self.nodes += len(h1)
        if self.max_states is not None and self.nodes > self.max_states:
            raise LimitExceeded(f"normal-form limit reached: more than {self.max_states} nodes "
                                f"({self.states} states)", states=self.states,
                                transitions=self.transitions, hint="raise --max-states")

    def _diverging(self, code: np.ndarray) -> np.ndarray:
        if self.divergent is None:
            return np.zeros(len(code), bool)
        return sorted_in(self.divergent, code)

    def _stored(self) -> int:
        return sum(v.nbytes for v in (self.keys, self.checks, self.shared)) + 8 * self.nodes

    def result(self, kind: str | None, **found) -> Determinism:
        return Determinism(kind, nodes=self.nodes, states=self.states,
                           transitions=self.transitions, levels=len(self.links) + 1,
                           peak_bytes=max(self.peak, self._stored()), tables=self.tables,
                           **found)

