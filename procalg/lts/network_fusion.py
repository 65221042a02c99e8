"""Components that move in lock-step fused into one: a token ring's 32 stations
hold 96 joint states, not 4^32.

A network's components are often far less independent than their product
suggests: the stations of a token ring pass one token, so of their ``4^N``
local-state tuples only ``3N`` ever occur, yet a packed code gives each
station its own two bits (a 32-station ring beside two counters and a
specification: 83 bits, two words a state) and the product fires each
station's rules as a group of its own. Here such a *cluster* becomes one
component whose states are the tuples it can reach:

* the clusters are the connected parts of the graph whose edges are the
  rules' parts that constrain their component (a part that is a self-loop
  wherever its component can move, as ``RUN``'s events in a specification's
  nodes, joins nothing);
* a cluster's *open* product (every rule's parts outside the cluster taken as
  always willing) is explored breadth first from its initial tuple; it holds
  the cluster's part of every reachable product state, so the fused network's
  product is isomorphic to the original's reachable product (same levels,
  transitions, labels: the verdicts and shortest counterexamples), its codes
  numbering the tuples instead of the stations;
* a cluster is fused only when its open product has at most
  :data:`FUSE_LIMIT` tuples and twice its members' local states (Python
  explores it, a few µs a tuple: a cluster whose members move independently,
  Milner's cyclers, is given up within a millisecond) and its tuples need
  fewer code bits than its members' own.

Composing first the components whose product stays small is CADP's *smart
reduction* heuristic (Crouzen and Lang, "Smart Reduction", FASE 2011), which
scores sets of processes by their reachable states against their product;
here the sets are the synchronisation graph's connected parts and the score
is the code bits saved.

Each rule's parts on a fused cluster become one part, a local label per
distinct projection (``"\\x00fused k"``). Networks with priority (ranks,
guards, scopes) are left alone (a priority reads labels per component), and
so are lazy components (their moves are not known yet).

Complexity: O(K + T) to find the clusters of K parts over T local moves, then
O(S·(m + e)) per cluster of S tuples, m members and e enabled projections.

Example:
    >>> from procalg.lts.network import close, component, parallel
    >>> a = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> b = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> fused = fuse(close(parallel(component(a), component(b), {"a", "b"})))
    >>> len(fused.network.components), fused.network.components[0].num_states
    (1, 2)
    >>> fused.place[1][0], fused.place[1][1].tolist()
    (0, [0, 1])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.network import Network, SyncRule

FUSE_LIMIT = 4096
"""Most tuples of a cluster's open product (beyond it the cluster stays apart)."""

CELLS = 1 << 22
"""Most (state, label) cells of a cluster's members' move tables (:class:`_Moves`)."""

FUSED = "\x00fused "
"""How a fused component's local labels start: one per distinct rule projection."""


@dataclass(frozen=True)
class Fusion:
    """A network with some clusters fused, and where each original component went.

    Attributes:
        network: the fused network.
        place: per original component, its component in ``network`` and, when
            fused, its local state in each of that component's states (else None).
    """

    network: Network
    place: tuple[tuple[int, np.ndarray | None], ...]

    def local(self, decode: Callable[[np.ndarray, list[int]], dict[int, np.ndarray]],
              codes: np.ndarray, comp: int) -> np.ndarray:
        """The original component ``comp``'s local states in ``codes`` of the
        fused network, given its layout's ``decode`` (:meth:`~procalg.lts.codes.Layout.decode`).

        Example:
            >>> f = Fusion(Network((), ()), ((0, np.array([5, 7])),))
            >>> f.local(lambda codes, cs: {0: codes}, np.array([1, 0]), 0).tolist()
            [7, 5]
        """
        new, states = self.place[comp]
        got = decode(codes, [new])[new]
        return got if states is None else states.take(got)


def unfused(network: Network) -> Fusion:
    """``network`` as it is, each component in its own place."""
    return Fusion(network, tuple((c, None) for c in range(len(network.components))))


def fuse(network: Network, limit: int = FUSE_LIMIT) -> Fusion:
    """``network`` with its lock-step clusters fused (see the module)."""
    comps = network.components
    if network.scopes or any(r.rank is not None or r.guards for r in network.rules):
        return unfused(network)
    clusters = [c for c in _clusters(network) if len(c) > 1 and sum(
        comps[m].num_states * len(comps[m].labels) for m in c) <= CELLS]  # else the
    # members' move tables (a big specification's) would not pay
    fused: list[tuple[list[int], _Open]] = []
    for members, projections in zip(clusters, _projections(network, clusters), strict=True):
        opened = _Open.explore(comps, members, projections, limit)
        if opened is not None and _bits(len(opened.tuples)) < sum(
                _bits(comps[c].num_states) for c in members):
            fused.append((members, opened))
    if not fused:
        return unfused(network)
    return _rebuild(network, fused)


