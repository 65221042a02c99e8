"""Level parity of a network's product: when no move stays in its own BFS level.

A network *alternates* when a map ``h`` from global states to {0, 1} flips
on every move. Then every path from the initial state to a state ``s`` has
a length of the parity of ``h(s) + h(initial)``, so the BFS level of ``s``
has that parity too, and a successor of a level-``d`` state is never in
level ``d``: the level search need not look for it in the frontier
(:meth:`~procalg.lts.visited.Visited.unseen`). Dining philosophers are such
a network; about a third of their visited-set look-ups went to the frontier,
and none found anything there.

``h`` is sought as a sum, mod 2, of local colours: a component whose moves
(on the local labels some rule uses) form a bipartite graph gets a 2-colouring
``col_c``, each of its moves flips it, and ``h = Σ x_c · col_c`` over chosen
components flips on a rule's move iff the rule moves an odd number of chosen
components. Choosing them is a linear system over GF(2), one equation per
distinct set of bipartite components a rule moves (``Σ x_c = 1``), solved by
Gaussian elimination on bit masks. Lazy components (not known in advance)
and components with too many moves to colour cheaply are never chosen,
which only makes the answer "no" more often: the test is sound, not complete.
This is the bipartiteness argument for breadth-first layers (a graph is
bipartite iff no edge joins two vertices of the same BFS layer; Kleinberg
and Tardos, *Algorithm Design*, 2006, §3.4), applied to the product through
its components.

Example:
    >>> from procalg.lts.network import close, component, parallel
    >>> ring = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> alternates(close(parallel(component(ring), component(ring), {"a", "b"})))
    True
    >>> loop = LTS.build(1, 0, ["a"], [(0, "a", 0)])  # a move back into its own state
    >>> alternates(close(component(loop)))
    False
"""

from __future__ import annotations

from collections import deque

import numpy as np

from procalg.lts.lts import LTS
from procalg.lts.network import Network

MAX_MOVES = 1 << 18
"""Most local moves coloured in Python, over all components; past it, "no"."""


def alternates(network: Network) -> bool:
    """Whether some 0/1 map on the product's states flips on every move
    (so no move of a BFS level's state ends in that same level)."""
    used: dict[int, set[str]] = {}
    for rule in network.rules:
        for c, label in rule.parts:
            used.setdefault(c, set()).add(label)
    budget = MAX_MOVES
    flips: set[int] = set()  # components whose every used move flips a colour
    for c, labels in used.items():
        comp = network.components[c]
        if not isinstance(comp, LTS):
            continue
        moves = np.isin(comp.label, [i for i, n in enumerate(comp.labels) if n in labels])
        budget -= int(moves.sum())
        if budget < 0:
            return False
        if bipartite(comp.num_states, comp.src[moves], comp.dst[moves]):
            flips.add(c)
    rows = {sum(1 << c for c, _ in rule.parts if c in flips) for rule in network.rules}
    return odd_solution(rows)


def bipartite(states: int, src: np.ndarray, dst: np.ndarray) -> bool:
    """Whether the undirected graph of the edges ``src[i] -- dst[i]`` is 2-colourable.

    Example:
        >>> bipartite(3, np.array([0, 1, 2]), np.array([1, 2, 0]))  # a triangle
        False
        >>> bipartite(4, np.array([0, 1, 2, 3]), np.array([1, 2, 3, 0]))
        True
    """
    if np.any(src == dst):
        return False
    adjacent: list[list[int]] = [[] for _ in range(states)]
    for s, d in zip(src.tolist(), dst.tolist(), strict=True):
        adjacent[s].append(d)
        adjacent[d].append(s)
    colour = [-1] * states
    for start in range(states):
        if colour[start] >= 0:
            continue
        colour[start] = 0
        queue = deque([start])
        while queue:
            s = queue.popleft()
            for d in adjacent[s]:
                if colour[d] < 0:
                    colour[d] = 1 - colour[s]
                    queue.append(d)
                elif colour[d] == colour[s]:
                    return False
    return True


def odd_solution(rows: set[int]) -> bool:
    """Whether some 0/1 vector ``x`` has an odd number of ones in every row
    (a row is a bit mask of variables): ``A x = 1`` over GF(2), by Gaussian
    elimination (each pivot row clears its lowest bit from the rows after it).

    Example:
        >>> odd_solution({0b01, 0b11})  # x0 = 1, x0 + x1 = 1: x = (1, 0)
        True
        >>> odd_solution({0b01, 0b10, 0b11})  # x0 = x1 = 1 makes the last even
        False
        >>> odd_solution({0})  # a rule that moves no colourable component
        False
    """
    pivots: list[tuple[int, int]] = []  # (row, its right-hand side), lowest bits distinct
    for row in rows:
        rhs = 1
        for pivot, value in pivots:
            if row & (pivot & -pivot):
                row, rhs = row ^ pivot, rhs ^ value
        if row == 0:
            if rhs:  # 0 = 1: inconsistent
                return False
            continue
        low = row & -row
        pivots = [(p ^ row, v ^ rhs) if p & low else (p, v) for p, v in pivots]
        pivots.append((row, rhs))
    return True
