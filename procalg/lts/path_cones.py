"""The states on the shortest paths to a level's goals, one level back at a time.

:func:`~procalg.lts.level_paths.least_path` walks forwards through the *cone*
of a level-by-level search's goals: per level, the states with a move into
the cone's next level. This module gathers one level of it from the next, in
the form the search holds codes (int64 codes, or ``V{8k}`` keys of a
word-aligned layout: never Python integers), by the cheaper of two ways:

- **backwards**: the reversed tables fire into the cone's states, and the
  visited set keeps the candidates at the level before (a hash look-up in each
  stored run: no run is rebuilt). A rule's reversed firing enumerates every
  combination of its components' local predecessors, most never reached, so
  the candidates are first *counted* per state (:func:`counted`: per rule, the
  product of its parts' local moves into the state) and this way is taken only
  while they number at most a level's average states (a look-up costs about
  what a state's firing does);
- **forwards**: every state of the level before fires, keeping those with a
  move into the cone (at most one level's successors).

On a deep, wide search (Tokeneer: 134 M states in 60 levels of 4-word keys)
the cone is tens of states a level, each with about a hundred candidates
(though the reversed tables' global bound is billions): the backward way costs
milliseconds a level where firing the level forwards costs the search's own
work again (a 1.4 M-state prefix, 14 levels: 0.34 s, not 21 s; the whole
check, which never printed a trace before, now fails in 1,039 s CPU in all with
the least 60-event counterexample). This is the backward search of FDR's
level-by-level checks (Gibson-Robinson et al., "FDR3", TACAS 2014).

Complexity: per level, O(c log S) for c counted candidates, or one level's successors.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.level_search import LevelSearch
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (0, "b", 2)])
    >>> search = LevelSearch(Tables(close(component(p))))
    >>> search.run()
    >>> backward(search, np.array([2]), 1).tolist(), within(np.array([1, 2]), np.array([2, 3]))
    ([1], array([ True, False]))
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts import wide_keys
from procalg.lts.code_sets import sorted_in
from procalg.lts.factor_tables import TableFactor
from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_tables import LazyGroup
from procalg.lts.unique_codes import sorted_unique

if TYPE_CHECKING:  # the search calls this module
    from procalg.lts.level_search import LevelSearch
    from procalg.lts.vectors import Tables

BACKWARD = 1 << 24
"""Most candidates the reversed tables may yield for one level of the cone."""

FEW = 1 << 16
"""Candidates always looked up rather than a level fired (a level's fixed cost is more)."""

BATCH = 1 << 20
"""Most candidates fired backwards and looked up at once (bounds the scratch memory)."""


def within(table: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Mask of the ``queries`` in ``table``, a set made by :func:`distinct`
    (int64 codes ascending; keys in key order, searched by their hashes, but
    first screened by their words' xor: a cone is a few keys, a level's
    successors millions, and the xor costs a fraction of a hash).

    Example:
        >>> keys = distinct(np.array([7, 3], dtype=">u8").view("V8"))
        >>> within(keys, np.array([3, 4], dtype=">u8").view("V8")).tolist()
        [True, False]
    """
    if table.dtype.kind != "V":
        return sorted_in(table, queries)
    out = np.zeros(len(queries), bool)
    if not len(table) or not len(queries):
        return out
    maybe = np.flatnonzero(np.isin(_folded(queries), _folded(table)))
    if len(maybe):
        out[maybe] = wide_keys.key_positions(table, wide_keys.key_hashes(table),
                                             queries[maybe])[1]
    return out


def _folded(keys: np.ndarray) -> np.ndarray:
    """The xor of each key's words (equal keys fold alike)."""
    words = wide_keys.native_words(keys)
    out = words[:, 0].copy()
    for i in range(1, words.shape[1]):
        out ^= words[:, i]
    return out


def distinct(codes: np.ndarray) -> np.ndarray:
    """``codes`` (as the search holds them) as a set :func:`within` searches."""
    return sorted_unique(codes)


def counted(search: LevelSearch, codes: np.ndarray) -> np.ndarray | None:
    """Per code, how many moves the reversed tables fire into it: per rule
    group of eager tables, the product of each factor's moves at the code's
    local states; per group over a lazy component
    (:class:`~procalg.lts.lazy_tables.LazyGroup`), per rule the product of
    each part's local moves into its local state under that part's label
    (:func:`_moves_into`). None where a group is neither.

    Example:
        >>> from procalg.lts.lts import LTS
        >>> from procalg.lts.level_search import LevelSearch
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.vectors import Tables
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 1)])
        >>> counted(LevelSearch(Tables(close(component(p)))), np.array([0, 1])).tolist()
        [0.0, 2.0]
    """
    tables = search.tables
    comps: set[int] = set()
    for group in tables.backward:
        if isinstance(group, LazyGroup):
            comps.update(group.comps)
        elif isinstance(group, list) and all(isinstance(f, TableFactor) for f in group):
            comps.update(c for f in group for c in f.comps)
        else:
            return None
    locs = tables.layout.decode(codes, sorted(comps)) if comps else {}
    into: dict[tuple[int, str], np.ndarray] = {}  # per part: its moves into each code's state
    total = np.zeros(len(codes), np.float64)  # a product may pass 2^63: counted in floats
    for group, rules in zip(tables.backward, tables.rules, strict=True):
        if isinstance(group, LazyGroup) and group.into is not None:  # every rule at once
            total += group.into.count(locs)
            continue
        if isinstance(group, LazyGroup):
            for rule in rules:
                product = np.ones(len(codes), np.float64)
                for part in rule.parts:
                    if part not in into:
                        into[part] = _moves_into(tables, *part, locs[part[0]])
                    product *= into[part]
                total += product
            continue
        product = np.ones(len(codes), np.float64)
        for f in group:
            product *= f.count[f.index(locs)] if len(f.count) else 0.0
        total += product
    return total


def _moves_into(tables: Tables, c: int, label: str, locs: np.ndarray) -> np.ndarray:
    """Component ``c``'s local moves labelled ``label`` into each of its local
    states ``locs`` (a lazy component's: those made so far, every visited state's)."""
    comp = tables.network.components[c]
    if isinstance(comp, LazyComponent):
        code = comp.code.get(label)
        return (np.zeros(len(locs), np.int64) if code is None
                else comp.lookup(code, locs, backward=True)[0])
    dst = np.asarray(tables.local_moves(c).get(label, ([], []))[1], np.int64)
    return np.bincount(dst, minlength=int(locs.max(initial=0)) + 1)[locs]


def backward(search: LevelSearch, cone: np.ndarray, level: int) -> np.ndarray | None:
    """The states of ``level`` with a move into ``cone`` (held codes, a
    :func:`distinct` set, at ``level + 1``), by the reversed tables; None
    where they would yield more candidates than a level holds on average
    (a candidate's look-up costs about what a state's firing does; at least
    :data:`FEW`, at most :data:`BACKWARD`)."""
    count = counted(search, cone)
    visited = search.visited
    budget = min(BACKWARD, max(FEW, len(visited) // (visited.depth + 1)))
    if count is None or count.sum() > budget:
        return None
    found = [cone[:0]]
    for lo, hi in _batches(count):
        _, pred, _ = search.tables.successors(cone[lo:hi], backward=True)
        pred = pred if pred.dtype == cone.dtype else search.held(pred)
        found.append(pred[visited.level_of(pred) == level])
    return distinct(np.concatenate(found))


def _batches(count: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive ranges of states whose counts add up to about :data:`BATCH`."""
    ends = np.searchsorted(np.cumsum(count), np.arange(BATCH, count.sum(), BATCH), side="right")
    bounds = sorted({0, len(count), *ends.tolist()})
    return list(itertools.pairwise(bounds))


def forward(search: LevelSearch, codes: np.ndarray, cone: np.ndarray) -> np.ndarray:
    """The ``codes`` (held form) with a move into ``cone`` (a :func:`distinct`
    set), fired forwards in the search's batches."""
    out = [codes[:0]]
    step = search.chunk()
    for lo in range(0, len(codes), step):
        chunk = codes[lo: lo + step]
        src, dst, _, _ = search.tables.targets(chunk)  # alike rules fired once: targets only
        dst = dst if dst.dtype == cone.dtype else search.held(dst)
        out.append(chunk[np.unique(src[within(cone, dst)])])
    return distinct(np.concatenate(out))
