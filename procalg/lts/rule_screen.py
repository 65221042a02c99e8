"""Firing many synchronisation rules over several components at once.

A rule that moves several components whose joint space is too large for
one table is a list of one-component factors
(:meth:`~procalg.lts.vectors.Tables.rule_factors`), fired rule by rule by
:func:`~procalg.lts.firing.fire_factors`. A network of exchanges and
registers (each event shared by 8 to 14 components, 1,311 such rules)
then spends its time in that loop: every rule reads its first factor at
every code of the batch. A :class:`Screen` fires all of them together:
per component, a bit per rule says whether its local state lets the rule
go (or the rule does not read it), the AND of one bit row per component
gives every (code, rule) pair that moves, and the pairs' moves come from
one gather per component (FDR's supercombinators likewise test a rule's
components together, Gibson-Robinson, Armstrong, Boulgakov and Roscoe,
"FDR3 — a modern refinement checker for CSP", TACAS 2014).

The moves come out in the rules' order, each rule's by ascending code and
each code's in :func:`~procalg.lts.firing.fire_factors`'s product order,
so traces rebuilt from them are those of firing the rules one by one.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import Network, SyncRule
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0), (1, "b", 1)])
    >>> t = Tables(Network((p, p), (SyncRule("a", ((0, "a"), (1, "a"))),
    ...                             SyncRule("b", ((0, "b"), (1, "b"))))))
    >>> rules = [(i, t.rule_factors(r)) for i, r in enumerate(t.network.rules)]
    >>> screen = Screen.of(rules, least=2)
    >>> codes = np.array([0, 3])  # (0, 0) and (1, 1)
    >>> src, delta, lab, at = screen.fire(codes, t.decode(codes))
    >>> src.tolist(), (codes[src] + delta).tolist(), at.tolist()  # b at (1, 1): 2 x 2
    ([0, 1, 1, 1, 1], [3, 0, 1, 2, 3], [0, 1, 1, 1, 1])
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.factor_tables import TableFactor

if TYPE_CHECKING:
    from procalg.lts.codes import Layout

LEAST_RULES = 32
"""Fewest such rules worth a screen: below, firing them one by one is cheap."""

MOST_CELLS = 1 << 22
"""Most (local state, rule) cells of all components' tables (about 13 bytes each)."""

