"""Determinism of a network in bulk: the normal form built level by level on codes.

``P`` is deterministic (FDR's ``:[deterministic]``) iff it is
divergence-free and no trace ``s`` and event ``a`` exist where ``P`` can do
``a`` after ``s`` and also refuse it (Roscoe, *Understanding Concurrent
Systems*, 2010, sec. 6.1 and 10.5; FDR normalises ``P`` and compares each
normal node with the states it stands for). The reference check
(:mod:`procalg.checks.determinism`) builds the normal form one node at a
time in Python. Here it is built one BFS level at a time on the product
engine's packed codes, with numpy and no per-state Python:

- a level is a flat array of (node, member code) pairs; the members'
  moves come from the network's tables in bulk;
- a node clashes if some member refuses an event another member offers:
  a stable member with fewer distinct events than the node, or a member
  that can terminate (✓ is autonomous, so it refuses everything else)
  while the node offers an event other than ✓ -- counts, not sets;
- the children of a level are grouped by (node, event) in the reference's
  order (node, then event name), τ-closed together (one successor call per
  τ-round for the whole level), and identified by two independent 64-bit
  hashes of their member sets: the first keys a visited set
  (:class:`~procalg.lts.visited.Visited`), the second, kept in another,
  detects a collision of the first (then the search stops with an error,
  never a wrong verdict);
- with divergences counted, the divergent states are found first (none if
  the components have no τ-cycles, :func:`~procalg.lts.refine_product.tau_acyclic`,
  else one τ-peel, :func:`~procalg.lts.product.divergent_codes`), and a node
  holding one is a failure when it is first built, as in the reference.

Failures are ordered as the reference finds them (a node's clash before
its children's divergence, nodes in BFS order), so the trace and event are
the reference's. Memory: per normal node two hashes (about 20 bytes with
level tags) and a parent link (8), plus one level's pairs; impl states are
counted in a third visited set (10 bytes each).

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> choice = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (2, "b", 3)])
    >>> r = find_nondeterminism(close(component(choice)))
    >>> r.kind, r.trace, r.event
    ('clash', ('a',), 'b')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts.lts import TAU, TAU_INDEX, TICK_INDEX
from procalg.lts.network import Network
from procalg.lts.product import divergent_codes
from procalg.lts.refine_product import tau_acyclic, tau_loop
from procalg.lts.vectors import Tables
from procalg.lts.visited import Visited, sorted_unique

_SALT1, _SALT2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


@dataclass(frozen=True, slots=True)
class Determinism:
    """The outcome of :func:`find_nondeterminism`.

    Attributes:
        kind: ``None`` (deterministic), ``"clash"`` or ``"divergence"``.
        trace: the trace leading to the failing node.
        event: for a clash, the first event (by name) accepted and refused there.
        acceptor, refuser: member codes that accept and refuse ``event``.
        diverging: for a divergence, a member code that can do τ forever.
        lead, cycle: τ-steps from ``diverging`` to a τ-cycle, and its length.
        nodes, states, transitions, levels: how much was built and explored.
        tables: the network's tables (to rebuild paths through its codes).
    """

    kind: str | None
    trace: tuple[str, ...] = ()
    event: str | None = None
    acceptor: int = -1
    refuser: int = -1
    diverging: int = -1
    lead: int = 0
    cycle: int = 0
    nodes: int = 0
    states: int = 0
    transitions: int = 0
    levels: int = 0
    peak_bytes: int = 0
    tables: Tables | None = field(default=None, compare=False)


def applies(network: Network) -> bool:
    """Whether the bulk check runs: eager components and codes of 62 bits or fewer."""
    tables = Tables(network)
    return not tables.lazy and not tables.layout.wide


def find_nondeterminism(network: Network, *, divergence: bool = True,
                        max_states: int | None = None) -> Determinism:
    """Build the normal form of ``network`` in bulk until a node fails.

    Args:
        network: the process (eager components, codes within 62 bits: :func:`applies`).
        divergence: a divergence is nondeterminism (model FD); ``False``: [F].
        max_states: limit on normal nodes (:class:`~procalg.errors.LimitExceeded`).
    """
    tables = Tables(network)
    if tables.lazy or tables.layout.wide:
        raise ValueError("find_nondeterminism needs eager components and 62-bit codes")
    divergent = None
    if divergence and not tau_acyclic(network):
        _, divergent, _ = divergent_codes(network)
        divergent = divergent.astype(np.int64)
    return _Build(tables, divergent, max_states).run()


class _Build:
    """The level-by-level subset construction."""

    def __init__(self, tables: Tables, divergent: np.ndarray | None,
                 max_states: int | None) -> None:
        self.tables, self.divergent, self.max_states = tables, divergent, max_states
        names = tables.labels
        self.rank = np.empty(len(names), dtype=np.int64)  # label index -> order by name
        self.rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        self.by_rank = np.argsort(self.rank)
        initial = np.array([tables.initial], dtype=np.int64)
        self.hashes = [Visited(np.zeros(0, np.int64)), Visited(np.zeros(0, np.int64))]
        self.states = Visited(initial)
        self.links: list[tuple[np.ndarray, np.ndarray]] = []  # per level: parent, label
        self.nodes = self.transitions = self.peak = 0
        self.has_tau = any(r.label == TAU for r in tables.network.rules)

    def run(self) -> Determinism:
        node, code = self._close(np.zeros(1, np.int64), np.array([self.tables.initial]))
        h1, h2 = self._hash(node, code, 1)
        self._remember(h1, h2)
        if self._diverging(code).any():
            return self._result("divergence", 0, 0, diverging=int(code[self._diverging(code)][0]))
        level = 0
        while len(node):
            failure, children = self._level(node, code, level)
            if failure is not None:
                return failure
            node, code = children
            level += 1
        return self._result(None, -1, -1)

    def _level(self, node: np.ndarray, code: np.ndarray, level: int):
        """Check one level's nodes and build the next; a failure ends the search."""
        # members' moves straight from their codes (a state in two nodes of one
        # level is expanded twice: rarer, and cheaper, than joining back)
        self.states.add_level(sorted_unique(code))
        src, dst, lab = self.tables.successors(code)
        self.transitions += len(src)
        n = int(node.max()) + 1
        tau = np.zeros(len(code), bool)
        tau[src[lab == TAU_INDEX]] = True
        tick = np.zeros(len(code), bool)
        tick[src[lab == TICK_INDEX]] = True
        seen = lab != TAU_INDEX
        width = len(self.tables.labels)
        own = sorted_unique(src[seen].astype(np.int64) * width + lab[seen])  # (member, event)
        count = np.bincount(own // width, minlength=len(code))
        offer = sorted_unique(node[own // width] * width + own % width)  # (node, event)
        offers = np.bincount(offer // width, minlength=n)
        other = offers - np.bincount(offer[offer % width == TICK_INDEX] // width, minlength=n)
        clash = np.zeros(n, bool)
        clash[node[tick & (other[node] > 0)]] = True
        clash[node[~tau & (count < offers[node])]] = True
        # the children: (node, event) groups in (node, event name) order, τ-closed
        ok = (lab != TAU_INDEX) & (lab != TICK_INDEX)
        e_node, e_lab, e_dst = node[src[ok]], lab[ok], dst[ok].astype(np.int64)
        group = e_node * width + self.rank[e_lab]
        keys, cid = _unique_inverse(group)
        c_node, c_code = self._close(cid.astype(np.int64), e_dst)
        h1, h2 = self._hash(c_node, c_code, len(keys))
        first = self._first(h1, h2)  # first child with each set, in order
        fresh = first & ~_contains(self.hashes[0], h1)
        if not _contains(self.hashes[1], h2[first & ~fresh]).all():
            raise _collision()
        parent = keys // width
        failure = self._first_failure(clash, parent, keys, fresh, c_node, c_code, level,
                                      node, code)
        if failure is not None:
            return failure, None
        self._remember(h1[fresh], h2[fresh])
        keep = np.flatnonzero(fresh)
        self.links.append((parent[keep], self.by_rank[keys[keep] % width]))
        remap = np.full(len(keys), -1, np.int64)
        remap[keep] = np.arange(len(keep))
        mine = remap[c_node] >= 0
        self.peak = max(self.peak, 16 * (len(code) + len(c_code)) + self._stored())
        return None, (remap[c_node[mine]], c_code[mine])

    def _first_failure(self, clash, parent, keys, fresh, c_node, c_code, level, node, code):
        """The reference's first failure: nodes in order, a node's clash before
        its new children's divergence."""
        width = len(self.tables.labels)
        best: tuple[int, int, int] | None = None  # (node, 0 clash / 1 + event rank, child)
        if clash.any():
            best = (int(np.flatnonzero(clash)[0]), 0, -1)
        if self.divergent is not None:
            bad = np.unique(c_node[self._diverging(c_code)])
            bad = bad[fresh[bad]]
            if len(bad):
                child = int(bad[0])
                cand = (int(parent[child]), 1 + int(keys[child] % width), child)
                if best is None or cand[:2] < best[:2]:
                    best = cand
        if best is None:
            return None
        trace = self._trace(level, best[0])
        if best[1] == 0:
            members = code[node == best[0]]
            return self._clash(trace, members, level)
        members = c_code[c_node == best[2]]
        event = self.tables.labels[int(self.by_rank[best[1] - 1])]
        return self._result("divergence", level + 1, -1, trace=(*trace, event),
                            diverging=int(members[self._diverging(members)][0]))

    def _clash(self, trace: tuple[str, ...], members: np.ndarray, level: int) -> Determinism:
        """Which event clashes first by name, and who accepts and refuses it
        (the reference's rule, on this node's few members)."""
        names = self.tables.labels
        src, _, lab = self.tables.successors(members)
        initials = [set(lab[src == i].tolist()) for i in range(len(members))]
        offers: dict[int, int] = {}
        for i, moves in enumerate(initials):
            for x in moves - {TAU_INDEX}:
                offers.setdefault(x, int(members[i]))
        ticking = [int(members[i]) for i, m in enumerate(initials) if TICK_INDEX in m]
        for x in sorted(offers, key=names.__getitem__):
            if x != TICK_INDEX and ticking:
                return self._result("clash", level, -1, trace=trace, event=names[x],
                                    acceptor=offers[x], refuser=ticking[0])
            for i, moves in enumerate(initials):
                if TAU_INDEX not in moves and x not in moves:
                    return self._result("clash", level, -1, trace=trace, event=names[x],
                                        acceptor=offers[x], refuser=int(members[i]))
        raise AssertionError("a clashing node has a clashing event")  # pragma: no cover

    def _close(self, node: np.ndarray, code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The τ-closure of every set at once: (node, code) pairs, sorted and distinct."""
        bits, sets = self.tables.layout.bits, int(node.max()) + 1 if len(node) else 1
        code = code.astype(np.int64)
        pack = _Pairs(bits, sets, code)
        node, code = pack.split(sorted_unique(pack.keys(node, code)))
        new_node, new_code = node, code
        while len(new_code) and self.has_tau:
            src, dst, lab = self.tables.successors(new_code)
            ok = lab == TAU_INDEX
            if not ok.any():
                break
            cand_node, cand_code = new_node[src[ok]], dst[ok].astype(np.int64)
            pack = _Pairs(bits, sets, np.concatenate((code, cand_code)))
            old = pack.keys(node, code)  # sorted, as the pairs are
            cand = sorted_unique(pack.keys(cand_node, cand_code))
            fresh = cand[~_sorted_in(old, cand)]
            new_node, new_code = pack.split(fresh)
            node, code = pack.split(np.sort(np.concatenate((old, fresh)), kind="stable"))
        return node, code

    def _hash(self, node: np.ndarray, code: np.ndarray, n: int):
        """Two independent 64-bit hashes of each of the ``n`` sets (pairs sorted
        by node; every set is non-empty). A sum of mixed members: order-free."""
        count = np.bincount(node, minlength=n)
        starts = np.cumsum(count) - count
        return (np.add.reduceat(_mix(code, _SALT1), starts),
                np.add.reduceat(_mix(code, _SALT2), starts))

    @staticmethod
    def _first(h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """True at the first child with each first hash; equal first hashes
        with different second ones are a collision."""
        order = np.argsort(h1, kind="stable")
        a, b = h1[order], h2[order]
        head = np.ones(len(h1), bool)
        head[1:] = a[1:] != a[:-1]
        if (~head[1:] & (b[1:] != b[:-1])).any():
            raise _collision()
        out = np.zeros(len(h1), bool)
        out[order[head]] = True
        return out

    def _remember(self, h1: np.ndarray, h2: np.ndarray) -> None:
        for visited, h in zip(self.hashes, (h1, h2), strict=True):
            visited.add_level(h.view(np.int64))
        self.nodes += len(h1)
        if self.max_states is not None and self.nodes > self.max_states:
            raise LimitExceeded(f"normal-form limit reached: more than {self.max_states} nodes "
                                f"({len(self.states)} states)", states=len(self.states),
                                transitions=self.transitions, hint="raise --max-states")

    def _diverging(self, code: np.ndarray) -> np.ndarray:
        if self.divergent is None or not len(self.divergent):
            return np.zeros(len(code), bool)
        at = np.minimum(np.searchsorted(self.divergent, code), len(self.divergent) - 1)
        return self.divergent[at] == code

    def _trace(self, level: int, pos: int) -> tuple[str, ...]:
        out = []
        for parents, labels in reversed(self.links[:level]):
            out.append(self.tables.labels[int(labels[pos])])
            pos = int(parents[pos])
        return tuple(reversed(out))

    def _stored(self) -> int:
        return sum(v.nbytes for v in (*self.hashes, self.states)) + 8 * self.nodes

    def _result(self, kind: str | None, level: int, _pos: int, **found) -> Determinism:
        if found.get("diverging", -1) >= 0 and self.divergent is not None:
            found["lead"], found["cycle"] = tau_loop(self.tables, self.divergent,
                                                     found["diverging"])
        return Determinism(kind, nodes=self.nodes, states=len(self.states),
                           transitions=self.transitions, levels=len(self.links) + 1,
                           peak_bytes=max(self.peak, self._stored()), tables=self.tables,
                           **found)


def _contains(visited: Visited, hashes: np.ndarray) -> np.ndarray:
    """Membership of ``hashes`` (uint64) in ``visited``, queried in sorted order
    (binary searches over random keys are several times slower unsorted)."""
    keys = hashes.view(np.int64)
    order = np.argsort(keys)
    out = np.empty(len(keys), bool)
    out[order] = visited.contains(keys[order])
    return out


def _mix(code: np.ndarray, salt: np.uint64) -> np.ndarray:
    """splitmix64's finaliser (Steele, Lea and Flood, OOPSLA 2014) of ``code ^ salt``."""
    x = code.astype(np.uint64) ^ salt
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` by sorting (numpy 2's hashing
    path is several times slower on int64)."""
    order = np.argsort(values)
    ordered = values[order]
    head = np.ones(len(values), bool)
    head[1:] = ordered[1:] != ordered[:-1]
    inv = np.empty(len(values), np.int64)
    inv[order] = np.cumsum(head) - 1
    return ordered[head], inv


class _Pairs:
    """(set, code) pairs as one int64 key that sorts like the pair: the set
    above the code's bits when both fit in 63 bits, else above the code's
    rank in ``codes`` (every code the keys will hold)."""

    def __init__(self, bits: int, sets: int, codes: np.ndarray) -> None:
        self.bits = bits if bits + sets.bit_length() <= 63 else 0
        self.codes = codes if self.bits else sorted_unique(codes)

    def keys(self, sets: np.ndarray, codes: np.ndarray) -> np.ndarray:
        if self.bits:
            return (sets << self.bits) | codes
        return sets * len(self.codes) + np.searchsorted(self.codes, codes)

    def split(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.bits:
            return keys >> self.bits, keys & ((1 << self.bits) - 1)
        return keys // len(self.codes), self.codes[keys % len(self.codes)]


def _sorted_in(table: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Which ``queries`` are in the sorted ``table``."""
    if not len(table):
        return np.zeros(len(queries), bool)
    at = np.minimum(np.searchsorted(table, queries), len(table) - 1)
    return table[at] == queries


def _collision() -> ProcalgError:
    return ProcalgError("two normal-form nodes share a 64-bit hash",
                        hint="use --engine reference for this determinism check")
