"""The breadth-first search every refinement check walks: level by level, so the
counterexample it returns is a shortest one.

A refinement search (:mod:`procalg.checks.refinement`,
:mod:`procalg.checks.refusal_refinement`) visits (spec, implementation) pairs
in order of depth -- moves from the root, τ included -- and stops at the first
violation. Its violations come in two lengths: one *at* a pair of depth
``d`` (a failure, a divergence: ``d`` moves) and one *a move further* (a
trace violation met while expanding the pair, a revival or refusal-testing
violation: the pair's path and one event, ``d + 1`` moves). A queue that
returns the first violation it meets can return a ``d + 1`` one while a
pair of depth ``d`` further along the same level still holds a ``d``-move
one. :class:`LevelSearch` therefore keeps the first further violation of a
level aside, stops expanding, finishes the level's checks, and returns it
only when none of them fails -- as the bulk product search
(:mod:`procalg.lts.refine_product`) does.

Cost: each pair is visited once, O(P · d) for P pairs of out-degree d, on top
of what the subclass's visit costs.

Example:
    >>> class Tree(LevelSearch):  # 0 reaches 1 and 2; 1 fails a move further, 2 at 2
    ...     def visit(self, pair, deeper, expand):
    ...         if pair == 0:
    ...             self.reach(1, 0, deeper)
    ...             self.reach(2, 0, deeper)
    ...         return {1: (None, "after 1"), 2: (self.failing, None)}.get(pair, (None, None))
    >>> search = Tree(None)
    >>> search.failing = "at 2"
    >>> search.search(0)  # one move from 0, where "after 1" is two
    'at 2'
    >>> search = Tree(None)
    >>> search.failing = None
    >>> search.search(0)
    'after 1'
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from procalg.errors import LimitExceeded

V = TypeVar("V")
"""What a violation is (a counterexample)."""


class LevelSearch(Generic[V]):
    """Breadth-first search over pairs, level by level (subclasses say what a
    pair's visit finds and what it reaches).

    Attributes:
        parent: each reached pair -> the link it was reached by (None for the root).
        edges: moves looked at.
        max_states: stop with :class:`LimitExceeded` past this many pairs (None: no limit).
    """

    def __init__(self, max_states: int | None) -> None:
        self.parent: dict[Any, Any] = {}
        self.edges = 0
        self.max_states = max_states

    def visit(self, pair: Any, deeper: list[Any], expand: bool) -> tuple[V | None, V | None]:
        """Check ``pair``; with ``expand``, reach its successors (:meth:`reach`).

        Returns:
            A violation at the pair's own depth (returned at once) and one a move
            further (returned once the level's own checks all pass), or None.
        """
        raise NotImplementedError

    def search(self, root: Any) -> V | None:
        """The violation nearest ``root`` (in moves), or None if there is none."""
        self.parent[root] = None
        level = [root]
        while level:
            deeper: list[Any] = []
            late: V | None = None  # a violation one move further than this level
            for pair in level:
                now, further = self.visit(pair, deeper, late is None)
                if now is not None:
                    return now
                if late is None:
                    late = further
            if late is not None:
                return late
            level = deeper
        return None

    def reach(self, child: Any, link: Any, deeper: list[Any]) -> None:
        """Queue ``child`` on the next level, reached by ``link``, unless seen.

        Raises:
            LimitExceeded: more than ``max_states`` pairs.
        """
        if child in self.parent:
            return
        self.parent[child] = link
        deeper.append(child)
        if self.max_states is not None and len(self.parent) > self.max_states:
            raise LimitExceeded(
                f"refinement check stopped after {self.max_states} product states",
                states=len(self.parent), transitions=self.edges,
                hint="raise the state limit, or minimise the implementation")
