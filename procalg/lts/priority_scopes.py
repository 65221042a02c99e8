"""Priority filters in the product's successor function: ranks and scopes.

A prioritised network's moves carry *tags* (label, rank, guards) until
:class:`MoveFilter` has dropped the ones priority forbids, then their labels.

* A **rank** (:func:`procalg.lts.priority.prioritise`, a priority under nothing
  but hiding and renaming) ranks every rule of the network: a move is dropped
  where a move of a better rank is enabled in its source.
* A **scope** (:class:`~procalg.lts.network.Scope`, a priority anywhere else:
  under parallel, ``;``, interrupt ...) covers the rules of its operand only. In
  a state, the operand offers the labels of its rules (the scope's *probes*)
  enabled on its own components, *whatever its partners outside allow*: that is
  what the operator sees (Roscoe, *Understanding Concurrent Systems*, §20.2: a
  priority rule reads the moves of its operand's state). A move guarded by
  ``(scope, b)`` is dropped where the operand offers a label of ``above[b]``.
  An inner scope's filter applies to an outer scope's probes (scopes are
  numbered inner first), and scopes filter before ranks (a rank's priority
  stands above every scope).

So a priority over a network is evaluated state by state where the search goes,
as FDR evaluates its supercombinators' priority (Gibson-Robinson et al.,
"FDR3", TACAS 2014, section 3), never by exploring its operand whole. A scope's
component may be lazy (:class:`~procalg.lts.lazy.LazyComponent`): its states in
the sources are expanded already (the moves being filtered came from them), and
its table says which labels they offer; the pre-empting labels are never deferred
for a partner to ask (:func:`~procalg.lts.lazy_deferral.deferrable`).

Complexity: per batch of F distinct sources, O(F) numpy work per probe group
(probes over the same components share one joint table), and O(M × K) for M
guarded moves and K pre-empting labels of a scope.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.product import explore_product
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    >>> never_a = LTS.build(1, 0, ["a"], [])
    >>> net = close(parallel(scope(component(p), {"b": frozenset({"a"})}),
    ...                      component(never_a), {"a"}))
    >>> explore_product(net).num_states  # b pre-empted by the a p offers, which is blocked
    1
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import LTS
from procalg.lts.network import DONE, Network, Scope, SyncRule
from procalg.lts.priority import NEVER, allowed, best_ranks

JOINT = 1 << 16
"""Largest joint local space of a probe group that gets one joint table."""

KILL_TABLE = 1 << 20
"""Most cells (joint local states × tags) of a network's table of dropped moves."""

TABLE_AFTER = 32
"""Filters read per level before the table is made: a deep, narrow search pays
per level for what the table reads at once; a short one would only pay for it."""

Tag = tuple[str, int | None, tuple[tuple[int, str], ...]]
Moves = tuple[np.ndarray, np.ndarray, np.ndarray]


def needs_tags(network: Network) -> bool:
    """Whether ``network``'s moves must be filtered (ranked rules, or scopes)."""
    return bool(network.scopes) or any(r.rank is not None for r in network.rules)


class MoveFilter:
    """The tags of a prioritised network's rules and the filter on its moves.

    Args:
        network: the network (its rules and scopes).
        label_index: global label -> index.
    """

    def __init__(self, network: Network, label_index: dict[str, int]) -> None:
        self.tags: dict[Tag, int] = {}
        for r in network.rules:
            self.tags.setdefault((r.label, r.rank, r.guards), len(self.tags))
        self.label = np.array([label_index[x] for x, _, _ in self.tags], np.int32)
        self.rank = np.array([NEVER if k is None else k for _, k, _ in self.tags], np.int64)
        self.ranked = any(r.rank is not None for r in network.rules)
        self.scopes = _Scopes(network, [g for _, _, g in self.tags]) if network.scopes else None

    def tag(self, rule: SyncRule) -> int:
        """The tag ``rule``'s moves carry."""
        return self.tags[rule.label, rule.rank, rule.guards]

    def apply(self, codes: np.ndarray, moves: Moves, backward: bool,
              unfiltered: Callable[[np.ndarray], Moves], decode: Callable) -> Moves:
        """The moves (``src`` into ``codes``, ``dst``, tag) priority keeps, with
        labels for tags. Backward, each move's source is its ``dst`` (a
        predecessor), whose own moves decide; ``unfiltered`` gives a code
        array's forward moves, ``decode(codes, comps)`` their local states."""
        src, dst, tag = moves
        if backward:
            sources, where = np.unique(dst, return_inverse=True)
            where = where.ravel()
        else:
            sources, where = codes, src
        keep = np.ones(len(src), dtype=bool)
        if self.scopes is not None:
            keep = self.scopes.keep(sources, where, tag, decode)
        if self.ranked:
            if backward:  # the best rank each predecessor's allowed moves reach
                fsrc, _, ftag = unfiltered(sources)
                if self.scopes is not None:
                    ok = self.scopes.keep(sources, fsrc, ftag, decode)
                    fsrc, ftag = fsrc[ok], ftag[ok]
                best = best_ranks(len(sources), fsrc, self.rank[ftag])[where]
                rank = self.rank[tag]
                keep &= (rank <= best) | (rank == NEVER)
            else:
                rank = np.where(keep, self.rank[tag], NEVER)  # dropped moves pre-empt nothing
                keep &= allowed(len(codes), src, rank)
        return src[keep], dst[keep], self.label[tag[keep]]


