"""How many reversed moves a lazy group's rules fire into given states, all rules at once.

A trace's cone (:mod:`procalg.lts.path_cones`) is gathered backwards only
while the candidates, counted exactly per state, are few: per rule, the
product of each part's local moves into its local state under that part's
label. A wide channel beside a lazy partner has a rule per value (2,000 to
200,000), and counting them one by one cost two numpy look-ups per rule and
part: 36 ms a level at 2,000 values, most of a 60,000-level trace rebuild.
:class:`IntoCounts` counts every rule of the group in one broadcast look-up per
component: a (states × rules) grid of keys ``local state × labels + label``
searched in the component's moves sorted by (target, label) (a lazy leaf's
own backward table; an eager one's, built once per group), multiplied
across the components and summed per state.

Complexity: O(S R log E) per call for S states, R rules and E moves of a
component (the same look-ups as one per rule, in O(components) numpy calls
per :data:`CELLS` cells).

Where a lazy component has few moves into the states (a counter: one each)
and the grid is wide (a rule per value of a 200,000-value channel: a 200,000-
wide row a state, 0.6 s of a 60,000-level trace rebuild), the count is driven
by that component instead (:meth:`IntoCounts.driven`): its moves into the
states, each paired with the rules on its label, the other parts looked up
per pair; O(P log E) for P such pairs, whatever R.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import SyncRule
    >>> from procalg.lts.vectors import Tables
    >>> from procalg.lts.network import close, component
    >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "a", 1), (0, "b", 1)])
    >>> t = Tables(close(component(p)))
    >>> rules = [SyncRule("a", ((0, "a"),)), SyncRule("b", ((0, "b"),))]
    >>> IntoCounts(t, (0,), rules).count({0: np.array([0, 1])}).tolist()
    [0.0, 3.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.lazy import LazyComponent
from procalg.lts.network import SyncRule

if TYPE_CHECKING:
    from procalg.lts.vectors import Tables

CELLS = 1 << 20
"""Most (state, rule) cells counted at once (bounds the scratch arrays)."""
DRIVEN_SHARE = 4
""":meth:`IntoCounts.driven` counts from a lazy component's moves when they, and
then their (move, rule) pairs, number less than the grid's cells over this."""
DRIVEN_CELLS = 1 << 12
"""Fewest grid cells for which :meth:`IntoCounts.driven` is tried (a smaller grid
costs less than its look-ups)."""


