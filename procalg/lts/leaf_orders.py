"""What the fired order of a lazy leaf's moves depends on, for :mod:`procalg.lts.leaf_partners`.

:class:`~procalg.lts.leaf_partners.PartneredLeaf` fires one state per key
``(partners' digits, signature)`` and replays its moves, in their fired
order, for every state with that key. The order of
:meth:`~procalg.lts.vectors.Tables.successors` is not the key's alone in
three ways, and a key hit by one of them gets no template (numpy takes its
levels):

- :func:`signature`: a leaf state's moves rank by label in its move table
  and by target in a folded one, so the key holds both.
- :func:`crossed`: one label pairing several leaf moves with several
  partner moves lists them leaf first or partner first, by the side that
  drives the lazy group.
- :func:`folds_alike`: a lazy group lists a state's moves as its driver's
  table runs (by label) until its leaves are calm, then by (target, label)
  from the folded table (:mod:`procalg.lts.lazy_fold`); a template made
  before the fold must hold after it, so the two orders must agree.

Example:
    >>> signature(5, [(1, 9)]), crossed([(3, 0, 0, 0), (3, 0, 1, 1)])
    ((1,), False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.lazy_tables import LazyGroup

if TYPE_CHECKING:
    from procalg.lts.vectors import Tables


def crossed(entries: list[tuple[int, int, int, int]]) -> bool:
    """Whether one label pairs two or more leaf moves with two or more partner
    moves: their fired order then depends on which side drove the lazy group
    (:class:`~procalg.lts.lazy_tables.LazyGroup` picks the side with fewer
    moves for the codes fired together, a folded table fires them leaf first),
    not on the key, so no template can keep it.

    Example:
        >>> crossed([(3, 0, 0, 0), (3, 1, 0, 0), (3, 0, 1, 1), (3, 1, 1, 1)])
        True
        >>> crossed([(3, 0, 0, 0), (3, 0, 1, 1), (2, 1, 0, 0), (2, 2, 0, 0)])
        False
    """
    leaf: dict[int, set[int]] = {}
    partner: dict[int, set[int]] = {}
    for g, j, tp, _ in entries:
        if j >= 0:
            leaf.setdefault(g, set()).add(j)
            partner.setdefault(g, set()).add(tp)
    return any(len(js) > 1 and len(partner[g]) > 1 for g, js in leaf.items())


def signature(loc: int, pairs: list[tuple[int, int]]) -> tuple[int, ...]:
    """What the order of a leaf state's moves in the fired tables depends on:
    their labels, and with several moves how their targets and ``loc`` rank
    (a lazy group lists a state's moves by label, a folded one by target).

    Example:
        >>> signature(5, [(1, 9)]), signature(5, [(1, 9), (2, 3)])
        ((1,), (1, 2, 2, 0, 1))
    """
    if len(pairs) < 2:  # a walk asks this once per leaf state: no comprehensions
        return (pairs[0][0],) if pairs else ()
    labels, targets = zip(*pairs, strict=True)
    index = sorted({loc, *targets}).index
    return (*labels, *map(index, targets), index(loc))


def folds_alike(tables: Tables, leaf: int, code: int) -> bool:
    """Whether every lazy group moving ``leaf`` lists ``code``'s moves in the
    same order from its lazy tables as from its folded table: already by
    (target, label), the folded table's order (its rows sorted by delta,
    then label). Fires each such group once, unfolded, with no side effect
    on its fold (:attr:`~procalg.lts.lazy_fold.Folding.fire`).

    Complexity: one firing of ``code`` per lazy group with the leaf.

    Example:
        >>> from procalg.lts.exploration import ExplicitSystem
        >>> from procalg.lts.lazy import LazyComponent
        >>> from procalg.lts.lts import LTS, TAU
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.vectors import Tables
        >>> def alike(back, ahead):  # the moves of leaf state 1: τ to ``ahead``, a to ``back``
        ...     moves = [(0, TAU, 1), (1, TAU, ahead), (1, "a", back)]
        ...     lazy = LazyComponent(ExplicitSystem(LTS.build(3, 0, ["a"], moves)), {"a"})
        ...     tables = Tables(close(component(lazy)))
        ...     _ = tables.expand(np.array([0])), tables.expand(np.array([1]))
        ...     return folds_alike(tables, 0, 1)
        >>> alike(0, 2)  # τ first by label, a by target
        False
        >>> alike(2, 0)
        True
    """
    codes = np.array([code], dtype=np.int64)
    for group in tables.forward:
        if not isinstance(group, LazyGroup) or leaf not in group.comps:
            continue
        locs = tables.layout.decode(codes, group.comps)
        _, dst, tag = group.folding.fire(codes, locs, tables.layout)
        moves = list(zip(dst.tolist(), tag.tolist(), strict=True))
        if moves != sorted(moves):
            return False
    return True
