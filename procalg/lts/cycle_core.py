"""The states a graph's cycles may pass through: what peeling ends leaves.

A state no edge enters, or none leaves, is on no cycle; removing it may expose
others. Peeling both kinds, every round at once, until none is left (Kahn's
algorithm run from both ends, Kahn 1962) leaves a *core* holding every cycle
(and the paths between cycles): an edge with an end outside it is on no cycle.
O(rounds × edges) in numpy, no Python per edge.

Example:
    >>> src, dst = np.array([0, 1, 2, 3]), np.array([1, 2, 1, 0])
    >>> cycle_core(4, src, dst).tolist()  # 1 <-> 2 loop; 3 -> 0 -> 1 leads in
    [False, True, True, False]
"""

from __future__ import annotations

import numpy as np


def cycle_core(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Per state of ``0..n-1`` (edges ``src -> dst``), whether it is left once
    every state with no edge in or none out (among those left) is peeled.

    Example:
        >>> cycle_core(3, np.array([0, 2]), np.array([1, 2])).tolist()  # a self-loop
        [False, False, True]
    """
    alive = np.ones(n, dtype=bool)
    while True:
        into = np.bincount(dst, minlength=n) > 0
        out = np.bincount(src, minlength=n) > 0
        peel = alive & ~(into & out)
        if not peel.any():
            return alive
        alive &= ~peel
        both = alive[src] & alive[dst]
        src, dst = src[both], dst[both]
