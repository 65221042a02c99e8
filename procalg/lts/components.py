"""Strongly connected components of a graph on integers (Tarjan 1972).

One implementation for every caller: τ-SCCs of an LTS (``lts/tau.py``), a
divergence check's τ-cycles (``checks/divergence.py``) and the call graph of a
model's definitions (``semantics/recursion_guard.py``). Plain lists, no numpy
and no networkx: the call-graph use runs on every model's load, where either
import would cost a check's start-up (``tests/test_startup.py``).

Complexity: O(n + m), iterative (no recursion limit on long chains).
Reference: R. E. Tarjan, "Depth-first search and linear graph algorithms",
SIAM J. Comput. 1(2), 1972.

Example:
    >>> strong_components([[1], [0, 2], []])
    [1, 1, 0]
"""

from __future__ import annotations

from collections.abc import Sequence


def strong_components(succ: Sequence[Sequence[int]]) -> list[int]:
    """The component number of every node ``0 … len(succ) - 1``.

    Components are numbered in reverse topological order: an edge between two
    components goes from a higher number to a lower one (Tarjan completes a
    component only after every component it reaches), which lets a caller
    close over successors by walking the numbers upwards.

    Args:
        succ: ``succ[v]`` lists the targets of ``v``'s edges (repeats allowed).

    Example:
        >>> strong_components([[1], [2], [1], []])  # 1 and 2 form a cycle
        [1, 0, 0, 2]
        >>> strong_components([[0]])  # a self-loop is a component of one node
        [0]
    """
    n = len(succ)
    index, low, comp = [-1] * n, [0] * n, [-1] * n
    stack: list[int] = []
    counter = count = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        while work:
            v, i = work[-1]
            if i < len(succ[v]):
                work[-1] = (v, i + 1)
                w = succ[v][i]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    work.append((w, 0))
                elif comp[w] < 0 and index[w] < low[v]:  # w is on the stack
                    low[v] = index[w]
                continue
            work.pop()
            if work and low[v] < low[work[-1][0]]:
                low[work[-1][0]] = low[v]
            if low[v] == index[v]:  # v roots a component: pop it off the stack
                while True:
                    w = stack.pop()
                    comp[w] = count
                    if w == v:
                        break
                count += 1
    return comp