Moves = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class Screen:
    """The rules at ``positions`` (in their direction's group list), fired together.

    Per component ``comps[k]``: ``bits[k]`` (local state × words, uint64)
    has rule r's bit set where the component's state has a move for r, or r
    does not read it; ``count[k]``/``first[k]`` (flat, local state × rule)
    the moves' count and first entry in ``delta[k]``, whose entry 0 is the
    "no move" of a component a rule does not read (delta 0, count 1).
    """

    positions: np.ndarray  # int64 per rule: its position in the group list
    label: np.ndarray  # int32 per rule: the label tag its moves carry
    comps: tuple[int, ...]
    bits: tuple[np.ndarray, ...]
    count: tuple[np.ndarray, ...]
    first: tuple[np.ndarray, ...]
    delta: tuple[np.ndarray, ...]
    weight: np.ndarray | None = None  # int64 per rule: rules it stands for (:func:`distinct`)

    @classmethod
    def of(cls, groups: list[tuple[int, list[TableFactor]]], least: int | None = None
           ) -> Screen | None:
        """The screen of ``groups`` (position, a rule's one-component
        factors), or None if fewer than ``least`` (default ``LEAST_RULES``)
        or too large (``MOST_CELLS``)."""
        least = LEAST_RULES if least is None else least
        picked = [(i, {f.comps[0]: f for f in fs}) for i, fs in groups]
        radix = {c: len(f.count) for _, fs in picked for c, f in fs.items()}
        rules = len(picked)
        if rules < least or sum(radix.values()) * rules > MOST_CELLS:
            return None
        comps = tuple(sorted(radix))
        tables = [_component(c, radix[c], [fs.get(c) for _, fs in picked]) for c in comps]
        label = np.array([next(iter(fs.values())).label[0] if all(
            f.live for f in fs.values()) else 0 for _, fs in picked], dtype=np.int32)
        return cls(np.array([i for i, _ in picked], dtype=np.int64), label, comps,
                   *(tuple(t[k] for t in tables) for k in range(4)))

    def dropped(self, where: np.ndarray) -> int:
        """Moves left out by firing the rules at positions ``where`` for their
        classes (:func:`distinct`): each stands for ``weight`` moves."""
        if self.weight is None:
            return 0
        return int(self.weight.take(self.positions.searchsorted(where)).sum()) - len(where)

    def fire(self, codes: np.ndarray, locs: dict[int, np.ndarray]) -> Moves:
        """Every screened rule's moves from ``codes`` (``locs``: each
        component's local states): (index into codes, code delta, label,
        position of the rule), rule by rule; deltas are per-word rows for a
        word-aligned layout (add them with :meth:`Layout.add`)."""
        rules = len(self.label)
        acc = self.bits[0].take(locs[self.comps[0]], axis=0)
        for c, bits in zip(self.comps[1:], self.bits[1:], strict=True):
            np.bitwise_and(acc, bits.take(locs[c], axis=0), out=acc)
        # only words with a bit set are unpacked; flat indices, as numpy's
        # 2-D nonzero costs several times more than flatnonzero
        hit = acc.reshape(-1).nonzero()[0]
        flags = np.unpackbits(acc.reshape(-1).take(hit).view(np.uint8), bitorder="little")
        at = flags.nonzero()[0]
        pair = hit.take(at >> 6)  # the word's flat index: code * words + word
        src, rule = pair // acc.shape[1], (pair % acc.shape[1]) * 64 + (at & 63)
        order = np.argsort(rule, kind="stable")  # rule by rule, codes ascending
        src, rule = src.take(order), rule.take(order)
        counts, entries = [], []
        for c, count, first in zip(self.comps, self.count, self.first, strict=True):
            flat = locs[c].take(src) * rules + rule
            counts.append(count.take(flat))
            entries.append(first.take(flat))
        total = counts[0].astype(np.int64)
        for n in counts[1:]:
            total *= n
        if len(total) and int(total.max()) > 1:  # some pair has several moves: expand
            src, rule, entries = _product(src, rule, total, counts, entries)
        delta = self.delta[0].take(entries[0], axis=0)
        for d, entry in zip(self.delta[1:], entries[1:], strict=True):
            delta += d.take(entry, axis=0)
        return src, delta, self.label.take(rule), self.positions.take(rule)

    def merge(self, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], at: list[int],
              codes: np.ndarray, locs: dict[int, np.ndarray], layout: Layout
              ) -> tuple[list[tuple[np.ndarray, np.ndarray, np.ndarray]], int]:
        """``parts`` (moves of the groups at positions ``at``, after any
        others) with the screened rules' moves from ``codes`` in their
        places: one part inserted where the rules lie between two other
        groups, else all sorted by group position (stable); and the moves
        left out (:meth:`dropped`)."""
        src, delta, label, where = self.fire(codes, locs)
        left = self.dropped(where)
        dst = layout.add(codes.take(src, axis=0), delta) if layout.words else \
            codes.take(src) + delta
        lead = len(parts) - len(at)
        lo, hi = int(self.positions[0]), int(self.positions[-1])
        before = bisect.bisect_left(at, lo)
        if before == bisect.bisect_left(at, hi):  # no other group among the screened ones
            return [*parts[:lead + before], (src, dst, label), *parts[lead + before:]], left
        tail = [*parts[lead:], (src, dst, label)]
        group = np.concatenate([np.full(len(p[0]), i, dtype=np.int64)
                                for i, p in zip(at, parts[lead:], strict=True)] + [where])
        order = np.argsort(group, kind="stable")
        return [*parts[:lead], tuple(np.concatenate(x).take(order, axis=0)  # type: ignore[misc]
                                     for x in zip(*tail, strict=True))], left


