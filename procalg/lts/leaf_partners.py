"""Deep, narrow searches of one lazy leaf beside eager partners, level by level in Python.

A counter leaf ``C(n) = up -> C(n + 1)`` synchronised with a small eager
partner ``P = up -> tick -> P`` makes a chain: one or two product states per
BFS level, thousands of levels. The marked walk
(:func:`~procalg.lts.narrow_levels.marked_batch`) pays some 60 numpy calls a
level there (the leaf's expansion, the groups' firing, the marks), about
150 µs, where the term rules take 30 µs a state. :class:`PartneredLeaf`
walks such levels in plain Python instead.

A state's moves depend only on its partners' digits ``p`` (the code below
the leaf's top digit) and the labels of its leaf state's moves (its
*signature*): every rule moving the leaf picks leaf moves by label and the
partners' moves from ``p``, every other rule the partners' moves only. So the
moves of one state, fired once by :meth:`~procalg.lts.vectors.Tables.successors`,
are a *template* for every state with the same ``(p, signature)``: each move
is "leaf move ``j`` (or the leaf stays), then partner digits ``p'``, label
``g``", and another leaf state fills in its own targets. The templates keep
the fired order, so a level of one state gets exactly the moves of
``successors`` in its order; a level of two to :data:`FEW` states gets the
same moves state by state (the goals and the trail read a level's moves as a
set: least codes, least labels). A move the template cannot tell apart (a
leaf self-loop beside a partner-only move with the same label, two leaf
labels renamed alike into one target), or an order the key does not fix
(:mod:`procalg.lts.leaf_orders`), makes its key unusable: the numpy walk
takes that level. Priority keeps this true: a rank (:mod:`procalg.lts.priority`)
or a scope's filter (:mod:`procalg.lts.priority_scopes`) drops a state's move by
the labels its components offer there, the leaf's read off its moves' labels
and the partners' off ``p``, so the filtered moves are a template too, and a
prioritised chain costs the filter once per key, not a numpy round trip a level.

The levels made are :func:`~procalg.lts.narrow_levels.marked_batch`'s: the
new states of each level claimed in the search's marks (read as bytes at
their dense number: the leaf's top digit times the partners' space plus the
partners' dense number), the goal asked only of levels it can match
(:func:`~procalg.lts.leaf_levels.only_when`), each level's moves kept for the
trace (:mod:`procalg.lts.level_trail`). The walk hands back to numpy as soon
as a level holds more than :data:`FEW` states, the leaf outgrows its digits
(the search re-encodes first), or a key is unusable; numpy hands a level of
at most :data:`FEW` states back after a walk of :data:`LONG` levels or more.

Complexity: O(M) Python steps for M moves of the walked levels; one
``successors`` call per distinct ``(p, signature)``, none where one leaf move
makes at most one move (read off the partners' local tables).

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.level_search import LevelSearch
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.vectors import Tables
    >>> line = LTS.build(400, 0, ["up"], [(i, "up", i + 1) for i in range(399)])
    >>> beat = LTS.build(2, 0, ["up", "tick"], [(0, "up", 1), (1, "tick", 0)])
    >>> leaf = component(LazyComponent(ExplicitSystem(line), {"up"}))
    >>> tables = Tables(close(parallel(leaf, component(beat), {"up"})))
    >>> PartneredLeaf.of(tables) is not None
    True
    >>> search = LevelSearch(tables)
    >>> search.run(), len(search.visited), search.visited.depth
    (None, 799, 799)
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_levels import level_check, written_table
from procalg.lts.leaf_orders import crossed, folds_alike, signature
from procalg.lts.leaf_partner_moves import PartnerMoves
from procalg.lts.narrow_levels import BATCH, STEPS, Marks, ask_goal, store_lists

if TYPE_CHECKING:  # level_search imports this module
    from procalg.lts.level_search import LevelSearch, Stop
    from procalg.lts.vectors import Tables

FEW = 4
"""Most states in a level walked here (the trail keeps levels this small)."""

LONG = 8
"""The numpy walk hands a level of at most :data:`FEW` states back only if the
last batch here made this many levels: where narrow and wide levels alternate,
a batch per level would cost more than it saves."""

KEPT = 1 << 20
"""Most leaf states whose moves the walk keeps (past that it starts over)."""

Template = tuple[tuple[int, int, int, int], ...]  # (label, leaf move or -1, partners, dense)
Local = tuple[list[tuple[int, int]], tuple[int, ...]]  # a leaf state's moves, its signature


def _partners_of(layout: object, leaf: int) -> tuple | None:
    """What the templates' partner codes and dense numbers depend on: every digit
    but the leaf's (a counter leaf outgrowing its top digit re-encodes the search
    some ten times; keeping the templates saves a firing per key each time)."""
    if layout is None:
        return None
    radix = [r for c, r in enumerate(layout.radix) if c != leaf]  # type: ignore[attr-defined]
    return (tuple(layout.order), layout.packed, tuple(layout.stride), tuple(radix))  # type: ignore[attr-defined]


def few_enough(frontier: np.ndarray) -> bool:
    """Whether :class:`PartneredLeaf` walks from ``frontier`` (at most :data:`FEW` states).

    Example:
        >>> few_enough(np.arange(FEW)), few_enough(np.arange(FEW + 1))
        (True, False)
    """
    return len(frontier) <= FEW


class _Handed(Exception):
    """A level :class:`PartneredLeaf` leaves to numpy (see ``_level``)."""


class PartneredLeaf:
    """The scalar level walk over one lazy leaf (the top digit) beside eager partners."""


    def __init__(self, tables: Tables, leaf: int) -> None:
        self.tables, self.leaf = tables, leaf
        self.comp: LazyComponent = tables.network.components[leaf]  # type: ignore[assignment]
        self.partners = PartnerMoves(tables, leaf)
        self.derives = tables._tags is None  # priority filters moves: fired templates only
        self.layout: object = None
        self.templates: dict[tuple[int, tuple[int, ...]], Template | None] = {}
        self.dense: dict[int, int] = {}  # partners' digits -> their dense number in the marks
        self.local: dict[int, Local] = {}  # leaf state -> its moves (the walk's own)
        self.written: dict[int, list[tuple[int, int]]] | None = None  # the table's, read once
        self.marks: Marks | None = None  # the search's, during a batch
        self.made = LONG  # levels the last batch made (see back)
        self.fresh = 0  # the leaf's states when the batch began

    @classmethod
    def of(cls, tables: Tables) -> PartneredLeaf | None:
        """The walk for ``tables`` if its network is one lazy leaf (not
        deferred) in the top digit beside eager components and int64 codes
        (else None; made once per tables)."""
        found = tables.__dict__.get("_partnered_leaf", False)
        if found is False:
            comps = tables.network.components
            lazy = [c for c, comp in enumerate(comps) if isinstance(comp, LazyComponent)]
            ok = (len(comps) > 1 and len(lazy) == 1 and not comps[lazy[0]].deferred  # type: ignore
                  and not tables.layout.wide
                  and not tables.layout.words)
            found = tables._partnered_leaf = cls(tables, lazy[0]) if ok else None  # type: ignore
        return found

    def _fit(self) -> tuple[int, int, int] | None:
        """(stride, dense weight, radix) of the leaf's digit in the current layout,
        templates forgotten when it changed; None if the leaf is not on top."""
        layout = self.tables.layout
        c = self.leaf
        if layout.order[-1] != c or layout.stride[c] != max(layout.stride):
            return None
        if layout is not self.layout:
            if _partners_of(layout, c) != _partners_of(self.layout, c):
                self.templates, self.dense = {}, {}
                self.partners.forget()
            self.layout = layout  # the leaf alone grew: its partners' codes and dense numbers stay
        weight = int(np.prod([r for i, r in enumerate(layout.radix) if i != c]))
        return layout.stride[c], weight if layout.packed else layout.stride[c], layout.radix[c]

    def back(self) -> int:
        """The level size at which the numpy walk hands back (``marked_batch``'s ``back``)."""
        return FEW if self.made >= LONG else 0

    def batch(self, search: LevelSearch, marks: Marks, frontier: np.ndarray,
              stop: Stop | None) -> tuple[int, tuple[int, str] | None]:
        """Levels from ``frontier`` (its leaf states expanded) while they hold
        at most :data:`FEW` states, as ``marked_batch`` makes them: (levels
        made, the goal's witness or None). No level made: numpy's turn."""
        fit = self._fit()
        self.made = 0
        if fit is None or not few_enough(frontier) or len(self.comp.states) > fit[2]:
            return 0, None
        stride, weight, radix = fit
        visited, comp, trail = search.visited, self.comp, search.trail
        layout, depth = self.tables.layout, visited.depth
        room = BATCH if search.max_states is None else \
            min(BATCH, search.max_states - len(visited))
        check = level_check(stop)
        lists = getattr(stop, "on_lists", None)  # a goal over this walk's own lists
        self.marks = marks  # the partners' dense numbers (see _dense)
        if len(self.local) > KEPT:  # bounded memory: the table has them, read again if need be
            self.local.clear()
        self.fresh = len(comp.states)  # states numbered from here on are not expanded
        seen = memoryview(marks.seen)  # a byte per dense number: faster items than numpy's
        codes: list[int] = []
        sizes: list[int] = []
        cur, hit, count, moved = frontier.tolist(), None, 0, 0
        collecting = gc.isenabled()
        gc.disable()  # what a level makes is kept: no cycles to look for
        comp.hold()
        try:
            for _ in range(STEPS):
                out = self._level(cur, stride, weight, radix, seen)
                if out is None:  # numpy's turn (a key it alone can tell; the leaf grew)
                    break
                moves, new, made = out
                moved += made
                trail.keep_lists(layout, depth + count, cur, moves)
                if check is not None and check(moves):
                    hit = ask_goal(comp, stop, lists, cur, moves)
                    if hit is not None:
                        self._unmark(new, stride, weight, seen)  # the level is not stored
                        break
                if len(new) > 1:
                    new.sort()
                count += 1
                codes += new
                sizes.append(len(new))
                cur = new
                if not new or len(new) > FEW or len(codes) > room:
                    break
        finally:
            search.transitions += moved
            seen.release()
            comp.flush()
            if collecting:
                gc.enable()
        self.made = count
        store_lists(visited, codes, sizes)
        return count + (hit is not None), hit

    def _level(self, cur: list[int], stride: int, weight: int, radix: int, seen: memoryview
               ) -> tuple[list[list[tuple[int, int]]], list[int], int] | None:
        """The moves of each state of ``cur`` as (label, target), the targets
        not seen before (marked in ``seen`` now, in the order met) and the moves'
        count; or None (numpy's turn), nothing marked."""
        known, templates, states = self.local, self.templates, self.comp.states
        moves: list[list[tuple[int, int]]] = []
        new: list[int] = []
        made = 0
        try:
            for code in cur:
                loc, p = divmod(code, stride)
                local = known.get(loc)
                if local is None:  # only an expansion numbers leaf states
                    local = self._expand(loc)
                    if len(states) > radix:  # the leaf outgrew its digit: re-encode first
                        raise _Handed
                key = (p, local[1])
                template = templates.get(key)
                if template is None:
                    if key in templates:  # kept unusable
                        raise _Handed
                    template = self._template(code, key, local)
                    if template is None:
                        raise _Handed
                pairs, here = local[0], []
                for g, j, tp, dense in template:  # marked as made: no (target, dense) pairs
                    to = pairs[j][1] if j >= 0 else loc
                    target = to * stride + tp
                    here.append((g, target))
                    if not seen[to * weight + dense]:
                        seen[to * weight + dense] = 1
                        new.append(target)
                made += len(here)
                moves.append(here)
        except BaseException as error:
            self._unmark(new, stride, weight, seen)
            if isinstance(error, _Handed):
                return None
            raise
        return moves, new, made

    def _unmark(self, new: list[int], stride: int, weight: int, seen: memoryview) -> None:
        """Clear the marks of ``new`` (a level not stored after all)."""
        for target in new:
            to, tp = divmod(target, stride)
            seen[to * weight + self.dense[tp]] = 0

    def _expand(self, loc: int) -> Local:
        """The leaf's moves from ``loc`` (expanded now, held, if new)."""
        comp = self.comp  # a state held (expanded, not written yet) is in self.local
        if loc >= self.fresh or not comp.is_expanded(loc):  # numbered in this batch: not
            pairs = comp.expand_now(loc)
        else:  # the states explored before the leaf turned lazy: their table read at once
            if self.written is None:
                self.written = written_table(comp)
            pairs = self.written.pop(loc, None)
            if pairs is None:  # written since (numpy's levels), or read and forgotten (KEPT)
                pairs = comp.written_moves(loc)
        found = self.local[loc] = (pairs, signature(loc, pairs))
        return found

    def _template(self, code: int, key: tuple[int, tuple[int, ...]], local: Local
                  ) -> Template | None:
        """Fire ``code`` once and read its moves as a template for ``key``
        (None, kept: some move could come from two leaf moves); a key of one
        leaf move and at most one product move is read off the partners' tables."""
        found = self._derived(key)
        if found is not None:
            self.templates[key] = found
            return found
        comp, stride = self.comp, self.tables.layout.stride[self.leaf]
        comp.flush()  # successors reads the leaf's table
        comp.hold()
        _, dst, lab = self.tables.successors(np.array([code], dtype=np.int64))
        loc, pairs = code // stride, local[0]
        with_leaf, without = self.partners.with_leaf, self.partners.without
        entries = []
        for d, g in zip(dst.tolist(), lab.tolist(), strict=True):
            to, tp = divmod(d, stride)
            which = [j for j, (a, t) in enumerate(pairs)
                     if t == to and g in with_leaf.get(a, ())]
            if to == loc and g in without:
                which.append(-1)
            if len(which) != 1:
                self.templates[key] = None
                return None
            entries.append((g, which[0], tp, self._dense(tp)))
        if crossed(entries) or not folds_alike(self.tables, self.leaf, code):
            self.templates[key] = None  # an order the key does not fix (leaf_orders)
            return None
        found = self.templates[key] = tuple(entries)
        return found

    def _derived(self, key: tuple[int, tuple[int, ...]]) -> Template | None:
        """The template of a one-move signature from the partners' local tables,
        with no firing (:meth:`~procalg.lts.leaf_partner_moves.PartnerMoves.derived`)."""
        if not self.derives:
            return None
        found = self.partners.derived(*key)
        return None if found is None else tuple([(g, 0, tp, self._dense(tp)) for g, tp in found])

    def _dense(self, partners: int) -> int:
        """The dense number (in the marks) of the code with these partner digits, leaf 0."""
        found = self.dense.get(partners)
        if found is None:
            found = self.dense[partners] = int(
                self.marks.index(np.array([partners], dtype=np.int64))[0])
        return found
