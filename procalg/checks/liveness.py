"""Liveness: ``:[terminates]`` and ``:[ltl]: FORMULA``, with or without fairness.

The automata-theoretic method (M. Y. Vardi, P. Wolper, "An automata-theoretic
approach to automatic program verification", LICS 1986): translate the
negated formula to a Büchi automaton (``procalg.checks.ltl_buchi``), build its
product with the LTS (``procalg.checks.ltl_product``; finite runs stutter on
their last state), and look for a reachable strongly connected component
that visits every acceptance set and, under fairness, allows a fair run
(SCC-based emptiness as in J.-M. Couvreur, "On-the-fly verification of
linear temporal logic", FM 1999). Fairness is event fairness as PAT defines
it (J. Sun, Y. Liu, J. S. Dong, J. Pang, "PAT: Towards flexible verification
under fairness", CAV 2009):

* weak: an event enabled in every state from some point on happens
  infinitely often. A component allows a weakly fair run iff every event
  enabled in all of its states labels one of its edges (a run through every
  state and edge of the component is then fair).
* strong: an event enabled infinitely often happens infinitely often. A
  component allows one iff every event enabled in one of its states labels
  one of its edges; otherwise the states enabling a missing event are
  removed and the rest split into components again (Lichtenstein and
  Pnueli's Streett emptiness check).

Events are the visible events and ✓; τ is not an event, so fairness never
resolves an internal choice, a hidden event or a timeout's τ.

A violation is a lasso: a prefix from the initial state and a cycle that
repeats for ever, read off the LTS minimised modulo strong bisimulation and
numbered canonically (:mod:`procalg.lts.canonical`: every engine's LTS of a
process gives the same lasso; the stats stay the explored LTS's), built by
breadth-first searches inside the component
(through one node of every acceptance set and, under fairness, one edge of
every event the fairness condition demands).

Complexity: O((S + T) · |automaton|) time without fairness; strong fairness
adds a factor of the number of events in the worst case.

Example:
    >>> from procalg.lts import LTS
    >>> spin = LTS.build(2, 0, ["work", "stop"],
    ...                  [(0, "work", 0), (0, "stop", 1), (1, "✓", 1)])
    >>> r = check_terminates(spin)
    >>> r.passed, r.counterexample.trace, r.counterexample.cycle
    (False, (), ('work',))
    >>> check_terminates(spin, fairness=Fairness.WEAK).passed
    True
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np

from procalg.assertion_kinds import Fairness
from procalg.checks.ltl import Atom, Formula, Not, parse_formula, show
from procalg.checks.ltl_buchi import Buchi, translate
from procalg.checks.ltl_product import (
    Closed,
    Graph,
    distinct,
    product,
    stutter_closed,
    subgraph,
)
from procalg.checks.ltl_scc import components
from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.errors import LimitExceeded
from procalg.lts.canonical import canonical
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK_INDEX

TERMINATES = parse_formula("F (tick || throw)")
"""``:[terminates]``: every maximal run ends with ✓ or ``throw``."""


def check_terminates(lts: LTS, *, fairness: Fairness = Fairness.NONE,
                     max_states: int | None = None) -> CheckResult:
    """Check that every (fair) maximal run of ``lts`` ends with ✓ or ``throw``."""
    return check_ltl(lts, TERMINATES, fairness=fairness, terminates=True,
                     max_states=max_states)


def check_ltl(lts: LTS, formula: Formula, *, fairness: Fairness = Fairness.NONE,
              terminates: bool = False, max_states: int | None = None) -> CheckResult:
    """Check that ``formula`` holds on every (fair) run of ``lts``.

    Args:
        lts: the process, explored.
        formula: from :func:`procalg.checks.ltl.parse_formula`.
        fairness: which runs count.
        terminates: word the verdict as ``:[terminates]``.
        max_states: give up when the product has more states.

    Raises:
        LimitExceeded: the product is larger than ``max_states``.

    Example:
        >>> lts = LTS.build(2, 0, ["req", "ack"], [(0, "req", 1), (1, "ack", 0)])
        >>> check_ltl(lts, parse_formula("G (req -> F ack)")).passed
        True
        >>> r = check_ltl(lts, parse_formula("F G req"))
        >>> r.counterexample.trace, r.counterexample.cycle
        ((), ('req', 'ack'))
    """
    started = time.perf_counter()
    buchi = translate(Not(formula))
    search, found = _searched(lts, buchi, fairness, max_states)
    graph = search.graph
    stats = Stats(graph.num_nodes, len(graph.src), time.perf_counter() - started,
                  {"engine": "product", "automaton_states": buchi.num_nodes,
                   "lts_states": lts.num_states, "fairness": fairness.value or "none"})
    fair = f" {fairness.value}ly fair" if fairness is not Fairness.NONE else ""
    if found is None:
        message = (f"every{fair} run ends" if terminates
                   else f"{show(formula)} holds on every{fair} run")
        return CheckResult(Verdict.PASS, None, stats, message)
    # the lasso of the canonical LTS (strongly bisimilar: the same verdict), so
    # that every engine's LTS of the process shows the same one
    search, found = _searched(canonical(lts), buchi, fairness, None)
    assert found is not None, "a strongly bisimilar LTS fails the same formula"
    ce = search.lasso(found, terminates=terminates, fair=fair)
    return CheckResult(Verdict.FAIL, ce, stats, ce.note)


def _searched(lts: LTS, buchi: Buchi, fairness: Fairness, max_states: int | None
              ) -> tuple[_Search, tuple[Graph, np.ndarray] | None]:
    """The product of ``lts`` and ``buchi``, and its fair accepting component (or None).

    Raises:
        LimitExceeded: the product is larger than ``max_states``.
    """
    closed = stutter_closed(lts)
    graph = product(closed, buchi.initial, buchi.successors, _allows(buchi, closed.labels))
    if max_states is not None and graph.num_nodes > max_states:
        raise LimitExceeded(f"the product of the process and the formula's automaton has "
                            f"{graph.num_nodes:,} states, more than --max-states {max_states:,}",
                            hint="raise --max-states, or check a smaller instance")
    search = _Search(lts, closed, buchi, graph, fairness)
    return search, search.fair_accepting()


def _allows(buchi: Buchi, labels: tuple[str, ...]) -> np.ndarray:
    """``allows[n, l]``: whether a step labelled ``l`` satisfies node ``n``'s literals."""
    vectors = {}
    out = np.ones((buchi.num_nodes, len(labels)), dtype=bool)
    for n, literals in enumerate(buchi.literals):
        for lit in literals:
            atom = lit if isinstance(lit, Atom) else lit.operand
            if atom not in vectors:
                vectors[atom] = np.array([_matches(atom, i, labels) for i in range(len(labels))],
                                         dtype=bool)
            out[n] &= vectors[atom] if isinstance(lit, Atom) else ~vectors[atom]
    return out


