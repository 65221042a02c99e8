"""Searching a network's product level by level on packed codes.

The product of a :class:`~procalg.lts.network.Network` is explored
breadth-first by :class:`~procalg.lts.level_search.LevelSearch` (the level
loop: successors in bulk from :class:`~procalg.lts.vectors.Tables`, the
visited set :class:`~procalg.lts.visited.Visited`; nothing per state in
Python). This module holds the searches the properties are built on, and
no property: state counts, a shortest path to a goal over packed states
(:func:`find_path`; deadlock and reachability define their goals in
``procalg.checks``), the states that can do τ forever and a shortest τ-lasso
(:func:`divergent_codes`, :func:`tau_lasso`), and the whole product as an
explicit LTS. This is the level-by-level search of FDR (Gibson-Robinson,
Armstrong, Boulgakov and Roscoe, "FDR3 — a modern refinement checker for
CSP", TACAS 2014) on LTSA/FDR-style component networks.

Searches stop at the first BFS level holding a match, so paths are
shortest; the path is rebuilt backwards with the reversed tables and the
level tags (no parent array). The τ-lasso needs the τ-graph, so it explores
fully and then peels off states without τ-successors (what remains can
τ-loop forever). Optional partial-order reduction (stubborn sets,
:mod:`procalg.lts.por`) is sound for deadlock goals only.

Components given as :class:`~procalg.lts.lazy.LazyComponent` are explored
during the search: before each level, the local states the frontier holds
and nobody expanded yet are expanded (:meth:`~procalg.lts.vectors.Tables.expand`), and if one
outgrew its digits of the code, every visited state is re-encoded
(:meth:`~procalg.lts.visited.Visited.recode`, O(S log S), rare: headroom doubles). Codes wider
than 62 bits are Python integers, sorted and stored as fixed-width byte keys
(:mod:`~procalg.lts.wide_keys`; about 4x slower than int64, never an error). The
result's notes say which components were lazy and how far each got.

Complexity: O(S log S + T log T) numpy work for S states and T transitions;
memory about 10 bytes per state plus one level's successors.

Example:
    >>> from procalg.lts.network import close, component, parallel
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
    >>> q = LTS.build(2, 0, ["b"], [(0, "b", 1)])
    >>> net = close(parallel(component(p), component(q), {"b"}))
    >>> explore_product(net).num_states
    3
    >>> count_states(net).states
    3
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from procalg.lts.leaf_levels import OneLeaf
from procalg.lts.level_paths import least_path, least_to_goals
from procalg.lts.level_search import CHUNK, LevelSearch, Progress, SearchResult, Stop
from procalg.lts.lts import LTS, TAU, TAU_INDEX
from procalg.lts.network import Network
from procalg.lts.priority_scopes import needs_tags
from procalg.lts.tau import tau_forever
from procalg.lts.vectors import Tables
from procalg.lts.visited import sorted_unique

__all__ = ["CHUNK", "Goal", "Limits", "Progress", "SearchResult", "count_states", "divergent_codes",
           "explore_product", "find_path", "reads_keys", "tau_lasso"]

def _positions(codes: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``np.searchsorted(codes, queries)``, searched in sorted order: a sorted
    sweep stays in cache where scattered queries miss it at every step (8x
    faster on a chunk's successors in a 5.9 M-state set).

    Example:
        >>> _positions(np.array([2, 4, 8]), np.array([8, 2, 4, 8])).tolist()
        [2, 0, 1, 2]
    """
    order = np.argsort(queries)
    found = np.empty(len(queries), dtype=np.intp)
    found[order] = np.searchsorted(codes, queries[order])
    return found


@dataclass(frozen=True, slots=True)
class Limits:
    """How far a product search may go, and whom it tells as it goes.

    Attributes:
        max_states: stop with :class:`~procalg.errors.LimitExceeded` beyond
            this many states (``None``: no limit).
        max_memory: the same beyond this many bytes of search arrays (``None``: none).
        progress: called with a :class:`Progress` per BFS level.
        workers: threads expanding chunks (``None``: up to 2 cores).

    Example:
        >>> from procalg.lts.network import close, component
        >>> count_states(close(component(LTS.build(2, 0, ["a"], [(0, "a", 1)]))),
        ...              Limits(max_states=10)).states
        2
    """

    max_states: int | None = None
    max_memory: int | None = None
    progress: Callable[[Progress], None] | None = None
    workers: int | None = None


NO_LIMITS = Limits()
S = TypeVar("S", bound=Callable)


def searcher(network: Network, limits: Limits = NO_LIMITS) -> LevelSearch:
    """A level search over ``network``'s product, within ``limits``."""
    return LevelSearch(Tables(network), max_states=limits.max_states,
                       max_memory=limits.max_memory, progress=limits.progress,
                       workers=limits.workers)


