"""Bisimulation partitions and quotients: strong, weak and branching.

All three are computed by *signature refinement* (Blom & Orzan, "Distributed
branching bisimulation reduction of state spaces", PDMC 2003 / STTT 2005):
start from one block; in every round give each state the signature
``(its block, {(label, block of target)})`` and split blocks by signature;
stop when no block splits. Signatures are grouped with numpy sorting and
Python tuples, so a round costs O(m log m) for m (saturated) transitions;
there are at most n rounds, and in practice as many as the longest
distinguishing formula is deep. This is asymptotically worse than
Paige & Tarjan's O(m log n) ("Three partition refinement algorithms",
SIAM J. Comput. 1987) but array-friendly and simple to trust.

- **strong**: signatures over the transitions as they are.
- **branching** (divergence-blind, mCRL2's default ``branching-bisim``;
  van Glabbeek & Weijland 1996; Groote & Vaandrager 1990; Groote, Jansen,
  Keiren & Wijs, TOCL 2017): τ-SCCs are collapsed first, then the signature
  of ``s`` is every ``(a, B(t))`` with ``s ⇒ s' -a-> t`` along inert τ-steps
  (τ-steps inside ``s``'s block), except inert ``(τ, B(s))`` itself. The
  τ-graph is a DAG after the collapse, so one pass in topological order
  computes all signatures.
- **weak** (Milner 1989): strong bisimulation of the τ-saturated LTS
  (``s =a=> t`` is ``τ* a τ*``, ``s =τ=> t`` is ``τ*`` including ``s``),
  after collapsing τ-SCCs. Saturation may square the transition count.

✓ is an ordinary visible label here; labels in ``lts.hidden`` count as τ.

Example:
    >>> lts = LTS.build(4, 0, ["a"], [(0, "τ", 1), (1, "a", 2), (0, "a", 3)])
    >>> minimize(lts, "strong").num_states, minimize(lts, "weak").num_states
    (3, 2)
    >>> p = partition(lts, Equivalence.BRANCHING)
    >>> bool(p[2] == p[3]), bool(p[0] == p[1])
    (True, True)
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts.lts import LTS, TAU_INDEX
from procalg.lts.tau import collapse_tau_sccs, effective_labels, tau_closure


class Equivalence(enum.Enum):
    """The bisimulations this module computes (values match
    ``procalg.checks.result.Equivalence``)."""

    STRONG = "strong"
    WEAK = "weak"
    BRANCHING = "branching"


def as_equivalence(equivalence: object) -> Equivalence:
    """Accept an :class:`Equivalence`, any enum with the same value, or its name.

    Example:
        >>> as_equivalence("Weak")
        <Equivalence.WEAK: 'weak'>
    """
    value = getattr(equivalence, "value", equivalence)
    try:
        return Equivalence(str(value).lower())
    except ValueError:
        raise ProcalgError(f"no bisimulation called {value!r}",
                           hint="use 'strong', 'weak' or 'branching'") from None


@dataclass(frozen=True)
class Refinement:
    """The outcome of signature refinement, with its history.

    Attributes:
        refined: the LTS whose states were partitioned (the input for strong,
            the τ-collapsed LTS for branching, its saturation for weak).
        state_map: for each original state, its state in ``refined``.
        history: block arrays over ``refined``, one per round; ``history[0]``
            is the single initial block, ``history[-1]`` the final partition.
    """

    refined: LTS
    state_map: np.ndarray
    history: list[np.ndarray]

    @property
    def blocks(self) -> np.ndarray:
        """The final block of every original state."""
        return self.history[-1][self.state_map]


def refine(lts: LTS, equivalence: Equivalence | str) -> Refinement:
    """Run signature refinement for ``equivalence`` and keep every round."""
    kind = as_equivalence(equivalence)
    if kind is Equivalence.STRONG:
        plain = LTS.from_arrays(lts.num_states, lts.initial, lts.labels,
                                lts.src, effective_labels(lts), lts.dst)
        return Refinement(plain, np.arange(lts.num_states), _strong_rounds(plain))
    collapsed, comp = collapse_tau_sccs(lts)
    if kind is Equivalence.WEAK:
        saturated = saturate(collapsed)
        return Refinement(saturated, comp, _strong_rounds(saturated))
    return Refinement(collapsed, comp, _branching_rounds(collapsed))


def partition(lts: LTS, equivalence: Equivalence | str) -> np.ndarray:
    """The block number of every state under ``equivalence``.

    Equal numbers mean equivalent states. Block numbers are dense, ``0..k-1``.
    """
    return _dense(refine(lts, equivalence).blocks)


def minimize(lts: LTS, equivalence: Equivalence | str) -> LTS:
    """The quotient of ``lts`` by ``equivalence``, reachable blocks only.

    Blocks are numbered breadth-first from the initial state's block (so the
    initial state is 0). For weak and branching, τ-self-loops on blocks are
    dropped, as mCRL2 does.
    """
    kind = as_equivalence(equivalence)
    blocks = partition(lts, kind)
    return quotient(lts, blocks, drop_tau_loops=kind is not Equivalence.STRONG)


def quotient(lts: LTS, blocks: np.ndarray, *, drop_tau_loops: bool) -> LTS:
    """Map every transition onto blocks; keep the blocks reachable from the initial one."""
    labels = effective_labels(lts)
    src, dst = blocks[lts.src], blocks[lts.dst]
    if drop_tau_loops:
        keep = ~((labels == TAU_INDEX) & (src == dst))
        src, labels, dst = src[keep], labels[keep], dst[keep]
    k = int(blocks.max()) + 1 if len(blocks) else 0
    coarse = LTS.from_arrays(k, int(blocks[lts.initial]), lts.labels, src, labels, dst)
    return bfs_renumber(coarse)


def bfs_renumber(lts: LTS) -> LTS:
    """Keep the reachable states, numbered in breadth-first order from the initial one.

    Example:
        >>> bfs_renumber(LTS.build(3, 2, ["a"], [(2, "a", 0)])).triples().__next__()
        (0, 'a', 1)
    """
    number = {lts.initial: 0}
    queue = deque([lts.initial])
    while queue:
        s = queue.popleft()
        for _, d in lts.successors(s):
            if d not in number:
                number[d] = len(number)
                queue.append(d)
    mapping = np.full(lts.num_states, -1, dtype=np.int64)
    for old, new in number.items():
        mapping[old] = new
    keep = mapping[lts.src] >= 0
    return LTS.from_arrays(len(number), 0, lts.labels, mapping[lts.src[keep]],
                           lts.label[keep], mapping[lts.dst[keep]])


def saturate(lts: LTS) -> LTS:
    """The weak transition relation as an LTS: ``τ* a τ*`` and reflexive ``τ*``.

    Example:
        >>> sat = saturate(LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)]))
        >>> sorted(t for t in sat.triples() if t[1] == "a")
        [(0, 'a', 2), (1, 'a', 2)]
    """
    closure = tau_closure(lts)
    labels = effective_labels(lts)
    visible: list[list[tuple[int, int]]] = [[] for _ in range(lts.num_states)]
    for s, a, d in zip(lts.src.tolist(), labels.tolist(), lts.dst.tolist(), strict=True):
        if a != TAU_INDEX:
            visible[s].append((a, d))
    rows: set[tuple[int, int, int]] = set()
    for s in range(lts.num_states):
        rows.update((s, TAU_INDEX, t) for t in closure[s])
        for u in closure[s]:
            for a, v in visible[u]:
                rows.update((s, a, w) for w in closure[v])
    src, lab, dst = zip(*rows, strict=True) if rows else ((), (), ())
    return LTS.from_arrays(lts.num_states, lts.initial, lts.labels, src, lab, dst)


def disjoint_union(left: LTS, right: LTS) -> tuple[LTS, int]:
    """Both LTSs side by side, labels merged by name; ``right``'s states are shifted.

    Returns:
        The union (initial state: ``left``'s) and the offset of ``right``'s states.

    Example:
        >>> u, off = disjoint_union(LTS.build(1, 0, [], []), LTS.build(2, 1, ["a"], [(1, "a", 0)]))
        >>> off, list(u.triples())
        (1, [(2, 'a', 1)])
    """
    names = list(left.labels) + [x for x in right.labels if left.label_index(x) is None]
    index = {x: i for i, x in enumerate(names)}
    remap = np.asarray([index[x] for x in right.labels], dtype=np.int64)
    off = left.num_states
    src = np.concatenate([left.src, right.src.astype(np.int64) + off])
    lab = np.concatenate([effective_labels(left), remap[effective_labels(right)]])
    dst = np.concatenate([left.dst, right.dst.astype(np.int64) + off])
    return LTS.from_arrays(off + right.num_states, left.initial, names, src, lab, dst), off


def _dense(blocks: np.ndarray) -> np.ndarray:
    _, dense = np.unique(blocks, return_inverse=True)
    return dense.astype(np.int32).reshape(-1)


def _split(blocks: np.ndarray, signatures: list[tuple[int, ...]]) -> np.ndarray:
    """New block ids from ``(old block, signature)``; including the old block
    makes every round a refinement of the last, so the loop terminates."""
    ids: dict[tuple[int, tuple[int, ...]], int] = {}
    new = [ids.setdefault((b, sig), len(ids))
           for b, sig in zip(blocks.tolist(), signatures, strict=True)]
    return np.asarray(new, dtype=np.int32)


def _strong_rounds(lts: LTS) -> list[np.ndarray]:
    n = lts.num_states
    blocks = np.zeros(n, dtype=np.int32)
    history = [blocks]
    nlabels = len(lts.labels)
    src = lts.src.astype(np.int64)
    while True:
        width = int(blocks.max()) + 1 if n else 1
        keys = np.unique((src * nlabels + lts.label) * width + blocks[lts.dst])
        owner = keys // (nlabels * width)
        sig_keys = (keys % (nlabels * width)).tolist()
        bounds = np.searchsorted(owner, np.arange(n + 1)).tolist()
        signatures = [tuple(sig_keys[bounds[s]:bounds[s + 1]]) for s in range(n)]
        new = _split(blocks, signatures)
        if int(new.max(initial=-1)) == int(blocks.max(initial=-1)):
            return history
        blocks = new
        history.append(blocks)


def _branching_rounds(lts: LTS) -> list[np.ndarray]:
    """``lts`` must be τ-SCC-free (collapsed), so its τ-graph is a DAG."""
    n = lts.num_states
    order = _tau_topological_order(lts)
    out: list[list[tuple[int, int]]] = [lts.successors(s) for s in range(n)]
    blocks = np.zeros(n, dtype=np.int32)
    history = [blocks]
    while True:
        b = blocks.tolist()
        width = max(b, default=0) + 1
        sigs: list[set[int]] = [set() for _ in range(n)]
        for s in order:  # τ-successors first
            acc = sigs[s]
            for a, t in out[s]:
                if a == TAU_INDEX and b[t] == b[s]:
                    acc |= sigs[t]
                else:
                    acc.add(a * width + b[t])
        new = _split(blocks, [tuple(sorted(x)) for x in sigs])
        if int(new.max(initial=-1)) == int(blocks.max(initial=-1)):
            return history
        blocks = new
        history.append(blocks)


def _tau_topological_order(lts: LTS) -> list[int]:
    """States ordered so that every τ-successor comes before its source (Kahn)."""
    taus = lts.label == TAU_INDEX
    preds: list[list[int]] = [[] for _ in range(lts.num_states)]
    pending = np.zeros(lts.num_states, dtype=np.int64)
    for s, d in zip(lts.src[taus].tolist(), lts.dst[taus].tolist(), strict=True):
        preds[d].append(s)
        pending[s] += 1
    pend = pending.tolist()
    ready = deque(s for s in range(lts.num_states) if pend[s] == 0)
    order: list[int] = []
    while ready:
        d = ready.popleft()
        order.append(d)
        for s in preds[d]:
            pend[s] -= 1
            if pend[s] == 0:
                ready.append(s)
    if len(order) != lts.num_states:
        raise ValueError("τ-cycle left after collapsing τ-SCCs")
    return order
