"""The least of the shortest paths to a BFS level's goal states, on an explored walk.

A path counterexample (deadlock, divergence, reachability, compensation) is
the same on every engine (``docs/checks.md``, "Which counterexample procalg
shows"): among the shortest paths (fewest moves, τ counted) to a state the
property picks, the least, comparing label names position by position (τ is
the name ``"τ"``). The set of label sequences of paths is the same for
strongly bisimilar LTSs, so the product engine's reduced components give the
same path as the term-level reference. This module computes it on an
:class:`~procalg.lts.exploration.Exploration` (the reference); the product
engine's bulk form is :func:`procalg.lts.product.least_path`.

The goal states of one level are gathered first (:func:`level_goals`: the
walk stops at the first; the level's later states are asked directly, not
numbered, so the walk's state count and limit stay those of the first
witness), then the states on some shortest path to one are gathered backwards
level by level, and the path walks forwards through them taking the least
label each time (every state that label reaches).

Complexity: O(S + T) for the states and moves explored so far.

Example:
    >>> from procalg.lts.lts import LTS
    >>> lts = LTS.build(4, 0, ["a", "b"], [(0, "b", 1), (0, "a", 2), (1, "a", 3),
    ...                                      (2, "b", 3)])
    >>> walk = Exploration(lts)
    >>> moves = [edges for _, edges in walk]
    >>> labels, came = least_path(walk, moves, [3])
    >>> labels, sorted(came[-1])
    (['a', 'b'], [3])
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

from procalg.errors import ProcalgError
from procalg.lts.exploration import Edges, Exploration

Node = TypeVar("Node", bound=Any)
"""A node of the graph a path walks: a state number, or a (state, events done) pair."""


def least_path(walk: Exploration, moves: Sequence[Edges], targets: Iterable[int]
               ) -> tuple[list[str], list[dict[int, int]]]:
    """The least (by label names) shortest path to one of ``targets`` (states of one
    BFS level; ``moves`` holds the edges of every state of the levels before): its
    labels, and per step the states it reaches with a parent of each (the last step's:
    every target it can end in)."""
    level = walk.level
    cone = [set(targets)]
    depth = level[next(iter(cone[0]))]
    preds: dict[int, list[int]] = {}
    for s, out in enumerate(moves):
        if level[s] < depth:
            for _, d in out:
                if level[d] == level[s] + 1:
                    preds.setdefault(d, []).append(s)
    for _ in range(depth):
        cone.append({p for s in cone[-1] for p in preds.get(s, ())})
    cone.reverse()
    return least_walk(0, cone, lambda s: ((walk.labels[c], d) for c, d in moves[s]))


def least_walk(start: Node, cone: Sequence[Collection[Node]],
               moves: Callable[[Node], Iterable[tuple[str, Node]]]
               ) -> tuple[list[str], list[dict[Node, Node]]]:
    """The least path from ``start`` through the ``cone`` (per step, the nodes on
    some shortest path to a goal: ``cone[0]`` holds ``start``, the last the goals
    it may end in), taking the least label name each step (every node it reaches):
    its labels, and per step the nodes it reaches with the least parent of each.

    Example:
        >>> graph = {0: [("b", 1), ("a", 2)], 1: [("a", 3)], 2: [("b", 3)]}
        >>> least_walk(0, [{0}, {1, 2}, {3}], graph.__getitem__)
        (['a', 'b'], [{0: 0}, {2: 0}, {3: 2}])
    """
    here, came, labels = [start], [{start: start}], []
    for j in range(len(cone) - 1):
        step = [(name, s, d) for s in here for name, d in moves(s) if d in cone[j + 1]]
        least = min(name for name, _, _ in step)
        parent: dict[Node, Node] = {}
        for name, s, d in step:
            if name == least:
                parent[d] = min(parent.get(d, s), s)
        came.append(parent)
        labels.append(least)
        here = sorted(parent)
    return labels, came


def end_key(kind: str, offered: frozenset[str]) -> tuple[bool, tuple[str, ...]]:
    """The order among the end states of a refinement's least failing path (they
    share the spec's normal node): a divergence first, then the least offer (its
    event names sorted, compared as a sequence).

    Example:
        >>> end_key("failure", frozenset({"b", "a"})) < end_key("failure", frozenset({"b"}))
        True
        >>> end_key("divergence", frozenset({"z"})) < end_key("failure", frozenset())
        True
    """
    return kind != "divergence", tuple(sorted(offered))


def run_to(came: Sequence[dict[Node, Node]], end: Node) -> list[Node]:
    """The nodes of :func:`least_walk`'s path that ends in ``end``, the start first.

    Example:
        >>> run_to([{0: -1}, {2: 0}, {5: 2}], 5)
        [0, 2, 5]
    """
    run = [end]
    for parent in reversed(came[1:]):
        run.append(parent[run[-1]])
    return run[::-1]


def level_goals(walk: Exploration, first: int, name: str,
                goal: Callable[[int, list[tuple[str, int | None]]], str | None]
                ) -> dict[int, str]:
    """The goal states of ``first``'s BFS level: ``first`` (the walk's first witness,
    its path to end with ``name``) and the later states of that level whose moves
    (label names, with the target's number where the walk knows it) ``goal``
    accepts, with the name it gives (``""``: none). A later state whose expansion
    raises a model error is no goal: the verdict was fixed by ``first``, met before.

    Example:
        >>> from procalg.lts.lts import LTS
        >>> walk = Exploration(LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "a", 2)]))
        >>> _ = walk.successors(0)
        >>> level_goals(walk, 1, "", lambda s, moves: None if moves else "")
        {1: '', 2: ''}
    """
    found: dict[int, str] = {first: name}
    depth, system = walk.level[first], walk.system
    later = first + 1
    while later < walk.num_states and walk.level[later] == depth:
        try:
            raw = system.successors(walk.states[later])
            moves = [(label if isinstance(label, str) else str(label), walk.index.get(target))
                     for label, target in raw]
        except ProcalgError:
            moves = None
        picked = None if moves is None else goal(later, moves)
        if picked is not None:
            found[later] = picked
        later += 1
    return found


def least_goal_path(walk: Exploration, moves: Sequence[Edges], goals: dict[int, str]
                    ) -> tuple[list[str], list[int]]:
    """The least shortest path to one of ``goals`` (:func:`level_goals`), its goal's
    name appended if any (the least among the goals the least path reaches), and
    its states (the least goal state with that name last).

    Example:
        >>> from procalg.lts.lts import LTS
        >>> walk = Exploration(LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2)]))
        >>> moves = [walk.successors(0)]
        >>> least_goal_path(walk, moves, {1: "b", 2: "a"})
        (['a', 'a'], [0, 2])
    """
    labels, came = least_path(walk, moves, goals)
    name = min(goals[s] for s in came[-1])
    end = min(s for s in came[-1] if goals[s] == name)
    return [*labels, *([name] if name else [])], run_to(came, end)


Goal = Callable[[int, list[tuple[str, "int | None"]]], "str | None"]
"""A property's goal over one state: its number and moves (label names, targets
where numbered) to the name its path ends with (``""``: none), or None."""


def walk_to_goal(walk: Exploration, goal: Goal,
                 after: Callable[[Edges], None] | None = None
                 ) -> tuple[list[str], list[int]] | None:
    """Expand ``walk`` in BFS order until a state meets ``goal`` (``after`` sees each
    other state's edges), then :func:`least_goal_path` over that state's level;
    None where no state does.

    Example:
        >>> from procalg.lts.lts import LTS
        >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "b", 1), (0, "a", 2)])
        >>> walk_to_goal(Exploration(lts), lambda s, moves: None if moves else "")
        (['a'], [0, 1])
    """
    moves: list[Edges] = []
    for number, edges in walk:
        moves.append(edges)
        name = goal(number, walk.edge_names(edges))
        if name is not None:
            return least_goal_path(walk, moves, level_goals(walk, number, name, goal))
        if after is not None:
            after(edges)
    return None
