"""Refinement as a bulk product search: the normalised spec is one more component.

As FDR does (Roscoe, *Understanding Concurrent Systems*, 2010, ch. 16;
Gibson-Robinson et al., "FDR3", TACAS 2014), ``Spec ⊑ Impl`` is checked on the
product of the normalised specification with the implementation. Here the
normal form (:func:`~procalg.lts.normal_table.normal_table`, built whole: it is
deterministic and usually small) becomes one more component of the
implementation's :class:`~procalg.lts.network.Network`, synchronising on
every visible label, with one extra state ``ERR`` that every event the
spec cannot do from a node leads to. The product engine
(:mod:`procalg.lts.product`) then explores (node, implementation state)
pairs level by level on packed codes -- the implementation is never
materialised, and a pair costs what a state of a deadlock search costs
(about 10 bytes). Per BFS level, in bulk over each chunk of the frontier:

- **traces**: a move into ``ERR`` is an event the spec cannot do;
- **failures**: a state that is stable or can terminate must offer a
  superset of one of its node's minimal acceptances (``{✓}`` if it can
  terminate, since ✓ is autonomous) -- a sorted-key membership test;
- **divergences** (``[FD=``): a state whose implementation part can do τ
  forever is a violation unless its node diverges; after a divergent node
  anything goes, so its spec component stops moving. The divergent
  implementation states are computed first by one full exploration and τ-peel
  (:func:`~procalg.lts.product.divergent_codes`), only when the network has τ.

The search stops at the first level holding a violation, so the violating
state is at the least BFS depth (as in the reference engine,
:mod:`procalg.checks.refinement`), and the path is rebuilt backwards.

Example:
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.normal_table import normal_table
    >>> spec = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
    >>> impl = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "a", 2)])
    >>> result, bad = find_violation(close(component(impl)), normal_table(spec),
    ...                             RefinementModel.TRACES)
    >>> bad.kind, bad.path, bad.event
    ('trace', ('a',), 'a')
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from procalg.assertion_kinds import RefinementModel
from procalg.lts.cycle_core import cycle_core
from procalg.lts.lazy import LazyComponent
from procalg.lts.least_paths import end_key
from procalg.lts.level_paths import least_goals, name_rank
from procalg.lts.loop_rules import without_loops
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK_INDEX
from procalg.lts.minimal_lasso import codes_lasso
from procalg.lts.network import Network, SyncRule
from procalg.lts.network_fusion import fuse, unfused
from procalg.lts.normal_nodes import NormalTable, ranges
from procalg.lts.product import (
    NO_LIMITS,
    Limits,
    SearchResult,
    divergent_codes,
    reads_keys,
    searcher,
)
from procalg.lts.unique_codes import sorted_unique  # not np.unique: numpy.ma
from procalg.lts.wide_keys import code_at


@dataclass(frozen=True, slots=True)
class Violation:
    """Why a refinement fails, at a shortest-depth product state.

    Attributes:
        kind: ``"trace"``, ``"failure"`` or ``"divergence"``.
        path: labels (τ included) from the initial state to the violating state.
        node: the spec's normal node there.
        event: for ``"trace"``, the event the spec cannot do next.
        offered: for ``"failure"``, what the implementation offers there.
        lead, cycle: for ``"divergence"``, τ-steps to a τ-cycle and its length.
    """

    kind: str
    path: tuple[str, ...]
    node: int
    event: str | None = None
    offered: frozenset[str] = frozenset()
    lead: int = 0
    cycle: int = 0


@dataclass(frozen=True, slots=True)
class _Monitor:
    """The normal form as a component, and its acceptances as label indices."""

    network: Network
    spec: int  # the component index of the normal form
    err: int  # its violation state
    divergent: np.ndarray  # bool per node (ERR included)
    tick_ok: np.ndarray  # bool per node: some acceptance ⊆ {✓}
    acc_ptr: np.ndarray  # per node: its acceptances' range in acc_mem_ptr
    acc_mem_ptr: np.ndarray  # per acceptance: its members' range in members
    members: np.ndarray  # label indices


def monitor(network: Network, normal: NormalTable, fd: bool) -> _Monitor:
    """``network`` with the whole normal form of the spec as one more component.

    Every event of the implementation a node cannot do leads to ``ERR``;
    under ``fd``, a divergent node has no moves (nothing after it matters).
    """
    index = {x: i for i, x in enumerate(network.labels)}
    spec_labels = normal.comps.lts.labels
    to_net = np.array([index.get(x, -1) for x in spec_labels], np.int64)
    visible = np.array([i for i, x in enumerate(network.labels) if x != TAU], np.int64)
    err, width = len(normal), len(network.labels)
    divergent = normal.divergent()
    live = ~divergent if fd else np.ones(err, bool)
    lab = to_net[normal.label]
    ok = (lab >= 0) & live[normal.src]
    src, lab, dst = normal.src[ok], lab[ok], normal.dst[ok]
    nodes = np.flatnonzero(live)  # every event a live node cannot do leads to ERR
    every = np.repeat(nodes, len(visible)) * width + np.tile(visible, len(nodes))
    missing = every[~np.isin(every, src * width + lab)]
    lts = LTS.from_arrays(err + 1, normal.root, network.labels,
                          np.concatenate((src, missing // width)),
                          np.concatenate((lab, missing % width)),
                          np.concatenate((dst, np.full(len(missing), err))))
    spec = len(network.components)
    rules = tuple(r if r.label == TAU else SyncRule(r.label, (*r.parts, (spec, r.label)), r.rank,
                                                              r.guards)
                  for r in network.rules)
    acc_ptr, acc = normal.acceptance_ids()
    # each distinct offer set in network label indices (None: the implementation
    # can never offer all of it, so it is never met)
    sets = [None if (to_net[list(a)] < 0).any() else np.sort(to_net[list(a)])
            for a in normal.comps.offers]
    usable = np.array([x is not None for x in sets], bool)
    seen = np.concatenate(([0], np.cumsum(usable[acc])))
    per_node = seen[acc_ptr[1:]] - seen[acc_ptr[:-1]]
    kept = acc[usable[acc]]
    size = np.array([0 if x is None else len(x) for x in sets], np.int64)
    flat = np.concatenate([x for x in sets if x is not None] + [np.zeros(0, np.int64)])
    starts = np.cumsum(size * usable) - size * usable
    mem_ptr = np.concatenate(([0], np.cumsum(size[kept])))
    members = flat[ranges(starts[kept], size[kept])]
    node_ptr = np.concatenate(([0], np.cumsum(per_node), [per_node.sum()]))
    small = np.array([x is not None and len(x) <= 1 and (not len(x) or x[0] == TICK_INDEX)
                      for x in sets], bool)  # ⊆ {✓}
    tick_ok = np.zeros(err + 1, bool)
    tick_ok[err] = True
    owner = np.repeat(np.arange(err), np.diff(acc_ptr))
    tick_ok[owner[small[acc]]] = True
    return _Monitor(Network((*network.components, lts), rules,
                            (*network.notes, f"specification normalised: {err} nodes"),
                            network.loose, network.scopes),
                    spec, err, np.append(divergent, False), tick_ok,
                    node_ptr.astype(np.int64), mem_ptr.astype(np.int64), members)


def find_violation(network: Network, normal: NormalTable, model: RefinementModel,
                   limits: Limits = NO_LIMITS) -> tuple[SearchResult, Violation | None]:
    """Search ``network`` against the normalised spec in the traces, failures or
    failures-divergences model.

    ``limits`` bound both searches (the implementation's divergences, the pairs).
    """
    assert isinstance(model, RefinementModel), f"a RefinementModel, not {model!r} (.parse)"
    fd, failures = model is RefinementModel.FAILURES_DIVERGENCES, model.failures
    mon = monitor(network, normal, fd)
    diverging = None
    if fd and not tau_acyclic(network):
        impl_tables, codes, _ = divergent_codes(network, limits)
        if len(codes):
            diverging = (impl_tables, codes)
    net = mon.network if fd or failures else _looping(mon.network)
    fusion = fuse(net) if diverging is None else unfused(net)  # impl_codes reads the parts
    search = searcher(fusion.network, limits)
    tables = search.tables
    impl_comps = list(range(mon.spec))
    width = len(tables.labels)
    rank = name_rank(tables.labels)
    state_goals = [True]  # the failing level's goals: states, or moves into ERR (a hit's label)

    def node_of(codes: np.ndarray) -> np.ndarray:
        return fusion.local(tables.layout.decode, codes, mon.spec)

    def impl_codes(codes: np.ndarray) -> np.ndarray:
        assert diverging is not None
        return diverging[0].layout.encode(tables.layout.decode(codes, impl_comps))

    def violating(chunk: np.ndarray, src: np.ndarray, lab: np.ndarray) -> np.ndarray:
        """Per chunk state: a failure or divergence there."""
        node = node_of(chunk)
        live = ~(mon.divergent[node] if fd else np.zeros(len(chunk), bool))
        bad = np.zeros(len(chunk), dtype=bool)
        if diverging is not None:
            pos = np.flatnonzero(live)
            if len(pos):
                at = diverging_at(chunk[pos])
                bad[pos[at]] = True
        if failures:
            bad |= _refusing(mon, chunk, node, live, src, lab, width)
        return bad

    def diverging_at(codes: np.ndarray) -> np.ndarray:
        assert diverging is not None
        ic = impl_codes(codes)
        at = np.minimum(np.searchsorted(diverging[1], ic), len(diverging[1]) - 1)
        return diverging[1][at] == ic

    def into_err(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray, lab: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        """The chunk positions with an event the spec cannot do, and the least such."""
        into = np.flatnonzero(node_of(dst) == mon.err)
        if not len(into):
            return into, into
        into = into[np.lexsort((rank[lab[into]], src[into]))]
        first = np.flatnonzero(np.diff(src[into], prepend=-1) != 0)
        return src[into[first]], lab[into[first]]

    def stop(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray, lab: np.ndarray):
        bad = violating(chunk, src, lab)
        if bad.any():  # any witness: its level is what counts (least_goals)
            return code_at(chunk, int(np.flatnonzero(bad)[0])), ""
        at, event = into_err(chunk, src, dst, lab)
        return (code_at(chunk, int(at[0])), tables.labels[int(event[0])]) if len(at) else None

    def every(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray, lab: np.ndarray):
        if state_goals[0]:
            at = np.flatnonzero(violating(chunk, src, lab))
            return chunk[at], [""] * len(at)
        at, event = into_err(chunk, src, dst, lab)
        return chunk[at], [tables.labels[x] for x in event.tolist()]

    # a refusal or divergence in a level comes before a trace error a move on (in any chunk)
    stop.states_first = failures or diverging is not None  # type: ignore[attr-defined]
    reads_keys(stop), reads_keys(every)  # chunks of keys decoded field by field: no integers
    trace_only = not failures and diverging is None  # a trace error: the targets suffice
    every.on_targets = trace_only  # type: ignore[attr-defined]  # least_goals screens on them
    hit = search.run(stop, targets=trace_only)
    if hit is None:
        return search.result(False), None
    state_goals[0] = not hit[1]
    path, ends, names = least_goals(search, hit[0], every)
    if not state_goals[0]:
        event = min(names)
        bad = Violation("trace", tuple(path), int(node_of(ends[:1])[0]), event=event)
        return search.result(True, [*path, event]), bad
    src, _, lab = tables.successors(ends)
    views = []
    for i in range(len(ends)):
        moves = lab[src == i].tolist()
        offered = frozenset({tables.labels[TICK_INDEX]} if TICK_INDEX in moves
                            else {tables.labels[x] for x in moves if x != TAU_INDEX})
        diverges = diverging is not None and bool(diverging_at(ends[i: i + 1])[0])
        views.append(("divergence" if diverges else "failure", offered))
    i = min(range(len(ends)), key=lambda i: end_key(*views[i]))
    lead = cycle = 0
    if views[i][0] == "divergence":  # the least lasso from any divergent end (as the reference's)
        assert diverging is not None
        down = [j for j in range(len(ends)) if views[j][0] == "divergence"]
        lasso = codes_lasso(diverging[0], impl_codes(ends[down]))
        lead, cycle = lasso.lead, lasso.loop
    bad = Violation(views[i][0], tuple(path), int(node_of(ends[i: i + 1])[0]),
                    offered=views[i][1], lead=lead, cycle=cycle)
    return search.result(True, path), bad


def _looping(net: Network) -> Network:
    """``net`` without the rules that only loop (traces: :mod:`procalg.lts.loop_rules`)."""
    net, dropped = without_loops(net)
    return replace(net, notes=(*net.notes, f"{dropped} rules that only loop left out "
                               "(traces: such a move adds no state or trace)")) if dropped else net


def tau_acyclic(network: Network) -> bool:
    """True if no product state can do τ forever, judged from the components alone.

    A τ-cycle of the product returns every component it moves to where it
    was: each move it makes of a component lies on a cycle of that component's
    moves in the cycle's τ-rules. So a τ-rule with a part whose local moves lie
    on no cycle of the moves the τ-rules still standing make
    (:func:`~procalg.lts.cycle_core.cycle_core`) is on no product τ-cycle: it is
    dropped, and the components judged again on the rules left, until none is
    left (no τ-cycle) or none drops (maybe one). A sufficient test, linear in the
    components per round: a choice's control component loops on its sides' τ
    (the choice stays open) beside a leaf whose τ moves are acyclic, and no
    longer makes the product look divergent. A lazy component is
    judged once its table is whole (:meth:`~procalg.lts.lazy.LazyComponent.known_moves`:
    after a search explored the whole product, every local state it reached
    is expanded), else it is unknown: a deadlock search that passed then
    spares [FD]'s divergence search (a counter leaf: a third of its time).

    Example:
        >>> from procalg.lts.network import close, component, hide
        >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
        >>> tau_acyclic(close(hide(component(p), {"a"}))), tau_acyclic(
        ...     close(hide(component(p), {"a", "b"})))
        (True, False)
    """
    rules = [r for r in network.rules if r.label == TAU]
    while rules:
        local: dict[int, set[str]] = {}
        for rule in rules:
            for c, a in rule.parts:
                local.setdefault(c, set()).add(a)
        cyclic: dict[int, set[str]] = {}
        for c, names in local.items():
            moves = _named_moves(network.components[c], names)
            if moves is None:
                return False
            src, dst, label, name = moves
            core = cycle_core(network.components[c].num_states, src, dst)
            cyclic[c] = {name[x] for x in sorted_unique(label[core[src] & core[dst]]).tolist()}
        kept = [r for r in rules if all(a in cyclic[c] for c, a in r.parts)]
        if len(kept) == len(rules):
            return False
        rules = kept
    return True


def _named_moves(comp: object, names: set[str]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str]] | None:
    """A component's moves labelled in ``names``: (source, target, label code,
    code -> name); None where they are unknown (a lazy table not whole yet)."""
    if isinstance(comp, LazyComponent):
        moves = comp.known_moves()
        if moves is None:
            return None
        src, label, dst = moves
        name = {code: x for x, code in comp.code.items() if x in names}
    elif isinstance(comp, LTS):
        src, label, dst = comp.src, comp.label, comp.dst
        name = {i: x for i, x in enumerate(comp.labels) if x in names}
    else:
        return None
    keep = np.isin(label, list(name))
    return src[keep], dst[keep], label[keep], name


def _refusing(mon: _Monitor, chunk: np.ndarray, node: np.ndarray, live: np.ndarray,
              src: np.ndarray, lab: np.ndarray, width: int) -> np.ndarray:
    """Per chunk state: stable or terminating, and offering no acceptance of its node."""
    n = len(chunk)
    tau = np.zeros(n, dtype=bool)
    tau[src[lab == TAU_INDEX]] = True
    tick = np.zeros(n, dtype=bool)
    tick[src[lab == TICK_INDEX]] = True
    checked = live & (node != mon.err) & (~tau | tick)
    bad = checked & tick & ~mon.tick_ok[node]
    stable = np.flatnonzero(checked & ~tick)
    if not len(stable):
        return bad
    first, last = mon.acc_ptr[node[stable]], mon.acc_ptr[node[stable] + 1]
    per = last - first
    pair_state = np.repeat(stable, per)  # one row per (state, acceptance)
    acc = np.repeat(first - np.cumsum(per) + per, per) + np.arange(len(pair_state))
    lo, hi = mon.acc_mem_ptr[acc], mon.acc_mem_ptr[acc + 1]
    size = hi - lo
    pair = np.repeat(np.arange(len(acc)), size)  # one row per acceptance member
    member = mon.members[np.repeat(lo - np.cumsum(size) + size, size) + np.arange(len(pair))]
    key = pair_state[pair] * width + member
    present = _offered(src.astype(np.int64) * width + lab, key, n * width)
    missing = np.bincount(pair[~present], minlength=len(acc))
    good = np.zeros(n, dtype=bool)
    good[pair_state[missing == 0]] = True
    refusing = np.zeros(n, dtype=bool)
    refusing[stable] = True
    return bad | (refusing & ~good)


_TABLE_CELLS = 1 << 24
"""Largest (state x label) bitmap :func:`_offered` fills instead of sorting."""


def _offered(offers: np.ndarray, keys: np.ndarray, cells: int) -> np.ndarray:
    """Mask of the ``keys`` among ``offers`` (both ``state * width + label``,
    below ``cells``): a bitmap when it is small (a chunk of the frontier
    times the labels), else a sort and binary search (numpy 2's hashing
    ``np.unique`` took a sixth of a failures check).

    Example:
        >>> _offered(np.array([5, 2, 5]), np.array([2, 3, 5]), 8).tolist()
        [True, False, True]
    """
    if cells <= _TABLE_CELLS:
        table = np.zeros(cells, dtype=bool)
        table[offers] = True
        return table[keys]
    if not len(offers):
        return np.zeros(len(keys), dtype=bool)
    offers = np.sort(offers)
    return offers.take(offers.searchsorted(keys), mode="clip") == keys