def count_states(network: Network, limits: Limits = NO_LIMITS) -> SearchResult:
    """Explore the whole product; ``found`` is False, the stats are the point.

    Every search here takes its :class:`Limits` the same way.

    Raises:
        LimitExceeded: a limit was reached; says how far the search got.
    """
    search = searcher(network, limits)
    search.run()
    return search.result(False)


Goal = Callable[[Tables], "Stop | None"]
"""What :func:`find_path` looks for, given the product's tables: a ``stop``
function over each expanded chunk (``(chunk, src, dst, label)`` →
``(code, last label)`` or ``None``), or ``None`` when nothing can match (the
search then explores everything). ``chunk`` holds integer codes unless the stop
:func:`reads_keys`; ``dst`` holds codes as the search does (keys of a
word-aligned layout). A stop whose ``on_targets`` is set reads only the
moves' targets (a deadlock: whether a state has a move), so the search fires
rules alike but for their label once (:meth:`~procalg.lts.vectors.Tables.targets`).
The properties (``procalg.checks``) define their goals; this module only searches."""


def reads_keys(stop: S) -> S:
    """Mark ``stop`` (a goal's function over expanded chunks) and its ``every``
    as reading ``chunk`` as the search holds it: keys of a word-aligned layout
    (:meth:`~procalg.lts.codes.Layout.decode` reads them; the witness is turned
    into an integer alone: :func:`~procalg.lts.wide_keys.code_at`), not Python
    integers made of every state (Tokeneer: 134 M). Returns ``stop``.

    Example:
        >>> stop = reads_keys(lambda chunk, src, dst, lab: None)
        >>> stop.reads_keys
        True
    """
    stop.reads_keys = True  # type: ignore[attr-defined]
    every = getattr(stop, "every", None)
    if every is not None:
        every.reads_keys = True
    return stop


def find_path(network: Network, goal: Goal, limits: Limits = NO_LIMITS, *,
              por: bool = False) -> SearchResult:
    """A shortest path to the first state (or move) ``goal`` picks; ``found``
    says whether there is one. Where the goal's stop lists every goal of a level
    (its ``every``), the least of the shortest paths by label names
    (:func:`~procalg.lts.level_paths.least_to_goals`): one answer whatever the
    codes, as the reference's (:mod:`procalg.lts.least_paths`).

    The path ends at the state, followed by the label the goal names (``""``:
    none). The search stops at the first BFS level holding a match.

    Args:
        network: the product to search.
        goal: the property's goal over packed states (see :data:`Goal`).
        por: explore with stubborn sets (fewer states; the path then need
            not be shortest). Sound for deadlock search only.

    Example:
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
        >>> def last(tables):  # a state with no move
        ...     def stop(chunk, src, dst, lab):
        ...         idle = np.setdiff1d(np.arange(len(chunk)), src)
        ...         return (int(chunk[idle].min()), "") if len(idle) else None
        ...     return stop
        >>> find_path(close(component(p)), last).path
        ('a', 'b')
    """
    search = searcher(network, limits)
    notes: tuple[str, ...] = ()
    if por and needs_tags(network):  # priority makes moves disable others: not stubborn
        notes = ("partial-order reduction off: the network is prioritised",)
    elif por:
        from procalg.lts.por import Stubborn

        search.por = Stubborn(search.tables)
        notes = ("partial-order reduction (stubborn sets): trace may not be shortest",)
    stop = goal(search.tables)
    hit = search.run(stop, targets=getattr(stop, "on_targets", False)) if stop else search.run()
    if hit is None:
        return search.result(False, notes=notes)
    code, label = hit
    every = getattr(stop, "every", None)
    leaf = OneLeaf.of(search.tables) if search.por is None else None
    if search.por is None and every is not None:  # the least of the shortest: one answer
        kept = None if leaf is None else leaf.moves
        return search.result(True, least_to_goals(search, code, every, kept), notes=notes)
    path = leaf.path_to(search, code) if leaf is not None else None  # no firing: a deep one
    if path is None:
        path = search.path_to(code)
    return search.result(True, [*path, *([label] if label else [])], notes=notes)


