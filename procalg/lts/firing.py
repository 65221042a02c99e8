"""Firing one synchronisation rule's factors on a batch of packed states.

A rule of a compiled network is a list of *factors*, one table per group of
components it reads (:class:`procalg.lts.vectors.TableFactor`, or a lazy
leaf's :class:`procalg.lts.lazy_tables.LazyFactor`); the rule's moves from a
state are the Cartesian product of its factors' moves there, each factor
adding its delta to the packed code (int64, or per-word rows added to the
``V{8k}`` keys of a word-aligned wide layout, :meth:`Layout.add`).

Example:
    >>> import numpy as np
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import Network, SyncRule
    >>> from procalg.lts.vectors import Tables
    >>> a = LTS.build(2, 0, ["a"], [(0, "a", 1), (0, "a", 0)])
    >>> t = Tables(Network((a, a), (SyncRule("a", ((0, "a"), (1, "a"))),)))
    >>> codes = np.array([0, 1, 2, 3])
    >>> factors = t.rule_factors(t.network.rules[0])  # one table per component
    >>> src, dst, _ = fire_factors(factors, codes, t.decode(codes), t.layout)
    >>> src.tolist(), dst.tolist()  # only code 0 has both sides' moves
    ([0, 0, 0, 0], [0, 1, 2, 3])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.codes import Layout
from procalg.lts.factor_tables import TableFactor, word_rows

if TYPE_CHECKING:  # vectors imports this module
    from procalg.lts.lazy_tables import LazyFactor

    Factor = TableFactor | LazyFactor


def fire_factors(factors: list[Factor], codes: np.ndarray, locs: dict[int, np.ndarray],
          layout: Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Cartesian product of the factors' moves from every code."""
    if layout.words and codes.dtype.kind != "V":  # integers in, integers out
        src, dst, label = fire_factors(factors, layout.keys(codes), locs, layout)
        return src, layout.cast(dst), label
    if len(factors) == 1 and factors[0].deterministic:  # the common case: one gather
        f = factors[0]
        j = f.index(locs)
        # take, not []: a cheaper gather; counts of 0 or 1 read as bools, whose
        # nonzero is ~3x faster than int8's
        has = f.count.view(np.bool_) if f.count.dtype == np.int8 else f.count
        keep = has.take(j).nonzero()[0]
        first = f.offsets.take(j.take(keep))
        return keep, _moved(layout, codes.take(keep, axis=0), _delta(f, first, layout)), \
            f.label.take(first)
    if not all(f.live for f in factors):  # e.g. a lazy leaf's never-seen label
        return (np.zeros(0, np.int64), np.zeros(0, codes.dtype), np.zeros(0, np.int32))
    if len(factors) == 1:  # one non-deterministic table: its runs, no product
        return _runs_of(factors[0], codes, locs, layout)
    keep, counts, keys = _enabled(factors, locs)
    if all(f.deterministic for f in factors):  # one move per enabled code: no product
        return _single_moves(factors, codes, keep, keys, layout)
    total = counts[0]
    for c in counts[1:]:
        total = total * c
    src = np.repeat(keep, total)
    row = np.repeat(np.arange(len(keep), dtype=np.int64), total)
    starts = np.cumsum(total) - total
    pos = np.arange(len(src), dtype=np.int64) - starts[row]
    delta = label = None
    for f, c, key in zip(factors, counts, keys, strict=True):
        cs = c[row]
        entry = f.first(key[row]) + pos % cs
        pos //= cs
        d = _delta(f, entry, layout)
        delta = d if delta is None else delta + d
        label = f.labels_at(entry) if label is None else label
    if label is None:
        return src, codes[src], np.zeros(0, dtype=np.int32)
    return src, _moved(layout, codes[src], delta), label


def _delta(f: Factor, entry: np.ndarray, layout: Layout) -> np.ndarray:
    """Factor ``f``'s code deltas at ``entry``: per-word rows when the layout
    is word-aligned (a lazy factor gives local steps, placed in its word)."""
    if layout.words and not isinstance(f, TableFactor):
        return layout.word_delta(f.comps[0], f.deltas(entry, _UNIT, False))
    if not layout.words:  # int64 codes (every wide layout is word-aligned)
        return f.deltas(entry, layout.stride, False)
    d = f.deltas(entry, layout.stride, False)  # a table made before the codes grew wide
    return d if d.ndim == 2 and d.shape[1] == layout.words else word_rows(d, layout.words)


class _Unit:
    """A stride of 1 for every component: a lazy factor's deltas are then its local steps."""

    def __getitem__(self, c: int) -> int:
        return 1


_UNIT = _Unit()


def _moved(layout: Layout, codes: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """``codes`` plus ``delta`` (keys of a word-aligned layout: per word)."""
    return layout.add(codes, delta) if layout.words else codes + delta


def _single_moves(factors: list[Factor], codes: np.ndarray, keep: np.ndarray,
                  keys: list[np.ndarray], layout: Layout
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The moves of deterministic factors from the ``keep`` codes, where every
    factor has its one move (at table key ``keys``): a sum of deltas per code
    (a rule over many components, e.g. a clock every component shares)."""
    if not len(keep):
        return (np.zeros(0, np.int64), np.zeros(0, codes.dtype), np.zeros(0, np.int32))
    delta = label = None
    for f, key in zip(factors, keys, strict=True):
        entry = f.first(key)
        d = _delta(f, entry, layout)
        delta = d if delta is None else delta + d
        label = f.labels_at(entry) if label is None else label
    return keep, _moved(layout, codes[keep], delta), label


def _runs_of(f: Factor, codes: np.ndarray, locs: dict[int, np.ndarray], layout: Layout
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every move of one table from every code: each code's run of entries
    (a label with several targets per local state, e.g. a lossy channel),
    laid out with one ``repeat``, without the general path's product loop."""
    count, key = f.counts(locs)
    keep = np.flatnonzero(count)
    n = count[keep]
    src = np.repeat(keep, n)
    shift = f.first(key[keep]) - (np.cumsum(n) - n)  # entry - position in the output
    entry = np.arange(len(src), dtype=np.int64) + np.repeat(shift, n)
    return src, _moved(layout, codes[src], _delta(f, entry, layout)), f.labels_at(entry)


def _enabled(factors: list[Factor], locs: dict[int, np.ndarray]
             ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """The codes (indices, ascending) where every factor has a move, with each
    factor's move count and table key there.

    Each factor is read only at the codes the ones before it left: in most
    states most rules are disabled, so later factors index far fewer codes
    than the batch (FDR's supercombinator firing stops at the first component
    that cannot take part, Gibson-Robinson et al., "FDR3", TACAS 2014).
    """
    keep: np.ndarray | None = None
    counts: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    for f in factors:
        here = locs if keep is None else {c: locs[c][keep] for c in f.comps}
        count, key = f.counts(here)
        counts.append(count)
        keys.append(key)
        alive = np.flatnonzero(count)
        if len(alive) == len(count):  # every code still moves: nothing to narrow
            continue
        keep = alive if keep is None else keep[alive]
        counts = [c[alive] for c in counts]
        keys = [k[alive] for k in keys]
        if not len(keep):
            break
    if keep is None:  # no factor disabled any code
        keep = np.arange(len(counts[0]), dtype=np.int64)
    if len(counts) < len(factors):  # stopped early: no code has every factor's move
        counts += [np.zeros(0, np.int64)] * (len(factors) - len(counts))
        keys += [np.zeros(0, np.int64)] * (len(factors) - len(keys))
    return keep, counts, keys
