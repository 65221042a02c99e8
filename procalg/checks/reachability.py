"""``assert P :[reachable e]``: some reachable state can perform event ``e``.

Breadth-first exploration stopped at the first level holding a state with
an ``e`` transition; states are expanded in order of distance, so the
witness (the trace to that state followed by ``e``) is a shortest one, τ
counted: the least of them by label names (:mod:`procalg.lts.least_paths`). A
passing check carries the witness in ``counterexample``, so that
``assert not P :[reachable e]`` fails with it.

On a network, :func:`check_reachable_product` asks the product engine the
same question in bulk (:func:`procalg.lts.product.find_path` with
:func:`reachability_goal`). This module is the property's one home; both
give a :class:`CheckResult`.

Complexity: O(S + T) up to the first ``e``, O(S) integers of memory (the
product search: O(S log S + T log T) numpy work).

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "τ", 2), (2, "b", 0)])
    >>> check_reachable(lts, "b").counterexample.trace
    ('a', 'b')
    >>> check_reachable(lts, "c").message
    'c is unreachable in 3 states'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts.exploration import Exploration
from procalg.lts.leaf_levels import only_when
from procalg.lts.least_paths import walk_to_goal
from procalg.lts.level_search import Stop
from procalg.lts.lts import LTS, TAU, TransitionSystem
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Goal, Limits, find_path, reads_keys
from procalg.lts.vectors import Tables
from procalg.lts.wide_keys import code_at, least_position


def check_reachable(system: TransitionSystem[Any] | LTS, event: Any, *,
                    max_states: int | None = None) -> CheckResult:
    """Check that ``event`` can happen in some reachable state.

    Args:
        system: a transition system, or an LTS.
        event: the event (a name, or an object whose ``str`` is the name).
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS with a shortest witness (``trace`` ends with ``event``;
        ``full_path``/``states`` include τ), or FAIL.

    Example:
        >>> from procalg.lts import LTS
        >>> r = check_reachable(LTS.build(2, 0, ["a"], [(0, "τ", 1), (1, "a", 0)]), "a")
        >>> r.passed, r.counterexample.trace, r.counterexample.full_path
        (True, ('a',), ('τ', 'a'))
    """
    started = time.perf_counter()
    name = event if isinstance(event, str) else str(event)
    walk = Exploration(system, max_states=max_states)
    into: dict[int, int | None] = {}  # per goal state, the target of its move

    def shows(number: int, moves: list[tuple[str, int | None]]) -> str | None:
        into[number] = next((d for label, d in moves if label == name), None)
        return name if any(label == name for label, _ in moves) else None

    found = walk_to_goal(walk, shows)
    if found is not None:
        path, run = found
        target = into[run[-1]]
        witness = Counterexample(
            tuple(x for x in path if x != TAU), full_path=tuple(path),
            states=tuple(walk.state_id(s) for s in run)
            + (() if target is None else (walk.state_id(target),)),
            note=f"{name} can happen after this trace")
        return CheckResult(Verdict.PASS, witness, _stats(walk, started),
                           message=f"{name} is reachable")
    return CheckResult(Verdict.FAIL, None, _stats(walk, started),
                       message=f"{name} is unreachable in {walk.num_states} states")


def check_reachable_product(network: Network, event: Any,
                            limits: Limits = NO_LIMITS) -> CheckResult:
    """:func:`check_reachable` on a network, its product searched in bulk.

    Args:
        network: a closed network (:func:`procalg.lts.network.close`).
        event: the event (a name, or an object whose ``str`` is the name).
        limits: how far the search may go (:class:`~procalg.lts.product.Limits`).

    Returns:
        PASS with a shortest witness (``full_path`` with τ, ending with
        ``event``), or FAIL.

    Example:
        >>> from procalg.lts.network import close, component
        >>> net = close(component(LTS.build(2, 0, ["a"], [(0, "τ", 1), (1, "a", 0)])))
        >>> r = check_reachable_product(net, "a")
        >>> r.passed, r.counterexample.full_path, check_reachable_product(net, "b").message
        (True, ('τ', 'a'), 'b is unreachable in 2 states')
    """
    name = event if isinstance(event, str) else str(event)
    found = find_path(network, reachability_goal(name), limits)
    if name not in network.labels:
        found = replace(found, notes=(*found.notes, f"no rule can show {name}"))
    stats = Stats.of_search(found)
    if not found.found:
        return CheckResult(Verdict.FAIL, None, stats,
                           f"{name} is unreachable in {found.states} states")
    note = f"{name} happens after this trace"
    return CheckResult(Verdict.PASS, Counterexample(found.trace, full_path=found.path,
                                                    note=note), stats, note)


def reachability_goal(label: str) -> Goal:
    """The property over packed states, for :func:`~procalg.lts.product.find_path`:
    the least code of an expanded chunk with a ``label`` move, and ``label``
    (``None`` where no synchronisation rule shows ``label``: nothing can match).

    Example:
        >>> from procalg.lts.network import close, component
        >>> tables = Tables(close(component(LTS.build(2, 0, ["a"], [(0, "a", 1)]))))
        >>> reachability_goal("a")(tables)(np.array([0]), np.array([0]), np.array([1]),
        ...                                np.array([2]))
        (0, 'a')
        >>> reachability_goal("b")(tables) is None
        True
    """
    return lambda tables: labels_goal(tables, lambda name: name == label)


def labels_goal(tables: Tables, wanted: Callable[[str], bool]) -> Stop | None:
    """The least code of an expanded chunk with a move whose label is ``wanted``,
    and its least such label by name (``None`` where no label of ``tables`` is);
    its ``every`` lists every such code with its least such label.

    Example:
        >>> from procalg.lts.network import close, component
        >>> lts = LTS.build(2, 0, [], [(0, "b.2", 1), (0, "b.1", 1), (0, "a", 1)])
        >>> seen = labels_goal(Tables(close(component(lts))), lambda n: n.startswith("b."))
        >>> seen(np.array([0]), np.array([0, 0, 0]), np.array([1, 1, 1]), np.array([2, 3, 4]))
        (0, 'b.1')
    """
    chosen = sorted((name, i) for i, name in enumerate(tables.labels) if wanted(name))
    if not chosen:
        return None
    codes = np.array([i for _, i in chosen])

    def seen(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray,
             lab: np.ndarray) -> tuple[int, str] | None:
        at = np.flatnonzero(np.isin(lab, codes))
        if not len(at):
            return None
        least = src[at][least_position(chunk[src[at]])]  # chunk position of the least code
        there = set(lab[at[src[at] == least]].tolist())
        return code_at(chunk, int(least)), next(name for name, i in chosen if i in there)

    rank = np.full(len(tables.labels), len(chosen), np.int64)  # a wanted label's name order
    rank[codes] = np.arange(len(chosen))

    def every(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray,
              lab: np.ndarray) -> tuple[np.ndarray, list[str]]:
        best = np.full(len(chunk), len(chosen), np.int64)
        np.minimum.at(best, src, rank[lab])
        hit = np.flatnonzero(best < len(chosen))
        return chunk[hit], [chosen[r][0] for r in best[hit].tolist()]

    seen.every = every  # type: ignore[attr-defined]  # the level's goals: find_path's least
    return reads_keys(only_when(seen, labels=codes.tolist()))


def _stats(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)