def _component(c: int, radix: int, factors: list[TableFactor | None]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Component ``c``'s bit rows, counts, first entries (flat, local state ×
    rule) and deltas (entry 0: no move), from each rule's factor over ``c``
    (None: the rule does not read it)."""
    rules = len(factors)
    moves = np.ones((radix, rules), dtype=bool)
    count = np.ones((radix, rules), dtype=np.int32)
    first = np.zeros((radix, rules), dtype=np.int64)
    shape = next(f.delta.shape[1:] for f in factors if f is not None)
    deltas = [np.zeros((1, *shape), dtype=np.int64)]
    base = 1
    for r, f in enumerate(factors):
        if f is None:
            continue
        n = f.count.astype(np.int32)
        moves[:, r], count[:, r] = n > 0, n
        first[:, r] = f.offsets[:-1] + base
        deltas.append(f.delta)
        base += len(f.delta)
    packed = np.packbits(moves, axis=1, bitorder="little")
    words = np.zeros((radix, (rules + 63) // 64 * 8), dtype=np.uint8)
    words[:, :packed.shape[1]] = packed  # bits past the last rule stay 0
    small = np.int8 if int(count.max(initial=0)) < 127 else np.int32
    return (words.view(np.uint64), count.astype(small).ravel(), first.ravel(),
            np.concatenate(deltas))


def _product(src: np.ndarray, rule: np.ndarray, total: np.ndarray, counts: list[np.ndarray],
             entries: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Each pair repeated once per move of the product of its components'
    moves, the first component's varying fastest (as
    :func:`~procalg.lts.firing.fire_factors` lays them out)."""
    pair = np.repeat(np.arange(len(src), dtype=np.int64), total)
    pos = np.arange(len(pair), dtype=np.int64) - (np.cumsum(total) - total).take(pair)
    out = []
    for n, entry in zip(counts, entries, strict=True):
        here = n.take(pair).astype(np.int64)
        out.append(entry.take(pair) + pos % here)
        pos //= here
    return src.take(pair), rule.take(pair), out


def distinct(groups: list[tuple[int, list[TableFactor]]]) -> Screen | None:
    """A screen firing one rule per class of ``groups`` (position, factors)
    whose factors are the same tables but for the label, with each class's
    size as the rule's weight, or None when no two rules are alike.

    Such rules move the same components from the same local states to the
    same targets: an xUML model's links (``link.caller.a.b``, a receiver
    that ignores who calls) made 8 moves to each target, and the level
    search sorted them all to find the targets. A search that wants only the
    targets and the least label into each (a traces refinement: its goal
    reads the spec's state in the targets, and the least label of a move
    into its error node) fires the rule of least label tag of each class.

    Example:
        >>> f = TableFactor((0,), (1,), np.array([0, 1, 1]), np.array([1]),
        ...                 np.array([4]), np.array([1, 0], np.int8), True)
        >>> g = TableFactor((1,), (2,), np.array([0, 1, 1]), np.array([2]),
        ...                 np.array([4]), np.array([1, 0], np.int8), True)
        >>> def relabel(f, tag):
        ...     return TableFactor(f.comps, f.weights, f.offsets, f.delta,
        ...                        np.full(len(f.label), tag), f.count, True)
        >>> s = distinct([(0, [relabel(f, 5), relabel(g, 5)]),
        ...               (1, [relabel(f, 3), relabel(g, 3)]), (2, [f])])
        >>> s.positions.tolist(), s.label.tolist(), s.weight.tolist()
        ([1, 2], [3, 4], [2, 1])
    """
    classes: dict[tuple, list[tuple[int, int, list[TableFactor]]]] = {}
    for i, fs in groups:
        sig = tuple((f.comps, f.weights, f.offsets.tobytes(), f.delta.shape, f.delta.tobytes())
                    for f in sorted(fs, key=lambda f: f.comps))
        tag = int(fs[0].label[0]) if len(fs[0].label) else -1
        classes.setdefault(sig, []).append((tag, i, fs))
    if len(classes) == len(groups):
        return None
    reps = sorted(min(c, key=lambda r: r[:2]) for c in classes.values())
    weight = {i: len(c) for c in classes.values() for _, i, _ in [min(c, key=lambda r: r[:2])]}
    screen = Screen.of([(i, fs) for _, i, fs in sorted(reps, key=lambda r: r[1])], least=1)
    if screen is None:
        return None
    sizes = np.array([weight[i] for i in screen.positions.tolist()], dtype=np.int64)
    return replace(screen, weight=sizes)


def screened(groups: list) -> list[tuple[int, list[TableFactor]]]:
    """The groups a :class:`Screen` can fire: rules over several components,
    each factor one component's int64 table (1-D, or per-word rows)."""
    return [(i, g) for i, g in enumerate(groups)
            if isinstance(g, list) and len(g) > 1
            and all(isinstance(f, TableFactor) and len(f.comps) == 1
                    and f.delta.dtype == np.int64 for f in g)]