def _matches(atom: Atom, index: int, labels: tuple[str, ...]) -> bool:
    """Whether the step labelled ``labels[index]`` matches ``atom`` (the last
    label is the deadlock stutter; τ matches nothing)."""
    deadlock, name = len(labels) - 1, labels[index]
    for p in atom.patterns:
        if p == "tick":
            hit = index == TICK_INDEX
        elif p == "deadlock":
            hit = index == deadlock
        else:
            hit = index not in (TAU_INDEX, TICK_INDEX, deadlock) and (
                name == p or name.startswith(p + "."))
        if hit:
            return True
    return False


class _Search:
    """Fair accepting components of one product, and lassos through them."""

    def __init__(self, lts: LTS, closed: Closed, buchi: Buchi, graph: Graph,
                 fairness: Fairness) -> None:
        self.lts, self.closed, self.buchi, self.graph = lts, closed, buchi, graph
        self.fairness = fairness
        self.scratch = np.full(graph.num_nodes, -1, dtype=np.int64)  # for subgraph()
        self.accepting = [np.isin(np.arange(buchi.num_nodes), sorted(f)) for f in buchi.accepting]
        # distinct (state, event) pairs, τ left out: what fairness counts as enabled
        keep = lts.label != TAU_INDEX
        width = len(closed.labels)
        pairs = distinct(np.asarray(lts.src[keep], dtype=np.int64) * width
                          + np.asarray(lts.label[keep], dtype=np.int64))
        self.pair_state, self.pair_label = pairs // width, pairs % width
        self.pair_offsets = np.zeros(closed.num_states + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.pair_state, minlength=closed.num_states),
                  out=self.pair_offsets[1:])

    def fair_accepting(self) -> tuple[Graph, np.ndarray] | None:
        """A fair accepting component nearest the initial state (its subgraph and
        the product nodes it has), or None."""
        best = None
        g = self.graph
        pending = [np.sort(c) for c in components(g.num_nodes, g.offsets, g.dst)]
        while pending:
            nodes = pending.pop()
            if best is not None and nodes[0] >= best[1][0]:
                continue
            if not all(acc[self.graph.node[nodes]].any() for acc in self.accepting):
                continue
            sub = subgraph(self.graph, nodes, self.scratch)
            missing = self._missing(sub)
            if not len(missing):
                best = (sub, nodes)
            elif self.fairness is Fairness.STRONG:
                drop = self._enabling(sub.state, missing)
                rest = nodes[~drop]
                if len(rest):
                    inner = subgraph(self.graph, rest, self.scratch)
                    pending.extend(rest[np.sort(c)] for c in
                                   components(inner.num_nodes, inner.offsets, inner.dst))
        return best

    def _enabled_counts(self, states: np.ndarray) -> np.ndarray:
        """Per label, in how many of the distinct ``states`` it is enabled."""
        states = distinct(states)
        counts = self.pair_offsets[states + 1] - self.pair_offsets[states]
        idx = np.repeat(self.pair_offsets[states] - np.cumsum(counts) + counts, counts)
        idx = idx + np.arange(int(counts.sum()))
        return np.bincount(self.pair_label[idx], minlength=len(self.closed.labels))

    def _engaged(self, sub: Graph) -> np.ndarray:
        edges = sub.edge[~self.closed.stutter[sub.edge]]
        return np.bincount(self.closed.label[edges], minlength=len(self.closed.labels)) > 0

    def _missing(self, sub: Graph) -> np.ndarray:
        """The events the fairness condition demands of the component but it never does."""
        if self.fairness is Fairness.NONE:
            return np.zeros(0, dtype=np.int64)
        counts = self._enabled_counts(sub.state)
        everywhere = len(distinct(sub.state))
        demanded = counts == everywhere if self.fairness is Fairness.WEAK else counts > 0
        return np.flatnonzero(demanded & ~self._engaged(sub))

    def _enabling(self, states: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Per state in ``states``, whether it enables one of ``labels``."""
        wanted = np.zeros(len(self.closed.labels), dtype=bool)
        wanted[labels] = True
        counts = self.pair_offsets[states + 1] - self.pair_offsets[states]
        idx = np.repeat(self.pair_offsets[states] - np.cumsum(counts) + counts, counts)
        idx = idx + np.arange(int(counts.sum()))
        hits = np.repeat(np.arange(len(states)), counts)[wanted[self.pair_label[idx]]]
        out = np.zeros(len(states), dtype=bool)
        out[hits] = True
        return out

    def lasso(self, found: tuple[Graph, np.ndarray], *, terminates: bool,
              fair: str) -> Counterexample:
        """The counterexample through the component ``found``."""
        sub, nodes = found
        closed, graph = self.closed, self.graph
        prefix: list[int] = []
        v = int(nodes[0])
        while graph.parent[v] >= 0:
            e = int(graph.parent[v])
            prefix.append(int(graph.edge[e]))
            v = int(graph.src[e])
        prefix.reverse()
        # the automaton may need stutter steps before it settles in the component
        names = [closed.labels[closed.label[e]] for e in prefix if not closed.stutter[e]]
        trace = tuple(n for n in names if n != TAU)
        end = int(sub.state[0])
        if closed.terminal[end]:
            ended = end >= self.lts.num_states
            if terminates:
                note = "deadlock: the run stops here without ✓ or throw"
            elif ended:
                note = f"the formula fails on this{fair} run, which ends here (and stutters)"
            else:
                note = f"the formula fails on this{fair} run, which deadlocks here (and stutters)"
            return Counterexample(trace, full_path=tuple(names), note=note)
        cycle = [closed.labels[closed.label[sub.edge[e]]] for e in self._cycle(sub)]
        note = (f"a{fair} run that never ends" if terminates
                else f"the formula fails on this{fair} run")
        return Counterexample(trace, cycle=tuple(cycle), full_path=tuple(names), note=note,
                              lasso=True)

    def _cycle(self, sub: Graph) -> list[int]:
        """Edges of ``sub`` from node 0 back to it, through every target."""
        closed = self.closed
        labels = closed.label[sub.edge].tolist()
        stutter = closed.stutter[sub.edge].tolist()
        node_of = sub.node.tolist()
        acc = [set(np.flatnonzero(a).tolist()) for a in self.accepting]
        want_labels: set[int] = set()
        want_disabled: set[int] = set()
        if self.fairness is not Fairness.NONE:
            counts = self._enabled_counts(sub.state)
            engaged = self._engaged(sub)
            for lab in np.flatnonzero(counts > 0).tolist():
                (want_labels if engaged[lab] else want_disabled).add(lab)
        enabled = {}

        def enables(node: int) -> set[int]:
            s = int(sub.state[node])
            if s not in enabled:
                lo, hi = self.pair_offsets[s], self.pair_offsets[s + 1]
                enabled[s] = set(self.pair_label[lo:hi].tolist())
            return enabled[s]

        def visit(node: int) -> None:
            acc[:] = [a for a in acc if node_of[node] not in a]
            want_disabled.difference_update(want_disabled - enables(node))

        visit(0)
        path: list[int] = []
        here = 0
        while acc or want_labels or want_disabled:
            def goal(e: int, d: int) -> bool:
                return ((not stutter[e] and labels[e] in want_labels)
                        or any(node_of[d] in a for a in acc)
                        or bool(want_disabled - enables(d)))
            step = self._path(sub, here, goal)
            for e in step:
                want_labels.discard(labels[e] if not stutter[e] else -1)
                visit(int(sub.dst[e]))
            path += step
            here = int(sub.dst[step[-1]])
        if path and here == 0:
            return path
        return path + self._path(sub, here, lambda e, d: d == 0)

    @staticmethod
    def _path(sub: Graph, start: int, goal) -> list[int]:
        """A shortest nonempty edge path from ``start`` whose last edge meets ``goal``."""
        offsets, dst = sub.offsets, sub.dst
        parent: dict[int, int] = {}
        queue = deque([start])
        seen = {start}
        while queue:
            v = queue.popleft()
            for e in range(int(offsets[v]), int(offsets[v + 1])):
                d = int(dst[e])
                if goal(e, d):
                    path = [e]
                    while v != start:
                        path.append(parent[v])
                        v = int(sub.src[parent[v]])
                    return path[::-1]
                if d not in seen:
                    seen.add(d)
                    parent[d] = e
                    queue.append(d)
        raise AssertionError("a strongly connected component reaches each of its targets")
