"""A deep chain of one lazy leaf walked with one call per state: its next-state function's.

:class:`~procalg.lts.leaf_levels.OneLeaf` walks a network of one lazy leaf
level by level in Python. Where the levels are one state with one move each
(a counter ``P(n) = c!n -> d -> P((n + 1) % N)``: 60,000 levels of one
state), its fixed cost per level was some six Python calls around the leaf's
own next-state function (the walk's expansion, the leaf's, its numbering of
the target, the held table write, the mapping to the product's label).
:func:`walk_chain` makes those levels in one loop: per state it calls the
leaf's system (:attr:`~procalg.lts.lazy.LazyComponent._direct`) and does the
rest inline, exactly as :func:`expand_direct` (which it shares its steps with)
and the walk's general loop would: same local numbers in the same order, same
held table runs, same product moves kept, same level sizes. Any state that is
not such a plain one-move state (expanded before the walk, not an int, a model
error, ✓ or a label outside the alphabet, no move or several, a leaf that
outgrew its digits, its limit on local states reached) ends the chain there,
unconsumed: the general loop takes it.

Complexity: O(1) Python steps and one call of the leaf's system per level.

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.held import Holding
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.leaf_levels import only_when
    >>> from procalg.lts.level_search import LevelSearch
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.vectors import Tables
    >>> ring = LTS.build(500, 0, ["a"], [(i, "a", (i + 1) % 500) for i in range(500)])
    >>> lazy = LazyComponent(Holding(ExplicitSystem(ring)), {"a"})
    >>> search = LevelSearch(Tables(close(component(lazy))))
    >>> search.run(only_when(lambda chunk, src, dst, lab: None, idle=True))  # none dead
    >>> len(search.visited), search.visited.depth, lazy.expanded, lazy.transitions
    (500, 500, 500, 500)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procalg.errors import ProcalgError

if TYPE_CHECKING:  # leaf_levels imports this module
    from procalg.lts.leaf_levels import Moves, OneLeaf


def walk_chain(leaf: OneLeaf, code: int, levels: int, room: int, bound: int,
               codes: list[int], sizes: list[int]) -> tuple[int, int, bool]:
    """Walk from ``code`` (a level of one state) while each state has one plain move
    to a state not seen, for at most ``levels`` levels: each new state is marked in
    ``leaf.seen`` and appended to ``codes`` (and its level's size to ``sizes``).

    Returns:
        ``(walked, code, ended)``: the levels made, the state the walk stands at
        (the last level's, not expanded here when the chain broke), and whether the
        batch ends (a target seen before: a level of 0 new states was appended; or
        more than ``room`` states in ``codes``). With ``ended`` False and ``walked``
        below ``levels``, ``code``'s level is the general loop's to make.
    """
    comp, slot = leaf.comp, leaf.comp._slot
    if comp._direct is None or leaf.single is None or comp._pending is None \
            or "_local_of" in comp.__dict__ or comp.returns is not None:
        return 0, code, False
    fresh = len(comp.states)  # states numbered from here on were never expanded
    # past this many states, the general numbering: the leaf's limit, the slots' column grown
    top = fresh + len(slot.data) - slot.size
    if comp.max_states is not None:
        top = min(top, comp.max_states)
    runs: tuple[list[int], list[int], list[int]] = ([], [], [])  # held (hold_chain)
    walk = [0, code, False, False]  # walked, the state it stands at, ended, seen again
    try:
        _walk(leaf, walk, levels, bound, room - len(codes), fresh, top, codes, runs)
    finally:
        slot.size += len(comp.states) - fresh  # LazyComponent._number's, for each new state
        if runs[0]:
            comp.hold_chain(*runs)
    walked, code, ended, repeat = walk
    sizes += [1] * (walked - repeat)
    if repeat:
        sizes.append(0)
    return walked, code, ended


def _walk(leaf: OneLeaf, walk: list, levels: int, bound: int, last: int, fresh: int,
          top: int, codes: list[int], runs: tuple[list[int], list[int], list[int]]) -> None:
    """:func:`walk_chain`'s loop; ``walk`` is ``[walked, code, ended, seen again]``,
    kept up to date at every exit (an exception included)."""
    comp, known, seen, single = leaf.comp, leaf.moves, leaf.seen, leaf.single
    direct, states, ids, data = comp._direct, comp.states, comp.ids, comp._slot.data
    labels, special = comp.code, comp._special
    locs, labs, dsts = runs
    walked, code, numbered = 0, walk[1], len(states)
    try:
        while walked < levels:
            moves = known.get(code)
            if moves is None:  # expand_direct, inlined for a one-move state
                state = states[code]
                if type(state) is not int or (code < fresh and data.item(code) >= 0):
                    return
                try:
                    pairs = direct(state)
                except ProcalgError:
                    return  # the general loop asks again, and holds the error
                if len(pairs) != 1:
                    return
                label, target = pairs[0]
                lab = labels.get(label)
                if lab is None or lab in special:
                    return
                n = ids.get(target)
                if n is None:
                    if numbered >= top:
                        return
                    n = ids[target] = numbered  # LazyComponent._number, inlined
                    states.append(target)
                    numbered += 1
                g = single[lab]
                moves = known[code] = ((g, n),) if g >= 0 else ()
                locs.append(code)
                labs.append(lab)
                dsts.append(n)
            if len(moves) != 1 or numbered > bound:
                return
            walked += 1
            target = moves[0][1]
            if seen[target]:  # a level of no new state ends the batch
                walk[2] = walk[3] = True
                return
            seen[target] = 1
            codes.append(target)
            code = target
            if walked > last:
                walk[2] = True
                return
    finally:
        walk[0], walk[1] = walked, code


def expand_direct(leaf: OneLeaf, code: int) -> Moves | None:
    """:meth:`~procalg.lts.lazy_held.HeldWrites.expand_now` for a state whose
    moves are plain ``(label, number)`` pairs, inlined with the numbering of new
    targets (:meth:`~procalg.lts.lazy.LazyComponent._number`), and the product
    moves made from them in the same pass (at most one rule per local label):
    the product moves (kept in ``leaf.moves``), or None where expand_now must take
    it (it has the general path: a model error, ✓, a label outside the alphabet;
    it asks the system again)."""
    comp = leaf.comp
    direct, state = comp._direct, comp.states[code]
    if direct is None or type(state) is not int or comp.returns is not None:
        return None  # (a returning leaf's moves back to 0: expand_now adds them)
    try:
        pairs = direct(state)
    except ProcalgError:
        return None
    codes, ids, special, single = comp.code, comp.ids, comp._special, leaf.single
    local = []
    for label, target in pairs:
        lab = codes.get(label)
        if lab is None or lab in special:
            return None
        n = ids.get(target)
        if n is None:
            slot = comp._slot
            limit = comp.max_states
            if (limit is not None and len(comp.states) >= limit) \
                    or slot.size >= len(slot.data) or "_local_of" in comp.__dict__:
                n = comp._number(target)  # the general numbering (a limit, a cache)
            else:  # LazyComponent._number, inlined: a call per new state
                n = ids[target] = len(comp.states)
                comp.states.append(target)
                slot.size += 1
        local.append((lab, n))
    if len(local) == 1:  # the usual: one move (a deep chain's state)
        lab, n = local[0]
        g = single[lab]  # type: ignore[index]
        found: Moves = ((g, n),) if g >= 0 else ()
    else:
        if local:  # (numbered in order, then sorted as expand_now sorts)
            local = sorted(set(local))
        found = tuple([(single[lab], d) for lab, d in local  # type: ignore[index]
                       if single[lab] >= 0])  # type: ignore[index]
    pending = comp._pending
    if pending is not None:
        pending.append((code, local, -1))
    else:
        comp._write([(code, local, -1)])
    leaf.moves[code] = found
    return found
