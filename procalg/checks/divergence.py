"""``assert P :[divergence free]``: no reachable cycle of τ transitions.

A process diverges when it can perform internal actions forever; as in FDR
only τ counts (hidden events become τ in the semantics), and a τ self-loop
is a divergence. The check explores breadth-first and stops at once on a τ
self-loop; otherwise it collects the τ-edges and runs Tarjan's strongly
connected components algorithm (R. E. Tarjan, "Depth-first search and
linear graph algorithms", SIAM J. Comput. 1(2), 1972), iteratively so deep
graphs hit no recursion limit. A component with two or more states is a
τ-cycle. States are numbered in BFS order, so the component's smallest
number is its entry nearest the initial state, and the reported trace is a
shortest path to that entry (among cycles found after a full search).

On a network, :func:`check_divergence_product` asks the product engine for
the same thing in bulk (:func:`procalg.lts.product.tau_lasso`: a full
search, then the states without τ-successors peeled off round by round).
This module is the property's one home; both give a :class:`CheckResult`.

Complexity: O(S + T) time, O(S + T_τ) integers of memory.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(4, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 3), (3, "τ", 1)])
    >>> r = check_divergence(lts)
    >>> r.passed, r.counterexample.trace, r.counterexample.cycle
    (False, ('a',), ('τ', 'τ', 'τ'))
"""

from __future__ import annotations

import time
from array import array
from collections import deque
from typing import Any

from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts.exploration import Exploration
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TransitionSystem
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Limits, tau_lasso


def check_divergence(system: TransitionSystem[Any] | LTS, *,
                     max_states: int | None = None) -> CheckResult:
    """Check that no reachable state can perform τ forever.

    Args:
        system: a transition system, or an LTS.
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS, or FAIL with the trace to the cycle's entry (``trace``;
        ``full_path``/``states`` with τ) and the cycle (``cycle``).

    Example:
        >>> from procalg.lts import LTS
        >>> check_divergence(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])).passed
        True
        >>> check_divergence(LTS.build(1, 0, [], [(0, "τ", 0)])).counterexample.cycle
        ('τ',)
    """
    started = time.perf_counter()
    walk = Exploration(system, max_states=max_states)
    tau_src, tau_dst = array("i"), array("i")
    for number, edges in walk:
        for code, target in edges:
            if code == TAU_INDEX:
                if target == number:
                    return _failure(walk, [number], started)
                tau_src.append(number)
                tau_dst.append(target)
    offsets, targets = _adjacency(walk.num_states, tau_src, tau_dst)
    component = _first_cycle_component(walk.num_states, offsets, targets)
    if component is not None:
        return _failure(walk, _cycle_through(min(component), component, offsets, targets),
                        started)
    return CheckResult(Verdict.PASS, None, _stats(walk, started), message="divergence free")


def check_divergence_product(network: Network, limits: Limits = NO_LIMITS) -> CheckResult:
    """:func:`check_divergence` on a network, its product searched in bulk.

    Args:
        network: a closed network (:func:`procalg.lts.network.close`).
        limits: how far the search may go (:class:`~procalg.lts.product.Limits`).

    Returns:
        PASS, or FAIL with a shortest trace to a state that can do τ forever
        (``full_path`` with τ) and a τ-loop reached from it (``cycle``).

    Example:
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 1)])
        >>> r = check_divergence_product(close(component(p)))
        >>> r.passed, r.counterexample.trace, r.counterexample.cycle
        (False, ('a',), ('τ', 'τ'))
    """
    found = tau_lasso(network, limits)
    stats = Stats.of_search(found)
    if not found.found:
        return CheckResult(Verdict.PASS, None, stats, "divergence free")
    note = "divergence: after this trace the process can do τ forever"
    return CheckResult(Verdict.FAIL, Counterexample(found.trace, cycle=found.cycle,
                                                    full_path=found.path, note=note),
                       stats, note)


def _adjacency(n: int, src: array, dst: array) -> tuple[list[int], list[int]]:
    """Compressed adjacency lists (offsets, targets) of the τ-subgraph."""
    counts = [0] * (n + 1)
    for s in src:
        counts[s + 1] += 1
    for i in range(n):
        counts[i + 1] += counts[i]
    fill, targets = counts[:-1], [0] * len(src)
    for s, d in zip(src, dst, strict=True):
        targets[fill[s]] = d
        fill[s] += 1
    return counts, targets


def _first_cycle_component(n: int, offsets: list[int], targets: list[int]) -> list[int] | None:
    """Iterative Tarjan: the non-trivial SCC with the smallest state number, if any."""
    index, low = [-1] * n, [0] * n
    on_stack = bytearray(n)
    stack: list[int] = []
    best: list[int] | None = None
    counter = 0
    for root in range(n):
        if index[root] >= 0 or offsets[root] == offsets[root + 1]:
            continue
        work = [(root, offsets[root])]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        while work:
            v, i = work[-1]
            if i < offsets[v + 1]:
                work[-1] = (v, i + 1)
                w = targets[i]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = 1
                    work.append((w, offsets[w]))
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            work.pop()
            if work and low[v] < low[work[-1][0]]:
                low[work[-1][0]] = low[v]
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack[w] = 0
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1 and (best is None or min(component) < min(best)):
                    best = component
    return best


def _cycle_through(entry: int, component: list[int], offsets: list[int],
                   targets: list[int]) -> list[int]:
    """A shortest τ-cycle from ``entry`` back to itself inside its component (BFS)."""
    members = set(component)
    parent = {entry: -1}
    queue = deque([entry])
    while queue:
        v = queue.popleft()
        for w in targets[offsets[v]:offsets[v + 1]]:
            if w == entry:
                cycle = [v]
                while parent[cycle[-1]] >= 0:
                    cycle.append(parent[cycle[-1]])
                return cycle[::-1]
            if w in members and w not in parent:
                parent[w] = v
                queue.append(w)
    raise AssertionError("a strongly connected component has a cycle through each member")


def _failure(walk: Exploration, cycle: list[int], started: float) -> CheckResult:
    """``cycle`` lists the cycle's states, its entry first."""
    entry = cycle[0]
    trace = walk.trace_to(entry)
    loop = " → ".join(str(walk.state_id(s)) for s in [*cycle, entry])
    return CheckResult(
        Verdict.FAIL,
        Counterexample(
            trace,
            cycle=(TAU,) * len(cycle),
            full_path=walk.full_path_to(entry),
            states=walk.path_states(entry),
            note=f"divergence: after this trace the process can do τ forever ({loop})",
        ),
        _stats(walk, started),
        message=f"divergence after {len(trace)} visible events",
    )


def _stats(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)
