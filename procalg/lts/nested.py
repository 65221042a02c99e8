"""A closed network as one component of another: priority and chase at any depth.

``prioritise``, ``prioritisepo`` and ``chase`` look at all the moves of a state,
so they cannot be synchronisation rules. Where one stands under an operator
other than hiding and renaming, its operand's network is compiled on its own
and becomes *one component* of the outer network, as FDR compiles such
operators into nested machines (Gibson-Robinson et al., "FDR3", TACAS 2014,
section 3): the component's local states are the inner network's packed codes,
and its successor function is the inner product's
(:meth:`~procalg.lts.vectors.Tables.successors`) followed by the filter
(:class:`~procalg.lts.priority.Preemption`). The component is explored whole
(a small one, or under a control operator: :func:`nested_lts`) or lazily, where
the outer product goes (:class:`~procalg.lts.lazy.LazyComponent` over a
:class:`NestedNetwork`, a frontier's states expanded in one batch).

Example:
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.priority import Preemption
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    >>> inner = NestedNetwork(close(component(p)), Preemption.ranks({"a": 0, "b": 1}))
    >>> inner.successors(inner.initial_state())
    [('a', 1)]
    >>> nested_lts(inner).num_states
    2
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import LTS, TICK
from procalg.lts.nested_space import space_lts
from procalg.lts.network import Network
from procalg.lts.priority import Preemption
from procalg.lts.vectors import Tables
from procalg.lts.visited import Visited

EAGER_LIMIT = 2_000
"""A nested network of at most this many states is explored whole where it may be lazy."""

DEEP = 8
"""Levels after which :func:`nested_lts` tries the whole code space (one step, not one a level)."""


class NestedNetwork:
    """A closed network with no lazy component, as a transition system whose
    states are its packed codes, each state's moves filtered by ``order``.

    Args:
        network: the inner network (closed; a ``throw`` already made final).
        order: the filter (None: every move).
    """

    def __init__(self, network: Network, order: Preemption | None) -> None:
        self.tables = Tables(network)
        if self.tables.lazy:
            raise ValueError("a nested network has no lazy components (its codes must stay)")
        self.order = order
        self.labels = self.tables.labels

    def initial_state(self) -> int:
        return self.tables.initial

    def successors(self, code: int) -> list[tuple[str, int]]:
        return self.successors_many([code])[0]

    def successors_arrays(self, codes: Sequence[int]
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The filtered moves of every state in ``codes``, in one product step:
        (index into ``codes``, target code, label index)."""
        # integer codes (Python ints when wide), not the search's V{8k} keys:
        # Tables.successors takes integers and gives integers back
        src, dst, lab = self.tables.successors(np.array(codes, dtype=self.tables.layout.dtype))
        if self.order is not None and len(src):
            keep = self.order.allowed(self.labels, len(codes), src, lab)
            src, dst, lab = src[keep], dst[keep], lab[keep]
        return src, dst, lab

    def successors_many(self, codes: Sequence[int]) -> list[list[tuple[str, int]]]:
        """The filtered moves of every state in ``codes``, per state."""
        src, dst, lab = self.successors_arrays(codes)
        out: list[list[tuple[str, int]]] = [[] for _ in codes]
        names = self.labels
        for s, d, a in zip(src.tolist(), dst.tolist(), lab.tolist(), strict=True):
            out[s].append((names[a], d))
        return out


def nested_lts(system: NestedNetwork, max_states: int | None = None) -> LTS:
    """``system`` explored whole, breadth first, a level per product step.

    States are numbered level by level (sorted within a level), the initial
    state 0. On int64 codes the search is in numpy, a level at a time (the
    visited set of :mod:`procalg.lts.visited`): a per-transition Python loop
    made a nested network of a million states cost minutes; wide codes keep
    the loop. A search still going after :data:`DEEP` levels is deep and
    narrow, a level costing numpy's overhead for a state or two: where the
    code space is small it is finished from the whole space in one step
    (:func:`~procalg.lts.nested_space.space_lts`, same states, same numbers).

    Raises:
        LimitExceeded: more than ``max_states`` states.
    """
    if system.tables.dtype != np.int64:
        return _nested_lts_loop(system, max_states)
    visited = Visited(np.array([system.initial_state()], dtype=np.int64))
    levels = [visited.frontier]
    moves: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    count = 1
    while len(frontier := levels[-1]):
        if len(levels) == DEEP and (whole := space_lts(system, max_states)) is not None:
            return whole
        src, dst, lab = system.successors_arrays(frontier)
        moves.append((frontier[src], lab, dst))
        levels.append(visited.add_level(dst))
        count += len(levels[-1])
        if max_states is not None and count > max_states:
            raise LimitExceeded(f"a nested network has more than {max_states} states",
                                states=count, hint="raise the limit")
    order = np.concatenate(levels)  # a state's number: its place in BFS order
    ranked = np.argsort(order, kind="stable")
    codes = order[ranked]
    visible = [x for x in system.labels if x not in ("τ", TICK)]
    table = ["τ", TICK, *visible]
    label_of = np.array([table.index(x) for x in system.labels], dtype=np.int64)
    src, lab, dst = (np.concatenate(column) for column in zip(*moves, strict=True))
    return LTS.from_arrays(len(order), 0, table, ranked[np.searchsorted(codes, src)],
                           label_of[lab], ranked[np.searchsorted(codes, dst)])


def _nested_lts_loop(system: NestedNetwork, max_states: int | None) -> LTS:
    """:func:`nested_lts` for wide (Python integer) codes, a transition at a time."""
    ids = {system.initial_state(): 0}
    frontier = [system.initial_state()]
    triples: list[tuple[int, str, int]] = []
    while frontier:
        fresh: list[int] = []
        for code, moves in zip(frontier, system.successors_many(frontier), strict=True):
            for label, target in moves:
                n = ids.get(target)
                if n is None:
                    n = ids[target] = len(ids)
                    fresh.append(target)
                    if max_states is not None and len(ids) > max_states:
                        raise LimitExceeded(f"a nested network has more than {max_states} "
                                            "states", states=len(ids),
                                            hint="raise the limit")
                triples.append((ids[code], label, n))
        frontier = fresh
    visible = [x for x in system.labels if x not in ("τ", TICK)]
    return LTS.build(len(ids), 0, visible, triples)


def nested_component(system: NestedNetwork, *, lazy: bool, max_states: int | None,
                     lazy_limit: int | None, name: str) -> tuple[LTS | LazyComponent, str]:
    """The outer network's component for ``system``, and how it was made (for
    the notes): whole when it may not be lazy or has at most
    :data:`EAGER_LIMIT` states, else lazy (its alphabet: the inner labels).

    Raises:
        LimitExceeded: a whole one has more than ``max_states`` states.
    """
    if not lazy:
        whole = nested_lts(system, max_states)
        return whole, _whole(whole)
    try:
        whole = nested_lts(system, EAGER_LIMIT)
        return whole, _whole(whole)
    except LimitExceeded:
        pass
    component = LazyComponent(system, system.labels,
                              max_states=lazy_limit, name=name)
    return component, "explored lazily, where the outer product goes"


def _whole(lts: LTS) -> str:
    n = lts.num_states
    return f"explored whole ({n} state{'' if n == 1 else 's'})"