class IntoCounts:
    """Per local state vector, the reversed moves of ``rules`` (each with one
    part in every component of ``comps``) into it.

    Args:
        tables: the network's tables (components, eager moves by label).
        comps: the components the rules move.
        rules: the rules, each with exactly one part per component of ``comps``.
    """

    def __init__(self, tables: Tables, comps: tuple[int, ...], rules: list[SyncRule]) -> None:
        components = tables.network.components
        self._columns: list[tuple[int, object, np.ndarray, np.ndarray]] = []
        for c in comps:
            names = [dict(rule.parts)[c] for rule in rules]
            comp = components[c]
            if isinstance(comp, LazyComponent):
                code = comp.code  # a lazy leaf's label numbering is fixed when it is made
                labels = np.fromiter((code.get(a, -1) for a in names), np.int64, len(names))
                self._columns.append((c, comp, labels, labels < 0))
                continue
            used = list(dict.fromkeys(names))
            place = {a: i for i, a in enumerate(used)}
            labels = np.fromiter((place[a] for a in names), np.int64, len(names))
            self._columns.append((c, _eager_keys(tables, c, used), labels, labels < 0))

    @staticmethod
    def fits(comps: tuple[int, ...], rules: list[SyncRule]) -> bool:
        """Whether every rule has exactly one part in each of ``comps`` (and no other)."""
        return all(sorted(c for c, _ in rule.parts) == list(comps) for rule in rules)

    def count(self, locs: dict[int, np.ndarray]) -> np.ndarray:
        """Per state (``locs``: each component's local state per state), the
        sum over rules of the product of its parts' moves into it (floats: a
        product may pass 2^63)."""
        size = len(next(iter(locs.values()))) if locs else 0
        rules = len(self._columns[0][2]) if self._columns else 0
        total = np.zeros(size, np.float64)
        if not rules:
            return total
        driven = self.driven(locs, size * rules) if size * rules >= DRIVEN_CELLS else None
        if driven is not None:
            return driven
        step = max(1, CELLS // rules)
        for lo in range(0, size, step):
            grid = np.ones((min(size, lo + step) - lo, rules), np.float64)
            for c, moves, labels, missing in self._columns:
                here = locs[c][lo: lo + step, None]
                if isinstance(moves, LazyComponent):
                    found = moves.lookup(labels[None, :], here, backward=True)[0]  # type: ignore[arg-type]
                else:
                    keys, width = moves  # type: ignore[misc]
                    k = here * width + labels[None, :]
                    found = np.searchsorted(keys, k + 1) - np.searchsorted(keys, k)
                found[:, missing] = 0  # a label the leaf lacks: no move (and no neighbour's key)
                grid *= found
            total[lo: lo + step] = grid.sum(axis=1)
        return total


    def driven(self, locs: dict[int, np.ndarray], cells: int) -> np.ndarray | None:
        """:meth:`count` from the lazy component with the fewest moves into
        ``locs`` (each move paired with the rules on its label), or None where
        there is none or its pairs are not fewer than the grid's ``cells`` over
        :data:`DRIVEN_SHARE`.

        Example:
            >>> from procalg.lts.exploration import ExplicitSystem
            >>> from procalg.lts.lts import LTS
            >>> from procalg.lts.network import SyncRule, close, component
            >>> from procalg.lts.vectors import Tables
            >>> p = LTS.build(3, 0, ["w.0", "w.1"], [(0, "w.0", 1), (1, "w.1", 2)])
            >>> lazy = LazyComponent(ExplicitSystem(p), ["w.0", "w.1"])
            >>> rules = [SyncRule(a, ((0, a),)) for a in ("w.0", "w.1")]
            >>> into = IntoCounts(Tables(close(component(lazy))), (0,), rules)
            >>> _ = lazy.expand(np.arange(2))  # its moves from 0 and 1 made
            >>> into.driven({0: np.array([0, 1, 2, 2])}, 1_000).tolist()
            [0.0, 1.0, 1.0, 1.0]
        """
        best = None
        for i, (c, moves, _, _) in enumerate(self._columns):
            if isinstance(moves, LazyComponent):
                count, start = moves.lookup_all(locs[c], backward=True)
                made = int(count.sum())
                if best is None or made < best[0]:
                    best = (made, i, count, start)
        if best is None or best[0] * DRIVEN_SHARE >= cells:
            return None
        _, i, count, start = best
        c, lazy, labels, _ = self._columns[i]
        order = np.argsort(labels, kind="stable")  # rules grouped by the driver's label
        ordered = labels[order]
        state, entry = runs(start, count)
        label = lazy.entry_labels(entry, backward=True)  # type: ignore[union-attr]
        first = np.searchsorted(ordered, label)
        many = np.searchsorted(ordered, label, side="right") - first
        if int(many.sum()) * DRIVEN_SHARE >= cells:
            return None
        move, place = runs(first, many)  # every (move into a state, rule on its label)
        rule, state = order[place], state[move]
        product = np.ones(len(rule), np.float64)
        for j, (other, moves, others, missing) in enumerate(self._columns):
            if j == i:
                continue
            here = locs[other][state]
            if isinstance(moves, LazyComponent):
                found = moves.lookup(others[rule], here, backward=True)[0]  # type: ignore[arg-type]
            else:
                keys, width = moves  # type: ignore[misc]
                k = here * width + others[rule]
                found = np.searchsorted(keys, k + 1) - np.searchsorted(keys, k)
            found[missing[rule]] = 0
            product *= found
        return np.bincount(state, weights=product, minlength=len(count)).astype(np.float64)


def runs(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs ``[starts[i], starts[i] + counts[i])``: the run of each
    element and the element itself, concatenated.

    Example:
        >>> [a.tolist() for a in runs(np.array([5, 0, 9]), np.array([2, 0, 1]))]
        [[0, 0, 2], [5, 6, 9]]
    """
    keep = np.flatnonzero(counts)
    owner = np.repeat(keep, counts[keep])
    firsts = np.cumsum(counts[keep]) - counts[keep]
    offset = np.arange(len(owner), dtype=np.int64) - np.repeat(firsts, counts[keep])
    return owner, starts[owner] + offset


def _eager_keys(tables: Tables, c: int, used: list[str]) -> tuple[np.ndarray, int]:
    """Eager component ``c``'s moves on the labels ``used`` as sorted keys
    ``target × len(used) + label place``, and that width."""
    rows = tables.label_moves(c).rows(used)
    width = max(1, len(used))
    place = np.repeat(np.arange(len(used), dtype=np.int64), rows.count)
    return np.sort(np.asarray(rows.dst, np.int64) * width + place), width
