"""Strongly connected components of big graphs on integer arrays.

Products of an LTS with a Büchi automaton reach millions of nodes, where a
Python loop per edge costs tens of seconds. Big pieces are therefore split by
the forward–backward algorithm (L. K. Fleischer, B. Hendrickson, A. Pinar,
"On identifying strongly connected components in parallel", IPDPS 2000):
the nodes both reachable from a pivot and reaching it form its component,
and the rest falls into three pieces that no component crosses. Each search
is a breadth-first search done level by level on numpy arrays. Nodes without
a predecessor or successor in their piece are trimmed first (McLendon et al.,
"Finding strongly connected components in distributed graphs", JPDC 2005),
and pieces below ``small`` nodes go to Tarjan's algorithm (SIAM J. Comput.
1(2), 1972), iterative so that long paths hit no recursion limit.

Complexity: Tarjan is O(V + E); forward–backward is O(V + E) per pivot, and
the pieces it leaves shrink, which on products (one large component and a
tail of small ones) takes a handful of rounds.

Example:
    >>> offsets, dst = np.array([0, 1, 2, 3, 3]), np.array([1, 0, 2])
    >>> sorted(sorted(c.tolist()) for c in components(4, offsets, dst, small=0))
    [[0, 1], [2]]
"""

from __future__ import annotations

import numpy as np

SMALL = 20_000
"""Pieces with fewer nodes than this go to Tarjan's algorithm."""


def components(n: int, offsets: np.ndarray, dst: np.ndarray, *,
               small: int = SMALL) -> list[np.ndarray]:
    """The nontrivial strongly connected components (two or more nodes, or a
    self-loop) of the graph with edges ``offsets``/``dst`` (sorted by source)."""
    src = np.repeat(np.arange(n), np.diff(offsets))
    order = np.argsort(dst, kind="stable")
    back_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=back_offsets[1:])
    forward, backward = (offsets, dst), (back_offsets, src[order])
    result: list[np.ndarray] = []
    pieces = [np.arange(n)]
    while pieces:
        piece = pieces.pop()
        if len(piece) >= small:  # trimming costs O(E): worth it for big pieces only
            piece = _trimmed(piece, offsets, dst, n)
        if len(piece) < max(small, 1):
            if len(piece):
                result.extend(_tarjan_piece(piece, offsets, dst, n))
            continue
        inside = np.zeros(n, dtype=bool)
        inside[piece] = True
        pivot = piece[0]
        ahead = _reach(forward, pivot, inside)
        behind = _reach(backward, pivot, inside)
        both = ahead & behind
        comp = np.flatnonzero(both)
        if len(comp) > 1 or pivot in dst[offsets[pivot]:offsets[pivot + 1]]:
            result.append(comp)
        for part in (ahead & ~both, behind & ~both, inside & ~ahead & ~behind):
            nodes = np.flatnonzero(part)
            if len(nodes):
                pieces.append(nodes)
    return result


def _trimmed(piece: np.ndarray, offsets: np.ndarray, dst: np.ndarray, n: int,
             rounds: int = 3) -> np.ndarray:
    """``piece`` without nodes that have no successor or no predecessor in it
    (they lie on no cycle), repeated a few rounds; O(edges of the piece)."""
    inside = np.zeros(n, dtype=bool)
    inside[piece] = True
    counts = offsets[piece + 1] - offsets[piece]
    idx = np.repeat(offsets[piece] - np.cumsum(counts) + counts, counts)
    s = np.repeat(piece, counts)
    d = dst[idx + np.arange(int(counts.sum()))]
    for _ in range(rounds):
        keep = inside[s] & inside[d]
        s, d = s[keep], d[keep]
        alive = np.zeros(n, dtype=bool)
        alive[s] = True
        has_in = np.zeros(n, dtype=bool)
        has_in[d] = True
        alive &= has_in
        if alive.sum() == inside.sum():
            break
        inside = alive
    return np.flatnonzero(inside)


def _reach(graph: tuple[np.ndarray, np.ndarray], start: int, inside: np.ndarray) -> np.ndarray:
    """The nodes of ``inside`` reachable from ``start`` within it (as a mask)."""
    offsets, targets = graph
    seen = np.zeros(len(inside), dtype=bool)
    seen[start] = True
    scratch = np.zeros(len(inside), dtype=np.int64)
    frontier = np.array([start])
    while len(frontier):
        counts = offsets[frontier + 1] - offsets[frontier]
        total = int(counts.sum())
        if not total:
            break
        idx = np.repeat(offsets[frontier] - np.cumsum(counts) + counts, counts)
        nxt = targets[idx + np.arange(total)]
        nxt = nxt[inside[nxt] & ~seen[nxt]]
        seen[nxt] = True
        frontier = nxt[first_occurrences(nxt, scratch)]
    return seen


def first_occurrences(values: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct value, in order,
    without sorting (``scratch``: an int array indexable by every value;
    its contents are overwritten).

    Example:
        >>> first_occurrences(np.array([3, 1, 3, 2, 1]), np.zeros(4, dtype=np.int64)).tolist()
        [0, 1, 3]
    """
    positions = np.arange(len(values))
    scratch[values[::-1]] = positions[::-1]  # the last write, the first occurrence, wins
    return np.flatnonzero(scratch[values] == positions)


def _tarjan_piece(piece: np.ndarray, offsets: np.ndarray, dst: np.ndarray,
                  n: int) -> list[np.ndarray]:
    """Tarjan's algorithm on the subgraph induced by ``piece``."""
    ids = np.full(n, -1, dtype=np.int64)
    ids[piece] = np.arange(len(piece))
    counts = offsets[piece + 1] - offsets[piece]
    idx = np.repeat(offsets[piece] - np.cumsum(counts) + counts, counts)
    idx = idx + np.arange(int(counts.sum()))
    local_src = np.repeat(np.arange(len(piece)), counts)
    local_dst = ids[dst[idx]]
    keep = local_dst >= 0
    local_offsets = np.zeros(len(piece) + 1, dtype=np.int64)
    np.cumsum(np.bincount(local_src[keep], minlength=len(piece)), out=local_offsets[1:])
    found = tarjan(len(piece), local_offsets.tolist(), local_dst[keep].tolist())
    return [piece[np.array(c, dtype=np.int64)] for c in found]


def tarjan(n: int, offsets: list[int], targets: list[int]) -> list[list[int]]:
    """Tarjan's algorithm, iterative; the nontrivial components as node lists.

    Example:
        >>> sorted(sorted(c) for c in tarjan(3, [0, 1, 2, 3], [1, 0, 2]))
        [[0, 1], [2]]
    """
    index, low = [-1] * n, [0] * n
    on_stack = bytearray(n)
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        work = [(root, offsets[root])]
        while work:
            v, i = work[-1]
            end = offsets[v + 1]
            descended = False
            while i < end:
                w = targets[i]
                i += 1
                if index[w] == -1:
                    work[-1] = (v, i)
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = 1
                    work.append((w, offsets[w]))
                    descended = True
                    break
                if on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = 0
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in targets[offsets[v]:offsets[v + 1]]:
                    result.append(comp)
    return result