def _projections(network: Network, clusters: list[list[int]]
                 ) -> list[list[tuple[tuple[int, str], ...]]]:
    """Per cluster, the distinct parts its rules take in it (members by slot),
    in one pass over the rules (a wide channel makes thousands)."""
    home = {c: (k, i) for k, members in enumerate(clusters) for i, c in enumerate(members)}
    found: list[dict[tuple[tuple[int, str], ...], None]] = [{} for _ in clusters]
    for rule in network.rules:
        mine: dict[int, list[tuple[int, str]]] = {}
        for c, a in rule.parts:
            if c in home:
                k, i = home[c]
                mine.setdefault(k, []).append((i, a))
        for k, parts in mine.items():
            found[k][tuple(parts)] = None
    return [list(x) for x in found]


def _bits(n: int) -> int:
    return max(n - 1, 0).bit_length()


def _clusters(network: Network) -> list[list[int]]:
    """The connected parts of the eager components joined by constraining parts."""
    comps = network.components
    parent = list(range(len(comps)))

    def root(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    free = {c: _transparent(x) for c, x in enumerate(comps) if isinstance(x, LTS)}
    for rule in network.rules:
        bound = [c for c, a in rule.parts if c in free and a not in free[c]]
        for c in bound[1:]:
            parent[root(c)] = root(bound[0])
    groups: dict[int, list[int]] = {}
    for c in free:
        groups.setdefault(root(c), []).append(c)
    return list(groups.values())


def _transparent(lts: LTS) -> frozenset[str]:
    """The labels whose moves are a self-loop at every state that moves at all,
    and only there: a part on such a label never constrains nor changes its
    component (its dead ends, a specification's ``ERR``, aside). O(T): the
    triples are distinct, so a label looping at every moving state has as
    many loops as there are moving states."""
    src, lab, dst = (np.asarray(x, dtype=np.int64) for x in (lts.src, lts.label, lts.dst))
    width = len(lts.labels)
    moving = np.count_nonzero(np.bincount(src, minlength=1))  # not np.unique: numpy.ma
    loops = np.bincount(lab[src == dst], minlength=width)
    other = np.bincount(lab[src != dst], minlength=width)
    every = (loops == moving) & (other == 0) & (loops > 0)
    return frozenset(lts.labels[i] for i in np.flatnonzero(every).tolist()
                     if lts.labels[i] not in (TAU, TICK))


class _Open:
    """A cluster's open product, explored breadth first from its initial tuple."""

    def __init__(self, tuples: list[tuple[int, ...]], moves: list[tuple[int, int, int]],
                 projections: list[tuple[tuple[int, str], ...]]) -> None:
        self.tuples, self.moves, self.projections = tuples, moves, projections

    @classmethod
    def explore(cls, comps: Sequence[LTS], members: Sequence[int],
                projections: list[tuple[tuple[int, str], ...]], limit: int) -> _Open | None:
        """The open product of ``members`` (ascending) moving by ``projections``
        (parts by slot), or None past ``limit`` tuples or :data:`WORK` steps (a
        tuple's expansion costs a step per member)."""
        moves_of = [_Moves(comps[c]) for c in members]
        parts = [tuple((i, moves_of[i].index[a]) for i, a in p) for p in projections]
        drive: list[dict[int, list[int]]] = [{} for _ in members]
        for j, p in enumerate(parts):  # a projection is tried by its rarest part
            i, a = min(p, key=lambda x: moves_of[x[0]].enabled[x[1]])
            for s in moves_of[i].states(a):
                drive[i].setdefault(s, []).append(j)
        start = tuple(comps[c].initial for c in members)
        number, tuples, moves = {start: 0}, [start], []
        # a cluster worth fusing holds about as many tuples as its members local
        # states (a token ring: one member away from rest at a time); one that
        # grows past twice that (Milner's cyclers finish their tasks freely) is
        # given up early: it costs a check a few hundred tuples, not thousands
        budget = min(limit, WORK // len(members), 2 * sum(comps[c].num_states for c in members))
        for at, state in enumerate(tuples):  # grows as it goes: breadth first
            if at >= budget or len(tuples) > limit:
                return None
            tried = sorted({j for i, s in enumerate(state) for j in drive[i].get(s, ())})
            for j in tried:
                for target in _fired(state, parts[j], moves_of):
                    code = number.setdefault(target, len(tuples))
                    if code == len(tuples):
                        tuples.append(target)
                    moves.append((at, j, code))
        return cls(tuples, moves, projections)


WORK = 1 << 18
"""Most (tuple, member) steps of one cluster's exploration (a few tenths of a second)."""


class _Moves:
    """One member's moves as Python lists: per label index, per state, its one
    target (-1: none; -2: several, listed in ``several``)."""

    def __init__(self, lts: LTS) -> None:
        n, width = lts.num_states, len(lts.labels)
        src, lab, dst = (np.asarray(x, dtype=np.int64) for x in (lts.src, lts.label, lts.dst))
        key = lab * n + src
        table = np.full(width * n, -1, dtype=np.int64)
        table[key] = dst
        count = np.bincount(key, minlength=width * n)
        table[count > 1] = -2
        self.several: dict[tuple[int, int], list[int]] = {}
        for k in np.flatnonzero(count[key] > 1).tolist():
            self.several.setdefault(divmod(int(key[k]), n), []).append(int(dst[k]))
        grid = table.reshape(width, n)
        self.table: list[list[int]] = grid.tolist()
        self.enabled: list[int] = (grid != -1).sum(axis=1).tolist()
        self.index = {name: i for i, name in enumerate(lts.labels)}
        self._grid = grid

    def states(self, label: int) -> list[int]:
        """The states where ``label`` is enabled."""
        return np.flatnonzero(self._grid[label] != -1).tolist()


def _fired(state: tuple[int, ...], parts: tuple[tuple[int, int], ...],
           moves_of: list[_Moves]) -> list[tuple[int, ...]]:
    """The tuples one projection leads ``state`` to (none if a part is disabled)."""
    out = [list(state)]
    for i, a in parts:
        target = moves_of[i].table[a][state[i]]
        if target == -1:
            return []
        if target >= 0:
            for row in out:
                row[i] = target
        else:
            targets = moves_of[i].several[a, state[i]]
            out = [[*row[:i], t, *row[i + 1:]] for row in out for t in targets]
    return [tuple(row) for row in out]


def _rebuild(network: Network, fused: list[tuple[list[int], _Open]]) -> Fusion:
    """The network with each cluster of ``fused`` one component (placed where its
    first member was), and every rule's parts on a cluster one part."""
    comps = network.components
    home = {c: k for k, (members, _) in enumerate(fused) for c in members}
    order: list[int | tuple[int]] = []  # new components: an old index, or (cluster,)
    for c in range(len(comps)):
        if c not in home:
            order.append(c)
        elif fused[home[c]][0][0] == c:
            order.append((home[c],))
    new_of = {x: i for i, x in enumerate(order)}
    place: list[tuple[int, np.ndarray | None]] = []
    for c in range(len(comps)):
        if c not in home:
            place.append((new_of[c], None))
        else:
            members, opened = fused[home[c]]
            column = np.array([t[members.index(c)] for t in opened.tuples], dtype=np.int64)
            place.append((new_of[(home[c],)], column))
    built = [comps[x] if isinstance(x, int) else _fused_lts(*fused[x[0]]) for x in order]
    index = [{p: j for j, p in enumerate(o.projections)} for _, o in fused]
    slots = [{m: i for i, m in enumerate(members)} for members, _ in fused]
    rules = []
    for r in network.rules:
        parts, seen = [], set()
        for c, a in r.parts:
            if c not in home:
                parts.append((new_of[c], a))
            elif home[c] not in seen:
                seen.add(home[c])
                slot = slots[home[c]]
                proj = tuple((slot[d], b) for d, b in r.parts if d in slot)
                parts.append((new_of[(home[c],)], _label(index[home[c]][proj])))
        rules.append(SyncRule(r.label, tuple(sorted(parts)), r.rank, r.guards))
    size = sum(len(o.tuples) for _, o in fused)
    note = (f"{sum(len(m) for m, _ in fused)} components fused into {len(fused)} "
            f"(their reachable tuples: {size})")
    return Fusion(replace(network, components=tuple(built), rules=tuple(dict.fromkeys(rules)),
                           notes=(*network.notes, note)), tuple(place))


def _label(j: int) -> str:
    return f"{FUSED}{j}"


def _fused_lts(members: list[int], opened: _Open) -> LTS:
    """The cluster's open product as an LTS labelled by projection."""
    labels = [TAU, TICK, *(_label(j) for j in range(len(opened.projections)))]
    moves = np.array(opened.moves, dtype=np.int64).reshape(-1, 3)
    return LTS.from_arrays(len(opened.tuples), 0, labels, moves[:, 0], moves[:, 1] + 2,
                           moves[:, 2])
