"""``assert P :[compensation complete]``: no saga in P can end half-done.

By the saga rules (``docs/sagas.md``) a rollback runs exactly the
compensations of the completed steps, each once, in reverse order of ``;``
and in parallel across parallel branches. What can still leave a saga
half-done shows in the LTS as a marker event:

* ``stranded.s``: a rollback met a completed step ``s`` without ``undo``
  (a pivot followed by a step that failed);
* ``unreverted.s``: the compensation of step ``s`` threw.

The check is a breadth-first search for the first such event, so the
counterexample is the least of the shortest traces (τ counted) ending with it.
:func:`terminal_outcomes` classifies the terminal states of an LTS as
completed, compensated, failed or deadlocked.

Complexity: O(S + T) up to the first violation, O(S) integers of memory.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(4, 0, [], [(0, "charge", 1), (1, "fail.ship", 2),
    ...                            (2, "compensate", 3), (3, "stranded.charge", 3)])
    >>> result = check_compensation(lts)
    >>> result.passed, result.counterexample.trace[-1], result.message
    (False, 'stranded.charge', 'charge is left done: it has no undo and a later step failed')
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from procalg.checks.reachability import labels_goal
from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts.census import Census
from procalg.lts.exploration import Exploration
from procalg.lts.least_paths import walk_to_goal
from procalg.lts.level_search import Stop
from procalg.lts.lts import LTS, TAU, TICK, TICK_INDEX, TransitionSystem
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Limits, find_path
from procalg.lts.vectors import Tables
from procalg.reserved import CANCEL, COMPENSATED, THROW

STRANDED, UNREVERTED = "stranded.", "unreverted."
_PASSED = "every saga completes or undoes each step it completed"
OUTCOMES = ("completed", "compensated", "failed", "deadlocked", "cancelled")


def check_compensation(system: TransitionSystem[Any] | LTS, *,
                       max_states: int | None = None) -> CheckResult:
    """Check that every saga either completes or undoes every step it completed.

    Args:
        system: a transition system (e.g. ``Spec.system(term)``), or an LTS.
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS, or FAIL with a shortest trace ending in ``stranded.s`` or
        ``unreverted.s``; the message names the step ``s``.

    Example:
        >>> from procalg.lts import LTS
        >>> ok = LTS.build(3, 0, [], [(0, "fail.a", 1), (1, "compensate", 2)])
        >>> check_compensation(ok).passed
        True
    """
    started = time.perf_counter()
    walk = Exploration(system, max_states=max_states)
    into: dict[int, int | None] = {}  # per goal state, the target of its least marker

    def marked(number: int, moves: list[tuple[str, int | None]]) -> str | None:
        markers = sorted((label, -1 if d is None else d) for label, d in moves
                         if label.startswith((STRANDED, UNREVERTED)))
        if not markers:
            return None
        into[number] = None if markers[0][1] < 0 else markers[0][1]
        return markers[0][0]

    found = walk_to_goal(walk, marked)
    if found is not None:
        return _failure(walk, *found, into[found[1][-1]], started)
    return CheckResult(Verdict.PASS, None, _stats(walk, started), message=_PASSED)


def check_compensation_product(network: Network, limits: Limits = NO_LIMITS) -> CheckResult:
    """:func:`check_compensation` on a network: the product engine's search for
    the first ``stranded.*``/``unreverted.*`` move (:func:`marker_goal`).

    Same verdict, messages and trace as the term-level check: the least of
    the shortest paths ending with a marker (the least marker where several
    end it).

    Example:
        >>> from procalg.lts.network import close, component
        >>> lts = LTS.build(3, 0, [], [(0, "charge", 1), (1, "stranded.charge", 2)])
        >>> r = check_compensation_product(close(component(lts)))
        >>> r.passed, r.counterexample.full_path
        (False, ('charge', 'stranded.charge'))
    """
    found = find_path(network, marker_goal, limits)
    stats = Stats.of_search(found)
    if not found.found:
        return CheckResult(Verdict.PASS, None, stats, message=_PASSED)
    name = found.path[-1]
    message, note = _explained(name)
    trace = tuple(x for x in found.path if x != TAU)
    return CheckResult(Verdict.FAIL, Counterexample(trace, full_path=found.path, note=note),
                       stats, message=message)


def marker_goal(tables: Tables) -> Stop | None:
    """The property over packed states, for :func:`~procalg.lts.product.find_path`:
    the least code of an expanded chunk with a ``stranded.*`` or ``unreverted.*``
    move, and its least such label (``None`` where no rule shows one).

    Example:
        >>> from procalg.lts.network import close, component
        >>> lts = LTS.build(2, 0, [], [(0, "unreverted.b", 1), (0, "stranded.a", 1)])
        >>> marker_goal(Tables(close(component(lts))))(np.array([0]), np.array([0, 0]),
        ...     np.array([1, 1]), np.array([2, 3]))
        (0, 'stranded.a')
    """
    return labels_goal(tables, lambda name: name.startswith((STRANDED, UNREVERTED)))


def _failure(walk: Exploration, path: list[str], run: list[int], target: int | None,
             started: float) -> CheckResult:
    message, note = _explained(path[-1])
    return CheckResult(
        Verdict.FAIL,
        Counterexample(tuple(x for x in path if x != TAU), full_path=tuple(path),
                       states=tuple(walk.state_id(s) for s in run)
                       + (() if target is None else (walk.state_id(target),)), note=note),
        _stats(walk, started),
        message=message,
    )


def _explained(name: str) -> tuple[str, str]:
    """The message and the note of a failure ending in the marker ``name``."""
    if name.startswith(STRANDED):
        step = name[len(STRANDED):]
        return (f"{step} is left done: it has no undo and a later step failed",
                f"the rollback reaches {step}, which completed and cannot be undone; "
                f"give it an undo, or make the later steps 'never fails'")
    step = name[len(UNREVERTED):]
    return (f"{step} is left done: its compensation can fail",
            f"the compensation of {step} throws; declare its activities 'never fails'")


def terminal_outcomes(lts: LTS) -> dict[int, frozenset[str]]:
    """How the runs that end in each terminal (reachable, stuck) state ended.

    A state entered by ``throw`` ends a *failed* run; one entered by ✓ from a
    state entered by ``compensated`` a *compensated* run; by any other ✓ a
    *completed* run; a stuck state entered by neither is *deadlocked*. A ✓ on
    a path that took ``cancel`` ends a *cancelled* run instead (the engine's
    outcome, docs/sagas.md section 8).

    Example:
        >>> from procalg.lts import LTS
        >>> lts = LTS.build(6, 0, [], [(0, "a", 1), (1, "✓", 2), (0, "compensated", 3),
        ...                            (3, "✓", 2), (0, "throw", 4), (0, "b", 5)])
        >>> {s: sorted(o) for s, o in terminal_outcomes(lts).items()}
        {2: ['compensated', 'completed'], 4: ['failed'], 5: ['deadlocked']}
    """
    reachable = lts.reachable()
    terminal = reachable & (lts.out_degree() == 0)
    if not terminal.any():
        return {}
    # only the transitions into a terminal state are read (a few of the 48 M of a
    # 5.9 M-state product: masks over every transition cost 3 s there)
    into = np.flatnonzero(terminal[lts.dst])
    into = into[reachable[lts.src[into]]]
    codes = {name: i for i, name in enumerate(lts.labels)}
    after_compensated = np.zeros(lts.num_states, dtype=bool)
    if COMPENSATED in codes:
        entering = lts.label == codes[COMPENSATED]
        after_compensated[lts.dst[entering & reachable[lts.src]]] = True
    cancel = _around_cancel(lts, codes[CANCEL]) if CANCEL in codes else None
    return _classified(np.flatnonzero(terminal), lts.src[into], lts.label[into], lts.dst[into],
                       codes, after_compensated, cancel)


def census_outcomes(census: Census) -> dict[int, frozenset[str]]:
    """:func:`terminal_outcomes` of the product a census counted (taken with
    ``✓``, ``throw`` and ``compensated`` watched), keyed by state code, not
    by BFS number: the counts ``procalg lts --stats`` prints, without the LTS.

    Raises:
        ValueError: the product has ``cancel`` (telling a cancelled run needs
            every path: build the LTS and ask :func:`terminal_outcomes`).

    Example:
        >>> from procalg.lts.census import take_census
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(4, 0, ["a", "throw"], [(0, "a", 1), (1, "✓", 2), (0, "throw", 3)])
        >>> outcomes = census_outcomes(take_census(close(component(p)), WATCHED))
        >>> sorted(sorted(o) for o in outcomes.values())
        [['completed'], ['failed']]
    """
    if CANCEL in census.labels:
        raise ValueError("a census cannot tell cancelled runs: build the LTS")
    if not len(census.stuck):
        return {}
    # the codes met, numbered densely: stuck states and the watched moves' ends
    codes, ids = np.unique(np.concatenate((census.stuck, census.src, census.dst)),
                           return_inverse=True)
    parts = np.cumsum([len(census.stuck), len(census.src)])
    stuck, src, dst = np.split(ids, parts)
    terminal = np.zeros(len(codes), dtype=bool)
    terminal[stuck] = True
    into = terminal[dst]
    labels = {name: i for i, name in enumerate(census.labels)}
    after_compensated = np.zeros(len(codes), dtype=bool)
    if COMPENSATED in labels:
        after_compensated[dst[census.lab == labels[COMPENSATED]]] = True
    found = _classified(stuck, src[into], census.lab[into], dst[into], labels,
                        after_compensated, None)
    return {int(codes[s]): o for s, o in found.items()}


WATCHED = (TICK, THROW, COMPENSATED)
"""The labels :func:`census_outcomes` needs a census to keep."""


def _classified(terminal: np.ndarray, src: np.ndarray, lab: np.ndarray, dst: np.ndarray,
                labels: dict[str, int], after_compensated: np.ndarray,
                cancel: tuple[np.ndarray, np.ndarray] | None) -> dict[int, frozenset[str]]:
    """The outcome sets of the ``terminal`` states, given the moves into them
    (``src``, ``lab``, ``dst``), the states entered by ``compensated`` and,
    with ``cancel``, the states reachable before and after a ``cancel``."""
    tick = lab == TICK_INDEX
    found: dict[int, set[str]] = {}
    kinds = []
    if cancel is not None:
        before, after = cancel
        kinds.append((tick & after[src], "cancelled"))
        tick &= before[src]
    kinds += [(tick & after_compensated[src], "compensated"),
              (tick & ~after_compensated[src], "completed")]
    if THROW in labels:
        kinds.append((lab == labels[THROW], "failed"))
    for mask, outcome in kinds:
        for state in np.unique(dst[mask]).tolist():
            found.setdefault(state, set()).add(outcome)
    for state in terminal.tolist():
        found.setdefault(state, {"deadlocked"})
    return {s: frozenset(o) for s, o in sorted(found.items())}


def _around_cancel(lts: LTS, cancel: int) -> tuple[np.ndarray, np.ndarray]:
    """The states reachable without taking ``cancel``, and those reachable after it.

    One reachability search on two copies of the LTS (copy 2 entered by
    ``cancel``): O(S + T).

    Example:
        >>> lts = LTS.build(3, 0, [], [(0, "cancel", 1), (1, "a", 2), (0, "a", 2)])
        >>> [m.tolist() for m in _around_cancel(lts, lts.label_index("cancel"))]
        [[True, False, True], [False, True, True]]
    """
    n, src, lab, dst = lts.num_states, lts.src, lts.label, lts.dst
    crossing = lab == cancel
    doubled = LTS.from_arrays(
        2 * n, lts.initial, lts.labels, np.concatenate((src, src + n)),
        np.concatenate((lab, lab)), np.concatenate((np.where(crossing, dst + n, dst), dst + n)))
    seen = doubled.reachable()
    return seen[:n], seen[n:]


def _stats(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)

