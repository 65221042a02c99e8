"""Look ahead of the confluence screen: random walks from its frontier.

The τ-confluence screen (:mod:`procalg.lts.determinism_screen`,
:mod:`procalg.lts.determinism_confluence`) is a breadth-first search that
stops at the first state breaking its conditions; when that state lies deep,
the screen pays for nearly the whole space and then the normal form runs
anyway (Milner's scheduler, N=14, beside a process that may hide a choice
after six rounds: the screen met 2.0 M states in 1.7 s, to depth 239, for
nothing). A :class:`Probe` looks ahead: each time the screen's visited states
grow :data:`GROWTH`-fold past :data:`FIRST`, :data:`WALKERS` random walks
start at frontier states and take up to :data:`STEPS` random moves each,
their states judged by the screen's own goal every :data:`EVERY` steps. A
state the goal rejects is reachable, so the screen would reject it too, and
it gives up at once.

Exact by construction: the probe decides only *when* the screen says
"undecided", never what the check answers (the screen's pass, or the normal
form's verdict, trace and event). It is a heuristic for speed only: a
rejected state no walk meets is found by the screen as before. Cost: about
``WALKERS * STEPS`` moves a probe and ``log_GROWTH`` probes, a few percent of a
passing screen (measured in :mod:`benchmarks.determinism_switch`).

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> ring = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2), (2, "a", 0), (2, "a", 1)])
    >>> tables = Tables(close(component(ring)))
    >>> def two_moves(chunk, src, dst, lab):  # a state with two moves is rejected
    ...     return (int(chunk[0]), "") if len(src) > len(set(src.tolist())) else None
    >>> Probe(tables, two_moves).ahead(np.array([0]))
    True
"""

from __future__ import annotations

import numpy as np

from procalg.lts.determinism_confluence import Goal
from procalg.lts.unique_codes import sorted_unique
from procalg.lts.vectors import Tables

FIRST, GROWTH = 1 << 15, 4
"""The first probe once the screen holds ``FIRST`` states, the next each ``GROWTH``-fold."""

WALKERS, STEPS, EVERY = 32, 384, 16
"""Walks a probe starts, moves each takes at most, and steps between the goal's looks."""


class Probe:
    """Random walks ahead of a screen's frontier, judged by its goal."""

    def __init__(self, tables: Tables, goal: Goal, *, seed: int = 0) -> None:
        self.tables, self.goal = tables, goal
        self.rng = np.random.default_rng(seed)  # a fixed seed: the same walks every run
        self.next = FIRST
        self.walked = 0  # moves taken by all probes (tests read it)

    def due(self, states: int) -> bool:
        """Whether a screen holding ``states`` states should probe now."""
        if states < self.next:
            return False
        self.next = states * GROWTH
        return True

    def ahead(self, frontier: np.ndarray) -> bool:
        """Whether a walk from ``frontier`` meets a state the goal rejects.

        Time ``O(WALKERS * STEPS)`` moves plus ``STEPS / EVERY`` calls of the goal.
        """
        if not len(frontier):
            return False
        codes = frontier[self.rng.integers(0, len(frontier), WALKERS)]  # (twice: harmless)
        seen = [codes]
        for step in range(1, STEPS + 1):
            codes = self._step(codes)
            seen.append(codes)
            if step % EVERY == 0 or not len(codes):
                if self._rejected(np.concatenate(seen)):
                    return True
                seen = [codes]
            if not len(codes):  # every walk reached a state without moves
                return False
        return False

    def _step(self, codes: np.ndarray) -> np.ndarray:
        """One random move of each walk (a walk at a state without moves ends)."""
        src, dst, _ = self.tables.successors(self.tables.layout.cast(codes))
        self.walked += len(src)
        if not len(src):
            return codes[:0]
        # the first move of each source after a random shuffle: one move, uniformly
        shuffle = self.rng.permutation(len(src))
        _, first = np.unique(src[shuffle], return_index=True)
        return dst[shuffle[first]].astype(codes.dtype)

    def _rejected(self, codes: np.ndarray) -> bool:
        chunk = sorted_unique(codes)  # each state judged once
        src, dst, lab = self.tables.successors(self.tables.layout.cast(chunk))
        return self.goal(chunk, src, dst, lab) is not None
