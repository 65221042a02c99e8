"""What to draw when an LTS is too big to draw whole.

A picture of a few thousand states is a grey smear and takes ``dot`` minutes.
:func:`sketch` picks what helps instead, and says which in words:

1. the LTS itself, when it fits;
2. its branching-bisimulation quotient, when that fits (it keeps every
   trace, deadlock and divergence a picture can show, so a highlighted
   counterexample still has its path);
3. otherwise a neighbourhood: the highlighted trace's path and the states one
   step off it, or breadth-first from the initial state until the limit, with
   the states whose moves were cut off marked as a frontier (drawn dashed,
   with a "…").

Breadth-first selection is O(n + m) over the states it looks at; the quotient
is the signature refinement of :mod:`procalg.lts.partition` and is tried only
below :data:`QUOTIENT_LIMIT` states.

Example:
    >>> ring = LTS.build(500, 0, ["a"], [(i, "a", (i + 1) % 500) for i in range(500)])
    >>> drawn = sketch(ring, limit=50)
    >>> drawn.lts.num_states, drawn.note
    (1, 'the branching-bisimulation quotient: 1 of 500 states')
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from procalg.lts.dot import trace_path
from procalg.lts.lts import LTS
from procalg.lts.partition import Bisimulation, minimize

QUOTIENT_LIMIT = 200_000
"""Largest LTS whose quotient is computed for a picture (beyond it the wait is not worth it)."""


@dataclass(frozen=True)
class Sketch:
    """What to draw: an LTS within the limit, its cut-off states, and what it is.

    Attributes:
        lts: the LTS to draw.
        frontier: states of ``lts`` that have moves not drawn.
        note: what was drawn instead of the whole LTS, in words ("" for the whole).
        origin: for a neighbourhood, the original state of each drawn state.
    """

    lts: LTS
    frontier: frozenset[int] = frozenset()
    note: str = ""
    origin: tuple[int, ...] | None = None


def sketch(lts: LTS, limit: int, *, trace: Sequence[str] | None = None) -> Sketch:
    """The whole LTS, its quotient, or a neighbourhood: the first that fits ``limit`` states.

    Raises:
        ProcalgError: ``trace`` is not a trace of ``lts``.
    """
    if lts.num_states <= limit:
        return Sketch(lts)
    if lts.num_states <= QUOTIENT_LIMIT:
        quotient = minimize(lts, Bisimulation.BRANCHING)
        if quotient.num_states <= limit:
            return Sketch(quotient, note=f"the branching-bisimulation quotient: "
                          f"{quotient.num_states} of {lts.num_states} states")
    seeds = [lts.initial]
    if trace is not None:
        _, on_path = trace_path(lts, trace)
        seeds += sorted(on_path - {lts.initial})
    # around a trace, its path and the moves that leave it: what a reader of a
    # counterexample asks ("what else could have happened here?")
    chosen = _nearest(lts, seeds, limit, depth=1 if trace is not None else None)
    if len(chosen) == lts.num_states:  # the highlighted path alone passes every state
        return Sketch(lts)
    part, frontier = _induced(lts, chosen)
    what = ("the highlighted trace's path and the states one step off it" if trace is not None
            else "the states nearest the initial state")
    return Sketch(part, frontier, f"{what}: {part.num_states} of {lts.num_states} "
                  f"(dashed states have moves not drawn)", tuple(chosen))


def _nearest(lts: LTS, seeds: list[int], limit: int, depth: int | None = None) -> list[int]:
    """The seeds (all of them: a highlighted path is drawn whole), then breadth-first
    from them up to ``limit`` states and ``depth`` steps from a seed."""
    chosen = list(dict.fromkeys(seeds))
    seen = set(chosen)
    queue = deque((s, 0) for s in chosen)
    while queue and len(chosen) < limit:
        state, steps = queue.popleft()
        if depth is not None and steps >= depth:
            continue
        for target in lts.dst[lts.out_range(state)].tolist():
            if target not in seen and len(chosen) < limit:
                seen.add(target)
                chosen.append(target)
                queue.append((target, steps + 1))
    return chosen


def _induced(lts: LTS, chosen: list[int]) -> tuple[LTS, frozenset[int]]:
    """The transitions among ``chosen`` (renumbered in order) and the states cut off."""
    number = np.full(lts.num_states, -1, dtype=np.int64)
    number[chosen] = np.arange(len(chosen))
    src, dst = number[lts.src], number[lts.dst]
    inside = (src >= 0) & (dst >= 0)
    cut = np.unique(src[(src >= 0) & (dst < 0)])
    names = [lts.state_names[s] for s in chosen] if lts.state_names else None
    part = LTS.from_arrays(len(chosen), int(number[lts.initial]), lts.labels, src[inside],
                           lts.label[inside], dst[inside], hidden=lts.hidden, state_names=names)
    return part, frozenset(cut.tolist())
