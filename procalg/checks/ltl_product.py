"""The product of an LTS with a Büchi automaton, and its strongly connected
components.

Finite runs are made infinite first, as spin and LTSA do: a ✓ (or ``throw``)
step into a terminal state goes to a sink that repeats ✓ (or ``throw``) for
ever, and a deadlocked state repeats a pseudo-event ``deadlock``. The
product's node ``(s, n)`` means: the LTS is in ``s`` and the automaton in
``n``, so the step leaving ``s`` must satisfy ``n``'s literals. The product
is built on integer arrays, level by level from the initial nodes (a
breadth-first search, so parent edges give shortest prefixes), and its
components are found by Tarjan's algorithm (R. E. Tarjan, "Depth-first
search and linear graph algorithms", SIAM J. Comput. 1(2), 1972), iterative
so that long paths hit no recursion limit.

Complexity: O(|LTS| · |automaton|) time and integers.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "✓", 2)])
    >>> g = stutter_closed(lts)
    >>> g.labels[-1], g.num_states, g.terminal  # state 3: the sink after ✓
    ('deadlock', 4, (False, False, True, True))
    >>> [(int(s), g.labels[lab], int(d)) for s, lab, d in zip(g.src, g.label, g.dst)]
    [(0, 'a', 1), (1, '✓', 3), (2, 'deadlock', 2), (3, '✓', 3)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from procalg.checks.ltl_scc import first_occurrences
from procalg.lts.lts import LTS, TICK_INDEX
from procalg.reserved import THROW

DEADLOCK = "deadlock"
"""The name of the stutter step of a deadlocked run."""


@dataclass(frozen=True, eq=False)
class Closed:
    """An LTS in which every state has a successor (finite runs stutter).

    Attributes:
        labels: the LTS's labels, then ``deadlock`` (the last index).
        num_states: the LTS's states, then (if any ✓/``throw`` step ends a
            run) the sinks; ``terminal[s]`` says a state is such a sink or
            deadlocked (its only step is a stutter).
        src, label, dst: the transitions, stutter steps included, sorted by source.
        stutter: per transition, whether it is a stutter step (never an
            event for fairness).
        initial: the initial state.
    """

    labels: tuple[str, ...]
    num_states: int
    terminal: tuple[bool, ...]
    src: np.ndarray
    label: np.ndarray
    dst: np.ndarray
    stutter: np.ndarray
    initial: int


def stutter_closed(lts: LTS) -> Closed:
    """``lts`` with a sink after each ending step and a ``deadlock`` loop on
    each deadlocked state.

    Strong bisimulation may merge the state after ✓ with a deadlocked one
    (both have no steps), so how a run ended is read from its last step,
    not from the state it reaches.
    """
    n = lts.num_states
    src, lab, dst = (np.asarray(a, dtype=np.int64) for a in (lts.src, lts.label, lts.dst))
    has_out = np.bincount(src, minlength=n) > 0
    throw = lts.labels.index(THROW) if THROW in lts.labels else -1
    ends = (lab == TICK_INDEX) | (lab == throw)
    ends &= ~has_out[dst]
    sinks = [lb for lb in (TICK_INDEX, throw) if lb >= 0 and bool(np.any(ends & (lab == lb)))]
    sink_of = {lb: n + i for i, lb in enumerate(sinks)}
    dst = dst.copy()
    for lb, sink in sink_of.items():
        dst[ends & (lab == lb)] = sink
    total = n + len(sinks)
    dead = np.flatnonzero(~has_out)
    deadlock = len(lts.labels)
    loops_src = np.concatenate((dead, np.array(list(sink_of.values()), dtype=np.int64)))
    loops_lab = np.concatenate((np.full(len(dead), deadlock, dtype=np.int64),
                                np.array(list(sink_of.keys()), dtype=np.int64)))
    all_src = np.concatenate((src, loops_src))
    order = np.argsort(all_src, kind="stable")
    terminal = np.zeros(total, dtype=bool)
    terminal[loops_src] = True
    stutter = np.concatenate((np.zeros(len(src), bool), np.ones(len(loops_src), bool)))
    return Closed((*lts.labels, DEADLOCK), total, tuple(terminal.tolist()), all_src[order],
                  np.concatenate((lab, loops_lab))[order],
                  np.concatenate((dst, loops_src))[order], stutter[order], lts.initial)


@dataclass(frozen=True, eq=False)
class Graph:
    """A graph on nodes ``0..num_nodes-1`` with edges sorted by source.

    Attributes:
        edge: per edge, its index in the closed LTS's transition arrays.
        parent: per node, the edge that first reached it in the breadth-first
            build (``-1`` for initial nodes); nodes are numbered in that order.
        state, node: per product node, its LTS state and automaton node.
    """

    num_nodes: int
    offsets: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    edge: np.ndarray
    parent: np.ndarray
    state: np.ndarray
    node: np.ndarray


def product(closed: Closed, initial: tuple[int, ...], successors: tuple[tuple[int, ...], ...],
            allows: np.ndarray) -> Graph:
    """The part of the product reachable from ``(closed.initial, n)``, n initial.

    Args:
        closed: the stutter-closed LTS.
        initial, successors: the automaton's initial nodes and successor lists.
        allows: ``allows[n, l]``: whether a step labelled ``l`` satisfies node ``n``.
    """
    # a node's code is n * S + s: automaton-major, so that the parts below,
    # each sorted by LTS state, concatenate into an array sorted by code
    size = closed.num_states
    parts_src, parts_dst, parts_edge = [], [], []
    for n, succ in enumerate(successors):
        sel = np.flatnonzero(allows[n][closed.label])
        if not succ or not len(sel):
            continue
        rep = np.repeat(sel, len(succ))
        parts_src.append(closed.src[rep] + n * size)
        parts_dst.append(np.tile(np.array(succ, dtype=np.int64), len(sel)) * size
                         + closed.dst[rep])
        parts_edge.append(rep)
    empty = np.zeros(0, np.int64)
    src, dst, edge = ((np.concatenate(p) if p else empty)
                      for p in (parts_src, parts_dst, parts_edge))
    offsets = np.zeros(size * len(successors) + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=size * len(successors)), out=offsets[1:])
    start = np.array([n * size + closed.initial for n in initial], dtype=np.int64)
    found, parent = _breadth_first(offsets, dst, start) if len(start) else (empty, empty)
    return _graph(found, parent, offsets, dst, edge, size)


def _breadth_first(offsets: np.ndarray, dst: np.ndarray,
                   start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes in discovery order, and per code the edge that found it (-1: start)."""
    seen = np.zeros(len(offsets) - 1, dtype=bool)
    seen[start] = True
    scratch = np.zeros(len(offsets) - 1, dtype=np.int64)
    found, parents = [start], [np.full(len(start), -1, dtype=np.int64)]
    frontier = start
    while len(frontier):
        counts = offsets[frontier + 1] - offsets[frontier]
        total = int(counts.sum())
        if not total:
            break
        # the edge indices of every frontier node, as one array (ranges concatenated)
        starts = np.repeat(offsets[frontier] - np.cumsum(counts) + counts, counts)
        idx = starts + np.arange(total)
        targets = dst[idx]
        fresh = ~seen[targets]
        targets, idx = targets[fresh], idx[fresh]
        first = first_occurrences(targets, scratch)
        targets = targets[first]
        seen[targets] = True
        found.append(targets)
        parents.append(idx[first])
        frontier = targets
    return np.concatenate(found), np.concatenate(parents)


