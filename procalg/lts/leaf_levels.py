"""Deep, narrow searches of one lazy leaf: levels of a few states in plain Python.

A model that is one sequential component (a counter ``P(n) = c!n -> d ->
P((n + 1) % N)``, maybe under hiding or renaming) compiles to a network of
one lazily explored leaf, and its product state *is* the leaf's local
state. Its space is often one state per BFS level, 60,000 levels deep, and
the level search's fixed cost per level (some 40 numpy calls: expanding,
firing, marking, writing the leaf's move table) is ten times the leaf's
own next-state function. :class:`OneLeaf` walks such levels in Python
instead: each state's moves are the leaf's local moves mapped through the
network's rules (kept in a dictionary per local state), "is this state
new" is a byte per local state, the leaf's table writes are held and
flushed once per batch (:meth:`~procalg.lts.lazy.LazyComponent.hold`), and
the goal is asked only about levels it can match (:func:`only_when`).

Each level is made exactly as :func:`~procalg.lts.narrow_levels.marked_batch`
makes it (expand the level's leaf states, the goal sees the level's moves,
then the new states of the next level), so the BFS levels, the goal's first
witness, the transition count and the leaf's expansions (hence its errors,
and ``max_states``) are those of the level-by-level search; a batch ends
where that search would re-encode (the leaf outgrew its digits), past
:data:`FEW` states in a level, or at the state limit.

Complexity: O(M) Python steps for M moves of the batch's levels, plus a
few numpy calls per batch; the byte array is rebuilt (O(S)) when levels were
added by the vectorised path in between (a wide stretch of levels), and the
walk gives up if that happens too often (:data:`REBUILDS`).

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.level_search import LevelSearch
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.vectors import Tables
    >>> ring = LTS.build(500, 0, ["a"], [(i, "a", (i + 1) % 500) for i in range(500)])
    >>> tables = Tables(close(component(LazyComponent(ExplicitSystem(ring), {"a"}))))
    >>> OneLeaf.of(tables) is not None
    True
    >>> search = LevelSearch(tables)
    >>> search.run(), len(search.visited), search.visited.depth, search.transitions
    (None, 500, 500, 500)
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_chain import expand_direct, walk_chain
from procalg.lts.narrow_levels import BATCH, STEPS, ask_goal, level_arrays, store_lists

if TYPE_CHECKING:  # level_search imports this module
    from procalg.lts.level_search import LevelSearch, Stop
    from procalg.lts.vectors import Tables

_PARTS = attrgetter("parts")

FEW = 8
"""Most states in a level walked here (wider levels go to numpy)."""

REBUILDS = 64
"""The walk stops once whole rebuilds of its byte array have marked more than
this many states per BFS level (plus a million): a space whose narrow and wide
stretches alternate often would pay O(S) per switch."""

KEPT = 1 << 20
"""Most local states whose moves the walk keeps (about 150 bytes each); past
that it starts over, and a trace through a forgotten state is rebuilt by
firing (:meth:`~procalg.lts.level_search.LevelSearch.path_to`)."""

Moves = tuple[tuple[int, int], ...]  # (global label index, target code) per move


def only_when(stop: Stop, *, idle: bool = False, labels: Iterable[int] | None = None,
              gathers: bool = False, lists: Callable[..., Any] | None = None) -> Stop:
    """Mark ``stop`` (a goal's function over expanded chunks) as matching
    only a chunk with a state without moves (``idle``), or only one with a
    move labelled by one of ``labels`` (label indices; both: either):
    :class:`OneLeaf` then skips it on every other level; or as never matching, only
    gathering what it sees state by state (``gathers``: a census), so that
    one call may see many levels at once. ``lists(codes, moves)``: the same goal
    over a level walked in Python (``moves[i]``: (label index, target) of ``codes[i]``),
    reading no leaf's table: a walk asks it with no arrays, no writes flushed. Returns ``stop``.

    Example:
        >>> stop = only_when(lambda chunk, src, dst, lab: None, labels=[3])
        >>> stop.labels_only
        frozenset({3})
    """
    stop.idle_only = idle  # type: ignore[attr-defined]
    stop.labels_only = None if labels is None else frozenset(labels)  # type: ignore[attr-defined]
    stop.gathers = gathers  # type: ignore[attr-defined]
    stop.on_lists = lists  # type: ignore[attr-defined]
    return stop


class OneLeaf:
    """The scalar level walk over a network of one lazy leaf (see the module)."""

    def __init__(self, tables: Tables, comp: LazyComponent) -> None:
        self.tables, self.comp = tables, comp
        rules: list[list[int]] = [[] for _ in comp.labels]
        code, tag = comp.code, tables.tag
        index = tables.label_index if tables._tags is None else None  # tag, inlined
        for rule in tables.network.rules:
            ((_, local),) = rule.parts
            rules[code[local]].append(index[rule.label] if index is not None else tag(rule))
        self.rules = rules  # the global label indices of each local label code
        # at most one rule per local label (-1: none, as for the leaf's DONE once closed)
        self.single = [r[0] if r else -1 for r in rules] if max(map(len, rules)) <= 1 \
            else None
        self.moves: dict[int, Moves] = {}
        self.seeded = False  # the states expanded before the walk read (see _seed)
        self.seen = bytearray()  # a byte per local state: visited (faster than numpy's items)
        self.depth = -1  # the visited set's depth when ``seen`` was last in step with it
        self.layout: object = None
        self.rebuilt = 0  # states marked by whole rebuilds (see REBUILDS)

    @classmethod
    def of(cls, tables: Tables) -> OneLeaf | None:
        """The walk for ``tables`` if its network is one lazy leaf whose local
        state is the code (else None; made once per tables)."""
        found = tables.__dict__.get("_one_leaf", False)
        if found is False:
            comps = tables.network.components
            ok = (len(comps) == 1 and isinstance(comps[0], LazyComponent)
                  and not comps[0].deferred and tables.layout.stride == (1,)
                  and not tables.layout.wide
                  and all(n == 1 for n in map(len, map(_PARTS, tables.network.rules))))
            found = tables._one_leaf = cls(tables, comps[0]) if ok else None  # type: ignore
        return None if found is None or found.rebuilt > REBUILDS * found.depth + (1 << 20) \
            else found

    def batch(self, search: LevelSearch, frontier: np.ndarray, stop: Stop | None
              ) -> tuple[int, str] | None:
        """Levels from ``frontier`` (the visited set's, its leaf states expanded)
        while they hold at most :data:`FEW` states, as ``marked_batch`` does."""
        visited, comp = search.visited, self.comp
        self._sync(search)
        if len(self.moves) > KEPT:  # bounded memory: older states' moves read again if need be
            self.moves.clear()
        room = BATCH if search.max_states is None else \
            min(BATCH, search.max_states - len(visited))
        radix = self.tables.layout.radix[0]
        check = level_check(stop)
        lists = getattr(stop, "on_lists", None)  # a goal over this walk's own lists
        gathered: tuple[list[int], list[Moves]] | None = \
            ([], []) if getattr(stop, "gathers", False) else None
        codes: list[int] = []  # the new levels' states, and how many in each level
        sizes: list[int] = []
        cur, hit, count, seen = frontier.tolist(), None, 0, self.seen
        collecting = gc.isenabled()
        gc.disable()  # what a level makes is kept (states, moves): no cycles to look for
        comp.hold()
        idle = check is _IDLE  # the usual goal (a deadlock): tested inline, no call
        moved = 0  # transitions, added to the search's count once
        try:
            known, states, make = self.moves, comp.states, self._moves
            bound = min(radix, len(seen))  # one test per level while the leaf stays below
            chain = idle and gathered is None  # the loop below, for a level of one move
            # a deep chain's levels, one call per state (the leaf asked straight)
            walks = chain and self.single is not None and comp._direct is not None
            steps = 0
            while steps < STEPS:
                if walks and len(cur) == 1:
                    walked, at, ended = walk_chain(self, cur[0], STEPS - steps, room, bound,
                                                   codes, sizes)
                    moved += walked
                    count += walked
                    steps += walked
                    cur = [at]
                    if ended or steps >= STEPS:
                        break
                steps += 1
                if len(cur) == 1:  # a level of one state: no comprehension (a call in 3.11)
                    moves = known.get(cur[0]) or make(cur[0])
                    if chain and len(moves) == 1 and len(states) <= bound:  # a deep chain's
                        moved += 1  # level: the steps below, with nothing left to ask
                        count += 1
                        target = moves[0][1]
                        if seen[target]:
                            sizes.append(0)
                            break
                        seen[target] = 1
                        codes.append(target)
                        sizes.append(1)
                        cur = [target]
                        if len(codes) > room:
                            break
                        continue
                    out = [moves]
                else:
                    out = [known.get(code) or make(code) for code in cur]
                if len(states) > bound:
                    if len(states) > radix:  # the leaf outgrew its digits: re-encode first
                        break
                    if len(states) > len(seen):  # doubling
                        seen.extend(bytes(max(len(states) - len(seen), len(seen), 64)))
                    bound = min(radix, len(seen))
                moved += len(out[0]) if len(out) == 1 else sum(map(len, out))
                if gathered is not None:  # seen once, at the batch's end
                    gathered[0].extend(cur)
                    gathered[1].extend(out)
                elif (not all(out)) if idle else (check is not None and check(out)):
                    search.transitions += moved
                    moved = 0
                    hit = ask_goal(comp, stop, lists, cur, out)
                    if hit is not None:
                        break
                new = []
                for moves in out:
                    for _, target in moves:
                        if not seen[target]:
                            seen[target] = 1
                            new.append(target)
                size = len(new)
                if size > 1:
                    new.sort()
                count += 1
                codes += new
                sizes.append(size)
                cur = new
                if not size or size > FEW or len(codes) > room:
                    break
        finally:
            search.transitions += moved
            comp.flush()
            if collecting:
                gc.enable()
        if gathered is not None and gathered[0]:
            stop(*level_arrays(*gathered))  # type: ignore[misc]
        store_lists(visited, codes, sizes)
        self.depth = visited.depth
        return hit

    def path_to(self, search: LevelSearch, code: int) -> list[str] | None:
        """The labels of :meth:`~procalg.lts.level_search.LevelSearch.path_to`'s
        path to ``code`` (at each step back the least code of the level before
        with a move into the current one, and its first such move), read off
        the moves this walk keeps, with no firing; None where a state on the
        way was expanded by the numpy search (its moves are not kept here)."""
        visited, moves = search.visited, self.moves
        level = int(visited.level_of(np.array([code], dtype=np.int64))[0])
        span = max(1, min(1024, (1 << 20) // max(1, len(visited) // (visited.depth + 1))))
        levels: dict[int, np.ndarray] = {}
        labels: list[str] = []
        while level > 0:
            if level - 1 not in levels:
                levels = search._levels(max(0, level - span), level)
            step = None
            for source in levels.pop(level - 1).tolist():  # sorted: the least first
                found = moves.get(source)
                if found is None:
                    return None
                step = next(((source, g) for g, d in found if d == code), None)
                if step is not None:
                    break
            if step is None:
                return None
            code, label = step
            labels.append(self.tables.labels[label])
            level -= 1
        return labels[::-1]

    def _moves(self, code: int) -> Moves:
        """The product moves of ``code`` (its local state), expanding it if new."""
        found = self.moves.get(code)
        if found is not None:
            return found
        comp, single = self.comp, self.single
        if comp._slot.data.item(code) >= 0:  # expanded before the walk (is_expanded, inlined)
            if not self.seeded:  # the first such state: all of them at once, once
                self._seed()
                return self.moves[code]
            local = comp.written_moves(code)
        elif single is None or (found := expand_direct(self, code)) is None:
            local = comp.expand_now(code)
        else:
            return found
        if single is not None and len(local) == 1:  # one move, at most one rule: the usual
            g = single[local[0][0]]
            found = self.moves[code] = ((g, local[0][1]),) if g >= 0 else ()
        elif single is not None:  # at most one rule per local label
            found = self.moves[code] = tuple([(single[lab], d) for lab, d in local
                                              if single[lab] >= 0])
        else:
            rules = self.rules
            found = self.moves[code] = tuple([(g, d) for lab, d in local for g in rules[lab]])
        return found

    def _seed(self) -> None:
        """The moves of every state the leaf expanded before the walk (its first
        states, explored whole before it turned lazy), read off its table at once."""
        self.seeded = True
        local = written_table(self.comp)
        single, rules, moves = self.single, self.rules, self.moves
        for n, pairs in local.items():
            moves[n] = tuple([(single[lab], d) for lab, d in pairs if single[lab] >= 0]) \
                if single is not None else tuple([(g, d) for lab, d in pairs for g in rules[lab]])

    def _sync(self, search: LevelSearch) -> None:
        """Bring ``seen`` in step with the visited set: the frontier only, if
        it is the one level added since the last batch, else every state."""
        visited = search.visited
        if visited.depth == self.depth and self.tables.layout is self.layout:
            return
        size = 2 * max(self.comp.num_states, 1)
        if visited.depth == self.depth + 1 and self.tables.layout is self.layout:
            self.seen.extend(bytes(max(0, size - len(self.seen))))
            _mark(self.seen, [visited.frontier])
        else:
            self.seen = bytearray(size)
            self.rebuilt += len(visited)
            _mark(self.seen, [*(run.plain_codes() for run in visited.runs), visited.frontier])
        self.depth, self.layout = visited.depth, self.tables.layout


def written_table(comp: LazyComponent) -> dict[int, list[tuple[int, int]]]:
    """The moves of every state in ``comp``'s table (expanded and written), read
    at once: per state as :meth:`~procalg.lts.lazy_held.HeldWrites.written_moves`
    gives them, not two binary searches per state (a leaf explored to 50,000
    states before it turned lazy: 0.3 s less).

    Example:
        >>> from procalg.lts.exploration import ExplicitSystem
        >>> from procalg.lts.lts import LTS
        >>> lazy = LazyComponent(ExplicitSystem(LTS.build(2, 0, ["a"], [(0, "a", 1)])), {"a"})
        >>> _ = lazy.expand(np.array([0])); _ = lazy.expand(np.array([1]))
        >>> written_table(lazy) == {0: lazy.written_moves(0), 1: []}
        True
    """
    width, slot = len(comp.labels), comp._slot.data
    key, src, dst = comp._key.view, comp._src.view, comp._dst.view
    live = key // width == slot[src]  # a state's current run (see known_moves)
    local: dict[int, list[tuple[int, int]]] = {
        n: [] for n in np.flatnonzero(comp._slot.view >= 0).tolist()}
    for n, lab, d in zip(src[live].tolist(), (key[live] % width).tolist(),
                         dst[live].tolist(), strict=True):
        local[n].append((lab, d))
    return local


def _mark(seen: bytearray, parts: list[np.ndarray]) -> None:
    """Set the bytes of ``seen`` at every code of ``parts`` (through a numpy
    view, let go at once: a bytearray with a view cannot grow)."""
    view = np.frombuffer(seen, dtype=np.uint8)
    for codes in parts:
        view[codes] = 1
    del view


def level_check(stop: Stop | None) -> Any:
    """Whether a level's moves may hold ``stop``'s witness (see :func:`only_when`):
    a test over the level's moves, (label index, target) per state; None: no goal.

    Example:
        >>> check = level_check(only_when(lambda *moves: None, labels=[3]))
        >>> check([[(1, 5)], [(3, 6)]]), check([[(1, 5)]])
        (True, False)
    """
    if stop is None:
        return None
    idle, labels = getattr(stop, "idle_only", False), getattr(stop, "labels_only", None)
    if idle and labels is not None:  # either (a goal and the held errors, procalg.lts.held)
        return lambda out: not all(out) or any(g in labels for moves in out for g, _ in moves)
    if idle:
        return _IDLE
    if labels is not None:
        return lambda out: any(g in labels for moves in out for g, _ in moves)
    return lambda out: True


def _IDLE(out: list[Moves]) -> bool:
    """A level's moves may hold an idle goal's witness: some state has none."""
    return not all(out)