def _all_transitions(search: LevelSearch, only: int | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every transition (with label ``only``, if given) as (sorted position
    of source, of target, label)."""
    codes = search.visited.codes
    srcs, dsts, labs = [], [], []
    for lo in range(0, len(codes), CHUNK):
        src, dst, lab = search.tables.successors(codes[lo: lo + CHUNK])
        if only is not None:
            keep = lab == only
            src, dst, lab = src[keep], dst[keep], lab[keep]
        srcs.append(src + lo)
        dsts.append(np.searchsorted(codes, dst))
        labs.append(lab)
    if not srcs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int32)
    return np.concatenate(srcs), np.concatenate(dsts), np.concatenate(labs)


def tau_lasso(network: Network, limits: Limits = NO_LIMITS) -> SearchResult:
    """The divergence counterexample (:mod:`procalg.checks.divergence` defines
    it): the least of the shortest paths to a state that can do τ forever, the
    fewest τ-steps from there to a τ-cycle (added to ``path``), and the
    shortest such cycle (``cycle``), both counted in the graph minimised
    modulo strong bisimulation (:mod:`procalg.lts.minimal_lasso`: the
    same on every engine); ``found`` says whether one exists.

    Explores fully, then peels states without τ-successors round by round
    (rounds = longest τ-path); the survivors are the states with an infinite
    τ-path. The path is chosen among the shortest (the level tags) on the
    states that lead to the nearest survivors (the reversed tables), label
    by label, least name first.

    Example:
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 1)])
        >>> r = tau_lasso(close(component(p)))  # 1 and 2 are one state minimised
        >>> r.path, r.cycle
        (('a',), ('τ',))
    """
    search = searcher(network, limits)
    alive, _, _ = _divergent(search)
    if not alive.any():
        return search.result(False)
    codes, tags = search.visited.codes, search.visited.tags
    level = int(tags[alive].min())
    path, entries = least_path(search, codes[alive & (tags == level)], level)
    from procalg.lts.minimal_lasso import codes_lasso  # a divergence's loop: not on start-up

    lasso = codes_lasso(search.tables, entries, codes)  # codes: every state, sorted
    return search.result(True, [*path, *[TAU] * lasso.lead], (TAU,) * lasso.loop)


def _divergent(search: LevelSearch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Explore fully; a mask over the sorted visited codes of the states that
    can do τ forever, and the τ-transitions among them (sorted positions)."""
    search.run()
    search.visited.finish()
    src, dst, _ = _all_transitions(search, only=TAU_INDEX)
    return tau_forever(len(search.visited.codes), src, dst)


def divergent_codes(network: Network, limits: Limits = NO_LIMITS
                    ) -> tuple[Tables, np.ndarray, SearchResult]:
    """The sorted codes of every reachable state that can do τ forever (in
    the returned tables' final layout), and the exploration's stats.

    Example:
        >>> from procalg.lts.network import close, component
        >>> p = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 1)])
        >>> tables, codes, _ = divergent_codes(close(component(p)))
        >>> sorted(tables.layout.decode(codes, [0])[0].tolist())
        [1, 2]
    """
    search = searcher(network, limits)
    alive, _, _ = _divergent(search)
    return search.tables, search.visited.codes[alive], search.result(bool(alive.any()))


def explore_product(network: Network, limits: Limits = NO_LIMITS) -> LTS:
    """The whole product as an explicit LTS (states numbered in BFS order).

    Example:
        >>> from procalg.lts.network import close, component, parallel
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "τ", 0)])
        >>> lts = explore_product(close(parallel(component(p), component(p), set())))
        >>> lts.num_states, lts.num_transitions
        (4, 8)
    """
    search = searcher(network, limits)
    search.run()
    search.visited.finish()
    codes, n = search.visited.codes, len(search.visited.codes)
    order = np.argsort(search.visited.tags, kind="stable")  # BFS level, then code
    ids = np.empty(n, dtype=np.int64)
    ids[order] = np.arange(n)
    width = len(search.tables.labels)

    def moves(lo: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        src, dst, lab = search.tables.successors(codes[order[lo: lo + CHUNK]])
        key = sorted_unique((src.astype(np.int64) * width + lab) * n
                            + ids[_positions(codes, dst)])
        return ((key // (width * n) + lo).astype(np.int32), (key // n % width).astype(np.int32),
                (key % n).astype(np.int32))

    # states expanded in id order, each chunk's moves sorted locally: the whole
    # is sorted by source without one global sort of every transition; chunks
    # run on the search's workers (numpy releases the GIL), in order
    # written straight into arrays sized by the search's move count (an upper
    # bound: duplicates go), never a list of chunks concatenated at twice the size
    out = [np.empty(search.transitions, dtype=np.int32) for _ in range(3)]
    end = 0
    from concurrent.futures import ThreadPoolExecutor  # not on a check's start-up (thread_pool)

    with ThreadPoolExecutor(search.workers) as pool:
        for part in pool.map(moves, range(0, n, CHUNK)):
            size = len(part[0])
            if end + size > len(out[0]):  # fewer moves searched (a reduction): grow
                out = [np.concatenate((w[:end], np.empty(size + len(w), np.int32))) for w in out]
            for whole, piece in zip(out, part, strict=True):
                whole[end: end + size] = piece
            end += size
    src, lab, dst = (whole[:end] for whole in out)
    for arr in (src, lab, dst):
        arr.flags.writeable = False
    return LTS(n, 0, search.tables.labels, src, lab, dst).found_by_search()
