"""The refinement counterexample every engine shows: the least of the shortest.

A refinement search (:mod:`procalg.checks.refinement`) stops at the first BFS
level of (normal node, implementation state) pairs holding a violation. Which
pair of that level its queue met first depends on the order terms list their
moves; the counterexample shown does not (``docs/checks.md``, "Which
counterexample procalg shows"):

- the **path** is the least of the shortest paths to a violating pair of the
  level, label names compared position by position (τ is ``"τ"``), walked
  through the cone of pairs on some shortest path to one
  (:func:`~procalg.lts.least_paths.least_walk`);
- a **trace** violation ends with the least event the spec cannot do from a
  pair that path reaches;
- a **failure or divergence**: every pair that path reaches has the same
  normal node (the normal form is deterministic); of their implementation
  states, one that diverges (``[FD=``) comes first, else the one whose offered
  events, listed in name order, are the least sequence
  (:func:`~procalg.lts.least_paths.end_key`).

Cost: one more pass over the pairs of the search's levels (their moves are
cached by the lazy system), only when the check fails.

Example:
    >>> pair_levels({(0, "s"): None, (1, "t"): ((0, "s"), "a")})[1]
    [[0], [1]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from procalg.errors import ProcalgError
from procalg.lts.least_paths import least_walk, run_to

Pair = tuple[int, Any]


def pair_levels(parent: dict[Pair, Any]) -> tuple[list[Pair], list[list[int]]]:
    """The pairs of a breadth-first search numbered in the order it reached them,
    and their numbers by level (``parent`` maps a pair to ``(pair, label, ...)``,
    None for the root, and lists parents before children, as a BFS fills it).
    Numbers, not pairs, are walked: implementation states need not compare.

    Example:
        >>> pair_levels({(0, "s"): None, (1, "t"): ((0, "s"), "a"), (1, "u"): ((1, "t"), "τ")})
        ([(0, 's'), (1, 't'), (1, 'u')], [[0], [1], [2]])
    """
    depth: dict[Pair, int] = {}
    levels: list[list[int]] = []
    for number, (pair, link) in enumerate(parent.items()):
        d = 0 if link is None else depth[link[0]] + 1
        depth[pair] = d
        if d == len(levels):
            levels.append([])
        levels[d].append(number)
    return list(parent), levels


def violating_level(parent: dict[Pair, Any], hit: Pair
                    ) -> tuple[list[Pair], dict[Pair, int], list[list[int]], int]:
    """:func:`pair_levels` of a search that stopped at ``hit``, each pair's number,
    and the depth of ``hit``'s level (the first violating one).

    Example:
        >>> parent = {(0, "s"): None, (1, "t"): ((0, "s"), "a")}
        >>> violating_level(parent, (1, "t"))[1:]
        ({(0, 's'): 0, (1, 't'): 1}, [[0], [1]], 1)
    """
    pairs, levels = pair_levels(parent)
    number = {p: i for i, p in enumerate(pairs)}
    depth = next(d for d, level in enumerate(levels) if number[hit] in level)
    return pairs, number, levels, depth


def least_goals(levels: Sequence[list[int]], depth: int, goal: Callable[[int], Any | None],
                moves: Callable[[int], Iterable[tuple[Any, int]]]
                ) -> tuple[list[Any], Callable[[int], list[int]], dict[int, Any]]:
    """The least shortest path to a node of level ``depth`` that ``goal`` accepts
    (its answer not None; a node whose moves raise a model error is none: the
    verdict was fixed by a node met before): the path's labels, its nodes ending in
    a goal it reaches (:func:`~procalg.lts.least_paths.run_to`), and every goal it
    reaches with ``goal``'s answer. A label is a name, or anything that compares as
    the path's order does (refusal testing: an event's name, then the offer seen).

    Example:
        >>> graph = {0: [("b", 1), ("a", 2)], 1: [], 2: []}
        >>> labels, run, reached = least_goals([[0], [1, 2]], 1, lambda p: "x" if p else None,
        ...                                    graph.__getitem__)
        >>> labels, run(2), reached
        (['a'], [0, 2], {2: 'x'})
    """
    found: dict[int, Any] = {}
    for node in levels[depth]:
        try:
            seen = goal(node)
        except ProcalgError:
            continue
        if seen is not None:
            found[node] = seen
    cone: list[set[int]] = [set(found)]
    for j in range(depth - 1, -1, -1):
        cone.append({p for p in levels[j] if any(q in cone[-1] for _, q in moves(p))})
    cone.reverse()
    labels, came = least_walk(levels[0][0], cone, moves)
    reached = {p: found[p] for p in sorted(came[-1])}
    return labels, partial(run_to, came), reached
