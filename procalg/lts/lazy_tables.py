"""Move tables over lazily explored components.

:class:`LazyGroup`: all rules over one set of components, one of them lazy,
fired in one pass. :class:`LazyFactor`: one rule's part in one lazy
component (for stubborn sets, which look at rules one by one).

A lazily explored leaf declares its whole alphabet up front, so a network
has a rule per label it *might* do (hundreds for a data-carrying channel),
most of which never fire. Firing them one by one costs numpy calls per
rule and level. A :class:`LazyGroup` instead starts from the moves the lazy
*driver* component really has at each frontier state (one contiguous range
of its move table per state, all labels), maps each move's local label to
the rules using it, and then looks up the other components' parts for every
(state, rule) pair at once: a constant number of numpy calls per group and
level, and work proportional to the moves actually found.

Complexity: O(F log E + M) per group and batch, for F states, E moves in the
driver's table so far and M candidate moves.

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> lazy = LazyComponent(ExplicitSystem(p), {"a", "b", "c"})
    >>> t = Tables(close(parallel(component(p), component(lazy), {"a"})))
    >>> t.expand(np.array([t.initial])) is None
    True
    >>> _, dst, lab = t.successors(np.array([t.initial]))
    >>> [t.labels[i] for i in lab], t.layout.decode(dst, [0, 1])[1].tolist()
    (['a'], [1])
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.ask_memo import AskMemo
from procalg.lts.codes import Layout
from procalg.lts.firing import fire_factors
from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_counts import IntoCounts, runs
from procalg.lts.lazy_fold import Folding
from procalg.lts.lazy_small import applies, fire_few
from procalg.lts.local_moves import LabelMoves
from procalg.lts.network import SyncRule

if TYPE_CHECKING:
    from procalg.lts.vectors import Tables

FANOUT_FEW = 16
"""Most rules one driver label may lead to for :func:`~procalg.lts.lazy_small.fire_few`:
its loop looks every partner up per (state, move, rule), a few µs each, where
numpy's ~30 calls take some 100 µs in all. A ``[]``'s control component offers
one label to all 2,000 events of the other side: fired in the loop, each of a
long chain's levels cost 13 ms, not 1 (the nested-prioritise survey row)."""


