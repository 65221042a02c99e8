"""Normalisation with dominated members pruned from each set (the ``normal`` compression).

The subset construction (:mod:`procalg.lts.normal_table`) interns a node by
its exact set of members, so two sets that differ only by a member whose
behaviour another member already covers are two nodes; minimisation merges
them afterwards, but only after all of them were built. Composing normal
forms step by step (``InductiveCompress(normal)``) makes such sets abound:
at one level of a philosophers-and-butler chain, 1.49 million sets for
12,689 distinct nodes.

Here a member ``x`` is dropped from a set when another member ``y`` is
shown to refine-dominate it (every trace, stable failure and divergence of
``x`` is one of ``y``'s) by a *failures simulation*: the largest relation
``R`` with ``x R y`` only if

- ``x`` divergent implies ``y`` divergent;
- what ``x`` contributes to a node's acceptances (its offers when stable,
  ``{✓}`` when it can terminate) includes some contribution of a state in
  ``y``'s τ-closure;
- every τ-successor ``x'`` of ``x`` has ``x' R y`` (or is ``y``);
- every visible move ``x -e-> x'`` is matched by ``z -e-> y'`` for some
  ``z`` in ``y``'s τ-closure with ``x' R y'`` or ``x' == y'``.

By induction on traces, ``x R y`` gives failures, divergences and traces
of ``x`` within ``y``'s, so a set means the same with ``x`` left out (as in
the antichain algorithms of Abdulla et al., "When simulation meets
antichains", TACAS 2010, here for failures). A node is the τ-closure of its
pruned set: its key is the pruned set, its moves, acceptances and
divergence come from the closure, so each node is failures-divergences
equal to the unpruned one (Roscoe, *Understanding Concurrent Systems*,
sec. 16.1) and the result, minimised, is the same normal form.

The simulation is worked out on arrays (:mod:`procalg.lts.normal_simulation`)
over candidate pairs filtered by label masks, so it runs only on processes of
up to :data:`LIMIT` states with at most 63 labels and
:data:`~procalg.lts.normal_simulation.MAX_PAIRS` candidates;
:func:`pruned_normal_lts` gives ``None`` beyond.

Example:
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 1), (2, "b", 2)])
    >>> n = pruned_normal_lts(p)
    >>> n.num_states, sorted({lab for _, lab, _ in n.triples()})
    (5, ['a', 'b', 'τ'])
"""

from __future__ import annotations

from procalg.lts.lts import LTS, TAU, TICK, TICK_INDEX
from procalg.lts.normal_simulation import Moves, failures_simulation
from procalg.lts.partition import bfs_renumber

LIMIT = 40_000
"""Most states for which the failures simulation is worked out (its relation
is a bit matrix of ``LIMIT²`` bits: 200 MB at the limit)."""


def pruned_normal_lts(lts: LTS) -> LTS | None:
    """The normal form of ``lts`` in :func:`~procalg.lts.normal_table.normal_lts`'s
    shape, sets pruned by the failures simulation; ``None`` beyond :data:`LIMIT`
    states or 63 labels."""
    if lts.num_states > LIMIT or len(lts.labels) > 63:
        return None
    m = Moves(lts)
    relation = failures_simulation(m)
    if relation is None:
        return None

    def prune(states: frozenset[int]) -> frozenset[int]:
        return frozenset(x for x in states if not any(
            y in states and (x not in relation[y] or y < x) for y in relation[x]))

    root = prune(m.closure[lts.initial])
    index, todo, rows = {root: 0}, [root], []
    while todo:
        key = todo.pop()
        number = index[key]
        after: dict[int, set[int]] = {}
        for s in m.close(key):
            for a, d in m.moves[s]:
                after.setdefault(a, set()).add(d)
        for a, targets in sorted(after.items()):
            if a == TICK_INDEX:  # once ✓ is taken nothing follows: back to the node itself
                rows.append((number, a, number))
                continue
            child = prune(m.close(frozenset(targets)))
            if child not in index:
                index[child] = len(index)
                todo.append(child)
            rows.append((number, a, index[child]))
    return _shaped(lts, m, index, rows)


def _shaped(lts: LTS, m: Moves, index: dict[frozenset[int], int],
            rows: list[tuple[int, int, int]]) -> LTS:
    """The nodes as an LTS: a node whose one minimal acceptance is all it can do
    is one state; else it moves by τ to a stable state per minimal acceptance
    offering that set; a divergent node has a τ-loop."""
    succ = {(s, a): d for s, a, d in rows}
    initials: dict[int, set[int]] = {}
    for s, a, _ in rows:
        initials.setdefault(s, set()).add(a)
    out = [(s, lts.labels[a], d) for s, a, d in rows]
    count = len(index)
    for key, node in index.items():
        members = m.close(key)
        found = {c for s in members if (c := m.contribution[s]) is not None}
        minimal = sorted((c for c in found if not any(o < c for o in found)),
                         key=lambda c: (len(c), sorted(c)))
        divergent = any(m.divergent[s] for s in members)
        if divergent:
            out.append((node, TAU, node))
        if not divergent and len(minimal) == 1 and minimal[0] == initials.get(node, set()):
            continue
        for acceptance in minimal:
            out.append((node, TAU, count))
            for a in sorted(acceptance):
                out.append((count, lts.labels[a], count if a == TICK_INDEX else succ[(node, a)]))
            count += 1
    names = [x for x in lts.labels if x not in (TAU, TICK)]
    return bfs_renumber(LTS.build(count, 0, names, out))


__all__ = ["LIMIT", "failures_simulation", "pruned_normal_lts"]
