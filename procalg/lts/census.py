"""A product counted, not built: its states, distinct transitions, stuck
states and the moves of a few watched labels, from one level search.

``procalg lts --stats`` wants the counts an explicit LTS would give, not the
LTS: building one numbers every state (a binary search per transition in the
visited codes) and writes every transition, which took philosophers N=10
(5.9 M states, 48 M transitions) 2.8 times as long as the search alone.
:func:`take_census` rides the search :func:`~procalg.lts.product.find_path`
runs for a check: each expanded chunk's moves are counted where they are made
(distinct ``(source, label, target)`` triples, as :class:`~procalg.lts.lts.LTS`
keeps them), its states without a move kept, and its moves with a watched
label kept (``✓``, ``throw``: how runs end). A state the search expands twice
(the delayed duplicate detection of deep, narrow levels) is counted once;
codes kept before a lazy component widened the layout are re-encoded.

Duplicate moves come only from two rules (or two local moves of one rule)
with the same label and target: a chunk's moves are grouped by ``(source,
label)`` with one sort of small integers, and only the groups of more than one
move compare their targets.

Complexity: the search's, plus O(T log T) for the sort of T moves' small keys
and O(S) memory for the expanded codes and their move counts.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 1), (1, "✓", 2)])
    >>> c = take_census(close(component(p)), ["✓"])
    >>> c.states, c.transitions, c.stuck.tolist(), c.lab.tolist()
    (3, 3, [2], [1])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from procalg.lts.codes import Layout
from procalg.lts.leaf_levels import only_when
from procalg.lts.network import Network
from procalg.lts.product import NO_LIMITS, Limits, searcher

__all__ = ["Census", "take_census"]


@dataclass(frozen=True, slots=True)
class Census:
    """What :func:`take_census` found; codes are the final layout's integers.

    Attributes:
        states: reachable states.
        transitions: distinct ``(source, label, target)`` triples.
        labels: the product's labels (τ at 0, ✓ at 1), as an LTS's.
        stuck: codes of the states with no move, sorted.
        src, lab, dst: the moves with a watched label (codes, label indices,
            codes), distinct, sorted.
    """

    states: int
    transitions: int
    labels: tuple[str, ...]
    stuck: np.ndarray
    src: np.ndarray
    lab: np.ndarray
    dst: np.ndarray


class _Tally:
    """Per expanded chunk: its codes, each state's distinct moves, the watched moves."""

    def __init__(self, watched: np.ndarray, width: int) -> None:
        self.watched, self.width = watched, width
        # (layout, chunk codes, distinct moves per state, watched src/lab/dst);
        # appended by the search's worker threads (list.append is atomic)
        self.parts: list[tuple[Layout, np.ndarray, np.ndarray, tuple[np.ndarray, ...]]] = []

    def chunk(self, layout: Layout, chunk: np.ndarray, src: np.ndarray, dst: np.ndarray,
              lab: np.ndarray) -> None:
        degree = np.bincount(src, minlength=len(chunk))
        key = src.astype(np.int64) * self.width + lab
        ordered = np.sort(key)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if len(repeated):  # moves sharing source and label: are their targets equal too?
            shared = np.flatnonzero(np.isin(key, repeated))
            for i in _repeats(key[shared], dst[shared]):
                degree[src[shared[i]]] -= 1
        keep = np.isin(lab, self.watched)
        watched = (chunk[src[keep]], lab[keep], layout.cast(dst[keep]))
        self.parts.append((layout, chunk, degree, watched))

    def census(self, states: int, layout: Layout, labels: tuple[str, ...]) -> Census:
        """The totals, each state counted once, in ``layout``'s codes."""
        def final(old: Layout, codes: np.ndarray) -> np.ndarray:
            return codes if old is layout else layout.cast(layout.recoder(old)(codes))

        codes = [final(old, c) for old, c, _, _ in self.parts]
        degrees = [d for _, _, d, _ in self.parts]
        expanded = sum(len(c) for c in codes)
        if expanded == states:  # every state expanded once: no duplicate to drop
            transitions = int(sum(int(d.sum()) for d in degrees))
            stuck = np.sort(np.concatenate([c[d == 0] for c, d in zip(codes, degrees,
                                                                        strict=True)]))
        else:  # a state expanded twice has the same moves twice: count it once
            every = np.concatenate(codes)
            unique, first = np.unique(every, return_index=True)
            degree = np.concatenate(degrees)[first]
            transitions, stuck = int(degree.sum()), unique[degree == 0]
        moves = {(int(s), int(lb), int(d))
                 for old, _, _, (src, lab, dst) in self.parts
                 for s, lb, d in zip(final(old, src).tolist(), lab.tolist(),
                                     final(old, dst).tolist(), strict=True)}
        rows = sorted(moves)
        src, lab, dst = (np.array([r[i] for r in rows], dtype=layout.dtype if i != 1
                                  else np.int64) for i in range(3))
        return Census(states, transitions, labels, stuck, src, lab, dst)


def _repeats(key: np.ndarray, dst: np.ndarray) -> list[int]:
    """Positions of the pairs ``(key[i], dst[i])`` equal to an earlier one.

    Example:
        >>> _repeats(np.array([5, 5, 5, 7]), np.array([1, 2, 1, 1]))
        [2]
    """
    if dst.dtype == np.int64:
        order = np.lexsort((np.arange(len(key)), dst, key))  # ties: the earlier first
        same = (key[order][1:] == key[order][:-1]) & (dst[order][1:] == dst[order][:-1])
        return sorted(order[1:][same].tolist())
    seen: set[tuple[int, object]] = set()  # wide codes: Python values (keys as bytes)
    out = []
    values = [bytes(c) for c in dst] if dst.dtype.kind == "V" else dst.tolist()
    for i, pair in enumerate(zip(key.tolist(), values, strict=True)):
        if pair in seen:
            out.append(i)
        seen.add(pair)
    return out


def take_census(network: Network, watched: Iterable[str], limits: Limits = NO_LIMITS) -> Census:
    """Explore ``network``'s whole product, counting instead of building.

    Args:
        network: the product.
        watched: labels whose moves are kept (those the product lacks are ignored).
        limits: how far the search may go.

    Raises:
        LimitExceeded: a limit was reached; says how far the search got.
    """
    search = searcher(network, limits)
    tables = search.tables
    index = tables.label_index
    tally = _Tally(np.array(sorted(index[n] for n in watched if n in index), dtype=np.int64),
                   len(tables.labels))

    def count(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray, lab: np.ndarray) -> None:
        tally.chunk(tables.layout, chunk, src, dst, lab)

    search.run(only_when(count, gathers=True))  # state by state: levels may come together
    return tally.census(len(search.visited), tables.layout, tuple(tables.labels))
