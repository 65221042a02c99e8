"""``assert P :[has trace]: <a, b>``: the process can perform the given trace.

The search is a breadth-first walk over pairs (state, how many events of
the trace are done): τ moves a pair within the same position, the next
event of the trace advances it, so τ-closure between events comes for free
and the first pair at the end is a shortest witness path (τ counted). If
the trace is impossible, the walk has visited every state reachable after
the longest possible prefix, which is what the counterexample reports
along with the events offered there. :func:`search_trace` is the same walk
for other checks that need a concrete path behind a trace.

Complexity: O((k + 1)(S + T)) for a trace of k events, states visited lazily.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(4, 0, ["a", "b", "c"], [(0, "a", 1), (1, "τ", 2), (2, "b", 3),
    ...                                        (1, "c", 3)])
    >>> check_has_trace(lts, ["a", "b"]).passed
    True
    >>> r = check_has_trace(lts, ["a", "b", "a"])
    >>> r.passed, r.counterexample.trace, sorted(r.counterexample.accepted)
    (False, ('a', 'b'), [])
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from procalg.assertion_kinds import RefinementModel
from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.checks.trace_walk import tau_cycle_reached, walk_trace
from procalg.errors import ProcalgError
from procalg.lts.exploration import Exploration
from procalg.lts.least_paths import least_walk, run_to
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TransitionSystem
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Limits

Pair = tuple[int, int]
"""A state number and how many events of the trace have been done."""


@dataclass
class TraceSearch:
    """The outcome of :func:`search_trace`.

    Attributes:
        found: the end of the witness (the least of the shortest paths to a
            pair satisfying the goal), or ``None``.
        deepest: the most trace events any visited pair has done.
        parent: each visited pair's predecessor pair and label code (along
            the witness, its own).
        levels: the visited pairs by BFS level, in visit order.
        explored: states and transitions the walk had numbered when it met
            the first goal (or gave up); the witness is picked after that.
    """

    walk: Exploration
    found: Pair | None = None
    deepest: int = 0
    parent: dict[Pair, tuple[Pair, int] | None] = field(default_factory=dict)
    levels: list[list[Pair]] = field(default_factory=list)
    explored: tuple[int, int] = (0, 0)

    def at_depth(self, done: int) -> list[int]:
        """States of the visited pairs that have done ``done`` events, in visit order."""
        return [s for s, i in self.parent if i == done]

    def path(self, pair: Pair) -> list[tuple[int, int]]:
        """``(label code, state)`` steps from the initial state to ``pair``."""
        steps = []
        link = self.parent[pair]
        while link is not None:
            steps.append((link[1], pair[0]))
            pair = link[0]
            link = self.parent[pair]
        return steps[::-1]

    def full_path(self, pair: Pair) -> tuple[str, ...]:
        """Label names (τ included) on :meth:`path`."""
        return tuple(self.walk.labels[c] for c, _ in self.path(pair))

    def states(self, pair: Pair) -> tuple[int, ...]:
        """State ids (``Exploration.state_id``) along :meth:`path`, the initial state first."""
        return tuple(self.walk.state_id(s) for s in (0, *(s for _, s in self.path(pair))))


def pair_moves(walk: Exploration, trace: Sequence[str], pair: Pair) -> list[tuple[int, Pair]]:
    """The moves of ``pair`` that follow ``trace``: τ (the same events done) and the
    trace's next event (one more), as ``(label code, pair)``.

    Example:
        >>> walk = Exploration(LTS.build(3, 0, ["a", "b"], [(0, "b", 1), (0, "a", 2)]))
        >>> pair_moves(walk, ["a"], (0, 0))
        [(2, (1, 1))]
    """
    state, done = pair
    out = []
    for code, target in walk.successors(state):
        if code == TAU_INDEX:
            out.append((code, (target, done)))
        elif done < len(trace) and walk.labels[code] == trace[done]:
            out.append((code, (target, done + 1)))
    return out


def search_trace(walk: Exploration, trace: Sequence[str],
                 goal: Callable[[int, int], bool] | None = None,
                 prefer: Callable[[int, int], Any] | None = None) -> TraceSearch:
    """Breadth-first search of (state, events done) pairs following ``trace``.

    Args:
        walk: the exploration whose states are searched (expanded lazily).
        trace: visible event names to follow, τ free in between.
        goal: stop at the first pair ``(state, done)`` it accepts; by default
            the first pair that has done the whole trace.
        prefer: among the goal pairs the least path reaches, end in one whose
            ``prefer(state, done)`` is least (a property of the state's behaviour,
            so every engine ends alike; ties: the least pair).

    Example:
        >>> from procalg.lts import LTS
        >>> walk = Exploration(LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)]))
        >>> found = search_trace(walk, ["a"])
        >>> found.found, found.full_path(found.found)
        ((2, 1), ('τ', 'a'))
    """
    goal = goal or (lambda _state, done: done == len(trace))
    search = TraceSearch(walk, parent={(0, 0): None}, levels=[[(0, 0)]])
    queue: deque[tuple[Pair, int]] = deque([((0, 0), 0)])
    while queue:
        pair, depth = queue.popleft()
        search.deepest = max(search.deepest, pair[1])
        if goal(*pair):
            search.explored = (walk.num_states, walk.transitions)
            _least_witness(search, trace, goal, depth, prefer)
            return search
        for code, step in pair_moves(walk, trace, pair):
            if step not in search.parent:
                search.parent[step] = (pair, code)
                if depth + 1 == len(search.levels):
                    search.levels.append([])
                search.levels[depth + 1].append(step)
                queue.append((step, depth + 1))
    search.explored = (walk.num_states, walk.transitions)
    return search


def _least_witness(search: TraceSearch, trace: Sequence[str],
                   goal: Callable[[int, int], bool], depth: int,
                   prefer: Callable[[int, int], Any] | None = None) -> None:
    """Make ``search``'s witness the least (by label names, position by position)
    of the shortest paths to a goal pair (every goal of BFS level ``depth``), as
    the product's walk picks it (:func:`~procalg.checks.trace_walk.walk_trace`):
    the pairs on some shortest path to one are gathered backwards level by level,
    then :func:`~procalg.lts.least_paths.least_walk` goes forwards through them.
    O(P + M) for the P pairs and M moves visited."""
    walk = search.walk
    cone = [{p for p in search.levels[depth] if _asked(walk, goal, p)}]
    for j in range(depth - 1, -1, -1):
        cone.append({p for p in search.levels[j]
                     if any(q in cone[-1] for _, q in pair_moves(walk, trace, p))})
    cone.reverse()
    labels, came = least_walk((0, 0), cone, lambda p: (
        (walk.labels[c], q) for c, q in pair_moves(walk, trace, p)))
    run = run_to(came, min(came[-1], key=lambda p: (prefer(*p), p)) if prefer else min(came[-1]))
    for at, name in enumerate(labels):
        search.parent[run[at + 1]] = (run[at], walk.code(name))
    search.found = run[-1]


def _asked(walk: Exploration, goal: Callable[[int, int], bool], pair: Pair) -> bool:
    """``goal`` of a pair of the witness's level: the verdict is fixed, so its
    asks pass the state limit, and a model error there makes it no goal (the
    walk met the first goal before it)."""
    limit, walk.max_states = walk.max_states, None
    try:
        return goal(*pair)
    except ProcalgError:
        return False
    finally:
        walk.max_states = limit


def check_has_trace(system: TransitionSystem[Any] | LTS, trace: Sequence[Any], *,
                    model: RefinementModel = RefinementModel.TRACES,
                    max_states: int | None = None) -> CheckResult:
    """Check that ``system`` can perform ``trace`` (τ allowed anywhere in between).

    The model says what "perform" observes (``:[has trace [M]]:``): in ``T`` the
    trace is a trace of the process; in ``F`` it is the trace of a stable
    failure, ``(trace, {})``: some state after it has no τ (so a process that
    only diverges after the trace does not have it); in ``FD`` it is a trace of
    the divergence-closed failures, ``(trace, {})`` in failures⊥: stable after
    it, or divergent after the trace or a prefix of it (a divergence allows
    every continuation, UCS §8.3).

    Args:
        system: a transition system, or an LTS.
        trace: visible events (names, or objects whose ``str`` is the name).
        model: traces, stable failures or failures-divergences.
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS with a witness (``full_path`` shows the τ steps), or FAIL whose
        counterexample has the longest possible prefix as ``trace``, the
        events offered after it as ``accepted`` and the missing event as
        ``refused``.

    Example:
        >>> from procalg.lts import LTS
        >>> r = check_has_trace(LTS.build(2, 0, ["a"], [(0, "a", 1)]), ["b"])
        >>> r.counterexample.trace, r.counterexample.accepted, r.counterexample.refused
        ((), frozenset({'a'}), frozenset({'b'}))
    """
    assert isinstance(model, RefinementModel), f"a RefinementModel, not {model!r} (.parse)"
    started = time.perf_counter()
    names = tuple(e if isinstance(e, str) else str(e) for e in trace)
    walk = Exploration(system, max_states=max_states)
    search = search_trace(walk, names, _goal(walk, len(names), model))
    stats = Stats(*search.explored, time.perf_counter() - started)
    if search.found is not None:
        _, done = search.found
        return _possible(names, done, model, search.full_path(search.found), stats,
                         states=search.states(search.found))
    done = search.deepest
    if done == len(names):  # [F]/[FD]: the trace is there, never a stable state after it
        return _never_stable(names, model, stats)
    offered = {walk.labels[c] for s in search.at_depth(done) for c, _ in walk.successors(s)}
    return _cut_short(names, done, frozenset(offered - {TAU}), stats)


def check_has_trace_product(network: Network, trace: Sequence[Any], *,
                            model: RefinementModel = RefinementModel.TRACES,
                            limits: Limits = NO_LIMITS) -> CheckResult:
    """:func:`check_has_trace` on a network: the product walked along the trace
    only (:func:`~procalg.checks.trace_walk.walk_trace`).

    Same verdict, trace, offered events and messages as the term-level check;
    the witness is a shortest path too (τ counted), the least code's among them.

    Example:
        >>> from procalg.lts.network import close, component
        >>> net = close(component(LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "τ", 2)])))
        >>> r = check_has_trace_product(net, ["a", "b"])
        >>> r.passed, r.counterexample.trace, r.message
        (False, ('a',), 'only the first 1 of 2 events are possible')
    """
    assert isinstance(model, RefinementModel), f"a RefinementModel, not {model!r} (.parse)"
    names = tuple(e if isinstance(e, str) else str(e) for e in trace)
    started = time.perf_counter()
    found = walk_trace(network, names, limits, model=model)
    extra: dict[str, object] = {"engine": "product", "notes": list(found.notes)}
    stats = Stats(found.states, found.transitions, time.perf_counter() - started, extra)
    if found.found:
        return _possible(names, found.deepest, model, found.path, stats)
    if found.deepest == len(names):
        return _never_stable(names, model, stats)
    return _cut_short(names, found.deepest, found.offered, stats)


def _possible(names: tuple[str, ...], done: int, model: RefinementModel,
              path: tuple[str, ...], stats: Stats, *,
              states: tuple[int, ...] | None = None) -> CheckResult:
    """The pass of a trace shown by ``path``, a path that did ``done`` of its events."""
    note = ("the process can perform this trace" if model is RefinementModel.TRACES else
            "the process can perform this trace and then be stable" if done == len(names)
            else f"the process diverges after {done} of the events, so in [FD] it has "
                 "every continuation")
    witness = Counterexample(names[:done], full_path=path, states=states, note=note)
    return CheckResult(Verdict.PASS, witness, stats, message="trace is possible")


def _never_stable(names: tuple[str, ...], model: RefinementModel, stats: Stats) -> CheckResult:
    """[F]/[FD]: the trace is there, but no stable state after it."""
    counterexample = Counterexample(
        names, note="the process can perform this trace but is never stable after it")
    return CheckResult(Verdict.FAIL, counterexample, stats,
                       message=f"the trace is possible but never stable ([{model.value}])")


def _cut_short(names: tuple[str, ...], done: int, offered: frozenset[str],
               stats: Stats) -> CheckResult:
    """The failure of a trace whose first ``done`` events are all the process can
    do, ``offered`` being the events it offers after them."""
    shown = "{" + ", ".join(sorted(offered)) + "}"
    counterexample = Counterexample(
        names[:done],
        refused=frozenset({names[done]}),
        accepted=offered,
        note=f"after this prefix the process offers {shown}, not {names[done]}",
    )
    return CheckResult(Verdict.FAIL, counterexample, stats,
                       message=f"only the first {done} of {len(names)} events are possible")


def _goal(walk: Exploration, length: int,
          model: RefinementModel) -> Callable[[int, int], bool] | None:
    """The pairs that show the trace in ``model`` (:func:`check_has_trace`)."""
    if model is RefinementModel.TRACES:
        return None
    can_diverge: dict[int, bool] = {}

    def stable(state: int) -> bool:
        return all(code != TAU_INDEX for code, _ in walk.successors(state))

    def taus(state: int) -> list[int]:
        return [target for code, target in walk.successors(state) if code == TAU_INDEX]

    def divergent(state: int) -> bool:
        # can do τ for ever: a τ-cycle within τ-reach (bisimilar states agree,
        # so a reduced product finds it at the same distance)
        if state not in can_diverge:
            can_diverge[state] = tau_cycle_reached(state, taus)
        return can_diverge[state]

    if model is RefinementModel.FAILURES:
        return lambda state, done: done == length and stable(state)
    return lambda state, done: (done == length and stable(state)) or divergent(state)
