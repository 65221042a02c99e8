"""The paths a failing determinism check shows: the same on every engine.

Both determinism checks (:mod:`procalg.checks.determinism`: the reference's
normal form node by node, the product engine's in bulk) find the failing
normal node and its trace alike: breadth-first, children in event-name order,
so the trace is the least of the shortest to it. Which member states of that
node they meet first depends on how each numbers its states; the paths shown
do not (``docs/checks.md``, "Which counterexample procalg shows"):

- a **clash** on ``event``: the accepting path is the least of the shortest
  paths doing the trace to a state offering ``event``; the refusing path the
  least of the shortest doing it to a state that refuses ``event`` (stable
  without it, or able to terminate: ✓ is autonomous), one that can terminate
  first among the states that path reaches;
- a **divergence**: the least of the shortest paths doing the trace to a
  state that can do τ for ever, then the fewest τ-steps from a divergent
  state it reaches to a state on a τ-cycle and the shortest τ-cycle there
  (counted in the graph minimised modulo strong bisimulation, as
  :mod:`procalg.checks.divergence` does).

Each is a :func:`~procalg.checks.traces.search_trace` over (state, events done)
pairs: O((k + 1)(S + T)) for a trace of k events over the S states and T
moves it visits; the node's members and their τ-moves once more for a
divergence.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(4, 0, ["a", "b"], [(0, "a", 2), (0, "a", 1), (2, "b", 3)])
    >>> clash_paths(Exploration(lts), ("a",), "b")[:2]
    (('a',), ('a',))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from procalg.checks.divergence import diverging
from procalg.checks.traces import search_trace
from procalg.lts.exploration import Exploration
from procalg.lts.least_paths import run_to
from procalg.lts.lts import TAU, TAU_INDEX, TICK
from procalg.lts.minimal_lasso import Lasso, lasso_from

Path = tuple[tuple[str, ...], tuple[int, ...]]
"""A path's labels (τ included) and its state ids, the initial state first."""


def clash_paths(walk: Exploration, trace: tuple[str, ...], event: str
                ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], bool]:
    """The least accepting path (without ``event``), the least refusing path, its
    states, and whether its end refuses ``event`` by being able to terminate.

    Example:
        >>> from procalg.lts import LTS
        >>> lts = LTS.build(4, 0, ["a"], [(0, "τ", 1), (0, "✓", 2), (1, "a", 3)])
        >>> clash_paths(Exploration(lts), (), "a")
        (('τ',), (), (0,), True)
    """
    n = len(trace)
    accepting = search_trace(walk, trace, lambda s, done: done == n and event in _names(walk, s))
    refusing = search_trace(walk, trace, lambda s, done: done == n and _refuses(walk, s, event),
                            prefer=lambda s, _: not _ticks(walk, s, event))
    assert accepting.found is not None and refusing.found is not None, "a clash has both"
    end = refusing.found
    return (accepting.full_path(accepting.found), refusing.full_path(end),
            refusing.states(end), _ticks(walk, end[0], event))


def divergence_path(walk: Exploration, trace: tuple[str, ...],
                    lasso_of: Callable[[list[Any]], Lasso] | None = None
                    ) -> tuple[Path, int, int]:
    """The least path doing ``trace`` to a state that can do τ for ever (some
    state after it can), and the least τ-lasso from the divergent states it
    reaches, counted in the minimised graph (:mod:`procalg.lts.minimal_lasso`):
    ``(path, lead, loop)``, the path's states running on to the cycle (``lead``
    τ-steps more). ``lasso_of`` finds the lasso from the system's own states
    in bulk (the product's codes: :func:`~procalg.lts.minimal_lasso.codes_lasso`),
    its lead's states the system's too; by default :func:`lasso_from` walks.

    Example:
        >>> from procalg.lts import LTS
        >>> lts = LTS.build(5, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 3), (3, "τ", 2),
        ...                               (3, "a", 4)])
        >>> divergence_path(Exploration(lts), ("a",))
        ((('a',), (0, 1, 2)), 1, 2)
    """
    members = sorted(_members(walk, trace))
    local = {s: i for i, s in enumerate(members)}
    divergent = diverging([[local[d] for c, d in walk.successors(s) if c == TAU_INDEX]
                           for s in members])
    n = len(trace)
    search = search_trace(walk, trace, lambda s, done: done == n and divergent[local[s]])
    assert search.found is not None, "a divergent node has a divergent member"
    full = search.full_path(search.found)
    came = _followed(walk, full)
    entries = [s for s in sorted(came[-1]) if divergent[local[s]]]
    if lasso_of is None:
        lasso, lead = lasso_from(entries, lambda s: walk.edge_names(walk.successors(s)))
    else:
        lasso = lasso_of([walk.states[s] for s in entries])
        lead = _numbered(walk, entries, lasso.states)
    ids = tuple(walk.state_id(s) for s in (*run_to(came, lead[0]), *lead[1:]))
    return (full, ids), lasso.lead, lasso.loop


def _numbered(walk: Exploration, entries: list[int], run: tuple[Any, ...]) -> list[int]:
    """The walk's numbers of ``run``, a τ-run of the system's states from one of ``entries``."""
    lead = [next(s for s in entries if walk.states[s] == run[0])]
    for state in run[1:]:
        lead.append(next(d for c, d in walk.successors(lead[-1])
                         if c == TAU_INDEX and walk.states[d] == state))
    return lead


def _followed(walk: Exploration, labels: Sequence[str]) -> list[dict[int, int]]:
    """Per step of the path ``labels``, the states it reaches, each with its least
    parent (:func:`~procalg.lts.least_paths.run_to` walks back from any)."""
    came = [{0: 0}]
    for name in labels:
        step: dict[int, int] = {}
        for s in sorted(came[-1]):
            for c, d in walk.successors(s):
                if walk.labels[c] == name:
                    step.setdefault(d, s)
        came.append(step)
    return came


def _members(walk: Exploration, trace: Sequence[str]) -> set[int]:
    """The states after ``trace`` (τ anywhere): the normal node it leads to."""
    here = _closed(walk, {0})
    for event in trace:
        here = _closed(walk, {d for s in here for c, d in walk.successors(s)
                              if walk.labels[c] == event})
    return here


def _closed(walk: Exploration, states: set[int]) -> set[int]:
    todo = list(states)
    while todo:
        for c, d in walk.successors(todo.pop()):
            if c == TAU_INDEX and d not in states:
                states.add(d)
                todo.append(d)
    return states


def _names(walk: Exploration, state: int) -> set[str]:
    return {walk.labels[c] for c, _ in walk.successors(state)}


def _ticks(walk: Exploration, state: int, event: str) -> bool:
    """``state`` refuses ``event`` because it can terminate (✓ is autonomous)."""
    return event != TICK and TICK in _names(walk, state)


def _refuses(walk: Exploration, state: int, event: str) -> bool:
    names = _names(walk, state)
    return _ticks(walk, state, event) or (TAU not in names and event not in names)
