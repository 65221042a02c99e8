"""Packed state vectors and synchronisation tables for the product engine.

A global state of a :class:`~procalg.lts.network.Network` is one code whose
digits are the components' local states (:class:`~procalg.lts.codes.Layout`:
int64 up to 62 bits, else word-aligned keys). A joint move changes a few
digits, so it adds a *delta* to the code.

Rules are grouped by the set of components they move. For a small group
(joint local space up to ``JOINT_LIMIT``) one table, indexed by the joint
local state, lists every ``(delta, global label)`` the group can do from
there, nondeterminism included: one gather per group and level. A rule
over many components (e.g. a clock shared by all) gets one table per
component instead, and its moves are the Cartesian product of the
components' local moves. A rule moving a lazily explored component
(:class:`~procalg.lts.lazy.LazyComponent`) is split the same way, its lazy
part looked up in the component's growing table; such components take the
top digits, and :meth:`Tables.expand` (called by the search before each
level) explores them and widens their digits when they outgrow them.
Backward tables (every move reversed) serve counterexample reconstruction.

Complexity: building is linear in the table entries; :meth:`Tables.successors`
is O(F + T) numpy work for F frontier states and T successors (O(F log E)
for a lazy part with E moves so far).

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> t = Tables(close(parallel(component(p), component(p), {"a"})))
    >>> t.radix.tolist(), t.initial
    ([2, 2], 0)
    >>> src, dst, lab = t.successors(np.array([0, 3]))
    >>> sorted(zip(src.tolist(), dst.tolist(), [t.labels[i] for i in lab]))
    [(0, 3, 'a'), (1, 1, 'b'), (1, 2, 'b')]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import attrgetter

import numpy as np

from procalg.lts import gather, lazy_deferral
from procalg.lts.alike import Alike
from procalg.lts.code_windows import Window, group_windows
from procalg.lts.codes import MAX_BITS, MAX_CODE, Layout, headroom
from procalg.lts.factor_tables import TableFactor, in_words, table_of_arrays
from procalg.lts.firing import fire_factors
from procalg.lts.gather import Gather, gathered
from procalg.lts.group_screen import LEAST_CODES, Fired, GroupScreen, enabling
from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_tables import LazyFactor, LazyGroup
from procalg.lts.local_moves import LabelMoves
from procalg.lts.network import Network, SyncRule
from procalg.lts.priority_scopes import MoveFilter, needs_tags
from procalg.lts.rule_groups import by_components
from procalg.lts.rule_screen import Screen, screened

JOINT_LIMIT = 1 << 16
"""Largest joint local space that gets a single joint table."""

_MAX_CODE = MAX_CODE  # module-level so tests can force mixed-radix or wide codes
_MAX_BITS = MAX_BITS
_LABEL_OF = attrgetter("label")


Factor = TableFactor | LazyFactor


class Tables:
    """The packed encoding and the forward/backward move tables of a network
    (codes past 62 bits: word-aligned keys, never Python integers nor an error)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.labels = network.labels
        self.label_index = {n: i for i, n in enumerate(self.labels)}
        comps = network.components
        self.lazy = [c for c, comp in enumerate(comps) if isinstance(comp, LazyComponent)]
        self._tags: MoveFilter | None = None
        if needs_tags(network):  # moves carry (label, rank, guards) tags until the filter
            self._tags = MoveFilter(network, self.label_index)
        for c, codes in lazy_deferral.deferrable(network).items():  # before the digits: may number
            comps[c].defer(codes)  # type: ignore[union-attr]
        radix = [headroom(comp.num_states) if c in self.lazy else comp.num_states
                 for c, comp in enumerate(comps)]
        order = [c for c in range(len(comps)) if c not in self.lazy] + self.lazy
        self.layout = Layout.choose(radix, order, max_bits=_MAX_BITS, max_code=_MAX_CODE)
        self._sorted = [None if c in self.lazy else LabelMoves.of(comp)
                        for c, comp in enumerate(comps)]
        self._moves: dict[int, dict[str, tuple[list[int], list[int]]]] = {}  # by need
        groups = by_components(network.rules)
        self.moving = sorted({c for key in groups for c in key})
        self.forward: list[list[Factor] | LazyGroup] = []
        self.backward: list[list[Factor] | LazyGroup] = []
        self.rules: list[list[SyncRule]] = []  # per group (either direction): its rules
        for key, rules in groups.items():
            size = math.prod(radix[c] for c in key)
            if set(key) & set(self.lazy):  # one pass over the lazy part's real moves
                self.forward.append(LazyGroup(self, key, rules, backward=False))
                self.backward.append(LazyGroup(self, key, rules, backward=True))
                self.rules.append(rules)
            elif size <= JOINT_LIMIT:
                for direction, out in ((0, self.forward), (1, self.backward)):
                    out.append([self._joint(key, rules, direction)])
                self.rules.append(rules)
            else:
                self.rules += [[rule] for rule in rules]
                for rule in rules:
                    for direction, out in ((0, self.forward), (1, self.backward)):
                        out.append(self.rule_factors(rule, direction))
        self._asking = any(comps[c].deferred for c in self.lazy)  # type: ignore[union-attr]
        self._batch = [Gather.of(gathered(self.forward), self.moving),
                       Gather.of(gathered(self.backward), self.moving)]
        self._screens = [Screen.of(screened(g)) for g in (self.forward, self.backward)]
        self._alike: Alike | None = None  # made by the first :meth:`targets`
        self._whole = [b is not None and len(b.groups) == len(g)
                       for b, g in zip(self._batch, (self.forward, self.backward), strict=True)]
        self._columns: tuple[object, np.ndarray, np.ndarray] = (None, *np.zeros((2, 0, 1), int))
        self._windowed: tuple[object, tuple[list[Window | None], list[int]], ...] = (None,)
        self._group_screens: dict[bool, GroupScreen | None] = {}  # made by need

    def local_moves(self, c: int) -> dict[str, tuple[list[int], list[int]]]:
        """Eager component ``c``'s moves per local label, as (sources, targets)."""
        if c not in self._moves:
            self._moves[c] = self._sorted[c].by_name()  # type: ignore[union-attr]
        return self._moves[c]

    def label_moves(self, c: int) -> LabelMoves:
        """Eager component ``c``'s moves sorted by label (gathered per label list)."""
        return self._sorted[c]  # type: ignore[return-value]

    @property
    def radix(self) -> np.ndarray:
        """Local states per component (lazy ones: their current headroom)."""
        return np.array(self.layout.radix, dtype=np.int64)

    @property
    def initial(self) -> int:
        """The code of the initial state."""
        comps = self.network.components
        return int(self.layout.encode({c: np.array([comp.initial])
                                       for c, comp in enumerate(comps)})[0])

    @property
    def dtype(self) -> np.dtype:
        """The dtype of codes in the search: int64, or ``V{8k}`` keys when wide."""
        return self.layout.key_dtype

    def _joint(self, comps: tuple[int, ...], rules: list[SyncRule], direction: int
               ) -> TableFactor:
        """The joint table of ``rules`` over ``comps`` (built with the tables:
        the layout is then int64 or word-aligned, never Python integers)."""
        radix = self.layout.radix
        weights = tuple(int(np.prod([radix[c] for c in comps[:i]], dtype=np.int64))
                        for i in range(len(comps)))
        return self._joint_arrays(comps, rules, direction, weights)

    def _joint_arrays(self, comps: tuple[int, ...], rules: list[SyncRule], direction: int,
                      weights: tuple[int, ...]) -> TableFactor:
        """:meth:`_joint` with each rule's Cartesian product built by numpy broadcasting
        (int64 codes, or a word-aligned layout's per-word delta rows: no joint
        index or delta overflows)."""
        shape = (self.layout.words,) if self.layout.words else ()
        if len(comps) == 1:  # one gather for the whole group (a wide input's rules)
            return self._one_component(comps[0], rules, direction)
        js, deltas, tags = [], [], []
        for rule in rules:
            local = dict(rule.parts)
            j, delta = np.zeros(1, dtype=np.int64), np.zeros((1, *shape), dtype=np.int64)
            for c, w in zip(comps, weights, strict=True):
                src, dst = self.local_moves(c).get(local[c], ([], []))
                if direction:
                    src, dst = dst, src
                s, d = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
                j = (j[:, None] + s * w).ravel()
                delta = (delta[:, None] + self._step(c, d - s)[None]).reshape(-1, *shape)
            js.append(j)
            deltas.append(delta)
            tags.append(np.full(len(j), self.tag(rule), dtype=np.int64))
        j, tag = (np.concatenate(x) if x else np.zeros(0, dtype=np.int64) for x in (js, tags))
        delta = np.concatenate(deltas) if deltas else np.zeros((0, *shape), dtype=np.int64)
        size = int(np.prod([self.layout.radix[c] for c in comps]))
        return table_of_arrays(j, delta, tag, size, comps, weights)

    def _one_component(self, c: int, rules: list[SyncRule], direction: int) -> TableFactor:
        """:meth:`_joint_arrays` for rules moving component ``c`` alone: the same
        rows in the same order (rule after rule, each label's moves in LTS order)."""
        rows = self._sorted[c].rows([dict(rule.parts)[c] for rule in rules])  # type: ignore[union-attr]
        src, dst = (rows.dst, rows.src) if direction else (rows.src, rows.dst)
        tags = np.fromiter((self.tag(rule) for rule in rules), dtype=np.int64, count=len(rules))
        return table_of_arrays(src, self._step(c, dst - src), np.repeat(tags, rows.count),
                               self.layout.radix[c], (c,), (1,))

    def _step(self, c: int, step: np.ndarray) -> np.ndarray:
        """Code deltas of component ``c``'s moves by ``step``: int64, or per-word
        rows of a word-aligned layout."""
        if self.layout.words:
            return self.layout.word_delta(c, step)
        return step * np.int64(self.layout.stride[c])

    def rule_factors(self, rule: SyncRule, direction: int = 0) -> list[Factor]:
        """One table per component of ``rule`` (forward, or backward if
        ``direction``); their moves' Cartesian product is the rule's."""
        g = self.tag(rule)
        factors: list[Factor] = []
        for c, a in sorted(rule.parts):
            comp = self.network.components[c]
            if isinstance(comp, LazyComponent):
                factors.append(LazyFactor(c, comp, a, g, bool(direction)))
                continue
            src, dst = self.local_moves(c).get(a, ([], []))
            if direction:
                src, dst = dst, src
            s, d = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
            factors.append(table_of_arrays(s, self._step(c, d - s),
                                           np.full(len(s), g, dtype=np.int64),
                                           self.layout.radix[c], (c,), (1,)))
        return factors

    def expand(self, codes: np.ndarray) -> Callable[[np.ndarray], np.ndarray] | None:
        """Explore the lazy components' local states in ``codes`` (a frontier).

        Returns ``None``, or, when a component outgrew its digit, the function
        re-encoding old codes in the new, wider layout (already in force)."""
        if not self.lazy:
            return None
        comps = self.network.components
        decode = self.layout.decoder(codes)  # a group's components at a time, not all at once
        asks: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        if self._asking:
            for group in self.forward:
                if isinstance(group, LazyGroup):
                    for c, where, what in group.asks(decode(group.comps)):
                        asks.setdefault(c, []).append((where, what))
        radix = list(self.layout.radix)
        for c in self.lazy:
            pairs = asks.get(c)  # (where, what) pairs, each concatenated
            ask = None if not pairs else tuple(map(np.concatenate, zip(*pairs, strict=True)))
            comps[c].expand(decode([c])[c], ask)  # type: ignore[arg-type]
            if comps[c].num_states > radix[c]:
                radix[c] = headroom(comps[c].num_states)
        if tuple(radix) == self.layout.radix:
            return None
        old = self.layout
        self.layout = old.grown(radix, max_bits=_MAX_BITS, max_code=_MAX_CODE)
        if self.layout.words != old.words:  # deltas as rows of the new words (once per growth)
            self.forward, self.backward = (in_words(g, self.layout.words)
                                           for g in (self.forward, self.backward))
            self._screens = [Screen.of(screened(g)) for g in (self.forward, self.backward)]
            self._alike, self._group_screens = None, {}
        return self.layout.recoder(old)

    def notes(self) -> tuple[str, ...]:
        """What the search should say about lazy components and wide codes."""
        out = []
        for c in self.lazy:
            comp = self.network.components[c]
            how = ("explored lazily" if comp.whole is None else  # type: ignore[union-attr]
                   f"explored whole ({comp.whole.num_states} states), "  # type: ignore[union-attr]
                   "numbered as reached")
            out.append(f"component {c} ({comp.name or 'leaf'}) {how}: "
                       f"{comp.num_states} local states reached, {comp.expanded} expanded")
        if self.layout.wide:
            out.append(f"state codes need {self.layout.bits} bits (more than "
                       f"{self.layout.limit}): stored as {self.layout.words} 64-bit word"
                       + "s" * (self.layout.words > 1))
        return tuple(out)

    def decode(self, codes: np.ndarray) -> dict[int, np.ndarray]:
        """The local state of every moving component, per code."""
        return self.layout.decode(codes, self.moving)

    def tag(self, rule: SyncRule) -> int:
        """The label index ``rule``'s moves carry in the tables (in a prioritised
        network: its (label, rank) tag, mapped to the label after the filter)."""
        if self._tags is None:
            return self.label_index[rule.label]
        return self._tags.tag(rule)

    def tags(self, rules: list[SyncRule]) -> np.ndarray:
        """:meth:`tag` of each of ``rules`` (int32; one lookup per rule, no call)."""
        if self._tags is None:
            # maps, not a comprehension: no Python frame per rule (a wide channel's)
            return np.fromiter(map(self.label_index.__getitem__, map(_LABEL_OF, rules)),
                               dtype=np.int32, count=len(rules))
        return np.array([self._tags.tag(r) for r in rules], dtype=np.int32)

    def successors(self, codes: np.ndarray, *, backward: bool = False
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All moves from ``codes``: (index into codes, target code, label index).

        With ``backward``, the moves into ``codes`` (sources as "targets"); with priority,
        those it allows in their source (:mod:`procalg.lts.priority_scopes`)."""
        moves = self._unfiltered(codes, backward)[:3]
        if self._tags is None:
            return moves
        return self._tags.apply(codes, moves, backward, lambda c: self._unfiltered(c, False)[:3],
                                self.layout.decode)

    def targets(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """:meth:`successors` with moves alike but for their label fired once
        (:mod:`procalg.lts.alike`): every target, the least label tag into it
        from each source and group, and the number of moves left out."""
        if self._tags is not None:  # priority reads every label
            return (*self.successors(codes), 0)
        if self._alike is None:
            self._alike = Alike.of(self.forward, self._screens[0] is not None)
        return self._unfiltered(codes, False, alike=True)

    def _unfiltered(self, codes: np.ndarray, backward: bool, *, alike: bool = False
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        layout = self.layout
        if layout.words and codes.dtype.kind != "V":  # integers in, integers out
            src, dst, tag, left = self._unfiltered(layout.keys(codes), backward, alike=alike)
            return src, layout.cast(dst), tag, left
        codes = layout.cast(codes) if not layout.words else codes
        batch = self._batch[backward]
        if (self._whole[backward] and len(codes) <= gather.SMALL and layout.packed
                and not layout.wide and len(codes) * len(batch.groups) <= _BATCH_CELLS):
            # every group batched, few codes: a deep, narrow search spends its
            # time here, in numpy's per-call overhead, so take the fewest calls
            if self._columns[0] is not layout:
                idx = np.asarray(self.moving, dtype=np.int64)
                self._columns = (layout, layout._shift[idx][:, None], layout._mask[idx][:, None])
            _, shift, mask = self._columns
            return (*batch.fire_codes(codes, layout, shift, mask), 0)  # type: ignore[union-attr]
        groups = self.backward if backward else self.forward
        parts = []
        screen = self._screens[backward]
        skip = frozenset(screen.positions.tolist()) if screen is not None else frozenset()
        if batch is not None and not layout.wide and len(batch.groups) * len(codes) <= _BATCH_CELLS:
            rows = layout.decode_rows(codes, self.moving)
            locs = dict(zip(self.moving, rows, strict=True))
            parts.append(batch.fire(codes, rows))
            skip |= batch.groups
            windows: list[Window | None] = [None] * len(groups)
        else:  # groups with a window read the code's bits: decode the others' digits only
            windows, needed = self._windows(backward)
            locs = dict(zip(needed, layout.decode_rows(codes, needed), strict=True))
        at = [i for i in range(len(groups)) if i not in skip]
        same = self._alike if alike else None

        def fire(i: int, codes: np.ndarray, locs: dict[int, np.ndarray]) -> Fired:
            return (windows[i].fire(codes) if windows[i] is not None  # type: ignore[union-attr]
                    else groups[i].fire(codes, locs, layout) if isinstance(groups[i], LazyGroup)
                    else (same and same.fire(i, codes, locs, layout))
                    or fire_factors(groups[i], codes, locs, layout))
        by_state = self._group_screen(backward) if len(codes) >= LEAST_CODES else None
        fired = by_state.fire(at, fire, codes, locs) if by_state is not None else \
            [fire(i, codes, locs) for i in at]
        left = sum(f[1] for f in fired if isinstance(f[1], int))  # moves alike, left out
        parts += [f[0] if isinstance(f[1], int) else f for f in fired]
        if screen is not None:  # its rules' moves, in their places among the others'
            screen = same.screen if same is not None and same.screen is not None else screen
            parts, lost = screen.merge(parts, at, codes, locs, layout)
            left += lost
        parts = [p for p in parts if len(p[0])]
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0, dtype=layout.key_dtype), np.zeros(0, dtype=np.int32), 0
        return (*(np.concatenate(x) for x in zip(*parts, strict=True)), left)  # type: ignore[return-value]

    def _windows(self, backward: bool) -> tuple[list[Window | None], list[int]]:
        """:func:`~procalg.lts.code_windows.group_windows` in the current layout,
        made once per layout (a deep, narrow search asks once per level)."""
        if self._windowed[0] is not self.layout:
            self._windowed = (self.layout, *(group_windows(g, self.layout)
                                             for g in (self.forward, self.backward)))
        return self._windowed[1 + backward]

    def _group_screen(self, backward: bool) -> GroupScreen | None:
        """The :class:`~procalg.lts.group_screen.GroupScreen` of the groups
        not fired by the rule screen, made on first need."""
        if backward not in self._group_screens:
            skip = set(getattr(self._screens[backward], "positions", np.zeros(0)).tolist())
            pick = [i for i in range(len(self.rules)) if i not in skip]
            self._group_screens[backward] = GroupScreen.of(
                [(i, enabling(self.rules[i], self.local_moves, backward, self.layout.radix,
                              self.lazy)) for i in pick],
                [tuple(sorted({c for c, _ in self.rules[i][0].parts})) for i in pick])
        return self._group_screens[backward]


_BATCH_CELLS = 1 << 18
"""Largest (groups x states) index matrix :class:`~procalg.lts.gather.Gather` builds at once."""
