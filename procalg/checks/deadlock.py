"""``assert P :[deadlock free]``: no reachable state is stuck without having terminated.

A state deadlocks when it has no outgoing transition and was not entered by
✓ (a state after ✓ is Ω, successful termination, FDR's "terminated"
rather than "deadlocked") or by ``throw`` (abnormal termination, THROW:
``docs/sagas.md``; THROWN, too, is only ever entered by ``throw``): the
labels in :data:`TERMINATING`. This module is the property's one home, on
either engine, with one answer type:

* :func:`check_deadlock` searches a transition system or an LTS breadth-first
  (:class:`~procalg.lts.exploration.Exploration`), state by state;
* :func:`check_deadlock_product` searches a network's product in bulk
  (:func:`procalg.lts.product.find_path` with :func:`deadlock_goal`, the same
  property over a chunk of packed states).

Both stop at the first BFS level holding a stuck state, and show the least
(by label names, position by position) of the shortest paths (fewest
transitions, τ counted) to one in that level, the same on every engine
(:mod:`procalg.lts.least_paths`), unless partial-order reduction is asked
for, which says so.

Which states were entered by ✓: for an explicit LTS every incoming edge is
known up front (the ✓ transitions leaving reachable states). On the fly, a stuck state counts as
terminated if a ✓ transition into it has been seen when it is expanded,
i.e. from a state earlier in BFS order. That is exact for CSP's operational
semantics, where ✓ always leads to Ω and nothing else does, so Ω is
discovered through ✓.

Complexity: O(S + T) time up to the first deadlock, O(S) integers of memory
(the product search: O(S log S + T log T) numpy work).

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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts.exploration import Edges, ExplicitSystem, Exploration
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_levels import only_when
from procalg.lts.least_paths import walk_to_goal
from procalg.lts.lts import LTS, TAU, TICK, TransitionSystem
from procalg.lts.priority import is_prioritised
from procalg.lts.product import NO_LIMITS, Limits, find_path, reads_keys
from procalg.lts.wide_keys import code_at, least_position
from procalg.reserved import THROW

if TYPE_CHECKING:
    from procalg.lts.level_search import Stop
    from procalg.lts.network import Network
    from procalg.lts.vectors import Tables

TERMINATING = (TICK, THROW)
"""The labels that end a run: a stuck state entered by one has terminated (✓:
Ω, successful; ``throw``: THROW's abort), it has not deadlocked."""
NOTE = "deadlock: the process can do nothing more and has not terminated"


def check_deadlock(system: TransitionSystem[Any] | LTS, *,
                   max_states: int | None = None) -> CheckResult:
    """Check that no reachable state is stuck without having terminated.

    Args:
        system: a transition system, or an LTS.
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS, or FAIL with the least of the shortest paths to a stuck state
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

    def stuck(number: int, moves: object) -> str | None:
        # Both tests are exact for an explicit LTS; on the fly, ✓-edges from
        # states earlier in BFS order have been noted (see the module notes).
        done = bool(mask[walk.states[number]]) if mask is not None else number in ticked
        return None if moves or done else ""

    def note_ends(edges: Edges) -> None:
        ticked.update(d for c, d in edges if walk.labels[c] in TERMINATING)

    found = walk_to_goal(walk, stuck, note_ends)
    if found is not None:
        return _failure(walk, *found, started)
    return CheckResult(Verdict.PASS, None, _stats(walk, started), message="deadlock free")


def check_deadlock_product(network: Network, limits: Limits = NO_LIMITS, *,
                           por: bool = False) -> CheckResult:
    """:func:`check_deadlock` on a network, its product searched in bulk.

    Args:
        network: a closed network (:func:`procalg.lts.network.close`).
        limits: how far the search may go (:class:`~procalg.lts.product.Limits`).
        por: partial-order reduction (stubborn sets, :mod:`procalg.lts.por`):
            fewer states, the trace then need not be shortest (the stats' notes
            say so).

    Returns:
        PASS, or FAIL with the least of the shortest paths to a stuck state
        (``full_path`` with τ; no state numbers: the product's states are codes).

    Example:
        >>> from procalg.lts.network import close, component, parallel
        >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
        >>> q = LTS.build(2, 0, ["b"], [(0, "b", 1)])
        >>> r = check_deadlock_product(close(parallel(component(p), component(q), {"b"})))
        >>> r.passed, r.counterexample.trace
        (False, ('a', 'b'))
    """
    found = find_path(network, deadlock_goal, limits, por=por)
    stats = Stats.of_search(found)
    if not found.found:
        return CheckResult(Verdict.PASS, None, stats, "deadlock free")
    return CheckResult(Verdict.FAIL, Counterexample(found.trace, full_path=found.path,
                                                    note=NOTE), stats, NOTE)


def deadlock_goal(tables: Tables) -> Stop:
    """The property over packed states, for :func:`~procalg.lts.product.find_path`:
    the least code of an expanded chunk with no move, not entered by a
    :data:`TERMINATING` label (asked of the reversed tables: every way in is known);
    its ``every`` lists them all (the witness level's, for the least path).

    Example:
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.vectors import Tables
        >>> tables = Tables(close(component(LTS.build(2, 0, ["a"], [(0, "a", 1)]))))
        >>> stop = deadlock_goal(tables)
        >>> stop(np.array([0, 1]), np.array([0]), np.array([1]), np.array([2]))
        (1, '')
    """
    ends = [tables.label_index[name] for name in TERMINATING if name in tables.label_index]
    entered, exact = _entered_by_ends(tables)

    def every(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray,
              lab: np.ndarray) -> tuple[np.ndarray, list[str]]:
        has = np.zeros(len(chunk), dtype=bool)
        has[src] = True
        dead = chunk[~has]
        if not len(dead):
            return dead, []
        terminated = entered(dead)
        if not exact and terminated.any():  # the reversed tables, asked only of these
            asked = dead[terminated]
            into, _, back = tables.successors(asked, backward=True)
            hit = np.zeros(len(asked), dtype=bool)
            hit[into[np.isin(back, ends)]] = True
            terminated[terminated] = hit
        dead = dead[~terminated]
        return dead, [""] * len(dead)

    def stuck(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray,
              lab: np.ndarray) -> tuple[int, str] | None:
        dead, _ = every(chunk, src, dst, lab)
        return (code_at(dead, least_position(dead)), "") if len(dead) else None

    stuck.every = every  # type: ignore[attr-defined]  # the level's goals: find_path's least
    # a state's having a move is all it reads: rules alike but for their label fire once
    stuck.on_targets = every.on_targets = True  # type: ignore[attr-defined]
    return reads_keys(only_when(stuck, idle=True))


def _entered_by_ends(tables: Tables) -> tuple[Callable[[np.ndarray], np.ndarray], bool]:
    """Which codes a :data:`TERMINATING` rule can enter, read off their digits
    (each component the rule moves in a local state its local label enters; a
    lazy component's: by a move made so far), and whether that is the answer.

    It is, for eager components without priority: a rule's move ends in a code
    exactly then (the others stay put), the reversed tables' answer without
    them: a code's predecessors by every rule are the product of its
    components' fan-ins (16.7 M for two stuck codes of a 34-component network
    of small control components, found by ``tests/api/test_check_engines.py``),
    O(codes · parts) here. Under priority (a move also depends on its source's
    others) or over a lazy component (its moves are not all known) it is a
    necessary condition: :func:`deadlock_goal` asks the reversed tables only
    about the codes it keeps (a random network of lazy leaves under
    ``prioritise``: firing backwards into two stuck codes of a 28-state search
    met 2.4 M candidates, each fired forwards again for priority, past 3 GB).
    """
    rules = [r for r in tables.network.rules if r.label in TERMINATING]
    comps = tables.network.components
    exact = not is_prioritised(tables.network) and all(
        isinstance(comps[c], LTS) for r in rules for c, _ in r.parts)
    masks = {(c, local): _entered(comps[c], local) for r in rules for c, local in r.parts
             if isinstance(comps[c], LTS)}
    needed = sorted({c for r in rules for c, _ in r.parts})

    def entered(codes: np.ndarray) -> np.ndarray:
        locs = tables.layout.decode(codes, needed) if needed else {}
        out = np.zeros(len(codes), dtype=bool)
        for rule in rules:
            hit = np.ones(len(codes), dtype=bool)
            for c, local in rule.parts:
                mask = masks.get((c, local))
                hit &= (mask[locs[c]] if mask is not None
                        else _entered_lazily(comps[c], local, locs[c]))
            out |= hit
        return out

    return entered, exact


def _entered_lazily(comp: object, label: str, locs: np.ndarray) -> np.ndarray:
    """Per local state in ``locs`` of a component not an :class:`LTS`: whether
    a move labelled ``label`` made so far enters it (a lazy component's reversed
    table; any other kind's moves cannot be asked: every state may be)."""
    if not isinstance(comp, LazyComponent):
        return np.ones(len(locs), dtype=bool)
    code = comp.code.get(label)
    if code is None:
        return np.zeros(len(locs), dtype=bool)
    return comp.lookup(code, locs, backward=True)[0] > 0


def _entered(lts: LTS, label: str) -> np.ndarray:
    """Per local state of ``lts``: whether a move labelled ``label`` enters it."""
    mask = np.zeros(lts.num_states, dtype=bool)
    index = lts.label_index(label)
    if index is not None:
        mask[lts.dst[lts.label == index]] = True
    return mask


def _failure(walk: Exploration, path: list[str], run: list[int],
             started: float) -> CheckResult:
    """The least shortest path to a stuck state of the first level holding one."""
    trace = tuple(x for x in path if x != TAU)
    return CheckResult(
        Verdict.FAIL,
        Counterexample(
            trace,
            full_path=tuple(path),
            states=tuple(walk.state_id(s) for s in run),
            note=NOTE,
        ),
        _stats(walk, started),
        message=f"deadlock after {len(trace)} visible events",
    )


def _reachably_terminated(lts: LTS) -> np.ndarray:
    """States entered by ✓ or throw from a reachable state (an unreachable
    source does not count)."""
    ends = np.isin(lts.label, [i for i, name in enumerate(lts.labels) if name in TERMINATING])
    ticks = ends & lts.reachable()[lts.src]
    mask = np.zeros(lts.num_states, dtype=bool)
    mask[lts.dst[ticks]] = True
    return mask


def _stats(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)
