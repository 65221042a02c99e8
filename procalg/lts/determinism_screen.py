"""A cheap sufficient test for determinism: one move a label, and no τ that matters.

If no reachable state has a τ move, none has two moves with one label, and
none offers ✓ beside another event, then ``P`` is deterministic in both the
failures-divergences and the stable-failures model: every trace leads to one
state (each normal-form node is a single stable state), which cannot diverge,
and refuses exactly the events it does not offer, so no event is both
offered and refused after one trace (Roscoe, *Understanding Concurrent
Systems*, 2010, sec. 10.5: a node clashes only when its members' initials
differ, or one can terminate). The states after ✓ need not pass (nothing
after ✓ counts); they are screened all the same, which is only cautious.
τ moves may stay where they are confluent and acyclic
(:mod:`procalg.lts.determinism_confluence`, which proves it): each node
then has one stable member, which offers all that the others offer.

Which goal watches the states (:func:`_chosen_goal`): none where the rules
alone show one move a label and there is no τ or ✓ rule (a plain search:
philosophers N=10 in 1.2 s against the normal form's 4.2 s); the
confluence check where there are τ-rules; else :func:`_goal`, per state.

The test is the product engine's plain search (:class:`~procalg.lts.level_search.LevelSearch`,
with its fast paths for deep, narrow spaces) with a goal that watches every
state's moves; it stops at the first state that breaks the rule, or, with :func:`_goal`, at the
first level wider than :data:`~procalg.lts.level_search.NARROW` states (there
the normal form's own BFS on one-state nodes is as fast: measured on the
philosophers, 0.30 s against the screen's 0.45 s), and the caller then builds
the normal form (:mod:`procalg.lts.normal_product`). For a
deep chain of single states that normal form builds each level in plain
Python (:mod:`procalg.lts.normal_few`: the moves' one call per level); the
plain search walks such runs faster still, but what it visited before a
rejection is not handed on: the normal form there is failure-free (one good
state per node), yet the counterexample's trace and the order of the nodes
at the rejecting level are the least traces', which the screen does not keep.

Complexity: that of the plain search, ``O(S log S + T log T)``, plus ``O(T)``
for the goal; memory that of the search's visited set.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> loop = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> screen_deterministic(Tables(close(component(loop)))).kind is None
    True
    >>> choice = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "a", 2)])
    >>> screen_deterministic(Tables(close(component(choice)))) is None
    True
"""

from __future__ import annotations

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts.determinism_codes import Determinism, tau_tables
from procalg.lts.determinism_confluence import (
    Goal,
    applies,
    confluence_goal,
    labels_deterministic,
)
from procalg.lts.determinism_probe import Probe
from procalg.lts.leaf_levels import only_when
from procalg.lts.level_search import NARROW, LevelSearch, Progress
from procalg.lts.lts import TAU, TAU_INDEX, TICK, TICK_INDEX
from procalg.lts.unique_codes import sorted_unique
from procalg.lts.vectors import Tables


def screen_deterministic(tables: Tables, *, max_states: int | None = None
                         ) -> Determinism | None:
    """Explore ``tables``' network and answer PASS if every state passes the
    screen (τ-free, one move per label, ✓ alone); ``None``: undecided.

    Args:
        tables: the network's tables (explored in place: a lazy leaf keeps
            the states the screen met, for the normal form that may follow).
        max_states: past this many states the screen gives up (``None``),
            leaving the limit to the normal form, whose nodes it bounds; so
            it does at a model error a leaf meets (the normal form may find a
            failure before it).
    """
    search = LevelSearch(tables, max_states=max_states, workers=1)
    goal = _chosen_goal(tables)
    probe = Probe(tables, goal) if PROBE and _confluence_of_taus(tables, goal) else None

    def narrow(_: Progress) -> None:
        if len(search.visited.frontier) > NARROW:
            raise _Wide

    def look_ahead(_: Progress) -> None:  # a state the search would reject, met early
        if probe.due(len(search.visited)) and probe.ahead(search.visited.frontier):
            raise _Wide

    if goal is _goal:  # the others are known to pay: a normal form of sets, or a sure pass
        search.progress = narrow
    elif probe is not None:
        search.progress = look_ahead
    try:
        if search.run(goal) is not None:
            return None
    except (ProcalgError, _Wide):  # a limit, or a leaf's model error: the normal form says when
        return None
    states = len(search.visited)
    return Determinism(None, states=states, transitions=search.transitions,
                       levels=search.visited.depth + 1, peak_bytes=search.peak,
                       method="screen", tables=tables)