class _EagerMoves:
    """An eager component's moves on some local labels, per local state (the
    same reading interface as a lazy component's move table): sorted by
    (source, label, target), each label's moves gathered at once from the
    component's :class:`~procalg.lts.local_moves.LabelMoves` (a wide input's
    200,000 labels cost a few numpy calls, not a Python tuple per move)."""

    def __init__(self, moves: LabelMoves, names: list[str], radix: int, backward: bool) -> None:
        rows = moves.rows(names)
        frm, to = (rows.dst, rows.src) if backward else (rows.src, rows.dst)
        label = np.repeat(np.arange(len(names), dtype=np.int64), rows.count)
        order = np.lexsort((to, label, frm))
        self.offsets = np.zeros(radix + 1, dtype=np.int64)
        np.cumsum(np.bincount(frm, minlength=radix), out=self.offsets[1:])
        self.frm, self.label, self.to = frm[order], label[order], to[order]

    def lookup_all(self, locs: np.ndarray, backward: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
        lo = self.offsets[locs]
        return self.offsets[locs + 1] - lo, lo

    def entry_labels(self, entry: np.ndarray, backward: bool = False) -> np.ndarray:
        return self.label[entry]

    def entries(self, backward: bool = False) -> tuple[np.ndarray, np.ndarray]:
        return self.frm, self.to


class LazyGroup:
    """The rules of one component set with a lazy component, as one table.

    One component *drives*: its moves from each state are enumerated and
    matched to rules by label, the others are looked up per (state, rule).
    The driver should offer few moves per state (a data-heavy leaf offers
    many inputs, its partner few): the candidates are the eager component
    with the fewest moves per state, if there is one, and (forward, or
    with no eager component) each lazy one, through its moves made so far;
    each call takes the candidate with the fewest moves from its states.
    Once its lazy leaves stop growing, the group fires forward through one
    eager joint table instead (:mod:`procalg.lts.lazy_fold`).

    Args:
        tables: the network's tables (layout, label numbering, eager moves).
        comps: the sorted component set; at least one is lazy.
        rules: the rules moving exactly ``comps``.
        backward: fire the moves in reverse (into the given codes).
    """

    def __init__(self, tables: Tables, comps: tuple[int, ...], rules: list[SyncRule],
                 backward: bool) -> None:
        components = tables.network.components
        self.comps = comps
        self.backward = backward
        self.folding = Folding(comps, [components[c] for c in comps], self._fire)
        self.memo = AskMemo()
        self._made = (tables, rules)

    @cached_property
    def variants(self) -> list[_Driven]:
        """One :class:`_Driven` per driver, made when first fired or asked (a
        one-leaf network walked in Python, :mod:`procalg.lts.leaf_levels`,
        never fires it: a label per value of a wide channel makes it costly)."""
        (tables, rules), comps, backward = self._made, self.comps, self.backward
        components = tables.network.components
        columns: dict[int, list[str]] = {c: [] for c in comps}  # each rule's local labels
        for rule in rules:
            for c, local in rule.parts:
                columns[c].append(local)
        eager = [c for c in comps if not isinstance(components[c], LazyComponent)]

        def density(c: int) -> float:
            used = list(dict.fromkeys(columns[c]))
            return int(tables.label_moves(c).rows(used).count.sum()) / components[c].num_states

        drivers = [min(eager, key=density)] if eager else []
        # a lazy driver may offer fewer moves here, backward too: into a wide input's
        # one state come 200,000 self-loops, into a counter's state one move
        drivers += [c for c in comps if c not in eager]
        return [_Driven(tables, comps, columns, rules, backward, d) for d in drivers]

    @cached_property
    def into(self) -> IntoCounts | None:
        """Counts of the rules' reversed moves into given states, all rules at
        once (None where a rule lacks a part in some component of the group)."""
        tables, rules = self._made
        return IntoCounts(tables, self.comps, rules) if IntoCounts.fits(self.comps, rules) else None

    def asks(self, locs: dict[int, np.ndarray]) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """What the eager components offer the lazy ones at each state of ``locs``:
        ``(component, local ids, label codes)`` for every rule here whose eager
        parts can all move (none without an eager component: see :func:`deferrable`)."""
        driven = self.variants[0]
        if driven.lazy is not None:
            return []
        tables, comps = self._made[0], self.comps
        key = tuple(id(tables.network.components[c].deferred) for c in comps  # type: ignore[union-attr]
                    if isinstance(tables.network.components[c], LazyComponent))
        rows = self.memo.fresh(comps, locs, tables.layout.radix, key)  # asked once per state
        return driven.asks(locs if rows is None else {c: locs[c][rows] for c in comps})

    def fire(self, codes: np.ndarray, locs: dict[int, np.ndarray], layout: Layout
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every move of the group from ``codes``: (index into codes, target, label)."""
        folded = None if self.backward else self.folding.table(layout)
        if folded is not None:  # the leaves are calm: one eager table
            return fire_factors([folded], codes, locs, layout)
        self.folding.fired += len(codes)  # racy between threads: only a heuristic's count
        return self._fire(codes, locs, layout)

    def _fire(self, codes: np.ndarray, locs: dict[int, np.ndarray], layout: Layout
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves from ``codes`` read from the lazy move tables."""
        if len(self.variants) == 1:
            return self.variants[0].fire(codes, locs, layout)
        # the driver with the fewest candidate moves from these very states (ABP's
        # receiver offers 38 recv labels where its medium holds one message)
        looks = [v.table.lookup_all(locs[v.driver], v.backward)  # type: ignore[attr-defined]
                 for v in self.variants]
        best = min(range(len(looks)), key=lambda i: self.variants[i].pairs(*looks[i]))
        return self.variants[best].fire(codes, locs, layout, looks[best])


def _codes(code: Mapping[str, int], labels: list[str]) -> np.ndarray:
    """``code`` of each of ``labels``, mapped (no Python frame per label: a wide
    channel's group has one per value).

    Example:
        >>> _codes({"a": 0, "b": 1}, ["b", "b", "a"]).tolist()
        [1, 1, 0]
    """
    return np.fromiter(map(code.__getitem__, labels), dtype=np.int64, count=len(labels))


class _Driven:
    """The group's moves enumerated from one driver component."""

    def __init__(self, tables: Tables, comps: tuple[int, ...], columns: dict[int, list[str]],
                 rules: list[SyncRule], backward: bool, driver: int) -> None:
        components = tables.network.components
        self.backward = backward
        self.driver = driver
        comp = components[driver]
        if isinstance(comp, LazyComponent):
            names = list(comp.labels)
            code = comp.code
            codes = _codes(code, columns[driver])
            # forward: only the moves some rule here can use; backward (trace
            # rebuilding, dead states: small batches): the whole table
            self.lazy: LazyComponent | None = comp
            self.table: object = comp if backward else comp.view(codes.tolist())
        else:
            names = sorted(set(columns[driver]))
            codes = _codes(dict(zip(names, range(len(names)), strict=True)), columns[driver])
            self.lazy = None
            self.table = _EagerMoves(tables.label_moves(driver), names,
                                     tables.layout.radix[driver], backward)
        order = np.argsort(codes, kind="stable")
        self.by_label = order  # rule ids grouped by the driver's label
        self.label_start = np.searchsorted(codes[order], np.arange(len(names) + 1))
        self.label_count = np.diff(self.label_start)
        self.fanout = int(self.label_count.max(initial=0))  # most rules per driver label
        self.glabel = tables.tags(rules)
        self.others: list[tuple[int, tuple]] = []
        self._asking: tuple[tuple[int, ...], np.ndarray] | None = None  # rules asking, per deferral
        for c in comps:
            if c == driver:
                continue
            other = components[c]
            if isinstance(other, LazyComponent):
                code = other.code
                per_rule = _codes(code, columns[c])
                self.others.append((c, (other, per_rule)))
            else:
                self.others.append((c, self._eager(tables, c, columns[c])))
        self._small: tuple[list[int], ...] | None = None

    def pairs(self, count: np.ndarray, start: np.ndarray) -> int:
        """How many (move, rule) pairs firing from ``count`` moves per state at
        ``start`` enumerates: the moves alone when no label leads to many rules
        (no numpy calls); else counted, as a ``[]``'s control offers one label to
        2,000 rules (200 million pairs over a folded 100,000-state leaf, 1.5 GB)."""
        if self.fanout <= FANOUT_FEW:
            return int(count.sum())
        labels = self.table.entry_labels(runs(start, count)[1], self.backward)  # type: ignore[attr-defined]
        return int(self.label_count[labels].sum())

    def small_tables(self) -> tuple[list[int], ...]:
        """The label and rule arrays as lists (for :func:`~procalg.lts.lazy_small.fire_few`)."""
        if self._small is None:
            self._small = (self.label_start.tolist(), self.label_count.tolist(),
                           self.by_label.tolist(), self.glabel.tolist())
        return self._small

    def _eager(self, tables: Tables, c: int, local: list[str]) -> tuple:
        """CSR over (rule, local state) of component ``c``'s moves as local steps
        (made into code deltas by the layout in force when fired): every rule's
        moves in one gather, rule after rule, each label's in LTS order."""
        radix = tables.layout.radix[c]
        rows = tables.label_moves(c).rows(local)
        src, dst = (rows.dst, rows.src) if self.backward else (rows.src, rows.dst)
        j = np.repeat(np.arange(len(local), dtype=np.int64) * radix, rows.count) + src
        order = np.argsort(j, kind="stable")
        offsets = np.zeros(len(local) * radix + 1, dtype=np.int64)
        np.cumsum(np.bincount(j, minlength=len(local) * radix), out=offsets[1:])
        return radix, offsets, (dst - src)[order]

    def asks(self, locs: dict[int, np.ndarray]) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """For an eager driver: see :meth:`LazyGroup.asks`."""
        lazy = [(c, part) for c, part in self.others if isinstance(part[0], LazyComponent)]
        key = tuple(id(part[0].deferred) for _, part in lazy)
        if self._asking is None or self._asking[0] != key:
            mask = np.zeros(len(self.glabel), dtype=bool)
            for _, (comp, per_rule) in lazy:
                mask |= np.isin(per_rule, list(comp.deferred))
            self._asking = (key, mask)
        mask = self._asking[1]
        if not mask.any():
            return []
        count, start = self.table.lookup_all(locs[self.driver])  # type: ignore[attr-defined]
        state, entry = runs(start, count)
        label = self.table.entry_labels(entry)  # type: ignore[attr-defined]
        pair, which = runs(self.label_start[label], self.label_count[label])
        rule, state = self.by_label[which], state[pair]
        able = mask[rule]
        for c, part in self.others:
            if not isinstance(part[0], LazyComponent):
                radix, offsets, _ = part
                j = rule * radix + locs[c][state]
                able &= offsets[j + 1] > offsets[j]
        rule, state = rule[able], state[able]
        return [(c, locs[c][state], part[1][rule]) for c, part in lazy]

    def fire(self, codes: np.ndarray, locs: dict[int, np.ndarray], layout: Layout,
             looked: tuple[np.ndarray, np.ndarray] | None = None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves from ``codes`` (``looked``: the driver's ``lookup_all`` there)."""
        table = self.table
        count, start = looked if looked is not None else \
            table.lookup_all(locs[self.driver], self.backward)  # type: ignore[attr-defined]
        if self.fanout <= FANOUT_FEW and applies(self, codes, layout.wide):
            # a narrow frontier whose moves fan out to few rules: a loop beats 30 numpy calls
            return fire_few(self, codes, locs, layout.stride, count, start)
        state, entry = runs(start, count)  # every driver move from every state
        label = table.entry_labels(entry, self.backward)
        first, nrules = self.label_start[label], self.label_count[label]
        pair, which = runs(first, nrules)  # every (driver move, rule using its label)
        rule = self.by_label[which]
        state, entry = state[pair], entry[pair]
        total = np.ones(len(rule), dtype=np.int64)
        looks = []
        for c, part in self.others:
            loc = locs[c][state]
            if isinstance(part[0], LazyComponent):
                n, lo = part[0].lookup(part[1][rule], loc, self.backward)
            else:
                radix, offsets, _ = part
                j = rule * radix + loc
                lo = offsets[j]
                n = offsets[j + 1] - lo
            looks.append((n, lo))
            total = total * n
        out, pos = runs(np.zeros(len(total), dtype=np.int64), total)
        src, dst = table.entries(self.backward)
        delta = layout.shifted(self.driver, dst[entry[out]] - src[entry[out]])
        for (c, part), (n, lo) in zip(self.others, looks, strict=True):
            ns = n[out]
            at = lo[out] + pos % ns
            pos //= ns
            if isinstance(part[0], LazyComponent):
                a, b = part[0].entries(self.backward)
                step = b[at] - a[at]
            else:
                step = part[2][at]
            delta = delta + layout.shifted(c, step)
        target = layout.moved(codes[state[out]], delta)  # keys stay keys
        return state[out], target, self.glabel[rule[out]]


class LazyFactor:
    """One component's part of a synchronisation rule, looked up in a
    :class:`LazyComponent` (the same interface as the eager tables of
    :mod:`procalg.lts.vectors`)."""

    deterministic = False

    def __init__(self, comp: int, lazy: LazyComponent, local: str, label: int,
                 backward: bool) -> None:
        self.comps = (comp,)
        lazy.defer(())  # stubborn sets read every rule's parts alone: no move may wait
        self.lazy = lazy
        self.code = lazy.code[local]
        self.label = label
        self.backward = backward

    @property
    def live(self) -> bool:
        """Some expanded state has a move with this label (else: skip the rule)."""
        return self.code in self.lazy.used

    def counts(self, locs: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return self.lazy.lookup(self.code, locs[self.comps[0]], self.backward)

    def first(self, key: np.ndarray) -> np.ndarray:
        return key

    def deltas(self, entry: np.ndarray, stride: list[int] | tuple[int, ...], wide: bool
               ) -> np.ndarray:
        src, dst = self.lazy.entries(self.backward)
        step = dst[entry] - src[entry]
        s = stride[self.comps[0]]
        return step.astype(object) * s if wide else step * np.int64(s)

    def labels_at(self, entry: np.ndarray) -> np.ndarray:
        return np.full(len(entry), self.label, dtype=np.int32)
