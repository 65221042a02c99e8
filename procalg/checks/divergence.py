"""``assert P :[divergence free]``: no reachable state can do τ for ever.

A process diverges when it can perform internal actions forever; as in FDR
only τ counts (hidden events become τ in the semantics), and a τ self-loop
is a divergence.

**The counterexample** is defined once, here, and every engine gives the
same one (``tests/checks/test_divergence_engines.py`` checks it):

1. the *path*: among the shortest paths (fewest transitions, τ counted)
   from the initial state to a state that can do τ for ever (one on a
   τ-cycle or τ-reaching one), the least, comparing label names position by
   position (τ is the name ``"τ"``). Its last label is visible: a state a
   τ-step away from one that diverges diverges too. ``trace`` is its
   visible events;
2. the *lasso*, from the states that path reaches: the fewest τ-steps to a
   state on a τ-cycle (appended to ``full_path``), then the shortest τ-cycle
   through such a state (``cycle``), the least pair, both counted in the
   state graph minimised modulo strong bisimulation
   (:mod:`procalg.lts.minimal_lasso`).

Both depend only on the process's behaviour (the same for strongly
bisimilar LTSs: the product engine's reduced components, lazily explored
leaves and the term rules give one counterexample). The note says the
lengths in words, never state numbers.

The reference check explores fully (so it needs a finite system), numbers
states breadth-first, finds the τ-cycles with Tarjan's strongly connected
components algorithm (R. E. Tarjan, "Depth-first search and linear graph
algorithms", SIAM J. Comput. 1(2), 1972), iteratively so deep graphs hit no
recursion limit, and the states that can τ-reach one backwards. On a
network, :func:`check_divergence_product` asks the product engine for the
same thing in bulk (:func:`procalg.lts.product.tau_lasso`: a full search,
then the states without τ-successors peeled off round by round). This
module is the property's one home; both give a :class:`CheckResult`.

Complexity: O(S + T) time, O(S + T) integers of memory.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(4, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 3), (3, "τ", 1),
    ...                               (3, "a", 0)])
    >>> r = check_divergence(lts)
    >>> r.passed, r.counterexample.trace, r.counterexample.cycle
    (False, ('a',), ('τ', 'τ', 'τ'))
    >>> spin = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 1)])
    >>> check_divergence(spin).counterexample.cycle  # 1 and 2 are one state minimised
    ('τ',)
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts.components import strong_components
from procalg.lts.exploration import Exploration
from procalg.lts.least_paths import least_path, run_to
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TransitionSystem
from procalg.lts.minimal_lasso import lasso_from
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Limits, tau_lasso


def check_divergence(system: TransitionSystem[Any] | LTS, *,
                     max_states: int | None = None) -> CheckResult:
    """Check that no reachable state can perform τ forever.

    Args:
        system: a transition system (finite), or an LTS.
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS, or FAIL with the counterexample the module defines: ``trace``,
        ``full_path``/``states`` (τ included, up to the τ-cycle) and ``cycle``.

    Example:
        >>> from procalg.lts import LTS
        >>> check_divergence(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])).passed
        True
        >>> check_divergence(LTS.build(1, 0, [], [(0, "τ", 0)])).counterexample.cycle
        ('τ',)
    """
    started = time.perf_counter()
    walk = Exploration(system, max_states=max_states)
    moves = [edges for _, edges in walk]
    taus = [[d for c, d in out if c == TAU_INDEX] for out in moves]
    divergent = diverging(taus)
    stats = _stats(walk, started)
    depths = [walk.level[s] for s in range(len(taus)) if divergent[s]]
    if not depths:
        return CheckResult(Verdict.PASS, None, stats, message="divergence free")
    depth = min(depths)
    labels, came = least_path(walk, moves, [s for s, bad in enumerate(divergent)
                                            if bad and walk.level[s] == depth])
    lasso, lead = lasso_from(sorted(came[-1]), lambda s: walk.edge_names(moves[s]))
    states = tuple(walk.state_id(s) for s in (*run_to(came, lead[0]), *lead[1:]))
    return divergence_result(tuple(labels), lasso.lead, lasso.loop, stats, states)


def check_divergence_product(network: Network, limits: Limits = NO_LIMITS) -> CheckResult:
    """:func:`check_divergence` on a network, its product searched in bulk.

    Args:
        network: a closed network (:func:`procalg.lts.network.close`).
        limits: how far the search may go (:class:`~procalg.lts.product.Limits`).

    Returns:
        PASS, or FAIL with a shortest trace to a state that can do τ forever
        (``full_path`` with τ) and a τ-loop reached from it (``cycle``).

    Example:
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 1), (2, "a", 0)])
        >>> r = check_divergence_product(close(component(p)))
        >>> r.passed, r.counterexample.trace, r.counterexample.cycle
        (False, ('a',), ('τ', 'τ'))
    """
    found = tau_lasso(network, limits)
    stats = Stats.of_search(found)
    if not found.found:
        return CheckResult(Verdict.PASS, None, stats, "divergence free")
    assert found.cycle is not None
    path, entry = found.path, len(found.path)
    while entry and path[entry - 1] == TAU:  # the path to the entry ends visible
        entry -= 1
    return divergence_result(path[:entry], len(path) - entry, len(found.cycle), stats)


def divergence_result(path: tuple[str, ...], lead: int, loop: int, stats: Stats,
                      states: tuple[int, ...] | None = None) -> CheckResult:
    """The failure both engines report: ``path`` to the nearest divergent state,
    ``lead`` τ-steps to a τ-cycle of ``loop`` steps; ``states`` along it all.

    Example:
        >>> r = divergence_result(("a", "τ", "b"), 1, 2, Stats(5, 6, 0.0))
        >>> r.counterexample.trace, r.counterexample.full_path, r.message
        (('a', 'b'), ('a', 'τ', 'b', 'τ'), 'divergence after 2 visible events')
    """
    trace = tuple(x for x in path if x != TAU)
    note = ("divergence: after this trace the process can do τ forever "
            f"({lead} τ-steps, then a τ-cycle of {loop})")
    return CheckResult(
        Verdict.FAIL,
        Counterexample(trace, cycle=(TAU,) * loop, full_path=(*path, *(TAU,) * lead),
                       states=states, note=note),
        stats, message=f"divergence after {len(trace)} visible events")


def diverging(taus: list[list[int]]) -> list[bool]:
    """Per state (``taus[s]``: its τ-successors), whether it can do τ for ever: it
    can τ-reach a τ-cycle (a τ-component of Tarjan's with a τ-move inside).

    Example:
        >>> diverging([[1], [2], [1], []])
        [True, True, True, False]
    """
    component = strong_components(taus)
    sizes = Counter(component)
    cyclic = [sizes[component[s]] > 1 or s in taus[s] for s in range(len(taus))]
    return _reaching(taus, cyclic)


def _reaching(taus: list[list[int]], cyclic: list[bool]) -> list[bool]:
    """Which states can reach a ``cyclic`` one by τ-steps (backwards search)."""
    preds: list[list[int]] = [[] for _ in taus]
    for s, out in enumerate(taus):
        for d in out:
            preds[d].append(s)
    seen = list(cyclic)
    todo = [s for s, c in enumerate(cyclic) if c]
    while todo:
        for p in preds[todo.pop()]:
            if not seen[p]:
                seen[p] = True
                todo.append(p)
    return seen


def _stats(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)