def _graph(found: np.ndarray, parent: np.ndarray, offsets: np.ndarray, dst: np.ndarray,
           edge: np.ndarray, size: int) -> Graph:
    """The reachable part renumbered in discovery order, its edges gathered
    node by node (no sort)."""
    ids = np.full(len(offsets) - 1, -1, dtype=np.int64)
    ids[found] = np.arange(len(found))
    counts = offsets[found + 1] - offsets[found]
    idx = np.repeat(offsets[found] - np.cumsum(counts) + counts, counts)
    idx = idx + np.arange(int(counts.sum()))
    new_offsets = np.zeros(len(found) + 1, dtype=np.int64)
    np.cumsum(counts, out=new_offsets[1:])
    # the parent edge, renumbered into this graph's edge order
    position = np.full(len(dst), -1, dtype=np.int64)
    position[idx] = np.arange(len(idx))
    par = np.full(len(found), -1, dtype=np.int64)
    if len(position):
        par = np.where(parent >= 0, position[np.maximum(parent, 0)], -1)
    return Graph(len(found), new_offsets, np.repeat(np.arange(len(found)), counts),
                 ids[dst[idx]], edge[idx], par, found % size, found // size)


def subgraph(g: Graph, nodes: np.ndarray, scratch: np.ndarray | None = None) -> Graph:
    """The subgraph induced by the sorted ``nodes`` (renumbered ``0..k-1`` in
    their order), in time proportional to their edges.

    Args:
        g: the graph.
        nodes: node numbers, ascending.
        scratch: ``g.num_nodes`` integers, all ``-1`` (left so on return); pass
            one to take many subgraphs without allocating it each time.
    """
    ids = np.full(g.num_nodes, -1, dtype=np.int64) if scratch is None else scratch
    ids[nodes] = np.arange(len(nodes))
    counts = g.offsets[nodes + 1] - g.offsets[nodes]
    idx = np.repeat(g.offsets[nodes] - np.cumsum(counts) + counts, counts)
    idx = idx + np.arange(int(counts.sum()))
    d = ids[g.dst[idx]]
    keep = d >= 0
    s = np.repeat(np.arange(len(nodes)), counts)[keep]
    ids[nodes] = -1
    offsets = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=len(nodes)), out=offsets[1:])
    return Graph(len(nodes), offsets, s, d[keep], g.edge[idx[keep]],
                 np.full(len(nodes), -1, dtype=np.int64), g.state[nodes], g.node[nodes])


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (sort-based: numpy's hash-based
    ``np.unique`` is many times slower on large integer arrays).

    Example:
        >>> distinct(np.array([3, 1, 3])).tolist()
        [1, 3]
    """
    values = np.sort(values)
    if len(values) == 0:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]