class _Scopes:
    """The scopes of a network: per scope, its pre-empting labels' probe groups."""

    def __init__(self, network: Network, guards: list[tuple[tuple[int, str], ...]]) -> None:
        self.comps = network.components
        self.scopes = network.scopes
        self._has: dict[tuple[int, str], np.ndarray] = {}
        self.pre: list[list[str]] = []  # per scope: its pre-empting labels (columns)
        self.beaten: list[dict[str, np.ndarray]] = []  # per scope: label -> columns above it
        for scope in self.scopes:
            offered = {p.label for p in scope.probes}
            pre = sorted({a for tops in scope.above.values() for a in tops} & offered)
            self.pre.append(pre)
            self.beaten.append({b: np.isin(pre, sorted(tops)) for b, tops in scope.above.items()
                                if not set(pre).isdisjoint(tops)})
        self.rows = [np.zeros((len(guards), len(pre)), dtype=bool) for pre in self.pre]
        for t, gs in enumerate(guards):
            for k, b in gs:
                if b in self.beaten[k]:
                    self.rows[k][t] |= self.beaten[k][b]
        self.live = [bool(rows.any()) for rows in self.rows]
        self.guarded = np.zeros(len(guards), dtype=bool)
        for rows in self.rows:
            self.guarded |= rows.any(axis=1)
        self.needed = sorted({c for k, scope in enumerate(self.scopes) for p in scope.probes
                              if p.label in self.pre[k] for c, _ in p.parts})
        self._groups: list[list[list[tuple[tuple[int, ...], Callable]]]] = []
        self._table: tuple[np.ndarray, list[int]] | bool | None = None  # see _killed_by
        self._keeps = 0  # calls of keep so far

    def keep(self, sources: np.ndarray, where: np.ndarray, tag: np.ndarray,
             decode: Callable) -> np.ndarray:
        """Which moves (source ``sources[where]``, ``tag``) no offered label of a
        scope pre-empts."""
        keep = np.ones(len(tag), dtype=bool)
        guarded = np.flatnonzero(self.guarded[tag])
        if not len(guarded):
            return keep
        self._keeps += 1  # a search of a few levels never pays for the table
        killed_by = self._killed_by() if self._keeps > TABLE_AFTER else None
        if killed_by is not None:  # a gather: the level's arrays, no per-scope work
            table, strides = killed_by
            locs = decode(sources, self.needed)
            joint = sum(locs[c] * s for c, s in zip(self.needed, strides, strict=True))
            keep[guarded] = ~table[joint[where[guarded]], tag[guarded]]
            return keep
        used, inverse = np.unique(where[guarded], return_inverse=True)
        locs = decode(sources[used], self.needed)
        offered = self.offered(locs, len(used))
        at, tags = inverse.ravel(), tag[guarded]
        killed = np.zeros(len(guarded), dtype=bool)
        for k, live in enumerate(self.live):
            if live:
                killed |= (offered[k][at] & self.rows[k][tags]).any(axis=1)
        keep[guarded[killed]] = False
        return keep

    def _killed_by(self) -> tuple[np.ndarray, list[int]] | None:
        """Per joint local state of the components the probes read (all whole,
        at most :data:`KILL_TABLE` cells with the tags) and per tag, whether a
        scope drops the tag's moves there; with the joint index's strides.
        Made once: :meth:`offered` over the whole joint space, O(J × (P + T × K))
        for J joint states, P probes, T tags and K pre-empting labels.

        None where a probed component is lazy (its states grow) or the table
        would be large: :meth:`keep` then reads the offers of a level's sources."""
        if self._table is None:
            sizes = [self.comps[c].num_states for c in self.needed]
            if (not self.needed or any(not isinstance(self.comps[c], LTS) for c in self.needed)
                    or math.prod(sizes) * len(self.guarded) > KILL_TABLE):
                self._table = False
            else:
                digits = np.indices(sizes).reshape(len(sizes), -1)
                offered = self.offered(dict(zip(self.needed, digits, strict=True)),
                                       digits.shape[1])
                table = np.zeros((digits.shape[1], len(self.guarded)), dtype=bool)
                for k, live in enumerate(self.live):
                    if live:  # any offered pre-empting label above one of the tag's guards
                        table |= offered[k].astype(np.int32) @ self.rows[k].T.astype(np.int32) > 0
                strides = [math.prod(sizes[i + 1:]) for i in range(len(sizes))]
                self._table = (table, strides)
        return self._table or None

    def offered(self, locs: dict[int, np.ndarray], n: int) -> list[np.ndarray]:
        """Per scope, which of its pre-empting labels its operand offers in each of
        ``n`` states (their components' local states ``locs``), inner scopes first."""
        if not self._groups:
            self._groups = [[self._probe_groups(k, a) for a in pre]
                            for k, pre in enumerate(self.pre)]
        out: list[np.ndarray] = []
        for k, pre in enumerate(self.pre):
            table = np.zeros((n, len(pre)), dtype=bool)
            for j in range(len(pre)):
                for _, test in self._groups[k][j]:
                    table[:, j] |= test(locs, out)
            out.append(table)
        return out

    def _probe_groups(self, k: int, label: str) -> list[tuple[tuple[int, ...], Callable]]:
        """Tests for "scope ``k``'s operand offers ``label``": one per group of
        unguarded probes over the same components (a joint table), one per
        guarded probe (its inner scopes' filter applied)."""
        groups: dict[tuple[int, ...], list[SyncRule]] = {}
        tests = []
        for p in self.scopes[k].probes:
            if p.label != label or p.label == DONE:
                continue
            if p.guards or any(not isinstance(self.comps[c], LTS) for c, _ in p.parts):
                tests.append(((), self._guarded_test(p)))
            else:
                groups.setdefault(tuple(sorted(c for c, _ in p.parts)), []).append(p)
        for comps, probes in groups.items():
            tests.append((comps, self._group_test(comps, probes)))
        return tests

    def _offers(self, c: int, a: str, locs: np.ndarray) -> np.ndarray:
        """Whether component ``c`` has a move labelled ``a`` in each of its local
        states ``locs`` (a lazy one expands any it has not: none, in a search)."""
        comp = self.comps[c]
        if not isinstance(comp, LazyComponent):
            return self._has_move(c, a)[locs]
        code = comp.code.get(a)
        if code is None:
            return np.zeros(len(locs), dtype=bool)
        comp.expand(locs)
        return comp.lookup(code, np.asarray(locs, dtype=np.int64), False)[0] > 0

    def _has_move(self, c: int, a: str) -> np.ndarray:
        """Per local state of whole component ``c``, whether it has a move labelled ``a``."""
        if (c, a) not in self._has:
            lts = self.comps[c]
            assert isinstance(lts, LTS), "a lazy component's moves are read by _offers"
            has = np.zeros(lts.num_states, dtype=bool)
            index = lts.label_index(a)
            if index is not None:
                has[lts.src[lts.label == index]] = True
            self._has[c, a] = has
        return self._has[c, a]

    def _group_test(self, comps: tuple[int, ...], probes: list[SyncRule]) -> Callable:
        sizes = [self.comps[c].num_states for c in comps]
        if math.prod(sizes) > JOINT:
            tests = [self._guarded_test(p) for p in probes]
            return lambda locs, done: np.logical_or.reduce([t(locs, done) for t in tests])
        joint = np.zeros(sizes, dtype=bool)
        for p in probes:
            local = dict(p.parts)
            factor = np.ones(sizes, dtype=bool)
            for axis, c in enumerate(comps):
                shape = [1] * len(comps)
                shape[axis] = sizes[axis]
                factor = factor & self._has_move(c, local[c]).reshape(shape)
            joint |= factor
        flat = joint.ravel()
        strides = [math.prod(sizes[i + 1:]) for i in range(len(comps))]
        def test(locs: dict[int, np.ndarray], done: list[np.ndarray]) -> np.ndarray:
            index = sum(locs[c] * s for c, s in zip(comps, strides, strict=True))
            return flat[index]
        return test

    def _guarded_test(self, probe: SyncRule) -> Callable:
        def test(locs: dict[int, np.ndarray], done: list[np.ndarray]) -> np.ndarray:
            n = len(next(iter(locs.values())))
            ok = np.ones(n, dtype=bool)
            for c, a in probe.parts:
                ok &= self._offers(c, a, locs[c])
            for k, b in probe.guards:  # an inner scope's filter: its table is done
                row = self.beaten[k].get(b)
                if row is not None:
                    ok &= ~(done[k] & row).any(axis=1)
            return ok
        return test


def scope(net: Network, above: dict[str, frozenset[str]]) -> Network:
    """``net`` under a priority evaluated in the product: a new scope whose probes
    are ``net``'s rules, every rule (but ``DONE``'s) guarded by it.

    Raises:
        ValueError: ``net`` has ranked rules.
    """
    if any(r.rank is not None for r in net.rules):
        raise ValueError("a ranked network is at the top: nothing scopes it")
    k = len(net.scopes)
    rules = tuple(r if r.label == DONE else
                  SyncRule(r.label, r.parts, None, (*r.guards, (k, r.label))) for r in net.rules)
    probes = tuple(r for r in net.rules if r.label != DONE)
    return Network(net.components, rules, net.notes, net.loose,
                   (*net.scopes, Scope(dict(above), probes)))
