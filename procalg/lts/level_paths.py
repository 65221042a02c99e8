"""Rebuilding a shortest trace after a level-by-level search (no parent array).

:class:`~procalg.lts.level_search.LevelSearch` keeps each visited code's BFS
level only; a trace to a code is rebuilt backwards one level at a time, by the
reversed tables where few moves can enter a code, else by firing the level
before forwards (the backward search of FDR's level-by-level checks:
Gibson-Robinson et al., "FDR3", TACAS 2014).

Complexity: per step, the reversed tables' moves into one code, or at most
one level's successors.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.level_search import LevelSearch
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
    >>> search = LevelSearch(Tables(close(component(p))))
    >>> search.run() is None, path_to(search, 2)
    (True, ['a', 'b'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts import path_cones
from procalg.lts.held import HeldOrder
from procalg.lts.network import HELD
from procalg.lts.visited import sorted_unique

if TYPE_CHECKING:  # the search calls this module
    from procalg.lts.level_search import LevelSearch, Stop

PATH_CODES = 1 << 20
"""Codes taken from the visited set per scan while a trace is rebuilt."""

FAN = 1 << 12
"""Most moves of the reversed tables into a code for which a trace's step is taken with them."""


def path_to(search: LevelSearch, code: int) -> list[str]:
    """Labels of a shortest path from the initial state to ``code``
    (through the least predecessor code at each step).

    Each step takes the least predecessor one level up by the cheaper way for
    the code in hand: the reversed tables where their moves into it, counted
    exactly per rule (:func:`~procalg.lts.path_cones.counted`), are at most
    :data:`FAN`; otherwise by firing the level before forwards and keeping
    the moves into the current state: firing backwards enumerates every
    combination of the components' local predecessors, most of them never
    reached (the 64 cells of a knight's tour: billions), where this costs at
    most a level's successors per step (its codes are fired in ascending
    order, and the first chunk with a move in ends the step). The visited set
    is scanned for several levels at once, about ``PATH_CODES`` codes. A level
    whose moves the search kept (:mod:`~procalg.lts.level_trail`) is read, not
    fired. (A bound over the whole network, the product of each rule's most
    local predecessors, fired Tokeneer's levels forwards: a lazy leaf's are
    unknown.)
    """
    here = search.held([code])
    level = int(search.visited.level_of(here)[0])
    labels: list[str] = []
    known: dict[int, np.ndarray] = {}
    span = _span(search)
    while level > 0:
        step = _kept_step(search, here, level) or _reversed_step(search, here, level)
        if step is None:
            if level - 1 not in known:
                known = levels(search, max(0, level - span), level)
            step = _step_back(search, here, known.pop(level - 1))
        here, label = step
        labels.append(search.tables.labels[label])
        level -= 1
    return labels[::-1]


def _reversed_step(search: LevelSearch, here: np.ndarray, level: int
                   ) -> tuple[np.ndarray, int] | None:
    """The least predecessor of ``here`` (one code at ``level``) and the least
    label into it, by the reversed tables (None: more than :data:`FAN` moves into it)."""
    count = path_cones.counted(search, here)
    if count is None or not count[0] <= FAN:
        return None
    _, pred, lab = search.tables.successors(here, backward=True)
    ok = np.flatnonzero(search.visited.level_of(pred) == level - 1)
    best = least(pred, lab, ok)
    return pred[[best]], int(lab[best])


def _kept_step(search: LevelSearch, here: np.ndarray, level: int
               ) -> tuple[np.ndarray, int] | None:
    """The least predecessor of ``here`` (one code at ``level``) and the least
    label into it, from the search's kept moves of the level before (None: not kept)."""
    if search.tables.layout.words:  # keys, not codes: never kept
        return None
    step = search.trail.last_step(search.tables.layout, level - 1, int(here[0]))
    return None if step is None else (search.held([step[0]]), step[1])


