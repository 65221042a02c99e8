"""Refusals in bulk: which normal-form nodes have a member refusing what another accepts.

A node of the normal form (:mod:`procalg.lts.normal_product`) is a set of
implementation states reached by one trace. It shows nondeterminism if some
member can refuse an event another member accepts (Roscoe, *Understanding
Concurrent Systems*, 2010, sec. 10.5): a stable member without the event,
or a member that can terminate, since ✓ is autonomous and such a member
refuses every other event. :func:`clashes` tests every node of a BFS level
at once by counting, :func:`clash_event` names the event for one failing
node, as the reference check does.

Example:
    >>> node = np.array([0, 0, 1])  # node 0: members 0 and 1; node 1: member 2
    >>> src, lab = np.array([0, 0, 1, 2]), np.array([2, 3, 2, 2])  # 0: a, b; 1: a; 2: a
    >>> clashes(node, src, lab, 2, np.array([False, False, True]), 4).tolist()
    [True, False]
"""

from __future__ import annotations

import numpy as np

from procalg.lts.lts import TAU_INDEX, TICK_INDEX
from procalg.lts.vectors import Tables
from procalg.lts.visited import sorted_unique


def clashes(node: np.ndarray, src: np.ndarray, lab: np.ndarray, n: int, alone: np.ndarray,
            width: int) -> np.ndarray:
    """Per node: some member refuses an event another accepts. Counts, not
    sets: a stable member with fewer distinct events than its node, or a
    member that can terminate in a node offering another event.

    Args:
        node: per member, its node (``0 .. n-1``).
        src, lab: the members' moves (member index, label index).
        n: the number of nodes.
        alone: per member, whether it is its node's only member.
        width: the number of labels.
    """
    members = len(node)
    tau = np.zeros(members, bool)
    tau[src[lab == TAU_INDEX]] = True
    tick = np.zeros(members, bool)
    tick[src[lab == TICK_INDEX]] = True
    other = np.zeros(members, bool)  # a visible event other than ✓
    other[src[(lab != TAU_INDEX) & (lab != TICK_INDEX)]] = True
    clash = np.zeros(n, bool)
    clash[node[alone & tick & other]] = True  # a lone member clashes only through ✓
    if alone.all():
        return clash
    seen = (lab != TAU_INDEX) & ~alone[src]
    own = sorted_unique(src[seen].astype(np.int64) * width + lab[seen])  # (member, event)
    count = np.bincount(own // width, minlength=members)
    offer = sorted_unique(node[own // width] * width + own % width)  # (node, event)
    offers = np.bincount(offer // width, minlength=n)
    others = offers - np.bincount(offer[offer % width == TICK_INDEX] // width, minlength=n)
    clash[node[~alone & tick & (others[node] > 0)]] = True
    clash[node[~alone & ~tau & (count < offers[node])]] = True
    return clash


def clash_event(tables: Tables, members: np.ndarray) -> str:
    """The least clashing event by name among one node's few members (the
    reference's rule): one a member offers and another refuses, being stable
    without it or able to terminate.

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> lts = LTS.build(3, 0, ["b", "a"], [(0, "a", 0), (0, "b", 0), (1, "b", 1)])
        >>> tables = Tables(close(component(lts)))
        >>> clash_event(tables, tables.layout.cast([0, 1]))
        'a'
    """
    names = tables.labels
    src, _, lab = tables.successors(members)
    initials = [set(lab[src == i].tolist()) for i in range(len(members))]
    offers = set().union(*initials) - {TAU_INDEX}
    ticking = any(TICK_INDEX in m for m in initials)
    for x in sorted(offers, key=names.__getitem__):
        if x != TICK_INDEX and ticking:
            return names[x]
        if any(TAU_INDEX not in moves and x not in moves for moves in initials):
            return names[x]
    raise AssertionError("a clashing node has a clashing event")  # pragma: no cover
