"""What a bulk normal form is made of: a spec's τ-components and the finished table.

:class:`Components` is a spec LTS seen through its τ-strongly-connected
components (Tarjan, :func:`~procalg.lts.tau.tau_sccs`): per component its
visible moves (to components), its τ-successors in the acyclic component
graph, whether it can diverge, and what it contributes to a node's
acceptances. :class:`NormalTable` is the result of
:func:`~procalg.lts.normal_table.normal_table`: nodes as sorted arrays of
components, the deterministic transitions between them, and per node its
divergence and ⊆-minimal acceptances (Roscoe, *Understanding Concurrent
Systems*, 2010, sec. 16.1), answering what :class:`~procalg.lts.normal.NormalForm`
answers (``node``, ``after``, ``alphabet``).

Example:
    >>> ranges(np.array([3, 10]), np.array([2, 1])).tolist()
    [3, 4, 10]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from procalg.lts.lts import LTS, TAU_INDEX, TICK_INDEX
from procalg.lts.normal import NormalNode
from procalg.lts.tau import effective_labels, has_cycle, tau_sccs
from procalg.lts.visited import sorted_unique


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenated ranges ``starts[i] .. starts[i] + counts[i] - 1``."""
    counts = np.asarray(counts, np.int64)
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64)
    offsets = np.cumsum(counts) - counts
    return np.repeat(np.asarray(starts, np.int64) - offsets, counts) + np.arange(total)


def _csr(keys: np.ndarray, n: int) -> np.ndarray:
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr


