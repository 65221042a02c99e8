"""τ-saturation (the weak transition relation) with bit-set rows.

``s =τ=> t`` is ``s τ* t`` (reflexive) and ``s =a=> t`` is ``s τ* a τ* t``.
Rows of bits (one ``uint64`` word per 64 states) are combined per τ-SCC in
reverse topological order: ``R(c) = members(c) ∪ ⋃ R(d)`` over τ-successor
components ``d``, and per visible label ``W_a(c) = ⋃_{u∈c, u -a-> v} R(v) ∪
⋃ W_a(d)``. Time O((n + m) · n / 64) word operations per label, memory
O(n² / 8) bytes per label matrix, so it is refused above
:data:`MAX_STATES` states (weak bisimulation is only practical when the
saturated relation fits; branching bisimulation needs no saturation).

Example:
    >>> sat = saturate(LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)]))
    >>> sorted(t for t in sat.triples() if t[1] == "a")
    [(0, 'a', 2), (1, 'a', 2)]
"""

from __future__ import annotations

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lts import LTS, TAU_INDEX
from procalg.lts.tau import effective_labels, tau_sccs

MAX_STATES = 20_000


def saturate(lts: LTS) -> LTS:
    """The weak transition relation of ``lts`` as an LTS (hidden labels are τ).

    Raises:
        LimitExceeded: more than :data:`MAX_STATES` states.
    """
    n = lts.num_states
    if n > MAX_STATES:
        raise LimitExceeded(
            f"weak bisimulation needs the τ-saturated LTS, too large for {n} states "
            f"(limit {MAX_STATES})", states=n, transitions=lts.num_transitions,
            hint="use branching bisimulation instead (it implies weak bisimulation)")
    comp = tau_sccs(lts).astype(np.int64)
    ncomp = int(comp.max()) + 1 if n else 0
    words = (n + 63) // 64
    labels = effective_labels(lts).astype(np.int64)
    src, dst = lts.src.astype(np.int64), lts.dst.astype(np.int64)
    tau = labels == TAU_INDEX
    succ = _component_successors(comp[src[tau]], comp[dst[tau]], ncomp)
    reach = np.zeros((ncomp, words), dtype=np.uint64)
    states = np.arange(n, dtype=np.int64)
    np.bitwise_or.at(reach, (comp, states >> 6), np.left_shift(np.uint64(1),
                                                               (states & 63).astype(np.uint64)))
    _close(reach, succ)
    columns = [_expand(reach, comp, n, TAU_INDEX)]
    for a in np.unique(labels[~tau]).tolist():
        edges = labels == a
        weak = np.zeros((ncomp, words), dtype=np.uint64)
        np.bitwise_or.at(weak, comp[src[edges]], reach[comp[dst[edges]]])
        _close(weak, succ)
        columns.append(_expand(weak, comp, n, a))
    triples = np.concatenate(columns, axis=1)
    return LTS.from_arrays(n, lts.initial, lts.labels, triples[0], triples[1], triples[2])


def _component_successors(src: np.ndarray, dst: np.ndarray, ncomp: int) -> list[list[int]]:
    succ: list[set[int]] = [set() for _ in range(ncomp)]
    for c, d in zip(src.tolist(), dst.tolist(), strict=True):
        if c != d:
            succ[c].add(d)
    return [sorted(x) for x in succ]


def _close(rows: np.ndarray, succ: list[list[int]]) -> None:
    """OR each component's row with its τ-successors' rows, successors first
    (Tarjan numbers components so that successors have lower numbers)."""
    for c, targets in enumerate(succ):
        for d in targets:
            rows[c] |= rows[d]


def _expand(rows: np.ndarray, comp: np.ndarray, n: int, label: int) -> np.ndarray:
    """``(src, label, dst)`` columns for every set bit of every state's row."""
    out = []
    chunk = max(1, 8_000_000 // max(n, 1))
    for start in range(0, n, chunk):
        block = rows[comp[start:start + chunk]]
        # bit i of word w is state 64·w + i (uint64 rows viewed as little-endian bytes)
        little = block.astype("<u8", copy=False).view(np.uint8)
        bits = np.unpackbits(little, axis=1, bitorder="little")[:, :n]
        s, d = np.nonzero(bits)
        out.append(np.stack([s + start, np.full(len(s), label), d]))
    return np.concatenate(out, axis=1) if out else np.zeros((3, 0), np.int64)
