"""``assert P :[deadlock free]``: no reachable state is stuck without having terminated.

A state deadlocks when it has no outgoing transition and was not entered by
✓ (a state after ✓ is Ω, successful termination, FDR's "terminated"
rather than "deadlocked") or by ``throw`` (abnormal termination, THROW:
``docs/sagas.md``; THROWN, too, is only ever entered by ``throw``). The search is the breadth-first
:class:`~procalg.lts.exploration.Exploration`, stopped at the first stuck
state, so the counterexample is a shortest path (fewest transitions, τ
counted) to a deadlock.

Which states were entered by ✓: for an explicit LTS every incoming edge is
known up front (the ✓ transitions leaving reachable states). On the fly, a stuck state counts as
terminated if a ✓ transition into it has been seen when it is expanded,
i.e. from a state earlier in BFS order. That is exact for CSP's operational
semantics, where ✓ always leads to Ω and nothing else does, so Ω is
discovered through ✓.

Complexity: O(S + T) time up to the first deadlock, O(S) integers of memory.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(4, 0, ["a", "b"],
    ...                 [(0, "a", 1), (0, "b", 2), (2, "✓", 3), (1, "a", 0)])
    >>> check_deadlock(lts).passed
    True
    >>> stuck = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (0, "τ", 0)])
    >>> check_deadlock(stuck).counterexample.trace
    ('a', 'b')
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts.exploration import ExplicitSystem, Exploration
from procalg.lts.lts import LTS, TICK_INDEX, TransitionSystem
from procalg.reserved import THROW


def check_deadlock(system: TransitionSystem[Any] | LTS, *,
                   max_states: int | None = None) -> CheckResult:
    """Check that no reachable state is stuck without having terminated.

    Args:
        system: a transition system, or an LTS.
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS, or FAIL with a shortest trace to the first stuck state found
        (``trace`` without τ, ``full_path`` and ``states`` with it).

    Example:
        >>> from procalg.lts import LTS
        >>> r = check_deadlock(LTS.build(2, 0, ["a"], [(0, "a", 1)]))
        >>> r.passed, r.counterexample.trace, r.counterexample.full_path
        (False, ('a',), ('a',))
    """
    started = time.perf_counter()
    walk = Exploration(system, max_states=max_states)
    explicit = walk.system if isinstance(walk.system, ExplicitSystem) else None
    mask = _reachably_terminated(explicit.lts) if explicit else None
    ticked: set[int] = set()
    for number, edges in walk:
        if not edges:
            # Both tests are exact for an explicit LTS; on the fly, ✓-edges from
            # states earlier in BFS order have been noted (see the module notes).
            done = bool(mask[walk.states[number]]) if mask is not None else number in ticked
            if not done:
                return _failure(walk, number, started)
        ticked.update(d for c, d in edges
                      if c == TICK_INDEX or walk.labels[c] == THROW)  # throw ends a run too
    return CheckResult(Verdict.PASS, None, _stats(walk, started), message="deadlock free")


def _failure(walk: Exploration, number: int, started: float) -> CheckResult:
    trace = walk.trace_to(number)
    return CheckResult(
        Verdict.FAIL,
        Counterexample(
            trace,
            full_path=walk.full_path_to(number),
            states=walk.path_states(number),
            note="deadlock: the process can do nothing more and has not terminated",
        ),
        _stats(walk, started),
        message=f"deadlock after {len(trace)} visible events",
    )


def _reachably_terminated(lts: LTS) -> np.ndarray:
    """States entered by ✓ from a reachable state (an unreachable ✓ source does not count)."""
    ends = lts.label == TICK_INDEX
    if THROW in lts.labels:  # a state entered by throw has terminated (abnormally)
        ends |= lts.label == lts.labels.index(THROW)
    ticks = ends & lts.reachable()[lts.src]
    mask = np.zeros(lts.num_states, dtype=bool)
    mask[lts.dst[ticks]] = True
    return mask


def _stats(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)