def _chosen_goal(tables: Tables) -> Goal | None:
    """The goal that screens ``tables``' states: ``None`` (nothing to watch: no
    τ-rules, no ✓-rules, one move a label by the rules,
    :func:`~procalg.lts.determinism_confluence.labels_deterministic`), τ-confluence's
    (:mod:`procalg.lts.determinism_confluence`: hidden moves that cannot matter),
    or :func:`_goal` (no τ, labels watched per state)."""
    rules = tables.network.rules
    fixed = labels_deterministic(tables.network)
    if any(r.label == TAU for r in rules):
        if not applies(tables):
            return _goal
        # under priority a τ-rule alone cannot tell whether it is pre-empted: every rule
        prioritised = tables.network.scopes or any(r.rank is not None or r.guards for r in rules)
        taus = tables if prioritised else tau_tables(tables)
        if taus is None:
            return _goal
        return only_when(confluence_goal(tables, taus, fixed), lists=_goal_lists)
    if not fixed:
        return _goal
    if any(r.label == TICK for r in rules):
        return only_when(confluence_goal(tables, None, True), lists=_goal_lists)
    return None


def _confluence_of_taus(tables: Tables, goal: Goal | None) -> bool:
    """Whether ``goal`` is the τ-confluence test (whose rejections can lie
    deep: :mod:`procalg.lts.determinism_probe` looks ahead for them)."""
    return goal is not None and goal is not _goal and any(
        r.label == TAU for r in tables.network.rules)


PROBE = True
"""Look ahead of the τ-confluence screen (:class:`~procalg.lts.determinism_probe.Probe`)."""

SMALL = 64
"""Moves up to which a chunk is judged in plain Python (a deep chain's levels
hold a state or two: numpy's fixed cost per call would set the pace)."""


class _Wide(Exception):
    """A level outgrew :data:`~procalg.lts.level_search.NARROW` states, or a
    probe met a state the goal rejects: the search is given up."""


def _goal(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray, lab: np.ndarray
          ) -> tuple[int, str] | None:
    """A state of ``chunk`` that breaks the rule, as the search's witness (its
    code and no label: only its being found counts), else ``None``."""
    del dst
    if len(lab) <= 1:  # none, or one (a deep chain's level): only a τ breaks it, in ~0.3 µs
        return (int(chunk[0]), "") if len(lab) and lab[0] == TAU_INDEX else None
    if len(lab) <= SMALL:
        broken = _broken_few(src.tolist(), lab.tolist())
    else:
        key = src.astype(np.int64) * (int(lab.max()) + 1) + lab  # (source, label)
        ticking = src[lab == TICK_INDEX]
        broken = bool((lab == TAU_INDEX).any() or len(sorted_unique(key)) != len(key)
                      or (len(ticking) and (np.bincount(src)[ticking] > 1).any()))
    return (int(chunk[0]), "") if broken else None


def _broken_few(src: list[int], lab: list[int]) -> bool:
    """Whether some source has a τ move, two moves of one label, or ✓ and more.

    Example:
        >>> _broken_few([0, 0, 1], [2, 3, 2]), _broken_few([0, 0], [2, 2])
        (False, True)
        >>> _broken_few([0, 0], [1, 2]), _broken_few([0], [0])  # ✓ and a; τ
        (True, True)
    """
    pairs = set(zip(src, lab, strict=True))
    if TAU_INDEX in lab or len(pairs) != len(src):
        return True
    return TICK_INDEX in lab and any(src.count(s) > 1 for s, x in pairs if x == TICK_INDEX)


def _goal_lists(cur: list[int], out: list[list[tuple[int, int]]]) -> tuple[int, str] | None:
    """:func:`_goal` over a level walked in Python (``out[i]``: the (label index,
    target) moves of ``cur[i]``), with no arrays made and no table read: a deep
    chain's walk asks it every level (:mod:`procalg.lts.leaf_partners`).

    Example:
        >>> _goal_lists([7, 9], [[(2, 8)], [(2, 1), (3, 2)]]) is None
        True
        >>> _goal_lists([7, 9], [[(2, 8)], [(2, 1), (2, 2)]])  # two moves labelled 2
        (7, '')
        >>> _goal_lists([7], [[(TICK_INDEX, 8), (2, 1)]]), _goal_lists([7], [[(TAU_INDEX, 8)]])
        ((7, ''), (7, ''))
    """
    for moves in out:
        if len(moves) == 1:
            if moves[0][0] == TAU_INDEX:
                return cur[0], ""
        elif moves:
            labels = [g for g, _ in moves]
            if TAU_INDEX in labels or TICK_INDEX in labels or len(set(labels)) != len(labels):
                return cur[0], ""
    return None


only_when(_goal, lists=_goal_lists)