def _span(search: LevelSearch) -> int:
    """Levels taken from the visited set per scan: about :data:`PATH_CODES` codes."""
    per_level = max(1, len(search.visited) // (search.visited.depth + 1))
    return max(1, min(1024, PATH_CODES // per_level))


def levels(search: LevelSearch, low: int, high: int, *, ordered: bool = True
           ) -> dict[int, np.ndarray]:
    """The codes of levels ``low`` to ``high`` - 1 as the search holds them
    (keys of a word-aligned layout), each level's ascending (keys sort as their
    codes: by their words, most significant first; no Python integers), or
    in no order (``ordered`` False: a cone's level is a set)."""
    codes, tags = search.visited.at_levels(low, high)
    codes = search.held(codes)
    order = ascending(codes) if ordered else np.arange(len(codes))
    order = order[np.argsort(tags[order], kind="stable")]
    codes, tags = codes[order], tags[order]
    bounds = np.searchsorted(tags, np.arange(low, high + 1))
    return {lv: codes[bounds[k]: bounds[k + 1]] for k, lv in enumerate(range(low, high))}


def ascending(codes: np.ndarray) -> np.ndarray:
    """The order that sorts ``codes`` (int64, or big-endian ``V{8k}`` keys: by
    their words as unsigned integers, numpy's sort of the words, not a compare
    call per key).

    Example:
        >>> keys = np.array([[1, 0], [0, 9], [0, 2]], dtype=">u8").view("V16").ravel()
        >>> ascending(keys).tolist()
        [2, 1, 0]
    """
    if codes.dtype.kind != "V":
        return np.argsort(codes, kind="stable")
    words = np.ascontiguousarray(codes).view(">u8").reshape(len(codes), -1).astype(np.uint64)
    return np.lexsort(words.T[::-1])


def _step_back(search: LevelSearch, here: np.ndarray, codes: np.ndarray
               ) -> tuple[np.ndarray, int]:
    """The least of the sorted ``codes`` with a move into ``here`` (one
    code, held form) and that move's label index (the first such move)."""
    step = search.chunk()  # the search's batch: its scratch memory stays bounded
    for lo in range(0, len(codes), step):
        chunk = codes[lo: lo + step]
        src, dst, lab = search.tables.successors(chunk)
        dst = dst if dst.dtype == here.dtype else search.held(dst)
        into = np.flatnonzero(dst == here[0])
        if len(into):
            best = least(src, lab, into)  # sources ascend as the sorted codes do
            return chunk[[src[best]]], int(lab[best])
    raise AssertionError("no move from a BFS level into a state of the next")


def least(codes: np.ndarray, labels: np.ndarray, among: np.ndarray) -> int:
    """The move of ``among`` from (or to) the least code, of least label index
    there: one answer whichever way the moves were listed (two labels may join
    the same pair of states).

    Example:
        >>> least(np.array([4, 2, 2, 9]), np.array([0, 3, 1, 0]), np.array([0, 1, 2]))
        2
    """
    first = among[np.argsort(codes[among], kind="stable")[0]]  # keys sort as their codes
    ties = among[codes[among] == codes[first]]
    return int(ties[np.argmin(labels[ties])])


def least_path(search: LevelSearch, targets: np.ndarray, level: int
               ) -> tuple[list[str], np.ndarray]:
    """Among the shortest paths from the initial state to ``targets`` (visited
    codes, all at BFS ``level``), the least by label names compared position by
    position, and the targets it ends in (sorted codes).

    The states on some shortest path to a target (the *cone*) are gathered level
    by level backwards (a tiny level's moves kept by the search,
    :mod:`~procalg.lts.level_trail`; else the reversed tables where the candidates
    into the cone, counted per rule, are few, or the level before fired forwards:
    :mod:`~procalg.lts.path_cones`), then the path walks forwards through them
    taking the least label each time (every state that label reaches). Codes stay
    in the search's form throughout (keys of a word-aligned layout: no Python
    integers but the ends returned for integer ``targets``).
    """
    tables, trail, layout = search.tables, search.trail, search.tables.layout
    cone = [path_cones.distinct(search.held(targets))]
    kept_ok = not layout.words  # the trail keeps integer codes: keys never
    known: dict[int, np.ndarray] = {}
    span = _span(search)
    for j in range(level, 0, -1):
        kept = trail.back(layout, j - 1, cone[-1]) if kept_ok else None  # a tiny level's moves
        if kept is None:
            kept = path_cones.backward(search, cone[-1], j - 1)  # few candidates into the cone
        if kept is None:
            if j - 1 not in known:
                known = levels(search, max(0, j - span), j, ordered=False)
            kept = path_cones.forward(search, known.pop(j - 1), cone[-1])
        cone.append(kept)
    cone.reverse()
    rank = name_rank(tables.labels)
    ranks = rank.tolist()
    here, path = cone[0], []
    for j in range(level):
        step = trail.forth(layout, j, here, cone[j + 1], ranks) if kept_ok else None
        if step is not None:
            path.append(tables.labels[step[0]])
            here = step[1]
            continue
        _, dst, lab = tables.successors(here)
        dst = dst if dst.dtype == here.dtype else search.held(dst)
        ok = path_cones.within(cone[j + 1], dst)
        dst, lab = dst[ok], lab[ok]
        least = int(lab[np.argmin(rank[lab])])
        path.append(tables.labels[least])
        here = path_cones.distinct(dst[lab == least])
    if here.dtype.kind == "V" and targets.dtype.kind != "V":  # the callers' form
        here = sorted_unique(layout.cast(here))
    return path, here


def name_rank(labels: Sequence[str]) -> np.ndarray:
    """Each label index's place among the label names in order (the order paths
    are compared in, position by position).

    Example:
        >>> name_rank(["τ", "✓", "b", "a"]).tolist()
        [2, 3, 1, 0]
    """
    rank = np.empty(len(labels), np.int64)
    rank[sorted(range(len(labels)), key=labels.__getitem__)] = np.arange(len(rank))
    return rank


def least_kept_path(search: LevelSearch, kept: Mapping[int, Sequence[tuple[int, int]]],
                    targets: np.ndarray, level: int) -> tuple[list[str], np.ndarray] | None:
    """:func:`least_path` read off the moves a deep one-leaf walk kept per code
    (:class:`~procalg.lts.leaf_levels.OneLeaf`: ``(label index, target)``), in
    Python with no firing: its levels are a few states each, where numpy's calls
    per level would set the pace. None where a state on the way is not kept.

    Example:
        >>> from procalg.lts import LTS, network, product
        >>> two = LTS.build(3, 0, ["b", "a"], [(0, "b", 1), (0, "a", 2), (1, "a", 2)])
        >>> search = product.searcher(network.close(network.component(two)))
        >>> search.run()
        >>> least_kept_path(search, {0: ((2, 1), (3, 2))}, np.array([2]), 1)
        (['a'], array([2]))
    """
    names = search.tables.labels
    cone = [set(targets.tolist())]
    known: dict[int, np.ndarray] = {}
    span = _span(search)
    for j in range(level, 0, -1):
        if j - 1 not in known:
            known = levels(search, max(0, j - span), j)
        into = set()
        for code in known.pop(j - 1).tolist():
            moves = kept.get(code)
            if moves is None:
                return None
            if any(d in cone[-1] for _, d in moves):
                into.add(code)
        cone.append(into)
    cone.reverse()
    here, path = cone[0], []
    for j in range(level):
        step = [(names[g], d) for s in here for g, d in kept[s] if d in cone[j + 1]]
        least = min(name for name, _ in step)
        path.append(least)
        here = {d for name, d in step if name == least}
    return path, np.array(sorted(here), dtype=np.int64)


def least_to_goals(search: LevelSearch, code: int, every: Stop,
                   kept: Mapping[int, Sequence[tuple[int, int]]] | None = None) -> list[str]:
    """The least (by label names) of the shortest paths to a goal, ``code`` the
    search's first witness: every goal of its BFS level (``every`` over the level's
    moves: the codes that match and the name the path ends with, ``""``: none), then
    :func:`least_path` to them, then the least name among the goals it ends in.
    The level was expanded by the search (its lazy leaves too), so this fires it
    again, and the reversed tables back to the initial state (or reads the moves a
    one-leaf walk ``kept``: :func:`least_kept_path`).

    Example:
        >>> from procalg.lts import LTS, network, product
        >>> two = LTS.build(3, 0, ["b", "a"], [(0, "b", 1), (0, "a", 2)])
        >>> search = product.searcher(network.close(network.component(two)))
        >>> search.run()  # no goal: the whole product, states 1 and 2 in level 1
        >>> def idle(chunk, src, dst, lab):
        ...     dead = np.setdiff1d(np.arange(len(chunk)), src)
        ...     return chunk[dead], [""] * len(dead)
        >>> least_to_goals(search, 1, idle)
        ['a']
    """
    path, _, names = least_goals(search, code, every, kept)
    last = min(names)
    return [*path, *([last] if last else [])]


def least_goals(search: LevelSearch, code: int, every: Stop,
                kept: Mapping[int, Sequence[tuple[int, int]]] | None = None
                ) -> tuple[list[str], np.ndarray, list[str]]:
    """:func:`least_to_goals`'s path (without the goal's name), the goals it ends
    in (codes as ``every`` saw them) and each one's name.

    Example:
        >>> from procalg.lts import LTS, network, product
        >>> two = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "a", 2)])
        >>> search = product.searcher(network.close(network.component(two)))
        >>> search.run()
        >>> def idle(chunk, src, dst, lab):
        ...     dead = np.setdiff1d(np.arange(len(chunk)), src)
        ...     return chunk[dead], ["x"] * len(dead)
        >>> path, ends, names = least_goals(search, 1, idle)
        >>> path, ends.tolist(), names
        (['a'], [1, 2], ['x', 'x'])
    """
    level = int(search.visited.level_of(search.held([code]))[0])
    targets, names = _level_goals(search, levels(search, level, level + 1,
                                                 ordered=False)[level], every)
    if any(name.startswith(HELD) for name in names):  # is_held: a move a leaf's error made
        # a goal a move further (a trace error) waits for its whole level, where the
        # term rules expand every state and meet the error first: theirs to place
        raise HeldOrder("a model error met in the level of a goal a move further")
    walked = None if kept is None else least_kept_path(search, kept, targets, level)
    path, ends = walked if walked is not None else least_path(search, targets, level)
    hit = np.isin(targets, ends)
    return path, targets[hit], [n for n, h in zip(names, hit, strict=True) if h]


def _level_goals(search: LevelSearch, codes: np.ndarray, every: Stop
                 ) -> tuple[np.ndarray, list[str]]:
    """The goals among a level's ``codes`` (held form) and their names, by
    ``every`` over each chunk's moves, chunk by chunk (the search's batch size).

    A goal that reads only the moves' targets (its ``on_targets``: a trace
    error, a move into the spec's error node) is screened on
    :meth:`~procalg.lts.vectors.Tables.targets` (rules alike but for their
    label fired once: Tokeneer's failing level, 7.1 M targets for 54.6 M
    moves, 0.78 s against 1.96 s), and only the states it matches are fired
    whole, to name each goal by the least of its labels as before.
    """
    tables, step = search.tables, search.chunk()
    keys = not tables.layout.words or getattr(every, "reads_keys", False)  # else integers
    screened = getattr(every, "on_targets", False)
    found, names = [], []
    for lo in range(0, len(codes), step):
        chunk = codes[lo: lo + step]
        if screened:
            src, dst, lab, _ = tables.targets(chunk)
            matched, _ = every(chunk if keys else tables.layout.cast(chunk), src,
                               search.held(dst), lab)
            if not len(matched):
                continue
            chunk = search.held(matched)
        src, dst, lab = tables.successors(chunk)
        matched, named = every(chunk if keys else tables.layout.cast(chunk), src,
                               search.held(dst), lab)
        found.append(np.asarray(matched))
        names += named
    if not found:
        raise AssertionError("no goal in the level of the search's witness")
    targets = np.concatenate(found)
    order = ascending(targets)  # one order whatever the chunks: the codes'
    return targets[order], [names[i] for i in order.tolist()]
