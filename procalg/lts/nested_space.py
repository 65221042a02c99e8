"""A small nested network explored over its whole code space in one product step.

A nested network (:mod:`procalg.lts.nested`: a priority's or ``chase``'s
operand, one component of an outer network) is explored breadth first, a
product step per level. Where its levels hold a state or two -- a counter under
``prioritise``, the falls rows of ``benchmarks/falls.py`` -- each step costs
numpy's per-call overhead (a few hundred microseconds) for a state or two: 2,000
levels took 0.6 s before a limit sent the operand to a priority scope.

When every component is whole and the product of their state counts (the code
space) is small, :func:`space_lts` fires *every* code of the space in one step
of the successor function (the filter included: it reads one state's moves, so
it does not care which others share the batch), then finds the reachable part
by a breadth-first search over those arrays in Python (no numpy call per
level), numbering states as the level-by-level search does: level by level,
by code within a level. Same LTS, same numbers.

Complexity: O(S × R) numpy work for the S codes of the space and the R rules,
then O(V + E) Python steps for the V reachable states and their E moves.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.nested import NestedNetwork
    >>> from procalg.lts.priority import Preemption
    >>> count = LTS.build(4, 0, ["up", "b"], [(i, "up", i + 1) for i in range(3)]
    ...                   + [(i, "b", 0) for i in range(4)])
    >>> system = NestedNetwork(close(component(count)), Preemption.ranks({"up": 0, "b": 1}))
    >>> lts = space_lts(system)
    >>> lts.num_states, sorted(lts.triples())[:2]
    (4, [(0, 'up', 1), (1, 'up', 2)])
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lts import LTS, TICK

if TYPE_CHECKING:
    from procalg.lts.nested import NestedNetwork

SPACE_LIMIT = 1 << 14
"""Largest code space :func:`space_lts` fires whole (one successor step over it
costs about as much as a few dozen single-state levels)."""


def space_codes(system: NestedNetwork) -> np.ndarray | None:
    """Every code of ``system``'s space, sorted, or None where that is not
    :func:`space_lts`'s to explore (wide codes, or more than :data:`SPACE_LIMIT`).

    Example:
        >>> from procalg.lts.lts import LTS
        >>> from procalg.lts.network import close, component, parallel
        >>> from procalg.lts.nested import NestedNetwork
        >>> two = LTS.build(2, 0, ["a"], [(0, "a", 1)])
        >>> len(space_codes(NestedNetwork(close(parallel(component(two), component(two),
        ...                                              set())), None)))
        4
    """
    layout = system.tables.layout
    radix = layout.radix
    if layout.wide or not radix or math.prod(radix) > SPACE_LIMIT:
        return None
    digits = np.indices(radix).reshape(len(radix), -1)
    return np.sort(layout.encode({c: digits[c] for c in range(len(radix))}))


def space_lts(system: NestedNetwork, max_states: int | None = None) -> LTS | None:
    """``system`` explored whole from its code space (None: not applicable,
    see :func:`space_codes`), numbered as :func:`~procalg.lts.nested.nested_lts`
    numbers it.

    Raises:
        LimitExceeded: more than ``max_states`` states are reachable.
    """
    codes = space_codes(system)
    if codes is None:
        return None
    src, dst, lab = system.successors_arrays(codes)
    order = np.argsort(src, kind="stable")  # moves grouped by source, in firing order
    src, lab, to = src[order], lab[order], np.searchsorted(codes, dst[order])
    start = int(np.searchsorted(codes, system.initial_state()))
    reached = _levels(start, np.searchsorted(src, np.arange(len(codes) + 1)).tolist(),
                      to.tolist(), max_states)
    number = np.full(len(codes), -1, dtype=np.int64)
    number[reached] = np.arange(len(reached))
    kept = number[src] >= 0  # moves of unreachable codes were fired too: drop them
    visible = [x for x in system.labels if x not in ("τ", TICK)]
    table = ["τ", TICK, *visible]
    label_of = np.array([table.index(x) for x in system.labels], dtype=np.int64)
    return LTS.from_arrays(len(reached), 0, table, number[src[kept]], label_of[lab[kept]],
                           number[to[kept]])


def _levels(start: int, starts: list[int], targets: list[int],
            max_states: int | None) -> list[int]:
    """The codes' indices reachable from ``start`` (moves of index ``i``:
    ``targets[starts[i]:starts[i + 1]]``), level by level, sorted within a level.

    Example:
        >>> _levels(0, [0, 2, 3, 3, 4], [3, 1, 2, 0], None)
        [0, 1, 3, 2]
    """
    seen = bytearray(len(starts) - 1)
    seen[start] = 1
    frontier, reached = [start], [start]
    while frontier:
        fresh = []
        for s in frontier:
            for d in targets[starts[s]:starts[s + 1]]:
                if not seen[d]:
                    seen[d] = 1
                    fresh.append(d)
        fresh.sort()  # indices into sorted codes: sorted by code, as a level's numbers are
        reached += fresh
        if max_states is not None and len(reached) > max_states:
            raise LimitExceeded(f"a nested network has more than {max_states} states",
                                states=len(reached), hint="raise the limit")
        frontier = fresh
    return reached