@dataclass(eq=False)
class Components:
    """A spec's τ-components, with their moves as CSR arrays (see the module notes).

    ``acc[c]`` is the offer set component ``c`` adds to a node's acceptances
    (an index into ``offers``; ``-1``: none, as for an unstable state).
    """

    lts: LTS
    comp: np.ndarray
    count: int
    width: int
    move_ptr: np.ndarray
    move_lab: np.ndarray
    move_dst: np.ndarray
    tau_ptr: np.ndarray
    tau_dst: np.ndarray
    has_tau: bool
    divergent: np.ndarray
    acc: np.ndarray
    offers: list[frozenset[int]]
    state_ptr: np.ndarray = field(repr=False)
    state_lab: np.ndarray = field(repr=False)

    @classmethod
    def of(cls, lts: LTS, follow: Iterable[str] | None = None) -> Components:
        labels = effective_labels(lts).astype(np.int64)
        n, width = lts.num_states, len(lts.labels)
        src, dst = lts.src.astype(np.int64), lts.dst.astype(np.int64)
        tau = labels == TAU_INDEX
        if has_cycle(n, src[tau], dst[tau]):
            comp = tau_sccs(lts).astype(np.int64)
        else:  # every component one state: no search needed
            comp = np.arange(n, dtype=np.int64)
        count = int(comp.max()) + 1 if n else 0
        cs, cd = comp[src], comp[dst]
        edge = sorted_unique(cs[tau & (cs != cd)] * count + cd[tau & (cs != cd)])
        tau_ptr, tau_dst = _csr(edge // max(count, 1), count), edge % max(count, 1)
        keep = ~tau
        if follow is not None:
            wanted = set(follow)
            keep &= np.array([x in wanted for x in lts.labels])[labels]
        moves = sorted_unique((cs[keep] * width + labels[keep]) * count + cd[keep])
        move_ptr = _csr(moves // count // width if count else moves, count)
        # per state, its visible labels (sorted): its offers
        offer = sorted_unique(src[~tau] * width + labels[~tau])
        state_ptr, state_lab = _csr(offer // width, n), offer % width
        acc, offers = _acceptance_sets(lts, comp, count, tau, state_ptr, state_lab)
        return cls(lts, comp, count, width, move_ptr, (moves // count) % width, moves % count,
                   tau_ptr, tau_dst, bool(len(tau_dst)),
                   _divergent(comp, count, cs[tau], cd[tau]), acc, offers,
                   state_ptr, state_lab)


def _divergent(comp: np.ndarray, count: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Per component: it can do τ forever (a τ-cycle in it, or τ-reachable).
    Tarjan numbers components so τ-successors come first (lower numbers)."""
    size = np.bincount(comp, minlength=count)
    div = size > 1
    div[src[src == dst]] = True
    inner = src != dst
    order = np.argsort(src[inner], kind="stable")
    s, d = src[inner][order].tolist(), dst[inner][order].tolist()
    if not div.any():
        return div
    flags = div.tolist()
    for a, b in zip(s, d, strict=True):  # sources ascending: each target is final
        if flags[b]:
            flags[a] = True
    return np.array(flags, bool)


def _acceptance_sets(lts: LTS, comp: np.ndarray, count: int, tau: np.ndarray,
                     state_ptr: np.ndarray, state_lab: np.ndarray
                     ) -> tuple[np.ndarray, list[frozenset[int]]]:
    """Per component the offer set it contributes, as an index into the list
    of distinct sets (index 0 is ``{✓}``): a member that can terminate gives
    ``{✓}`` (✓ is autonomous), a stable state alone in its component its offers."""
    n = lts.num_states
    unstable = np.zeros(n, bool)
    unstable[lts.src[tau]] = True
    ticks = np.zeros(n, bool)
    ticks[lts.src[lts.label == TICK_INDEX]] = True
    stable = np.flatnonzero(~unstable & ~ticks)
    acc = np.full(count, -1, np.int64)
    index: dict[bytes, int] = {bytes(0): 1}
    offers: list[frozenset[int]] = [frozenset({TICK_INDEX}), frozenset()]
    buf = state_lab.astype(np.int32).tobytes()
    lo, hi = (state_ptr[stable] * 4).tolist(), (state_ptr[stable + 1] * 4).tolist()
    found = np.fromiter((index.setdefault(buf[a:b], len(index) + 1)
                         for a, b in zip(lo, hi, strict=True)), np.int64, len(stable))
    for key, at in index.items():
        if at >= len(offers):
            offers.extend([frozenset()] * (at + 1 - len(offers)))
            offers[at] = frozenset(np.frombuffer(key, np.int32).tolist())
    acc[comp[stable]] = found
    acc[comp[ticks]] = 0
    return acc, offers


@dataclass(eq=False)
class NormalTable:
    """A whole normal form: node ``i``'s members are the components
    ``members[ptr[i]:ptr[i+1]]``; transitions ``src -label-> dst`` sorted by
    (src, label); node 0 is the root."""

    comps: Components
    ptr: np.ndarray
    members: np.ndarray
    src: np.ndarray
    label: np.ndarray
    dst: np.ndarray
    root: int = 0
    _nodes: dict[int, NormalNode] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ptr) - 1

    @property
    def alphabet(self) -> frozenset[str]:
        """Every visible event on some spec transition."""
        names = self.comps.lts.labels
        return frozenset(names[x] for x in np.unique(self.comps.state_lab).tolist())

    def after(self, number: int, event: str) -> int | None:
        """The node ``event`` leads to from node ``number`` (``None``: none)."""
        names = self.comps.lts.labels
        if event not in names:
            return None
        key = number * self.comps.width + names.index(event)
        keys = self.src * self.comps.width + self.label
        at = int(np.searchsorted(keys, key))
        return int(self.dst[at]) if at < len(keys) and keys[at] == key else None

    def divergent(self) -> np.ndarray:
        """Per node: some member can do τ forever."""
        per = self.comps.divergent[self.members]
        return np.logical_or.reduceat(per, self.ptr[:-1]) if len(per) else per

    def acceptance_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """Per node, the range (``ptr``) of its minimal acceptances in a list
        of offer-set indices (into ``comps.offers``)."""
        c = self.comps
        node = np.repeat(np.arange(len(self)), np.diff(self.ptr))
        acc = c.acc[self.members]
        pairs = sorted_unique(node[acc >= 0] * len(c.offers) + acc[acc >= 0])
        owner, offer = pairs // len(c.offers), pairs % len(c.offers)
        head = np.ones(len(owner), bool)
        head[1:] = owner[1:] != owner[:-1]
        many = np.bincount(owner, minlength=len(self))[owner] > 1
        keep = np.ones(len(owner), bool)
        if many.any():  # ⊆-minimal ones, worked out once per combination
            cache: dict[tuple[int, ...], tuple[bool, ...]] = {}
            starts = np.flatnonzero(head & many)
            counts = np.bincount(owner[many], minlength=len(self))[owner[starts]]
            for s, k in zip(starts.tolist(), counts.tolist(), strict=True):
                combo = tuple(offer[s:s + k].tolist())
                if combo not in cache:
                    sets = [c.offers[i] for i in combo]
                    cache[combo] = tuple(not any(b < a for b in sets) for a in sets)
                keep[s:s + k] = cache[combo]
        owner, offer = owner[keep], offer[keep]
        return _csr(owner, len(self)), offer

    def node(self, number: int) -> NormalNode:
        """Node ``number`` in :class:`~procalg.lts.normal.NormalNode` terms."""
        found = self._nodes.get(number)
        if found is None:
            found = self._nodes[number] = self._make_node(number)
        return found

    def _make_node(self, number: int) -> NormalNode:
        c, names = self.comps, self.comps.lts.labels
        mine = self.members[self.ptr[number]:self.ptr[number + 1]]
        states = np.flatnonzero(np.isin(c.comp, mine))
        lo, hi = c.state_ptr[states], c.state_ptr[states + 1]
        initials = frozenset(names[x] for x in np.unique(c.state_lab[ranges(lo, hi - lo)]))
        offers = {c.offers[a] for a in c.acc[mine].tolist() if a >= 0}
        minimal = [a for a in offers if not any(b < a for b in offers)]
        named = sorted((frozenset(names[x] for x in a) for a in minimal),
                       key=lambda a: (len(a), sorted(a)))
        return NormalNode(frozenset(states.tolist()), initials, tuple(named),
                          bool(c.divergent[mine].any()))

